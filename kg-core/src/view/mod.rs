//! The compact in-memory view that queries traverse.
//!
//! Three CSR adjacencies over node slots (a slot per index up to the largest one):
//! - `out`: stored edges by source, sorted by (target, label);
//! - `in`: stored edges by target, sorted by (source, label);
//! - `und`: the undirected simple graph: each node's distinct neighbours either way, no self
//!   loops, sorted. Unconstrained undirected search runs on this one alone.
//!
//! The view is derived from the durable store and can always be rebuilt from it. It is
//! persisted beside the database (`graph.view`) so that open is a memory map, not a rebuild.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::{LabelId, Node, NodeIndex, TermId, Vocab};
use crate::csr::Csr;
use crate::slab::Slab;

mod file;
mod hubs;

pub use hubs::{HUB_BUDGET_BYTES, HubBits};
pub use file::{LoadedView, VIEW_FORMAT_VERSION};

/// `node_type` of a slot that holds no node.
pub const NO_NODE: TermId = TermId::MAX;

/// A stored directed edge in view form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EdgeRec {
    /// The node the edge leaves.
    pub source: NodeIndex,
    /// The node it enters.
    pub target: NodeIndex,
    /// Its label: (relation, display relation).
    pub label: LabelId,
}

/// A node in the form the view is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRec {
    /// The node's index.
    pub index: NodeIndex,
    /// Its source identifier.
    pub id: String,
    /// Its type, interned.
    pub node_type: TermId,
    /// Its name.
    pub name: String,
    /// Its source, interned.
    pub source: TermId,
}

/// A borrowed node of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeRef<'a> {
    /// The node's index.
    pub index: NodeIndex,
    /// Its source identifier.
    pub id: &'a str,
    /// Its type.
    pub node_type: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its source.
    pub source: &'a str,
}

impl NodeRef<'_> {
    /// An owned copy.
    pub fn to_node(&self) -> Node {
        Node {
            index: self.index,
            id: self.id.to_owned(),
            node_type: self.node_type.to_owned(),
            name: self.name.to_owned(),
            source: self.source.to_owned(),
        }
    }
}

/// The graph as queries see it: immutable, cheap to share between threads.
#[derive(Debug, Clone)]
pub struct GraphView {
    vocab: Arc<Vocab>,
    node_type: Slab<TermId>,
    node_source: Slab<TermId>,
    /// Per slot i: id = arena[off[2i]..off[2i+1]], name = arena[off[2i+1]..off[2i+2]].
    str_offsets: Slab<u64>,
    str_arena: Slab<u8>,
    /// Stored edges by source, and each one's label.
    out: Csr,
    out_labels: Slab<LabelId>,
    /// Stored edges by target, and each one's label.
    inc: Csr,
    inc_labels: Slab<LabelId>,
    /// The undirected simple graph.
    und: Csr,
    node_count: usize,
    /// Built on first use, shared by the view's clones.
    hubs: Arc<std::sync::OnceLock<HubBits>>,
}

impl GraphView {
    /// An empty view.
    pub fn empty() -> Self {
        Self::build(Vocab::default(), Vec::new(), &[])
    }

    /// Builds a view from nodes (any order) and edges sorted by (source, target, label) with
    /// no duplicates. Every edge endpoint must be among `nodes`.
    pub fn build(vocab: Vocab, mut nodes: Vec<NodeRec>, edges: &[EdgeRec]) -> Self {
        debug_assert!(edges.windows(2).all(|w| w[0] < w[1]), "edges sorted and distinct");
        nodes.sort_unstable_by_key(|n| n.index);
        let slots = nodes.last().map_or(0, |n| n.index as usize + 1);
        let mut node_type = vec![NO_NODE; slots];
        let mut node_source = vec![0; slots];
        let mut str_offsets = Vec::with_capacity(2 * slots + 1);
        let mut str_arena = Vec::new();
        str_offsets.push(0u64);
        let mut next = nodes.iter().peekable();
        for slot in 0..slots as NodeIndex {
            if let Some(n) = next.next_if(|n| n.index == slot) {
                node_type[slot as usize] = n.node_type;
                node_source[slot as usize] = n.source;
                str_arena.extend_from_slice(n.id.as_bytes());
                str_offsets.push(str_arena.len() as u64);
                str_arena.extend_from_slice(n.name.as_bytes());
                str_offsets.push(str_arena.len() as u64);
            } else {
                str_offsets.push(str_arena.len() as u64);
                str_offsets.push(str_arena.len() as u64);
            }
        }

        // out: edges are already grouped by source and sorted by (target, label).
        let out = Csr::from_grouped(slots, edges.iter().map(|e| e.source), edges.iter().map(|e| e.target).collect());
        let out_labels: Vec<LabelId> = edges.iter().map(|e| e.label).collect();
        // in: a counting sort by target; visiting edges in source order keeps each bucket
        // sorted by (source, label).
        let (inc, inc_labels) = {
            let shape = Csr::from_grouped(slots, edges.iter().map(|e| e.target), vec![0; edges.len()]);
            let mut cursor: Vec<u64> = shape.offsets()[..slots].to_vec();
            let mut sources = vec![0 as NodeIndex; edges.len()];
            let mut labels = vec![0 as LabelId; edges.len()];
            for e in edges {
                let at = &mut cursor[e.target as usize];
                sources[*at as usize] = e.source;
                labels[*at as usize] = e.label;
                *at += 1;
            }
            (Csr::from_parts(shape.offsets().to_vec(), sources), labels)
        };
        // und: merge each node's out targets and in sources, dropping repeats and self loops.
        let und = {
            let mut offsets = Vec::with_capacity(slots + 1);
            let mut neighbours = Vec::with_capacity(edges.len());
            offsets.push(0u64);
            for u in 0..slots as NodeIndex {
                let (a, b) = (out.row(u), inc.row(u));
                let (mut i, mut j) = (0, 0);
                let mut last = None;
                while i < a.len() || j < b.len() {
                    let v = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
                        i += 1;
                        a[i - 1]
                    } else {
                        j += 1;
                        b[j - 1]
                    };
                    if v != u && last != Some(v) {
                        neighbours.push(v);
                        last = Some(v);
                    }
                }
                offsets.push(neighbours.len() as u64);
            }
            neighbours.shrink_to_fit();
            Csr::from_parts(offsets, neighbours)
        };
        GraphView {
            vocab: Arc::new(vocab),
            node_type: node_type.into(),
            node_source: node_source.into(),
            str_offsets: str_offsets.into(),
            str_arena: str_arena.into(),
            out,
            out_labels: out_labels.into(),
            inc,
            inc_labels: inc_labels.into(),
            und,
            node_count: nodes.len(),
            hubs: Arc::default(),
        }
    }

    /// The neighbour bitsets of its hubs ([`HubBits::default_min_degree`]), built on first use
    /// (a few milliseconds at PrimeKG's size).
    pub fn hubs(&self) -> &HubBits {
        self.hubs.get_or_init(|| HubBits::new(self, HubBits::default_min_degree(self)))
    }

    /// The interned names its ids refer to.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// One more than the largest node index: the length of per-node arrays.
    #[inline]
    pub fn slots(&self) -> usize {
        self.node_type.len()
    }

    /// Nodes held (slots without a node excluded).
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Stored directed edges.
    pub fn edge_count(&self) -> usize {
        self.out.len()
    }

    /// Distinct unordered neighbour pairs (the undirected simple graph's edges).
    pub fn undirected_edge_count(&self) -> usize {
        self.und.len() / 2
    }

    /// True if a node sits at `node`.
    #[inline]
    pub fn contains(&self, node: NodeIndex) -> bool {
        self.node_type.get(node as usize).is_some_and(|&t| t != NO_NODE)
    }

    /// The node type id of `node` ([`NO_NODE`] for an empty slot).
    #[inline]
    pub fn type_id(&self, node: NodeIndex) -> TermId {
        self.node_type.get(node as usize).copied().unwrap_or(NO_NODE)
    }

    /// Node type ids of every slot.
    pub fn type_ids(&self) -> &[TermId] {
        &self.node_type
    }

    fn str_at(&self, k: usize) -> &str {
        let (a, b) = (self.str_offsets[k] as usize, self.str_offsets[k + 1] as usize);
        // Built from `String`s, and checked when loaded from a file.
        std::str::from_utf8(&self.str_arena[a..b]).unwrap_or("")
    }

    /// The name of `node` ("" for an empty slot).
    pub fn name(&self, node: NodeIndex) -> &str {
        if !self.contains(node) {
            return "";
        }
        self.str_at(2 * node as usize + 1)
    }

    /// The node at `node`, borrowed; `None` for an empty slot.
    pub fn node(&self, node: NodeIndex) -> Option<NodeRef<'_>> {
        if !self.contains(node) {
            return None;
        }
        let i = node as usize;
        Some(NodeRef {
            index: node,
            id: self.str_at(2 * i),
            name: self.str_at(2 * i + 1),
            node_type: self.vocab.node_types.name(self.node_type[i]),
            source: self.vocab.sources.name(self.node_source[i]),
        })
    }

    pub(crate) fn node_rec(&self, node: NodeIndex) -> Option<NodeRec> {
        let r = self.node(node)?;
        Some(NodeRec {
            index: node,
            id: r.id.to_owned(),
            node_type: self.node_type[node as usize],
            name: r.name.to_owned(),
            source: self.node_source[node as usize],
        })
    }

    /// Indices of every node, ascending.
    pub fn nodes(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        (0..self.slots() as NodeIndex).filter(|&n| self.contains(n))
    }

    /// Out-edges of `node`: targets sorted ascending, with their labels.
    #[inline]
    pub fn out_edges(&self, node: NodeIndex) -> (&[NodeIndex], &[LabelId]) {
        let r = self.out.range(node);
        (&self.out.targets()[r.clone()], &self.out_labels[r])
    }

    /// In-edges of `node`: sources sorted ascending, with their labels.
    #[inline]
    pub fn in_edges(&self, node: NodeIndex) -> (&[NodeIndex], &[LabelId]) {
        let r = self.inc.range(node);
        (&self.inc.targets()[r.clone()], &self.inc_labels[r])
    }

    /// Distinct neighbours of `node` either way, sorted, without `node` itself.
    #[inline]
    pub fn neighbours(&self, node: NodeIndex) -> &[NodeIndex] {
        self.und.row(node)
    }

    /// Number of distinct neighbours either way.
    #[inline]
    pub fn degree(&self, node: NodeIndex) -> usize {
        self.und.range(node).len()
    }

    /// Labels of stored edges `from → to`.
    pub fn labels_between(&self, from: NodeIndex, to: NodeIndex) -> &[LabelId] {
        let (targets, labels) = self.out_edges(from);
        let lo = targets.partition_point(|&t| t < to);
        let hi = targets.partition_point(|&t| t <= to);
        &labels[lo..hi]
    }

    /// Every stored edge, sorted by (source, target, label).
    pub fn edges(&self) -> impl Iterator<Item = EdgeRec> + '_ {
        (0..self.slots() as NodeIndex).flat_map(move |s| {
            let (t, l) = self.out_edges(s);
            t.iter().zip(l).map(move |(&target, &label)| EdgeRec { source: s, target, label })
        })
    }

    pub(crate) fn node_recs(&self) -> Vec<NodeRec> {
        self.nodes().filter_map(|n| self.node_rec(n)).collect()
    }

    /// Bytes held by the traversal arrays (adjacency and per-node arrays, not names).
    pub fn traversal_bytes(&self) -> usize {
        use std::mem::size_of_val as b;
        b(&*self.node_type)
            + b(self.out.offsets())
            + b(self.out.targets())
            + b(&*self.out_labels)
            + b(self.inc.offsets())
            + b(self.inc.targets())
            + b(&*self.inc_labels)
            + b(self.und.offsets())
            + b(self.und.targets())
    }

    /// Node counts per type name.
    pub fn type_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = vec![0usize; self.vocab.node_types.len()];
        for &t in self.node_type.iter() {
            if t != NO_NODE {
                counts[t as usize] += 1;
            }
        }
        counts
            .into_iter()
            .enumerate()
            .filter(|&(_, c)| c > 0)
            .map(|(t, c)| (self.vocab.node_types.name(t as TermId).to_owned(), c))
            .collect()
    }

    /// Stored edge counts per relation name.
    pub fn relation_counts(&self) -> BTreeMap<String, usize> {
        let mut per_label = vec![0usize; self.vocab.labels.len()];
        for &l in self.out_labels.iter() {
            per_label[l as usize] += 1;
        }
        let mut out = BTreeMap::new();
        for (l, c) in per_label.into_iter().enumerate() {
            if c > 0 {
                *out.entry(self.vocab.label_relation(l as LabelId).to_owned()).or_insert(0) += c;
            }
        }
        out
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> GraphView {
        let mut vocab = Vocab::default();
        let t = vocab.node_types.intern("drug", "type").unwrap();
        let s = vocab.sources.intern("DB", "source").unwrap();
        let r = vocab.relations.intern("treats", "relation").unwrap();
        let d = vocab.display_relations.intern("indication", "display").unwrap();
        let l = vocab.label(r, d).unwrap();
        let nodes = [0u32, 2, 5]
            .iter()
            .map(|&i| NodeRec { index: i, id: format!("ID{i}"), node_type: t, name: format!("n{i}"), source: s })
            .collect();
        let mut edges = vec![
            EdgeRec { source: 0, target: 2, label: l },
            EdgeRec { source: 2, target: 0, label: l },
            EdgeRec { source: 2, target: 5, label: l },
            EdgeRec { source: 5, target: 5, label: l },
        ];
        edges.sort();
        GraphView::build(vocab, nodes, &edges)
    }

    #[test]
    fn hub_bitsets_hold_exactly_the_neighbours_of_nodes_of_high_enough_degree() {
        let v = tiny();
        assert_eq!(v.hubs().count(), 0, "no node has 1,024 neighbours");
        let hubs = HubBits::new(&v, 2);
        assert_eq!(hubs.count(), 1);
        let bits = hubs.of(2).expect("node 2 has two neighbours");
        let members: Vec<NodeIndex> = (0..v.slots() as NodeIndex).filter(|&n| crate::marks::has_bit(bits, n)).collect();
        assert_eq!(members, v.neighbours(2));
        assert!(hubs.of(0).is_none() && hubs.of(5).is_none() && hubs.of(99).is_none());
        assert_eq!(hubs.nodes(), [2]);
        let all = HubBits::new(&v, 1);
        assert_eq!(all.count(), 3, "every node with a neighbour");
        assert!(all.nodes().windows(2).all(|w| v.degree(w[0]) >= v.degree(w[1])), "highest degree first");
    }

    #[test]
    fn csr_adjacency_matches_edges() {
        let v = tiny();
        assert_eq!(v.slots(), 6);
        assert_eq!(v.node_count(), 3);
        assert_eq!(v.edge_count(), 4);
        assert!(!v.contains(1) && v.contains(5) && !v.contains(99));
        assert_eq!(v.out_edges(2).0, &[0, 5]);
        assert_eq!(v.in_edges(5).0, &[2, 5]);
        assert_eq!(v.neighbours(2), &[0, 5]);
        assert_eq!(v.neighbours(5), &[2], "self loop left out of the undirected view");
        assert_eq!(v.undirected_edge_count(), 2);
        assert_eq!(v.node(2).unwrap().name, "n2");
        assert_eq!(v.labels_between(2, 5).len(), 1);
        assert!(v.labels_between(5, 2).is_empty());
    }

    #[test]
    fn file_round_trip_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph.view");
        let v = tiny();
        let stamp = crate::side_file::Stamp { database: 42, generation: 7 };
        v.write_file(&path, stamp).unwrap();
        let LoadedView::Loaded(w) = GraphView::load_file(&path, stamp).unwrap() else { panic!("not loaded") };
        let w = *w;
        assert_eq!(w.edges().collect::<Vec<_>>(), v.edges().collect::<Vec<_>>());
        assert_eq!(w.neighbours(2), v.neighbours(2));
        assert_eq!(w.node(5).unwrap().id, "ID5");
        // Another generation, or another database's file at the same generation, is stale.
        for other in [crate::side_file::Stamp { generation: 8, ..stamp }, crate::side_file::Stamp { database: 43, ..stamp }] {
            assert!(matches!(GraphView::load_file(&path, other).unwrap(), LoadedView::Stale(_)));
        }

        let mut bytes = std::fs::read(&path).unwrap();
        let n = bytes.len();
        bytes[n - 3] ^= 0x40;
        std::fs::write(&path, &bytes).unwrap();
        let err = GraphView::load_file(&path, stamp).unwrap_err().to_string();
        assert!(err.contains("checksum") && err.contains("graph.view"), "{err}");
        std::fs::write(&path, &bytes[..20]).unwrap();
        assert!(GraphView::load_file(&path, stamp).is_err());
    }
}

