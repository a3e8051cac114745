//! Errors of the storage layer. Every message says what was wrong and where.

use std::path::PathBuf;

/// Result alias used across kgcore.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in kg-core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system error on a named path.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// A malformed input row: file, line and what was wrong with it.
    #[error("{file}:{line}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// The line, from 1.
        line: u64,
        /// What was wrong.
        message: String,
    },

    /// Input that is well formed but not acceptable (conflicting node, unknown endpoint, ...).
    #[error("{0}")]
    InvalidInput(String),

    /// A node index that the database does not hold.
    #[error("unknown node {0}")]
    UnknownNode(u32),

    /// A node name, type or relation that the database does not hold.
    #[error("{kind} not found: {name:?}")]
    NotFound {
        /// What was looked for ("node type", "relation", "edge").
        kind: &'static str,
        /// The name given.
        name: String,
    },

    /// No kgcore database lives at this path.
    #[error("kgcore database not found: {0:?}")]
    NoDatabase(PathBuf),

    /// The database has an older storage version; a read-write open migrates it.
    #[error("database at {path} has storage version {found}; open it read-write once to migrate it to {current}")]
    NeedsMigration {
        /// The database.
        path: PathBuf,
        /// Its storage version.
        found: u32,
        /// This kgcore's storage version.
        current: u32,
    },

    /// The database is open for writing elsewhere: another process, or another handle here.
    #[error("database at {0} is locked: it is open read-write elsewhere (in another process, or by another handle in this one); close it there or open this one read-only")]
    Locked(PathBuf),

    /// The database was written by a newer kgcore than this one.
    #[error("database at {path} has storage version {found}, newer than this kgcore supports ({supported}); upgrade kgcore")]
    NewerVersion {
        /// The database.
        path: PathBuf,
        /// Its storage version.
        found: u32,
        /// The newest version this kgcore reads.
        supported: u32,
    },

    /// A stored value or file failed to decode or verify.
    #[error("corruption in {what}: {message}")]
    Corruption {
        /// The file, key or value that failed.
        what: String,
        /// How it failed.
        message: String,
    },

    /// A handle inherited across `fork()` was asked to write: only the process that opened
    /// it may write or close it.
    #[error("the handle to {path} was opened by process {opened_by} and inherited across fork(); it cannot write here (the parent's committed writes would be lost): open the database again in this process")]
    ForkedHandle {
        /// The database.
        path: PathBuf,
        /// The process that opened the handle.
        opened_by: u32,
    },

    /// The operation needs a read-write handle.
    #[error("database is open read-only; reopen it read-write to {0}")]
    ReadOnly(&'static str),

    /// An error reported by the storage engine itself.
    #[error("storage engine: {0}")]
    Storage(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub(crate) fn corruption(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Corruption { what: what.into(), message: message.into() }
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io { source, .. } => source,
            other => std::io::Error::other(other),
        }
    }
}
