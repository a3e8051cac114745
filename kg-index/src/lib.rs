//! kg-index: from what a user or an LLM typed to the nodes of that name.
//!
//! [`NameIndex`] maps every normalised node name (Unicode NFKC, case-folded, whitespace
//! collapsed) to all nodes bearing it — names are not unique — through an FST whose values are
//! ordinals into a side table of node lists. Exact, prefix and fuzzy (Levenshtein distance 1–2,
//! by automaton intersection) lookups, each filterable by node type. The index is persisted
//! beside the database as a versioned, checksummed file.
//!
//! [`Dictionary`] finds node names in free text: every name's match key (plurals,
//! punctuation, possessives and spelling folded) in an FST walked word by word, longest
//! names first, with guards against the false matches of clinical text (see `extract.rs`).
//!
//! [`VectorIndex`] holds node embeddings (any dimension, cosine) with exact search, an optional
//! HNSW graph for approximate search (type filter applied during the walk), tombstones and a
//! versioned, checksummed file; [`map_entity`] applies MedReason's mapping rules on top of both.

#![warn(missing_docs)]

mod error;
mod extract;
mod hnsw;
mod names;
mod node_lists;
pub mod npy;
mod simd;
mod vectors;

pub use hnsw::HnswParams;
pub use error::IndexError;
pub use extract::{Dictionary, ExtractOptions, MatchKind, Mention, STOP_WORDS};
pub use names::{Hit, NameIndex, normalize};
pub use vectors::{
    DEFAULT_ACCEPT_SIM, DEFAULT_K, DEFAULT_MIN_SIM, EntityQuery, MapOptions, Mapping, SearchMode, VECTOR_INDEX_VERSION, VectorIndex, map_entities,
    map_entity,
};

/// A graph of named, typed nodes without edges, for the index tests.
#[cfg(test)]
pub(crate) fn named_view(names: &[(&str, &str)]) -> kg_core::GraphView {
    let mut vocab = kg_core::Vocab::default();
    let s = vocab.sources.intern("src", "source").unwrap();
    let nodes = names
        .iter()
        .enumerate()
        .map(|(i, (name, ty))| kg_core::view::NodeRec {
            index: i as u32,
            id: format!("N{i}"),
            node_type: vocab.node_types.intern(ty, "type").unwrap(),
            name: (*name).to_owned(),
            source: s,
        })
        .collect();
    kg_core::GraphView::build(vocab, nodes, &[] as &[kg_core::EdgeRec])
}
