//! kg-query: path queries over a kgcore [`kg_core::GraphView`].
//!
//! - [`PathFinder`]: shortest path, all shortest paths (counted exactly over the BFS layers,
//!   enumerated lazily, sampled uniformly with a seed), k shortest loopless paths, batches and
//!   many-to-many, neighbourhoods, all under [`Constraints`] applied during the search.
//! - [`NameGraph`]: MedReason's graph (a node per lowercased name), searched by the same engine.
//! - [`render`]: MedReason's prompt lines, labelled paths, JSON; [`picture`]: path sets drawn
//!   as their layered DAG in SVG.
//! - [`ddx`]: differential diagnosis (phenotypes → ranked diseases, evidence, discriminating
//!   findings); [`card`]: a node's neighbours as compact text for an LLM.
//! - [`SetQueries`]: neighbour sets, their intersections, unions and differences, common
//!   neighbours, the nodes within k hops.

#![warn(missing_docs)]

pub mod adjacency;
pub mod card;
pub mod ddx;
pub mod engine;
pub mod error;
pub mod filter;
pub mod paths;
pub mod picture;
pub mod render;
pub mod sets;
pub mod sorted;

pub use adjacency::{NameGraph, ViewAdjacency};
pub use card::{Card, CardGroup};
pub use picture::Picture;
pub use ddx::{DiagnosisModel, DiagnosisSchema, Discriminator, Explanation, FindingEvidence, OntologyDirection, RankParams, DECAY};
pub use engine::{Adjacency, Limits, NEVER, PathDag, Searcher, Stop};
pub use error::{QueryError, Result};
pub use filter::{Constraints, ResolvedConstraints};
pub use sets::{Direction, Hops, NeighbourFilter, ResolvedFilter, SetIndex, SetOp, SetQueries};
pub use paths::{
    AllShortest, DEFAULT_K_SHORTEST_SECONDS, DEFAULT_MAX_SPUR_SEARCHES, KShortest, MAX_LISTED_PATHS, MAX_PAIRS, Neighbourhood, PairPaths, PathFinder,
    check_listed, check_pairs, deadline,
};
