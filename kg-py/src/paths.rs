//! Path queries: every method takes the same constraint keywords (see `options`).

use kgcore::{NodeIndex, PathFinder};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::to_py;
use crate::graph::PyGraph;
use crate::interrupts::{CHUNK, SignalPoll, interruptible, path_list};
use crate::options::{self, name_graph_hops};

// The defaults of `k_shortest_paths` are written as literals so Python shows them.
const _: () = assert!(kgcore::query::DEFAULT_MAX_SPUR_SEARCHES == 5000 && kgcore::query::DEFAULT_K_SHORTEST_SECONDS == 0.25);

/// One pair of a many-to-many answer: (source, target, distance, count, paths).
type PairTuple<'py> = (NodeIndex, NodeIndex, Option<u32>, u128, Bound<'py, PyList>);

#[pymethods]
impl PyGraph {
    /// One shortest path as node indices, or None when unreachable.
    ///
    /// Every path method takes these constraint keywords, applied during the search:
    /// `directed` (follow stored edge direction only), `node_types` / `exclude_node_types`
    /// (types allowed / refused between the endpoints), `relations` / `exclude_relations`,
    /// `exclude_nodes`, `max_hops`, `max_degree` (hub avoidance). Any other keyword is a
    /// TypeError.
    #[pyo3(signature = (source, target, **constraints))]
    fn shortest_path(
        &self, py: Python<'_>, source: NodeIndex, target: NodeIndex, constraints: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Option<Vec<NodeIndex>>> {
        let c = options::constraints(constraints)?;
        let view = self.graph()?.view();
        py.detach(|| PathFinder::new(&view, &c)?.shortest_path(source, target)).map_err(to_py)
    }

    /// All shortest paths: `(distance, count, paths)` with at most `limit` paths listed, or a
    /// uniform sample of `sample` paths drawn with `seed`. `distance` is None without a path.
    /// Takes the constraints of `shortest_path`.
    #[pyo3(signature = (source, target, *, limit = 1000, sample = None, seed = 0, **constraints))]
    #[allow(clippy::too_many_arguments)]
    fn all_shortest_paths<'py>(
        &self, py: Python<'py>, source: NodeIndex, target: NodeIndex, limit: usize, sample: Option<usize>, seed: u64,
        constraints: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<(Option<u32>, u128, Bound<'py, PyList>)> {
        let c = options::constraints(constraints)?;
        let view = self.graph()?.view();
        let query = move |stop: kgcore::query::Stop<'_>| {
            let all = PathFinder::new(&view, &c)?.all_shortest(source, target)?;
            let paths = match sample {
                Some(n) => all.sample_until(n, seed, stop)?,
                None => all.first_until(limit, stop)?,
            };
            Ok::<_, kgcore::query::QueryError>((all.distance, all.count(), paths))
        };
        let r = interruptible(py, 1, sample.unwrap_or(limit), query)?;
        let (distance, count, paths) = r.map_err(to_py)?;
        Ok((distance, count, path_list(py, paths)?))
    }

    /// The k shortest loopless paths, shortest first. Yen's spur searches are bounded by
    /// `max_searches` and the call by `max_seconds` (None: no time bound); with `report=True`
    /// the answer is `(paths, truncated)`, `truncated` telling that a bound stopped the search
    /// before k paths were proven. Takes the constraints of `shortest_path`.
    #[pyo3(signature = (source, target, k, *, max_searches = 5000, max_seconds = Some(0.25), report = false, **constraints))]
    #[pyo3(text_signature = "(self, source, target, k, *, max_searches=5000, max_seconds=0.25, report=False, **constraints)")]
    #[allow(clippy::too_many_arguments)]
    fn k_shortest_paths<'py>(
        &self, py: Python<'py>, source: NodeIndex, target: NodeIndex, k: usize, max_searches: usize, max_seconds: Option<f64>, report: bool,
        constraints: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let c = options::constraints(constraints)?;
        let view = self.graph()?.view();
        let mut past_deadline = kgcore::query::deadline(max_seconds).map_err(to_py)?;
        let (r, poll) = py.detach(|| {
            let mut poll = SignalPoll::new();
            let r = PathFinder::new(&view, &c).and_then(|f| f.k_shortest_until(source, target, k, max_searches, &mut || poll.interrupted() || past_deadline()));
            (r, poll)
        });
        let r = poll.finish(r)?.map_err(to_py)?;
        if report { Ok((r.paths, r.truncated).into_pyobject(py)?.into_any()) } else { r.paths.into_pyobject(py) }
    }

    /// Nodes within `hops` of `seeds` and the stored edges among them:
    /// `([(node, hops)], [(source, target, relation)], truncated)`, at most `max_nodes` nodes
    /// and `max_edges` edges; `truncated` tells that a limit cut the answer short. Takes the
    /// constraints of `shortest_path`.
    #[pyo3(signature = (seeds, hops, *, max_nodes = 10_000, max_edges = 100_000, **constraints))]
    #[allow(clippy::type_complexity)]
    fn neighbourhood(
        &self, py: Python<'_>, seeds: Vec<NodeIndex>, hops: u32, max_nodes: usize, max_edges: usize, constraints: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<(Vec<(NodeIndex, u32)>, Vec<(NodeIndex, NodeIndex, String)>, bool)> {
        let c = options::constraints(constraints)?;
        let view = self.graph()?.view();
        let r = py.detach(|| PathFinder::new(&view, &c)?.neighbourhood(&seeds, hops, max_nodes, max_edges)).map_err(to_py)?;
        let vocab = view.vocab();
        let edges = r.edges.iter().map(|e| (e.source, e.target, vocab.label_relation(e.label).to_owned())).collect();
        Ok((r.nodes, edges, r.truncated))
    }

    /// Distances for an (N, 2) integer array of pairs, in parallel; -1 where unreachable.
    /// Takes the constraints of `shortest_path`.
    #[pyo3(signature = (pairs, **constraints))]
    fn distances<'py>(
        &self, py: Python<'py>, pairs: PyReadonlyArray2<'py, i64>, constraints: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let c = options::constraints(constraints)?;
        let list = options::node_pairs(&pairs)?;
        let view = self.graph()?.view();
        let finder = PathFinder::new(&view, &c).map_err(to_py)?;
        let (out, poll) = py.detach(|| {
            let mut poll = SignalPoll::new();
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
        Ok(poll.finish(out)?.map_err(to_py)?.into_pyarray(py))
    }

    /// Every source x every target: `[(source, target, distance, count, paths)]` with at most
    /// `max_paths` paths per pair (a seeded uniform sample when there are more), pairs in
    /// parallel. Takes the constraints of `shortest_path`.
    #[pyo3(signature = (sources, targets, *, max_paths = 50, seed = 0, **constraints))]
    fn many_to_many<'py>(
        &self, py: Python<'py>, sources: Vec<NodeIndex>, targets: Vec<NodeIndex>, max_paths: usize, seed: u64,
        constraints: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<PairTuple<'py>>> {
        let c = options::constraints(constraints)?;
        let view = self.graph()?.view();
        let pairs = sources.len().saturating_mul(targets.len());
        let pairs = interruptible(py, pairs, pairs.saturating_mul(max_paths), move |stop| PathFinder::new(&view, &c)?.many_to_many_until(&sources, &targets, max_paths, seed, stop))?;
        pairs.map_err(to_py)?.into_iter().map(|p| Ok((p.source, p.target, p.distance, p.count, path_list(py, p.paths)?))).collect()
    }

    /// MedReason's query on MedReason's graph (a node per lowercased name): for every question
    /// entity x answer entity name, the shortest paths as lists of names, at most `max_paths`
    /// per pair (sampled with `seed`). Names are matched lowercased, as MedReason does, or
    /// normalised as `search_names` reports them. Names no node bears and unreachable pairs
    /// are left out, as MedReason does; with `report=True` the answer is `(groups, missing)`,
    /// `missing` the names no node bears. Of the constraints of `shortest_path` only
    /// `max_hops` applies (the name graph has no types, relations or directions); the others
    /// are a ValueError.
    #[pyo3(signature = (question, answer, *, max_paths = 50, seed = 0, report = false, **constraints))]
    #[allow(clippy::too_many_arguments)]
    fn medreason_paths<'py>(
        &self, py: Python<'py>, question: Vec<String>, answer: Vec<String>, max_paths: usize, seed: u64, report: bool,
        constraints: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let max_hops = name_graph_hops(constraints)?;
        let graph = self.graph()?;
        let pairs = question.len().saturating_mul(answer.len());
        let found = interruptible(py, pairs, pairs.saturating_mul(max_paths), move |stop| graph.medreason_paths(&question, &answer, max_hops, max_paths, seed, stop))?.map_err(to_py)?;
        let groups = found.groups.into_iter().map(|group| path_list(py, group)).collect::<PyResult<Vec<_>>>()?;
        if report { Ok((groups, found.missing).into_pyobject(py)?.into_any()) } else { Ok(groups.into_pyobject(py)?.into_any()) }
    }

    /// A path in the labelled form `Fever (effect/phenotype) -[indication]- Ceftriaxone (drug)`:
    /// `-[r]-` for an edge stored both ways, `-[r]->` or `<-[r]-` for one way. Where several
    /// relations join two nodes, the one shown is the first (by label id) stored both ways, else
    /// the first stored. KeyError for an unknown node, ValueError for an empty path or two
    /// consecutive nodes that no edge joins.
    fn render_labelled(&self, path: Vec<NodeIndex>) -> PyResult<String> {
        self.graph()?.render_labelled(&path).map_err(to_py)
    }
}

/// MedReason's prompt lines: `1:fever->ceftriaxone->gonorrhea`.
#[pyfunction]
pub(crate) fn render_medreason(paths: Vec<Vec<String>>) -> String {
    kgcore::query::render::medreason(&paths)
}
