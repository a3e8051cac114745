//! A store held in memory: ordered maps per column family behind one lock, so a batch is atomic.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use super::WriteOp;
use crate::error::Result;

#[derive(Debug, Default)]
pub struct MemoryStore {
    families: RwLock<HashMap<&'static str, BTreeMap<Vec<u8>, Vec<u8>>>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, cf: &str, key: &[u8]) -> Option<Vec<u8>> {
        let families = self.families.read().unwrap_or_else(|p| p.into_inner());
        families.get(cf).and_then(|m| m.get(key).cloned())
    }

    pub fn scan(&self, cf: &str, f: &mut dyn FnMut(&[u8], &[u8]) -> Result<bool>) -> Result<()> {
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

    pub fn write(&self, ops: Vec<WriteOp>) {
        let mut families = self.families.write().unwrap_or_else(|p| p.into_inner());
        for (cf, key, value) in ops {
            let m = families.entry(cf).or_default();
            match value {
                Some(v) => {
                    m.insert(key, v);
                }
                None => {
                    m.remove(&key);
                }
            }
        }
    }
}
