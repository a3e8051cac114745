//! Node embeddings with exact (brute-force) cosine search, and MedReason's entity mapping.
//!
//! MedReason compares an entity's embedding with every candidate name of the entity's type,
//! exactly; this is that search, over unit-normalised rows so cosine is a dot product.

use std::collections::HashMap;
use std::path::Path;

use kg_core::side_file::{self, Belongs, Stamp};
use kg_core::{GraphView, NodeIndex};

use crate::hnsw::{Graph, HnswParams};
use crate::error::IndexError;
use crate::names::NameIndex;

/// Embeddings of nodes, one row each, all of one dimension; searched exactly, or through an
/// HNSW graph when one is kept.
#[derive(Debug, Clone)]
pub struct VectorIndex {
    dim: usize,
    nodes: Vec<NodeIndex>,
    /// Per row, [`identity`] of the node it was attached to: a row whose node was removed,
    /// or replaced by another node at the same index, is noticed and never returned.
    identities: Vec<u64>,
    /// Unit-length rows, `dim` floats each.
    rows: Vec<f32>,
    row_of: HashMap<NodeIndex, usize>,
    /// Rows of removed or replaced nodes: they still route graph searches but are never
    /// returned.
    removed: Vec<bool>,
    /// The approximate index over every row, when asked for.
    graph: Option<Graph>,
}

/// How a vector search runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchMode {
    /// Through the HNSW graph when the index keeps one (with its default `ef`), else exact.
    #[default]
    Auto,
    /// Every live row compared: MedReason's own search, and the truth recall is measured by.
    Exact,
    /// Through the HNSW graph with this candidate-list width.
    Approximate {
        /// Candidates kept while walking (at least `k`).
        ef: usize,
    },
}

/// A type filter matching fewer than this share of rows is searched exactly: a graph walk
/// would visit most of the graph to find k such rows.
const EXACT_BELOW_SHARE: f64 = 0.05;

use crate::simd::dot;

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
    /// An index searched exactly.
    pub fn new(dim: usize) -> Result<Self, IndexError> {
        if dim == 0 || dim > MAX_DIM {
            return Err(invalid(format!("vector dimension must be within 1..={MAX_DIM}, got {dim}")));
        }
        Ok(VectorIndex { dim, nodes: Vec::new(), identities: Vec::new(), rows: Vec::new(), row_of: HashMap::new(), removed: Vec::new(), graph: None })
    }

    /// An index that also keeps an HNSW graph, extended on every [`VectorIndex::add`].
    pub fn with_hnsw(dim: usize, params: HnswParams) -> Result<Self, IndexError> {
        params.validate().map_err(invalid)?;
        Ok(VectorIndex { graph: Some(Graph::new(params)), ..Self::new(dim)? })
    }

    /// The dimension of every row.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The HNSW settings, when the index keeps a graph.
    pub fn hnsw_params(&self) -> Option<HnswParams> {
        self.graph.as_ref().map(|g| g.params)
    }

    /// Live rows.
    pub fn len(&self) -> usize {
        self.row_of.len()
    }

    /// True without live rows.
    pub fn is_empty(&self) -> bool {
        self.row_of.is_empty()
    }

    /// Rows held, tombstoned ones included.
    pub fn stored_rows(&self) -> usize {
        self.nodes.len()
    }

    /// Adds (or replaces) the embeddings of `nodes`: `vectors` holds `nodes.len()` rows of
    /// `dim` floats. Nothing is added if any row is invalid. With a graph, the new rows are
    /// inserted into it on all cores.
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
        let mut identities = Vec::with_capacity(nodes.len());
        for (i, (&n, v)) in nodes.iter().zip(vectors.chunks_exact(self.dim)).enumerate() {
            let Some(id) = identity(view, n) else {
                return Err(invalid(format!("row {i}: node {n} is not in the database")));
            };
            identities.push(id);
            rows.extend(unit(v, &format!("row {i} (node {n})"))?);
        }
        // Rows are numbered in u32, tombstones included (at most as many as live rows, below).
        if self.row_of.len() + nodes.len() > (u32::MAX / 2) as usize {
            return Err(invalid("more than 2^31 rows".into()));
        }
        // Replaced rows become tombstones. Once they would outnumber the live rows, the index is
        // rebuilt from its live rows before the new ones go in, so memory, the file and the graph
        // stay within twice the live data however often embeddings are replaced.
        for &n in nodes {
            self.remove(n);
        }
        if self.nodes.len() - self.row_of.len() > self.row_of.len() + nodes.len() {
            self.compact();
        }
        for ((&n, row), id) in nodes.iter().zip(rows.chunks_exact(self.dim)).zip(identities) {
            self.remove(n);
            self.row_of.insert(n, self.nodes.len());
            self.nodes.push(n);
            self.identities.push(id);
            self.removed.push(false);
            self.rows.extend_from_slice(row);
        }
        if let Some(graph) = self.graph.take() {
            self.graph = Some(graph.extend(&self.rows, self.dim));
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

    /// Drops the tombstoned rows; a kept graph is rebuilt over the live rows, on all cores.
    pub fn compact(&mut self) {
        if self.nodes.len() == self.row_of.len() {
            return;
        }
        let live: Vec<usize> = (0..self.nodes.len()).filter(|&r| !self.removed[r]).collect();
        let mut rows = Vec::with_capacity(live.len() * self.dim);
        for &r in &live {
            rows.extend_from_slice(&self.rows[r * self.dim..(r + 1) * self.dim]);
        }
        self.nodes = live.iter().map(|&r| self.nodes[r]).collect();
        self.identities = live.iter().map(|&r| self.identities[r]).collect();
        self.row_of = self.nodes.iter().enumerate().map(|(r, &node)| (node, r)).collect();
        self.removed = vec![false; live.len()];
        self.rows = rows;
        if let Some(graph) = self.graph.take() {
            self.graph = Some(Graph::new(graph.params).extend(&self.rows, self.dim));
        }
    }

    /// Live rows whose node `view` no longer holds, or holds as another node (another type or
    /// id at the same index): embeddings of removed or replaced nodes.
    pub fn stale_rows(&self, view: &GraphView) -> Vec<usize> {
        let mut stale: Vec<usize> = self.row_of.values().copied().filter(|&r| identity(view, self.nodes[r]) != Some(self.identities[r])).collect();
        stale.sort_unstable();
        stale
    }

    /// Tombstones the [`VectorIndex::stale_rows`]; returns how many.
    pub fn forget_stale(&mut self, view: &GraphView) -> usize {
        let stale = self.stale_rows(view);
        for &r in &stale {
            self.remove(self.nodes[r]);
        }
        stale.len()
    }

    /// The `k` most cosine-similar live rows to `query` (of `node_type` if given), best first.
    pub fn search(
        &self,
        view: &GraphView,
        query: &[f32],
        k: usize,
        node_type: Option<&str>,
        mode: SearchMode,
    ) -> Result<Vec<(NodeIndex, f32)>, IndexError> {
        if query.len() != self.dim {
            return Err(invalid(format!("query has dimension {}, the index {}", query.len(), self.dim)));
        }
        let q = unit(query, "query")?;
        let t = match node_type {
            Some(t) => Some(view.vocab().node_types.get(t).ok_or_else(|| invalid(format!("unknown node type {t:?}")))?),
            None => None,
        };
        let accept = |r: usize| !self.removed[r] && t.is_none_or(|t| view.type_id(self.nodes[r]) == t);
        if mode == (SearchMode::Approximate { ef: 0 }) {
            return Err(invalid("ef must be at least 1".into()));
        }
        let ef = match (mode, &self.graph) {
            (SearchMode::Exact, _) | (_, None) => None,
            (SearchMode::Approximate { ef }, Some(_)) => Some(ef),
            (SearchMode::Auto, Some(_)) if t.is_some() && self.share(&accept) < EXACT_BELOW_SHARE => None,
            (SearchMode::Auto, Some(g)) => Some(g.params.ef_search),
        };
        if k == 0 {
            return Ok(Vec::new());
        }
        if let (Some(ef), Some(graph)) = (ef, &self.graph) {
            let hits = graph.search(&self.rows, self.dim, &q, k, ef, &|r| accept(r as usize));
            return Ok(hits.into_iter().map(|(r, d)| (self.nodes[r as usize], 1.0 - d)).collect());
        }
        let mut scored: Vec<(NodeIndex, f32)> = self
            .rows
            .chunks_exact(self.dim)
            .enumerate()
            .filter(|&(r, _)| accept(r))
            .map(|(r, row)| (self.nodes[r], dot(row, &q)))
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

    /// The share of rows passing `accept`, estimated on up to 512 evenly spaced rows.
    fn share(&self, accept: &dyn Fn(usize) -> bool) -> f64 {
        let n = self.nodes.len();
        if n == 0 {
            return 0.0;
        }
        let step = n.div_ceil(512);
        let sampled = n.div_ceil(step);
        (0..n).step_by(step).filter(|&r| accept(r)).count() as f64 / sampled as f64
    }

    /// Writes the index to `path` atomically, stamped as belonging to the database `stamp`
    /// names: the rows, their nodes' identities and tombstones, and the graph.
    pub fn write_file(&self, path: &Path, stamp: Stamp) -> Result<(), IndexError> {
        let io = |e| IndexError::Io { path: path.display().to_string(), source: e };
        let n = self.nodes.len();
        let mut body = Vec::with_capacity(32 + n * (13 + 4 * self.dim));
        body.extend_from_slice(&(self.dim as u64).to_le_bytes());
        body.extend_from_slice(&(n as u64).to_le_bytes());
        body.extend(self.removed.iter().map(|&r| r as u8));
        for &node in &self.nodes {
            body.extend_from_slice(&node.to_le_bytes());
        }
        for &id in &self.identities {
            body.extend_from_slice(&id.to_le_bytes());
        }
        for x in &self.rows {
            body.extend_from_slice(&x.to_le_bytes());
        }
        match &self.graph {
            Some(g) => {
                body.push(1);
                g.encode(&mut body);
            }
            None => body.push(0),
        }
        side_file::write(path, VEC_MAGIC, VECTOR_INDEX_VERSION, stamp, &[&body]).map_err(io)
    }

    /// Reads a file written by [`VectorIndex::write_file`] for the database `stamp` names,
    /// whose graph is `view`. A file of another database is refused; rows of nodes removed or
    /// replaced since the file was written are tombstoned. Versions 1 and 2 (which carried
    /// no database id and no node identities, version 1 not even tombstones or a graph) are
    /// read too, their rows bound to the nodes `view` holds now.
    pub fn load_file(path: &Path, view: &GraphView, stamp: Stamp) -> Result<Self, IndexError> {
        let bytes = std::fs::read(path).map_err(|e| IndexError::Io { path: path.display().to_string(), source: e })?;
        let corrupt = |reason: &str| IndexError::Corrupt {
            path: path.display().to_string(),
            reason: reason.to_owned(),
            remedy: "attach the embeddings again to rebuild it",
        };
        let version = side_file::version(&bytes, VEC_MAGIC).ok_or_else(|| corrupt("not a kgcore vector file"))?;
        let (body, trusted) = match version {
            1 | 2 => {
                if bytes.len() < 16 || crc32fast::hash(&bytes[16..]) != u32::from_le_bytes(bytes[12..16].try_into().expect("in header")) {
                    return Err(corrupt("checksum mismatch"));
                }
                (&bytes[16..], false)
            }
            VECTOR_INDEX_VERSION => {
                let file_stamp = side_file::read_stamp(&bytes).map_err(corrupt)?;
                match stamp.judge(file_stamp) {
                    Belongs::OtherDatabase => return Err(corrupt("it was written for another database (a copied file?)")),
                    belongs => (&bytes[side_file::HEADER_LEN..], belongs == Belongs::Current),
                }
            }
            v => return Err(corrupt(&format!("format version {v}, expected {VECTOR_INDEX_VERSION}"))),
        };
        if body.len() < 16 {
            return Err(corrupt("sizes do not fit the file"));
        }
        let dim = u64::from_le_bytes(body[0..8].try_into().expect("checked")) as usize;
        let n = u64::from_le_bytes(body[8..16].try_into().expect("checked")) as usize;
        let flags = if version == 1 { 0 } else { n };
        let identity_bytes = if version == VECTOR_INDEX_VERSION { 8 } else { 0 };
        let rows_end = dim
            .checked_mul(4)
            .and_then(|row| n.checked_mul(4 + identity_bytes + row))
            .and_then(|x| x.checked_add(16 + flags));
        let fits = match rows_end {
            Some(end) if version == 1 => end == body.len(),
            Some(end) => end < body.len(),
            None => false,
        };
        if dim == 0 || dim > MAX_DIM || n > u32::MAX as usize || !fits {
            return Err(corrupt("sizes do not fit the file"));
        }
        let removed: Vec<bool> = if version == 1 { vec![false; n] } else { body[16..16 + n].iter().map(|&b| b != 0).collect() };
        let base = 16 + flags;
        let word = |o: usize| u32::from_le_bytes(body[o..o + 4].try_into().expect("sized"));
        let nodes: Vec<NodeIndex> = (0..n).map(|i| word(base + 4 * i)).collect();
        let rows_at = base + (4 + identity_bytes) * n;
        let identities: Vec<u64> = if identity_bytes == 0 {
            // Older files named nodes by index alone: bind each row to the node there now.
            nodes.iter().map(|&node| identity(view, node).unwrap_or(0)).collect()
        } else {
            (0..n).map(|i| u64::from_le_bytes(body[base + 4 * n + 8 * i..][..8].try_into().expect("sized"))).collect()
        };
        let rows: Vec<f32> = (0..n * dim).map(|i| f32::from_bits(word(rows_at + 4 * i))).collect();
        let graph = match body.get(rows_at + 4 * n * dim..) {
            None | Some([]) | Some([0]) => None,
            Some([1, rest @ ..]) => Some(Graph::decode(rest, n).map_err(|e| corrupt(&format!("HNSW graph: {e}")))?),
            Some(_) => return Err(corrupt("unknown graph section")),
        };
        let row_of = nodes.iter().enumerate().filter(|&(r, _)| !removed[r]).map(|(r, &node)| (node, r)).collect();
        let mut index = VectorIndex { dim, removed, nodes, identities, rows, row_of, graph };
        if !trusted {
            index.forget_stale(view);
        }
        Ok(index)
    }
}

/// Who a node is, beyond its index: a hash of its type and source id. An index freed by a
/// removal and reused by another node gives another identity.
fn identity(view: &GraphView, node: NodeIndex) -> Option<u64> {
    let n = view.node(node)?;
    // FNV-1a: stable across processes and versions, unlike the standard library's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in n.node_type.bytes().chain([0xff]).chain(n.id.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    Some(h)
}

const VEC_MAGIC: &[u8; 8] = b"KGVECS\0\0";
/// Embedding models give hundreds to a few thousand dimensions; a larger figure in a file is
/// damage (a fuzzer found a 16-byte file claiming 25 billion).
pub const MAX_DIM: usize = 65_536;
/// Format version of the vector file.
pub const VECTOR_INDEX_VERSION: u32 = 3;

/// How an entity string maps to the graph, by MedReason's rules.
#[derive(Debug, Clone, PartialEq)]
pub enum Mapping {
    /// Nodes whose name equals the entity ignoring case (and spacing).
    Exact(Vec<NodeIndex>),
    /// No exact name, but the best candidate is at least `accept_sim` similar.
    Similar {
        /// The best candidate.
        node: NodeIndex,
        /// Its cosine similarity to the entity.
        similarity: f32,
    },
    /// Candidates above `min_sim`, best first, for an LLM to choose among.
    Ambiguous(Vec<(NodeIndex, f32)>),
    /// No name matches and no candidate is similar enough.
    None,
}

/// MedReason's defaults.
pub const DEFAULT_K: usize = 10;
/// MedReason's floor: candidates at or below this cosine similarity are dropped.
pub const DEFAULT_MIN_SIM: f32 = 0.7;
/// MedReason's bar: a top candidate above this cosine similarity is accepted outright.
pub const DEFAULT_ACCEPT_SIM: f32 = 0.85;

/// One entity to map: its text, its embedding if any, and the node type it must have.
#[derive(Debug, Clone, Copy)]
pub struct EntityQuery<'a> {
    /// The entity as written.
    pub text: &'a str,
    /// Its embedding, by the model the attached node embeddings came from.
    pub vector: Option<&'a [f32]>,
    /// The node type the match must have.
    pub node_type: Option<&'a str>,
}

/// The thresholds of [`map_entity`]; `Default` gives MedReason's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapOptions {
    /// Candidates considered by similarity.
    pub k: usize,
    /// Candidates at or below this similarity are dropped.
    pub min_sim: f32,
    /// A top candidate above this similarity is accepted outright.
    pub accept_sim: f32,
    /// How candidates are searched.
    pub mode: SearchMode,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions { k: DEFAULT_K, min_sim: DEFAULT_MIN_SIM, accept_sim: DEFAULT_ACCEPT_SIM, mode: SearchMode::Auto }
    }
}

/// Maps an entity to nodes: an exact name wins; else the top candidate if its similarity
/// exceeds `accept_sim`; else the top `k` candidates above `min_sim`; else none.
pub fn map_entity(
    view: &GraphView,
    names: &NameIndex,
    vectors: Option<&VectorIndex>,
    entity: EntityQuery<'_>,
    opts: &MapOptions,
) -> Result<Mapping, IndexError> {
    let exact = names.exact(view, entity.text, entity.node_type)?;
    if !exact.is_empty() {
        return Ok(Mapping::Exact(exact));
    }
    let (Some(index), Some(vector)) = (vectors, entity.vector) else { return Ok(Mapping::None) };
    let candidates: Vec<(NodeIndex, f32)> = index
        .search(view, vector, opts.k, entity.node_type, opts.mode)?
        .into_iter()
        .filter(|&(_, s)| s > opts.min_sim)
        .collect();
    Ok(match candidates.first() {
        Some(&(node, similarity)) if similarity > opts.accept_sim => Mapping::Similar { node, similarity },
        Some(_) => Mapping::Ambiguous(candidates),
        None => Mapping::None,
    })
}

/// [`map_entity`] for many entities on all cores; one result per entity, in order, so one
/// bad entity (say, an unknown type) does not hide the others' mappings.
pub fn map_entities(
    view: &GraphView,
    names: &NameIndex,
    vectors: Option<&VectorIndex>,
    entities: &[EntityQuery<'_>],
    opts: &MapOptions,
) -> Vec<Result<Mapping, IndexError>> {
    use rayon::prelude::*;
    entities.par_iter().map(|e| map_entity(view, names, vectors, *e, opts)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kg_core::view::NodeRec;
    use kg_core::{EdgeRec, Vocab};

    fn view() -> GraphView {
        crate::named_view(&[("Heart attack", "disease"), ("Myocardial infarction", "disease"), ("Aspirin", "drug"), ("Angina", "disease")])
    }

    pub(super) const STAMP: Stamp = Stamp { database: 7, generation: 1 };

    fn index(v: &GraphView) -> VectorIndex {
        let mut idx = VectorIndex::new(3).unwrap();
        idx.add(v, &[0, 1, 2, 3], &[1.0, 0.0, 0.0, 0.95, 0.3, 0.0, 0.0, 0.0, 1.0, 0.6, 0.8, 0.0]).unwrap();
        idx
    }

    #[test]
    fn exact_search_ranks_by_cosine_with_type_filter_and_tombstones() {
        let v = view();
        let mut idx = index(&v);
        let hits = idx.search(&v, &[2.0, 0.0, 0.0], 3, None, SearchMode::Exact).unwrap();
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), [0, 1, 3]);
        assert!((hits[0].1 - 1.0).abs() < 1e-6);
        assert_eq!(idx.search(&v, &[0.0, 0.0, 1.0], 5, Some("drug"), SearchMode::Exact).unwrap()[0].0, 2);
        assert!(idx.remove(0));
        assert_eq!(idx.search(&v, &[1.0, 0.0, 0.0], 1, None, SearchMode::Exact).unwrap()[0].0, 1);
        assert!(idx.search(&v, &[1.0, 0.0], 1, None, SearchMode::Exact).is_err(), "wrong dimension");
        assert!(idx.search(&v, &[f32::NAN, 0.0, 0.0], 1, None, SearchMode::Exact).is_err());
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
        assert!(VectorIndex::new(MAX_DIM + 1).unwrap_err().to_string().contains("65536"));
    }

    #[test]
    fn medreason_mapping_rules() {
        let v = view();
        let names = NameIndex::build(&v, STAMP);
        let idx = index(&v);
        let map = |text: &str, vec: Option<&[f32]>| {
            let e = EntityQuery { text, vector: vec, node_type: Some("disease") };
            map_entity(&v, &names, Some(&idx), e, &MapOptions::default()).unwrap()
        };
        assert_eq!(map("HEART ATTACK", None), Mapping::Exact(vec![0]));
        assert!(matches!(map("MI", Some(&[0.96, 0.28, 0.0])), Mapping::Similar { node: 1, .. }));
        // Similarities 0.824 (node 3), 0.822 (node 1), 0.704 (node 0): none accepted, all listed.
        let Mapping::Ambiguous(c) = map("chest pain", Some(&[0.7, 0.5, 0.5])) else { panic!("ambiguous expected") };
        assert_eq!(c.iter().map(|x| x.0).collect::<Vec<_>>(), [3, 1, 0]);
        assert!(c[0].1 < DEFAULT_ACCEPT_SIM && c[2].1 > DEFAULT_MIN_SIM);
        assert_eq!(map("aspirin overdose", Some(&[0.0, 0.0, 1.0])), Mapping::None, "only diseases are candidates");
        assert_eq!(map("unknown", None), Mapping::None);
        // The batch form: one result per entity, in order, errors kept apart.
        let q = [0.96, 0.28, 0.0];
        let batch = [
            EntityQuery { text: "angina", vector: None, node_type: None },
            EntityQuery { text: "MI", vector: Some(&q), node_type: Some("disease") },
            EntityQuery { text: "x", vector: Some(&q), node_type: Some("no such type") },
        ];
        let out = map_entities(&v, &names, Some(&idx), &batch, &MapOptions::default());
        assert_eq!(out[0].as_ref().unwrap(), &Mapping::Exact(vec![3]));
        assert!(matches!(out[1].as_ref().unwrap(), Mapping::Similar { node: 1, .. }));
        assert!(out[2].as_ref().unwrap_err().to_string().contains("no such type"));
    }

    #[test]
    fn file_round_trip_and_damage() {
        let v = view();
        let mut idx = index(&v);
        idx.remove(2);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vectors.kgv");
        idx.write_file(&p, STAMP).unwrap();
        let back = VectorIndex::load_file(&p, &v, STAMP).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back.search(&v, &[1.0, 0.0, 0.0], 3, None, SearchMode::Exact).unwrap(), idx.search(&v, &[1.0, 0.0, 0.0], 3, None, SearchMode::Exact).unwrap());
        let mut bytes = std::fs::read(&p).unwrap();
        let n = bytes.len();
        bytes[n - 1] ^= 0x10;
        std::fs::write(&p, &bytes).unwrap();
        let e = VectorIndex::load_file(&p, &v, STAMP).unwrap_err().to_string();
        assert!(e.contains("vectors.kgv") && e.contains("checksum"), "{e}");
    }

    /// `view()` after node 0 was removed and node 2 ("Aspirin", a drug) was replaced at its
    /// index by another node.
    fn view_after_removals() -> GraphView {
        let mut vocab = Vocab::default();
        let s = vocab.sources.intern("s", "source").unwrap();
        let nodes = [(1, "N1", "Myocardial infarction", "disease"), (2, "X9", "Fever", "effect/phenotype"), (3, "N3", "Angina", "disease")]
            .iter()
            .map(|&(index, id, name, ty)| NodeRec { index, id: id.into(), node_type: vocab.node_types.intern(ty, "t").unwrap(), name: name.into(), source: s })
            .collect();
        GraphView::build(vocab, nodes, &[] as &[EdgeRec])
    }

    /// The version-2 layout of a version-3 file: the old 16-byte header, no node identities.
    fn as_version_2(v3: &[u8]) -> Vec<u8> {
        let body = &v3[side_file::HEADER_LEN..];
        let n = u64::from_le_bytes(body[8..16].try_into().unwrap()) as usize;
        let nodes_end = 16 + n + 4 * n;
        let mut old = body[..nodes_end].to_vec();
        old.extend_from_slice(&body[nodes_end + 8 * n..]);
        let mut file = VEC_MAGIC.to_vec();
        file.extend_from_slice(&2u32.to_le_bytes());
        file.extend_from_slice(&crc32fast::hash(&old).to_le_bytes());
        file.extend_from_slice(&old);
        file
    }

    #[test]
    fn rows_of_removed_or_replaced_nodes_are_never_returned_and_foreign_files_are_refused() {
        let (v, later) = (view(), view_after_removals());
        let idx = index(&v);
        assert_eq!(idx.stale_rows(&later), vec![0, 2]);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vectors.kgv");
        idx.write_file(&p, STAMP).unwrap();
        let live = |i: &VectorIndex, view: &GraphView| {
            let mut hits: Vec<u32> = i.search(view, &[1.0, 0.0, 0.0], 10, None, SearchMode::Exact).unwrap().into_iter().map(|(n, _)| n).collect();
            hits.sort_unstable();
            hits
        };
        // Read at the generation it was written for, it is trusted whole.
        assert_eq!(live(&VectorIndex::load_file(&p, &v, STAMP).unwrap(), &v), [0, 1, 2, 3]);
        // Read at a later generation, rows of the removed node and of the replaced one are gone.
        let moved_on = Stamp { generation: 5, ..STAMP };
        let back = VectorIndex::load_file(&p, &later, moved_on).unwrap();
        assert_eq!((back.len(), live(&back, &later)), (2, vec![1, 3]));
        // A file of version 2 (no identities) binds its rows to the nodes present now.
        std::fs::write(&p, as_version_2(&std::fs::read(&p).unwrap())).unwrap();
        assert_eq!(live(&VectorIndex::load_file(&p, &v, moved_on).unwrap(), &v), [0, 1, 2, 3]);
        assert_eq!(live(&VectorIndex::load_file(&p, &later, moved_on).unwrap(), &later), [1, 2, 3]);
        // Another database's file is refused, naming the file and the remedy.
        idx.write_file(&p, STAMP).unwrap();
        let e = VectorIndex::load_file(&p, &v, Stamp { database: 8, ..STAMP }).unwrap_err().to_string();
        assert!(e.contains("vectors.kgv") && e.contains("another database") && e.contains("attach the embeddings again"), "{e}");
    }
}

#[cfg(test)]
mod hnsw_tests {
    use super::tests::STAMP;
    use super::*;
    use kg_core::rng::SplitMix64;
    use kg_core::view::NodeRec;
    use kg_core::{EdgeRec, Vocab};

    /// `n` nodes, every tenth a "drug", the rest "disease".
    fn view(n: usize) -> GraphView {
        let mut vocab = Vocab::default();
        let s = vocab.sources.intern("s", "source").unwrap();
        let (dis, drug) = (vocab.node_types.intern("disease", "t").unwrap(), vocab.node_types.intern("drug", "t").unwrap());
        let nodes = (0..n)
            .map(|i| NodeRec { index: i as u32, id: format!("N{i}"), node_type: if i % 10 == 0 { drug } else { dis }, name: format!("n{i}"), source: s })
            .collect();
        GraphView::build(vocab, nodes, &[] as &[EdgeRec])
    }

    fn vectors(n: usize, dim: usize, seed: u64) -> Vec<f32> {
        let mut rng = SplitMix64::new(seed);
        (0..n * dim).map(|_| rng.next_f64() as f32 - 0.5).collect()
    }

    #[test]
    fn graph_search_matches_exact_search_and_honours_type_and_tombstones() {
        let (n, dim) = (4000, 32);
        let v = view(n);
        let ids: Vec<u32> = (0..n as u32).collect();
        let mut idx = VectorIndex::with_hnsw(dim, HnswParams::default()).unwrap();
        // Two adds, so the second extends the graph built by the first.
        let data = vectors(n, dim, 7);
        idx.add(&v, &ids[..n / 2], &data[..n / 2 * dim]).unwrap();
        idx.add(&v, &ids[n / 2..], &data[n / 2 * dim..]).unwrap();
        for r in (0..n as u32).step_by(7) {
            idx.remove(r);
        }
        let queries = vectors(50, dim, 8);
        let mut hits = 0;
        for q in queries.chunks_exact(dim) {
            for ty in [None, Some("drug")] {
                let truth = idx.search(&v, q, 10, ty, SearchMode::Exact).unwrap();
                let got = idx.search(&v, q, 10, ty, SearchMode::Approximate { ef: 64 }).unwrap();
                assert_eq!(got.len(), 10);
                assert!(got.iter().all(|&(node, _)| node % 7 != 0), "a tombstoned row came back");
                if ty.is_some() {
                    assert!(got.iter().all(|&(node, _)| node % 10 == 0), "a row of another type came back");
                }
                assert!(got.windows(2).all(|w| w[0].1 >= w[1].1), "best first");
                hits += got.iter().filter(|g| truth.iter().any(|t| t.0 == g.0)).count();
            }
        }
        let recall = hits as f64 / (50 * 2 * 10) as f64;
        assert!(recall >= 0.95, "recall@10 {recall}");
        // Replacing a node's vector: the new one is found, the old row is gone.
        let far: Vec<f32> = (0..dim).map(|i| if i == 0 { 1.0 } else { 0.0 }).collect();
        idx.add(&v, &[3], &far).unwrap();
        let top = idx.search(&v, &far, 1, None, SearchMode::Auto).unwrap();
        assert_eq!(top[0].0, 3);
        assert!((top[0].1 - 1.0).abs() < 1e-5);
        assert_eq!(idx.len(), n - n.div_ceil(7), "node 3 was live: replaced, not added");
    }

    #[test]
    fn replacing_embeddings_keeps_the_index_within_twice_the_live_rows() {
        let (n, dim) = (1000, 16);
        let v = view(n);
        let ids: Vec<u32> = (0..n as u32).collect();
        let mut idx = VectorIndex::with_hnsw(dim, HnswParams::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vectors.kgv");
        let (mut sizes, mut asked, mut found) = (Vec::new(), 0, 0);
        // Re-embedding everything five times, then a tenth of it five more times.
        for round in 0..10u64 {
            let batch = if round < 5 { n } else { n / 10 };
            let data = vectors(batch, dim, 100 + round);
            idx.add(&v, &ids[..batch], &data).unwrap();
            assert_eq!(idx.len(), n);
            assert!(idx.stored_rows() <= 2 * n, "round {round}: {} rows stored for {n} live", idx.stored_rows());
            idx.write_file(&p, STAMP).unwrap();
            sizes.push(std::fs::metadata(&p).unwrap().len());
            // The newest vectors are the ones found: always exactly, nearly always through the
            // graph (HNSW's recall on random 16-dimensional rows is high, not perfect).
            for (i, q) in data.chunks_exact(dim).enumerate().step_by(10) {
                assert_eq!(idx.search(&v, q, 1, None, SearchMode::Exact).unwrap()[0].0, i as u32, "round {round}");
                asked += 1;
                found += usize::from(idx.search(&v, q, 1, None, SearchMode::Approximate { ef: 64 }).unwrap()[0].0 == i as u32);
            }
        }
        assert!(found as f64 >= 0.95 * asked as f64, "graph found {found} of {asked} replaced rows");
        // Twice the rows of one attach (the graph's upper levels vary a little with the rows).
        assert!(sizes.iter().all(|&s| s <= 2 * sizes[0] + 4096), "file sizes {sizes:?}");
        // An explicit compaction leaves live rows only, and the same answers.
        let q = &vectors(1, dim, 5)[..];
        let before = idx.search(&v, q, 10, None, SearchMode::Exact).unwrap();
        idx.compact();
        assert_eq!((idx.len(), idx.stored_rows()), (n, n));
        assert_eq!(idx.search(&v, q, 10, None, SearchMode::Exact).unwrap(), before);
        idx.write_file(&p, STAMP).unwrap();
        assert_eq!(VectorIndex::load_file(&p, &v, STAMP).unwrap().search(&v, q, 10, None, SearchMode::Exact).unwrap(), before);
    }

    #[test]
    fn graph_survives_the_file_and_damage_is_named() {
        let (n, dim) = (600, 16);
        let v = view(n);
        let ids: Vec<u32> = (0..n as u32).collect();
        let mut idx = VectorIndex::with_hnsw(dim, HnswParams { m: 8, ..Default::default() }).unwrap();
        idx.add(&v, &ids, &vectors(n, dim, 9)).unwrap();
        idx.remove(5);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vectors.kgv");
        idx.write_file(&p, STAMP).unwrap();
        let back = VectorIndex::load_file(&p, &v, STAMP).unwrap();
        assert_eq!(back.hnsw_params().unwrap().m, 8);
        assert_eq!((back.len(), back.stored_rows()), (n - 1, n));
        for q in vectors(20, dim, 10).chunks_exact(dim) {
            let mode = SearchMode::Approximate { ef: 32 };
            assert_eq!(back.search(&v, q, 10, None, mode).unwrap(), idx.search(&v, q, 10, None, mode).unwrap());
        }
        let bytes = std::fs::read(&p).unwrap();
        for (what, damaged) in [
            ("truncated", bytes[..bytes.len() - 100].to_vec()),
            ("bit flip", {
                let mut b = bytes.clone();
                b[bytes.len() - 50] ^= 4;
                b
            }),
            ("header", b"KGVECS".to_vec()),
            // Found by fuzzing: a whole, checksummed (version 2) file claiming 25 billion dimensions.
            ("dimension", {
                let body = [0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0u8];
                let mut b = VEC_MAGIC.to_vec();
                b.extend_from_slice(&2u32.to_le_bytes());
                b.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
                b.extend_from_slice(&body);
                b
            }),
        ] {
            std::fs::write(&p, &damaged).unwrap();
            let e = VectorIndex::load_file(&p, &v, STAMP).unwrap_err().to_string();
            assert!(e.contains("vectors.kgv") && e.contains("attach the embeddings again"), "{what}: {e}");
        }
    }

    #[test]
    fn bad_settings_and_queries_are_errors() {
        assert!(VectorIndex::with_hnsw(8, HnswParams { m: 0, ..Default::default() }).is_err());
        let v = view(20);
        let mut idx = VectorIndex::with_hnsw(4, HnswParams::default()).unwrap();
        idx.add(&v, &(0..20).collect::<Vec<u32>>(), &vectors(20, 4, 1)).unwrap();
        assert!(idx.search(&v, &[1.0, 0.0, 0.0, 0.0], 3, None, SearchMode::Approximate { ef: 0 }).is_err());
        assert!(idx.search(&v, &[1.0, 0.0, 0.0, 0.0], 0, None, SearchMode::Auto).unwrap().is_empty());
        assert!(idx.search(&v, &[0.0; 4], 3, None, SearchMode::Auto).is_err(), "zero query");
    }
}
