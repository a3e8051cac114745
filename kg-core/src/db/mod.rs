//! `Database`: the durable store plus the in-memory view queries run on. This module holds its
//! life cycle (create, open, migrate, persist, close); the operations live beside it: import,
//! update batches (`apply`), the stored roaring sets, and inspection (`info`, `check`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use roaring::RoaringBitmap;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::keys::{self, NodeValue, cf, meta};
use crate::load::{self, LoadStats, Progress};
use crate::model::{Edge, LabelId, MAX_NODE_INDEX, Node, NodeIndex, Vocab};
use crate::side_file::{self, Stamp};
use crate::store::{MemoryStore, Store, WriteOp};
#[cfg(feature = "rocksdb")]
use crate::view::LoadedView;
use crate::view::{EdgeRec, GraphView, NodeRec};

mod adjacency;
mod apply;
mod import;
mod inspect;
mod sets;

pub use apply::{Batch, BatchReport};
#[cfg(feature = "rocksdb")]
pub use import::{import, import_hpo};
pub use import::ImportReport;
pub use inspect::{CheckReport, DegreeSummary, Info, StoreSize};

#[cfg(feature = "rocksdb")]
use adjacency::adjacency_entries;
use adjacency::{adjacency_ops, stored_edges, stored_sets, view_adjacency};
#[cfg(feature = "rocksdb")]
use apply::node_entry;
use apply::{merged_edges, node_op};
#[cfg(feature = "rocksdb")]
use import::ensure_vacant;
use sets::{read_set, set_op, set_ops};

/// Version of the on-disk layout. `migrate()` steps an older database up to it.
/// 1: one key per stored edge, in `out` and `in`. 2: bitmap adjacency in `adj`.
pub const STORAGE_VERSION: u32 = 2;
/// The persisted view, beside RocksDB's files in the database directory.
pub const VIEW_FILE: &str = "graph.view";

/// How a database is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// One process at a time; others get [`Error::Locked`].
    ReadWrite,
    /// Any number of processes at once; writes are refused.
    ReadOnly,
}


struct State {
    generation: u64,
    view: Arc<GraphView>,
}

/// An open kgcore database. Share it between threads behind an `Arc`; readers take
/// [`Database::view`] snapshots that later writes never change.
pub struct Database {
    path: Option<PathBuf>,
    /// Written at creation and carried by every side file; 0 for a database read-only opened
    /// before it was ever opened read-write by a kgcore that writes ids.
    id: u128,
    store: Store,
    mode: OpenMode,
    state: RwLock<State>,
    writer: Mutex<()>,
    view_dirty: AtomicBool,
    /// (node, another name it goes by), as imported ([`meta::SYNONYMS`]).
    synonyms: Vec<(NodeIndex, String)>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("path", &self.path).field("mode", &self.mode).finish()
    }
}

impl Database {
    /// A new, empty database held in memory.
    pub fn in_memory() -> Self {
        let store = Store::Memory(MemoryStore::new());
        let id = side_file::new_database_id();
        store.write(initial_meta(&Vocab::default(), 0, id)).expect("memory writes cannot fail");
        Self::from_parts(None, id, store, OpenMode::ReadWrite, 0, GraphView::empty())
    }

    fn from_parts(path: Option<PathBuf>, id: u128, store: Store, mode: OpenMode, generation: u64, view: GraphView) -> Self {
        Database {
            path,
            id,
            store,
            mode,
            state: RwLock::new(State { generation, view: Arc::new(view) }),
            writer: Mutex::new(()),
            view_dirty: AtomicBool::new(false),
            synonyms: Vec::new(),
        }
    }

    /// Creates a new, empty database directory at `path`.
    #[cfg(feature = "rocksdb")]
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        ensure_vacant(path)?;
        std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
        let store = Store::RocksDb(crate::store::RocksStore::open(path)?);
        let id = side_file::new_database_id();
        store.write(initial_meta(&Vocab::default(), 0, id))?;
        store.write(vec![WriteOp::Put(cf::META, meta::COMPLETE.to_vec(), vec![1])])?;
        let view = GraphView::empty();
        view.write_file(&path.join(VIEW_FILE), Stamp { database: id, generation: 0 })?;
        Ok(Self::from_parts(Some(path.to_owned()), id, store, OpenMode::ReadWrite, 0, view))
    }

    /// Opens an existing database.
    #[cfg(feature = "rocksdb")]
    pub fn open(path: impl AsRef<Path>, mode: OpenMode) -> Result<Self> {
        let path = path.as_ref();
        if !is_database(path) {
            return Err(Error::NoDatabase(path.to_owned()));
        }
        let mut store = Store::RocksDb(match mode {
            OpenMode::ReadWrite => crate::store::RocksStore::open(path)?,
            OpenMode::ReadOnly => crate::store::RocksStore::open_read_only(path)?,
        });
        if store.get(cf::META, meta::COMPLETE)?.is_none() {
            return Err(Error::corruption(
                path.display().to_string(),
                "the database was never completed (an import was interrupted?); delete it and import again",
            ));
        }
        let version = match store.get(cf::META, meta::STORAGE_VERSION)? {
            Some(v) => keys::decode_u32(&v, "storage_version")?,
            None => return Err(Error::corruption(path.display().to_string(), "storage_version is missing")),
        };
        if version > STORAGE_VERSION {
            return Err(Error::NewerVersion { path: path.to_owned(), found: version, supported: STORAGE_VERSION });
        }
        if version < STORAGE_VERSION {
            if mode == OpenMode::ReadOnly {
                return Err(Error::NeedsMigration { path: path.to_owned(), found: version, current: STORAGE_VERSION });
            }
            migrate(&mut store, version)?;
        }
        if mode == OpenMode::ReadWrite {
            // Left behind if a process stopped between a migration's commit and this cleanup.
            store.drop_family(cf::V1_OUT)?;
            store.drop_family(cf::V1_IN)?;
        }
        let id = match store.get(cf::META, meta::DATABASE_ID)? {
            Some(v) => keys::decode_u128(&v, "database_id")?,
            // Databases written before ids were: a writer gives them one.
            None if mode == OpenMode::ReadWrite => {
                let id = side_file::new_database_id();
                store.write(vec![WriteOp::Put(cf::META, meta::DATABASE_ID.to_vec(), id.to_be_bytes().to_vec())])?;
                id
            }
            None => 0,
        };
        let generation = read_generation(&store)?;
        let stamp = Stamp { database: id, generation };
        let view_path = path.join(VIEW_FILE);
        let view = match GraphView::load_file(&view_path, stamp) {
            Ok(LoadedView::Loaded(v)) => Some(*v),
            // A stale or damaged view is only a cache: rebuild it from the store below.
            Ok(LoadedView::Stale(_)) | Err(Error::Corruption { .. }) => None,
            Err(e) => return Err(e),
        };
        let view = match view {
            Some(v) => v,
            None => {
                let v = rebuild_view(&store)?;
                if mode == OpenMode::ReadWrite {
                    v.write_file(&view_path, stamp)?;
                }
                v
            }
        };
        let synonyms = match store.get(cf::META, meta::SYNONYMS)? {
            Some(bytes) => postcard::from_bytes(&bytes).map_err(|e| Error::corruption("meta synonyms", format!("does not decode: {e}")))?,
            None => Vec::new(),
        };
        let mut db = Self::from_parts(Some(path.to_owned()), id, store, mode, generation, view);
        db.synonyms = synonyms;
        Ok(db)
    }

    /// Other names nodes go by (an importer's synonyms), as (node, name) pairs; a pair of a node
    /// since removed stays until the node's index is reused, so callers keep those of nodes the
    /// view holds.
    pub fn synonyms(&self) -> &[(NodeIndex, String)] {
        &self.synonyms
    }

    /// The database directory; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// How the database was opened.
    pub fn mode(&self) -> OpenMode {
        self.mode
    }

    /// The current graph: a snapshot that later writes leave untouched.
    pub fn view(&self) -> Arc<GraphView> {
        Arc::clone(&self.state.read().unwrap_or_else(|p| p.into_inner()).view)
    }

    /// The database's id, written when it was created; side files carry it.
    pub fn id(&self) -> u128 {
        self.id
    }

    /// This database at its current generation, as side files record it.
    pub fn stamp(&self) -> Stamp {
        self.snapshot().0
    }

    /// The current graph and the stamp of its generation, read together.
    pub fn snapshot(&self) -> (Stamp, Arc<GraphView>) {
        let state = self.state.read().unwrap_or_else(|p| p.into_inner());
        (Stamp { database: self.id, generation: state.generation }, Arc::clone(&state.view))
    }

    /// Incremented by every committed write.
    pub fn generation(&self) -> u64 {
        self.state.read().unwrap_or_else(|p| p.into_inner()).generation
    }

    /// An error unless this handle may write: it must be read-write ([`Error::ReadOnly`],
    /// naming `what` was refused) and in the process that opened it ([`Error::ForkedHandle`]).
    pub fn ensure_writable(&self, what: &'static str) -> Result<()> {
        if self.mode == OpenMode::ReadOnly {
            return Err(Error::ReadOnly(what));
        }
        self.store.ensure_opened_here()
    }

    /// Writes the view file if writes made it stale. Called by `Drop` too. Does nothing in a
    /// child process that inherited the handle across `fork()`: the files are the parent's.
    pub fn persist_view(&self) -> Result<()> {
        if let Some(path) = &self.path
            && self.store.opened_here()
            && self.view_dirty.swap(false, Ordering::AcqRel)
        {
            let state = self.state.read().unwrap_or_else(|p| p.into_inner());
            state.view.write_file(&path.join(VIEW_FILE), Stamp { database: self.id, generation: state.generation })?;
        }
        Ok(())
    }

    /// Persists the view and closes the database, reporting any error that `Drop` would hide.
    /// In a child process that inherited the handle across `fork()` it only lets go of the
    /// handle: the parent's files are left untouched.
    pub fn close(self) -> Result<()> {
        if !self.store.opened_here() {
            return Ok(());
        }
        self.persist_view()?;
        self.store.flush()
    }
}


impl Drop for Database {
    fn drop(&mut self) {
        let _ = self.persist_view();
    }
}

fn initial_meta(vocab: &Vocab, generation: u64, id: u128) -> Vec<WriteOp> {
    vec![
        WriteOp::Put(cf::META, meta::DATABASE_ID.to_vec(), id.to_be_bytes().to_vec()),
        WriteOp::Put(cf::META, meta::STORAGE_VERSION.to_vec(), STORAGE_VERSION.to_be_bytes().to_vec()),
        WriteOp::Put(cf::META, meta::GENERATION.to_vec(), generation.to_be_bytes().to_vec()),
        WriteOp::Put(cf::META, meta::VOCAB.to_vec(), vocab.encode()),
    ]
}

#[cfg(feature = "rocksdb")]
fn read_generation(store: &Store) -> Result<u64> {
    match store.get(cf::META, meta::GENERATION)? {
        Some(v) => keys::decode_u64(&v, "generation"),
        None => Err(Error::corruption("meta", "generation is missing")),
    }
}

#[cfg(feature = "rocksdb")]
/// Steps a database from `from` up to [`STORAGE_VERSION`], one version at a time. Each step
/// is one atomic write that also stores the new version, so a crash leaves the database at the
/// old version, intact, or at the new one.
fn migrate(store: &mut Store, from: u32) -> Result<()> {
    let mut version = from;
    while version < STORAGE_VERSION {
        match version {
            1 => migrate_1_to_2(store)?,
            v => return Err(Error::corruption("meta", format!("storage version {v} is not a kgcore format; no migration exists"))),
        }
        version += 1;
    }
    Ok(())
}

#[cfg(feature = "rocksdb")]
/// Version 1 → 2: the per-edge keys of `out` become adjacency bitmaps in `adj`, written with
/// the new version in one batch; `out` and `in` are dropped once that batch is durable.
fn migrate_1_to_2(store: &mut Store) -> Result<()> {
    let mut edges = Vec::new();
    store.scan(cf::V1_OUT, &mut |k, _| {
        let (source, target, label) = keys::decode_edge_key(k)?;
        edges.push(EdgeRec { source, target, label });
        Ok(true)
    })?;
    let view = view_with_edges(store, edges)?;
    let mut ops: Vec<WriteOp> = adjacency_entries(&view).into_iter().map(|(k, v)| WriteOp::Put(cf::ADJ, k, v)).collect();
    ops.push(WriteOp::Put(cf::META, meta::STORAGE_VERSION.to_vec(), 2u32.to_be_bytes().to_vec()));
    crash_point("migration-before-commit");
    store.write(ops)?;
    crash_point("migration-after-commit");
    store.drop_family(cf::V1_OUT)?;
    store.drop_family(cf::V1_IN)
}

/// Aborts the process where the crash tests ask for it (`KGCORE_CRASH_AT=<point>`): a crash at
/// a chosen point of a multi-step write, which a timed SIGKILL hits only by luck.
#[cfg(feature = "rocksdb")]
fn crash_point(point: &str) {
    if std::env::var_os("KGCORE_CRASH_AT").is_some_and(|p| p == point) {
        std::process::abort();
    }
}

/// Reads every node and edge from the store and builds the view.
pub(crate) fn rebuild_view(store: &Store) -> Result<GraphView> {
    view_with_edges(store, stored_edges(store)?)
}

/// The view of the store's nodes and `edges` (sorted), each edge checked against them.
fn view_with_edges(store: &Store, edges: Vec<EdgeRec>) -> Result<GraphView> {
    let vocab = match store.get(cf::META, meta::VOCAB)? {
        Some(v) => Vocab::decode(&v, "meta vocab")?,
        None => return Err(Error::corruption("meta", "vocab is missing")),
    };
    let mut nodes = Vec::new();
    store.scan(cf::NODES, &mut |k, v| {
        let index = keys::decode_node_key(k)?;
        let NodeValue::V1 { id, node_type, name, source } = NodeValue::decode(v, index)?;
        if node_type as usize >= vocab.node_types.len() || source as usize >= vocab.sources.len() {
            return Err(Error::corruption(format!("node {index}"), "type or source id out of range"));
        }
        nodes.push(NodeRec { index, id, node_type, name, source });
        Ok(true)
    })?;
    let present: HashSet<NodeIndex> = nodes.iter().map(|n| n.index).collect();
    for &EdgeRec { source, target, label } in &edges {
        if label as usize >= vocab.labels.len() {
            return Err(Error::corruption(format!("edge {source}->{target}"), "label out of range"));
        }
        if !present.contains(&source) || !present.contains(&target) {
            return Err(Error::corruption(format!("edge {source}->{target}"), "endpoint is not a stored node"));
        }
    }
    Ok(GraphView::build(vocab, nodes, &edges))
}

/// True if `path` holds a kgcore (RocksDB) database.
pub fn is_database(path: &Path) -> bool {
    path.join("CURRENT").is_file()
}

