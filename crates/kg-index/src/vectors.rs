//! Node embeddings with exact (brute-force) cosine search, and MedReason's entity mapping.
//!
//! MedReason compares an entity's embedding with every candidate name of the entity's type,
//! exactly; this is that search, over unit-normalised rows so cosine is a dot product.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use kg_core::{GraphView, NodeIndex};

use crate::names::{IndexError, NameIndex};

/// Embeddings of nodes, one row each, all of one dimension.
#[derive(Debug, Clone)]
pub struct VectorIndex {
    dim: usize,
    nodes: Vec<NodeIndex>,
    /// Unit-length rows, `dim` floats each.
    rows: Vec<f32>,
    row_of: HashMap<NodeIndex, usize>,
    /// Rows of removed nodes, skipped by searches until compacted.
    removed: Vec<bool>,
}

fn invalid(m: String) -> IndexError {
    IndexError::InvalidQuery(m)
}

fn unit(v: &[f32], what: &str) -> Result<Vec<f32>, IndexError> {
    if let Some(i) = v.iter().position(|x| !x.is_finite()) {
        return Err(invalid(format!("{what}: component {i} is {} (NaN or infinite)", v[i])));
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 {
        return Err(invalid(format!("{what}: the zero vector has no direction")));
    }
    Ok(v.iter().map(|x| x / norm).collect())
}

impl VectorIndex {
    pub fn new(dim: usize) -> Result<Self, IndexError> {
        if dim == 0 {
            return Err(invalid("vector dimension must be at least 1".into()));
        }
        Ok(VectorIndex { dim, nodes: Vec::new(), rows: Vec::new(), row_of: HashMap::new(), removed: Vec::new() })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Live rows.
    pub fn len(&self) -> usize {
        self.row_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row_of.is_empty()
    }

    /// Adds (or replaces) the embeddings of `nodes`: `vectors` holds `nodes.len()` rows of
    /// `dim` floats. Nothing is added if any row is invalid.
    pub fn add(&mut self, view: &GraphView, nodes: &[NodeIndex], vectors: &[f32]) -> Result<(), IndexError> {
        if vectors.len() != nodes.len() * self.dim {
            return Err(invalid(format!(
                "{} ids but {} floats: expected {} rows of dimension {}",
                nodes.len(),
                vectors.len(),
                nodes.len(),
                self.dim
            )));
        }
        let mut rows = Vec::with_capacity(vectors.len());
        for (i, (&n, v)) in nodes.iter().zip(vectors.chunks_exact(self.dim)).enumerate() {
            if !view.contains(n) {
                return Err(invalid(format!("row {i}: node {n} is not in the database")));
            }
            rows.extend(unit(v, &format!("row {i} (node {n})"))?);
        }
        for (&n, row) in nodes.iter().zip(rows.chunks_exact(self.dim)) {
            self.remove(n);
            self.row_of.insert(n, self.nodes.len());
            self.nodes.push(n);
            self.removed.push(false);
            self.rows.extend_from_slice(row);
        }
        Ok(())
    }

    /// Tombstones a node's row; true if it had one.
    pub fn remove(&mut self, node: NodeIndex) -> bool {
        match self.row_of.remove(&node) {
            Some(r) => {
                self.removed[r] = true;
                true
            }
            None => false,
        }
    }

    /// The `k` most cosine-similar live rows to `query` (of `node_type` if given), best first.
    pub fn search(&self, view: &GraphView, query: &[f32], k: usize, node_type: Option<&str>) -> Result<Vec<(NodeIndex, f32)>, IndexError> {
        if query.len() != self.dim {
            return Err(invalid(format!("query has dimension {}, the index {}", query.len(), self.dim)));
        }
        let q = unit(query, "query")?;
        let t = match node_type {
            Some(t) => Some(view.vocab().node_types.get(t).ok_or_else(|| invalid(format!("unknown node type {t:?}")))?),
            None => None,
        };
        let mut scored: Vec<(NodeIndex, f32)> = self
            .rows
            .chunks_exact(self.dim)
            .enumerate()
            .filter(|&(r, _)| !self.removed[r] && t.is_none_or(|t| view.type_id(self.nodes[r]) == t))
            .map(|(r, row)| (self.nodes[r], row.iter().zip(&q).map(|(a, b)| a * b).sum::<f32>()))
            .collect();
        let k = k.min(scored.len());
        if k == 0 {
            return Ok(Vec::new());
        }
        scored.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(scored)
    }

    /// Writes live rows to `path` atomically: a versioned, checksummed file.
    pub fn write_file(&self, path: &Path) -> Result<(), IndexError> {
        let io = |e| IndexError::Io { path: path.display().to_string(), source: e };
        let mut body = Vec::new();
        let live: Vec<usize> = (0..self.nodes.len()).filter(|&r| !self.removed[r]).collect();
        body.extend_from_slice(&(self.dim as u64).to_le_bytes());
        body.extend_from_slice(&(live.len() as u64).to_le_bytes());
        for &r in &live {
            body.extend_from_slice(&self.nodes[r].to_le_bytes());
        }
        for &r in &live {
            for x in &self.rows[r * self.dim..(r + 1) * self.dim] {
                body.extend_from_slice(&x.to_le_bytes());
            }
        }
        let tmp = path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(VEC_MAGIC).map_err(io)?;
        f.write_all(&VECTOR_INDEX_VERSION.to_le_bytes()).map_err(io)?;
        f.write_all(&crc32fast::hash(&body).to_le_bytes()).map_err(io)?;
        f.write_all(&body).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads a file written by [`VectorIndex::write_file`].
    pub fn load_file(path: &Path) -> Result<Self, IndexError> {
        let bytes = std::fs::read(path).map_err(|e| IndexError::Io { path: path.display().to_string(), source: e })?;
        let corrupt = |reason: &str| IndexError::Corrupt { path: path.display().to_string(), reason: reason.to_owned() };
        if bytes.len() < 16 + 16 || &bytes[..8] != VEC_MAGIC {
            return Err(corrupt("not a kgcore vector file"));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("in header"));
        if version != VECTOR_INDEX_VERSION {
            return Err(corrupt(&format!("format version {version}, expected {VECTOR_INDEX_VERSION}; attach the embeddings again")));
        }
        let body = &bytes[16..];
        if crc32fast::hash(body) != u32::from_le_bytes(bytes[12..16].try_into().expect("in header")) {
            return Err(corrupt("checksum mismatch"));
        }
        let dim = u64::from_le_bytes(body[0..8].try_into().expect("checked")) as usize;
        let n = u64::from_le_bytes(body[8..16].try_into().expect("checked")) as usize;
        let need = n.checked_mul(4 + 4 * dim).and_then(|x| x.checked_add(16));
        if dim == 0 || need != Some(body.len()) {
            return Err(corrupt("sizes do not fit the file"));
        }
        let word = |o: usize| u32::from_le_bytes(body[o..o + 4].try_into().expect("sized"));
        let nodes: Vec<NodeIndex> = (0..n).map(|i| word(16 + 4 * i)).collect();
        let rows: Vec<f32> = (0..n * dim).map(|i| f32::from_bits(word(16 + 4 * n + 4 * i))).collect();
        let row_of = nodes.iter().enumerate().map(|(r, &node)| (node, r)).collect();
        Ok(VectorIndex { dim, removed: vec![false; n], nodes, rows, row_of })
    }
}

const VEC_MAGIC: &[u8; 8] = b"KGVECS\0\0";
/// Format version of the vector file.
pub const VECTOR_INDEX_VERSION: u32 = 1;

/// How an entity string maps to the graph, by MedReason's rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Mapping {
    /// Nodes whose name equals the entity ignoring case (and spacing).
    Exact(Vec<NodeIndex>),
    /// No exact name, but the best candidate is at least `accept_sim` similar.
    Similar { node: NodeIndex, similarity: f32 },
    /// Candidates above `min_sim`, best first, for an LLM to choose among.
    Ambiguous(Vec<(NodeIndex, f32)>),
    None,
}

/// MedReason's defaults.
pub const DEFAULT_K: usize = 10;
pub const DEFAULT_MIN_SIM: f32 = 0.7;
pub const DEFAULT_ACCEPT_SIM: f32 = 0.85;

/// Maps `text` (with its embedding `vector`, if any) to nodes: an exact name wins; else the
/// top candidate if its similarity exceeds `accept_sim`; else the top `k` candidates above
/// `min_sim`; else none.
#[allow(clippy::too_many_arguments)]
pub fn map_entity(
    view: &GraphView,
    names: &NameIndex,
    vectors: Option<&VectorIndex>,
    text: &str,
    vector: Option<&[f32]>,
    node_type: Option<&str>,
    k: usize,
    min_sim: f32,
    accept_sim: f32,
) -> Result<Mapping, IndexError> {
    let exact = names.exact(view, text, node_type)?;
    if !exact.is_empty() {
        return Ok(Mapping::Exact(exact));
    }
    let (Some(index), Some(vector)) = (vectors, vector) else { return Ok(Mapping::None) };
    let candidates: Vec<(NodeIndex, f32)> =
        index.search(view, vector, k, node_type)?.into_iter().filter(|&(_, s)| s > min_sim).collect();
    Ok(match candidates.first() {
        Some(&(node, similarity)) if similarity > accept_sim => Mapping::Similar { node, similarity },
        Some(_) => Mapping::Ambiguous(candidates),
        None => Mapping::None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kg_core::view::NodeRec;
    use kg_core::{EdgeRec, Vocab};

    fn view() -> GraphView {
        let mut vocab = Vocab::default();
        let s = vocab.sources.intern("s", "source").unwrap();
        let nodes = [("Heart attack", "disease"), ("Myocardial infarction", "disease"), ("Aspirin", "drug"), ("Angina", "disease")]
            .iter()
            .enumerate()
            .map(|(i, (name, ty))| NodeRec {
                index: i as u32,
                id: format!("N{i}"),
                node_type: vocab.node_types.intern(ty, "t").unwrap(),
                name: (*name).to_owned(),
                source: s,
            })
            .collect();
        GraphView::build(vocab, nodes, &[] as &[EdgeRec])
    }

    fn index(v: &GraphView) -> VectorIndex {
        let mut idx = VectorIndex::new(3).unwrap();
        idx.add(v, &[0, 1, 2, 3], &[1.0, 0.0, 0.0, 0.95, 0.3, 0.0, 0.0, 0.0, 1.0, 0.6, 0.8, 0.0]).unwrap();
        idx
    }

    #[test]
    fn exact_search_ranks_by_cosine_with_type_filter_and_tombstones() {
        let v = view();
        let mut idx = index(&v);
        let hits = idx.search(&v, &[2.0, 0.0, 0.0], 3, None).unwrap();
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), [0, 1, 3]);
        assert!((hits[0].1 - 1.0).abs() < 1e-6);
        assert_eq!(idx.search(&v, &[0.0, 0.0, 1.0], 5, Some("drug")).unwrap()[0].0, 2);
        assert!(idx.remove(0));
        assert_eq!(idx.search(&v, &[1.0, 0.0, 0.0], 1, None).unwrap()[0].0, 1);
        assert!(idx.search(&v, &[1.0, 0.0], 1, None).is_err(), "wrong dimension");
        assert!(idx.search(&v, &[f32::NAN, 0.0, 0.0], 1, None).is_err());
    }

    #[test]
    fn bad_vectors_add_nothing() {
        let v = view();
        let mut idx = VectorIndex::new(3).unwrap();
        let e = idx.add(&v, &[0, 1], &[1.0, 0.0, 0.0]).unwrap_err().to_string();
        assert!(e.contains("2 ids but 3 floats"), "{e}");
        let e = idx.add(&v, &[0, 1], &[1.0, 0.0, 0.0, f32::NAN, 0.0, 0.0]).unwrap_err().to_string();
        assert!(e.contains("row 1") && e.contains("NaN"), "{e}");
        assert!(idx.add(&v, &[9], &[1.0, 0.0, 0.0]).unwrap_err().to_string().contains("node 9"));
        assert!(idx.add(&v, &[0], &[0.0, 0.0, 0.0]).is_err());
        assert!(idx.is_empty());
        assert!(VectorIndex::new(0).is_err());
    }

    #[test]
    fn medreason_mapping_rules() {
        let v = view();
        let names = NameIndex::build(&v, 0);
        let idx = index(&v);
        let map = |text: &str, vec: Option<&[f32]>| {
            map_entity(&v, &names, Some(&idx), text, vec, Some("disease"), DEFAULT_K, DEFAULT_MIN_SIM, DEFAULT_ACCEPT_SIM).unwrap()
        };
        assert_eq!(map("HEART ATTACK", None), Mapping::Exact(vec![0]));
        assert!(matches!(map("MI", Some(&[0.96, 0.28, 0.0])), Mapping::Similar { node: 1, .. }));
        // Similarities 0.824 (node 3), 0.822 (node 1), 0.704 (node 0): none accepted, all listed.
        let Mapping::Ambiguous(c) = map("chest pain", Some(&[0.7, 0.5, 0.5])) else { panic!("ambiguous expected") };
        assert_eq!(c.iter().map(|x| x.0).collect::<Vec<_>>(), [3, 1, 0]);
        assert!(c[0].1 < DEFAULT_ACCEPT_SIM && c[2].1 > DEFAULT_MIN_SIM);
        assert_eq!(map("aspirin overdose", Some(&[0.0, 0.0, 1.0])), Mapping::None, "only diseases are candidates");
        assert_eq!(map("unknown", None), Mapping::None);
    }

    #[test]
    fn file_round_trip_and_damage() {
        let v = view();
        let mut idx = index(&v);
        idx.remove(2);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vectors.kgv");
        idx.write_file(&p).unwrap();
        let back = VectorIndex::load_file(&p).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back.search(&v, &[1.0, 0.0, 0.0], 3, None).unwrap(), idx.search(&v, &[1.0, 0.0, 0.0], 3, None).unwrap());
        let mut bytes = std::fs::read(&p).unwrap();
        let n = bytes.len();
        bytes[n - 1] ^= 0x10;
        std::fs::write(&p, &bytes).unwrap();
        let e = VectorIndex::load_file(&p).unwrap_err().to_string();
        assert!(e.contains("vectors.kgv") && e.contains("checksum"), "{e}");
    }
}
