//! Inspection: counts and degrees (`info`), and a full consistency check (`check`).

use super::*;

/// Degree statistics of the undirected simple graph.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DegreeSummary {
    /// The smallest degree.
    pub min: usize,
    /// The median degree.
    pub median: usize,
    /// The mean degree.
    pub mean: f64,
    /// The 99th-percentile degree.
    pub p99: usize,
    /// The largest degree.
    pub max: usize,
    /// A node of the largest degree.
    pub max_node: Option<NodeIndex>,
}

/// `kgcore info`: counts, per type and relation, and degrees.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Info {
    /// Nodes held.
    pub nodes: usize,
    /// Stored distinct directed (relation, source, target) edges.
    pub edges: usize,
    /// Distinct unordered node pairs joined by at least one edge.
    pub undirected_edges: usize,
    /// Nodes per type.
    pub node_types: BTreeMap<String, usize>,
    /// Stored edges per relation.
    pub relations: BTreeMap<String, usize>,
    /// Degrees of the undirected simple graph.
    pub degree: DegreeSummary,
    /// The storage layout's version.
    pub storage_version: u32,
    /// Committed update batches.
    pub generation: u64,
    /// Bytes of the traversal arrays of the in-memory view.
    pub view_bytes: usize,
}

/// The bytes a database's store takes ([`Database::store_size`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreSize {
    /// RocksDB's files in the database directory, on disk; `None` in memory.
    pub on_disk: Option<u64>,
    /// Per column family: its live tables and memtables (in memory: its keys and values).
    pub column_families: BTreeMap<String, u64>,
}

/// What [`Database::check`] verified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Nodes checked.
    pub nodes: usize,
    /// Stored edges checked (both directions of the adjacency).
    pub edges: usize,
    /// Stored node sets checked.
    pub sets: usize,
}

impl Database {

    /// The bytes the store takes, on disk and per column family.
    pub fn store_size(&self) -> Result<StoreSize> {
        let mut column_families = BTreeMap::new();
        for name in cf::ALL {
            column_families.insert(name.to_owned(), self.store.bytes(name)?);
        }
        Ok(StoreSize { on_disk: self.store.bytes_on_disk()?, column_families })
    }

    /// Counts of nodes and edges, per type and relation, and degrees of the undirected simple graph.
    pub fn info(&self) -> Info {
        let (generation, view) = {
            let s = self.state.read().unwrap_or_else(|p| p.into_inner());
            (s.generation, Arc::clone(&s.view))
        };
        let mut degrees: Vec<(usize, NodeIndex)> = view.nodes().map(|n| (view.degree(n), n)).collect();
        degrees.sort_unstable();
        let degree = if degrees.is_empty() {
            DegreeSummary::default()
        } else {
            let at = |q: f64| degrees[((degrees.len() - 1) as f64 * q).round() as usize].0;
            DegreeSummary {
                min: degrees[0].0,
                median: at(0.5),
                mean: degrees.iter().map(|d| d.0).sum::<usize>() as f64 / degrees.len() as f64,
                p99: at(0.99),
                max: degrees[degrees.len() - 1].0,
                max_node: Some(degrees[degrees.len() - 1].1),
            }
        };
        Info {
            nodes: view.node_count(),
            edges: view.edge_count(),
            undirected_edges: view.undirected_edge_count(),
            node_types: view.type_counts(),
            relations: view.relation_counts(),
            degree,
            storage_version: STORAGE_VERSION,
            generation,
            view_bytes: view.traversal_bytes(),
        }
    }

    /// Verifies that the store is whole and agrees with the view: every node and adjacency set
    /// decodes, the in-adjacency mirrors the out-adjacency, the type and relation sets match,
    /// and the view holds exactly what the store does.
    pub fn check(&self) -> Result<CheckReport> {
        let view = self.view();
        let stored = rebuild_view(&self.store)?;
        let mut report = CheckReport { nodes: stored.node_count(), edges: stored.edge_count(), sets: 0 };
        if stored.node_recs() != view.node_recs() {
            return Err(Error::corruption("database", "stored nodes differ from the in-memory view"));
        }
        if !stored.edges().eq(view.edges()) {
            return Err(Error::corruption("database", "stored edges differ from the in-memory view"));
        }
        if stored_sets(&self.store)? != view_adjacency(&stored) {
            return Err(Error::corruption("database", "the in-adjacency does not mirror the out-adjacency"));
        }
        let expected: BTreeMap<Vec<u8>, Vec<u8>> =
            set_ops(&stored)
                .into_iter()
                .filter_map(|op| match op {
                    WriteOp::Put(_, k, v) => Some((k, v)),
                    _ => None,
                })
                .collect();
        let mut found = BTreeMap::new();
        self.store.scan(cf::SETS, &mut |k, v| {
            found.insert(k.to_vec(), v.to_vec());
            Ok(true)
        })?;
        let decode = |m: &BTreeMap<Vec<u8>, Vec<u8>>| -> Result<BTreeMap<Vec<u8>, RoaringBitmap>> {
            m.iter()
                .map(|(k, v)| {
                    RoaringBitmap::deserialize_from(&v[..])
                        .map(|b| (k.clone(), b))
                        .map_err(|e| Error::corruption("sets", e.to_string()))
                })
                .filter(|r| r.as_ref().map_or(true, |(_, b)| !b.is_empty()))
                .collect()
        };
        if decode(&expected)? != decode(&found)? {
            return Err(Error::corruption("database", "type/relation node sets disagree with nodes and edges"));
        }
        report.sets = expected.len();
        Ok(report)
    }
}
