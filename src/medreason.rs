//! MedReason's KG step on its own graph (a node per lowercased name): the name graph cached per
//! generation, one pair's shortest paths by name, and the question x answer loop.

use std::sync::Arc;

use kg_query::paths::all_shortest;
use kg_query::{AllShortest, Limits, NameGraph};

use crate::graph::per_generation;
use crate::{Error, Graph, Result};

/// The shortest paths between two names on MedReason's graph, as names.
#[derive(Debug)]
pub struct NamePaths {
    graph: Arc<NameGraph>,
    all: AllShortest,
}

impl NamePaths {
    /// Edges on a shortest path; `None` without one.
    pub fn distance(&self) -> Option<u32> {
        self.all.distance
    }

    /// The number of shortest paths (exact, saturating at `u128::MAX`).
    pub fn count(&self) -> u128 {
        self.all.count()
    }

    /// At most `limit` of the shortest paths, in the order of the path DAG (`limit` at most
    /// [`kg_query::MAX_LISTED_PATHS`]).
    pub fn first(&self, limit: usize) -> Result<Vec<Vec<String>>> {
        Ok(self.all.first(limit)?.iter().map(|p| self.names(p)).collect())
    }

    /// A uniform sample of `n` shortest paths (all of them when there are at most `n`),
    /// reproducible for a `seed` (`n` at most [`kg_query::MAX_LISTED_PATHS`]).
    pub fn sample(&self, n: usize, seed: u64) -> Result<Vec<Vec<String>>> {
        self.sample_until(n, seed, kg_query::NEVER)
    }

    /// [`NamePaths::sample`], asking `stop` every thousand paths.
    pub fn sample_until(&self, n: usize, seed: u64, stop: kg_query::Stop<'_>) -> Result<Vec<Vec<String>>> {
        let paths = self.all.sample_until(n, seed, stop)?;
        let mut named = Vec::with_capacity(paths.len());
        for (i, p) in paths.iter().enumerate() {
            if i % 1024 == 1023 && stop() {
                return Err(kg_query::QueryError::Interrupted.into());
            }
            named.push(self.names(p));
        }
        Ok(named)
    }

    fn names(&self, path: &[u32]) -> Vec<String> {
        path.iter().map(|&n| self.graph.name(n).to_owned()).collect()
    }
}

impl Graph {
    /// MedReason's graph of the current generation: built on first use (a pass over every
    /// edge) and shared by later calls.
    pub fn name_graph(&self) -> Arc<NameGraph> {
        per_generation(&self.name_graph, self.database(), |view, _| NameGraph::build(view))
    }

    /// All shortest paths between the nodes named `from` and `to` (case-insensitive, as
    /// MedReason matches them), within `max_hops` edges when given.
    pub fn medreason_pair(&self, from: &str, to: &str, max_hops: Option<u32>) -> Result<NamePaths> {
        let graph = self.name_graph();
        let find = |name: &str| graph.id(name).ok_or_else(|| Error::UnknownName(name.to_owned()));
        let (s, t) = (find(from)?, find(to)?);
        let limits = Limits { blocked: None, max_hops: max_hops.unwrap_or(u32::MAX) };
        let all = all_shortest(&*graph, limits, s, t);
        Ok(NamePaths { graph, all })
    }

    /// MedReason's query: for every question entity x answer entity, in that order, the
    /// shortest paths as names (within `max_hops` edges when given), at most `max_paths` per
    /// pair (sampled with `seed`). Names no node bears are left out, as MedReason does, and
    /// listed in [`MedReasonPaths::missing`]; unreachable pairs are left out. `stop` is asked
    /// before each pair and every thousand paths within one; when it says yes the call ends
    /// with [`kg_query::QueryError::Interrupted`].
    pub fn medreason_paths(
        &self,
        question: &[String],
        answer: &[String],
        max_hops: Option<u32>,
        max_paths: usize,
        seed: u64,
        stop: kg_query::Stop<'_>,
    ) -> Result<MedReasonPaths> {
        kg_query::check_listed(max_paths, "max_paths")?;
        let graph = self.name_graph();
        let mut missing: Vec<String> = Vec::new();
        let mut ids = |names: &[String]| -> Vec<u32> {
            names
                .iter()
                .filter_map(|n| {
                    let id = graph.id(n);
                    if id.is_none() && !missing.contains(n) {
                        missing.push(n.clone());
                    }
                    id
                })
                .collect()
        };
        let (from, to) = (ids(question), ids(answer));
        let limits = Limits { blocked: None, max_hops: max_hops.unwrap_or(u32::MAX) };
        let mut groups = Vec::new();
        for &s in &from {
            for &t in &to {
                if stop() {
                    return Err(kg_query::QueryError::Interrupted.into());
                }
                let paths = NamePaths { graph: Arc::clone(&graph), all: all_shortest(&*graph, limits, s, t) };
                if paths.distance().is_some() {
                    groups.push(paths.sample_until(max_paths, seed, stop)?);
                }
            }
        }
        Ok(MedReasonPaths { groups, missing })
    }
}

/// What [`Graph::medreason_paths`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MedReasonPaths {
    /// Per question x answer pair with a path, in that order: its paths as lists of names.
    pub groups: Vec<Vec<Vec<String>>>,
    /// The given names that no node bears (each once, in the order given).
    pub missing: Vec<String>,
}
