//! `kgcore.Graph`: opening, importing, the handle's life cycle (context manager, pickling) and
//! its plain look-ups. The other methods live in the module of their topic.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use kgcore::{Graph, NodeIndex, OpenMode};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::{KgcoreError, to_json, to_py};

/// An open kgcore database. Usable from many threads; pickles as "reopen this path read-only".
#[pyclass(frozen, name = "Graph", module = "kgcore")]
pub(crate) struct PyGraph {
    /// `None` once closed.
    graph: RwLock<Option<Arc<Graph>>>,
    path: Option<PathBuf>,
    read_only: bool,
}

impl PyGraph {
    /// The open graph; a ValueError once `close()` was called (as for a closed file).
    pub(crate) fn graph(&self) -> PyResult<Arc<Graph>> {
        self.graph
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| PyValueError::new_err("the graph is closed"))
    }
}

#[pymethods]
impl PyGraph {
    /// Counts of nodes and stored edges, per type and relation, and degrees.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let graph = self.graph()?;
        let info = py.detach(|| graph.info());
        to_json(py, &info)
    }

    /// The node at `index` as a dict; KeyError if there is none.
    fn node<'py>(&self, py: Python<'py>, index: NodeIndex) -> PyResult<Bound<'py, PyDict>> {
        let view = self.graph()?.view();
        let n = view.node(index).ok_or_else(|| PyKeyError::new_err(format!("unknown node {index}")))?;
        let d = PyDict::new(py);
        d.set_item("index", n.index)?;
        d.set_item("id", n.id)?;
        d.set_item("type", n.node_type)?;
        d.set_item("name", n.name)?;
        d.set_item("source", n.source)?;
        d.set_item("degree", view.degree(index))?;
        Ok(d)
    }

    /// Indices of the nodes named exactly `name` (else ignoring case).
    fn find(&self, py: Python<'_>, name: &str) -> PyResult<Vec<NodeIndex>> {
        let graph = self.graph()?;
        Ok(py.detach(|| graph.find(name)))
    }

    /// Distinct neighbours of `index`, either direction.
    fn neighbours(&self, index: NodeIndex) -> PyResult<Vec<NodeIndex>> {
        let view = self.graph()?.view();
        if !view.contains(index) {
            return Err(PyKeyError::new_err(format!("unknown node {index}")));
        }
        Ok(view.neighbours(index).to_vec())
    }

    #[getter]
    fn path(&self) -> Option<String> {
        self.path.as_ref().map(|p| p.display().to_string())
    }

    #[getter]
    fn read_only(&self) -> bool {
        self.read_only
    }

    /// Closes the database: a read-write handle releases its lock, so another process (or
    /// another `open` in this one) can write. Calls on a closed graph raise ValueError; closing
    /// twice does nothing. Leaving a `with` block closes the graph.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let Some(graph) = self.graph.write().unwrap_or_else(|p| p.into_inner()).take() else { return Ok(()) };
        match Arc::try_unwrap(graph) {
            Ok(graph) => py.detach(|| graph.close()).map_err(to_py),
            Err(shared) => {
                // A call on another thread still holds it: leave it open.
                *self.graph.write().unwrap_or_else(|p| p.into_inner()) = Some(shared);
                Err(KgcoreError::new_err("the graph is in use by another thread; close it when its calls have returned"))
            }
        }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.close(py)
    }

    /// Pickles as "reopen this path read-only", for multiprocessing and Ray workers.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let path = self.path.as_ref().ok_or_else(|| PyValueError::new_err("an in-memory graph cannot be pickled"))?;
        let reopen = py.import("kgcore")?.getattr("_kgcore")?.getattr("_reopen_read_only")?;
        Ok((reopen, (path.display().to_string(),)))
    }

    fn __repr__(&self) -> String {
        match &self.path {
            Some(p) => format!("kgcore.Graph({:?}, read_only={})", p.display().to_string(), if self.read_only() { "True" } else { "False" }),
            None => "kgcore.Graph(in memory)".to_owned(),
        }
    }
}

/// Opens the database at `path` (read-write unless `read_only`).
#[pyfunction]
#[pyo3(signature = (path, *, read_only = false))]
pub(crate) fn open(py: Python<'_>, path: PathBuf, read_only: bool) -> PyResult<PyGraph> {
    let mode = if read_only { OpenMode::ReadOnly } else { OpenMode::ReadWrite };
    let graph = py.detach(|| Graph::open(&path, mode)).map_err(to_py)?;
    Ok(PyGraph { graph: RwLock::new(Some(Arc::new(graph))), path: Some(path), read_only })
}

#[pyfunction]
pub(crate) fn _reopen_read_only(py: Python<'_>, path: PathBuf) -> PyResult<PyGraph> {
    open(py, path, true)
}

/// Imports kg.csv / nodes.csv + edges.csv files (plain or .gz) into the database at `path`,
/// all or nothing, and builds its name index. Returns the import report.
#[pyfunction]
pub(crate) fn import_files<'py>(py: Python<'py>, path: PathBuf, files: Vec<PathBuf>) -> PyResult<Bound<'py, PyAny>> {
    let report = py.detach(|| Graph::import(&path, &files, None)).map_err(to_py)?;
    to_json(py, &report)
}

/// Writes a synthetic PrimeKG-shaped kg.csv (gzip-compressed when `out` ends in `.gz`).
#[pyfunction]
#[pyo3(signature = (out, *, scale = 1.0, seed = 42))]
pub(crate) fn generate<'py>(py: Python<'py>, out: PathBuf, scale: f64, seed: u64) -> PyResult<Bound<'py, PyAny>> {
    let report = py.detach(|| kgcore::generate_file(&out, scale, seed)).map_err(to_py)?;
    to_json(py, &report)
}
