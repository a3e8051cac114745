//! Import: files into an open database in one batch, or a new database built in a staging
//! directory and renamed into place.

use super::*;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// What the files held.
    #[serde(flatten)]
    pub load: LoadStats,
    /// Nodes in the database afterwards.
    pub nodes: usize,
    /// Stored edges in the database afterwards.
    pub edges: usize,
    /// Nodes the import added.
    pub nodes_added: usize,
    /// Edges the import added.
    pub edges_added: usize,
}

impl Database {

    /// Reads `files` (kg.csv, nodes.csv, edges.csv; plain or .gz) into this database in one
    /// atomic batch: afterwards either all of them are in, or none.
    pub fn import_files(&self, files: &[PathBuf], progress: Option<Arc<Progress>>) -> Result<ImportReport> {
        self.ensure_writable("import")?;
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
        ops.extend(adjacency_ops(&view, &HashSet::new(), std::iter::empty(), &new_edges));
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
}

#[cfg(feature = "rocksdb")]
pub(super) fn ensure_vacant(path: &Path) -> Result<()> {
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
    import_new(path, load::load_files(files, Vocab::default(), Vec::new(), progress)?, &[])
}

/// Writes `loaded` (and the other names its nodes go by) as a new database at `path` (which
/// must not exist or be an empty directory), built in a hidden staging directory and renamed
/// into place only when complete.
#[cfg(feature = "rocksdb")]
pub fn import_new(path: &Path, loaded: load::LoadedGraph, synonyms: &[(NodeIndex, String)]) -> Result<ImportReport> {
    ensure_vacant(path)?;
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
        let id = crate::side_file::new_database_id();
        // The view file and the store's tables are independent: written side by side.
        std::thread::scope(|scope| -> Result<()> {
            let view_file = scope.spawn(|| view.write_file(&staging.join(VIEW_FILE), crate::side_file::Stamp { database: id, generation: 1 }));
            store.bulk_load(cf::NODES, view.nodes().filter_map(|n| view.node_rec(n)).map(|n| node_entry(&n)).collect())?;
            store.bulk_load(cf::ADJ, adjacency_entries(&view))?;
            let mut ops = initial_meta(view.vocab(), 1, id);
            if !synonyms.is_empty() {
                ops.push(WriteOp::Put(cf::META, meta::SYNONYMS.to_vec(), postcard::to_stdvec(synonyms).expect("synonyms serialise")));
            }
            ops.extend(set_ops(&view));
            store.write(ops)?;
            store.flush()?;
            view_file.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        })?;
        // Written last: only a finished database opens.
        store.write(vec![WriteOp::Put(cf::META, meta::COMPLETE.to_vec(), vec![1])])?;
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

/// Reads the HPO's files ([`crate::hpo`]) into a new database at `path`, all or nothing.
#[cfg(feature = "rocksdb")]
pub fn import_hpo(path: impl AsRef<Path>, files: &crate::hpo::HpoFiles) -> Result<ImportReport> {
    let path = path.as_ref();
    ensure_vacant(path)?;
    let graph = crate::hpo::read(files)?;
    import_new(path, load::LoadedGraph::from_records(graph.nodes, graph.edges)?, &graph.synonyms)
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

