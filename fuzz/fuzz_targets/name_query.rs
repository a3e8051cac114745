//! Name lookups with arbitrary query text on a fixed small index: exact, prefix, fuzzy 1 and 2.
#![no_main]

use std::sync::OnceLock;

use kg_core::GraphView;
use kg_core::view::NodeRec;
use kg_index::NameIndex;
use libfuzzer_sys::fuzz_target;

fn fixture() -> &'static (GraphView, NameIndex) {
    static F: OnceLock<(GraphView, NameIndex)> = OnceLock::new();
    F.get_or_init(|| {
        let mut vocab = kg_core::Vocab::default();
        let s = vocab.sources.intern("s", "source").unwrap();
        let t = vocab.node_types.intern("disease", "t").unwrap();
        let names = ["Heart attack", "Myocardial infarction", "ÅSPIRIN", "angina  pectoris", "ﬁbrosis", "", "a", "日本語"];
        let nodes = names
            .iter()
            .enumerate()
            .map(|(i, n)| NodeRec { index: i as u32, id: format!("N{i}"), node_type: t, name: (*n).to_owned(), source: s })
            .collect();
        let view = GraphView::build(vocab, nodes, &[] as &[kg_core::EdgeRec]);
        let idx = NameIndex::build(&view, kg_core::side_file::Stamp { database: 0, generation: 0 });
        (view, idx)
    })
}

fuzz_target!(|data: &[u8]| {
    let (view, idx) = fixture();
    let text = String::from_utf8_lossy(data);
    let _ = kg_index::normalize(&text);
    let _ = idx.exact(view, &text, None);
    let _ = idx.exact(view, &text, Some("disease"));
    let _ = idx.prefix(view, &text, None, 10);
    for d in [1, 2, 3] {
        if let Ok(hits) = idx.fuzzy(view, &text, d, None, 10) {
            assert!(hits.iter().all(|h| h.distance <= d));
        }
    }
});
