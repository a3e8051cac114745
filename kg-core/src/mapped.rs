//! The one place kgcore maps a file into memory.
#![allow(unsafe_code)]

use std::fs::File;
use std::path::Path;

use memmap2::Mmap;

use crate::error::{Error, Result};

/// Maps `path` read-only.
pub fn map_file(path: &Path) -> Result<Mmap> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // SAFETY: kgcore never writes to a view or index file after it is renamed into place: new
    // versions are written to a temporary file and renamed over the old name, which leaves this
    // mapping on the old inode. A foreign process truncating the file could still fault us; that
    // is the contract of every memory-mapped database file.
    unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))
}
