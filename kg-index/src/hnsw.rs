//! A hierarchical navigable small-world graph (HNSW, Malkov & Yashunin) over the unit rows of a
//! [`crate::VectorIndex`], for approximate cosine search.
//!
//! Built in parallel: level-0 links live in a flat array at a fixed stride (like hnswlib), read
//! without locks and written under a per-node lock; then frozen into plain arrays of the same
//! layout, so searches read without locks. A search takes a row filter applied during the
//! walk: rows that fail it (another node type, a tombstone) still route the search but never
//! enter the results, so a filtered top-k is still k rows when k pass.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};
use std::sync::{Mutex, RwLock};

use kg_core::marks::EpochMarks;
use kg_core::rng::SplitMix64;
use rayon::prelude::*;

/// Construction and search settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HnswParams {
    /// Links per node on the upper levels; level 0 keeps twice as many.
    pub m: usize,
    /// Width of the candidate list while inserting.
    pub ef_construction: usize,
    /// Default width of the candidate list while searching (raised to k when smaller).
    pub ef_search: usize,
    /// Seed of the level draw, so a build's shape is reproducible.
    pub seed: u64,
}

impl Default for HnswParams {
    fn default() -> Self {
        HnswParams { m: 16, ef_construction: 200, ef_search: 64, seed: 0x6b67_636f_7265 }
    }
}

impl HnswParams {
    /// Checks the graph's structure (links in range, levels consistent); the reason when it is not sound.
    pub fn validate(&self) -> Result<(), String> {
        if !(2..=128).contains(&self.m) {
            return Err(format!("m must be within 2..=128, got {}", self.m));
        }
        if self.ef_construction == 0 || self.ef_construction > 10_000 {
            return Err(format!("ef_construction must be within 1..=10000, got {}", self.ef_construction));
        }
        if self.ef_search == 0 || self.ef_search > 100_000 {
            return Err(format!("ef_search must be within 1..=100000, got {}", self.ef_search));
        }
        Ok(())
    }

    fn m0(&self) -> usize {
        2 * self.m
    }
}

/// Cosine distance of unit rows.
#[inline]
fn dist(a: &[f32], b: &[f32]) -> f32 {
    1.0 - crate::simd::dot(a, b)
}

#[derive(Debug, Clone, Copy)]
struct Cand {
    dist: f32,
    row: u32,
}

impl PartialEq for Cand {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Cand {}
impl PartialOrd for Cand {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Cand {
    fn cmp(&self, o: &Self) -> Ordering {
        self.dist.total_cmp(&o.dist).then(self.row.cmp(&o.row))
    }
}

// Per-thread visited marks of the walk, reused across searches.
thread_local! {
    static VISITED: RefCell<EpochMarks> = RefCell::new(EpochMarks::default());
}

/// How a layer search reads a node's links: from the builder (upper levels under the node's
/// lock), or from the frozen graph.
trait Links {
    /// Calls `f` on each link of `row` on `level`.
    fn for_each_link(&self, row: u32, level: usize, f: impl FnMut(u32));
}

#[inline]
fn row_of(rows: &[f32], dim: usize, r: u32) -> &[f32] {
    &rows[r as usize * dim..(r as usize + 1) * dim]
}

/// Best-first search of one level from `entry`: up to `ef` rows passing `accept`, nearest first.
#[allow(clippy::too_many_arguments)]
fn search_level<L: Links + ?Sized>(
    links: &L,
    rows: &[f32],
    dim: usize,
    query: &[f32],
    entry: &[Cand],
    ef: usize,
    level: usize,
    accept: &dyn Fn(u32) -> bool,
) -> Vec<Cand> {
    let n = rows.len() / dim;
    VISITED.with_borrow_mut(|visited| {
        visited.begin(n);
        let mut frontier = BinaryHeap::new(); // min-heap through Reverse
        let mut best: BinaryHeap<Cand> = BinaryHeap::new(); // max-heap: the worst kept on top
        for &c in entry {
            if visited.insert(c.row) {
                frontier.push(std::cmp::Reverse(c));
                if accept(c.row) {
                    best.push(c);
                }
            }
        }
        while best.len() > ef {
            best.pop();
        }
        let mut buf = Vec::with_capacity(64);
        while let Some(std::cmp::Reverse(c)) = frontier.pop() {
            if best.len() >= ef && c.dist > best.peek().map_or(f32::INFINITY, |w| w.dist) {
                break;
            }
            // Unvisited links first, with their rows' first cache lines requested, so the
            // distance loop below finds them loaded.
            buf.clear();
            links.for_each_link(c.row, level, |nb| {
                if visited.insert(nb) {
                    buf.push(nb);
                }
            });
            for &nb in &buf {
                crate::simd::prefetch(&rows[nb as usize * dim]);
            }
            for &nb in &buf {
                let d = dist(query, row_of(rows, dim, nb));
                let worst = if best.len() < ef { f32::INFINITY } else { best.peek().map_or(f32::INFINITY, |w| w.dist) };
                if d < worst {
                    frontier.push(std::cmp::Reverse(Cand { dist: d, row: nb }));
                    if accept(nb) {
                        best.push(Cand { dist: d, row: nb });
                        if best.len() > ef {
                            best.pop();
                        }
                    }
                }
            }
        }
        best.into_sorted_vec()
    })
}

/// Greedy walk on one upper level towards `query`.
fn descend<L: Links + ?Sized>(links: &L, rows: &[f32], dim: usize, query: &[f32], mut at: Cand, level: usize) -> Cand {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        links.for_each_link(at.row, level, |nb| buf.push(nb));
        let before = at.row;
        for &nb in &buf {
            let d = dist(query, row_of(rows, dim, nb));
            if d < at.dist {
                at = Cand { dist: d, row: nb };
            }
        }
        if at.row == before {
            return at;
        }
    }
}

/// Rows this close to the base count as the same point.
const SAME_POINT: f32 = 1e-6;
/// Links a row keeps to rows identical to it.
const MAX_SAME_POINT_LINKS: usize = 2;

/// The diversity heuristic: from candidates sorted nearest first, drop one that is strictly
/// nearer to a row already kept than to the base; keep at most `m`. Rows identical to the base
/// (nodes sharing a name share a vector) get at most two links, chaining them together: left
/// to the plain rule they would fill every slot and form islands no search can enter.
fn select(rows: &[f32], dim: usize, sorted: &[Cand], m: usize) -> Vec<u32> {
    let row = |r: u32| &rows[r as usize * dim..(r as usize + 1) * dim];
    let mut kept: Vec<u32> = Vec::with_capacity(m);
    let mut same = 0;
    for c in sorted {
        if kept.len() == m {
            break;
        }
        if c.dist <= SAME_POINT {
            if same < MAX_SAME_POINT_LINKS {
                kept.push(c.row);
                same += 1;
            }
            continue;
        }
        if kept.iter().all(|&k| dist(row(c.row), row(k)) >= c.dist) {
            kept.push(c.row);
        }
    }
    kept
}

/// The graph while rows are being inserted. Level-0 links sit in one flat array in the frozen
/// graph's layout and are read without locks: a reader racing a writer may see a mix of the old
/// and new list, but every word is a row that exists, and a graph search tolerates the rest.
/// Writers, and the few upper levels, go through the row's lock.
struct Builder<'a> {
    params: HnswParams,
    rows: &'a [f32],
    dim: usize,
    levels: Vec<u8>,
    /// `2m + 1` words a row: the count, then the links.
    links0: Vec<AtomicU32>,
    /// Per row, its lock and its links on levels 1, 2, ...
    upper: Vec<Mutex<Vec<Vec<u32>>>>,
    /// Entry row and top level; written only while `grow` is held.
    entry: RwLock<Option<(u32, u8)>>,
    grow: Mutex<()>,
}

impl Links for Builder<'_> {
    fn for_each_link(&self, row: u32, level: usize, f: impl FnMut(u32)) {
        if level == 0 {
            let slot = self.slot0(row);
            let count = (slot[0].load(AtomicOrdering::Acquire) as usize).min(slot.len() - 1);
            slot[1..1 + count].iter().map(|w| w.load(AtomicOrdering::Relaxed)).for_each(f);
        } else {
            let l = self.upper[row as usize].lock().unwrap_or_else(|p| p.into_inner());
            if let Some(list) = l.get(level - 1) {
                list.iter().copied().for_each(f);
            }
        }
    }
}

impl Builder<'_> {
    fn row(&self, r: u32) -> &[f32] {
        &self.rows[r as usize * self.dim..(r as usize + 1) * self.dim]
    }

    fn slot0(&self, row: u32) -> &[AtomicU32] {
        let stride = self.params.m0() + 1;
        &self.links0[row as usize * stride..(row as usize + 1) * stride]
    }

    /// The links of `row` on `level`; the caller holds the row's lock.
    fn links(&self, upper: &[Vec<u32>], row: u32, level: usize) -> Vec<u32> {
        if level == 0 {
            let mut v = Vec::with_capacity(self.params.m0() + 1);
            self.for_each_link(row, 0, |nb| v.push(nb));
            v
        } else {
            upper[level - 1].clone()
        }
    }

    /// Replaces the links of `row` on `level`; the caller holds the row's lock.
    fn set_links(&self, upper: &mut [Vec<u32>], row: u32, level: usize, list: &[u32]) {
        if level == 0 {
            let slot = self.slot0(row);
            for (w, &nb) in slot[1..].iter().zip(list) {
                w.store(nb, AtomicOrdering::Relaxed);
            }
            slot[0].store(list.len() as u32, AtomicOrdering::Release);
        } else {
            upper[level - 1] = list.to_vec();
        }
    }

    fn insert(&self, q: u32) {
        let level = self.levels[q as usize];
        // A row that raises the top level holds `grow` for its whole insertion, so the entry
        // point is only ever replaced by a row that is fully linked.
        let guard = {
            let top = *self.entry.read().unwrap_or_else(|p| p.into_inner());
            match top {
                Some((_, max)) if level <= max => None,
                _ => Some(self.grow.lock().unwrap_or_else(|p| p.into_inner())),
            }
        };
        let Some((entry, max_level)) = *self.entry.read().unwrap_or_else(|p| p.into_inner()) else {
            *self.entry.write().unwrap_or_else(|p| p.into_inner()) = Some((q, level));
            return;
        };
        let query = self.row(q);
        let mut at = Cand { dist: dist(query, self.row(entry)), row: entry };
        for l in (level as usize + 1..=max_level as usize).rev() {
            at = descend(self, self.rows, self.dim, query, at, l);
        }
        let mut entries = vec![at];
        for l in (0..=level.min(max_level) as usize).rev() {
            let found = search_level(self, self.rows, self.dim, query, &entries, self.params.ef_construction, l, &|r| r != q);
            let chosen = select(self.rows, self.dim, &found, self.params.m);
            let cap = if l == 0 { self.params.m0() } else { self.params.m };
            {
                let mut own = self.upper[q as usize].lock().unwrap_or_else(|p| p.into_inner());
                self.set_links(&mut own, q, l, &chosen);
            }
            for &nb in &chosen {
                let mut their = self.upper[nb as usize].lock().unwrap_or_else(|p| p.into_inner());
                let mut list = self.links(&their, nb, l);
                if list.contains(&q) {
                    continue;
                }
                if list.len() < cap {
                    list.push(q);
                } else {
                    let base = self.row(nb);
                    let mut cands: Vec<Cand> =
                        list.iter().chain(std::iter::once(&q)).map(|&r| Cand { dist: dist(base, self.row(r)), row: r }).collect();
                    cands.sort_unstable();
                    list = select(self.rows, self.dim, &cands, cap);
                }
                self.set_links(&mut their, nb, l, &list);
            }
            if !found.is_empty() {
                entries = found;
            }
        }
        if guard.is_some() && level > max_level {
            *self.entry.write().unwrap_or_else(|p| p.into_inner()) = Some((q, level));
        }
    }

    fn freeze(self) -> Graph {
        let p = self.params;
        let n = self.levels.len();
        let stride = p.m + 1;
        let links0 = self.links0.into_iter().map(AtomicU32::into_inner).collect();
        let mut upper_at = vec![u32::MAX; n];
        let mut upper = Vec::new();
        for (r, cell) in self.upper.into_iter().enumerate() {
            let lists = cell.into_inner().unwrap_or_else(|p| p.into_inner());
            if !lists.is_empty() {
                upper_at[r] = upper.len() as u32;
                for l in &lists {
                    let start = upper.len();
                    upper.resize(start + stride, 0);
                    upper[start] = l.len() as u32;
                    upper[start + 1..start + 1 + l.len()].copy_from_slice(l);
                }
            }
        }
        let entry = self.entry.into_inner().unwrap_or_else(|p| p.into_inner());
        Graph { params: p, levels: self.levels, links0, upper_at, upper, entry }
    }
}

/// Draws each row's level: floor(-ln(U) / ln(m)), from a stream seeded per row so the shape
/// does not depend on insertion order or thread count.
fn draw_level(params: &HnswParams, row: u32) -> u8 {
    let mut rng = SplitMix64::new(params.seed ^ (row as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let u = 1.0 - rng.next_f64(); // (0, 1]
    let l = (-u.ln() / (params.m as f64).ln()).floor();
    l.min(15.0) as u8
}

/// A frozen HNSW graph over rows `0..n` of a row matrix.
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    pub(crate) params: HnswParams,
    levels: Vec<u8>,
    /// Level-0 links, `2m + 1` words a row: the count, then the links.
    links0: Vec<u32>,
    /// Per row, the offset of its upper levels in `upper` (`u32::MAX` for level-0 rows).
    upper_at: Vec<u32>,
    /// Upper-level links, `m + 1` words per row and level (1, 2, ...): count, then links.
    upper: Vec<u32>,
    entry: Option<(u32, u8)>,
}

impl Links for Graph {
    #[inline]
    fn for_each_link(&self, row: u32, level: usize, f: impl FnMut(u32)) {
        let list = if level == 0 {
            let s = row as usize * (self.params.m0() + 1);
            &self.links0[s..s + self.params.m0() + 1]
        } else {
            let s = self.upper_at[row as usize] as usize + (level - 1) * (self.params.m + 1);
            &self.upper[s..s + self.params.m + 1]
        };
        list[1..1 + list[0] as usize].iter().copied().for_each(f);
    }
}

impl Graph {
    pub(crate) fn len(&self) -> usize {
        self.levels.len()
    }

    /// A graph of no rows yet, with these settings.
    pub(crate) fn new(params: HnswParams) -> Graph {
        Graph { params, levels: Vec::new(), links0: Vec::new(), upper_at: Vec::new(), upper: Vec::new(), entry: None }
    }

    /// Builds a graph over all rows of `rows` (`dim` floats each, unit length), on all cores.
    #[cfg(test)]
    pub(crate) fn build(params: HnswParams, rows: &[f32], dim: usize) -> Graph {
        Graph::new(params).extend(rows, dim)
    }

    /// Inserts rows `self.len()..` of `rows` into the graph, on all cores.
    pub(crate) fn extend(self, rows: &[f32], dim: usize) -> Graph {
        let n = rows.len() / dim;
        let old = self.len();
        let mut builder = self.thaw(rows, dim);
        builder.links0.resize_with(n * (builder.params.m0() + 1), || AtomicU32::new(0));
        for r in old..n {
            let level = draw_level(&builder.params, r as u32);
            builder.levels.push(level);
            builder.upper.push(Mutex::new(vec![Vec::new(); level as usize]));
        }
        // The first row alone, so the parallel inserts all find an entry point.
        let mut next = old;
        if builder.entry.read().unwrap_or_else(|p| p.into_inner()).is_none() && next < n {
            builder.insert(next as u32);
            next += 1;
        }
        (next as u32..n as u32).into_par_iter().for_each(|r| builder.insert(r));
        builder.freeze()
    }

    fn thaw<'a>(self, rows: &'a [f32], dim: usize) -> Builder<'a> {
        let upper = (0..self.len())
            .map(|r| {
                let lists = (1..=self.levels[r] as usize)
                    .map(|l| {
                        let mut v = Vec::new();
                        self.for_each_link(r as u32, l, |nb| v.push(nb));
                        v
                    })
                    .collect();
                Mutex::new(lists)
            })
            .collect();
        let links0 = self.links0.into_iter().map(AtomicU32::new).collect();
        Builder { params: self.params, rows, dim, levels: self.levels, links0, upper, entry: RwLock::new(self.entry), grow: Mutex::new(()) }
    }

    /// The `k` nearest rows to the unit `query` among rows passing `accept`, nearest first,
    /// with their cosine distances.
    pub(crate) fn search(&self, rows: &[f32], dim: usize, query: &[f32], k: usize, ef: usize, accept: &dyn Fn(u32) -> bool) -> Vec<(u32, f32)> {
        let Some((entry, top)) = self.entry else { return Vec::new() };
        let mut at = Cand { dist: dist(query, &rows[entry as usize * dim..(entry as usize + 1) * dim]), row: entry };
        for l in (1..=top as usize).rev() {
            at = descend(self, rows, dim, query, at, l);
        }
        let found = search_level(self, rows, dim, query, &[at], ef.max(k), 0, accept);
        found.into_iter().take(k).map(|c| (c.row, c.dist)).collect()
    }

    /// Serialises the graph: little-endian words, checked again by [`Graph::decode`].
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let p = &self.params;
        for w in [p.m as u64, p.ef_construction as u64, p.ef_search as u64, p.seed, self.len() as u64, self.upper.len() as u64] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        let (entry, top) = self.entry.map_or((u32::MAX, 0), |(e, t)| (e, t));
        out.extend_from_slice(&entry.to_le_bytes());
        out.push(top);
        out.extend_from_slice(&self.levels);
        for words in [&self.links0, &self.upper_at, &self.upper] {
            for w in words.iter() {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
    }

    /// Reads what [`Graph::encode`] wrote for `n` rows, checking every count, offset and link
    /// so that a damaged file is an error, never a panic or a walk out of bounds.
    pub(crate) fn decode(bytes: &[u8], n: usize) -> Result<Graph, String> {
        let mut at = 0usize;
        let mut take = |len: usize| -> Result<&[u8], String> {
            let s = bytes.get(at..at.checked_add(len).ok_or("size overflow")?).ok_or("graph section cut short")?;
            at += len;
            Ok(s)
        };
        let mut head = [0u64; 6];
        for h in &mut head {
            *h = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
        }
        let params = HnswParams { m: head[0] as usize, ef_construction: head[1] as usize, ef_search: head[2] as usize, seed: head[3] };
        params.validate()?;
        if head[4] as usize != n {
            return Err(format!("graph has {} rows, the vectors {n}", head[4]));
        }
        let upper_len = usize::try_from(head[5]).map_err(|_| "upper size overflow")?;
        let entry = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes"));
        let top = take(1)?[0];
        let levels = take(n)?.to_vec();
        let words = |b: &[u8]| b.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect::<Vec<u32>>();
        let (stride0, stride) = (params.m0() + 1, params.m + 1);
        let links0 = words(take(n.checked_mul(stride0 * 4).ok_or("size overflow")?)?);
        let upper_at = words(take(n * 4)?);
        let upper = words(take(upper_len.checked_mul(4).ok_or("size overflow")?)?);
        if at != bytes.len() {
            return Err("trailing bytes after the graph".into());
        }
        let entry = match (entry, n) {
            (u32::MAX, 0) => None,
            (e, _) if (e as usize) < n && levels[e as usize] == top => Some((e, top)),
            _ => return Err("bad entry point".into()),
        };
        let link_ok = |list: &[u32], cap: usize| list[0] as usize <= cap && list[1..1 + list[0] as usize].iter().all(|&r| (r as usize) < n);
        for r in 0..n {
            if levels[r] > top || !link_ok(&links0[r * stride0..(r + 1) * stride0], params.m0()) {
                return Err(format!("bad links at row {r}"));
            }
            let l = levels[r] as usize;
            if l > 0 {
                let s = upper_at[r] as usize;
                if s.checked_add(l * stride).is_none_or(|end| end > upper.len())
                    || !(0..l).all(|i| link_ok(&upper[s + i * stride..s + (i + 1) * stride], params.m))
                {
                    return Err(format!("bad upper links at row {r}"));
                }
            }
        }
        Ok(Graph { params, levels, links0, upper_at, upper, entry })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_rows(n: usize, dim: usize, seed: u64) -> Vec<f32> {
        let mut rng = SplitMix64::new(seed);
        let mut rows = Vec::with_capacity(n * dim);
        for _ in 0..n {
            let v: Vec<f32> = (0..dim).map(|_| rng.next_f64() as f32 - 0.5).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            rows.extend(v.iter().map(|x| x / norm));
        }
        rows
    }

    fn exact(rows: &[f32], dim: usize, q: &[f32], k: usize, accept: &dyn Fn(u32) -> bool) -> Vec<u32> {
        let mut all: Vec<Cand> =
            (0..rows.len() / dim).filter(|&r| accept(r as u32)).map(|r| Cand { dist: dist(q, &rows[r * dim..(r + 1) * dim]), row: r as u32 }).collect();
        all.sort_unstable();
        all.into_iter().take(k).map(|c| c.row).collect()
    }

    fn recall(graph: &Graph, rows: &[f32], dim: usize, queries: &[f32], k: usize, accept: &dyn Fn(u32) -> bool) -> f64 {
        let mut hit = 0;
        let mut total = 0;
        for q in queries.chunks_exact(dim) {
            let truth = exact(rows, dim, q, k, accept);
            let got: Vec<u32> = graph.search(rows, dim, q, k, 64, accept).into_iter().map(|x| x.0).collect();
            assert!(got.iter().all(|&r| accept(r)), "a filtered-out row was returned");
            assert_eq!(got.len(), truth.len(), "k rows pass the filter, k rows come back");
            hit += got.iter().filter(|r| truth.contains(r)).count();
            total += truth.len();
        }
        hit as f64 / total as f64
    }

    #[test]
    fn recall_against_brute_force_with_and_without_filter() {
        let (n, dim) = (3000, 24);
        let rows = random_rows(n, dim, 1);
        let queries = random_rows(100, dim, 2);
        let graph = Graph::build(HnswParams::default(), &rows, dim);
        let all = recall(&graph, &rows, dim, &queries, 10, &|_| true);
        assert!(all >= 0.95, "recall@10 {all}");
        let third = recall(&graph, &rows, dim, &queries, 10, &|r| r % 3 == 0);
        assert!(third >= 0.95, "filtered recall@10 {third}");
    }

    #[test]
    fn rows_with_identical_vectors_do_not_form_islands() {
        // Nodes sharing a name share a vector: 3000 rows, half of them copies of one of 40
        // vectors (about 37 copies each), the rest distinct.
        let dim = 24;
        let distinct = random_rows(3000, dim, 5);
        let rows: Vec<f32> = (0..3000).flat_map(|r| {
            let src = if r % 2 == 0 { (r / 2) % 40 } else { r };
            distinct[src * dim..(src + 1) * dim].to_vec()
        }).collect();
        // Few links per row, so copies could fill them all; one thread, so the graph (and the
        // figure) is the same on every run.
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let graph = one.install(|| Graph::build(HnswParams { m: 6, ..Default::default() }, &rows, dim));
        let mut good = 0;
        let queries = random_rows(100, dim, 6);
        for q in queries.chunks_exact(dim) {
            // Tie-aware: a returned row is right when it is as near as the 10th nearest.
            let mut all: Vec<f32> = (0..3000).map(|r| dist(q, &rows[r * dim..(r + 1) * dim])).collect();
            all.sort_by(f32::total_cmp);
            let got = graph.search(&rows, dim, q, 10, 128, &|_| true);
            good += got.iter().filter(|&&(_, d)| d <= all[9] + 1e-6).count();
        }
        assert!(good as f64 / 1000.0 >= 0.95, "tie-aware recall@10 {}", good as f64 / 1000.0);
    }

    #[test]
    fn extending_keeps_old_rows_findable_and_finds_new_ones() {
        let dim = 16;
        let rows = random_rows(2000, dim, 3);
        let half = Graph::build(HnswParams::default(), &rows[..1000 * dim], dim);
        let graph = half.extend(&rows, dim);
        assert_eq!(graph.len(), 2000);
        for r in [0usize, 999, 1000, 1999] {
            let got = graph.search(&rows, dim, &rows[r * dim..(r + 1) * dim], 1, 32, &|_| true);
            assert_eq!(got[0].0 as usize, r, "a row is its own nearest neighbour");
            assert!(got[0].1.abs() < 1e-5);
        }
    }

    #[test]
    fn encode_decode_round_trip_and_damage() {
        let dim = 8;
        let rows = random_rows(500, dim, 4);
        let graph = Graph::build(HnswParams::default(), &rows, dim);
        let mut bytes = Vec::new();
        graph.encode(&mut bytes);
        let back = Graph::decode(&bytes, 500).unwrap();
        let q = &rows[..dim];
        assert_eq!(back.search(&rows, dim, q, 5, 32, &|_| true), graph.search(&rows, dim, q, 5, 32, &|_| true));
        assert!(Graph::decode(&bytes, 499).is_err(), "row count mismatch");
        assert!(Graph::decode(&bytes[..bytes.len() - 1], 500).is_err(), "cut short");
        // A link pointing past the last row.
        let mut bad = bytes.clone();
        let links0_at = 6 * 8 + 4 + 1 + 500;
        bad[links0_at + 4..links0_at + 8].copy_from_slice(&9999u32.to_le_bytes());
        bad[links0_at..links0_at + 4].copy_from_slice(&1u32.to_le_bytes());
        assert!(Graph::decode(&bad, 500).unwrap_err().contains("row 0"));
        // Every single-byte change decodes to an error or a graph that stays in bounds.
        for i in (0..bytes.len()).step_by(7) {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            if let Ok(g) = Graph::decode(&b, 500) {
                g.search(&rows, dim, q, 5, 16, &|_| true);
            }
        }
        let empty = Graph::build(HnswParams::default(), &[], dim);
        let mut e = Vec::new();
        empty.encode(&mut e);
        assert!(Graph::decode(&e, 0).unwrap().search(&rows, dim, q, 3, 8, &|_| true).is_empty());
    }

    #[test]
    fn params_are_checked() {
        assert!(HnswParams { m: 1, ..Default::default() }.validate().is_err());
        assert!(HnswParams { m: 300, ..Default::default() }.validate().is_err());
        assert!(HnswParams { ef_construction: 0, ..Default::default() }.validate().is_err());
        assert!(HnswParams::default().validate().is_ok());
    }
}
