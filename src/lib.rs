//! The `kgcore` crate: [`Graph`] opens a database (RocksDB on disk, or memory), keeps the
//! indexes derived from it (the name index, attached embeddings, MedReason's name graph)
//! current with each update, and owns the files it keeps beside the store ([`files`]). Path
//! queries run on an immutable snapshot, [`Graph::view`], through [`PathFinder`]. The parts
//! are crates of their own, re-exported whole: [`core`] (graph model, storage, import),
//! [`index`] (names and vectors), [`query`] (paths, constraints, rendering).
//!
//! The README follows; its Rust example runs as a test.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod files;
mod ddx;
mod error;
mod extract;
pub mod generator;
mod graph;
mod ground;
mod medreason;
mod names;
mod sets;
mod vectors;

pub use kg_core as core;
pub use kg_index as index;
pub use kg_query as query;

pub use ddx::{DdxOptions, DiseaseEvidence, FindingPaths, Ranking};
pub use error::{Error, Result};
pub use generator::generate_file;
pub use graph::{CheckReport, Graph, WarningSink};
pub use ground::{Dropped, Entity, GROUND_BATCH, GivenEntities, GroundOptions, GroundSummary, Grounded, GroundedPath, LineOutcome, NOT_UTF8, PathGroup, QaRecord, prompt as qa_prompt};
pub use medreason::{MedReasonPaths, NamePaths};
pub use names::NameMatch;
pub use vectors::VectorKind;

pub use kg_core::{Batch, BatchReport, Edge, ImportReport, Info, Node, NodeIndex, OpenMode};
pub use kg_index::{EntityQuery, ExtractOptions, MatchKind, Mention, Hit, HnswParams, MapOptions, Mapping, SearchMode};
pub use kg_query::ddx::{DiagnosisSchema, Discriminator, Explanation, FindingEvidence, OntologyDirection, RankParams};
pub use kg_query::{AllShortest, Card, Constraints, Direction, Hops, NeighbourFilter, PathFinder, SetOp};
