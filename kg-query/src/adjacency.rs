//! The graphs the engine searches: a [`GraphView`] under constraints, and the MedReason view.

use std::collections::HashMap;

use kg_core::csr::Csr;
use kg_core::{GraphView, NodeIndex};

use crate::engine::Adjacency;
use crate::filter::ResolvedConstraints;

/// A view searched under resolved constraints.
#[derive(Debug, Clone, Copy)]
pub struct ViewAdjacency<'g> {
    /// The view searched.
    pub view: &'g GraphView,
    /// What the search may go through.
    pub constraints: &'g ResolvedConstraints,
}

impl Adjacency for ViewAdjacency<'_> {
    fn slots(&self) -> usize {
        self.view.slots()
    }

    #[inline]
    fn degree(&self, node: NodeIndex) -> usize {
        self.view.degree(node)
    }

    fn sorted_neighbours(&self, node: NodeIndex) -> Option<&[NodeIndex]> {
        self.constraints.is_plain_undirected().then(|| self.view.neighbours(node))
    }

    fn neighbour_bits(&self, node: NodeIndex) -> Option<&[u64]> {
        if !self.constraints.is_plain_undirected() {
            return None;
        }
        self.view.hubs().of(node)
    }

    #[inline]
    fn each(&self, node: NodeIndex, forward: bool, mut f: impl FnMut(NodeIndex) -> bool) -> bool {
        let c = self.constraints;
        if c.is_plain_undirected() {
            return self.view.neighbours(node).iter().all(|&v| f(v));
        }
        let mut last = None;
        let mut emit = |v: NodeIndex, f: &mut dyn FnMut(NodeIndex) -> bool| -> bool {
            if v == node || last == Some(v) {
                return true;
            }
            last = Some(v);
            f(v)
        };
        if c.directed {
            let (ns, ls) = if forward { self.view.out_edges(node) } else { self.view.in_edges(node) };
            for (&v, &l) in ns.iter().zip(ls) {
                if c.label_ok(l) && !emit(v, &mut f) {
                    return false;
                }
            }
            return true;
        }
        // Undirected with a relation filter: merge both sorted lists, keeping allowed edges.
        let (on, ol) = self.view.out_edges(node);
        let (inn, il) = self.view.in_edges(node);
        let (mut i, mut j) = (0, 0);
        while i < on.len() || j < inn.len() {
            let (v, l) = if j >= inn.len() || (i < on.len() && on[i] <= inn[j]) {
                i += 1;
                (on[i - 1], ol[i - 1])
            } else {
                j += 1;
                (inn[j - 1], il[j - 1])
            };
            if c.label_ok(l) && !emit(v, &mut f) {
                return false;
            }
        }
        true
    }
}

/// The graph exactly as MedReason builds it with networkx: a node per lowercased name (nodes of
/// any type with the same name merge), undirected, simple.
#[derive(Debug, Clone)]
pub struct NameGraph {
    names: Vec<String>,
    by_name: HashMap<String, u32>,
    /// Names whose normalised form ([`kg_core::text::normalize`]) is not their key (stray or
    /// doubled spaces, full-width letters), by that form: what the name index reports for them.
    by_normalized: HashMap<String, Vec<u32>>,
    adjacency: Csr,
}

/// MedReason's key for a node name.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

impl NameGraph {
    /// Builds the name graph of `view`: one pass over its nodes and undirected edges.
    pub fn build(view: &GraphView) -> Self {
        let mut by_name: HashMap<String, u32> = HashMap::new();
        let mut names = Vec::new();
        let mut id_of = vec![u32::MAX; view.slots()];
        for n in view.nodes() {
            let key = name_key(view.name(n));
            let id = *by_name.entry(key.clone()).or_insert_with(|| {
                names.push(key);
                names.len() as u32 - 1
            });
            id_of[n as usize] = id;
        }
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(2 * view.undirected_edge_count());
        for u in view.nodes() {
            let a = id_of[u as usize];
            for &v in view.neighbours(u) {
                let b = id_of[v as usize];
                if a != b {
                    pairs.push((a, b));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let adjacency = Csr::from_grouped(names.len(), pairs.iter().map(|&(a, _)| a), pairs.iter().map(|&(_, b)| b).collect());
        let mut by_normalized: HashMap<String, Vec<u32>> = HashMap::new();
        for (id, key) in names.iter().enumerate() {
            let normal = kg_core::text::normalize(key);
            if normal != *key {
                by_normalized.entry(normal).or_default().push(id as u32);
            }
        }
        NameGraph { names, by_name, by_normalized, adjacency }
    }

    /// The node of a name: matched as MedReason does (lowercased), else by its normalised form
    /// (so a name as the name index reports it finds its node), when that names one node.
    pub fn id(&self, name: &str) -> Option<u32> {
        if let Some(&id) = self.by_name.get(&name_key(name)) {
            return Some(id);
        }
        let normal = kg_core::text::normalize(name);
        if let Some(&id) = self.by_name.get(&normal) {
            return Some(id);
        }
        match self.by_normalized.get(&normal).map(Vec::as_slice) {
            Some(&[id]) => Some(id),
            _ => None,
        }
    }

    /// The (lowercased) name of node `id`.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// Distinct names.
    pub fn node_count(&self) -> usize {
        self.names.len()
    }

    /// Undirected edges between distinct names.
    pub fn edge_count(&self) -> usize {
        self.adjacency.len() / 2
    }

    /// The names adjacent to `id`.
    pub fn neighbours(&self, id: u32) -> &[u32] {
        self.adjacency.row(id)
    }
}

impl Adjacency for NameGraph {
    fn slots(&self) -> usize {
        self.names.len()
    }

    fn degree(&self, node: NodeIndex) -> usize {
        self.neighbours(node).len()
    }

    fn each(&self, node: NodeIndex, _forward: bool, mut f: impl FnMut(NodeIndex) -> bool) -> bool {
        self.neighbours(node).iter().all(|&v| f(v))
    }

    fn sorted_neighbours(&self, node: NodeIndex) -> Option<&[NodeIndex]> {
        Some(self.neighbours(node))
    }
}
