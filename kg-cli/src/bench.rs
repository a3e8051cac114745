//! `kgcore bench`: per-query latencies (p50/p99) of every path query on seeded random pairs,
//! and batch throughput. Pairs are drawn from the largest connected component.

use std::time::{Duration, Instant};

use kgcore::core::rng::SplitMix64;
use kgcore::core::GraphView;
use kgcore::query::{Limits, NameGraph};
use kgcore::{NodeIndex, PathFinder};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Latency {
    pub query: String,
    pub queries: usize,
    pub p50_us: f64,
    pub p99_us: f64,
    pub mean_us: f64,
}

#[derive(Debug, Serialize)]
pub struct BenchReport {
    pub open_ms: f64,
    pub first_query_us: f64,
    pub pairs: usize,
    pub seed: u64,
    pub latencies: Vec<Latency>,
    pub batch_pairs_per_second: f64,
    pub threads: usize,
    pub name_index_build_ms: f64,
    pub names: usize,
}

/// Nodes of the largest connected component, found from the highest-degree node.
fn giant_component(view: &GraphView) -> Vec<NodeIndex> {
    let Some(hub) = view.nodes().max_by_key(|&n| view.degree(n)) else { return Vec::new() };
    let mut seen = vec![false; view.slots()];
    let mut order = vec![hub];
    seen[hub as usize] = true;
    let mut at = 0;
    while at < order.len() {
        let u = order[at];
        at += 1;
        for &v in view.neighbours(u) {
            if !seen[v as usize] {
                seen[v as usize] = true;
                order.push(v);
            }
        }
    }
    order.sort_unstable();
    order
}

pub fn seeded_pairs(view: &GraphView, n: usize, seed: u64) -> Vec<(NodeIndex, NodeIndex)> {
    let nodes = giant_component(view);
    if nodes.len() < 2 {
        return Vec::new();
    }
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let a = nodes[rng.below(nodes.len() as u64) as usize];
            let mut b = a;
            while b == a {
                b = nodes[rng.below(nodes.len() as u64) as usize];
            }
            (a, b)
        })
        .collect()
}

fn summarize(query: &str, mut times: Vec<Duration>) -> Latency {
    times.sort_unstable();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let at = |q: f64| us(times[((times.len() - 1) as f64 * q).round() as usize]);
    Latency {
        query: query.to_owned(),
        queries: times.len(),
        p50_us: at(0.5),
        p99_us: at(0.99),
        mean_us: times.iter().map(|&d| us(d)).sum::<f64>() / times.len() as f64,
    }
}

fn time_each<T>(pairs: &[(NodeIndex, NodeIndex)], mut f: impl FnMut(NodeIndex, NodeIndex) -> T) -> Vec<Duration> {
    // One warm-up pass so caches and scratch space are sized.
    for &(a, b) in pairs.iter().take(50) {
        std::hint::black_box(f(a, b));
    }
    pairs
        .iter()
        .map(|&(a, b)| {
            let t = Instant::now();
            std::hint::black_box(f(a, b));
            t.elapsed()
        })
        .collect()
}

pub fn run(db_path: &std::path::Path, pairs: usize, k_pairs: usize, seed: u64) -> Result<BenchReport, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let db = kgcore::core::Database::open(db_path, kgcore::OpenMode::ReadOnly)?;
    let view = db.view();
    let open_ms = started.elapsed().as_secs_f64() * 1e3;
    let finder = PathFinder::plain(&view);
    let pair_list = seeded_pairs(&view, pairs.max(1), seed);
    if pair_list.is_empty() {
        return Err("the graph has fewer than two connected nodes".into());
    }
    let t = Instant::now();
    std::hint::black_box(finder.shortest_path(pair_list[0].0, pair_list[0].1)?);
    let first_query_us = t.elapsed().as_secs_f64() * 1e6;

    let mut latencies = Vec::new();
    latencies.push(summarize("shortest_path", time_each(&pair_list, |a, b| finder.shortest_path(a, b))));
    latencies.push(summarize(
        "all_shortest_paths count",
        time_each(&pair_list, |a, b| finder.all_shortest(a, b).expect("known nodes").count()),
    ));
    latencies.push(summarize(
        "all_shortest_paths count + 50 sampled",
        time_each(&pair_list, |a, b| {
            let all = finder.all_shortest(a, b).expect("known nodes");
            (all.count(), all.sample(50, 7))
        }),
    ));
    let k_list = &pair_list[..k_pairs.min(pair_list.len())];
    latencies.push(summarize(
        "k_shortest_paths k=10",
        time_each(k_list, |a, b| finder.k_shortest(a, b, 10, kgcore::query::DEFAULT_MAX_SPUR_SEARCHES)),
    ));
    let names = NameGraph::build(&view);
    let name_pairs: Vec<(u32, u32)> = pair_list
        .iter()
        .filter_map(|&(a, b)| Some((names.id(view.name(a))?, names.id(view.name(b))?)))
        .collect();
    latencies.push(summarize(
        "medreason view all_shortest_paths count + 50 sampled",
        time_each(&name_pairs, |a, b| {
            let all = kgcore::query::paths::all_shortest(&names, Limits::default(), a, b);
            (all.count(), all.sample(50, 7))
        }),
    ));

    // Name index: build, exact lookups, fuzzy lookups of names with one edit.
    let t = Instant::now();
    let index = kgcore::index::NameIndex::build(&view, db.stamp());
    let name_index_build_ms = t.elapsed().as_secs_f64() * 1e3;
    let names: Vec<String> = pair_list.iter().map(|&(a, _)| view.name(a).to_owned()).filter(|n| n.len() > 3).collect();
    let typos: Vec<String> = names.iter().map(|n| {
        let mut c: Vec<char> = n.chars().collect();
        let i = c.len() / 2;
        c.swap(i - 1, i);
        c.into_iter().collect()
    }).collect();
    let mut time_names = |label: &str, list: &[String], f: &dyn Fn(&str) -> usize| {
        let times = list.iter().map(|n| {
            let t = Instant::now();
            std::hint::black_box(f(n));
            t.elapsed()
        }).collect();
        latencies.push(summarize(label, times));
    };
    time_names("name exact lookup", &names, &|n| index.exact(&view, n, None).map_or(0, |v| v.len()));
    time_names("name fuzzy lookup, distance 1", &typos, &|n| index.fuzzy(&view, n, 1, None, 10).map_or(0, |v| v.len()));
    time_names("name fuzzy lookup, distance 2", &typos, &|n| index.fuzzy(&view, n, 2, None, 10).map_or(0, |v| v.len()));

    // Batch throughput: the whole pair list through the parallel batch call, a few rounds.
    let rounds = 5;
    let t = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(finder.shortest_paths(&pair_list)?);
    }
    let batch_pairs_per_second = (rounds * pair_list.len()) as f64 / t.elapsed().as_secs_f64();
    Ok(BenchReport {
        open_ms,
        first_query_us,
        pairs: pair_list.len(),
        seed,
        latencies,
        batch_pairs_per_second,
        threads: rayon_threads(),
        name_index_build_ms,
        names: index.len(),
    })
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}
