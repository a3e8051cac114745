//! Text the CLI and the Python module parse: `kgcore apply` JSON batches (parsed, then applied
//! to an in-memory database), `.npy` matrices and id lists, node indices, and free text for
//! entity extraction (mentions in order, their offsets cutting out their text).
#![no_main]

use std::sync::OnceLock;

use kg_core::view::NodeRec;
use kg_core::{EdgeRec, GraphView, Vocab};
use kg_index::{Dictionary, ExtractOptions};
use libfuzzer_sys::fuzz_target;

/// Names that exercise the extraction guards: symbols, short and stop-word names, spellings.
fn named() -> &'static (GraphView, Dictionary) {
    static VIEW: OnceLock<(GraphView, Dictionary)> = OnceLock::new();
    VIEW.get_or_init(|| {
        let names = [("WAS", "gene/protein"), ("pain", "effect/phenotype"), ("heart failure", "disease"), ("Oedema", "effect/phenotype"),
                     ("GC", "gene/protein"), ("Alzheimer's disease", "disease"), ("influenza", "disease"), ("T", "gene/protein"), ("ＣＯＶＩＤ-19", "disease")];
        let mut vocab = Vocab::default();
        let s = vocab.sources.intern("src", "source").unwrap();
        let nodes = names
            .iter()
            .enumerate()
            .map(|(i, (name, ty))| NodeRec { index: i as u32, id: format!("N{i}"), node_type: vocab.node_types.intern(ty, "type").unwrap(), name: (*name).into(), source: s })
            .collect();
        let view = GraphView::build(vocab, nodes, &[] as &[EdgeRec]);
        let dictionary = Dictionary::build(&view);
        (view, dictionary)
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (view, dictionary) = named();
        for fuzzy in [false, true] {
            let found = dictionary.extract(view, text, &ExtractOptions { fuzzy, ..Default::default() }).expect("no type filter, no error");
            let chars: Vec<char> = text.chars().collect();
            let mut end = 0;
            for m in found {
                assert!(m.start >= end && m.start < m.end && m.end <= chars.len(), "mentions in order, inside the text");
                assert_eq!(chars[m.start..m.end].iter().collect::<String>(), m.text);
                end = m.end;
            }
        }
    }
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
