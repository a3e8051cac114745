//! From text to nodes: name search, entity extraction, attached embeddings, and MedReason's
//! entity mapping.

use kgcore::index::SearchMode;
use kgcore::{EntityQuery, ExtractOptions, HnswParams, MapOptions, MatchKind, Mapping, Mention, NameMatch, NodeIndex, VectorKind};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{at, to_py};
use crate::graph::PyGraph;
use crate::interrupts::{CHUNK, SignalPoll, on_pool};

/// An entity mapping as Python sees it: `(kind, [(node, similarity)])`.
type MappingTuple = (&'static str, Vec<(NodeIndex, f32)>);

fn search_mode(exact: bool, ef: Option<usize>) -> SearchMode {
    match (exact, ef) {
        (true, _) => SearchMode::Exact,
        (false, Some(ef)) => SearchMode::Approximate { ef },
        (false, None) => SearchMode::Auto,
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

/// A mention as Python sees it: a dict with `start`, `end` (string indices), `text`, `name`,
/// `nodes`, `how` ("exact", "folded", "fuzzy") and `distance` (edits, 0 unless fuzzy).
fn mention_dict(py: Python<'_>, m: Mention) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("start", m.start)?;
    d.set_item("end", m.end)?;
    d.set_item("text", m.text)?;
    d.set_item("name", m.name)?;
    d.set_item("nodes", m.nodes)?;
    d.set_item("how", m.how.as_str())?;
    d.set_item("distance", if let MatchKind::Fuzzy(e) = m.how { e } else { 0 })?;
    Ok(d)
}

#[pymethods]
impl PyGraph {
    /// The node names written in `text`, in text order, none overlapping: longest names first,
    /// case, punctuation, possessives and plurals folded, gene symbols only in their own case
    /// (`WAS`, not "was"), common words and one-letter names never. `node_types` keeps names of
    /// those types only; `fuzzy=True` also mends a typo inside a long word. Each mention is a
    /// dict: `start`, `end` (string indices), `text`, `name`, `nodes`, `how` ("exact",
    /// "folded" or "fuzzy"), `distance`.
    #[pyo3(signature = (text, *, node_types = None, fuzzy = false))]
    fn extract<'py>(&self, py: Python<'py>, text: &str, node_types: Option<Vec<String>>, fuzzy: bool) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let options = ExtractOptions { node_types, fuzzy };
        let graph = self.graph()?;
        let mentions = py.detach(|| graph.extract(text, &options)).map_err(to_py)?;
        mentions.into_iter().map(|m| mention_dict(py, m)).collect()
    }

    /// `extract` for every text, on all cores: one list of mentions per text, in order.
    #[pyo3(signature = (texts, *, node_types = None, fuzzy = false))]
    fn extract_many<'py>(
        &self, py: Python<'py>, texts: Vec<String>, node_types: Option<Vec<String>>, fuzzy: bool,
    ) -> PyResult<Vec<Vec<Bound<'py, PyDict>>>> {
        let options = ExtractOptions { node_types, fuzzy };
        let graph = self.graph()?;
        let (results, poll) = py.detach(|| {
            let mut poll = SignalPoll::new();
            let mut out = Vec::with_capacity(texts.len());
            for chunk in texts.chunks(CHUNK) {
                if poll.interrupted() {
                    break;
                }
                match graph.extract_many(chunk, &options) {
                    Ok(r) => out.extend(r),
                    Err(e) => return (Err(e), poll),
                }
            }
            (Ok(out), poll)
        });
        poll.finish(results)?.map_err(to_py)?.into_iter().map(|ms| ms.into_iter().map(|m| mention_dict(py, m)).collect()).collect()
    }

    /// Nodes by name, normalised (case, width, spacing): exact, or `prefix`, or within `fuzzy`
    /// edits (1 or 2; not with `prefix`). With `case_sensitive=True` (exact or prefix) only
    /// names in the case given match: `"WAS"` finds the gene, `"was"` does not. Returns at
    /// most `limit` `[(name, distance, [node indices])]`, closest first.
    #[pyo3(signature = (text, *, node_type = None, fuzzy = 0, prefix = false, case_sensitive = false, limit = 20))]
    #[allow(clippy::too_many_arguments)]
    fn search_names(
        &self, py: Python<'_>, text: &str, node_type: Option<String>, fuzzy: u8, prefix: bool, case_sensitive: bool, limit: usize,
    ) -> PyResult<Vec<(String, u8, Vec<NodeIndex>)>> {
        let how = NameMatch::from_options(fuzzy, prefix, case_sensitive).map_err(to_py)?;
        let text = text.to_owned();
        let graph = self.graph()?;
        let hits = py.detach(|| graph.search_names(&text, how, node_type.as_deref(), limit)).map_err(to_py)?;
        Ok(hits.into_iter().map(|h| (h.key, h.distance, h.nodes)).collect())
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
        slf: Py<Self>, py: Python<'_>, ids: PyReadonlyArray1<'_, i64>, vectors: PyReadonlyArray2<'_, f32>, index: Option<&str>, m: usize,
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
        let kind = match index {
            None => None,
            Some("hnsw") => Some(VectorKind::Hnsw),
            Some("exact") => Some(VectorKind::Exact),
            Some(other) => return Err(PyValueError::new_err(format!("index must be \"hnsw\" or \"exact\", got {other:?}"))),
        };
        let params = HnswParams { m, ef_construction, ef_search, ..Default::default() };
        let flat: Vec<f32> = arr.iter().copied().collect();
        // Built on a worker (Ctrl-C drops it unused), then saved and installed here.
        let graph = slf.get().graph()?;
        let builder = std::sync::Arc::clone(&graph);
        let idx = on_pool(py, move |_| builder.build_vectors(&ids, &flat, dim, kind, params))?.map_err(to_py)?;
        py.detach(|| graph.install_vectors(idx)).map_err(to_py)
    }

    /// The `k` nodes whose embeddings are most cosine-similar to `query`, optionally of one
    /// type: `[(node, similarity)]`, best first. Through the HNSW graph when there is one
    /// (`ef` widens its search), exactly with `exact=True`.
    #[pyo3(signature = (query, k = 10, *, node_type = None, exact = false, ef = None))]
    fn search_vectors(
        &self, py: Python<'_>, query: PyReadonlyArray1<'_, f32>, k: usize, node_type: Option<String>, exact: bool, ef: Option<usize>,
    ) -> PyResult<Vec<(NodeIndex, f32)>> {
        let q: Vec<f32> = query.as_array().iter().copied().collect();
        let graph = self.graph()?;
        py.detach(|| graph.search_vectors(&q, k, node_type.as_deref(), search_mode(exact, ef))).map_err(to_py)
    }

    /// MedReason's entity mapping: `("exact", [(node, 1.0)...])` for a name equal ignoring case,
    /// else `("similar", [(node, sim)])` when the best embedding match exceeds `accept_sim`, else
    /// `("ambiguous", candidates above min_sim)`, else `("none", [])`. The thresholds are
    /// MedReason's, set for its embedding model: another model may need others.
    #[pyo3(signature = (text, vector = None, *, node_type = None, k = 10, min_sim = 0.7, accept_sim = 0.85, exact = false))]
    #[allow(clippy::too_many_arguments)]
    fn map_entity(
        &self, py: Python<'_>, text: &str, vector: Option<PyReadonlyArray1<'_, f32>>, node_type: Option<String>, k: usize,
        min_sim: f32, accept_sim: f32, exact: bool,
    ) -> PyResult<MappingTuple> {
        let v: Option<Vec<f32>> = vector.map(|a| a.as_array().iter().copied().collect());
        let opts = MapOptions { k, min_sim, accept_sim, mode: search_mode(exact, None) };
        let text = text.to_owned();
        let graph = self.graph()?;
        let mapping = py
            .detach(|| {
                let e = EntityQuery { text: &text, vector: v.as_deref(), node_type: node_type.as_deref() };
                graph.map_entity(e, &opts)
            })
            .map_err(to_py)?;
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
        let opts = MapOptions { k, min_sim, accept_sim, mode: search_mode(exact, None) };
        let graph = self.graph()?;
        let (results, poll) = py.detach(|| {
            let mut poll = SignalPoll::new();
            let mut out = Vec::with_capacity(texts.len());
            for start in (0..texts.len()).step_by(CHUNK) {
                if poll.interrupted() {
                    break;
                }
                let queries: Vec<EntityQuery<'_>> = (start..(start + CHUNK).min(texts.len()))
                    .map(|i| EntityQuery {
                        text: &texts[i],
                        vector: rows.as_ref().map(|(dim, flat)| &flat[i * dim..(i + 1) * dim]),
                        node_type: node_types.as_ref().and_then(|t| t[i].as_deref()),
                    })
                    .collect();
                match graph.map_entities(&queries, &opts) {
                    Ok(r) => out.extend(r),
                    Err(e) => return (Err(e), poll),
                }
            }
            (Ok(out), poll)
        });
        poll.finish(results)?
            .map_err(to_py)?
            .into_iter()
            .enumerate()
            .map(|(i, r)| r.map(mapping_tuple).map_err(|e| at(py, e, i)))
            .collect()
    }
}
