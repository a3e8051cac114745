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
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::mapped::map_file;
use crate::model::{LabelId, Node, NodeIndex, TermId, Vocab};
use crate::slab::Slab;

/// `node_type` of a slot that holds no node.
pub const NO_NODE: TermId = TermId::MAX;

/// A stored directed edge in view form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EdgeRec {
    pub source: NodeIndex,
    pub target: NodeIndex,
    pub label: LabelId,
}

/// A node in the form the view is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRec {
    pub index: NodeIndex,
    pub id: String,
    pub node_type: TermId,
    pub name: String,
    pub source: TermId,
}

/// A borrowed node of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeRef<'a> {
    pub index: NodeIndex,
    pub id: &'a str,
    pub node_type: &'a str,
    pub name: &'a str,
    pub source: &'a str,
}

impl NodeRef<'_> {
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

#[derive(Debug, Clone, Default)]
struct Csr<N: bytemuck::Pod> {
    offsets: Slab<u64>,
    neighbours: Slab<NodeIndex>,
    labels: Slab<N>,
}

impl<N: bytemuck::Pod> Csr<N> {
    #[inline]
    fn range(&self, node: NodeIndex) -> std::ops::Range<usize> {
        let i = node as usize;
        if i + 1 >= self.offsets.len() {
            return 0..0;
        }
        self.offsets[i] as usize..self.offsets[i + 1] as usize
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
    out: Csr<LabelId>,
    inc: Csr<LabelId>,
    und: Csr<u8>,
    node_count: usize,
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
        let out = {
            let mut offsets = vec![0u64; slots + 1];
            for e in edges {
                offsets[e.source as usize + 1] += 1;
            }
            prefix_sum(&mut offsets);
            let targets: Vec<NodeIndex> = edges.iter().map(|e| e.target).collect();
            let labels: Vec<LabelId> = edges.iter().map(|e| e.label).collect();
            Csr { offsets: offsets.into(), neighbours: targets.into(), labels: labels.into() }
        };
        // in: a counting sort by target; visiting edges in source order keeps each bucket
        // sorted by (source, label).
        let inc = {
            let mut offsets = vec![0u64; slots + 1];
            for e in edges {
                offsets[e.target as usize + 1] += 1;
            }
            prefix_sum(&mut offsets);
            let mut cursor: Vec<u64> = offsets[..slots].to_vec();
            let mut sources = vec![0 as NodeIndex; edges.len()];
            let mut labels = vec![0 as LabelId; edges.len()];
            for e in edges {
                let at = &mut cursor[e.target as usize];
                sources[*at as usize] = e.source;
                labels[*at as usize] = e.label;
                *at += 1;
            }
            Csr { offsets: offsets.into(), neighbours: sources.into(), labels: labels.into() }
        };
        // und: merge each node's out targets and in sources, dropping repeats and self loops.
        let und = {
            let mut offsets = Vec::with_capacity(slots + 1);
            let mut neighbours = Vec::with_capacity(edges.len());
            offsets.push(0u64);
            for u in 0..slots as NodeIndex {
                let (a, b) = (&out.neighbours[out.range(u)], &inc.neighbours[inc.range(u)]);
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
            Csr { offsets: offsets.into(), neighbours: neighbours.into(), labels: Slab::default() }
        };
        GraphView {
            vocab: Arc::new(vocab),
            node_type: node_type.into(),
            node_source: node_source.into(),
            str_offsets: str_offsets.into(),
            str_arena: str_arena.into(),
            out,
            inc,
            und,
            node_count: nodes.len(),
        }
    }

    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// One more than the largest node index: the length of per-node arrays.
    #[inline]
    pub fn slots(&self) -> usize {
        self.node_type.len()
    }

    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Stored directed edges.
    pub fn edge_count(&self) -> usize {
        self.out.neighbours.len()
    }

    /// Distinct unordered neighbour pairs (the undirected simple graph's edges).
    pub fn undirected_edge_count(&self) -> usize {
        self.und.neighbours.len() / 2
    }

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

    pub fn name(&self, node: NodeIndex) -> &str {
        if !self.contains(node) {
            return "";
        }
        self.str_at(2 * node as usize + 1)
    }

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
        (&self.out.neighbours[r.clone()], &self.out.labels[r])
    }

    /// In-edges of `node`: sources sorted ascending, with their labels.
    #[inline]
    pub fn in_edges(&self, node: NodeIndex) -> (&[NodeIndex], &[LabelId]) {
        let r = self.inc.range(node);
        (&self.inc.neighbours[r.clone()], &self.inc.labels[r])
    }

    /// Distinct neighbours of `node` either way, sorted, without `node` itself.
    #[inline]
    pub fn neighbours(&self, node: NodeIndex) -> &[NodeIndex] {
        &self.und.neighbours[self.und.range(node)]
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
        fn b<T: bytemuck::Pod>(s: &Slab<T>) -> usize {
            s.len() * size_of::<T>()
        }
        b(&self.node_type)
            + b(&self.out.offsets)
            + b(&self.out.neighbours)
            + b(&self.out.labels)
            + b(&self.inc.offsets)
            + b(&self.inc.neighbours)
            + b(&self.inc.labels)
            + b(&self.und.offsets)
            + b(&self.und.neighbours)
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
        for &l in self.out.labels.iter() {
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

fn prefix_sum(v: &mut [u64]) {
    for i in 1..v.len() {
        v[i] += v[i - 1];
    }
}

// ---------------------------------------------------------------------------------------------
// The persisted view file.

const MAGIC: &[u8; 8] = b"KGVIEW\0\0";
/// Format version of `graph.view`; a file of another version is rebuilt, never misread.
pub const VIEW_FORMAT_VERSION: u32 = 1;
/// Written native-endian: a file from a machine of the other byte order reads as a mismatch.
const ENDIAN_MARK: u32 = 0x0102_0304;
const SECTIONS: usize = 13;
const HEADER_LEN: usize = 40;

/// Outcome of trying to load a persisted view.
#[derive(Debug)]
pub enum LoadedView {
    Loaded(Box<GraphView>),
    /// The file is absent, from another generation or another format: rebuild it.
    Stale(String),
}

impl GraphView {
    /// Writes the view to `path` atomically (temporary file, fsync, rename).
    pub fn write_file(&self, path: &Path, generation: u64) -> Result<()> {
        let vocab = self.vocab.encode();
        let sections: [&[u8]; SECTIONS] = [
            &vocab,
            bytemuck::cast_slice(&self.node_type),
            bytemuck::cast_slice(&self.node_source),
            bytemuck::cast_slice(&self.str_offsets),
            &self.str_arena,
            bytemuck::cast_slice(&self.out.offsets),
            bytemuck::cast_slice(&self.out.neighbours),
            bytemuck::cast_slice(&self.out.labels),
            bytemuck::cast_slice(&self.inc.offsets),
            bytemuck::cast_slice(&self.inc.neighbours),
            bytemuck::cast_slice(&self.inc.labels),
            bytemuck::cast_slice(&self.und.offsets),
            bytemuck::cast_slice(&self.und.neighbours),
        ];
        let table_len = SECTIONS * 16;
        let mut pos = align8(HEADER_LEN + table_len);
        let mut table = Vec::with_capacity(table_len);
        for s in &sections {
            table.extend_from_slice(&(pos as u64).to_le_bytes());
            table.extend_from_slice(&(s.len() as u64).to_le_bytes());
            pos = align8(pos + s.len());
        }
        let mut body = Vec::with_capacity(pos);
        body.extend_from_slice(&table);
        for s in &sections {
            body.resize(align8(HEADER_LEN + body.len()) - HEADER_LEN, 0);
            body.extend_from_slice(s);
        }
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&VIEW_FORMAT_VERSION.to_le_bytes());
        header.extend_from_slice(&ENDIAN_MARK.to_ne_bytes());
        header.extend_from_slice(&generation.to_le_bytes());
        header.extend_from_slice(&(self.node_count as u64).to_le_bytes());
        header.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        debug_assert_eq!(header.len(), HEADER_LEN);

        let tmp = path.with_extension("view.tmp");
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&header)?;
            f.write_all(&body)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })
    }

    /// Maps the view at `path` if it is whole and of `generation`. A damaged file is reported
    /// as an error naming it; callers may rebuild from the store.
    pub fn load_file(path: &Path, generation: u64) -> Result<LoadedView> {
        if !path.exists() {
            return Ok(LoadedView::Stale("no view file".into()));
        }
        let map = Arc::new(map_file(path)?);
        let what = path.display().to_string();
        let corrupt = |m: &str| Error::corruption(what.clone(), m.to_owned());
        if map.len() < HEADER_LEN || &map[0..8] != MAGIC {
            return Err(corrupt("not a kgcore view file (bad magic or too short)"));
        }
        let u32_at = |o: usize| u32::from_le_bytes(map[o..o + 4].try_into().expect("in header"));
        let u64_at = |o: usize| u64::from_le_bytes(map[o..o + 8].try_into().expect("in header"));
        let version = u32_at(8);
        if version != VIEW_FORMAT_VERSION || u32::from_ne_bytes(map[12..16].try_into().expect("in header")) != ENDIAN_MARK {
            return Ok(LoadedView::Stale(format!("view format {version}, expected {VIEW_FORMAT_VERSION}")));
        }
        let file_generation = u64_at(16);
        if file_generation != generation {
            return Ok(LoadedView::Stale(format!("view of generation {file_generation}, database at {generation}")));
        }
        let node_count = u64_at(24) as usize;
        if crc32fast::hash(&map[HEADER_LEN..]) != u32_at(32) {
            return Err(corrupt("checksum mismatch"));
        }
        let mut ranges = [(0usize, 0usize); SECTIONS];
        for (i, r) in ranges.iter_mut().enumerate() {
            let o = HEADER_LEN + 16 * i;
            if o + 16 > map.len() {
                return Err(corrupt("section table truncated"));
            }
            *r = (u64_at(o) as usize, u64_at(o + 8) as usize);
        }
        fn slab<T: bytemuck::Pod>(map: &Arc<memmap2::Mmap>, (start, len): (usize, usize)) -> Option<Slab<T>> {
            if len % size_of::<T>() != 0 {
                return None;
            }
            Slab::mapped(map, start, len / size_of::<T>())
        }
        let parts = (|| {
            Some((
                map.get(ranges[0].0..ranges[0].0.checked_add(ranges[0].1)?)?,
                slab::<TermId>(&map, ranges[1])?,
                slab::<TermId>(&map, ranges[2])?,
                slab::<u64>(&map, ranges[3])?,
                slab::<u8>(&map, ranges[4])?,
                [slab::<u64>(&map, ranges[5])?, slab::<u64>(&map, ranges[8])?, slab::<u64>(&map, ranges[11])?],
                [slab::<NodeIndex>(&map, ranges[6])?, slab::<NodeIndex>(&map, ranges[9])?, slab::<NodeIndex>(&map, ranges[12])?],
                [slab::<LabelId>(&map, ranges[7])?, slab::<LabelId>(&map, ranges[10])?],
            ))
        })();
        let Some((vocab, node_type, node_source, str_offsets, str_arena, [oo, io, uo], [on, inn, un], [ol, il])) =
            parts
        else {
            return Err(corrupt("a section lies outside the file or is misaligned"));
        };
        let vocab = Vocab::decode(vocab, &what)?;
        let view = GraphView {
            vocab: Arc::new(vocab),
            node_type,
            node_source,
            str_offsets,
            str_arena,
            out: Csr { offsets: oo, neighbours: on, labels: ol },
            inc: Csr { offsets: io, neighbours: inn, labels: il },
            und: Csr { offsets: uo, neighbours: un, labels: Slab::default() },
            node_count,
        };
        view.validate().map_err(|m| corrupt(&m))?;
        Ok(LoadedView::Loaded(Box::new(view)))
    }

    /// Structural checks that make every later slice access in bounds. O(slots), not O(edges):
    /// the checksum already vouches for the bytes; this guards against a writer bug.
    fn validate(&self) -> std::result::Result<(), String> {
        let slots = self.node_type.len();
        if self.node_source.len() != slots || self.str_offsets.len() != 2 * slots + 1 {
            return Err("per-node arrays disagree in length".into());
        }
        let monotone = |o: &[u64], end: usize| {
            o.len() == slots + 1 && o.first() == Some(&0) && o.windows(2).all(|w| w[0] <= w[1]) && o[slots] as usize == end
        };
        if !monotone(&self.out.offsets, self.out.neighbours.len())
            || !monotone(&self.inc.offsets, self.inc.neighbours.len())
            || !monotone(&self.und.offsets, self.und.neighbours.len())
            || self.out.labels.len() != self.out.neighbours.len()
            || self.inc.labels.len() != self.inc.neighbours.len()
        {
            return Err("adjacency offsets are inconsistent".into());
        }
        let s = &self.str_offsets;
        if s[0] != 0 || !s.windows(2).all(|w| w[0] <= w[1]) || s[2 * slots] as usize != self.str_arena.len() {
            return Err("string offsets are inconsistent".into());
        }
        if std::str::from_utf8(&self.str_arena).is_err() {
            return Err("node strings are not UTF-8".into());
        }
        let types = self.vocab.node_types.len();
        if self.node_type.iter().any(|&t| t != NO_NODE && t as usize >= types) {
            return Err("node type id out of range".into());
        }
        let count = self.node_type.iter().filter(|&&t| t != NO_NODE).count();
        if count != self.node_count {
            return Err("node count disagrees with the header".into());
        }
        let labels = self.vocab.labels.len();
        if self.out.labels.iter().any(|&l| l as usize >= labels) {
            return Err("edge label out of range".into());
        }
        if self.out.neighbours.iter().chain(self.inc.neighbours.iter()).chain(self.und.neighbours.iter()).any(|&n| n as usize >= slots)
        {
            return Err("edge endpoint out of range".into());
        }
        Ok(())
    }
}

fn align8(n: usize) -> usize {
    (n + 7) & !7
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
        v.write_file(&path, 7).unwrap();
        let LoadedView::Loaded(w) = GraphView::load_file(&path, 7).unwrap() else { panic!("not loaded") };
        let w = *w;
        assert_eq!(w.edges().collect::<Vec<_>>(), v.edges().collect::<Vec<_>>());
        assert_eq!(w.neighbours(2), v.neighbours(2));
        assert_eq!(w.node(5).unwrap().id, "ID5");
        assert!(matches!(GraphView::load_file(&path, 8).unwrap(), LoadedView::Stale(_)));

        let mut bytes = std::fs::read(&path).unwrap();
        let n = bytes.len();
        bytes[n - 3] ^= 0x40;
        std::fs::write(&path, &bytes).unwrap();
        let err = GraphView::load_file(&path, 7).unwrap_err().to_string();
        assert!(err.contains("checksum") && err.contains("graph.view"), "{err}");
        std::fs::write(&path, &bytes[..20]).unwrap();
        assert!(GraphView::load_file(&path, 7).is_err());
    }
}
