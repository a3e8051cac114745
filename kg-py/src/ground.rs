//! MedReason's KG step for a file of QA records, from Python.

use std::path::PathBuf;

use kgcore::{ExtractOptions, GroundOptions, LineOutcome};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::to_py;
use crate::graph::PyGraph;
use crate::interrupts::{SignalPoll, on_pool};

/// The prompt a chain-of-thought model receives for the QA record `record` (a JSON line, as
/// `ground_lines` takes) and its `thinking_paths` (`render_medreason`'s lines), as grounding
/// writes it.
#[pyfunction]
pub(crate) fn render_prompt(record: &str, thinking_paths: &str) -> PyResult<String> {
    let r = kgcore::QaRecord::parse(record, "", 0).map_err(pyo3::exceptions::PyValueError::new_err)?;
    Ok(kgcore::qa_prompt(&r, thinking_paths))
}

#[pymethods]
impl PyGraph {
    /// Grounds QA records given as JSON lines, on all cores, as `ground_file` grounds a file's
    /// lines: `line_numbers` (default 1, 2, ...) give records without an id theirs, so lines
    /// grounded here, in any batches, match those of `ground_file` on the same file. Returns one
    /// JSON document per line, in order: the grounded record (with `dropped` saying why it has
    /// no paths, or `null`), or `{"line": n, "error": reason}` for a line that is not a record.
    #[pyo3(signature = (lines, *, dataset, line_numbers = None, seed = 0, max_paths = 50, keep = 3, max_hops = None, node_types = None, fuzzy = false, typed = false))]
    #[allow(clippy::too_many_arguments)]
    fn ground_lines(
        &self, py: Python<'_>, lines: Vec<String>, dataset: String, line_numbers: Option<Vec<usize>>, seed: u64, max_paths: usize, keep: usize,
        max_hops: Option<u32>, node_types: Option<Vec<String>>, fuzzy: bool, typed: bool,
    ) -> PyResult<Vec<String>> {
        let numbers = line_numbers.unwrap_or_else(|| (1..=lines.len()).collect());
        if numbers.len() != lines.len() {
            return Err(pyo3::exceptions::PyValueError::new_err(format!("{} lines but {} line numbers", lines.len(), numbers.len())));
        }
        let options = GroundOptions { max_paths, keep, seed, max_hops, extract: ExtractOptions { node_types, fuzzy }, typed };
        let graph = self.graph()?;
        let (results, poll) = py.detach(|| {
            let mut poll = SignalPoll::new();
            let numbered: Vec<(usize, &str)> = numbers.iter().copied().zip(lines.iter().map(String::as_str)).collect();
            let mut out = Vec::with_capacity(lines.len());
            if let Err(e) = graph.check_ground_options(&options) {
                return (Err(e), poll);
            }
            for chunk in numbered.chunks(kgcore::GROUND_BATCH) {
                if poll.interrupted() {
                    break;
                }
                for (&(n, _), outcome) in chunk.iter().zip(graph.ground_lines(chunk, &dataset, &options, &|_| false)) {
                    out.push(match outcome {
                        LineOutcome::Grounded(g) => serde_json::to_string(&g).expect("a grounded record serialises"),
                        LineOutcome::Bad(reason) => serde_json::json!({"line": n, "error": reason}).to_string(),
                        LineOutcome::AlreadyDone => serde_json::json!({"line": n, "error": "already grounded"}).to_string(),
                    });
                }
            }
            (Ok(out), poll)
        });
        poll.finish(results)?.map_err(to_py)
    }

    /// Grounds every QA record of the JSON-lines file `qa` (MedQA, MedBullets, MedXpertQA or
    /// HLE style) into `out`, one record with paths a line, on all cores: question and answer
    /// entities extracted (`node_types`, `fuzzy` as `extract`) and mapped to MedReason's graph,
    /// all shortest paths per question x answer entity, groups above `max_paths` sampled with
    /// `seed` and the record's id, `keep` paths per group (the least hub-laden), rendered, and
    /// the prompt a chain-of-thought model would receive; `typed=True` searches the typed graph
    /// (relations on every step) instead of MedReason's. Records already in `out` are skipped,
    /// so a stopped run resumes; bad lines are counted and named, not raised. `progress(done,
    /// total)` is called after each batch of lines (its exceptions are ignored). Ctrl-C stops
    /// between batches, leaving `out` whole. Returns the summary as a dict.
    #[pyo3(signature = (qa, out, *, dataset = None, seed = 0, max_paths = 50, keep = 3, max_hops = None, node_types = None, fuzzy = false, typed = false, progress = None))]
    #[allow(clippy::too_many_arguments)]
    fn ground_file<'py>(
        &self, py: Python<'py>, qa: PathBuf, out: PathBuf, dataset: Option<String>, seed: u64, max_paths: usize, keep: usize, max_hops: Option<u32>,
        node_types: Option<Vec<String>>, fuzzy: bool, typed: bool, progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let options = GroundOptions { max_paths, keep, seed, max_hops, extract: ExtractOptions { node_types, fuzzy }, typed };
        let graph = self.graph()?;
        let summary = on_pool(py, move |stop| {
            let report = |done: usize, total: usize| {
                if let Some(cb) = &progress {
                    Python::attach(|py| {
                        let _ = cb.call1(py, (done, total));
                    });
                }
            };
            graph.ground_file(&qa, &out, dataset.as_deref(), &options, &report, stop)
        })?
        .map_err(to_py)?;
        let d = PyDict::new(py);
        d.set_item("read", summary.read)?;
        d.set_item("already_done", summary.already_done)?;
        d.set_item("bad", summary.bad)?;
        d.set_item("bad_lines", summary.bad_lines)?;
        d.set_item("with_question_entity", summary.with_question_entity)?;
        d.set_item("with_answer_entity", summary.with_answer_entity)?;
        d.set_item("with_path", summary.with_path)?;
        d.set_item("dropped_no_question_entity", summary.dropped_no_question_entity)?;
        d.set_item("dropped_no_answer_entity", summary.dropped_no_answer_entity)?;
        d.set_item("dropped_no_path", summary.dropped_no_path)?;
        Ok(d)
    }
}
