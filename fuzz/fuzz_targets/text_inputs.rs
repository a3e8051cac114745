//! Text the CLI and the Python module parse: `kgcore apply` JSON batches (parsed, then applied
//! to an in-memory database), `.npy` matrices and id lists, and node indices.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz-input");
    let _ = kg_index::npy::parse_matrix(path, data);
    let _ = kg_index::npy::parse_ids(path, data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = kg_core::load::parse_index(text);
    }
    if let Ok(batch) = serde_json::from_slice::<kg_core::Batch>(data) {
        let db = kg_core::Database::in_memory();
        if db.apply(&batch).is_ok() {
            db.check().expect("an applied batch leaves a consistent database");
        }
    }
});
