use std::path::Path;

use fst::automaton::Automaton;
use std::sync::Arc;

use fst::{IntoStreamer, Map, Streamer};

use crate::error::IndexError;
use crate::node_lists::{self, NodeLists};
use kg_core::side_file::{self, Belongs, Stamp};
use kg_core::{GraphView, NodeIndex, TermId};
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder};

pub use kg_core::text::normalize;

/// A matching name and the nodes bearing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The normalised name that matched.
    pub key: String,
    /// Edits between the query and the name (0 for exact and prefix matches).
    pub distance: u8,
    /// Every node bearing the name (of the requested type, when one was given).
    pub nodes: Vec<NodeIndex>,
}

/// Normalised names → nodes.
#[derive(Debug)]
pub struct NameIndex {
    map: Map<FstBytes>,
    lists: NodeLists,
    stamp: Stamp,
}

/// The FST's bytes: built in memory, or a range of the memory-mapped index file.
#[derive(Debug, Clone)]
enum FstBytes {
    Owned(Vec<u8>),
    Mapped { file: Arc<memmap2::Mmap>, start: usize, end: usize },
}

impl AsRef<[u8]> for FstBytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            FstBytes::Owned(v) => v,
            FstBytes::Mapped { file, start, end } => &file[*start..*end],
        }
    }
}

const MAGIC: &[u8; 8] = b"KGNAMES\0";
/// Format version of the name index file; another version is rebuilt, never misread.
pub const NAME_INDEX_VERSION: u32 = 2;
/// The shared side-file header, then the FST's length and the node-list table's length.
const HEADER: usize = side_file::HEADER_LEN + 8 + 8;

impl NameIndex {
    /// Indexes every node name of `view`, the graph of the database `stamp` names.
    pub fn build(view: &GraphView, stamp: Stamp) -> Self {
        Self::with_synonyms(view, stamp, &[])
    }

    /// Indexes every node name of `view` and the `synonyms` of its nodes (those of nodes it
    /// does not hold are left out).
    pub fn with_synonyms(view: &GraphView, stamp: Stamp, synonyms: &[(NodeIndex, String)]) -> Self {
        let mut pairs: Vec<(String, Option<NodeIndex>)> = view.nodes().map(|n| (normalize(view.name(n)), Some(n))).collect();
        pairs.extend(synonyms.iter().filter(|(n, _)| view.contains(*n)).map(|(n, s)| (normalize(s), Some(*n))));
        pairs.sort_unstable();
        pairs.dedup();
        let (bytes, lists) = node_lists::build(&pairs);
        let map = Map::new(FstBytes::Owned(bytes)).expect("a freshly built FST");
        NameIndex { map, lists, stamp }
    }

    /// The database, and its generation, the index was built for.
    pub fn stamp(&self) -> Stamp {
        self.stamp
    }

    /// Distinct normalised names.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no node has a name.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn postings(&self, ordinal: u64) -> &[NodeIndex] {
        self.lists.get(ordinal)
    }

    fn filtered(view: &GraphView, nodes: &[NodeIndex], node_type: Option<TermId>) -> Vec<NodeIndex> {
        nodes.iter().copied().filter(|&n| node_type.is_none_or(|t| view.type_id(n) == t)).collect()
    }

    fn type_id(view: &GraphView, node_type: Option<&str>) -> Result<Option<TermId>, IndexError> {
        node_type.map(|t| node_type_id(view, t)).transpose()
    }

    fn query_key(text: &str) -> Result<String, IndexError> {
        let key = normalize(text);
        if key.is_empty() {
            return Err(IndexError::InvalidQuery("empty query".into()));
        }
        Ok(key)
    }

    /// Nodes whose name equals `text` once both are normalised.
    pub fn exact(&self, view: &GraphView, text: &str, node_type: Option<&str>) -> Result<Vec<NodeIndex>, IndexError> {
        let t = Self::type_id(view, node_type)?;
        let key = Self::query_key(text)?;
        Ok(self.map.get(&key).map(|o| Self::filtered(view, self.postings(o), t)).unwrap_or_default())
    }

    /// Names starting with `text`, in key order, at most `limit`.
    pub fn prefix(&self, view: &GraphView, text: &str, node_type: Option<&str>, limit: usize) -> Result<Vec<Hit>, IndexError> {
        let t = Self::type_id(view, node_type)?;
        let key = Self::query_key(text)?;
        let aut = fst::automaton::Str::new(&key).starts_with();
        let mut stream = self.map.search(aut).into_stream();
        let mut out = Vec::new();
        while let Some((k, o)) = stream.next() {
            let nodes = Self::filtered(view, self.postings(o), t);
            if !nodes.is_empty() {
                out.push(Hit { key: String::from_utf8_lossy(k).into_owned(), distance: 0, nodes });
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Names within Levenshtein `distance` (1 or 2, transpositions count as one edit) of `text`,
    /// closest first, then in key order; at most `limit`.
    pub fn fuzzy(&self, view: &GraphView, text: &str, distance: u8, node_type: Option<&str>, limit: usize) -> Result<Vec<Hit>, IndexError> {
        if !(1..=2).contains(&distance) {
            return Err(IndexError::InvalidQuery(format!("fuzzy distance must be 1 or 2, got {distance}")));
        }
        let t = Self::type_id(view, node_type)?;
        let key = Self::query_key(text)?;
        let dfa = lev_builder(distance).build_dfa(&key);
        let mut stream = self.map.search(&dfa).into_stream();
        let mut out = Vec::new();
        while let Some((k, o)) = stream.next() {
            let nodes = Self::filtered(view, self.postings(o), t);
            if nodes.is_empty() {
                continue;
            }
            let d = match dfa.eval(k) {
                Distance::Exact(d) => d,
                Distance::AtLeast(_) => continue,
            };
            out.push(Hit { key: String::from_utf8_lossy(k).into_owned(), distance: d, nodes });
        }
        out.sort_by(|a, b| (a.distance, &a.key).cmp(&(b.distance, &b.key)));
        out.truncate(limit);
        Ok(out)
    }

    /// Writes the index to `path` atomically, stamped with its format version and generation.
    pub fn write_file(&self, path: &Path) -> Result<(), IndexError> {
        let io = |e| IndexError::Io { path: path.display().to_string(), source: e };
        let fst = self.map.as_fst().as_bytes();
        let mut body = Vec::with_capacity(fst.len() + 4 * (self.lists.offsets.len() + self.lists.nodes.len()));
        body.extend_from_slice(fst);
        for v in self.lists.offsets.iter().chain(&self.lists.nodes) {
            body.extend_from_slice(&v.to_le_bytes());
        }
        let mut lengths = Vec::with_capacity(16);
        lengths.extend_from_slice(&(fst.len() as u64).to_le_bytes());
        lengths.extend_from_slice(&(self.lists.offsets.len() as u64).to_le_bytes());
        side_file::write(path, MAGIC, NAME_INDEX_VERSION, self.stamp, &[&lengths, &body]).map_err(io)
    }

    /// Reads an index written by [`NameIndex::write_file`]. `Ok(None)` if it is of another
    /// format version, database or generation than `stamp` (rebuild it); an error naming the
    /// file if it is damaged.
    pub fn load_file(path: &Path, stamp: Stamp) -> Result<Option<Self>, IndexError> {
        let file = Arc::new(
            kg_core::mapped::map_file(path).map_err(|e| IndexError::Io { path: path.display().to_string(), source: e.into() })?,
        );
        let bytes: &[u8] = &file;
        let corrupt = |reason: &str| IndexError::Corrupt {
            path: path.display().to_string(),
            reason: reason.to_owned(),
            remedy: "delete it and it is rebuilt from the database",
        };
        match side_file::version(bytes, MAGIC) {
            None => return Err(corrupt("not a kgcore name index")),
            Some(NAME_INDEX_VERSION) => {}
            Some(_) => return Ok(None),
        }
        if stamp.judge(side_file::read_stamp(bytes).map_err(corrupt)?) != Belongs::Current {
            return Ok(None);
        }
        if bytes.len() < HEADER {
            return Err(corrupt("truncated header"));
        }
        let u64_at = |o: usize| u64::from_le_bytes(bytes[o..o + 8].try_into().expect("in header"));
        let body = &bytes[HEADER..];
        let (fst_len, n_offsets) = (u64_at(side_file::HEADER_LEN) as usize, u64_at(side_file::HEADER_LEN + 8) as usize);
        let rest = body.len().checked_sub(fst_len).ok_or_else(|| corrupt("truncated"))?;
        if rest % 4 != 0 || n_offsets == 0 || rest / 4 < n_offsets {
            return Err(corrupt("tables do not fit the file"));
        }
        let words: Vec<u32> = body[fst_len..].chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect();
        let (offsets, nodes) = words.split_at(n_offsets);
        if offsets[0] != 0
            || !offsets.windows(2).all(|w| w[0] <= w[1])
            || *offsets.last().expect("non-empty") as usize != nodes.len()
        {
            return Err(corrupt("node lists are inconsistent"));
        }
        let fst = FstBytes::Mapped { file: Arc::clone(&file), start: HEADER, end: HEADER + fst_len };
        let map = Map::new(fst).map_err(|e| corrupt(&e.to_string()))?;
        if map.len() + 1 != n_offsets {
            return Err(corrupt("name count disagrees with the node lists"));
        }
        Ok(Some(NameIndex { map, lists: NodeLists { offsets: offsets.to_vec(), nodes: nodes.to_vec() }, stamp }))
    }
}

/// The id of the node type named `name`; an unknown one is an error naming it.
pub(crate) fn node_type_id(view: &GraphView, name: &str) -> Result<TermId, IndexError> {
    view.vocab().node_types.get(name).ok_or_else(|| IndexError::InvalidQuery(format!("unknown node type {name:?}")))
}

/// The automaton builders for distances 1 and 2 (transpositions as one edit), built once per
/// process: building one costs far more than the search it serves.
pub(crate) fn lev_builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static BUILDERS: std::sync::OnceLock<[LevenshteinAutomatonBuilder; 2]> = std::sync::OnceLock::new();
    let b = BUILDERS.get_or_init(|| [LevenshteinAutomatonBuilder::new(1, true), LevenshteinAutomatonBuilder::new(2, true)]);
    &b[usize::from(distance.clamp(1, 2)) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(names: &[(&str, &str)]) -> GraphView {
        crate::named_view(names)
    }

    #[test]
    fn exact_prefix_fuzzy_and_types() {
        let v = view(&[("Progesterone", "drug"), ("progesterone", "exposure"), ("Fever", "effect/phenotype"), ("Feverfew", "drug"), ("Lever", "anatomy")]);
        let idx = NameIndex::build(&v, Stamp { database: 1, generation: 3 });
        assert_eq!(idx.len(), 4);
        assert_eq!(idx.exact(&v, "PROGESTERONE", None).unwrap(), vec![0, 1]);
        assert_eq!(idx.exact(&v, "progesterone", Some("exposure")).unwrap(), vec![1]);
        assert!(idx.exact(&v, "nothing", None).unwrap().is_empty());
        assert!(idx.exact(&v, "x", Some("no type")).is_err());
        assert!(idx.exact(&v, "   ", None).is_err());
        let p = idx.prefix(&v, "fev", None, 10).unwrap();
        assert_eq!(p.iter().map(|h| h.key.as_str()).collect::<Vec<_>>(), ["fever", "feverfew"]);
        let f = idx.fuzzy(&v, "fevre", 1, None, 10).unwrap();
        assert_eq!(f[0].key, "fever", "a transposition is one edit");
        let f = idx.fuzzy(&v, "fver", 2, None, 10).unwrap();
        assert_eq!(f.iter().map(|h| (h.key.as_str(), h.distance)).collect::<Vec<_>>(), [("fever", 1), ("lever", 2)]);
        assert!(idx.fuzzy(&v, "fever", 3, None, 10).is_err());
        let long = "x".repeat(500);
        assert!(idx.fuzzy(&v, &long, 2, None, 10).unwrap().is_empty());
    }

    #[test]
    fn synonyms_find_their_node_once() {
        let v = view(&[("Seizure", "effect/phenotype"), ("Fever", "effect/phenotype")]);
        let synonyms = [(0, "Epileptic seizure".to_owned()), (0, "seizure".to_owned()), (1, "Pyrexia".to_owned()), (7, "Gone".to_owned())];
        let idx = NameIndex::with_synonyms(&v, Stamp { database: 1, generation: 1 }, &synonyms);
        assert_eq!(idx.exact(&v, "epileptic seizure", None).unwrap(), vec![0]);
        assert_eq!(idx.exact(&v, "Seizure", None).unwrap(), vec![0], "a synonym equal to the name adds nothing");
        assert_eq!(idx.exact(&v, "pyrexia", Some("effect/phenotype")).unwrap(), vec![1]);
        assert!(idx.exact(&v, "gone", None).unwrap().is_empty(), "a synonym of a node the view lacks is left out");
        assert_eq!(idx.len(), 4);
    }

    #[test]
    fn file_round_trip_version_and_damage() {
        let v = view(&[("Aspirin", "drug"), ("aspirin", "exposure")]);
        let stamp = Stamp { database: 1, generation: 9 };
        let idx = NameIndex::build(&v, stamp);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("names.idx");
        idx.write_file(&p).unwrap();
        let back = NameIndex::load_file(&p, stamp).unwrap().unwrap();
        assert_eq!(back.exact(&v, "ASPIRIN", None).unwrap(), vec![0, 1]);
        assert!(NameIndex::load_file(&p, Stamp { generation: 10, ..stamp }).unwrap().is_none(), "another generation is stale");
        assert!(NameIndex::load_file(&p, Stamp { database: 2, ..stamp }).unwrap().is_none(), "another database's file is not used");
        let mut bytes = std::fs::read(&p).unwrap();
        let n = bytes.len();
        bytes[n - 2] ^= 1;
        std::fs::write(&p, &bytes).unwrap();
        let e = NameIndex::load_file(&p, stamp).unwrap_err().to_string();
        assert!(e.contains("names.idx") && e.contains("corrupt") && e.contains("rebuilt"), "{e}");
        std::fs::write(&p, &bytes[..10]).unwrap();
        assert!(NameIndex::load_file(&p, stamp).is_err());
        assert!(NameIndex::load_file(&dir.path().join("missing"), stamp).is_err());
    }
}
