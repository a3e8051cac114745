//! The vector index file (rows, tombstones, HNSW graph) behind a valid header and checksum, so
//! the fuzzer reaches the decoder itself: an error, or an index whose searches stay in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let mut file = b"KGVECS\0\0".to_vec();
    file.extend_from_slice(&2u32.to_le_bytes());
    file.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    file.extend_from_slice(body);
    let path = std::env::temp_dir().join(format!("kgcore-fuzz-{}.kgv", std::process::id()));
    std::fs::write(&path, &file).expect("temp file");
    let Ok(index) = kg_index::VectorIndex::load_file(&path) else { return };
    let view = kg_core::GraphView::empty();
    let q = vec![0.5f32; index.dim()];
    for mode in [kg_index::SearchMode::Exact, kg_index::SearchMode::Approximate { ef: 8 }] {
        let _ = index.search(&view, &q, 5, None, mode);
    }
});
