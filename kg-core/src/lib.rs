//! kg-core: the kgcore graph model, its durable storage (RocksDB, or memory for tests) and
//! PrimeKG import. Queries run on [`GraphView`], the compact in-memory view of a database.

#![warn(missing_docs)]

pub mod atomic_file;
pub mod csr;
pub mod db;
pub mod error;
pub mod keys;
pub mod marks;
pub mod load;
pub mod mapped;
pub mod model;
pub mod rng;
pub mod side_file;
pub mod slab;
pub mod store;
pub mod text;
pub mod view;

#[cfg(feature = "rocksdb")]
pub use db::import;
pub use db::{Batch, BatchReport, CheckReport, Database, ImportReport, Info, OpenMode};
pub use error::{Error, Result};
pub use load::{LoadStats, Progress};
pub use model::{Edge, LabelId, Node, NodeIndex, TermId, Vocab};
pub use view::{EdgeRec, GraphView, NodeRef};
