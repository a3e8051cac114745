//! The header every side file of a database shares (the view, the name index, the vector
//! file), and the one reader and writer of it.
//!
//! A side file is derived from, or attached to, one database at one generation. Its header
//! says which, so a file copied from another database, or left from an earlier generation, is
//! noticed instead of trusted:
//!
//! | bytes | field |
//! | --- | --- |
//! | 0..8 | magic: which kind of file |
//! | 8..12 | format version (u32 LE) |
//! | 12..16 | CRC-32 of bytes 16.. (the stamp and the body) |
//! | 16..32 | the database's id (u128 LE), [`Database::id`](crate::Database::id) |
//! | 32..40 | the database generation written at (u64 LE) |
//! | 40.. | the body, 8-byte aligned |
//!
//! The magic and version come first in every format kgcore has written, so a reader can
//! always tell an older format and decide to rebuild it (derived files) or read it its old
//! way (the vector file).

use std::path::Path;

/// Bytes before the body.
pub const HEADER_LEN: usize = 40;

/// Which database, at which generation, a side file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The database's id, written once when it is created.
    pub database: u128,
    /// The count of committed update batches when the file was written.
    pub generation: u64,
}

/// How a side file relates to the database reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Belongs {
    /// Written for this database at this generation.
    Current,
    /// Written for this database at an earlier (or later) generation.
    OtherGeneration(u64),
    /// Written for another database.
    OtherDatabase,
}

impl Stamp {
    /// How a file stamped `file` relates to a database stamped `self`.
    pub fn judge(&self, file: Stamp) -> Belongs {
        if file.database != self.database {
            Belongs::OtherDatabase
        } else if file.generation != self.generation {
            Belongs::OtherGeneration(file.generation)
        } else {
            Belongs::Current
        }
    }
}

/// The format version of a file of kind `magic`, or `None` if it is not one (or too short).
pub fn version(bytes: &[u8], magic: &[u8; 8]) -> Option<u32> {
    if bytes.len() < 12 || &bytes[..8] != magic {
        return None;
    }
    Some(u32::from_le_bytes(bytes[8..12].try_into().expect("length checked")))
}

/// The stamp of a whole file in this header layout, after checking its length and checksum;
/// the body is `bytes[HEADER_LEN..]`. The error says what is wrong, for a corruption message.
pub fn read_stamp(bytes: &[u8]) -> Result<Stamp, &'static str> {
    if bytes.len() < HEADER_LEN {
        return Err("truncated header");
    }
    let crc = u32::from_le_bytes(bytes[12..16].try_into().expect("length checked"));
    if crc32fast::hash(&bytes[16..]) != crc {
        return Err("checksum mismatch");
    }
    Ok(Stamp {
        database: u128::from_le_bytes(bytes[16..32].try_into().expect("length checked")),
        generation: u64::from_le_bytes(bytes[32..40].try_into().expect("length checked")),
    })
}

/// Writes a side file atomically (a temporary file, synced, renamed over `path`): the header,
/// then `body`'s parts in order.
pub fn write(path: &Path, magic: &[u8; 8], version: u32, stamp: Stamp, body: &[&[u8]]) -> std::io::Result<()> {
    let mut stamp_bytes = [0u8; 24];
    stamp_bytes[..16].copy_from_slice(&stamp.database.to_le_bytes());
    stamp_bytes[16..].copy_from_slice(&stamp.generation.to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&stamp_bytes);
    for part in body {
        crc.update(part);
    }
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(magic);
    header.extend_from_slice(&version.to_le_bytes());
    header.extend_from_slice(&crc.finalize().to_le_bytes());
    header.extend_from_slice(&stamp_bytes);
    let mut parts: Vec<&[u8]> = vec![&header];
    parts.extend_from_slice(body);
    crate::atomic_file::write_atomically(path, &parts)
}

/// A fresh database id: 128 bits from the operating system's randomness (through the
/// standard library's randomly seeded hasher), the clock and the process id.
pub fn new_database_id() -> u128 {
    use std::hash::{BuildHasher, Hasher};
    let word = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(salt);
        h.write_u32(std::process::id());
        h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
        h.finish()
    };
    (u128::from(word(1)) << 64) | u128::from(word(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_judgement_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("side");
        let stamp = Stamp { database: new_database_id(), generation: 7 };
        write(&p, b"KGTEST\0\0", 3, stamp, &[b"hello ", b"body"]).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(version(&bytes, b"KGTEST\0\0"), Some(3));
        assert_eq!(version(&bytes, b"KGOTHER\0"), None);
        assert_eq!(read_stamp(&bytes), Ok(stamp));
        assert_eq!(&bytes[HEADER_LEN..], b"hello body");
        assert_eq!(stamp.judge(stamp), Belongs::Current);
        assert_eq!(Stamp { generation: 8, ..stamp }.judge(stamp), Belongs::OtherGeneration(7));
        assert_eq!(Stamp { database: stamp.database ^ 1, ..stamp }.judge(stamp), Belongs::OtherDatabase);
        // Any flipped bit of the stamp or body, or a cut, is caught.
        for i in 16..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x10;
            assert_eq!(read_stamp(&b), Err("checksum mismatch"), "byte {i}");
        }
        assert_eq!(read_stamp(&bytes[..30]), Err("truncated header"));
        assert_ne!(new_database_id(), new_database_id());
    }
}
