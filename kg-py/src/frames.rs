//! The graph as columns and arrays, for the pandas, pyarrow and networkx exports in Python.

use kgcore::{NodeIndex, PathFinder};
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::to_py;
use crate::graph::PyGraph;

#[pymethods]
impl PyGraph {
    /// Every stored edge as arrays: `(sources, targets, labels, relations, display_relations)`
    /// where `labels[i]` indexes the two name lists (a categorical encoding).
    #[allow(clippy::type_complexity)]
    fn edges_arrays<'py>(
        &self, py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u16>>, Vec<String>, Vec<String>)> {
        let view = self.graph()?.view();
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
        Ok((s.into_pyarray(py), t.into_pyarray(py), l.into_pyarray(py), rel, disp))
    }

    /// Every node as columns: `(indices, ids, types, names, sources)`.
    #[allow(clippy::type_complexity)]
    fn nodes_arrays<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyArray1<u32>>, Vec<String>, Vec<String>, Vec<String>, Vec<String>)> {
        let view = self.graph()?.view();
        let (mut idx, mut ids, mut types, mut names, mut sources) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for n in view.nodes() {
            let r = view.node(n).expect("listed node");
            idx.push(n);
            ids.push(r.id.to_owned());
            types.push(r.node_type.to_owned());
            names.push(r.name.to_owned());
            sources.push(r.source.to_owned());
        }
        Ok((idx.into_pyarray(py), ids, types, names, sources))
    }

    /// Stored edges among `nodes`: `[(source, target, relation, display_relation)]`, at most
    /// `max_edges` (a ValueError beyond, rather than a silently partial subgraph).
    #[pyo3(signature = (nodes, *, max_edges = 1_000_000))]
    fn induced_edges(&self, py: Python<'_>, nodes: Vec<NodeIndex>, max_edges: usize) -> PyResult<Vec<(NodeIndex, NodeIndex, String, String)>> {
        let view = self.graph()?.view();
        let r = py.detach(|| PathFinder::plain(&view).neighbourhood(&nodes, 0, nodes.len(), max_edges)).map_err(to_py)?;
        if r.truncated {
            return Err(PyValueError::new_err(format!("more than {max_edges} edges among these nodes; raise max_edges")));
        }
        let v = view.vocab();
        Ok(r.edges.iter().map(|e| (e.source, e.target, v.label_relation(e.label).to_owned(), v.label_display(e.label).to_owned())).collect())
    }
}
