//! Criterion benches of the set queries, on the graph `common::load` picks: intersection sizes
//! (two hubs, random pairs), typed common neighbours for 100,000 pairs in one parallel call, and
//! the nodes within 2 and 3 hops of the largest hub with each k-hop strategy (the
//! direction-optimising one is the default only because these show it faster).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kgcore::NodeIndex;
use kgcore::core::rng::SplitMix64;
use kgcore::query::sets::{HopSearch, within_hops};
use kgcore::query::{NeighbourFilter, SetIndex, SetOp, SetQueries};

mod common;
use common::load;

fn bench(c: &mut Criterion) {
    let (name, view) = load();
    let t = std::time::Instant::now();
    let index = SetIndex::new(&view);
    eprintln!("{name}: set index built in {:.1} ms, {} hubs", t.elapsed().as_secs_f64() * 1e3, index.hubs(&view).count());
    let q = SetQueries::new(&view, &index);
    let mut by_degree: Vec<NodeIndex> = view.nodes().collect();
    by_degree.sort_unstable_by_key(|&n| std::cmp::Reverse(view.degree(n)));
    let (hub, second) = (by_degree[0], by_degree[1]);
    let open = q.resolve(&NeighbourFilter::default()).unwrap();
    let genes = q.resolve(&NeighbourFilter { node_types: Some(vec!["gene/protein".into()]), ..Default::default() }).ok();
    let nodes: Vec<NodeIndex> = view.nodes().filter(|&v| view.degree(v) > 0).collect();
    let mut rng = SplitMix64::new(3);
    let pairs: Vec<(NodeIndex, NodeIndex)> =
        (0..100_000).map(|_| (nodes[rng.below(nodes.len() as u64) as usize], nodes[rng.below(nodes.len() as u64) as usize])).collect();

    let mut g = c.benchmark_group(&name);
    g.bench_function("intersection size, the two largest hubs", |b| b.iter(|| q.size(hub, second, SetOp::Intersection, &open).unwrap()));
    let mut i = 0usize;
    g.bench_function("intersection size, random pairs", |b| b.iter(|| {
        i = (i + 1) % pairs.len();
        q.size(pairs[i].0, pairs[i].1, SetOp::Intersection, &open).unwrap()
    }));
    if let Some(genes) = &genes {
        g.throughput(Throughput::Elements(pairs.len() as u64));
        g.sample_size(20);
        g.bench_function("common genes, 100k random pairs (parallel)", |b| b.iter(|| q.sizes(&pairs, SetOp::Intersection, genes).unwrap()));
        let hub_pairs: Vec<(NodeIndex, NodeIndex)> = pairs.iter().map(|&(_, b)| (hub, b)).collect();
        g.bench_function("common genes, 100k pairs with the largest hub (parallel)", |b| b.iter(|| q.sizes(&hub_pairs, SetOp::Intersection, genes).unwrap()));
    }
    g.throughput(Throughput::Elements(1));
    g.sample_size(50);
    for k in [2, 3] {
        for (label, strategy) in [("top-down", HopSearch::TopDown), ("direction-optimising", HopSearch::DirectionOptimising)] {
            g.bench_function(format!("within {k} hops of the largest hub, {label}"), |b| b.iter(|| within_hops(&view, view.hubs(), hub, k, strategy).count()));
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
