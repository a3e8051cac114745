//! kg-index: from what a user or an LLM typed to the nodes of that name.
//!
//! [`NameIndex`] maps every normalised node name (Unicode NFKC, case-folded, whitespace
//! collapsed) to all nodes bearing it — names are not unique — through an FST whose values are
//! ordinals into a side table of node lists. Exact, prefix and fuzzy (Levenshtein distance 1–2,
//! by automaton intersection) lookups, each filterable by node type. The index is persisted
//! beside the database as a versioned, checksummed file.

mod names;

pub use names::{Hit, IndexError, NameIndex, normalize};
