//! Arguments several methods share: the path constraints every path method takes, as the same
//! keyword arguments everywhere (`directed, node_types, exclude_node_types, relations,
//! exclude_relations, exclude_nodes, max_hops, max_degree`; see `kgcore.Graph.shortest_path`),
//! and arrays of node pairs.

use kgcore::{Constraints, NodeIndex};
use numpy::PyReadonlyArray2;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The constraints named in `kwargs`; a TypeError names any other keyword.
pub(crate) fn constraints(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Constraints> {
    let mut c = Constraints::default();
    let Some(kwargs) = kwargs else { return Ok(c) };
    for (key, value) in kwargs.iter() {
        let key: String = key.extract()?;
        if value.is_none() {
            continue;
        }
        let bad = |_| PyTypeError::new_err(format!("{key} has the wrong type"));
        match key.as_str() {
            "directed" => c.directed = value.extract().map_err(bad)?,
            "node_types" => c.node_types = Some(value.extract().map_err(bad)?),
            "exclude_node_types" => c.exclude_node_types = value.extract().map_err(bad)?,
            "relations" => c.relations = Some(value.extract().map_err(bad)?),
            "exclude_relations" => c.exclude_relations = value.extract().map_err(bad)?,
            "exclude_nodes" => c.exclude_nodes = value.extract::<Vec<NodeIndex>>().map_err(bad)?,
            "max_hops" => c.max_hops = Some(value.extract().map_err(bad)?),
            "max_degree" => c.max_degree = Some(value.extract().map_err(bad)?),
            other => return Err(PyTypeError::new_err(format!("unexpected keyword argument {other:?}"))),
        }
    }
    Ok(c)
}

/// For MedReason's name graph, which has no types, relations or directions: only `max_hops`.
pub(crate) fn name_graph_hops(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Option<u32>> {
    let c = constraints(kwargs)?;
    let only_hops = Constraints { max_hops: c.max_hops, ..Constraints::default() };
    if c != only_hops {
        return Err(PyValueError::new_err("MedReason's name graph takes max_hops only (it has no types, relations or directions)"));
    }
    Ok(c.max_hops)
}

/// The rows of an (N, 2) int64 array as node pairs; a ValueError names a bad shape or row.
pub(crate) fn node_pairs(pairs: &PyReadonlyArray2<'_, i64>) -> PyResult<Vec<(NodeIndex, NodeIndex)>> {
    let arr = pairs.as_array();
    if arr.ncols() != 2 {
        return Err(PyValueError::new_err(format!("pairs must have shape (N, 2), got {:?}", arr.shape())));
    }
    let mut list = Vec::with_capacity(arr.nrows());
    for (i, row) in arr.rows().into_iter().enumerate() {
        let conv = |v: i64| NodeIndex::try_from(v).map_err(|_| PyValueError::new_err(format!("pairs[{i}]: {v} is not a node index")));
        list.push((conv(row[0])?, conv(row[1])?));
    }
    Ok(list)
}
