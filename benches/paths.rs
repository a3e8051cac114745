//! Criterion benches of the path queries, on the graph `common::load` picks.
//! Each iteration answers one pair of a fixed seeded list of 500, cycling.
//! Per-query p50/p99 come from `kgcore bench` (see docs/benchmarks.md).

use criterion::{Criterion, criterion_group, criterion_main};
use kgcore::core::GraphView;
use kgcore::core::rng::SplitMix64;
use kgcore::{NodeIndex, PathFinder};

mod common;
use common::load;

fn pairs(view: &GraphView, n: usize) -> Vec<(NodeIndex, NodeIndex)> {
    // Nodes with at least one neighbour; most lie in the giant component.
    let nodes: Vec<NodeIndex> = view.nodes().filter(|&v| view.degree(v) > 0).collect();
    let mut rng = SplitMix64::new(1);
    (0..n).map(|_| (nodes[rng.below(nodes.len() as u64) as usize], nodes[rng.below(nodes.len() as u64) as usize])).collect()
}

fn bench(c: &mut Criterion) {
    let (name, view) = load();
    let finder = PathFinder::plain(&view);
    let pairs = pairs(&view, 500);
    let mut g = c.benchmark_group(name);
    let mut i = 0usize;
    let mut next = || {
        i = (i + 1) % pairs.len();
        pairs[i]
    };
    g.bench_function("shortest_path", |b| b.iter(|| {
        let (s, t) = next();
        finder.shortest_path(s, t).unwrap()
    }));
    g.bench_function("all_shortest count + 50 sampled", |b| b.iter(|| {
        let (s, t) = next();
        let all = finder.all_shortest(s, t).unwrap();
        (all.count(), all.sample(50, 7))
    }));
    g.sample_size(20);
    g.bench_function("k_shortest k=10", |b| b.iter(|| {
        let (s, t) = next();
        finder.k_shortest(s, t, 10, kgcore::query::DEFAULT_MAX_SPUR_SEARCHES).unwrap()
    }));
    g.bench_function("batch 500 shortest paths (parallel)", |b| b.iter(|| finder.shortest_paths(&pairs).unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
