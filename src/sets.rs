//! Set queries on a [`Graph`]: neighbour sets and their intersections, unions and differences,
//! common neighbours, the nodes within k hops. They run on the current view with its
//! [`SetIndex`], built on first use and kept until an update moves the database on.

use std::sync::Arc;

use kg_core::{GraphView, NodeIndex};
use kg_query::{Hops, NeighbourFilter, SetIndex, SetOp, SetQueries};

use crate::graph::per_generation;
use crate::{Graph, Result};

/// A view with the set index built from it.
#[derive(Debug)]
pub(crate) struct SetCache {
    view: Arc<GraphView>,
    index: SetIndex,
}

impl Graph {
    fn set_cache(&self) -> Arc<SetCache> {
        per_generation(&self.sets, self.database(), |view, _| SetCache { view: Arc::clone(view), index: SetIndex::new(view) })
    }

    fn with_sets<T>(&self, f: impl FnOnce(SetQueries<'_>) -> Result<T>) -> Result<T> {
        let cache = self.set_cache();
        f(SetQueries::new(&cache.view, &cache.index))
    }

    /// The neighbours of `node` that `filter` keeps, sorted (never `node` itself).
    pub fn neighbour_set(&self, node: NodeIndex, filter: &NeighbourFilter) -> Result<Vec<NodeIndex>> {
        self.with_sets(|q| Ok(q.neighbours(node, &q.resolve(filter)?)?))
    }

    /// The size of `op` applied to the neighbour sets of `a` and `b` (as `filter` keeps them).
    pub fn set_size(&self, a: NodeIndex, b: NodeIndex, op: SetOp, filter: &NeighbourFilter) -> Result<u64> {
        self.with_sets(|q| Ok(q.size(a, b, op, &q.resolve(filter)?)?))
    }

    /// [`Graph::set_size`] for every pair, on all cores.
    pub fn set_sizes(&self, pairs: &[(NodeIndex, NodeIndex)], op: SetOp, filter: &NeighbourFilter) -> Result<Vec<u64>> {
        self.with_sets(|q| Ok(q.sizes(pairs, op, &q.resolve(filter)?)?))
    }

    /// The members of `op` applied to the neighbour sets of `a` and `b`, sorted: with
    /// [`SetOp::Intersection`], their common neighbours (of the types `filter` keeps, say).
    pub fn set_members(&self, a: NodeIndex, b: NodeIndex, op: SetOp, filter: &NeighbourFilter) -> Result<Vec<NodeIndex>> {
        self.with_sets(|q| Ok(q.combined(a, b, op, &q.resolve(filter)?)?))
    }

    /// The nodes within `k` hops of `node` on the undirected graph, `node` included, and how
    /// many of them are of `node_types` (`None`: of any type).
    pub fn within_hops(&self, node: NodeIndex, k: u32, node_types: Option<&[String]>) -> Result<(Hops, u64)> {
        self.with_sets(|q| {
            let filter = q.resolve(&NeighbourFilter { node_types: node_types.map(<[String]>::to_vec), ..Default::default() })?;
            let hops = q.within_hops(node, k)?;
            let count = q.count(&hops, &filter);
            Ok((hops, count))
        })
    }

    /// The nodes within `k` hops of `node` that are of `node_types` (`None`: any), in index order.
    pub fn nodes_within_hops(&self, node: NodeIndex, k: u32, node_types: Option<&[String]>) -> Result<Vec<NodeIndex>> {
        self.with_sets(|q| {
            let filter = q.resolve(&NeighbourFilter { node_types: node_types.map(<[String]>::to_vec), ..Default::default() })?;
            Ok(q.within_hops(node, k)?.nodes().filter(|&n| filter.keeps_type(n)).collect())
        })
    }
}
