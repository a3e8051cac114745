//! The `kgcore` Python module: a thin layer over kg-core and kg-query. Every call that touches
//! the graph copies its inputs out of Python and runs detached from the interpreter, so threads
//! and workers run in parallel.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use kg_core::{Database, NodeIndex, OpenMode};
use kg_query::{Constraints, PathFinder, QueryError};
use std::sync::{OnceLock, RwLock};

use kg_index::{Mapping, NameIndex, VECTOR_FILE, VectorIndex};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyFileNotFoundError, PyKeyError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

pyo3::create_exception!(kgcore, KgcoreError, pyo3::exceptions::PyException, "Base of kgcore's own errors.");
pyo3::create_exception!(kgcore, LockedError, KgcoreError, "The database is open read-write in another process.");
pyo3::create_exception!(kgcore, CorruptionError, KgcoreError, "A database or index file failed to decode or verify.");

/// Maps each storage error to the Python exception a caller would expect.
fn core_err(e: kg_core::Error) -> PyErr {
    use kg_core::Error as E;
    let text = e.to_string();
    match e {
        E::NotFound { kind: "kgcore database", .. } => PyFileNotFoundError::new_err(text),
        E::UnknownNode(_) | E::NotFound { .. } => PyKeyError::new_err(text),
        E::Parse { .. } | E::InvalidInput(_) => PyValueError::new_err(text),
        E::Io { source, .. } => PyOSError::new_err((source.raw_os_error().unwrap_or(0), text)),
        E::Locked(_) => LockedError::new_err(text),
        E::Corruption { .. } => CorruptionError::new_err(text),
        _ => KgcoreError::new_err(text),
    }
}

fn query_err(e: QueryError) -> PyErr {
    let text = e.to_string();
    match e {
        QueryError::UnknownNode(_) | QueryError::UnknownName { .. } => PyKeyError::new_err(text),
        _ => PyValueError::new_err(text),
    }
}

fn to_json<'py>(py: Python<'py>, v: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v).map_err(|e| KgcoreError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// An open kgcore database. Usable from many threads; pickles as "reopen this path read-only".
#[pyclass(frozen, name = "Graph", module = "kgcore")]
struct PyGraph {
    db: Arc<Database>,
    path: Option<PathBuf>,
    /// Built on first use, for the database generation it was built at.
    names: RwLock<Option<Arc<NameIndex>>>,
    vectors: RwLock<Option<Arc<VectorIndex>>>,
    vectors_loaded: OnceLock<()>,
    /// MedReason's name graph, with the database generation it was built at.
    name_graph: RwLock<Option<(u64, Arc<kg_query::NameGraph>)>>,
}

/// An entity mapping as Python sees it: `(kind, [(node, similarity)])`.
type MappingTuple = (&'static str, Vec<(NodeIndex, f32)>);

/// One pair of a many-to-many answer: (source, target, distance, count, paths).
type PairTuple = (NodeIndex, NodeIndex, Option<u32>, u128, Vec<Vec<NodeIndex>>);

fn index_err(e: kg_index::IndexError) -> PyErr {
    let text = e.to_string();
    match e {
        kg_index::IndexError::Io { .. } => PyOSError::new_err(text),
        kg_index::IndexError::Corrupt { .. } => CorruptionError::new_err(text),
        _ => PyValueError::new_err(text),
    }
}

/// An index error about the `i`th entity of a batch, same exception class, position named.
fn index_err_at(py: Python<'_>, e: kg_index::IndexError, i: usize) -> PyErr {
    let err = index_err(e);
    let msg = format!("entity {i}: {}", err.value(py));
    PyErr::from_type(err.get_type(py), msg)
}

/// Ctrl-C for work running on the calling thread without the GIL: `interrupted()` re-attaches
/// at most every 20 ms to let Python run its signal handlers (only the main thread receives
/// them) and keeps the KeyboardInterrupt for `finish`. Work that checks it between chunks or
/// spur searches stops within one; nothing moves to another thread, so a call pays nothing
/// for it but a clock read per check.
struct SignalPoll {
    last: Instant,
    raised: Option<PyErr>,
}

impl SignalPoll {
    const EVERY: Duration = Duration::from_millis(20);

    fn new() -> Self {
        SignalPoll { last: Instant::now(), raised: None }
    }

    fn interrupted(&mut self) -> bool {
        if self.raised.is_some() {
            return true;
        }
        if self.last.elapsed() < Self::EVERY {
            return false;
        }
        self.last = Instant::now();
        self.raised = Python::attach(|py| py.check_signals()).err();
        self.raised.is_some()
    }

    /// The answer, or the KeyboardInterrupt (or other handler error) that stopped it.
    fn finish<T>(self, v: T) -> PyResult<T> {
        match self.raised {
            Some(e) => Err(e),
            None => Ok(v),
        }
    }
}

/// Runs `work`, which cannot check for interrupts itself (an HNSW build), on the worker pool
/// while the caller waits without the GIL, waking every 50 ms to let Python run its signal
/// handlers: Ctrl-C raises KeyboardInterrupt at once, and the answer that still arrives is
/// dropped, so the call has no effect.
fn interruptible<T: Send + 'static>(py: Python<'_>, work: impl FnOnce() -> T + Send + 'static) -> PyResult<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rayon::spawn(move || {
        // A panic must not reach the pool (it would abort the process): the caller sees the
        // channel close instead and raises KgcoreError.
        if let Ok(v) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
            let _ = tx.send(v);
        }
    });
    py.detach(move || {
        loop {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(v) => return Ok(v),
                Err(RecvTimeoutError::Timeout) => Python::attach(|py| py.check_signals())?,
                Err(RecvTimeoutError::Disconnected) => return Err(KgcoreError::new_err("the vector index build failed")),
            }
        }
    })
}

/// Work items per chunk of a batch call, between checks of the interrupt flag.
const CHUNK: usize = 16_384;

fn search_mode(exact: bool, ef: Option<usize>) -> kg_index::SearchMode {
    match (exact, ef) {
        (true, _) => kg_index::SearchMode::Exact,
        (false, Some(ef)) => kg_index::SearchMode::Approximate { ef },
        (false, None) => kg_index::SearchMode::Auto,
    }
}

fn mapping_tuple(m: Mapping) -> MappingTuple {
    match m {
        Mapping::Exact(nodes) => ("exact", nodes.into_iter().map(|n| (n, 1.0)).collect()),
        Mapping::Similar { node, similarity } => ("similar", vec![(node, similarity)]),
        Mapping::Ambiguous(c) => ("ambiguous", c),
        Mapping::None => ("none", Vec::new()),
    }
}

impl PyGraph {
    fn new(db: Database, path: Option<PathBuf>) -> Self {
        PyGraph {
            db: Arc::new(db),
            path,
            names: RwLock::new(None),
            vectors: RwLock::new(None),
            vectors_loaded: OnceLock::new(),
            name_graph: RwLock::new(None),
        }
    }

    fn name_index(&self) -> Arc<NameIndex> {
        let generation = self.db.generation();
        if let Some(idx) = self.names.read().unwrap_or_else(|p| p.into_inner()).as_ref()
            && idx.generation() == generation
        {
            return Arc::clone(idx);
        }
        let idx = Arc::new(NameIndex::build(&self.db.view(), generation));
        *self.names.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&idx));
        idx
    }

    /// MedReason's graph over lowercased names: built once per database generation (a whole
    /// pass over the edges), shared by every later call.
    fn name_graph(&self) -> Arc<kg_query::NameGraph> {
        let generation = self.db.generation();
        if let Some((g, graph)) = self.name_graph.read().unwrap_or_else(|p| p.into_inner()).as_ref()
            && *g == generation
        {
            return Arc::clone(graph);
        }
        let graph = Arc::new(kg_query::NameGraph::build(&self.db.view()));
        *self.name_graph.write().unwrap_or_else(|p| p.into_inner()) = Some((generation, Arc::clone(&graph)));
        graph
    }

    fn vector_index(&self) -> PyResult<Option<Arc<VectorIndex>>> {
        if self.vectors_loaded.get().is_none() {
            if let Some(p) = self.path.as_ref().map(|p| p.join(VECTOR_FILE)).filter(|p| p.exists()) {
                let idx = VectorIndex::load_file(&p).map_err(index_err)?;
                *self.vectors.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(idx));
            }
            let _ = self.vectors_loaded.set(());
        }
        Ok(self.vectors.read().unwrap_or_else(|p| p.into_inner()).clone())
    }
}

#[allow(clippy::too_many_arguments)]
fn constraints(
    directed: bool,
    node_types: Option<Vec<String>>,
    exclude_node_types: Option<Vec<String>>,
    relations: Option<Vec<String>>,
    exclude_relations: Option<Vec<String>>,
    exclude_nodes: Option<Vec<NodeIndex>>,
    max_hops: Option<u32>,
    max_degree: Option<usize>,
) -> Constraints {
    Constraints {
        directed,
        node_types,
        exclude_node_types: exclude_node_types.unwrap_or_default(),
        relations,
        exclude_relations: exclude_relations.unwrap_or_default(),
        exclude_nodes: exclude_nodes.unwrap_or_default(),
        max_hops,
        max_degree,
    }
}

#[pymethods]
impl PyGraph {
    /// Counts of nodes and stored edges, per type and relation, and degrees.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let info = py.detach(|| self.db.info());
        to_json(py, &info)
    }

    /// The node at `index` as a dict; KeyError if there is none.
    fn node<'py>(&self, py: Python<'py>, index: NodeIndex) -> PyResult<Bound<'py, PyDict>> {
        let view = self.db.view();
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
    fn find(&self, py: Python<'_>, name: &str) -> Vec<NodeIndex> {
        let view = self.db.view();
        let name = name.to_owned();
        py.detach(|| kg_query::resolve::find_by_name(&view, &name))
    }

    /// Distinct neighbours of `index`, either direction.
    fn neighbours(&self, index: NodeIndex) -> PyResult<Vec<NodeIndex>> {
        let view = self.db.view();
        if !view.contains(index) {
            return Err(PyKeyError::new_err(format!("unknown node {index}")));
        }
        Ok(view.neighbours(index).to_vec())
    }

    /// One shortest path as node indices, or None when unreachable.
    #[pyo3(signature = (source, target, *, directed = false, node_types = None, exclude_node_types = None,
        relations = None, exclude_relations = None, exclude_nodes = None, max_hops = None, max_degree = None))]
    #[allow(clippy::too_many_arguments)]
    fn shortest_path(
        &self, py: Python<'_>, source: NodeIndex, target: NodeIndex, directed: bool, node_types: Option<Vec<String>>,
        exclude_node_types: Option<Vec<String>>, relations: Option<Vec<String>>, exclude_relations: Option<Vec<String>>,
        exclude_nodes: Option<Vec<NodeIndex>>, max_hops: Option<u32>, max_degree: Option<usize>,
    ) -> PyResult<Option<Vec<NodeIndex>>> {
        let c = constraints(directed, node_types, exclude_node_types, relations, exclude_relations, exclude_nodes, max_hops, max_degree);
        let view = self.db.view();
        py.detach(|| {
            let f = PathFinder::new(&view, &c)?;
            f.shortest_path(source, target)
        })
        .map_err(query_err)
    }

    /// All shortest paths: `(distance, count, paths)` with at most `limit` paths listed, or a
    /// uniform sample of `sample` paths drawn with `seed`. `distance` is None without a path.
    /// Takes the constraints of `shortest_path`.
    #[pyo3(signature = (source, target, *, limit = 1000, sample = None, seed = 0, directed = false, node_types = None,
        exclude_node_types = None, relations = None, exclude_relations = None, exclude_nodes = None, max_hops = None,
        max_degree = None))]
    #[allow(clippy::too_many_arguments)]
    fn all_shortest_paths(
        &self, py: Python<'_>, source: NodeIndex, target: NodeIndex, limit: usize, sample: Option<usize>, seed: u64,
        directed: bool, node_types: Option<Vec<String>>, exclude_node_types: Option<Vec<String>>, relations: Option<Vec<String>>,
        exclude_relations: Option<Vec<String>>, exclude_nodes: Option<Vec<NodeIndex>>, max_hops: Option<u32>,
        max_degree: Option<usize>,
    ) -> PyResult<(Option<u32>, u128, Vec<Vec<NodeIndex>>)> {
        let c = constraints(directed, node_types, exclude_node_types, relations, exclude_relations, exclude_nodes, max_hops, max_degree);
        let view = self.db.view();
        py.detach(|| {
            let f = PathFinder::new(&view, &c)?;
            let all = f.all_shortest(source, target)?;
            let paths = match sample {
                Some(n) => all.sample(n, seed),
                None => all.paths().take(limit).collect(),
            };
            Ok((all.distance, all.count(), paths))
        })
        .map_err(query_err)
    }

    /// The k shortest loopless paths, shortest first. Yen's spur searches are bounded by
    /// `max_searches`; with `report=True` the answer is `(paths, truncated)`, `truncated` telling
    /// that the bound stopped the search before k paths were proven.
    #[pyo3(signature = (source, target, k, *, max_searches = 20000, report = false))]
    #[allow(clippy::too_many_arguments)]
    fn k_shortest_paths<'py>(
        &self, py: Python<'py>, source: NodeIndex, target: NodeIndex, k: usize, max_searches: usize, report: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let view = self.db.view();
        let (r, poll) = py.detach(|| {
            let mut poll = SignalPoll::new();
            let r = PathFinder::plain(&view).k_shortest_until(source, target, k, max_searches, &mut || poll.interrupted());
            (r, poll)
        });
        let r = poll.finish(r)?.map_err(query_err)?;
        if report { Ok((r.paths, r.truncated).into_pyobject(py)?.into_any()) } else { r.paths.into_pyobject(py) }
    }

    /// Nodes within `hops` of `seeds` and the stored edges among them:
    /// `([(node, hops)], [(source, target, relation)], truncated)`, at most `max_nodes` nodes
    /// and `max_edges` edges; `truncated` tells that a limit cut the answer short.
    #[pyo3(signature = (seeds, hops, *, max_nodes = 10_000, max_edges = 100_000))]
    #[allow(clippy::type_complexity)]
    fn neighbourhood(
        &self, py: Python<'_>, seeds: Vec<NodeIndex>, hops: u32, max_nodes: usize, max_edges: usize,
    ) -> PyResult<(Vec<(NodeIndex, u32)>, Vec<(NodeIndex, NodeIndex, String)>, bool)> {
        let view = self.db.view();
        let r = py.detach(|| PathFinder::plain(&view).neighbourhood(&seeds, hops, max_nodes, max_edges)).map_err(query_err)?;
        let vocab = view.vocab();
        let edges = r.edges.iter().map(|e| (e.source, e.target, vocab.label_relation(e.label).to_owned())).collect();
        Ok((r.nodes, edges, r.truncated))
    }

    /// Distances for an (N, 2) integer array of pairs, in parallel; -1 where unreachable.
    fn distances<'py>(&self, py: Python<'py>, pairs: PyReadonlyArray2<'py, i64>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let arr = pairs.as_array();
        if arr.ncols() != 2 {
            return Err(PyValueError::new_err(format!("pairs must have shape (N, 2), got {:?}", arr.shape())));
        }
        let mut list = Vec::with_capacity(arr.nrows());
        for (i, row) in arr.rows().into_iter().enumerate() {
            let conv = |v: i64| NodeIndex::try_from(v).map_err(|_| PyValueError::new_err(format!("pairs[{i}]: {v} is not a node index")));
            list.push((conv(row[0])?, conv(row[1])?));
        }
        let view = self.db.view();
        let (out, poll) = py.detach(|| {
            let mut poll = SignalPoll::new();
            let finder = PathFinder::plain(&view);
            let mut out = Vec::with_capacity(list.len());
            for chunk in list.chunks(CHUNK) {
                if poll.interrupted() {
                    break;
                }
                match finder.distances(chunk) {
                    Ok(d) => out.extend(d.into_iter().map(|d| d.map_or(-1, i64::from))),
                    Err(e) => return (Err(e), poll),
                }
            }
            (Ok(out), poll)
        });
        Ok(poll.finish(out)?.map_err(query_err)?.into_pyarray(py))
    }

    /// MedReason's query on MedReason's graph (a node per lowercased name): for every question
    /// entity x answer entity name, the shortest paths as lists of names, at most `max_paths`
    /// per pair (sampled with `seed`). Missing names and unreachable pairs are left out, as
    /// MedReason does.
    #[pyo3(signature = (question, answer, *, max_paths = 50, seed = 0))]
    fn medreason_paths(&self, py: Python<'_>, question: Vec<String>, answer: Vec<String>, max_paths: usize, seed: u64) -> PyResult<Vec<Vec<Vec<String>>>> {
        let (out, poll) = py.detach(|| {
            let g = self.name_graph();
            let mut poll = SignalPoll::new();
            let mut out = Vec::new();
            for q in &question {
                for a in &answer {
                    if poll.interrupted() {
                        return (out, poll);
                    }
                    let (Some(s), Some(t)) = (g.id(q), g.id(a)) else { continue };
                    let all = kg_query::paths::all_shortest(&*g, kg_query::Limits::default(), s, t);
                    if all.distance.is_none() {
                        continue;
                    }
                    out.push(all.sample(max_paths, seed).iter().map(|p| p.iter().map(|&n| g.name(n).to_owned()).collect()).collect());
                }
            }
            (out, poll)
        });
        poll.finish(out)
    }

    /// A path in the labelled form `Fever (effect/phenotype) -[indication]- Ceftriaxone (drug)`.
    fn render_labelled(&self, path: Vec<NodeIndex>) -> PyResult<String> {
        let view = self.db.view();
        if let Some(&bad) = path.iter().find(|&&n| !view.contains(n)) {
            return Err(PyKeyError::new_err(format!("unknown node {bad}")));
        }
        if path.is_empty() {
            return Err(PyValueError::new_err("empty path"));
        }
        Ok(kg_query::render::labelled(&view, &kg_query::Compiled::open(), &path))
    }

    /// Nodes by name, normalised (case, width, spacing): exact, or `prefix`, or within `fuzzy`
    /// edits (1 or 2). Returns `[(name, distance, [node indices])]`, closest first.
    #[pyo3(signature = (text, *, node_type = None, fuzzy = 0, prefix = false, limit = 20))]
    fn search_names(&self, py: Python<'_>, text: &str, node_type: Option<String>, fuzzy: u8, prefix: bool, limit: usize) -> PyResult<Vec<(String, u8, Vec<NodeIndex>)>> {
        let text = text.to_owned();
        py.detach(|| {
            let idx = self.name_index();
            let view = self.db.view();
            let t = node_type.as_deref();
            let hits = if fuzzy > 0 {
                idx.fuzzy(&view, &text, fuzzy, t, limit)?
            } else if prefix {
                idx.prefix(&view, &text, t, limit)?
            } else {
                let nodes = idx.exact(&view, &text, t)?;
                if nodes.is_empty() { Vec::new() } else { vec![kg_index::Hit { key: kg_index::normalize(&text), distance: 0, nodes }] }
            };
            Ok(hits.into_iter().map(|h| (h.key, h.distance, h.nodes)).collect())
        })
        .map_err(index_err)
    }

    /// Attaches embeddings: `vectors` is a float32 array of shape (len(ids), dim), one row per
    /// node index in `ids` (replacing earlier rows of those nodes). `index="hnsw"` keeps an HNSW
    /// graph (settings `m`, `ef_construction`, `ef_search`) extended on every call; `"exact"`
    /// keeps rows only. Without `index`, an existing index keeps its kind and a new one is
    /// HNSW; rows of another dimension or kind replace the old index. Saved beside the
    /// database when it is open read-write. Returns the number of live rows.
    #[pyo3(signature = (ids, vectors, *, index = None, m = 16, ef_construction = 200, ef_search = 64))]
    #[allow(clippy::too_many_arguments)]
    fn set_vectors(
        &self, py: Python<'_>, ids: PyReadonlyArray1<'_, i64>, vectors: PyReadonlyArray2<'_, f32>, index: Option<&str>, m: usize,
        ef_construction: usize, ef_search: usize,
    ) -> PyResult<usize> {
        let arr = vectors.as_array();
        let (n, dim) = (arr.nrows(), arr.ncols());
        let ids: Vec<NodeIndex> = ids
            .as_array()
            .iter()
            .enumerate()
            .map(|(i, &v)| NodeIndex::try_from(v).map_err(|_| PyValueError::new_err(format!("ids[{i}] = {v} is not a node index"))))
            .collect::<PyResult<_>>()?;
        if ids.len() != n {
            return Err(PyValueError::new_err(format!("{} ids for {n} vectors", ids.len())));
        }
        let params = kg_index::HnswParams { m, ef_construction, ef_search, ..Default::default() };
        let current = self.vector_index()?;
        let want_graph = match index {
            None => current.as_deref().is_none_or(|c| c.hnsw_params().is_some()),
            Some("hnsw") => true,
            Some("exact") => false,
            Some(other) => return Err(PyValueError::new_err(format!("index must be \"hnsw\" or \"exact\", got {other:?}"))),
        };
        let flat: Vec<f32> = arr.iter().copied().collect();
        let view = self.db.view();
        // Built on a worker (Ctrl-C drops it unused), then saved and installed here.
        let idx = interruptible(py, move || {
            let mut idx = match current.as_deref() {
                Some(c) if c.dim() == dim && c.hnsw_params().is_some() == want_graph => c.clone(),
                _ if want_graph => VectorIndex::with_hnsw(dim, params)?,
                _ => VectorIndex::new(dim)?,
            };
            idx.add(&view, &ids, &flat)?;
            Ok(idx)
        })?
        .map_err(index_err)?;
        py.detach(|| {
            if let Some(p) = &self.path
                && self.db.mode() == OpenMode::ReadWrite
            {
                idx.write_file(&p.join(VECTOR_FILE))?;
            }
            let len = idx.len();
            *self.vectors.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(idx));
            Ok(len)
        })
        .map_err(index_err)
    }

    /// The `k` nodes whose embeddings are most cosine-similar to `query`, optionally of one
    /// type: `[(node, similarity)]`, best first. Through the HNSW graph when there is one
    /// (`ef` widens its search), exactly with `exact=True`.
    #[pyo3(signature = (query, k = 10, *, node_type = None, exact = false, ef = None))]
    fn search_vectors(
        &self, py: Python<'_>, query: PyReadonlyArray1<'_, f32>, k: usize, node_type: Option<String>, exact: bool, ef: Option<usize>,
    ) -> PyResult<Vec<(NodeIndex, f32)>> {
        let q: Vec<f32> = query.as_array().iter().copied().collect();
        let idx = self.vector_index()?.ok_or_else(|| PyValueError::new_err("no embeddings attached: call set_vectors first"))?;
        let mode = search_mode(exact, ef);
        py.detach(|| idx.search(&self.db.view(), &q, k, node_type.as_deref(), mode)).map_err(index_err)
    }

    /// MedReason's entity mapping: `("exact", [(node, 1.0)...])` for a name equal ignoring case,
    /// else `("similar", [(node, sim)])` when the best embedding match exceeds `accept_sim`, else
    /// `("ambiguous", candidates above min_sim)`, else `("none", [])`.
    #[pyo3(signature = (text, vector = None, *, node_type = None, k = 10, min_sim = 0.7, accept_sim = 0.85, exact = false))]
    #[allow(clippy::too_many_arguments)]
    fn map_entity(
        &self, py: Python<'_>, text: &str, vector: Option<PyReadonlyArray1<'_, f32>>, node_type: Option<String>, k: usize,
        min_sim: f32, accept_sim: f32, exact: bool,
    ) -> PyResult<MappingTuple> {
        let v: Option<Vec<f32>> = vector.map(|a| a.as_array().iter().copied().collect());
        let vectors = self.vector_index()?;
        if v.is_some() && vectors.is_none() {
            return Err(PyValueError::new_err("a vector was given but no embeddings are attached: call set_vectors first"));
        }
        let opts = kg_index::MapOptions { k, min_sim, accept_sim, mode: search_mode(exact, None) };
        let text = text.to_owned();
        let mapping = py
            .detach(|| {
                let names = self.name_index();
                let e = kg_index::EntityQuery { text: &text, vector: v.as_deref(), node_type: node_type.as_deref() };
                kg_index::map_entity(&self.db.view(), &names, vectors.as_deref(), e, &opts)
            })
            .map_err(index_err)?;
        Ok(mapping_tuple(mapping))
    }

    /// `map_entity` for many entities at once, on all cores: `vectors` (optional) is a float32
    /// array with one row per text; `node_types` one type (or None) per text, or None. Returns
    /// one `(kind, candidates)` per text, in order; the first failing entity raises, naming
    /// its position.
    #[pyo3(signature = (texts, vectors = None, *, node_types = None, k = 10, min_sim = 0.7, accept_sim = 0.85, exact = false))]
    #[allow(clippy::too_many_arguments)]
    fn map_entities(
        &self, py: Python<'_>, texts: Vec<String>, vectors: Option<PyReadonlyArray2<'_, f32>>, node_types: Option<Vec<Option<String>>>,
        k: usize, min_sim: f32, accept_sim: f32, exact: bool,
    ) -> PyResult<Vec<MappingTuple>> {
        let rows: Option<(usize, Vec<f32>)> = match &vectors {
            Some(a) => {
                let a = a.as_array();
                if a.nrows() != texts.len() {
                    return Err(PyValueError::new_err(format!("{} texts but {} vector rows", texts.len(), a.nrows())));
                }
                Some((a.ncols(), a.iter().copied().collect()))
            }
            None => None,
        };
        if let Some(t) = &node_types
            && t.len() != texts.len()
        {
            return Err(PyValueError::new_err(format!("{} texts but {} node types", texts.len(), t.len())));
        }
        let index = self.vector_index()?;
        if rows.is_some() && index.is_none() {
            return Err(PyValueError::new_err("vectors were given but no embeddings are attached: call set_vectors first"));
        }
        let opts = kg_index::MapOptions { k, min_sim, accept_sim, mode: search_mode(exact, None) };
        let (names, view) = (self.name_index(), self.db.view());
        let (results, poll) = py.detach(|| {
            let mut poll = SignalPoll::new();
            let mut out = Vec::with_capacity(texts.len());
            for start in (0..texts.len()).step_by(CHUNK) {
                if poll.interrupted() {
                    break;
                }
                let queries: Vec<kg_index::EntityQuery<'_>> = (start..(start + CHUNK).min(texts.len()))
                    .map(|i| kg_index::EntityQuery {
                        text: &texts[i],
                        vector: rows.as_ref().map(|(dim, flat)| &flat[i * dim..(i + 1) * dim]),
                        node_type: node_types.as_ref().and_then(|t| t[i].as_deref()),
                    })
                    .collect();
                out.extend(kg_index::map_entities(&view, &names, index.as_deref(), &queries, &opts));
            }
            (out, poll)
        });
        poll.finish(results)?
            .into_iter()
            .enumerate()
            .map(|(i, r)| r.map(mapping_tuple).map_err(|e| index_err_at(py, e, i)))
            .collect()
    }

    /// Applies one batch of updates atomically and durably: removals first, then additions.
    /// Nodes are dicts with `index, id, node_type, name, source`; edges dicts with
    /// `source, target, relation, display_relation`; removed edges `(source, target, relation)`.
    /// Returns what changed. Nothing is written if any part is invalid.
    #[pyo3(signature = (*, add_nodes = None, add_edges = None, remove_nodes = None, remove_edges = None))]
    fn apply<'py>(
        &self, py: Python<'py>, add_nodes: Option<Vec<Bound<'py, PyDict>>>, add_edges: Option<Vec<Bound<'py, PyDict>>>,
        remove_nodes: Option<Vec<NodeIndex>>, remove_edges: Option<Vec<(NodeIndex, NodeIndex, String)>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        fn field<'py, T: for<'a> FromPyObject<'a, 'py>>(d: &Bound<'py, PyDict>, key: &str, what: &str, i: usize) -> PyResult<T> {
            let v = d.get_item(key)?.ok_or_else(|| PyValueError::new_err(format!("{what}[{i}] has no {key:?}")))?;
            v.extract().map_err(|_| PyValueError::new_err(format!("{what}[{i}][{key:?}] has the wrong type")))
        }
        let mut batch = kg_core::Batch { remove_nodes: remove_nodes.unwrap_or_default(), remove_edges: remove_edges.unwrap_or_default(), ..Default::default() };
        for (i, d) in add_nodes.unwrap_or_default().iter().enumerate() {
            batch.add_nodes.push(kg_core::Node {
                index: field(d, "index", "add_nodes", i)?,
                id: field(d, "id", "add_nodes", i)?,
                node_type: field(d, "node_type", "add_nodes", i)?,
                name: field(d, "name", "add_nodes", i)?,
                source: field(d, "source", "add_nodes", i)?,
            });
        }
        for (i, d) in add_edges.unwrap_or_default().iter().enumerate() {
            batch.add_edges.push(kg_core::Edge {
                source: field(d, "source", "add_edges", i)?,
                target: field(d, "target", "add_edges", i)?,
                relation: field(d, "relation", "add_edges", i)?,
                display_relation: field(d, "display_relation", "add_edges", i)?,
            });
        }
        let report = py.detach(|| self.db.apply(&batch)).map_err(core_err)?;
        to_json(py, &report)
    }

    /// Every source x every target: `[(source, target, distance, count, paths)]` with at most
    /// `max_paths` paths per pair (a seeded uniform sample when there are more), pairs in
    /// parallel.
    #[pyo3(signature = (sources, targets, *, max_paths = 50, seed = 0))]
    fn many_to_many(&self, py: Python<'_>, sources: Vec<NodeIndex>, targets: Vec<NodeIndex>, max_paths: usize, seed: u64) -> PyResult<Vec<PairTuple>> {
        let view = self.db.view();
        // Whole sources per chunk, so the answer keeps its source-major order.
        let per_chunk = (CHUNK / targets.len().max(1)).max(1);
        let (out, poll) = py.detach(|| {
            let mut poll = SignalPoll::new();
            let finder = PathFinder::plain(&view);
            let mut out = Vec::with_capacity(sources.len() * targets.len());
            for chunk in sources.chunks(per_chunk) {
                if poll.interrupted() {
                    break;
                }
                match finder.many_to_many(chunk, &targets, max_paths, seed) {
                    Ok(pairs) => out.extend(pairs.into_iter().map(|p| (p.source, p.target, p.distance, p.count, p.paths))),
                    Err(e) => return (Err(e), poll),
                }
            }
            (Ok(out), poll)
        });
        poll.finish(out)?.map_err(query_err)
    }

    /// Every stored edge as arrays: `(sources, targets, labels, relations, display_relations)`
    /// where `labels[i]` indexes the two name lists (a categorical encoding).
    #[allow(clippy::type_complexity)]
    fn edges_arrays<'py>(
        &self, py: Python<'py>,
    ) -> (Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u16>>, Vec<String>, Vec<String>) {
        let view = self.db.view();
        let (s, t, l) = py.detach(|| {
            let mut s = Vec::with_capacity(view.edge_count());
            let mut t = Vec::with_capacity(view.edge_count());
            let mut l = Vec::with_capacity(view.edge_count());
            for e in view.edges() {
                s.push(e.source);
                t.push(e.target);
                l.push(e.label);
            }
            (s, t, l)
        });
        let vocab = view.vocab();
        let labels = 0..vocab.labels.len() as u16;
        let rel = labels.clone().map(|l| vocab.label_relation(l).to_owned()).collect();
        let disp = labels.map(|l| vocab.label_display(l).to_owned()).collect();
        (s.into_pyarray(py), t.into_pyarray(py), l.into_pyarray(py), rel, disp)
    }

    /// Every node as columns: `(indices, ids, types, names, sources)`.
    #[allow(clippy::type_complexity)]
    fn nodes_arrays<'py>(&self, py: Python<'py>) -> (Bound<'py, PyArray1<u32>>, Vec<String>, Vec<String>, Vec<String>, Vec<String>) {
        let view = self.db.view();
        let (mut idx, mut ids, mut types, mut names, mut sources) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for n in view.nodes() {
            let r = view.node(n).expect("listed node");
            idx.push(n);
            ids.push(r.id.to_owned());
            types.push(r.node_type.to_owned());
            names.push(r.name.to_owned());
            sources.push(r.source.to_owned());
        }
        (idx.into_pyarray(py), ids, types, names, sources)
    }

    /// Stored edges among `nodes`: `[(source, target, relation, display_relation)]`, at most
    /// `max_edges` (a ValueError beyond, rather than a silently partial subgraph).
    #[pyo3(signature = (nodes, *, max_edges = 1_000_000))]
    fn induced_edges(&self, py: Python<'_>, nodes: Vec<NodeIndex>, max_edges: usize) -> PyResult<Vec<(NodeIndex, NodeIndex, String, String)>> {
        let view = self.db.view();
        if let Some(&bad) = nodes.iter().find(|&&n| !view.contains(n)) {
            return Err(PyKeyError::new_err(format!("unknown node {bad}")));
        }
        let r = py.detach(|| PathFinder::plain(&view).neighbourhood(&nodes, 0, nodes.len(), max_edges)).map_err(query_err)?;
        if r.truncated {
            return Err(PyValueError::new_err(format!("more than {max_edges} edges among these nodes; raise max_edges")));
        }
        let v = view.vocab();
        Ok(r.edges.iter().map(|e| (e.source, e.target, v.label_relation(e.label).to_owned(), v.label_display(e.label).to_owned())).collect())
    }

    #[getter]
    fn path(&self) -> Option<String> {
        self.path.as_ref().map(|p| p.display().to_string())
    }

    #[getter]
    fn read_only(&self) -> bool {
        self.db.mode() == OpenMode::ReadOnly
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.db.persist_view().map_err(core_err)
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
fn open(py: Python<'_>, path: PathBuf, read_only: bool) -> PyResult<PyGraph> {
    let mode = if read_only { OpenMode::ReadOnly } else { OpenMode::ReadWrite };
    let db = py.detach(|| Database::open(&path, mode)).map_err(core_err)?;
    Ok(PyGraph::new(db, Some(path)))
}

#[pyfunction]
fn _reopen_read_only(py: Python<'_>, path: PathBuf) -> PyResult<PyGraph> {
    open(py, path, true)
}

/// Imports kg.csv / nodes.csv + edges.csv files (plain or .gz) into the database at `path`,
/// all or nothing. Returns the import report.
#[pyfunction]
fn import_files<'py>(py: Python<'py>, path: PathBuf, files: Vec<PathBuf>) -> PyResult<Bound<'py, PyAny>> {
    let report = py.detach(|| kg_core::import(&path, &files, None)).map_err(core_err)?;
    to_json(py, &report)
}

/// Writes a synthetic PrimeKG-shaped kg.csv.
#[pyfunction]
#[pyo3(signature = (out, *, scale = 1.0, seed = 42))]
fn generate<'py>(py: Python<'py>, out: PathBuf, scale: f64, seed: u64) -> PyResult<Bound<'py, PyAny>> {
    let report = py
        .detach(|| -> Result<_, kg_core::Error> {
            let mut f = std::fs::File::create(&out).map_err(|e| kg_core::Error::Io { path: out.clone(), source: e })?;
            kg_core::generate::generate_primekg(scale, seed, &mut f)
        })
        .map_err(core_err)?;
    to_json(py, &report)
}

/// MedReason's prompt lines: `1:fever->ceftriaxone->gonorrhea`.
#[pyfunction]
fn render_medreason(paths: Vec<Vec<String>>) -> String {
    kg_query::render::medreason(&paths)
}

#[pymodule]
fn _kgcore(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGraph>()?;
    m.add_function(wrap_pyfunction!(open, m)?)?;
    m.add_function(wrap_pyfunction!(_reopen_read_only, m)?)?;
    m.add_function(wrap_pyfunction!(import_files, m)?)?;
    m.add_function(wrap_pyfunction!(generate, m)?)?;
    m.add_function(wrap_pyfunction!(render_medreason, m)?)?;
    m.add("KgcoreError", m.py().get_type::<KgcoreError>())?;
    m.add("LockedError", m.py().get_type::<LockedError>())?;
    m.add("CorruptionError", m.py().get_type::<CorruptionError>())?;
    Ok(())
}
