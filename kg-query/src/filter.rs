//! Constraints on a traversal, resolved once per query against the view into per-slot and
//! per-label masks.

use kg_core::{GraphView, LabelId, NodeIndex};
use serde::{Deserialize, Serialize};

use crate::error::{QueryError, Result};

/// What a path may go through. Filters apply to the nodes between the endpoints, never to the
/// endpoints themselves, and are checked as the search expands (not on finished paths).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraints {
    /// Follow stored edge direction only (default: either way).
    pub directed: bool,
    /// Only these node types in between (`None`: any).
    pub node_types: Option<Vec<String>>,
    /// Node types refused between the endpoints.
    pub exclude_node_types: Vec<String>,
    /// Only edges of these relations or display relations (`None`: any).
    pub relations: Option<Vec<String>>,
    /// Relations whose edges are never crossed.
    pub exclude_relations: Vec<String>,
    /// Nodes never entered (between the endpoints).
    pub exclude_nodes: Vec<NodeIndex>,
    /// Longest path, in hops.
    pub max_hops: Option<u32>,
    /// Skip nodes with more distinct neighbours than this (hub avoidance).
    pub max_degree: Option<usize>,
}

pub use kg_core::marks::{has_bit, set_bit};

/// A dense bitset over node slots.
#[derive(Debug, Clone)]
pub struct BitSet(Vec<u64>);

impl BitSet {
    /// An empty set over `0..len`.
    pub fn new(len: usize) -> Self {
        BitSet(vec![0; len.div_ceil(64)])
    }

    /// Adds `i`.
    #[inline]
    pub fn insert(&mut self, i: NodeIndex) {
        set_bit(&mut self.0, i);
    }

    /// True if `i` was added (false past the end).
    #[inline]
    pub fn contains(&self, i: NodeIndex) -> bool {
        has_bit(&self.0, i)
    }
}

/// Per label of `view`: is it an edge of one of `names` (relations or display relations)? An
/// unknown name is an error naming it.
pub fn label_mask(view: &GraphView, names: &[String]) -> Result<Vec<bool>> {
    let vocab = view.vocab();
    let mut mask = vec![false; vocab.labels.len()];
    for n in names {
        let ls = vocab.labels_named(n);
        if ls.is_empty() {
            return Err(QueryError::UnknownTerm { kind: "relation", name: n.clone() });
        }
        for l in ls {
            mask[l as usize] = true;
        }
    }
    Ok(mask)
}

/// Constraints resolved against one view.
#[derive(Debug, Clone)]
pub struct ResolvedConstraints {
    /// Follow stored edge direction only.
    pub directed: bool,
    /// Per label: may the search cross an edge with it? `None`: every label.
    pub labels: Option<Vec<bool>>,
    /// Slots the search must not enter (between the endpoints). `None`: none.
    pub blocked: Option<BitSet>,
    /// The most edges a path may have (`u32::MAX`: no limit).
    pub max_hops: u32,
}

impl ResolvedConstraints {
    /// No constraints: the fast undirected path.
    pub fn open() -> Self {
        ResolvedConstraints { directed: false, labels: None, blocked: None, max_hops: u32::MAX }
    }

    /// Resolves `c` against `view`: names become ids, an unknown name is an error.
    pub fn new(view: &GraphView, c: &Constraints) -> Result<Self> {
        let vocab = view.vocab();
        let type_ids = |names: &[String]| -> Result<Vec<bool>> {
            let mut mask = vec![false; vocab.node_types.len()];
            for n in names {
                let id = vocab.node_types.get(n).ok_or_else(|| QueryError::UnknownTerm { kind: "node type", name: n.clone() })?;
                mask[id as usize] = true;
            }
            Ok(mask)
        };
        let label_ids = |names: &[String]| label_mask(view, names);
        let labels = match (&c.relations, c.exclude_relations.is_empty()) {
            (None, true) => None,
            (allowed, _) => {
                let mut mask = match allowed {
                    Some(a) => label_ids(a)?,
                    None => vec![true; vocab.labels.len()],
                };
                let ex = label_ids(&c.exclude_relations)?;
                for (m, e) in mask.iter_mut().zip(ex) {
                    *m &= !e;
                }
                Some(mask)
            }
        };
        let needs_block =
            c.node_types.is_some() || !c.exclude_node_types.is_empty() || !c.exclude_nodes.is_empty() || c.max_degree.is_some();
        let blocked = if needs_block {
            let allowed = match &c.node_types {
                Some(t) => type_ids(t)?,
                None => vec![true; vocab.node_types.len()],
            };
            let excluded = type_ids(&c.exclude_node_types)?;
            let mut b = BitSet::new(view.slots());
            for n in view.nodes() {
                let t = view.type_id(n) as usize;
                let over = c.max_degree.is_some_and(|d| view.degree(n) > d);
                if !allowed[t] || excluded[t] || over {
                    b.insert(n);
                }
            }
            for &n in &c.exclude_nodes {
                if !view.contains(n) {
                    return Err(QueryError::UnknownNode(n));
                }
                b.insert(n);
            }
            Some(b)
        } else {
            None
        };
        Ok(ResolvedConstraints { directed: c.directed, labels, blocked, max_hops: c.max_hops.unwrap_or(u32::MAX) })
    }

    /// True if an edge with label `l` may be crossed.
    #[inline]
    pub fn label_ok(&self, l: LabelId) -> bool {
        self.labels.as_ref().is_none_or(|m| m[l as usize])
    }

    /// True when plain undirected neighbour lists answer the query.
    pub fn is_plain_undirected(&self) -> bool {
        !self.directed && self.labels.is_none()
    }
}
