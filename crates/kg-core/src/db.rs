//! `Database`: the durable store plus the in-memory view queries run on.

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
use crate::store::{MemoryStore, Store, WriteOp};
#[cfg(feature = "rocksdb")]
use crate::view::LoadedView;
use crate::view::{EdgeRec, GraphView, NodeRec};

/// Version of the on-disk layout. [`migrate`] steps an older database up to it.
pub const STORAGE_VERSION: u32 = 1;
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

/// A batch of updates, applied atomically by [`Database::apply`]: removals first, then
/// additions. As JSON (`kgcore apply`): every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Batch {
    pub add_nodes: Vec<Node>,
    pub add_edges: Vec<Edge>,
    /// Removing a node removes its edges too.
    pub remove_nodes: Vec<NodeIndex>,
    /// (source, target, relation).
    pub remove_edges: Vec<(NodeIndex, NodeIndex, String)>,
}

/// What a batch changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchReport {
    pub nodes_added: usize,
    pub nodes_removed: usize,
    pub edges_added: usize,
    pub edges_removed: usize,
    /// Nodes and edges in the batch that the database already held identically.
    pub unchanged: usize,
    pub generation: u64,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    #[serde(flatten)]
    pub load: LoadStats,
    pub nodes: usize,
    pub edges: usize,
    pub nodes_added: usize,
    pub edges_added: usize,
}

/// Degree statistics of the undirected simple graph.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DegreeSummary {
    pub min: usize,
    pub median: usize,
    pub mean: f64,
    pub p99: usize,
    pub max: usize,
    pub max_node: Option<NodeIndex>,
}

/// `kgcore info`: counts, per type and relation, and degrees.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Info {
    pub nodes: usize,
    /// Stored distinct directed (relation, source, target) edges.
    pub edges: usize,
    /// Distinct unordered node pairs joined by at least one edge.
    pub undirected_edges: usize,
    pub node_types: BTreeMap<String, usize>,
    pub relations: BTreeMap<String, usize>,
    pub degree: DegreeSummary,
    pub storage_version: u32,
    pub generation: u64,
    /// Bytes of the traversal arrays of the in-memory view.
    pub view_bytes: usize,
}

/// What [`Database::check`] verified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub nodes: usize,
    pub edges: usize,
    pub sets: usize,
}

struct State {
    generation: u64,
    view: Arc<GraphView>,
}

/// An open kgcore database. Share it between threads behind an `Arc`; readers take
/// [`Database::view`] snapshots that later writes never change.
pub struct Database {
    path: Option<PathBuf>,
    store: Store,
    mode: OpenMode,
    state: RwLock<State>,
    writer: Mutex<()>,
    view_dirty: AtomicBool,
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
        store.write(initial_meta(&Vocab::default(), 0)).expect("memory writes cannot fail");
        Self::from_parts(None, store, OpenMode::ReadWrite, 0, GraphView::empty())
    }

    fn from_parts(path: Option<PathBuf>, store: Store, mode: OpenMode, generation: u64, view: GraphView) -> Self {
        Database {
            path,
            store,
            mode,
            state: RwLock::new(State { generation, view: Arc::new(view) }),
            writer: Mutex::new(()),
            view_dirty: AtomicBool::new(false),
        }
    }

    /// Creates a new, empty database directory at `path`.
    #[cfg(feature = "rocksdb")]
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        ensure_vacant(path)?;
        std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
        let store = Store::RocksDb(crate::store::RocksStore::open(path)?);
        store.write(initial_meta(&Vocab::default(), 0))?;
        store.write(vec![(cf::META, meta::COMPLETE.to_vec(), Some(vec![1]))])?;
        let view = GraphView::empty();
        view.write_file(&path.join(VIEW_FILE), 0)?;
        Ok(Self::from_parts(Some(path.to_owned()), store, OpenMode::ReadWrite, 0, view))
    }

    /// Opens an existing database.
    #[cfg(feature = "rocksdb")]
    pub fn open(path: impl AsRef<Path>, mode: OpenMode) -> Result<Self> {
        let path = path.as_ref();
        if !is_database(path) {
            return Err(Error::NotFound { kind: "kgcore database", name: path.display().to_string() });
        }
        let store = Store::RocksDb(match mode {
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
                return Err(Error::InvalidInput(format!(
                    "database at {} has storage version {version}; open it read-write once to migrate it to {STORAGE_VERSION}",
                    path.display()
                )));
            }
            migrate(&store, version)?;
        }
        let generation = read_generation(&store)?;
        let view_path = path.join(VIEW_FILE);
        let view = match GraphView::load_file(&view_path, generation) {
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
                    v.write_file(&view_path, generation)?;
                }
                v
            }
        };
        Ok(Self::from_parts(Some(path.to_owned()), store, mode, generation, view))
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn mode(&self) -> OpenMode {
        self.mode
    }

    /// The current graph: a snapshot that later writes leave untouched.
    pub fn view(&self) -> Arc<GraphView> {
        Arc::clone(&self.state.read().unwrap_or_else(|p| p.into_inner()).view)
    }

    /// Incremented by every committed write.
    pub fn generation(&self) -> u64 {
        self.state.read().unwrap_or_else(|p| p.into_inner()).generation
    }

    /// Reads `files` (kg.csv, nodes.csv, edges.csv; plain or .gz) into this database in one
    /// atomic batch: afterwards either all of them are in, or none.
    pub fn import_files(&self, files: &[PathBuf], progress: Option<Arc<Progress>>) -> Result<ImportReport> {
        if self.mode == OpenMode::ReadOnly {
            return Err(Error::ReadOnly("import"));
        }
        let _w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let view = self.view();
        let loaded = load::load_files(files, view.vocab().clone(), view.node_recs(), progress)?;
        let mut ops: Vec<WriteOp> = Vec::new();
        let mut nodes_added = 0;
        for n in &loaded.nodes {
            if !view.contains(n.index) {
                ops.push(node_op(n));
                nodes_added += 1;
            }
        }
        let mut new_edges = Vec::new();
        let mut already = 0u64;
        for e in &loaded.edges {
            let present = view.labels_between(e.source, e.target).iter().any(|&l| {
                loaded.vocab.labels[l as usize].0 == loaded.vocab.labels[e.label as usize].0
            });
            if present {
                already += 1;
            } else {
                new_edges.push(*e);
            }
        }
        let edges = merged_edges(&view, Vec::new(), &new_edges);
        for e in &new_edges {
            ops.extend(edge_ops(e, true));
        }
        let new_view = GraphView::build(loaded.vocab, loaded.nodes, &edges);
        ops.extend(set_ops(&new_view));
        self.commit(ops, new_view)?;
        let view = self.view();
        let mut stats = loaded.stats;
        stats.duplicates_skipped += already;
        Ok(ImportReport {
            load: stats,
            nodes: view.node_count(),
            edges: view.edge_count(),
            nodes_added,
            edges_added: new_edges.len(),
        })
    }

    /// Applies a batch atomically and durably. Nothing is written if any part is invalid.
    pub fn apply(&self, batch: &Batch) -> Result<BatchReport> {
        if self.mode == OpenMode::ReadOnly {
            return Err(Error::ReadOnly("apply updates"));
        }
        let _w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let view = self.view();
        let mut vocab = view.vocab().clone();
        let mut report = BatchReport::default();
        let mut ops: Vec<WriteOp> = Vec::new();

        // Removals.
        let mut removed_nodes = HashSet::new();
        for &n in &batch.remove_nodes {
            if !view.contains(n) || !removed_nodes.insert(n) {
                return Err(Error::UnknownNode(n));
            }
        }
        let mut removed_edges: HashSet<EdgeRec> = HashSet::new();
        for (s, t, rel) in &batch.remove_edges {
            let labels: Vec<LabelId> = view
                .labels_between(*s, *t)
                .iter()
                .copied()
                .filter(|&l| vocab.label_relation(l) == rel)
                .collect();
            if labels.is_empty() {
                return Err(Error::NotFound { kind: "edge", name: format!("{s} -[{rel}]-> {t}") });
            }
            removed_edges.extend(labels.into_iter().map(|label| EdgeRec { source: *s, target: *t, label }));
        }
        for &n in &removed_nodes {
            for (&t, &label) in view.out_edges(n).0.iter().zip(view.out_edges(n).1) {
                removed_edges.insert(EdgeRec { source: n, target: t, label });
            }
            for (&s, &label) in view.in_edges(n).0.iter().zip(view.in_edges(n).1) {
                removed_edges.insert(EdgeRec { source: s, target: n, label });
            }
        }

        // Node additions.
        let mut nodes: HashMap<NodeIndex, NodeRec> =
            view.node_recs().into_iter().filter(|n| !removed_nodes.contains(&n.index)).map(|n| (n.index, n)).collect();
        let mut added_nodes = Vec::new();
        for node in &batch.add_nodes {
            if node.index > MAX_NODE_INDEX {
                return Err(Error::InvalidInput(format!("node index {} exceeds {MAX_NODE_INDEX}", node.index)));
            }
            let rec = NodeRec {
                index: node.index,
                id: node.id.clone(),
                node_type: vocab.node_types.intern(&node.node_type, "node type")?,
                name: node.name.clone(),
                source: vocab.sources.intern(&node.source, "node source")?,
            };
            match nodes.get(&node.index) {
                Some(prev) if *prev == rec => report.unchanged += 1,
                Some(prev) => {
                    return Err(Error::InvalidInput(format!(
                        "node {} already exists as ({:?}, {:?}, {:?}); remove it first to replace it",
                        node.index,
                        prev.id,
                        vocab.node_types.name(prev.node_type),
                        prev.name
                    )));
                }
                None => {
                    added_nodes.push(rec.clone());
                    nodes.insert(node.index, rec);
                }
            }
        }

        if let Some(&max) = nodes.keys().max() {
            load::check_slots(max, nodes.len())?;
        }

        // Edge additions.
        let mut added_edges: Vec<EdgeRec> = Vec::new();
        let mut seen_new: HashSet<(NodeIndex, NodeIndex, u16)> = HashSet::new();
        for e in &batch.add_edges {
            for end in [e.source, e.target] {
                if !nodes.contains_key(&end) {
                    return Err(Error::UnknownNode(end));
                }
            }
            let rel = vocab.relations.intern(&e.relation, "relation")?;
            let disp = vocab.display_relations.intern(&e.display_relation, "display relation")?;
            let label = vocab.label(rel, disp)?;
            let rec = EdgeRec { source: e.source, target: e.target, label };
            let exists = view.labels_between(e.source, e.target).iter().any(|&l| {
                vocab.labels[l as usize].0 == rel && !removed_edges.contains(&EdgeRec { label: l, ..rec })
            });
            if exists || !seen_new.insert((e.source, e.target, rel)) {
                report.unchanged += 1;
                continue;
            }
            added_edges.push(rec);
        }

        for n in &removed_nodes {
            ops.push((cf::NODES, keys::node_key(*n).to_vec(), None));
        }
        for e in &removed_edges {
            ops.extend(edge_ops(e, false));
        }
        for n in &added_nodes {
            ops.push(node_op(n));
        }
        for e in &added_edges {
            ops.extend(edge_ops(e, true));
        }
        report.nodes_removed = removed_nodes.len();
        report.edges_removed = removed_edges.len();
        report.nodes_added = added_nodes.len();
        report.edges_added = added_edges.len();

        let edges = merged_edges(&view, removed_edges.iter().copied().collect(), &added_edges);
        let new_view = GraphView::build(vocab, nodes.into_values().collect(), &edges);
        let touched = Touched { removed_nodes: &removed_nodes, added_nodes: &added_nodes, removed_edges: &removed_edges, added_edges: &added_edges };
        ops.extend(changed_set_ops(&self.store, &view, &new_view, &touched)?);
        report.generation = self.commit(ops, new_view)?;
        Ok(report)
    }

    /// Writes `ops` (set writes included) with the new vocabulary and generation in one atomic
    /// batch, then publishes `new_view`.
    fn commit(&self, mut ops: Vec<WriteOp>, new_view: GraphView) -> Result<u64> {
        let generation = self.generation() + 1;
        ops.push((cf::META, meta::VOCAB.to_vec(), Some(new_view.vocab().encode())));
        ops.push((cf::META, meta::GENERATION.to_vec(), Some(generation.to_be_bytes().to_vec())));
        self.store.write(ops)?;
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        state.generation = generation;
        state.view = Arc::new(new_view);
        self.view_dirty.store(true, Ordering::Release);
        Ok(generation)
    }

    /// Writes the view file if writes made it stale. Called by `Drop` too.
    pub fn persist_view(&self) -> Result<()> {
        if let Some(path) = &self.path
            && self.view_dirty.swap(false, Ordering::AcqRel)
        {
            let state = self.state.read().unwrap_or_else(|p| p.into_inner());
            state.view.write_file(&path.join(VIEW_FILE), state.generation)?;
        }
        Ok(())
    }

    /// Persists the view and closes the database, reporting any error that `Drop` would hide.
    pub fn close(self) -> Result<()> {
        self.persist_view()?;
        self.store.flush()
    }

    pub fn info(&self) -> Info {
        let (generation, view) = {
            let s = self.state.read().unwrap_or_else(|p| p.into_inner());
            (s.generation, Arc::clone(&s.view))
        };
        let mut degrees: Vec<(usize, NodeIndex)> = view.nodes().map(|n| (view.degree(n), n)).collect();
        degrees.sort_unstable();
        let degree = if degrees.is_empty() {
            DegreeSummary::default()
        } else {
            let at = |q: f64| degrees[((degrees.len() - 1) as f64 * q).round() as usize].0;
            DegreeSummary {
                min: degrees[0].0,
                median: at(0.5),
                mean: degrees.iter().map(|d| d.0).sum::<usize>() as f64 / degrees.len() as f64,
                p99: at(0.99),
                max: degrees[degrees.len() - 1].0,
                max_node: Some(degrees[degrees.len() - 1].1),
            }
        };
        Info {
            nodes: view.node_count(),
            edges: view.edge_count(),
            undirected_edges: view.undirected_edge_count(),
            node_types: view.type_counts(),
            relations: view.relation_counts(),
            degree,
            storage_version: STORAGE_VERSION,
            generation,
            view_bytes: view.traversal_bytes(),
        }
    }

    /// Nodes of a type, from the stored roaring bitmap.
    pub fn nodes_of_type(&self, node_type: &str) -> Result<RoaringBitmap> {
        let view = self.view();
        let id = view
            .vocab()
            .node_types
            .get(node_type)
            .ok_or_else(|| Error::NotFound { kind: "node type", name: node_type.to_owned() })?;
        read_set(&self.store, keys::SET_NODE_TYPE, id)
    }

    /// Nodes incident to an edge of a relation, from the stored roaring bitmap.
    pub fn nodes_of_relation(&self, relation: &str) -> Result<RoaringBitmap> {
        let view = self.view();
        let id = view
            .vocab()
            .relations
            .get(relation)
            .ok_or_else(|| Error::NotFound { kind: "relation", name: relation.to_owned() })?;
        read_set(&self.store, keys::SET_RELATION, id)
    }

    /// Verifies that the store is whole and agrees with the view: every node and edge decodes,
    /// `in` mirrors `out`, the sets match, and the view holds exactly what the store does.
    pub fn check(&self) -> Result<CheckReport> {
        let view = self.view();
        let stored = rebuild_view(&self.store)?;
        let mut report = CheckReport { nodes: stored.node_count(), edges: stored.edge_count(), sets: 0 };
        if stored.node_recs() != view.node_recs() {
            return Err(Error::corruption("database", "stored nodes differ from the in-memory view"));
        }
        if !stored.edges().eq(view.edges()) {
            return Err(Error::corruption("database", "stored edges differ from the in-memory view"));
        }
        let mut reverse = Vec::with_capacity(stored.edge_count());
        self.store.scan(cf::IN, &mut |k, _| {
            let (t, s, l) = keys::decode_edge_key(k)?;
            reverse.push(EdgeRec { source: s, target: t, label: l });
            Ok(true)
        })?;
        reverse.sort_unstable();
        if !reverse.iter().copied().eq(stored.edges()) {
            return Err(Error::corruption("database", "the in column family does not mirror out"));
        }
        let expected: BTreeMap<Vec<u8>, Vec<u8>> =
            set_ops(&stored).into_iter().filter_map(|(_, k, v)| v.map(|v| (k, v))).collect();
        let mut found = BTreeMap::new();
        self.store.scan(cf::SETS, &mut |k, v| {
            found.insert(k.to_vec(), v.to_vec());
            Ok(true)
        })?;
        let decode = |m: &BTreeMap<Vec<u8>, Vec<u8>>| -> Result<BTreeMap<Vec<u8>, RoaringBitmap>> {
            m.iter()
                .map(|(k, v)| {
                    RoaringBitmap::deserialize_from(&v[..])
                        .map(|b| (k.clone(), b))
                        .map_err(|e| Error::corruption("sets", e.to_string()))
                })
                .filter(|r| r.as_ref().map_or(true, |(_, b)| !b.is_empty()))
                .collect()
        };
        if decode(&expected)? != decode(&found)? {
            return Err(Error::corruption("database", "type/relation node sets disagree with nodes and edges"));
        }
        report.sets = expected.len();
        Ok(report)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = self.persist_view();
    }
}

fn node_op(n: &NodeRec) -> WriteOp {
    let value = NodeValue::V1 { id: n.id.clone(), node_type: n.node_type, name: n.name.clone(), source: n.source };
    (cf::NODES, keys::node_key(n.index).to_vec(), Some(value.encode()))
}

fn edge_ops(e: &EdgeRec, put: bool) -> [WriteOp; 2] {
    let v = || if put { Some(Vec::new()) } else { None };
    [
        (cf::OUT, keys::edge_key(e.source, e.target, e.label).to_vec(), v()),
        (cf::IN, keys::edge_key(e.target, e.source, e.label).to_vec(), v()),
    ]
}

/// The roaring node sets of a view: per node type and per relation. Empty sets are deleted.
fn set_ops(view: &GraphView) -> Vec<WriteOp> {
    let vocab = view.vocab();
    let mut types = vec![RoaringBitmap::new(); vocab.node_types.len()];
    for n in view.nodes() {
        types[view.type_id(n) as usize].insert(n);
    }
    let mut relations = vec![RoaringBitmap::new(); vocab.relations.len()];
    for e in view.edges() {
        let r = vocab.labels[e.label as usize].0 as usize;
        relations[r].insert(e.source);
        relations[r].insert(e.target);
    }
    let mut ops = Vec::new();
    for (i, b) in types.iter().enumerate() {
        ops.push(set_op(keys::SET_NODE_TYPE, i as u16, b));
    }
    for (i, b) in relations.iter().enumerate() {
        ops.push(set_op(keys::SET_RELATION, i as u16, b));
    }
    ops
}

/// The write of one stored set: its serialised bitmap, or a delete when it is empty.
fn set_op(tag: u8, id: u16, b: &RoaringBitmap) -> WriteOp {
    let value = (!b.is_empty()).then(|| {
        let mut out = Vec::with_capacity(b.serialized_size());
        b.serialize_into(&mut out).expect("writing to a Vec cannot fail");
        out
    });
    (cf::SETS, keys::set_key(tag, id).to_vec(), value)
}

/// The view's edges without `removed` and with `added` (neither order matters; `added` holds
/// no edge the view keeps), sorted as [`GraphView::build`] wants: one merge pass over the
/// already sorted edges, where sorting them all again was most of a small batch's cost.
fn merged_edges(view: &GraphView, mut removed: Vec<EdgeRec>, added: &[EdgeRec]) -> Vec<EdgeRec> {
    removed.sort_unstable();
    let mut added = added.to_vec();
    added.sort_unstable();
    let mut out = Vec::with_capacity(view.edge_count() + added.len());
    let (mut r, mut a) = (removed.iter().peekable(), added.iter().peekable());
    for e in view.edges() {
        while r.next_if(|&&x| x < e).is_some() {}
        if r.next_if(|&&x| x == e).is_some() {
            continue;
        }
        while let Some(&x) = a.next_if(|&&x| x < e) {
            out.push(x);
        }
        out.push(e);
    }
    out.extend(a);
    out
}

/// What a batch changes, for [`changed_set_ops`].
struct Touched<'a> {
    removed_nodes: &'a HashSet<NodeIndex>,
    added_nodes: &'a [NodeRec],
    removed_edges: &'a HashSet<EdgeRec>,
    added_edges: &'a [EdgeRec],
}

/// The set writes of a batch: only the node-type and relation sets it touches, each read from
/// the store, changed and written back (deleted when empty), so a small batch costs little
/// however large the graph. A node leaves a relation's set when `new` holds no edge of that
/// relation at it.
fn changed_set_ops(store: &Store, old: &GraphView, new: &GraphView, t: &Touched) -> Result<Vec<WriteOp>> {
    fn set<'s>(sets: &'s mut BTreeMap<(u8, u16), RoaringBitmap>, store: &Store, tag: u8, id: u16) -> Result<&'s mut RoaringBitmap> {
        Ok(match sets.entry((tag, id)) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(read_set(store, tag, id)?),
        })
    }
    let mut sets = BTreeMap::new();
    for &n in t.removed_nodes {
        set(&mut sets, store, keys::SET_NODE_TYPE, old.type_id(n))?.remove(n);
    }
    for n in t.added_nodes {
        set(&mut sets, store, keys::SET_NODE_TYPE, n.node_type)?.insert(n.index);
    }
    let relation = |view: &GraphView, label: LabelId| view.vocab().labels[label as usize].0;
    for e in t.added_edges {
        let s = set(&mut sets, store, keys::SET_RELATION, relation(new, e.label))?;
        s.insert(e.source);
        s.insert(e.target);
    }
    let has_relation = |n: NodeIndex, r: u16| {
        new.contains(n)
            && new.out_edges(n).1.iter().chain(new.in_edges(n).1).any(|&l| relation(new, l) == r)
    };
    for e in t.removed_edges {
        let r = relation(old, e.label);
        for n in [e.source, e.target] {
            if !has_relation(n, r) {
                set(&mut sets, store, keys::SET_RELATION, r)?.remove(n);
            }
        }
    }
    Ok(sets.into_iter().map(|((tag, id), b)| set_op(tag, id, &b)).collect())
}

fn read_set(store: &Store, tag: u8, id: u16) -> Result<RoaringBitmap> {
    match store.get(cf::SETS, &keys::set_key(tag, id))? {
        Some(bytes) => RoaringBitmap::deserialize_from(&bytes[..])
            .map_err(|e| Error::corruption(format!("set {tag}/{id}"), e.to_string())),
        None => Ok(RoaringBitmap::new()),
    }
}

fn initial_meta(vocab: &Vocab, generation: u64) -> Vec<WriteOp> {
    vec![
        (cf::META, meta::STORAGE_VERSION.to_vec(), Some(STORAGE_VERSION.to_be_bytes().to_vec())),
        (cf::META, meta::GENERATION.to_vec(), Some(generation.to_be_bytes().to_vec())),
        (cf::META, meta::VOCAB.to_vec(), Some(vocab.encode())),
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
/// is one atomic write that also stores the new version. Version 1 is the first format, so no
/// step exists yet; version 2 will add `1 => migrate_1_to_2(store)?`.
fn migrate(store: &Store, from: u32) -> Result<()> {
    let _ = store;
    match from {
        v if v >= STORAGE_VERSION => Ok(()),
        v => Err(Error::corruption("meta", format!("storage version {v} is not a kgcore format; no migration exists"))),
    }
}

/// Reads every node and edge from the store and builds the view.
pub(crate) fn rebuild_view(store: &Store) -> Result<GraphView> {
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
    let mut edges = Vec::new();
    store.scan(cf::OUT, &mut |k, _| {
        let (source, target, label) = keys::decode_edge_key(k)?;
        if label as usize >= vocab.labels.len() {
            return Err(Error::corruption(format!("edge {source}->{target}"), "label out of range"));
        }
        if !present.contains(&source) || !present.contains(&target) {
            return Err(Error::corruption(format!("edge {source}->{target}"), "endpoint is not a stored node"));
        }
        edges.push(EdgeRec { source, target, label });
        Ok(true)
    })?;
    Ok(GraphView::build(vocab, nodes, &edges))
}

/// True if `path` holds a kgcore (RocksDB) database.
pub fn is_database(path: &Path) -> bool {
    path.join("CURRENT").is_file()
}

#[cfg(feature = "rocksdb")]
fn ensure_vacant(path: &Path) -> Result<()> {
    match std::fs::read_dir(path) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::InvalidInput(format!(
                    "{} exists and is not empty; choose a new directory",
                    path.display()
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            Err(Error::InvalidInput(format!("{} exists and is a file, not a directory", path.display())))
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Imports `files` into the database at `path`. A new database is built in a hidden staging
/// directory beside `path` and renamed into place only when complete, so a failed or killed
/// import leaves nothing at `path`. An existing database receives the files in one atomic batch.
#[cfg(feature = "rocksdb")]
pub fn import(path: impl AsRef<Path>, files: &[PathBuf], progress: Option<Arc<Progress>>) -> Result<ImportReport> {
    let path = path.as_ref();
    if is_database(path) {
        let db = Database::open(path, OpenMode::ReadWrite)?;
        let report = db.import_files(files, progress)?;
        db.close()?;
        return Ok(report);
    }
    ensure_vacant(path)?;
    let loaded = load::load_files(files, Vocab::default(), Vec::new(), progress)?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let base = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "db".into());
    remove_abandoned_staging(&parent, &base);
    let staging = parent.join(format!(".{base}.importing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let guard = RemoveOnDrop(Some(staging.clone()));
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;

    let stats = loaded.stats.clone();
    let view = GraphView::build(loaded.vocab, loaded.nodes, &loaded.edges);
    drop(loaded.edges);
    {
        let store = Store::RocksDb(crate::store::RocksStore::open(&staging)?);
        store.bulk_load(
            cf::NODES,
            &mut view.nodes().filter_map(|n| view.node_rec(n)).map(|n| {
                let (_, k, v) = node_op(&n);
                (k, v.unwrap_or_default())
            }),
        )?;
        store.bulk_load(cf::OUT, &mut view.edges().map(|e| (keys::edge_key(e.source, e.target, e.label).to_vec(), Vec::new())))?;
        store.bulk_load(
            cf::IN,
            &mut (0..view.slots() as NodeIndex).flat_map(|t| {
                let (s, l) = view.in_edges(t);
                s.iter().zip(l).map(move |(&s, &l)| (keys::edge_key(t, s, l).to_vec(), Vec::new())).collect::<Vec<_>>()
            }),
        )?;
        let mut ops = initial_meta(view.vocab(), 1);
        ops.extend(set_ops(&view));
        store.write(ops)?;
        store.flush()?;
        view.write_file(&staging.join(VIEW_FILE), 1)?;
        // Written last: only a finished database opens.
        store.write(vec![(cf::META, meta::COMPLETE.to_vec(), Some(vec![1]))])?;
        store.flush()?;
    }
    if path.exists() {
        std::fs::remove_dir(path).map_err(|e| Error::io(path, e))?;
    }
    std::fs::rename(&staging, path).map_err(|e| Error::io(path, e))?;
    guard.disarm();
    if let Ok(dir) = std::fs::File::open(&parent) {
        let _ = dir.sync_all();
    }
    Ok(ImportReport {
        load: stats,
        nodes: view.node_count(),
        edges: view.edge_count(),
        nodes_added: view.node_count(),
        edges_added: view.edge_count(),
    })
}

#[cfg(feature = "rocksdb")]
/// Removes staging directories of earlier imports into the same target whose process is gone.
fn remove_abandoned_staging(parent: &Path, base: &str) {
    let prefix = format!(".{base}.importing-");
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name.strip_prefix(&prefix).and_then(|p| p.parse::<u32>().ok())
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(feature = "rocksdb")]
struct RemoveOnDrop(Option<PathBuf>);

#[cfg(feature = "rocksdb")]
impl RemoveOnDrop {
    fn disarm(mut self) {
        self.0 = None;
    }
}

#[cfg(feature = "rocksdb")]
impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}
