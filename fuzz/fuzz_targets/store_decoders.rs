//! Every decoder of stored bytes: RocksDB keys and values (the adjacency merge included), the
//! view file and the name index file. Arbitrary bytes give a value or an error, never a panic.
#![no_main]

use kg_core::keys;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = keys::decode_node_key(data);
    let _ = keys::decode_edge_key(data);
    let _ = keys::decode_u64(data, "fuzz");
    let _ = keys::decode_u32(data, "fuzz");
    let _ = keys::NodeValue::decode(data, 0);
    // Adjacency values and merges: the bytes as a stored value, and split into merge operands.
    let _ = kg_core::adjacency::decode_key(data);
    let _ = kg_core::adjacency::read_set(&[0; 7], data);
    let split = data.first().map_or(0, |&b| b as usize % (data.len() + 1));
    let (a, b) = data.split_at(split);
    for full in [true, false] {
        let merged = kg_core::adjacency::merge(Some(a), &mut [b, a].into_iter(), full);
        let _ = kg_core::adjacency::Value::decode(&merged);
    }
    let dir = std::env::temp_dir().join(format!("kgcore-fuzz-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // The file's own stamp, where it has one, so that the decoders behind it are reached.
    let stamp = kg_core::side_file::read_stamp(data).unwrap_or(kg_core::side_file::Stamp { database: 0, generation: 0 });
    let view = dir.join("graph.view");
    std::fs::write(&view, data).expect("temp file");
    if let Ok(kg_core::view::LoadedView::Loaded(v)) = kg_core::view::GraphView::load_file(&view, stamp) {
        // A view that loads must answer within bounds.
        for n in v.nodes().take(100) {
            let _ = (v.neighbours(n).len(), v.out_edges(n), v.name(n));
        }
    }
    let names = dir.join("names.idx");
    std::fs::write(&names, data).expect("temp file");
    let _ = kg_index::NameIndex::load_file(&names, stamp);
});
