//! kg-core: the kgcore graph model, its durable storage (RocksDB, or memory for tests) and
//! PrimeKG import. Queries run on [`GraphView`], the compact in-memory view of a database.

#![warn(missing_docs)]

pub mod adjacency;
mod atomic_file;
pub mod csr;
pub mod db;
mod error;
pub mod hpo;
pub mod keys;
pub mod marks;
pub mod load;
pub mod mapped;
mod model;
pub mod rng;
pub mod side_file;
mod slab;
pub mod store;
pub mod text;
pub mod view;

#[cfg(feature = "rocksdb")]
pub use db::{import, import_hpo};
pub use db::{Batch, BatchReport, CheckReport, Database, ImportReport, Info, OpenMode, StoreSize};
pub use error::{Error, Result};
pub use load::{LoadStats, Progress};
pub use model::{Edge, LabelId, MAX_NODE_INDEX, Node, NodeIndex, TermId, Terms, Vocab};
pub use view::{EdgeRec, GraphView, NodeRef};
