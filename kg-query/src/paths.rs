//! Path queries over any [`Adjacency`]: one shortest path, all shortest paths, k shortest
//! loopless paths, many-to-many batches, and bounded neighbourhoods.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

use kg_core::{EdgeRec, GraphView, NodeIndex};
use rayon::prelude::*;
use serde::Serialize;

use crate::adjacency::ViewAdjacency;
use crate::engine::{Adjacency, Bans, Limits, NEVER, Outcome, PathDag, Searcher, Stop, collect_until};
use crate::error::{QueryError, Result};
use crate::filter::{BitSet, Constraints, ResolvedConstraints};

thread_local! {
    static SEARCHER: RefCell<Searcher> = RefCell::new(Searcher::new());
}

/// Runs `f` with this thread's reusable searcher.
pub fn with_searcher<R>(f: impl FnOnce(&mut Searcher) -> R) -> R {
    SEARCHER.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        // Re-entered from inside a search callback: use a fresh one.
        Err(_) => f(&mut Searcher::new()),
    })
}

/// All shortest paths between two nodes.
#[derive(Debug, Clone)]
pub struct AllShortest {
    /// `None` when there is no path.
    pub distance: Option<u32>,
    dag: Option<PathDag>,
    same: Option<NodeIndex>,
}

impl AllShortest {
    /// Number of shortest paths (0 without a path; `u128::MAX` means at least that many).
    pub fn count(&self) -> u128 {
        match (&self.dag, self.same) {
            (Some(d), _) => d.count(),
            (None, Some(_)) => 1,
            _ => 0,
        }
    }

    /// The paths, lazily.
    pub fn paths(&self) -> Box<dyn Iterator<Item = Vec<NodeIndex>> + '_> {
        match (&self.dag, self.same) {
            (Some(d), _) => Box::new(d.paths()),
            (None, Some(s)) => Box::new(std::iter::once(vec![s])),
            _ => Box::new(std::iter::empty()),
        }
    }

    /// Up to `n` distinct paths drawn uniformly at random with `seed`; `n` above
    /// [`MAX_LISTED_PATHS`] is an error.
    pub fn sample(&self, n: usize, seed: u64) -> Result<Vec<Vec<NodeIndex>>> {
        self.sample_until(n, seed, NEVER)
    }

    /// [`AllShortest::sample`], asking `stop` every thousand paths.
    pub fn sample_until(&self, n: usize, seed: u64, stop: Stop<'_>) -> Result<Vec<Vec<NodeIndex>>> {
        check_listed(n, "sample")?;
        self.draw(n, seed, stop)
    }

    fn draw(&self, n: usize, seed: u64, stop: Stop<'_>) -> Result<Vec<Vec<NodeIndex>>> {
        match &self.dag {
            Some(d) => d.sample(n, seed, stop),
            None => Ok(self.paths().take(n).collect()),
        }
    }

    /// The first `limit` paths in enumeration order; `limit` above [`MAX_LISTED_PATHS`] is
    /// an error.
    pub fn first(&self, limit: usize) -> Result<Vec<Vec<NodeIndex>>> {
        self.first_until(limit, NEVER)
    }

    /// [`AllShortest::first`], asking `stop` every thousand paths.
    pub fn first_until(&self, limit: usize, stop: Stop<'_>) -> Result<Vec<Vec<NodeIndex>>> {
        check_listed(limit, "limit")?;
        collect_until(self.paths().take(limit), stop)
    }

    /// The DAG of every shortest path; `None` without a path or when the endpoints are one node.
    pub fn dag(&self) -> Option<&PathDag> {
        self.dag.as_ref()
    }
}

/// The k shortest loopless paths, in non-decreasing length.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KShortest {
    /// The paths found, shortest first.
    pub paths: Vec<Vec<NodeIndex>>,
    /// The work bound stopped the search before k paths were proven.
    pub truncated: bool,
}

/// The most paths one answer lists: a `limit`, a `sample`, `k`, `max_paths` per pair. Larger
/// requests are refused rather than left to exhaust memory (a pair can have 10^38 shortest
/// paths); [`AllShortest::count`] tells how many there are without listing them.
pub const MAX_LISTED_PATHS: usize = 1_000_000;

/// The most (source, target) pairs one many-to-many call answers.
pub const MAX_PAIRS: usize = 10_000_000;

/// An error naming `what` if `n` paths are more than one answer lists ([`MAX_LISTED_PATHS`]).
pub fn check_listed(n: usize, what: &str) -> Result<()> {
    if n > MAX_LISTED_PATHS {
        return Err(QueryError::InvalidArgument(format!(
            "{what} = {n}: one answer lists at most {MAX_LISTED_PATHS} paths (count them instead, or ask for fewer)"
        )));
    }
    Ok(())
}

/// An error if `sources` x `targets` pairs are more than one call answers ([`MAX_PAIRS`]).
pub fn check_pairs(sources: usize, targets: usize) -> Result<()> {
    if sources.checked_mul(targets).is_none_or(|n| n > MAX_PAIRS) {
        return Err(QueryError::InvalidArgument(format!("{sources} sources x {targets} targets: at most {MAX_PAIRS} pairs per call; split it")));
    }
    Ok(())
}

/// Default bound on spur searches of one k-shortest-paths query.
pub const DEFAULT_MAX_SPUR_SEARCHES: usize = 5_000;

/// Default bound, in seconds, on the time of one k-shortest-paths query. Later paths are
/// longer and their spur searches reach further, so a bound on searches alone is not one on
/// time: from a hub of hetionet-partial (11,002 neighbours) 5,000 searches take about 0.2 s,
/// from the generated graph's largest hub (34,714) about 0.5 s.
pub const DEFAULT_K_SHORTEST_SECONDS: f64 = 0.25;

/// A [`PathFinder::k_shortest_until`] stop that says yes once `seconds` have passed (never
/// with `None`); an error unless `seconds` is positive and finite.
pub fn deadline(seconds: Option<f64>) -> Result<impl FnMut() -> bool> {
    let end = match seconds {
        None => None,
        Some(s) if s > 0.0 && s.is_finite() && s < 1e9 => Some(std::time::Instant::now() + std::time::Duration::from_secs_f64(s)),
        Some(s) => return Err(QueryError::InvalidArgument(format!("a time budget must be a positive number of seconds, got {s}"))),
    };
    Ok(move || end.is_some_and(|end| std::time::Instant::now() >= end))
}

/// One shortest path from `s` to `t` on `g`, or `None` if unreachable within `limits`.
pub fn shortest_path<A: Adjacency>(g: &A, limits: Limits<'_>, s: NodeIndex, t: NodeIndex) -> Option<Vec<NodeIndex>> {
    with_searcher(|sr| match sr.search(g, s, t, limits, Bans::default(), false) {
        Outcome::Same => Some(vec![s]),
        Outcome::NoPath => None,
        Outcome::Met { meets, .. } => Some(sr.path(meets[0])),
    })
}

/// The distance from `s` to `t` on `g`, or `None` if unreachable within `limits`.
pub fn distance<A: Adjacency>(g: &A, limits: Limits<'_>, s: NodeIndex, t: NodeIndex) -> Option<u32> {
    with_searcher(|sr| match sr.search(g, s, t, limits, Bans::default(), false) {
        Outcome::Same => Some(0),
        Outcome::NoPath => None,
        Outcome::Met { distance, .. } => Some(distance),
    })
}

/// Every shortest path from `s` to `t` on `g`, counted on their DAG (see [`AllShortest`]).
pub fn all_shortest<A: Adjacency>(g: &A, limits: Limits<'_>, s: NodeIndex, t: NodeIndex) -> AllShortest {
    with_searcher(|sr| match sr.search(g, s, t, limits, Bans::default(), true) {
        Outcome::Same => AllShortest { distance: Some(0), dag: None, same: Some(s) },
        Outcome::NoPath => AllShortest { distance: None, dag: None, same: None },
        Outcome::Met { distance, meets } => AllShortest { distance: Some(distance), dag: Some(sr.dag(g, &meets)), same: None },
    })
}

/// Yen's algorithm, seeded with every shortest path (the DAG lists them without spur
/// searches), then deviations. At most `max_searches` spur searches.
pub fn k_shortest<A: Adjacency>(g: &A, limits: Limits<'_>, s: NodeIndex, t: NodeIndex, k: usize, max_searches: usize) -> KShortest {
    k_shortest_until(g, limits, s, t, k, max_searches, &mut || false)
}

/// [`k_shortest`], asking `stop` before each spur search; a `true` ends the search early with
/// the paths proven so far, marked truncated (a caller's interrupt, say).
#[allow(clippy::too_many_arguments)]
pub fn k_shortest_until<A: Adjacency>(
    g: &A,
    limits: Limits<'_>,
    s: NodeIndex,
    t: NodeIndex,
    k: usize,
    max_searches: usize,
    stop: &mut dyn FnMut() -> bool,
) -> KShortest {
    let mut out = KShortest::default();
    if k == 0 {
        return out;
    }
    let all = all_shortest(g, limits, s, t);
    out.paths = all.paths().take(k).collect();
    if out.paths.len() < k && all.distance.is_some_and(|d| d > 0) {
        let mut accepted: HashSet<Vec<NodeIndex>> = out.paths.iter().cloned().collect();
        // For each root (a prefix of an accepted path), the nodes accepted paths take next,
        // sorted: the steps a spur search from that root's end may not take. Kept as paths
        // are accepted, so a spur search does not rescan every accepted path.
        let mut next_after: HashMap<Vec<NodeIndex>, Vec<NodeIndex>> = HashMap::new();
        let record = |next_after: &mut HashMap<Vec<NodeIndex>, Vec<NodeIndex>>, q: &[NodeIndex]| {
            for i in 0..q.len().saturating_sub(1) {
                let next = next_after.entry(q[..=i].to_vec()).or_default();
                if let Err(at) = next.binary_search(&q[i + 1]) {
                    next.insert(at, q[i + 1]);
                }
            }
        };
        for q in &out.paths {
            record(&mut next_after, q);
        }
        let mut candidates: BTreeSet<(usize, Vec<NodeIndex>)> = BTreeSet::new();
        let mut searches = 0usize;
        let mut spurred = 0usize;
        'outer: loop {
            while spurred < out.paths.len() {
                let p = out.paths[spurred].clone();
                spurred += 1;
                for i in 0..p.len() - 1 {
                    let root = &p[..=i];
                    let next = next_after.get(root).map_or(&[][..], Vec::as_slice);
                    if limits.max_hops <= i as u32 {
                        break;
                    }
                    if searches >= max_searches || stop() {
                        out.truncated = true;
                        break 'outer;
                    }
                    searches += 1;
                    let spur_limits = Limits { max_hops: limits.max_hops - i as u32, ..limits };
                    let bans = Bans { nodes: &p[..i], from: p[i], next };
                    let spur = with_searcher(|sr| match sr.search(g, p[i], t, spur_limits, bans, false) {
                        Outcome::Met { meets, .. } => Some(sr.path(meets[0])),
                        _ => None,
                    });
                    if let Some(spur) = spur {
                        let mut total = p[..i].to_vec();
                        total.extend(spur);
                        if !accepted.contains(&total) {
                            candidates.insert((total.len(), total));
                        }
                    }
                }
            }
            if out.paths.len() >= k {
                break;
            }
            match candidates.pop_first() {
                Some((_, p)) => {
                    record(&mut next_after, &p);
                    accepted.insert(p.clone());
                    out.paths.push(p);
                }
                None => break,
            }
        }
    }
    out
}

/// Path queries on a view under one set of constraints.
#[derive(Debug, Clone)]
pub struct PathFinder<'g> {
    view: &'g GraphView,
    resolved: ResolvedConstraints,
}

impl<'g> PathFinder<'g> {
    /// A finder for `view` under `constraints`, resolved once here; unknown types or relations are an error.
    pub fn new(view: &'g GraphView, constraints: &Constraints) -> Result<Self> {
        Ok(PathFinder { view, resolved: ResolvedConstraints::new(view, constraints)? })
    }

    /// Undirected, unconstrained.
    pub fn plain(view: &'g GraphView) -> Self {
        PathFinder { view, resolved: ResolvedConstraints::open() }
    }

    /// The view searched.
    pub fn view(&self) -> &'g GraphView {
        self.view
    }

    /// The constraints as resolved against the view.
    pub fn resolved(&self) -> &ResolvedConstraints {
        &self.resolved
    }

    fn adjacency(&self) -> ViewAdjacency<'_> {
        ViewAdjacency { view: self.view, constraints: &self.resolved }
    }

    fn limits(&self) -> Limits<'_> {
        Limits { blocked: self.resolved.blocked.as_ref(), max_hops: self.resolved.max_hops }
    }

    fn check(&self, n: NodeIndex) -> Result<()> {
        if self.view.contains(n) { Ok(()) } else { Err(QueryError::UnknownNode(n)) }
    }

    /// One shortest path, or `None` if unreachable.
    pub fn shortest_path(&self, s: NodeIndex, t: NodeIndex) -> Result<Option<Vec<NodeIndex>>> {
        self.check(s)?;
        self.check(t)?;
        Ok(shortest_path(&self.adjacency(), self.limits(), s, t))
    }

    /// The distance from `s` to `t`, or `None` if unreachable.
    pub fn distance(&self, s: NodeIndex, t: NodeIndex) -> Result<Option<u32>> {
        self.check(s)?;
        self.check(t)?;
        Ok(distance(&self.adjacency(), self.limits(), s, t))
    }

    /// Every shortest path from `s` to `t`: exact count, lazy listing, uniform sampling.
    pub fn all_shortest(&self, s: NodeIndex, t: NodeIndex) -> Result<AllShortest> {
        self.check(s)?;
        self.check(t)?;
        Ok(all_shortest(&self.adjacency(), self.limits(), s, t))
    }

    /// The `k` shortest loopless paths (Yen), at most `max_searches` spur searches.
    pub fn k_shortest(&self, s: NodeIndex, t: NodeIndex, k: usize, max_searches: usize) -> Result<KShortest> {
        self.k_shortest_until(s, t, k, max_searches, &mut || false)
    }

    /// [`PathFinder::k_shortest`] with a `stop` question asked before each spur search.
    pub fn k_shortest_until(&self, s: NodeIndex, t: NodeIndex, k: usize, max_searches: usize, stop: &mut dyn FnMut() -> bool) -> Result<KShortest> {
        self.check(s)?;
        self.check(t)?;
        check_listed(k, "k")?;
        Ok(k_shortest_until(&self.adjacency(), self.limits(), s, t, k, max_searches, stop))
    }

    /// Distances of many pairs, in parallel. Unknown nodes are an error before any search.
    pub fn distances(&self, pairs: &[(NodeIndex, NodeIndex)]) -> Result<Vec<Option<u32>>> {
        for &(s, t) in pairs {
            self.check(s)?;
            self.check(t)?;
        }
        let (g, limits) = (self.adjacency(), self.limits());
        Ok(pairs.par_iter().with_min_len(64).map(|&(s, t)| distance(&g, limits, s, t)).collect())
    }

    /// One shortest path for each pair, in parallel.
    pub fn shortest_paths(&self, pairs: &[(NodeIndex, NodeIndex)]) -> Result<Vec<Option<Vec<NodeIndex>>>> {
        for &(s, t) in pairs {
            self.check(s)?;
            self.check(t)?;
        }
        let (g, limits) = (self.adjacency(), self.limits());
        Ok(pairs.par_iter().with_min_len(64).map(|&(s, t)| shortest_path(&g, limits, s, t)).collect())
    }

    /// MedReason's query: every source × every target, each pair's shortest paths (at most
    /// `max_paths` of them, sampled with `seed` when there are more), pairs run in parallel.
    pub fn many_to_many(&self, sources: &[NodeIndex], targets: &[NodeIndex], max_paths: usize, seed: u64) -> Result<Vec<PairPaths>> {
        self.many_to_many_until(sources, targets, max_paths, seed, NEVER)
    }

    /// [`PathFinder::many_to_many`], asking `stop` (from every worker) before each pair and
    /// every thousand paths within one.
    pub fn many_to_many_until(&self, sources: &[NodeIndex], targets: &[NodeIndex], max_paths: usize, seed: u64, stop: Stop<'_>) -> Result<Vec<PairPaths>> {
        for &n in sources.iter().chain(targets) {
            self.check(n)?;
        }
        check_listed(max_paths, "max_paths")?;
        check_pairs(sources.len(), targets.len())?;
        let pairs: Vec<(NodeIndex, NodeIndex)> = sources.iter().flat_map(|&s| targets.iter().map(move |&t| (s, t))).collect();
        let (g, limits) = (self.adjacency(), self.limits());
        pairs
            .par_iter()
            .map(|&(s, t)| {
                if stop() {
                    return Err(QueryError::Interrupted);
                }
                let all = all_shortest(&g, limits, s, t);
                Ok(PairPaths { source: s, target: t, distance: all.distance, count: all.count(), paths: all.draw(max_paths, seed, stop)? })
            })
            .collect()
    }

    /// Nodes within `hops` of `seeds` (following the constraints), with their hop counts, and
    /// the stored edges among them. At most `max_nodes` nodes and `max_edges` edges.
    pub fn neighbourhood(&self, seeds: &[NodeIndex], hops: u32, max_nodes: usize, max_edges: usize) -> Result<Neighbourhood> {
        for &n in seeds {
            self.check(n)?;
        }
        let g = self.adjacency();
        let mut inside = BitSet::new(self.view.slots());
        let mut out = Neighbourhood::default();
        let mut frontier = Vec::new();
        for &s in seeds {
            if !inside.contains(s) {
                if out.nodes.len() >= max_nodes {
                    out.truncated = true;
                    break;
                }
                inside.insert(s);
                out.nodes.push((s, 0));
                frontier.push(s);
            }
        }
        let blocked = self.resolved.blocked.as_ref();
        'bfs: for depth in 1..=hops {
            let mut next = Vec::new();
            for &u in &frontier {
                let mut full = false;
                g.each(u, true, |v| {
                    if inside.contains(v) || blocked.is_some_and(|b| b.contains(v)) {
                        return true;
                    }
                    if out.nodes.len() >= max_nodes {
                        full = true;
                        return false;
                    }
                    inside.insert(v);
                    out.nodes.push((v, depth));
                    next.push(v);
                    true
                });
                if full {
                    out.truncated = true;
                    break 'bfs;
                }
            }
            frontier = next;
        }
        'edges: for &(u, _) in &out.nodes {
            let (ts, ls) = self.view.out_edges(u);
            for (&t, &l) in ts.iter().zip(ls) {
                if inside.contains(t) && self.resolved.label_ok(l) {
                    if out.edges.len() >= max_edges {
                        out.truncated = true;
                        break 'edges;
                    }
                    out.edges.push(EdgeRec { source: u, target: t, label: l });
                }
            }
        }
        Ok(out)
    }
}

/// One pair's answer in a many-to-many query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairPaths {
    /// The source node.
    pub source: NodeIndex,
    /// The target node.
    pub target: NodeIndex,
    /// Edges on a shortest path; `None` without a path.
    pub distance: Option<u32>,
    /// The number of shortest paths (saturating).
    pub count: u128,
    /// At most `max_paths` of them, sampled uniformly.
    pub paths: Vec<Vec<NodeIndex>>,
}

/// A bounded neighbourhood: nodes with hop counts, and stored edges among them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Neighbourhood {
    /// Nodes reached, each with its hop count from the nearest seed.
    pub nodes: Vec<(NodeIndex, u32)>,
    /// Stored edges among the nodes reached (allowed by the constraints).
    pub edges: Vec<EdgeRec>,
    /// A limit cut the result short.
    pub truncated: bool,
}
