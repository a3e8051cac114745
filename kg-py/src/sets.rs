//! Set queries: neighbour sets filtered by direction, relation and node type; the sizes of
//! their intersections, unions and differences for one pair or an array of pairs; common
//! neighbours; the nodes within k hops. Sets come back as sorted uint32 arrays.

use kgcore::{Direction, NeighbourFilter, NodeIndex, SetOp};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::errors::to_py;
use crate::graph::PyGraph;
use crate::interrupts::{CHUNK, SignalPoll};
use crate::options;

fn filter(direction: &str, relations: Option<Vec<String>>, node_types: Option<Vec<String>>) -> PyResult<NeighbourFilter> {
    let direction: Direction = direction.parse().map_err(to_py)?;
    Ok(NeighbourFilter { direction, relations, node_types })
}

fn set_op(op: &str) -> PyResult<SetOp> {
    op.parse().map_err(to_py)
}

#[pymethods]
impl PyGraph {
    /// The neighbours of `node`, sorted: over edges leaving it (`direction="out"`), entering it
    /// (`"in"`) or either (`"both"`), of `relations` (relation or display relation names) and
    /// of `node_types` only when given. Never `node` itself.
    #[pyo3(signature = (node, *, direction = "both", relations = None, node_types = None))]
    fn neighbour_set<'py>(
        &self, py: Python<'py>, node: NodeIndex, direction: &str, relations: Option<Vec<String>>, node_types: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyArray1<u32>>> {
        let f = filter(direction, relations, node_types)?;
        let graph = self.graph()?;
        Ok(py.detach(|| graph.neighbour_set(node, &f)).map_err(to_py)?.into_pyarray(py))
    }

    /// The size of `op` ("intersection", "union" or "difference": A − B) of the neighbour sets
    /// of `a` and `b`, each as `neighbour_set` with the same keywords gives it.
    #[pyo3(signature = (a, b, *, op = "intersection", direction = "both", relations = None, node_types = None))]
    #[allow(clippy::too_many_arguments)]
    fn set_size(
        &self, py: Python<'_>, a: NodeIndex, b: NodeIndex, op: &str, direction: &str, relations: Option<Vec<String>>,
        node_types: Option<Vec<String>>,
    ) -> PyResult<u64> {
        let (op, f) = (set_op(op)?, filter(direction, relations, node_types)?);
        let graph = self.graph()?;
        py.detach(|| graph.set_size(a, b, op, &f)).map_err(to_py)
    }

    /// `set_size` for each row of an (N, 2) int64 array of pairs, on all cores: a uint64 array.
    #[pyo3(signature = (pairs, *, op = "intersection", direction = "both", relations = None, node_types = None))]
    fn set_sizes<'py>(
        &self, py: Python<'py>, pairs: PyReadonlyArray2<'py, i64>, op: &str, direction: &str, relations: Option<Vec<String>>,
        node_types: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyArray1<u64>>> {
        let (op, f) = (set_op(op)?, filter(direction, relations, node_types)?);
        let list = options::node_pairs(&pairs)?;
        let graph = self.graph()?;
        let (out, poll) = py.detach(|| {
            let mut poll = SignalPoll::new();
            let mut out = Vec::with_capacity(list.len());
            for chunk in list.chunks(CHUNK) {
                if poll.interrupted() {
                    break;
                }
                match graph.set_sizes(chunk, op, &f) {
                    Ok(sizes) => out.extend(sizes),
                    Err(e) => return (Err(e), poll),
                }
            }
            (Ok(out), poll)
        });
        Ok(poll.finish(out)?.map_err(to_py)?.into_pyarray(py))
    }

    /// The members of `op` of the neighbour sets of `a` and `b`, sorted (keywords as `set_size`).
    #[pyo3(signature = (a, b, *, op = "intersection", direction = "both", relations = None, node_types = None))]
    #[allow(clippy::too_many_arguments)]
    fn set_members<'py>(
        &self, py: Python<'py>, a: NodeIndex, b: NodeIndex, op: &str, direction: &str, relations: Option<Vec<String>>,
        node_types: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyArray1<u32>>> {
        let (op, f) = (set_op(op)?, filter(direction, relations, node_types)?);
        let graph = self.graph()?;
        Ok(py.detach(|| graph.set_members(a, b, op, &f)).map_err(to_py)?.into_pyarray(py))
    }

    /// The number of nodes within `k` hops of `node` (following edges either way), `node`
    /// included, or of those of `node_types` only.
    #[pyo3(signature = (node, k, *, node_types = None))]
    fn within_hops(&self, py: Python<'_>, node: NodeIndex, k: u32, node_types: Option<Vec<String>>) -> PyResult<u64> {
        let graph = self.graph()?;
        py.detach(|| graph.within_hops(node, k, node_types.as_deref())).map(|(_, count)| count).map_err(to_py)
    }

    /// The nodes within `k` hops of `node` (of `node_types` only when given), sorted.
    #[pyo3(signature = (node, k, *, node_types = None))]
    fn nodes_within_hops<'py>(
        &self, py: Python<'py>, node: NodeIndex, k: u32, node_types: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyArray1<u32>>> {
        let graph = self.graph()?;
        Ok(py.detach(|| graph.nodes_within_hops(node, k, node_types.as_deref())).map_err(to_py)?.into_pyarray(py))
    }
}
