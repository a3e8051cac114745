//! The persisted view, `graph.view`: the side-file header ([`crate::side_file`]: magic,
//! version, CRC-32, database id, generation), a byte-order mark and the node count, then a
//! table of 8-byte-aligned sections that map straight back into a [`GraphView`]'s arrays.

use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::error::{Error, Result};
use crate::mapped::map_file;
use crate::side_file::{self, Belongs, Stamp};

const MAGIC: &[u8; 8] = b"KGVIEW\0\0";
/// Format version of `graph.view`; a file of another version is rebuilt, never misread.
pub const VIEW_FORMAT_VERSION: u32 = 2;
/// Written native-endian: a file from a machine of the other byte order reads as a mismatch.
const ENDIAN_MARK: u32 = 0x0102_0304;
const SECTIONS: usize = 13;
/// The shared header, the byte-order mark (and 4 bytes of padding), the node count.
const HEADER_LEN: usize = side_file::HEADER_LEN + 16;

/// Outcome of trying to load a persisted view.
#[derive(Debug)]
pub enum LoadedView {
    /// The view, mapped from the file.
    Loaded(Box<GraphView>),
    /// The file is absent, of another database, generation or format: rebuild it.
    Stale(String),
}

impl GraphView {
    /// Writes the view to `path` atomically (temporary file, fsync, rename).
    pub fn write_file(&self, path: &Path, stamp: Stamp) -> Result<()> {
        let vocab = self.vocab.encode();
        let sections: [&[u8]; SECTIONS] = [
            &vocab,
            bytemuck::cast_slice(&self.node_type),
            bytemuck::cast_slice(&self.node_source),
            bytemuck::cast_slice(&self.str_offsets),
            &self.str_arena,
            bytemuck::cast_slice(self.out.offsets()),
            bytemuck::cast_slice(self.out.targets()),
            bytemuck::cast_slice(&self.out_labels),
            bytemuck::cast_slice(self.inc.offsets()),
            bytemuck::cast_slice(self.inc.targets()),
            bytemuck::cast_slice(&self.inc_labels),
            bytemuck::cast_slice(self.und.offsets()),
            bytemuck::cast_slice(self.und.targets()),
        ];
        let table_len = SECTIONS * 16;
        let mut pos = align8(HEADER_LEN + table_len);
        let mut table = Vec::with_capacity(table_len);
        for s in &sections {
            table.extend_from_slice(&(pos as u64).to_le_bytes());
            table.extend_from_slice(&(s.len() as u64).to_le_bytes());
            pos = align8(pos + s.len());
        }
        let mut body = Vec::with_capacity(pos);
        body.extend_from_slice(&table);
        for s in &sections {
            body.resize(align8(HEADER_LEN + body.len()) - HEADER_LEN, 0);
            body.extend_from_slice(s);
        }
        let mut own_header = Vec::with_capacity(HEADER_LEN - side_file::HEADER_LEN);
        own_header.extend_from_slice(&ENDIAN_MARK.to_ne_bytes());
        own_header.extend_from_slice(&0u32.to_le_bytes());
        own_header.extend_from_slice(&(self.node_count as u64).to_le_bytes());
        side_file::write(path, MAGIC, VIEW_FORMAT_VERSION, stamp, &[&own_header, &body]).map_err(|e| Error::io(path, e))
    }

    /// Maps the view at `path` if it is whole and was written for `stamp` (this database at
    /// this generation). A damaged file is reported as an error naming it; callers may rebuild
    /// from the store.
    pub fn load_file(path: &Path, stamp: Stamp) -> Result<LoadedView> {
        if !path.exists() {
            return Ok(LoadedView::Stale("no view file".into()));
        }
        let map = Arc::new(map_file(path)?);
        let what = path.display().to_string();
        let corrupt = |m: &str| Error::corruption(what.clone(), m.to_owned());
        let Some(version) = side_file::version(&map, MAGIC) else {
            return Err(corrupt("not a kgcore view file (bad magic or too short)"));
        };
        if version != VIEW_FORMAT_VERSION {
            return Ok(LoadedView::Stale(format!("view format {version}, expected {VIEW_FORMAT_VERSION}")));
        }
        let file_stamp = side_file::read_stamp(&map).map_err(corrupt)?;
        match stamp.judge(file_stamp) {
            Belongs::Current => {}
            Belongs::OtherGeneration(g) => {
                return Ok(LoadedView::Stale(format!("view of generation {g}, database at {}", stamp.generation)));
            }
            Belongs::OtherDatabase => return Ok(LoadedView::Stale("the view of another database".into())),
        }
        if map.len() < HEADER_LEN {
            return Err(corrupt("truncated header"));
        }
        let u64_at = |o: usize| u64::from_le_bytes(map[o..o + 8].try_into().expect("in header"));
        if u32::from_ne_bytes(map[40..44].try_into().expect("in header")) != ENDIAN_MARK {
            return Ok(LoadedView::Stale("a view written on a machine of the other byte order".into()));
        }
        let node_count = u64_at(48) as usize;
        let mut ranges = [(0usize, 0usize); SECTIONS];
        for (i, r) in ranges.iter_mut().enumerate() {
            let o = HEADER_LEN + 16 * i;
            if o + 16 > map.len() {
                return Err(corrupt("section table truncated"));
            }
            *r = (u64_at(o) as usize, u64_at(o + 8) as usize);
        }
        fn slab<T: bytemuck::Pod>(map: &Arc<memmap2::Mmap>, (start, len): (usize, usize)) -> Option<Slab<T>> {
            if len % size_of::<T>() != 0 {
                return None;
            }
            Slab::mapped(map, start, len / size_of::<T>())
        }
        let parts = (|| {
            Some((
                map.get(ranges[0].0..ranges[0].0.checked_add(ranges[0].1)?)?,
                slab::<TermId>(&map, ranges[1])?,
                slab::<TermId>(&map, ranges[2])?,
                slab::<u64>(&map, ranges[3])?,
                slab::<u8>(&map, ranges[4])?,
                [slab::<u64>(&map, ranges[5])?, slab::<u64>(&map, ranges[8])?, slab::<u64>(&map, ranges[11])?],
                [slab::<NodeIndex>(&map, ranges[6])?, slab::<NodeIndex>(&map, ranges[9])?, slab::<NodeIndex>(&map, ranges[12])?],
                [slab::<LabelId>(&map, ranges[7])?, slab::<LabelId>(&map, ranges[10])?],
            ))
        })();
        let Some((vocab, node_type, node_source, str_offsets, str_arena, [oo, io, uo], [on, inn, un], [ol, il])) =
            parts
        else {
            return Err(corrupt("a section lies outside the file or is misaligned"));
        };
        let vocab = Vocab::decode(vocab, &what)?;
        let view = GraphView {
            vocab: Arc::new(vocab),
            node_type,
            node_source,
            str_offsets,
            str_arena,
            out: Csr::from_parts(oo, on),
            out_labels: ol,
            inc: Csr::from_parts(io, inn),
            inc_labels: il,
            und: Csr::from_parts(uo, un),
            node_count,
            hubs: Arc::default(),
        };
        view.validate().map_err(|m| corrupt(&m))?;
        Ok(LoadedView::Loaded(Box::new(view)))
    }

    /// Structural checks that make every later slice access in bounds. O(slots), not O(edges):
    /// the checksum already vouches for the bytes; this guards against a writer bug.
    fn validate(&self) -> std::result::Result<(), String> {
        let slots = self.node_type.len();
        if self.node_source.len() != slots || self.str_offsets.len() != 2 * slots + 1 {
            return Err("per-node arrays disagree in length".into());
        }
        if ![&self.out, &self.inc, &self.und].iter().all(|c| c.is_consistent(slots, slots))
            || self.out_labels.len() != self.out.len()
            || self.inc_labels.len() != self.inc.len()
        {
            return Err("adjacency offsets or endpoints are inconsistent".into());
        }
        let s = &self.str_offsets;
        if s[0] != 0 || !s.windows(2).all(|w| w[0] <= w[1]) || s[2 * slots] as usize != self.str_arena.len() {
            return Err("string offsets are inconsistent".into());
        }
        if std::str::from_utf8(&self.str_arena).is_err() {
            return Err("node strings are not UTF-8".into());
        }
        let types = self.vocab.node_types.len();
        if self.node_type.iter().any(|&t| t != NO_NODE && t as usize >= types) {
            return Err("node type id out of range".into());
        }
        let count = self.node_type.iter().filter(|&&t| t != NO_NODE).count();
        if count != self.node_count {
            return Err("node count disagrees with the header".into());
        }
        let labels = self.vocab.labels.len();
        if self.out_labels.iter().any(|&l| l as usize >= labels) {
            return Err("edge label out of range".into());
        }
        Ok(())
    }
}

fn align8(n: usize) -> usize {
    (n + 7) & !7
}
