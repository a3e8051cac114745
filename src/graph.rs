//! [`Graph`]: an open database with the indexes derived from it, each built once per database
//! generation and shared by every caller (threads, the CLI, the Python module).

use std::path::Path;
use std::sync::{Arc, RwLock};

use kg_core::side_file::Stamp;
use kg_core::{Batch, BatchReport, Database, GraphView, Info, NodeIndex, OpenMode};
use kg_index::{NameIndex, VectorIndex};
use kg_query::NameGraph;

use crate::{Error, Result};

/// Receives the warnings of a [`Graph`]: a damaged derived file that was rebuilt, a cache that
/// could not be saved. Nothing it is told changes an answer.
pub type WarningSink = Arc<dyn Fn(&str) + Send + Sync>;

/// An open kgcore database and its derived indexes.
///
/// Usable from many threads at once. The name index, the vector index, MedReason's name graph,
/// the set index, the extraction dictionary, the diagnosis models and the id index are built
/// (or loaded from their side files) on first use and kept until an update moves the database
/// to a new generation.
pub struct Graph {
    db: Database,
    warn: WarningSink,
    pub(crate) names: RwLock<Option<(u64, Arc<NameIndex>)>>,
    /// `None` until the vector file was looked for; then what it held, without the rows of
    /// nodes gone by the generation noted.
    pub(crate) vectors: RwLock<Option<(u64, Option<Arc<VectorIndex>>)>>,
    pub(crate) name_graph: RwLock<Option<(u64, Arc<NameGraph>)>>,
    pub(crate) sets: RwLock<Option<(u64, Arc<crate::sets::SetCache>)>>,
    pub(crate) dictionary: RwLock<Option<(u64, Arc<kg_index::Dictionary>)>>,
    pub(crate) diagnosis: RwLock<Option<(u64, Arc<crate::ddx::Models>)>>,
    pub(crate) ids: RwLock<Option<(u64, Arc<crate::ddx::IdIndex>)>>,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph").field("path", &self.db.path()).field("mode", &self.db.mode()).finish_non_exhaustive()
    }
}

impl Graph {
    /// Opens the database at `path`. Read-write handles are exclusive across processes;
    /// read-only ones are not.
    #[cfg(feature = "rocksdb")]
    pub fn open(path: impl AsRef<Path>, mode: OpenMode) -> Result<Self> {
        Ok(Graph::from_database(Database::open(path, mode)?))
    }

    /// A new, empty database held in memory (no side files).
    pub fn in_memory() -> Self {
        Graph::from_database(Database::in_memory())
    }

    /// Wraps an already open database.
    pub fn from_database(db: Database) -> Self {
        Graph {
            db,
            warn: Arc::new(|w| eprintln!("kgcore: warning: {w}")),
            names: RwLock::new(None),
            vectors: RwLock::new(None),
            name_graph: RwLock::new(None),
            sets: RwLock::new(None),
            dictionary: RwLock::new(None),
            diagnosis: RwLock::new(None),
            ids: RwLock::new(None),
        }
    }

    /// Sends warnings to `sink` instead of standard error.
    pub fn with_warnings(mut self, sink: WarningSink) -> Self {
        self.warn = sink;
        self
    }

    pub(crate) fn warn(&self, message: &str) {
        (self.warn)(message)
    }

    /// Imports `files` (kg.csv, or nodes.csv + edges.csv; plain or .gz) into the database at
    /// `path`, all or nothing, then writes its name index so the first search need not build it.
    #[cfg(feature = "rocksdb")]
    pub fn import(path: impl AsRef<Path>, files: &[std::path::PathBuf], progress: Option<Arc<kg_core::Progress>>) -> Result<kg_core::ImportReport> {
        let report = kg_core::import(path.as_ref(), files, progress)?;
        Graph::open(path, OpenMode::ReadOnly)?.name_index();
        Ok(report)
    }

    /// Reads the Human Phenotype Ontology's files ([`kg_core::hpo`]) into a new database at
    /// `path`, all or nothing, then writes its name index.
    #[cfg(feature = "rocksdb")]
    pub fn import_hpo(path: impl AsRef<Path>, files: &kg_core::hpo::HpoFiles) -> Result<kg_core::ImportReport> {
        let report = kg_core::import_hpo(path.as_ref(), files)?;
        Graph::open(path, OpenMode::ReadOnly)?.name_index();
        Ok(report)
    }

    /// The storage layer underneath.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The directory of the database; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.db.path()
    }

    /// How the database was opened.
    pub fn mode(&self) -> OpenMode {
        self.db.mode()
    }

    /// An immutable snapshot of the graph, for queries ([`kg_query::PathFinder`]).
    pub fn view(&self) -> Arc<GraphView> {
        self.db.view()
    }

    /// Counts every committed update batch; derived indexes are rebuilt when it moves.
    pub fn generation(&self) -> u64 {
        self.db.generation()
    }

    /// Counts of nodes and edges, per type and relation, and degrees.
    pub fn info(&self) -> Info {
        self.db.info()
    }

    /// Checks that the store is whole and agrees with the view, and that the attached
    /// embeddings (if any) are readable, of this database, and of nodes it holds.
    pub fn check(&self) -> Result<CheckReport> {
        let store = self.db.check()?;
        let vectors = self.vector_index()?;
        if let Some(idx) = &vectors
            && let Some(&row) = idx.stale_rows(&self.view()).first()
        {
            return Err(kg_core::Error::Corruption { what: crate::files::VECTOR_FILE.into(), message: format!("row {row} is of a removed or replaced node") }.into());
        }
        Ok(CheckReport { store, embeddings: vectors.map(|v| v.len()) })
    }

    /// Applies one batch atomically and durably (see [`Batch`]).
    pub fn apply(&self, batch: &Batch) -> Result<BatchReport> {
        Ok(self.db.apply(batch)?)
    }

    /// Writes the view file if updates made it stale.
    pub fn persist_view(&self) -> Result<()> {
        Ok(self.db.persist_view()?)
    }

    /// `path` in the labelled form `Fever (effect/phenotype) -[indication]- Ceftriaxone (drug)`
    /// (see [`kg_query::render::labelled`]). An unknown node, an empty path, or two consecutive
    /// nodes that no stored edge joins are errors.
    pub fn render_labelled(&self, path: &[NodeIndex]) -> Result<String> {
        let view = self.view();
        if let Some(&bad) = path.iter().find(|&&n| !view.contains(n)) {
            return Err(kg_query::QueryError::UnknownNode(bad).into());
        }
        if path.is_empty() {
            return Err(Error::InvalidArgument("empty path".into()));
        }
        if let Some(w) = path.windows(2).find(|w| view.labels_between(w[0], w[1]).is_empty() && view.labels_between(w[1], w[0]).is_empty()) {
            return Err(Error::InvalidArgument(format!("not a path: no edge joins nodes {} and {}", w[0], w[1])));
        }
        Ok(kg_query::render::labelled(&view, &kg_query::ResolvedConstraints::open(), path))
    }

    /// Persists the view and closes the database, reporting what dropping it would hide.
    pub fn close(self) -> Result<()> {
        Ok(self.db.close()?)
    }
}

/// What [`Graph::check`] verified.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckReport {
    /// The store and the view.
    #[serde(flatten)]
    pub store: kg_core::CheckReport,
    /// Embedding rows checked, all of present nodes; `None` when none are attached.
    pub embeddings: Option<usize>,
}

/// A cached value of `slot` if it was built for the database's current generation, else
/// `build`'s from the current graph and its stamp, cached.
pub(crate) fn per_generation<T>(slot: &RwLock<Option<(u64, Arc<T>)>>, db: &Database, build: impl FnOnce(&Arc<GraphView>, Stamp) -> T) -> Arc<T> {
    let (stamp, view) = db.snapshot();
    let generation = stamp.generation;
    if let Some((g, v)) = slot.read().unwrap_or_else(|p| p.into_inner()).as_ref()
        && *g == generation
    {
        return Arc::clone(v);
    }
    let v = Arc::new(build(&view, stamp));
    *slot.write().unwrap_or_else(|p| p.into_inner()) = Some((generation, Arc::clone(&v)));
    v
}
