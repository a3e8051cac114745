//! The CSV importer on arbitrary bytes (plain, or gzip when they start with its magic):
//! an error naming file:line, or a graph, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("kgcore-fuzz-{}.csv", std::process::id()));
    std::fs::write(&path, data).expect("temp file");
    if let Ok(g) = kg_core::load::load_files(std::slice::from_ref(&path), kg_core::Vocab::default(), [], None) {
        // What loads must be consistent: every edge between loaded nodes.
        let known: std::collections::HashSet<u32> = g.nodes.iter().map(|n| n.index).collect();
        assert!(g.edges.iter().all(|e| known.contains(&e.source) && known.contains(&e.target)));
    }
});
