//! Criterion benches of the `kgcore` crate's text-to-node and import paths on a generated
//! PrimeKG-shaped graph (scale 0.1, ~13k nodes): name lookups through `Graph::search_names`
//! (exact, prefix, fuzzy 1 and 2 edits), vector search through `Graph::search_vectors` (HNSW and
//! exact, 10,000 random 64-dimensional rows), and an import of the generated file into memory.
//! Per-query p50/p99 on the real graph come from `kgcore bench` (docs/benchmarks.md).

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use kgcore::core::rng::SplitMix64;
use kgcore::{Graph, HnswParams, NameMatch, NodeIndex, SearchMode, VectorKind};

fn generated() -> PathBuf {
    let p = std::env::temp_dir().join(format!("kgcore-bench-index-{}.csv", std::process::id()));
    kgcore::generate_file(&p, 0.1, 42).expect("generate");
    p
}

fn bench(c: &mut Criterion) {
    let file = generated();
    let graph = Graph::in_memory();
    graph.database().import_files(std::slice::from_ref(&file), None).expect("import");
    let view = graph.view();
    let nodes: Vec<NodeIndex> = view.nodes().collect();
    let mut rng = SplitMix64::new(3);
    let names: Vec<String> = (0..500).map(|_| view.name(nodes[rng.below(nodes.len() as u64) as usize]).to_owned()).collect();
    // One edit: the middle two letters swapped.
    let typos: Vec<String> = names
        .iter()
        .map(|n| {
            let mut c: Vec<char> = n.chars().collect();
            let m = c.len() / 2;
            if m > 0 {
                c.swap(m - 1, m);
            }
            c.into_iter().collect()
        })
        .collect();
    graph.name_index();

    let mut g = c.benchmark_group("names");
    let mut i = 0usize;
    let mut next = |v: &[String]| {
        i = (i + 1) % v.len();
        v[i].clone()
    };
    g.bench_function("exact", |b| b.iter(|| graph.search_names(&next(&names), NameMatch::Exact, None, 10).unwrap()));
    g.bench_function("prefix (first 4 letters)", |b| {
        b.iter(|| graph.search_names(&next(&names).chars().take(4).collect::<String>(), NameMatch::Prefix, None, 10).unwrap())
    });
    g.bench_function("fuzzy, 1 edit", |b| b.iter(|| graph.search_names(&next(&typos), NameMatch::Fuzzy(1), None, 10).unwrap()));
    g.bench_function("fuzzy, 2 edits", |b| b.iter(|| graph.search_names(&next(&typos), NameMatch::Fuzzy(2), None, 10).unwrap()));
    g.finish();

    let dim = 64;
    let rows: Vec<NodeIndex> = nodes.iter().copied().take(10_000).collect();
    let values: Vec<f32> = (0..rows.len() * dim).map(|_| rng.next_f64() as f32 - 0.5).collect();
    graph.set_vectors(&rows, &values, dim, Some(VectorKind::Hnsw), HnswParams::default()).expect("attach");
    let queries: Vec<Vec<f32>> = (0..200).map(|_| (0..dim).map(|_| rng.next_f64() as f32 - 0.5).collect()).collect();
    let mut g = c.benchmark_group("vectors, 10,000 x 64");
    let mut j = 0usize;
    let mut query = || {
        j = (j + 1) % queries.len();
        &queries[j]
    };
    g.bench_function("HNSW k=10 (ef 64)", |b| b.iter(|| graph.search_vectors(query(), 10, None, SearchMode::Auto).unwrap()));
    g.bench_function("exact k=10", |b| b.iter(|| graph.search_vectors(query(), 10, None, SearchMode::Exact).unwrap()));
    g.finish();

    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    g.bench_function("generated scale 0.1 into memory", |b| {
        b.iter(|| {
            let fresh = Graph::in_memory();
            fresh.database().import_files(std::slice::from_ref(&file), None).unwrap()
        })
    });
    g.finish();
    let _ = std::fs::remove_file(&file);
}

criterion_group!(benches, bench);
criterion_main!(benches);
