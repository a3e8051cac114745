//! The RocksDB store. All RocksDB types stay inside this file.

use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rocksdb::{ColumnFamilyDescriptor, DB, IteratorMode, Options, SstFileWriter, WriteBatch, WriteOptions};

use super::{Visitor, WriteOp};
use crate::error::{Error, Result};
use crate::keys::cf;

/// Fewest entries worth a table file of their own in a bulk load.
const BULK_CHUNK_MIN: usize = 1 << 14;

/// A RocksDB database with kgcore's column families.
pub struct RocksStore {
    /// Closed by `Drop` only in the process that opened it (see [`RocksStore::opened_here`]).
    db: ManuallyDrop<DB>,
    path: PathBuf,
    read_only: bool,
    sst_seq: AtomicU64,
    opened_by: u32,
}

impl std::fmt::Debug for RocksStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksStore").field("path", &self.path).field("read_only", &self.read_only).finish()
    }
}

fn options() -> Options {
    let mut o = Options::default();
    o.create_if_missing(true);
    o.create_missing_column_families(true);
    // LZ4HC in 16 KiB blocks: hetionet-partial's store takes 5.7 MB, against 7.2 MB with LZ4 in
    // RocksDB's 4 KiB blocks; writing the scale-1.0 graph's bitmaps takes 1.0 s against 0.67 s.
    o.set_compression_type(rocksdb::DBCompressionType::Lz4hc);
    let mut table = rocksdb::BlockBasedOptions::default();
    table.set_block_size(16 * 1024);
    o.set_block_based_table_factory(&table);
    o.set_max_background_jobs(2);
    o.set_keep_log_file_num(2);
    // Only the adjacency family receives merges; the operator is the same for every family.
    o.set_merge_operator(
        "kgcore.adjacency.v1",
        |_key: &[u8], existing: Option<&[u8]>, operands: &rocksdb::MergeOperands| {
            Some(crate::adjacency::merge(existing, &mut operands.iter(), true))
        },
        |_key: &[u8], existing: Option<&[u8]>, operands: &rocksdb::MergeOperands| {
            Some(crate::adjacency::merge(existing, &mut operands.iter(), false))
        },
    );
    o
}

/// The column families to open, each with [`options`] (its merge operator included): kgcore's,
/// and any others the directory holds (those of an older layout until a migration drops them;
/// RocksDB refuses a read-write open that leaves one out). A read-only open names only those
/// that exist.
fn families(path: &Path, read_only: bool) -> Vec<ColumnFamilyDescriptor> {
    let existing = DB::list_cf(&Options::default(), path).unwrap_or_default();
    let mut names: Vec<String> = if read_only { Vec::new() } else { cf::ALL.iter().map(|s| s.to_string()).collect() };
    for name in existing {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.into_iter().map(|name| ColumnFamilyDescriptor::new(name, options())).collect()
}

fn engine_error(path: &Path, e: rocksdb::Error) -> Error {
    let text = e.to_string();
    if e.kind() == rocksdb::ErrorKind::Corruption {
        return Error::corruption(path.display().to_string(), format!("{text}; restore the database from a copy or import it again"));
    }
    // RocksDB reports a held lock as an I/O error on the LOCK file ("While lock file: …/LOCK:
    // Resource temporarily unavailable", or "lock hold by current process" within one process).
    if e.kind() == rocksdb::ErrorKind::IOError && (text.contains("/LOCK") || text.contains("lock hold by current process")) {
        return Error::Locked(path.to_owned());
    }
    Error::Storage(format!("{}: {text}", path.display()))
}

impl RocksStore {
    /// Opens (creating if needed) a read-write store; fails with [`Error::Locked`] if another
    /// process has it open read-write.
    pub fn open(path: &Path) -> Result<Self> {
        let db = DB::open_cf_descriptors(&options(), path, families(path, false)).map_err(|e| engine_error(path, e))?;
        Ok(Self::new(db, path, false))
    }

    /// Opens an existing store read-only. Any number of processes may do this at once.
    ///
    /// A read-only open lists the store's files, then reads them; a writer in another process
    /// may delete an old log or table file in between (it does after flushes and compactions),
    /// and the open fails with "No such file or directory". That is a race, not damage: the
    /// open is tried again, up to 20 times over about a second.
    pub fn open_read_only(path: &Path) -> Result<Self> {
        let mut o = options();
        o.create_if_missing(false);
        let mut attempt = 0u64;
        loop {
            match DB::open_cf_descriptors_read_only(&o, path, families(path, true), false) {
                Ok(db) => return Ok(Self::new(db, path, true)),
                // Reported as an I/O error, or as corruption when the file was named in the
                // manifest just read (a table a compaction has since replaced).
                Err(e) if attempt < 20 && e.to_string().contains("No such file or directory") && path.join("CURRENT").is_file() => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(5 * attempt));
                }
                Err(e) => return Err(engine_error(path, e)),
            }
        }
    }

    fn new(db: DB, path: &Path, read_only: bool) -> Self {
        RocksStore { db: ManuallyDrop::new(db), path: path.to_owned(), read_only, sst_seq: AtomicU64::new(0), opened_by: std::process::id() }
    }

    /// False in a child process that inherited this handle across `fork()`. The engine's
    /// background threads did not cross the fork, and its write-ahead log is the parent's:
    /// a write, a flush or a close from the child would unlink or overwrite files the parent
    /// still writes to, losing the parent's committed batches.
    pub fn opened_here(&self) -> bool {
        std::process::id() == self.opened_by
    }

    /// [`Error::ForkedHandle`] unless [`RocksStore::opened_here`].
    pub fn ensure_opened_here(&self) -> Result<()> {
        if self.opened_here() {
            return Ok(());
        }
        Err(Error::ForkedHandle { path: self.path.clone(), opened_by: self.opened_by })
    }

    fn handle(&self, name: &str) -> Result<&rocksdb::ColumnFamily> {
        self.db
            .cf_handle(name)
            .ok_or_else(|| Error::corruption(self.path.display().to_string(), format!("column family {name} is missing")))
    }

    /// The value at `key` of column family `cf`, if any.
    pub fn get(&self, cf: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.db.get_cf(self.handle(cf)?, key).map_err(|e| engine_error(&self.path, e))
    }

    /// Every (key, value) of `cf` in key order, until `f` returns false.
    pub fn scan(&self, cf: &'static str, f: &mut Visitor<'_>) -> Result<()> {
        for item in self.db.iterator_cf(self.handle(cf)?, IteratorMode::Start) {
            let (k, v) = item.map_err(|e| engine_error(&self.path, e))?;
            if !f(&k, &v)? {
                break;
            }
        }
        Ok(())
    }

    /// Applies `ops` in one atomic, synced write batch.
    pub fn write(&self, ops: Vec<WriteOp>) -> Result<()> {
        if self.read_only {
            return Err(Error::ReadOnly("write"));
        }
        self.ensure_opened_here()?;
        let mut batch = WriteBatch::default();
        for op in ops {
            match op {
                WriteOp::Put(name, key, v) => batch.put_cf(self.handle(name)?, key, v),
                WriteOp::Delete(name, key) => batch.delete_cf(self.handle(name)?, key),
                WriteOp::Merge(name, key, operand) => batch.merge_cf(self.handle(name)?, key, operand),
            }
        }
        let mut wo = WriteOptions::default();
        wo.set_sync(true);
        self.db.write_opt(batch, &wo).map_err(|e| engine_error(&self.path, e))
    }

    /// Loads sorted, distinct entries into the empty column family `name` as SST files.
    pub fn bulk_load(&self, name: &'static str, entries: Vec<(Vec<u8>, Vec<u8>)>) -> Result<()> {
        use rayon::prelude::*;
        self.ensure_opened_here()?;
        if entries.is_empty() {
            return Ok(());
        }
        // One table file per core, each a run of the sorted entries: compressing the blocks is
        // most of the work, and the files' key ranges do not overlap, so one ingestion takes
        // them all.
        let chunk = entries.len().div_ceil(rayon::current_num_threads().max(1)).max(BULK_CHUNK_MIN);
        let files: Vec<PathBuf> = entries
            .chunks(chunk)
            .map(|_| self.path.join(format!("bulk-{name}-{}.sst", self.sst_seq.fetch_add(1, Ordering::Relaxed))))
            .collect();
        let written = entries.par_chunks(chunk).zip(&files).try_for_each(|(run, file)| -> Result<()> {
            let opts = options();
            let mut writer = SstFileWriter::create(&opts);
            writer.open(file).map_err(|e| engine_error(&self.path, e))?;
            for (k, v) in run {
                writer.put(k, v).map_err(|e| engine_error(&self.path, e))?;
            }
            writer.finish().map_err(|e| engine_error(&self.path, e))
        });
        let ingested = written.and_then(|()| {
            self.db.ingest_external_file_cf(self.handle(name)?, files.iter().collect()).map_err(|e| engine_error(&self.path, e))
        });
        for file in &files {
            let _ = std::fs::remove_file(file);
        }
        ingested
    }

    /// Bytes of column family `name`: its live table files and its memtables.
    pub fn bytes(&self, name: &'static str) -> Result<u64> {
        let h = self.handle(name)?;
        let mut total = 0;
        for property in [rocksdb::properties::LIVE_SST_FILES_SIZE, rocksdb::properties::SIZE_ALL_MEM_TABLES] {
            total += self.db.property_int_value_cf(h, property).map_err(|e| engine_error(&self.path, e))?.unwrap_or(0);
        }
        Ok(total)
    }

    /// Bytes on disk of RocksDB's own files in the database directory (tables, logs, manifests,
    /// options), not the side files kgcore keeps beside them.
    pub fn bytes_on_disk(&self) -> Result<u64> {
        let engine_file = |name: &str| {
            [".sst", ".log", ".blob"].iter().any(|s| name.ends_with(s))
                || ["MANIFEST-", "OPTIONS-", "LOG"].iter().any(|p| name.starts_with(p))
                || ["CURRENT", "IDENTITY", "LOCK"].contains(&name)
        };
        let mut total = 0;
        for entry in std::fs::read_dir(&self.path).map_err(|e| Error::io(&self.path, e))? {
            let entry = entry.map_err(|e| Error::io(&self.path, e))?;
            if engine_file(&entry.file_name().to_string_lossy()) {
                // A file removed since the listing (a compaction's input) no longer counts.
                total += entry.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
        Ok(total)
    }

    /// Drops the column family `name` if it exists.
    pub fn drop_family(&mut self, name: &str) -> Result<()> {
        if self.read_only || self.db.cf_handle(name).is_none() {
            return Ok(());
        }
        self.ensure_opened_here()?;
        self.db.drop_cf(name).map_err(|e| engine_error(&self.path, e))
    }

    /// Flushes every column family's memtable to disk (nothing for a read-only handle).
    pub fn flush(&self) -> Result<()> {
        if self.read_only {
            return Ok(());
        }
        self.ensure_opened_here()?;
        for name in cf::ALL {
            self.db.flush_cf(self.handle(name)?).map_err(|e| engine_error(&self.path, e))?;
        }
        Ok(())
    }
}

impl Drop for RocksStore {
    fn drop(&mut self) {
        if self.opened_here() {
            #[allow(unsafe_code)]
            // SAFETY: `db` is dropped here once and never used again: this is `Drop`.
            unsafe {
                ManuallyDrop::drop(&mut self.db)
            }
        }
        // In a forked child the engine is abandoned, not closed: closing would flush and
        // delete log files of the parent (see `opened_here`). The process's exit frees it.
    }
}
