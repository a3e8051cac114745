//! Pictures of path results: `Graph.draw_paths` gives a `PathPicture`, an SVG that shows itself
//! in Jupyter and saves to a file.

use std::path::PathBuf;

use kgcore::query::picture::{Picture, caption};
use kgcore::PathFinder;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::ddx::{Term, resolve};
use crate::errors::to_py;
use crate::graph::PyGraph;
use crate::options::{self, name_graph_hops};

/// A drawing of a path set: `svg` (a self-contained SVG document), the counts drawn and the
/// caption. Displays itself in Jupyter; `save(path)` writes the SVG.
#[pyclass(frozen, name = "PathPicture", module = "kgcore")]
pub(crate) struct PyPathPicture {
    #[pyo3(get)]
    svg: String,
    #[pyo3(get)]
    nodes: usize,
    #[pyo3(get)]
    edges: usize,
    #[pyo3(get)]
    caption: String,
}

impl PyPathPicture {
    fn new(picture: &Picture) -> Self {
        PyPathPicture { svg: picture.svg(), nodes: picture.node_count(), edges: picture.edge_count(), caption: picture.caption() }
    }
}

#[pymethods]
impl PyPathPicture {
    /// Writes the SVG to `path`.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        std::fs::write(&path, &self.svg).map_err(|e| pyo3::exceptions::PyOSError::new_err((e.raw_os_error().unwrap_or(0), format!("{}: {e}", path.display()))))
    }

    fn _repr_svg_(&self) -> String {
        self.svg.clone()
    }

    fn _repr_html_(&self) -> String {
        format!("<div style=\"overflow:auto\">{}</div>", self.svg)
    }

    fn __repr__(&self) -> String {
        format!("<kgcore.PathPicture: {} nodes, {} edges; {}>", self.nodes, self.edges, self.caption)
    }
}

#[pymethods]
impl PyGraph {
    /// The paths from `source` to `target` (indices, names or ids) drawn as their layered DAG:
    /// all shortest paths (at most `limit` listed), a uniform `sample` of them drawn with `seed`,
    /// or the `k` shortest loopless paths; on MedReason's name graph with `medreason=True`
    /// (there `source` and `target` are names). Takes the constraints of `shortest_path`.
    #[pyo3(signature = (source, target, *, sample = None, seed = 0, k = None, limit = 50, medreason = false, **constraints))]
    #[allow(clippy::too_many_arguments)]
    fn draw_paths(
        &self, py: Python<'_>, source: Term, target: Term, sample: Option<usize>, seed: u64, k: Option<usize>, limit: usize, medreason: bool,
        constraints: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyPathPicture> {
        let graph = self.graph()?;
        if medreason {
            let max_hops = name_graph_hops(constraints)?;
            let name = |t: &Term| match t {
                Term::Text(s) => Ok(s.clone()),
                Term::Index(n) => graph.view().node(*n).map(|r| r.name.to_owned()).ok_or_else(|| to_py(kgcore::query::QueryError::UnknownNode(*n))),
            };
            let (from, to) = (name(&source)?, name(&target)?);
            let picture = py
                .detach(|| -> kgcore::Result<Picture> {
                    let all = graph.medreason_pair(&from, &to, max_hops)?;
                    let named = match sample {
                        Some(n) => all.sample(n, seed)?,
                        None => all.first(limit)?,
                    };
                    let text = caption(&from.to_lowercase(), &to.to_lowercase(), all.distance(), Some(all.count()), named.len(), false);
                    Ok(Picture::named(&named, &text))
                })
                .map_err(to_py)?;
            return Ok(PyPathPicture::new(&picture));
        }
        let c = options::constraints(constraints)?;
        let ends = resolve(&graph, &[source, target], false)?;
        let (s, t) = (ends[0], ends[1]);
        let view = graph.view();
        let picture = py
            .detach(|| -> kgcore::Result<Picture> {
                let finder = PathFinder::new(&view, &c)?;
                let (distance, count, paths) = match k {
                    Some(k) => {
                        let ks = finder.k_shortest(s, t, k, kgcore::query::DEFAULT_MAX_SPUR_SEARCHES)?;
                        (ks.paths.first().map(|p| p.len() as u32 - 1), None, ks.paths)
                    }
                    None => {
                        let all = finder.all_shortest(s, t)?;
                        let paths = match sample {
                            Some(n) => all.sample(n, seed)?,
                            None => all.first(limit)?,
                        };
                        (all.distance, Some(all.count()), paths)
                    }
                };
                let text = caption(view.name(s), view.name(t), distance, count, paths.len(), k.is_some());
                Ok(Picture::typed(&view, finder.resolved(), &paths, &text))
            })
            .map_err(to_py)?;
        Ok(PyPathPicture::new(&picture))
    }
}
