//! Updates: one atomic batch of node and edge additions and removals.

use kgcore::NodeIndex;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{to_json, to_py};
use crate::graph::PyGraph;

#[pymethods]
impl PyGraph {
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
        let mut batch = kgcore::Batch { remove_nodes: remove_nodes.unwrap_or_default(), remove_edges: remove_edges.unwrap_or_default(), ..Default::default() };
        for (i, d) in add_nodes.unwrap_or_default().iter().enumerate() {
            batch.add_nodes.push(kgcore::Node {
                index: field(d, "index", "add_nodes", i)?,
                id: field(d, "id", "add_nodes", i)?,
                node_type: field(d, "node_type", "add_nodes", i)?,
                name: field(d, "name", "add_nodes", i)?,
                source: field(d, "source", "add_nodes", i)?,
            });
        }
        for (i, d) in add_edges.unwrap_or_default().iter().enumerate() {
            batch.add_edges.push(kgcore::Edge {
                source: field(d, "source", "add_edges", i)?,
                target: field(d, "target", "add_edges", i)?,
                relation: field(d, "relation", "add_edges", i)?,
                display_relation: field(d, "display_relation", "add_edges", i)?,
            });
        }
        let graph = self.graph()?;
        let report = py.detach(|| graph.apply(&batch)).map_err(to_py)?;
        to_json(py, &report)
    }
}
