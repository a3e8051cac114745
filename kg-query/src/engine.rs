//! Bidirectional breadth-first search with reusable scratch space, and the shortest-path DAG it
//! leaves behind.
//!
//! The search expands, one whole layer at a time, the side whose frontier has fewer edges to
//! scan. When a layer discovers a node the other side has seen, every shortest path crosses
//! that layer at such a node (a "meet"), and the distance is final. Those meets all lie in the
//! other side's newest layer, so where asking each of its nodes "do you touch the frontier?"
//! (a bit test of a hub's neighbour bitset per frontier node, or a search of its sorted
//! neighbours: one binary search per frontier node, or for all paths one galloping merge with
//! the sorted frontier) is cheaper than expanding the frontier, that is tried first. One path
//! then follows parent links; all of them form a DAG over the nodes whose forward and backward
//! distances add up to the distance, which counts, enumerates and samples paths without a
//! second search.

use kg_core::NodeIndex;
use kg_core::csr::Csr;
use kg_core::marks::EpochMarks;

use crate::filter::BitSet;
use crate::sorted::each_common;

/// Neighbour lists the search runs on.
pub trait Adjacency: Sync {
    /// Length of per-node arrays (one more than the largest node index).
    fn slots(&self) -> usize;
    /// Cost estimate of expanding `node`.
    fn degree(&self, node: NodeIndex) -> usize;
    /// Calls `f` once per distinct neighbour of `node` that a path may step to next
    /// (`forward`) or come from (`!forward`), until `f` returns false. Returns false if stopped.
    fn each(&self, node: NodeIndex, forward: bool, f: impl FnMut(NodeIndex) -> bool) -> bool;
    /// `node`'s neighbours as one sorted slice, when `each` gives exactly them either way (an
    /// undirected graph without filters): "is u a neighbour of v" is then a binary search.
    fn sorted_neighbours(&self, _node: NodeIndex) -> Option<&[NodeIndex]> {
        None
    }
    /// `node`'s neighbours as a dense bitset over the slots, when it is a hub and
    /// [`sorted_neighbours`](Adjacency::sorted_neighbours) gives them: a bit test per question.
    fn neighbour_bits(&self, _node: NodeIndex) -> Option<&[u64]> {
        None
    }
}

/// How a hub is asked, about each of `n` candidates, "is it your neighbour?": bit tests of its
/// bitset or binary searches of its sorted neighbours.
enum Probe<'a> {
    Bits(&'a [u64]),
    Sorted(&'a [NodeIndex]),
}

impl<'a> Probe<'a> {
    /// The cheapest way the graph allows to ask `v` about `n` candidates (`None`: one scan of
    /// its neighbours), and its cost in scanned neighbours.
    fn choose<A: Adjacency>(g: &'a A, v: NodeIndex, n: usize) -> (Option<Self>, usize) {
        let degree = g.degree(v);
        if let Some(bits) = g.neighbour_bits(v).filter(|_| n < degree) {
            return (Some(Probe::Bits(bits)), n);
        }
        match g.sorted_neighbours(v) {
            Some(ns) if search_cost(n, ns.len()) < ns.len() => (Some(Probe::Sorted(ns)), search_cost(n, ns.len())),
            _ => (None, degree),
        }
    }

    /// Whether `u` is a neighbour.
    #[inline]
    fn has(&self, u: NodeIndex) -> bool {
        match self {
            Probe::Bits(bits) => kg_core::marks::has_bit(bits, u),
            Probe::Sorted(ns) => ns.binary_search(&u).is_ok(),
        }
    }
}

/// Per-query limits and exclusions.
#[derive(Debug, Clone, Copy)]
pub struct Limits<'a> {
    /// Nodes the search must not enter (between the endpoints).
    pub blocked: Option<&'a BitSet>,
    /// The most edges a path may have.
    pub max_hops: u32,
}

impl Default for Limits<'_> {
    fn default() -> Self {
        Limits { blocked: None, max_hops: u32::MAX }
    }
}

/// Extra exclusions of a single search (Yen's spur searches).
#[derive(Debug, Clone, Copy, Default)]
pub struct Bans<'a> {
    /// Nodes the path may not visit.
    pub nodes: &'a [NodeIndex],
    /// The node whose steps are banned (Yen's spur node).
    pub from: NodeIndex,
    /// Sorted: the path may not step from `from` to these nodes.
    pub next: &'a [NodeIndex],
}

impl Bans<'_> {
    /// True if no step is banned (nodes may be).
    fn no_steps(&self) -> bool {
        self.next.is_empty()
    }

    /// True if the step `u -> v` is banned. Only steps out of one node are, so most edges
    /// are cleared by one comparison: a spur search from a hub may expand many thousand.
    fn bans_step(&self, u: NodeIndex, v: NodeIndex) -> bool {
        u == self.from && !self.next.is_empty() && self.next.binary_search(&v).is_ok()
    }
}

/// How a search ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Source and target are the same node.
    Same,
    /// No path (within the hop limit).
    NoPath,
    /// Found at `distance`; `meets` are the nodes where the two searches joined.
    Met {
        /// Edges on a shortest path.
        distance: u32,
        /// Nodes where the two searches joined.
        meets: Vec<NodeIndex>,
    },
}

/// Scratch space for searches, sized to the graph and reused across queries: a query touches
/// only the nodes it visits, and starting a new one is a counter increment.
#[derive(Debug, Default)]
pub struct Searcher {
    seen_f: EpochMarks,
    seen_b: EpochMarks,
    dist_f: Vec<u32>,
    dist_b: Vec<u32>,
    parent_f: Vec<NodeIndex>,
    parent_b: Vec<NodeIndex>,
    banned: EpochMarks,
    dag_id: Vec<u32>,
    dag_seen: EpochMarks,
    /// Nodes in order of discovery per side: BFS discovers layer by layer, so layer d is
    /// `order[starts[d]..starts[d + 1]]`.
    order_f: Vec<NodeIndex>,
    order_b: Vec<NodeIndex>,
    starts_f: Vec<usize>,
    starts_b: Vec<usize>,
    /// A layer sorted, for merging with sorted neighbour lists ([`each_common`]).
    sorted_layer: Vec<NodeIndex>,
    s: NodeIndex,
    t: NodeIndex,
}

impl Searcher {
    /// Empty scratch space; it grows to the graph on first use.
    pub fn new() -> Self {
        Self::default()
    }

    fn prepare(&mut self, slots: usize) {
        if self.dist_f.len() < slots {
            for v in [&mut self.dist_f, &mut self.dist_b, &mut self.parent_f, &mut self.parent_b, &mut self.dag_id] {
                v.resize(slots, 0);
            }
        }
        for marks in [&mut self.seen_f, &mut self.seen_b, &mut self.banned, &mut self.dag_seen] {
            marks.begin(slots);
        }
    }

    /// Runs the search from `s` to `t`. With `all`, the meeting layer is completed so that the
    /// DAG of every shortest path can be read afterwards ([`Searcher::dag`]); without, the
    /// search stops at the first meet and [`Searcher::path`] gives one path.
    pub fn search<A: Adjacency>(&mut self, g: &A, s: NodeIndex, t: NodeIndex, limits: Limits<'_>, bans: Bans<'_>, all: bool) -> Outcome {
        self.prepare(g.slots());
        self.s = s;
        self.t = t;
        if s == t {
            return Outcome::Same;
        }
        for &n in bans.nodes {
            if (n as usize) < self.banned.capacity() {
                self.banned.insert(n);
            }
        }
        let Searcher { seen_f, seen_b, dist_f, dist_b, parent_f, parent_b, banned, order_f, order_b, starts_f, starts_b, sorted_layer, .. } = self;
        seen_f.insert(s);
        dist_f[s as usize] = 0;
        parent_f[s as usize] = s;
        seen_b.insert(t);
        dist_b[t as usize] = 0;
        parent_b[t as usize] = t;
        order_f.clear();
        order_f.push(s);
        order_b.clear();
        order_b.push(t);
        starts_f.clear();
        starts_f.extend([0, 1]);
        starts_b.clear();
        starts_b.extend([0, 1]);
        let (mut cost_f, mut cost_b) = (g.degree(s), g.degree(t));
        let mut meets = Vec::new();
        loop {
            let (df, db) = (starts_f.len() as u32 - 2, starts_b.len() as u32 - 2);
            let empty = |st: &[usize]| st[st.len() - 1] == st[st.len() - 2];
            if empty(starts_f) || empty(starts_b) || df + db >= limits.max_hops {
                return Outcome::NoPath;
            }
            let forward = cost_f <= cost_b;
            let (order, starts, seen_x, dist_x, parent_x, seen_y, order_y, starts_y) = if forward {
                (&mut *order_f, &mut *starts_f, &mut *seen_f, &mut *dist_f, &mut *parent_f, &*seen_b, &*order_b, &*starts_b)
            } else {
                (&mut *order_b, &mut *starts_b, &mut *seen_b, &mut *dist_b, &mut *parent_b, &*seen_f, &*order_f, &*starts_f)
            };
            let dx = starts.len() as u32 - 2;
            let frontier = &order[starts[starts.len() - 2]..starts[starts.len() - 1]];
            // The meeting layer found from the other side: each node of its newest layer asks
            // whether it has a neighbour in this frontier. Tried when that is cheaper than
            // expanding the frontier, which on a graph with hubs (a hub in the frontier) costs
            // most of a search; if none has, the frontier is expanded as usual.
            let layer_y = &order_y[starts_y[starts_y.len() - 2]..starts_y[starts_y.len() - 1]];
            let cost_x = if forward { cost_f } else { cost_b };
            if bans.no_steps() && dx > 0 && sum_below(layer_y.iter().map(|&y| Probe::choose(g, y, frontier.len()).1), cost_x) {
                let in_frontier = |u: NodeIndex| seen_x.contains(u) && dist_x[u as usize] == dx;
                let mut sorted = false;
                for &y in layer_y {
                    let mut via = None;
                    match Probe::choose(g, y, frontier.len()).0 {
                        // With `all` any frontier node will do as the meet's parent (the DAG
                        // replaces parents), so the sorted frontier is merged with y's list.
                        Some(Probe::Sorted(ns)) if all => {
                            if !sorted {
                                sort_into(sorted_layer, frontier);
                                sorted = true;
                            }
                            each_common(sorted_layer, ns, |u| {
                                via = Some(u);
                                false
                            });
                        }
                        Some(probe) => via = frontier.iter().copied().find(|&u| probe.has(u)),
                        None => {
                            g.each(y, !forward, |u| {
                                if in_frontier(u) {
                                    via = Some(u);
                                }
                                via.is_none()
                            });
                        }
                    }
                    if let Some(u) = via {
                        meets.push((y, u));
                        if !all {
                            break;
                        }
                    }
                }
                if !meets.is_empty() {
                    for &(m, u) in &meets {
                        seen_x.insert(m);
                        dist_x[m as usize] = dx + 1;
                        parent_x[m as usize] = u;
                        order.push(m);
                    }
                    starts.push(order.len());
                    let m = meets[0].0 as usize;
                    return Outcome::Met { distance: self.dist_f[m] + self.dist_b[m], meets: meets.into_iter().map(|(m, _)| m).collect() };
                }
            }
            let mut cost = 0usize;
            for at in starts[starts.len() - 2]..starts[starts.len() - 1] {
                let u = order[at];
                let whole = g.each(u, forward, |v| {
                    let vi = v as usize;
                    if seen_x.contains(v) {
                        return true;
                    }
                    if banned.contains(v)
                        || (v != s && v != t && limits.blocked.is_some_and(|b| b.contains(v)))
                        || if forward { bans.bans_step(u, v) } else { bans.bans_step(v, u) }
                    {
                        return true;
                    }
                    seen_x.insert(v);
                    dist_x[vi] = dx + 1;
                    parent_x[vi] = u;
                    order.push(v);
                    cost += g.degree(v);
                    if seen_y.contains(v) {
                        meets.push((v, u));
                        return all;
                    }
                    true
                });
                if !whole {
                    break;
                }
            }
            starts.push(order.len());
            if !meets.is_empty() {
                let m = meets[0].0 as usize;
                return Outcome::Met { distance: self.dist_f[m] + self.dist_b[m], meets: meets.into_iter().map(|(m, _)| m).collect() };
            }
            if forward {
                cost_f = cost;
            } else {
                cost_b = cost;
            }
        }
    }

    /// The path through `meet` found by the last search.
    pub fn path(&self, meet: NodeIndex) -> Vec<NodeIndex> {
        let mut path = Vec::new();
        let mut v = meet;
        while v != self.s {
            path.push(v);
            v = self.parent_f[v as usize];
        }
        path.push(self.s);
        path.reverse();
        let mut v = meet;
        while v != self.t {
            v = self.parent_b[v as usize];
            path.push(v);
        }
        path
    }

    /// The DAG of every shortest path of the last search with `all` (`meets` from its outcome).
    ///
    /// Built level by level outward from the meets. Each level's edges are found from whichever
    /// end is cheaper to scan: the DAG nodes already known (their neighbours one level nearer
    /// the endpoint), or the whole BFS layer one level nearer (their neighbours among the DAG
    /// nodes). The second keeps a hub among the meets from costing its full degree.
    pub fn dag<A: Adjacency>(&mut self, g: &A, meets: &[NodeIndex]) -> PathDag {
        let distance = self.dist_f[meets[0] as usize] + self.dist_b[meets[0] as usize];
        let a = self.dist_f[meets[0] as usize];
        let mut dag = DagParts::default();
        for &m in meets {
            dag.add(self, m, a);
        }
        for forward_part in [true, false] {
            let (seen, dist, order, starts) = if forward_part {
                (&self.seen_f, &self.dist_f, &self.order_f, &self.starts_f)
            } else {
                (&self.seen_b, &self.dist_b, &self.order_b, &self.starts_b)
            };
            let mut current: Vec<NodeIndex> = meets.to_vec();
            let mut depth = dist[meets[0] as usize]; // distance from this part's endpoint
            while depth > 0 {
                let layer = &order[starts[depth as usize - 1]..starts[depth as usize]];
                let level_of = |d: u32| if forward_part { d } else { distance - d };
                // A known node's edges into the layer: one scan of its neighbours, or (a hub)
                // one question per layer node, whichever is cheaper.
                let cost_known: usize = current.iter().map(|&v| Probe::choose(g, v, layer.len()).1).sum();
                let mut next = Vec::new();
                // Edge direction along paths: forward part w -> v, backward part v -> w.
                if !sum_below(layer.iter().map(|&u| g.degree(u)), cost_known) {
                    let mut sorted = false;
                    for &v in &current {
                        let vid = self.dag_id[v as usize];
                        let mut link = |w: NodeIndex| {
                            let (wid, new) = dag.add_raw(&mut self.dag_seen, &mut self.dag_id, w, level_of(depth - 1));
                            if new {
                                next.push(w);
                            }
                            dag.edges.push(if forward_part { (wid, vid) } else { (vid, wid) });
                        };
                        match Probe::choose(g, v, layer.len()).0 {
                            Some(Probe::Sorted(ns)) => {
                                if !sorted {
                                    sort_into(&mut self.sorted_layer, layer);
                                    sorted = true;
                                }
                                each_common(&self.sorted_layer, ns, |w| {
                                    link(w);
                                    true
                                });
                            }
                            Some(probe) => {
                                for &w in layer {
                                    if probe.has(w) {
                                        link(w);
                                    }
                                }
                            }
                            None => {
                                g.each(v, !forward_part, |w| {
                                    if seen.contains(w) && dist[w as usize] + 1 == depth {
                                        link(w);
                                    }
                                    true
                                });
                            }
                        }
                    }
                } else {
                    for &w in layer {
                        let mut wid = None;
                        g.each(w, forward_part, |v| {
                            let vi = v as usize;
                            if self.dag_seen.contains(v) && seen.contains(v) && dist[vi] == depth {
                                let vid = self.dag_id[vi];
                                let id = *wid.get_or_insert_with(|| {
                                    let (id, new) = dag.add_raw(&mut self.dag_seen, &mut self.dag_id, w, level_of(depth - 1));
                                    if new {
                                        next.push(w);
                                    }
                                    id
                                });
                                dag.edges.push(if forward_part { (id, vid) } else { (vid, id) });
                            }
                            true
                        });
                    }
                }
                current = next;
                depth -= 1;
            }
        }
        let source = self.dag_id[self.s as usize];
        let target = self.dag_id[self.t as usize];
        PathDag::new(dag.nodes, dag.level, dag.edges, source, target, distance)
    }
}

/// `layer` sorted into `out`.
fn sort_into(out: &mut Vec<NodeIndex>, layer: &[NodeIndex]) {
    out.clear();
    out.extend_from_slice(layer);
    out.sort_unstable();
}

/// The cost, in scanned neighbours, of `n` binary searches of a sorted list of `len`: a step of
/// a search counted as one scanned neighbour. (A galloping merge of `n` sorted nodes, used
/// where order does not matter, costs at most this, and its steps miss the cache less.)
/// Weighting a step 2 or 4 times more (for its cache miss) made all-shortest queries on the
/// power-law graph slower: p99 280 and 615 µs, against 205–220 µs (`kgcore bench`).
fn search_cost(n: usize, len: usize) -> usize {
    n * (usize::BITS - len.leading_zeros()) as usize
}

/// True if the sum of `costs` stays below `bound`; stops adding once it does not (a layer of a
/// hub's neighbours is long, and only the comparison is needed).
fn sum_below(costs: impl Iterator<Item = usize>, bound: usize) -> bool {
    let mut sum = 0usize;
    for c in costs {
        sum += c;
        if sum >= bound {
            return false;
        }
    }
    true
}

#[derive(Default)]
struct DagParts {
    nodes: Vec<NodeIndex>,
    level: Vec<u32>,
    edges: Vec<(u32, u32)>,
}

impl DagParts {
    fn add(&mut self, sr: &mut Searcher, n: NodeIndex, level: u32) -> (u32, bool) {
        self.add_raw(&mut sr.dag_seen, &mut sr.dag_id, n, level)
    }

    fn add_raw(&mut self, seen: &mut EpochMarks, ids: &mut [u32], n: NodeIndex, level: u32) -> (u32, bool) {
        let i = n as usize;
        if !seen.insert(n) {
            return (ids[i], false);
        }
        ids[i] = self.nodes.len() as u32;
        self.nodes.push(n);
        self.level.push(level);
        (ids[i], true)
    }
}

/// Asked during long work (listing or sampling many paths, a batch of pairs): `true` stops it
/// with [`QueryError::Interrupted`](crate::QueryError::Interrupted). `Sync`, because batch
/// work asks it from every worker thread.
pub type Stop<'a> = &'a (dyn Fn() -> bool + Sync);

/// A [`Stop`] that never stops.
pub const NEVER: Stop<'static> = &|| false;

/// How many items of long work run between two questions to a [`Stop`].
const STOP_EVERY: usize = 1024;

/// `items` collected, asking `stop` every [`STOP_EVERY`] items.
pub(crate) fn collect_until<T>(items: impl Iterator<Item = T>, stop: Stop<'_>) -> crate::Result<Vec<T>> {
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        if i % STOP_EVERY == STOP_EVERY - 1 && stop() {
            return Err(crate::QueryError::Interrupted);
        }
        out.push(item);
    }
    Ok(out)
}

/// Every shortest path between two nodes, as a DAG with path counts.
#[derive(Debug, Clone)]
pub struct PathDag {
    nodes: Vec<NodeIndex>,
    /// Successors (toward the target), sorted by node index.
    succ: Csr,
    /// Number of paths from each DAG node to the target (saturating).
    paths_to_target: Vec<u128>,
    source: u32,
    distance: u32,
}

impl PathDag {
    fn new(nodes: Vec<NodeIndex>, level: Vec<u32>, mut edges: Vec<(u32, u32)>, source: u32, target: u32, distance: u32) -> Self {
        edges.sort_unstable_by_key(|&(a, b)| (a, nodes[b as usize]));
        edges.dedup();
        let succ = Csr::from_grouped(nodes.len(), edges.iter().map(|&(a, _)| a), edges.iter().map(|&(_, b)| b).collect());
        let mut order: Vec<u32> = (0..nodes.len() as u32).collect();
        order.sort_unstable_by_key(|&i| std::cmp::Reverse(level[i as usize]));
        let mut paths_to_target = vec![0u128; nodes.len()];
        paths_to_target[target as usize] = 1;
        for &v in &order {
            if v == target {
                continue;
            }
            paths_to_target[v as usize] =
                succ.row(v).iter().fold(0u128, |acc, &w| acc.saturating_add(paths_to_target[w as usize]));
        }
        PathDag { nodes, succ, paths_to_target, source, distance }
    }

    /// Edges on every path of the DAG.
    pub fn distance(&self) -> u32 {
        self.distance
    }

    /// The number of shortest paths; `u128::MAX` means at least that many.
    pub fn count(&self) -> u128 {
        self.paths_to_target[self.source as usize]
    }

    /// True when the path count exceeded `u128` and stopped at its maximum.
    pub fn is_saturated(&self) -> bool {
        self.count() == u128::MAX
    }

    /// Nodes on at least one shortest path.
    pub fn nodes(&self) -> &[NodeIndex] {
        &self.nodes
    }

    fn successors(&self, v: u32) -> &[u32] {
        self.succ.row(v)
    }

    /// Every shortest path, lazily, in lexicographic order of node indices.
    pub fn paths(&self) -> PathIter<'_> {
        PathIter { dag: self, stack: vec![(self.source, 0)], done: false }
    }

    /// Up to `n` distinct shortest paths drawn uniformly at random, reproducibly for a seed,
    /// in enumeration order. When there are at most `n`, all of them. `stop` is asked every
    /// thousand paths.
    pub fn sample(&self, n: usize, seed: u64, stop: Stop<'_>) -> crate::Result<Vec<Vec<NodeIndex>>> {
        let total = self.count();
        if total <= n as u128 {
            return collect_until(self.paths(), stop);
        }
        // n distinct path numbers, every n-subset equally likely (Floyd's algorithm), then each
        // path read off the DAG by its number: no path is listed or drawn twice. A saturated
        // count numbers only the first u128::MAX paths: distinct still, uniform over those.
        let mut rng = kg_core::rng::SplitMix64::new(seed);
        let mut chosen = rustc_hash::FxHashSet::default();
        for (i, j) in (total - n as u128..total).enumerate() {
            if i % STOP_EVERY == STOP_EVERY - 1 && stop() {
                return Err(crate::QueryError::Interrupted);
            }
            let k = rng.below_u128(j + 1);
            if !chosen.insert(k) {
                chosen.insert(j);
            }
        }
        let mut chosen: Vec<u128> = chosen.into_iter().collect();
        chosen.sort_unstable();
        collect_until(chosen.into_iter().map(|k| self.path_at(k)), stop)
    }

    /// The path numbered `k` in enumeration order (`k` below the count): at each node, the
    /// successors in order take the numbers of their paths in turn.
    fn path_at(&self, mut k: u128) -> Vec<NodeIndex> {
        let mut v = self.source;
        let mut path = Vec::with_capacity(self.distance as usize + 1);
        path.push(self.nodes[v as usize]);
        loop {
            let succ = self.successors(v);
            let Some(&last) = succ.last() else { return path };
            // k is below the successors' counts summed (a saturated one takes every number
            // below the limit), so the last is only the loop's default.
            v = last;
            for &w in succ {
                let c = self.paths_to_target[w as usize];
                if k < c {
                    v = w;
                    break;
                }
                k -= c;
            }
            path.push(self.nodes[v as usize]);
        }
    }
}

/// Lazy enumeration of a [`PathDag`]'s paths.
#[derive(Debug)]
pub struct PathIter<'a> {
    dag: &'a PathDag,
    /// (DAG node, index of the next successor to try).
    stack: Vec<(u32, u32)>,
    done: bool,
}

impl Iterator for PathIter<'_> {
    type Item = Vec<NodeIndex>;

    fn next(&mut self) -> Option<Vec<NodeIndex>> {
        if self.done {
            return None;
        }
        loop {
            let &(v, i) = self.stack.last()?;
            let succ = self.dag.successors(v);
            if succ.is_empty() {
                // At the target: emit, then backtrack.
                let path = self.stack.iter().map(|&(n, _)| self.dag.nodes[n as usize]).collect();
                self.stack.pop();
                if self.stack.is_empty() {
                    self.done = true;
                }
                return Some(path);
            }
            if (i as usize) < succ.len() {
                self.stack.last_mut().expect("non-empty").1 += 1;
                self.stack.push((succ[i as usize], 0));
            } else {
                self.stack.pop();
                if self.stack.is_empty() {
                    self.done = true;
                    return None;
                }
            }
        }
    }
}
