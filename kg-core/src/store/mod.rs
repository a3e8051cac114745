//! The durable key-value store behind a database: RocksDB, or an in-memory map for tests and
//! for the query and index crates, which build without RocksDB.

mod memory;
#[cfg(feature = "rocksdb")]
mod rocks;

pub use memory::MemoryStore;
#[cfg(feature = "rocksdb")]
pub use rocks::RocksStore;

use crate::error::Result;

/// Called for each (key, value) of a scan; returning false stops the scan.
pub type Visitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<bool> + 'a;

/// One write of a batch, to a column family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    /// Sets `key` to a value.
    Put(&'static str, Vec<u8>, Vec<u8>),
    /// Removes `key`.
    Delete(&'static str, Vec<u8>),
    /// Folds an adjacency delta into the value at `key` ([`crate::adjacency::merge`], the
    /// store's one merge operator).
    Merge(&'static str, Vec<u8>, Vec<u8>),
}

impl WriteOp {
    /// A put of `Some` value, a delete of `None`.
    pub fn put_or_delete(cf: &'static str, key: Vec<u8>, value: Option<Vec<u8>>) -> Self {
        match value {
            Some(v) => WriteOp::Put(cf, key, v),
            None => WriteOp::Delete(cf, key),
        }
    }
}

/// A store chosen at open.
#[derive(Debug)]
pub enum Store {
    /// Held in memory.
    Memory(MemoryStore),
    /// RocksDB on disk.
    #[cfg(feature = "rocksdb")]
    RocksDb(RocksStore),
}

impl Store {
    /// The value at `key` of column family `cf`, if any.
    pub fn get(&self, cf: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self {
            Store::Memory(s) => Ok(s.get(cf, key)),
            #[cfg(feature = "rocksdb")]
            Store::RocksDb(s) => s.get(cf, key),
        }
    }

    /// Visits every entry of `cf` in key order until `f` returns false.
    pub fn scan(&self, cf: &'static str, f: &mut Visitor<'_>) -> Result<()> {
        match self {
            Store::Memory(s) => s.scan(cf, f),
            #[cfg(feature = "rocksdb")]
            Store::RocksDb(s) => s.scan(cf, f),
        }
    }

    /// Applies every op atomically and durably: all or none survive a crash.
    pub fn write(&self, ops: Vec<WriteOp>) -> Result<()> {
        match self {
            Store::Memory(s) => {
                s.write(ops);
                Ok(())
            }
            #[cfg(feature = "rocksdb")]
            Store::RocksDb(s) => s.write(ops),
        }
    }

    /// Loads sorted, distinct entries into an empty column family. Only for a database that is
    /// not yet visible to anyone (an import's staging copy): it is not atomic with other writes.
    pub fn bulk_load(&self, cf: &'static str, entries: Vec<(Vec<u8>, Vec<u8>)>) -> Result<()> {
        match self {
            Store::Memory(s) => {
                s.write(entries.into_iter().map(|(k, v)| WriteOp::Put(cf, k, v)).collect());
                Ok(())
            }
            #[cfg(feature = "rocksdb")]
            Store::RocksDb(s) => s.bulk_load(cf, entries),
        }
    }

    /// False in a child process that inherited this store across `fork()`: it must not
    /// write, flush or close there.
    pub fn opened_here(&self) -> bool {
        match self {
            Store::Memory(_) => true,
            #[cfg(feature = "rocksdb")]
            Store::RocksDb(s) => s.opened_here(),
        }
    }

    /// [`Error::ForkedHandle`](crate::Error::ForkedHandle) unless [`Store::opened_here`].
    pub fn ensure_opened_here(&self) -> Result<()> {
        match self {
            Store::Memory(_) => Ok(()),
            #[cfg(feature = "rocksdb")]
            Store::RocksDb(s) => s.ensure_opened_here(),
        }
    }

    /// Bytes of column family `cf` (RocksDB: live tables and memtables; memory: keys and values).
    pub fn bytes(&self, cf: &'static str) -> Result<u64> {
        match self {
            Store::Memory(s) => Ok(s.bytes(cf)),
            #[cfg(feature = "rocksdb")]
            Store::RocksDb(s) => s.bytes(cf),
        }
    }

    /// Bytes of the store's own files on disk; `None` in memory.
    pub fn bytes_on_disk(&self) -> Result<Option<u64>> {
        match self {
            Store::Memory(_) => Ok(None),
            #[cfg(feature = "rocksdb")]
            Store::RocksDb(s) => s.bytes_on_disk().map(Some),
        }
    }

    /// Removes the column family `name` if the store has it: the families of an older layout,
    /// after a migration.
    pub fn drop_family(&mut self, name: &str) -> Result<()> {
        match self {
            Store::Memory(_) => {
                let _ = name;
                Ok(())
            }
            #[cfg(feature = "rocksdb")]
            Store::RocksDb(s) => s.drop_family(name),
        }
    }

    /// Forces everything written so far to durable files.
    pub fn flush(&self) -> Result<()> {
        match self {
            Store::Memory(_) => Ok(()),
            #[cfg(feature = "rocksdb")]
            Store::RocksDb(s) => s.flush(),
        }
    }
}
