//! A store held in memory: ordered maps per column family behind one lock, so a batch is atomic.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use super::{Visitor, WriteOp};
use crate::error::Result;

type Family = BTreeMap<Vec<u8>, Vec<u8>>;

/// Column families as maps in memory, behind one lock.
#[derive(Debug, Default)]
pub struct MemoryStore {
    families: RwLock<HashMap<&'static str, Family>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value at `key` of column family `cf`, if any.
    pub fn get(&self, cf: &str, key: &[u8]) -> Option<Vec<u8>> {
        let families = self.families.read().unwrap_or_else(|p| p.into_inner());
        families.get(cf).and_then(|m| m.get(key).cloned())
    }

    /// Bytes of the keys and values of `cf`.
    pub fn bytes(&self, cf: &str) -> u64 {
        let families = self.families.read().unwrap_or_else(|p| p.into_inner());
        families.get(cf).map_or(0, |m| m.iter().map(|(k, v)| (k.len() + v.len()) as u64).sum())
    }

    /// Every (key, value) of `cf` in key order, until `f` returns false.
    pub fn scan(&self, cf: &str, f: &mut Visitor<'_>) -> Result<()> {
        let families = self.families.read().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = families.get(cf) {
            for (k, v) in m {
                if !f(k, v)? {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Applies `ops` at once, in order; merges are folded as they come.
    pub fn write(&self, ops: Vec<WriteOp>) {
        let mut families = self.families.write().unwrap_or_else(|p| p.into_inner());
        for op in ops {
            match op {
                WriteOp::Put(cf, key, v) => {
                    families.entry(cf).or_default().insert(key, v);
                }
                WriteOp::Delete(cf, key) => {
                    families.entry(cf).or_default().remove(&key);
                }
                WriteOp::Merge(cf, key, operand) => {
                    let m = families.entry(cf).or_default();
                    let merged = crate::adjacency::merge(m.get(&key).map(|v| &v[..]), &mut std::iter::once(&operand[..]), true);
                    m.insert(key, merged);
                }
            }
        }
    }
}
