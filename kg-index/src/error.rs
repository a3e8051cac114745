//! Errors of the name and vector indexes. A damaged file is named with the remedy that fits
//! it: a name index is derived data, embeddings are not.

/// Everything that can go wrong in kg-index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// An operating-system error on a named file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file that failed to decode or verify.
    #[error("{path} is corrupt ({reason}); {remedy}")]
    Corrupt {
        /// The file.
        path: String,
        /// What failed.
        reason: String,
        /// What brings the file back.
        remedy: &'static str,
    },
    /// A query or input the index cannot take (unknown node type, bad distance, bad vector).
    #[error("{0}")]
    InvalidQuery(String),
}
