//! The exception tree and the one mapping from kgcore's error variants to it. Variants decide
//! the exception class, never message text.

use kgcore::Error;
use kgcore::core::Error as StorageError;
use kgcore::index::IndexError;
use kgcore::query::QueryError;
use pyo3::exceptions::{PyException, PyFileNotFoundError, PyKeyError, PyOSError, PyValueError};
use pyo3::prelude::*;

pyo3::create_exception!(kgcore, KgcoreError, PyException, "Base of kgcore's own errors.");
pyo3::create_exception!(kgcore, LockedError, KgcoreError, "The database is open read-write elsewhere (another process, or another handle in this one).");
pyo3::create_exception!(kgcore, CorruptionError, KgcoreError, "A database or index file failed to decode or verify.");

/// `KeyError` for an unknown node (by index or name) or edge, `ValueError` for bad input
/// (unknown node types and relations included), `FileNotFoundError` and `OSError` for files,
/// `LockedError` and `CorruptionError`, else `KgcoreError`.
pub fn to_py(e: impl Into<Error>) -> PyErr {
    let e = e.into();
    let text = e.to_string();
    match e {
        Error::Storage(e) => match e {
            StorageError::NoDatabase(_) => PyFileNotFoundError::new_err(text),
            StorageError::UnknownNode(_) | StorageError::NotFound { .. } => PyKeyError::new_err(text),
            StorageError::Parse { .. } | StorageError::InvalidInput(_) | StorageError::NeedsMigration { .. } => PyValueError::new_err(text),
            StorageError::Io { source, .. } => PyOSError::new_err((source.raw_os_error().unwrap_or(0), text)),
            StorageError::Locked(_) => LockedError::new_err(text),
            StorageError::Corruption { .. } => CorruptionError::new_err(text),
            _ => KgcoreError::new_err(text),
        },
        Error::Io { source, .. } => PyOSError::new_err((source.raw_os_error().unwrap_or(0), text)),
        Error::Query(QueryError::UnknownNode(_) | QueryError::UnknownNodeName(_)) => PyKeyError::new_err(text),
        Error::Query(_) => PyValueError::new_err(text),
        Error::Index(IndexError::Io { .. }) => PyOSError::new_err(text),
        Error::Index(IndexError::Corrupt { .. }) => CorruptionError::new_err(text),
        Error::Index(_) => PyValueError::new_err(text),
        Error::UnknownName(_) | Error::UnresolvedTerms(_) => PyKeyError::new_err(text),
        Error::NoEmbeddings | Error::InvalidArgument(_) => PyValueError::new_err(text),
        _ => KgcoreError::new_err(text),
    }
}

/// An error about the `i`th item of a batch: same exception class, position named.
pub fn at(py: Python<'_>, e: impl Into<Error>, i: usize) -> PyErr {
    at_item(py, to_py(e), "entity", i)
}

/// `err`, raised about the `i`th `what` of a batch: same exception class, position named.
pub fn at_item(py: Python<'_>, err: PyErr, what: &str, i: usize) -> PyErr {
    let msg = format!("{what} {i}: {}", err.value(py));
    PyErr::from_type(err.get_type(py), msg)
}

/// JSON-shaped Rust values (reports) as Python dicts and lists.
pub fn to_json<'py>(py: Python<'py>, v: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v).map_err(|e| KgcoreError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}
