//! The graph the benches run on: the kg.csv[.gz] named by `KGCORE_BENCH_KG`, else
//! hetionet-partial when `../shared` is present, else a generated PrimeKG-shaped graph.

use std::path::PathBuf;

use kgcore::Graph;
use kgcore::core::GraphView;

/// The graph's name (for the criterion group) and its view.
pub fn load() -> (String, std::sync::Arc<GraphView>) {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/hetionet-partial/kg.csv.gz");
    let (name, file) = match std::env::var_os("KGCORE_BENCH_KG") {
        Some(p) => ("custom".to_owned(), PathBuf::from(p)),
        None if shared.exists() => ("hetionet-partial".to_owned(), shared),
        None => {
            let p = std::env::temp_dir().join(format!("kgcore-bench-{}.csv", std::process::id()));
            let mut f = std::fs::File::create(&p).expect("temp file");
            kgcore::generator::generate_primekg(0.1, 42, &mut f).expect("generate");
            ("generated-0.1".to_owned(), p)
        }
    };
    let graph = Graph::in_memory();
    graph.database().import_files(&[file], None).expect("import");
    (name, graph.view())
}
