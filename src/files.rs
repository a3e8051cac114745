//! The files a database directory holds beside RocksDB's own, and the one rule for where they
//! live. Each is derived data or an attachment, never the truth: the graph is in the store.

use std::path::PathBuf;

use crate::Graph;

/// The persisted CSR view, rewritten by the storage layer whenever writes made it stale.
pub const VIEW_FILE: &str = kg_core::db::VIEW_FILE;
/// The FST name index: derived from the graph, rebuilt whenever it is missing, stale or damaged.
pub const NAME_INDEX_FILE: &str = "names.idx";
/// Node embeddings and their HNSW graph: attached by the user, never rebuilt from the graph.
pub const VECTOR_FILE: &str = "vectors.kgv";

impl Graph {
    /// Where the side file `name` of this database lives; `None` for an in-memory database.
    pub fn side_file(&self, name: &str) -> Option<PathBuf> {
        self.database().path().map(|p| p.join(name))
    }
}
