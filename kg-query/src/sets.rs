//! Set queries: a node's neighbours filtered by direction, relation and node type; the sizes of
//! intersections, unions and differences of two such sets, for one pair or many; common
//! neighbours; the nodes within k hops.
//!
//! Neighbour lists are the view's sorted slices. A [`SetIndex`] adds dense bitsets over node
//! slots: one per node type, and one per hub (the nodes of highest degree) for its undirected
//! neighbours, so that two hubs' sets intersect word by word instead of element by element.

use kg_core::view::HubBits;
use kg_core::{GraphView, NodeIndex};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{QueryError, Result};
use crate::filter::{has_bit, label_mask, set_bit};
use crate::paths::MAX_PAIRS;
use crate::sorted::each_common;

/// Which edges of a node count: leaving it, entering it, or either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Edges from the node.
    Out,
    /// Edges into the node.
    In,
    /// Either way (the undirected neighbours).
    #[default]
    Both,
}

impl std::str::FromStr for Direction {
    type Err = QueryError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "out" => Ok(Direction::Out),
            "in" => Ok(Direction::In),
            "both" => Ok(Direction::Both),
            _ => Err(QueryError::InvalidArgument(format!("direction {s:?} is not one of out, in, both"))),
        }
    }
}

/// Which neighbours of a node make its set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NeighbourFilter {
    /// Edges leaving the node, entering it, or either (the default).
    pub direction: Direction,
    /// Only edges of these relations or display relations (`None`: any).
    pub relations: Option<Vec<String>>,
    /// Only neighbours of these node types (`None`: any).
    pub node_types: Option<Vec<String>>,
}

/// What to compute from two neighbour sets A and B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SetOp {
    /// A ∩ B.
    Intersection,
    /// A ∪ B.
    Union,
    /// A − B.
    Difference,
}

impl std::str::FromStr for SetOp {
    type Err = QueryError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "intersection" => Ok(SetOp::Intersection),
            "union" => Ok(SetOp::Union),
            "difference" => Ok(SetOp::Difference),
            _ => Err(QueryError::InvalidArgument(format!("set operation {s:?} is not one of intersection, union, difference"))),
        }
    }
}

/// Dense bitsets over a view's node slots: per node type, and per hub for its undirected
/// neighbours (the view's own [`HubBits`], unless built with another threshold). Built once per
/// view generation (a few milliseconds at PrimeKG's size).
#[derive(Debug)]
pub struct SetIndex {
    words: usize,
    /// Per node type, its nodes.
    types: Vec<Vec<u64>>,
    /// Hubs of another threshold than the view's.
    hubs: Option<HubBits>,
}

impl SetIndex {
    /// The index of `view`, with the view's hubs ([`GraphView::hubs`]).
    pub fn new(view: &GraphView) -> Self {
        view.hubs();
        SetIndex { hubs: None, ..Self::types_of(view) }
    }

    /// The index of `view` with every node of degree ≥ `min_degree` a hub (as many as fit).
    pub fn with_min_hub_degree(view: &GraphView, min_degree: usize) -> Self {
        SetIndex { hubs: Some(HubBits::new(view, min_degree)), ..Self::types_of(view) }
    }

    fn types_of(view: &GraphView) -> Self {
        let words = view.slots().div_ceil(64);
        let mut types = vec![vec![0u64; words]; view.vocab().node_types.len()];
        for n in view.nodes() {
            set_bit(&mut types[view.type_id(n) as usize], n);
        }
        SetIndex { words, types, hubs: None }
    }

    /// The hub bitsets this index answers with.
    pub fn hubs<'a>(&'a self, view: &'a GraphView) -> &'a HubBits {
        self.hubs.as_ref().unwrap_or_else(|| view.hubs())
    }
}

/// A [`NeighbourFilter`] resolved against one view.
#[derive(Debug, Clone)]
pub struct ResolvedFilter {
    direction: Direction,
    /// Per label: allowed? `None`: every label.
    labels: Option<Vec<bool>>,
    /// The allowed node types' nodes as one bitset; `None`: every type.
    types: Option<Vec<u64>>,
}

impl ResolvedFilter {
    /// Resolves `f`: names become ids; an unknown relation or node type is an error naming it.
    pub fn new(view: &GraphView, index: &SetIndex, f: &NeighbourFilter) -> Result<Self> {
        let vocab = view.vocab();
        let labels = f.relations.as_deref().map(|names| label_mask(view, names)).transpose()?;
        let types = match &f.node_types {
            None => None,
            Some(names) => {
                let mut bits = vec![0u64; index.words];
                for name in names {
                    let t = vocab.node_types.get(name).ok_or_else(|| QueryError::UnknownTerm { kind: "node type", name: name.clone() })?;
                    for (b, w) in bits.iter_mut().zip(&index.types[t as usize]) {
                        *b |= w;
                    }
                }
                Some(bits)
            }
        };
        Ok(ResolvedFilter { direction: f.direction, labels, types })
    }

    /// True when the set is a node's undirected neighbours, possibly narrowed by type: the
    /// sorted slice of the view, and the hub bitsets, serve it as they are.
    fn undirected_by_type(&self) -> bool {
        self.direction == Direction::Both && self.labels.is_none()
    }

    /// True if `n` is of a node type the filter keeps (every node without a type filter).
    #[inline]
    pub fn keeps_type(&self, n: NodeIndex) -> bool {
        self.types.as_ref().is_none_or(|t| has_bit(t, n))
    }
}

/// Set queries over one view.
#[derive(Debug, Clone, Copy)]
pub struct SetQueries<'g> {
    view: &'g GraphView,
    index: &'g SetIndex,
}

/// The neighbour set of a node: a borrowed slice of the view, or one built for a filter.
enum Members<'a> {
    Slice(&'a [NodeIndex]),
    Owned(Vec<NodeIndex>),
}

impl std::ops::Deref for Members<'_> {
    type Target = [NodeIndex];
    fn deref(&self) -> &[NodeIndex] {
        match self {
            Members::Slice(s) => s,
            Members::Owned(v) => v,
        }
    }
}

impl<'g> SetQueries<'g> {
    /// Set queries over `view`, with its `index` (built by [`SetIndex::new`] from the same view).
    pub fn new(view: &'g GraphView, index: &'g SetIndex) -> Self {
        SetQueries { view, index }
    }

    /// `f` resolved against this view.
    pub fn resolve(&self, f: &NeighbourFilter) -> Result<ResolvedFilter> {
        ResolvedFilter::new(self.view, self.index, f)
    }

    fn check(&self, n: NodeIndex) -> Result<()> {
        if self.view.contains(n) { Ok(()) } else { Err(QueryError::UnknownNode(n)) }
    }

    /// The neighbours of `n` that `f` keeps, sorted, without `n` itself.
    fn members(&self, n: NodeIndex, f: &ResolvedFilter) -> Members<'g> {
        let view = self.view;
        if f.undirected_by_type() {
            let all = view.neighbours(n);
            return if f.types.is_none() { Members::Slice(all) } else { Members::Owned(all.iter().copied().filter(|&v| f.keeps_type(v)).collect()) };
        }
        let mut out = Vec::new();
        let mut take = |(ns, ls): (&[NodeIndex], &[kg_core::LabelId])| {
            for (&v, &l) in ns.iter().zip(ls) {
                if v != n && f.labels.as_ref().is_none_or(|m| m[l as usize]) && f.keeps_type(v) {
                    out.push(v);
                }
            }
        };
        if f.direction != Direction::In {
            take(view.out_edges(n));
        }
        if f.direction != Direction::Out {
            take(view.in_edges(n));
        }
        out.sort_unstable();
        out.dedup();
        Members::Owned(out)
    }

    /// The neighbours of `n` that `f` keeps, sorted (never `n` itself).
    pub fn neighbours(&self, n: NodeIndex, f: &ResolvedFilter) -> Result<Vec<NodeIndex>> {
        self.check(n)?;
        Ok(self.members(n, f).to_vec())
    }

    /// |A ∩ B|, |A| and |B| for the sets of `a` and `b`; |A| and |B| only when `op` needs them.
    fn counts(&self, a: NodeIndex, b: NodeIndex, op: SetOp, f: &ResolvedFilter) -> (u64, u64, u64) {
        if f.undirected_by_type() {
            let need_sizes = op != SetOp::Intersection;
            let hub_size = |n: NodeIndex, bits: &[u64]| match (&f.types, need_sizes) {
                (_, false) => 0,
                (None, true) => self.view.degree(n) as u64,
                (Some(t), true) => bits.iter().zip(t).map(|(x, m)| (x & m).count_ones() as u64).sum(),
            };
            let probe = |bits: &[u64], members: &[NodeIndex]| members.iter().filter(|&&v| has_bit(bits, v)).count() as u64;
            let hubs = self.index.hubs(self.view);
            match (hubs.of(a), hubs.of(b)) {
                (Some(ha), Some(hb)) => {
                    let both = match &f.types {
                        None => ha.iter().zip(hb).map(|(x, y)| (x & y).count_ones() as u64).sum(),
                        Some(t) => ha.iter().zip(hb).zip(t).map(|((x, y), m)| (x & y & m).count_ones() as u64).sum(),
                    };
                    return (both, hub_size(a, ha), hub_size(b, hb));
                }
                // One hub: probe its bitset with the other's members.
                (Some(ha), None) => {
                    let mb = self.members(b, f);
                    return (probe(ha, &mb), hub_size(a, ha), mb.len() as u64);
                }
                (None, Some(hb)) => {
                    let ma = self.members(a, f);
                    return (probe(hb, &ma), ma.len() as u64, hub_size(b, hb));
                }
                (None, None) => {}
            }
        }
        let (ma, mb) = (self.members(a, f), self.members(b, f));
        let both = if ma.len() <= mb.len() { intersection_count(&ma, &mb) } else { intersection_count(&mb, &ma) };
        (both, ma.len() as u64, mb.len() as u64)
    }

    /// The size of `op` applied to the sets of `a` and `b`.
    pub fn size(&self, a: NodeIndex, b: NodeIndex, op: SetOp, f: &ResolvedFilter) -> Result<u64> {
        self.check(a)?;
        self.check(b)?;
        Ok(combine(self.counts(a, b, op, f), op))
    }

    /// [`SetQueries::size`] for every pair, on all cores. At most [`crate::MAX_PAIRS`] pairs;
    /// every node is checked before any work.
    pub fn sizes(&self, pairs: &[(NodeIndex, NodeIndex)], op: SetOp, f: &ResolvedFilter) -> Result<Vec<u64>> {
        if pairs.len() > MAX_PAIRS {
            return Err(QueryError::InvalidArgument(format!("{} pairs: at most {MAX_PAIRS} pairs per call; split them", pairs.len())));
        }
        for &(a, b) in pairs {
            self.check(a)?;
            self.check(b)?;
        }
        Ok(pairs.par_iter().with_min_len(256).map(|&(a, b)| combine(self.counts(a, b, op, f), op)).collect())
    }

    /// The members of `op` applied to the sets of `a` and `b`, sorted.
    pub fn combined(&self, a: NodeIndex, b: NodeIndex, op: SetOp, f: &ResolvedFilter) -> Result<Vec<NodeIndex>> {
        self.check(a)?;
        self.check(b)?;
        let (ma, mb) = (self.members(a, f), self.members(b, f));
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < ma.len() || j < mb.len() {
            let (x, y) = (ma.get(i).copied(), mb.get(j).copied());
            let (v, in_a, in_b) = match (x, y) {
                (Some(x), Some(y)) if x == y => (x, true, true),
                (Some(x), Some(y)) if x < y => (x, true, false),
                (Some(x), None) => (x, true, false),
                (_, Some(y)) => (y, false, true),
                (None, None) => unreachable!("the loop condition"),
            };
            i += in_a as usize;
            j += in_b as usize;
            let keep = match op {
                SetOp::Intersection => in_a && in_b,
                SetOp::Union => true,
                SetOp::Difference => in_a && !in_b,
            };
            if keep {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// The nodes within `k` hops of `source` on the undirected graph, `source` included (as
    /// networkx's `single_source_shortest_path_length(cutoff=k)` and igraph's
    /// `neighborhood(order=k)` count it).
    pub fn within_hops(&self, source: NodeIndex, k: u32) -> Result<Hops> {
        self.check(source)?;
        Ok(within_hops(self.view, self.index.hubs(self.view), source, k, HopSearch::DirectionOptimising))
    }

    /// How many of `hops` are of the node types `f` keeps (all of them without a type filter).
    pub fn count(&self, hops: &Hops, f: &ResolvedFilter) -> u64 {
        match &f.types {
            None => hops.count(),
            Some(t) => hops.reached.iter().zip(t).map(|(x, m)| (x & m).count_ones() as u64).sum(),
        }
    }
}

fn combine((both, a, b): (u64, u64, u64), op: SetOp) -> u64 {
    match op {
        SetOp::Intersection => both,
        SetOp::Union => a + b - both,
        SetOp::Difference => a - both,
    }
}

/// |small ∩ large| of two sorted lists: a linear merge when they are of similar length,
/// otherwise a galloping one ([`each_common`]).
fn intersection_count(small: &[NodeIndex], large: &[NodeIndex]) -> u64 {
    if small.is_empty() {
        return 0;
    }
    if large.len() / small.len() < 16 {
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < small.len() && j < large.len() {
            match small[i].cmp(&large[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        return n;
    }
    let mut n = 0;
    each_common(small, large, |_| {
        n += 1;
        true
    });
    n
}

/// The nodes within some hops of a source: a dense bitset over slots.
#[derive(Debug, Clone)]
pub struct Hops {
    reached: Vec<u64>,
    /// How many nodes were first reached at each distance, from 0 (the source) up.
    pub per_distance: Vec<u64>,
}

impl Hops {
    /// How many nodes (the source included).
    pub fn count(&self) -> u64 {
        self.per_distance.iter().sum()
    }

    /// True if `n` is within the hops.
    pub fn contains(&self, n: NodeIndex) -> bool {
        has_bit(&self.reached, n)
    }

    /// The nodes, in index order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.reached.iter().enumerate().flat_map(|(w, &bits)| {
            let base = w as u32 * 64;
            BitIter(bits).map(move |b| base + b)
        })
    }
}

struct BitIter(u64);

impl Iterator for BitIter {
    type Item = u32;
    #[inline]
    fn next(&mut self) -> Option<u32> {
        if self.0 == 0 {
            return None;
        }
        let b = self.0.trailing_zeros();
        self.0 &= self.0 - 1;
        Some(b)
    }
}

/// How a k-hop search expands a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HopSearch {
    /// Always from the frontier outwards.
    TopDown,
    /// From the frontier while it is small; from the unreached nodes inwards (each looks for a
    /// neighbour in the frontier and stops at the first, on all cores) once the frontier's
    /// edges outnumber a fourteenth of the unreached nodes' edges, and while the frontier then
    /// holds more than a 24th of the nodes (Beamer's direction-optimising BFS). In a step
    /// inwards the frontier's hubs reach their neighbours a word at a time (their bitsets),
    /// and only the unreached nodes none of them reaches look through their own lists.
    DirectionOptimising,
}

/// The nodes within `k` hops of `source` on the undirected graph of `view`; `hubs`, the
/// neighbour bitsets of its hubs (the view's own: [`GraphView::hubs`]).
pub fn within_hops(view: &GraphView, hubs: &HubBits, source: NodeIndex, k: u32, strategy: HopSearch) -> Hops {
    /// A level's nodes: a list after a top-down step, a bitset (and its count) after a bottom-up one.
    enum Frontier {
        List(Vec<NodeIndex>),
        Bits(Vec<u64>, u64),
    }
    let words = view.slots().div_ceil(64);
    let mut reached = vec![0u64; words];
    set_bit(&mut reached, source);
    let mut per_distance = vec![1u64];
    let mut frontier = Frontier::List(vec![source]);
    // Edges (degree sum) of the nodes not yet reached, while the search runs top-down: the work
    // a bottom-up step would do.
    let mut unreached_edges: u64 = (2 * view.undirected_edge_count() as u64).saturating_sub(view.degree(source) as u64);
    for _ in 0..k {
        let bottom_up = strategy == HopSearch::DirectionOptimising
            && match &frontier {
                Frontier::List(list) => list.iter().map(|&u| view.degree(u) as u64).sum::<u64>() > unreached_edges / 14,
                // Once bottom-up, stay there while the frontier holds a 24th of the nodes.
                Frontier::Bits(_, count) => *count as usize > view.node_count() / 24,
            };
        frontier = if bottom_up {
            let bits = match frontier {
                Frontier::Bits(bits, _) => bits,
                Frontier::List(list) => {
                    let mut bits = vec![0u64; words];
                    for u in list {
                        set_bit(&mut bits, u);
                    }
                    bits
                }
            };
            // Each unreached node looks for a neighbour in the frontier, word by word in parallel,
            // unless a hub of the frontier has it as a neighbour: on a graph with hubs most
            // nodes do, and reading their lists is most of a step's memory traffic. A hub's
            // bitset is read whole (a word per 64 slots) where a node's list costs about a cache
            // miss, so the bitsets are used while the unreached nodes are many.
            let unreached = (view.node_count() as u64).saturating_sub(per_distance.iter().sum());
            let frontier_hubs: Vec<&[u64]> = if (hubs.count() * words) as u64 <= 16 * unreached {
                hubs.nodes().iter().filter(|&&h| has_bit(&bits, h)).filter_map(|&h| hubs.of(h)).collect()
            } else {
                Vec::new()
            };
            let found: Vec<u64> = reached
                .par_iter()
                .enumerate()
                .with_min_len(64)
                .map(|(w, &done)| {
                    let by_hubs = frontier_hubs.iter().fold(0u64, |acc, row| acc | row.get(w).copied().unwrap_or(0));
                    let (mut open, mut hit) = (!done & !by_hubs, by_hubs & !done);
                    while open != 0 {
                        let b = open.trailing_zeros();
                        open &= open - 1;
                        let v = (w * 64) as u32 + b;
                        if (v as usize) < view.slots() && view.neighbours(v).iter().any(|&u| has_bit(&bits, u)) {
                            hit |= 1 << b;
                        }
                    }
                    hit
                })
                .collect();
            let mut count = 0;
            for (r, f) in reached.iter_mut().zip(&found) {
                *r |= f;
                count += f.count_ones() as u64;
            }
            Frontier::Bits(found, count)
        } else {
            let list = match frontier {
                Frontier::List(list) => list,
                Frontier::Bits(bits, _) => bits.iter().enumerate().flat_map(|(w, &b)| BitIter(b).map(move |x| (w * 64) as u32 + x)).collect(),
            };
            let mut next = Vec::new();
            for u in list {
                for &v in view.neighbours(u) {
                    if !has_bit(&reached, v) {
                        set_bit(&mut reached, v);
                        next.push(v);
                    }
                }
            }
            unreached_edges = unreached_edges.saturating_sub(next.iter().map(|&v| view.degree(v) as u64).sum());
            Frontier::List(next)
        };
        let count = match &frontier {
            Frontier::List(list) => list.len() as u64,
            Frontier::Bits(_, count) => *count,
        };
        if count == 0 {
            break;
        }
        per_distance.push(count);
    }
    Hops { reached, per_distance }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn galloping_and_merging_count_the_same() {
        let large: Vec<u32> = (0..5000).map(|i| i * 3).collect();
        for small in [vec![], vec![0], vec![3, 4, 14_997], (0..300).map(|i| i * 7).collect::<Vec<_>>()] {
            let want = small.iter().filter(|x| large.binary_search(x).is_ok()).count() as u64;
            assert_eq!(intersection_count(&small, &large), want, "{small:?}");
        }
        assert_eq!(intersection_count(&[1, 2, 3], &[2, 3, 4]), 2);
    }
}
