//! The vector index file (rows, identities, tombstones, HNSW graph) behind a valid header and
//! checksum, so the fuzzer reaches the decoder itself: an error, or an index whose searches
//! stay in bounds. Read at its own generation (trusted) and at a later one (rows checked
//! against the graph).
#![no_main]

use kg_core::side_file::Stamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let path = std::env::temp_dir().join(format!("kgcore-fuzz-{}.kgv", std::process::id()));
    let stamp = Stamp { database: 1, generation: 1 };
    kg_core::side_file::write(&path, b"KGVECS\0\0", kg_index::VECTOR_INDEX_VERSION, stamp, &[body]).expect("temp file");
    let view = kg_core::GraphView::empty();
    for at in [stamp, Stamp { generation: 2, ..stamp }] {
        let Ok(index) = kg_index::VectorIndex::load_file(&path, &view, at) else { return };
        let q = vec![0.5f32; index.dim()];
        for mode in [kg_index::SearchMode::Exact, kg_index::SearchMode::Approximate { ef: 8 }] {
            let _ = index.search(&view, &q, 5, None, mode);
        }
    }
});
