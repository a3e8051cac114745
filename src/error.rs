//! One error type for everything a [`crate::Graph`] does, keeping the part that failed.

/// What can go wrong through the facade: the part's own error, unchanged, or a misuse of the
/// facade itself. Bindings map these variants (never their text) to their own error types.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Storage: opening, importing, updating, checking.
    #[error(transparent)]
    Storage(#[from] kg_core::Error),
    /// A path query.
    #[error(transparent)]
    Query(#[from] kg_query::QueryError),
    /// The name or vector index.
    #[error(transparent)]
    Index(#[from] kg_index::IndexError),
    /// A name that no node of MedReason's name graph bears.
    #[error("no node named {0:?} (case-insensitive)")]
    UnknownName(String),
    /// A call that needs embeddings on a database that has none attached.
    #[error("no embeddings are attached to this database (attach them with set_vectors or `kgcore embed-import`)")]
    NoEmbeddings,
    /// A file the facade reads or writes itself (a QA file, a grounded output).
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Terms ([`crate::Graph::resolve_all`]) that name no single node: each with why.
    #[error("no single node for: {}", .0.join("; "))]
    UnresolvedTerms(Vec<String>),
    /// Arguments that do not fit together.
    #[error("{0}")]
    InvalidArgument(String),
}

/// Result alias of the facade.
pub type Result<T, E = Error> = std::result::Result<T, E>;
