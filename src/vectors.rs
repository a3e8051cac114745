//! Node embeddings: the vector file's life cycle (loaded once, replaced whole on attach) and
//! the searches and entity mappings that use it beside the name index.

use std::sync::Arc;

use kg_core::{NodeIndex, OpenMode};
use kg_index::{EntityQuery, HnswParams, IndexError, MapOptions, Mapping, SearchMode, VectorIndex};

use crate::files::VECTOR_FILE;
use crate::{Error, Graph, Result};

/// Which vector index [`Graph::build_vectors`] extends or starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorKind {
    /// An HNSW graph for approximate search.
    Hnsw,
    /// Rows only: every search compares all of them.
    Exact,
}

impl Graph {
    /// The attached embeddings, read from `vectors.kgv` on first use; `None` when none are
    /// attached. Rows of nodes removed or replaced since they were attached are never
    /// returned: they are dropped when the file is read and whenever an update moves the
    /// generation. A damaged file, or one of another database, is an error (embeddings cannot
    /// be rebuilt from the graph).
    pub fn vector_index(&self) -> Result<Option<Arc<VectorIndex>>> {
        let (stamp, view) = self.database().snapshot();
        if let Some((g, loaded)) = self.vectors.read().unwrap_or_else(|p| p.into_inner()).as_ref()
            && *g == stamp.generation
        {
            return Ok(loaded.clone());
        }
        let mut slot = self.vectors.write().unwrap_or_else(|p| p.into_inner());
        let current = match slot.take() {
            Some((g, loaded)) if g == stamp.generation => loaded,
            Some((_, Some(idx))) => {
                // An update since: only a copy that had stale rows is changed.
                if idx.stale_rows(&view).is_empty() {
                    Some(idx)
                } else {
                    let mut fresh = (*idx).clone();
                    fresh.forget_stale(&view);
                    Some(Arc::new(fresh))
                }
            }
            Some((_, None)) | None => match self.side_file(VECTOR_FILE).filter(|p| p.exists()) {
                Some(p) => Some(Arc::new(VectorIndex::load_file(&p, &view, stamp)?)),
                None => None,
            },
        };
        *slot = Some((stamp.generation, current.clone()));
        Ok(current)
    }

    /// The attached index with `vectors` (row-major, `dim` wide, one row per node of `nodes`)
    /// added, replacing earlier rows of those nodes. It extends the attached index when that
    /// has the same dimension and kind (`kind: None` keeps the attached kind, HNSW for a first
    /// index), else starts a new one, a new HNSW graph with `params`; a damaged attached file
    /// is replaced, with a warning. Nothing is saved: pass the result to
    /// [`Graph::install_vectors`].
    pub fn build_vectors(
        &self,
        nodes: &[NodeIndex],
        vectors: &[f32],
        dim: usize,
        kind: Option<VectorKind>,
        params: HnswParams,
    ) -> Result<VectorIndex> {
        if nodes.len().checked_mul(dim) != Some(vectors.len()) {
            return Err(Error::InvalidArgument(format!("{} node indices for {} values of dimension {dim}", nodes.len(), vectors.len())));
        }
        let current = match self.vector_index() {
            Ok(c) => c,
            Err(Error::Index(e @ IndexError::Corrupt { .. })) => {
                self.warn(&format!("{e}; replacing it"));
                None
            }
            Err(e) => return Err(e),
        };
        let want_graph = match kind {
            None => current.as_deref().is_none_or(|c| c.hnsw_params().is_some()),
            Some(k) => k == VectorKind::Hnsw,
        };
        if want_graph {
            // Checked even when an existing graph is extended (and keeps its own settings).
            params.validate().map_err(|m| Error::InvalidArgument(format!("HNSW settings: {m}")))?;
        }
        let mut idx = match current.as_deref() {
            Some(c) if c.dim() == dim && c.hnsw_params().is_some() == want_graph => c.clone(),
            _ if want_graph => VectorIndex::with_hnsw(dim, params)?,
            _ => VectorIndex::new(dim)?,
        };
        idx.add(&self.view(), nodes, vectors)?;
        Ok(idx)
    }

    /// Makes `index` the attached embeddings: saved to `vectors.kgv` (atomically) when the
    /// database is on disk and open read-write, else kept for this handle only. Returns its
    /// live rows.
    pub fn install_vectors(&self, mut index: VectorIndex) -> Result<usize> {
        let (stamp, view) = self.database().snapshot();
        // Nodes may have gone since the rows were checked: the file is stamped for this graph.
        index.forget_stale(&view);
        if let Some(p) = self.side_file(VECTOR_FILE)
            && self.mode() == OpenMode::ReadWrite
        {
            self.database().ensure_writable("attach embeddings")?;
            index.write_file(&p, stamp)?;
        }
        let live = index.len();
        *self.vectors.write().unwrap_or_else(|p| p.into_inner()) = Some((stamp.generation, Some(Arc::new(index))));
        Ok(live)
    }

    /// [`Graph::build_vectors`] then [`Graph::install_vectors`].
    pub fn set_vectors(
        &self,
        nodes: &[NodeIndex],
        vectors: &[f32],
        dim: usize,
        kind: Option<VectorKind>,
        params: HnswParams,
    ) -> Result<usize> {
        let idx = self.build_vectors(nodes, vectors, dim, kind, params)?;
        self.install_vectors(idx)
    }

    /// The `k` nodes whose embeddings are most cosine-similar to `query` (of `node_type` only,
    /// when given): `(node, similarity)`, best first.
    pub fn search_vectors(&self, query: &[f32], k: usize, node_type: Option<&str>, mode: SearchMode) -> Result<Vec<(NodeIndex, f32)>> {
        let idx = self.vector_index()?.ok_or(Error::NoEmbeddings)?;
        Ok(idx.search(&self.view(), query, k, node_type, mode)?)
    }

    /// MedReason's entity mapping of one entity (see [`kg_index::map_entity`]).
    pub fn map_entity(&self, entity: EntityQuery<'_>, opts: &MapOptions) -> Result<Mapping> {
        let vectors = self.vectors_for(entity.vector.is_some())?;
        Ok(kg_index::map_entity(&self.view(), &self.name_index(), vectors.as_deref(), entity, opts)?)
    }

    /// [`Graph::map_entity`] for many entities on all cores: one result per entity, in order.
    pub fn map_entities(&self, entities: &[EntityQuery<'_>], opts: &MapOptions) -> Result<Vec<Result<Mapping, IndexError>>> {
        let vectors = self.vectors_for(entities.iter().any(|e| e.vector.is_some()))?;
        Ok(kg_index::map_entities(&self.view(), &self.name_index(), vectors.as_deref(), entities, opts))
    }

    /// The attached embeddings; an error when a query brings vectors and none are attached.
    fn vectors_for(&self, has_vectors: bool) -> Result<Option<Arc<VectorIndex>>> {
        let vectors = self.vector_index()?;
        if has_vectors && vectors.is_none() {
            return Err(Error::NoEmbeddings);
        }
        Ok(vectors)
    }
}
