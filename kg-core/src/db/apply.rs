//! Update batches: validated whole, written in one atomic batch, published as a new view.

use super::*;

/// A batch of updates, applied atomically by [`Database::apply`]: removals first, then
/// additions. As JSON (`kgcore apply`): every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Batch {
    /// Nodes to add; an index held by a different node is an error, an identical node is counted unchanged.
    pub add_nodes: Vec<Node>,
    /// Edges to add, between nodes that exist after the batch; an edge already held is counted unchanged.
    pub add_edges: Vec<Edge>,
    /// Removing a node removes its edges too.
    pub remove_nodes: Vec<NodeIndex>,
    /// (source, target, relation).
    pub remove_edges: Vec<(NodeIndex, NodeIndex, String)>,
}

/// What a batch changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchReport {
    /// Nodes added.
    pub nodes_added: usize,
    /// Nodes removed (with their edges).
    pub nodes_removed: usize,
    /// Edges added.
    pub edges_added: usize,
    /// Edges removed, including those of removed nodes.
    pub edges_removed: usize,
    /// Nodes and edges in the batch that the database already held identically.
    pub unchanged: usize,
    /// The database generation after the batch.
    pub generation: u64,
}

impl Database {

    /// Applies a batch atomically and durably. Nothing is written if any part is invalid.
    pub fn apply(&self, batch: &Batch) -> Result<BatchReport> {
        self.ensure_writable("apply updates")?;
        let _w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let view = self.view();
        let mut vocab = view.vocab().clone();
        let mut report = BatchReport::default();
        let mut ops: Vec<WriteOp> = Vec::new();

        // Removals.
        let mut removed_nodes = HashSet::new();
        for &n in &batch.remove_nodes {
            if !view.contains(n) || !removed_nodes.insert(n) {
                return Err(Error::UnknownNode(n));
            }
        }
        let mut removed_edges: HashSet<EdgeRec> = HashSet::new();
        for (s, t, rel) in &batch.remove_edges {
            let labels: Vec<LabelId> = view
                .labels_between(*s, *t)
                .iter()
                .copied()
                .filter(|&l| vocab.label_relation(l) == rel)
                .collect();
            if labels.is_empty() {
                return Err(Error::NotFound { kind: "edge", name: format!("{s} -[{rel}]-> {t}") });
            }
            removed_edges.extend(labels.into_iter().map(|label| EdgeRec { source: *s, target: *t, label }));
        }
        for &n in &removed_nodes {
            for (&t, &label) in view.out_edges(n).0.iter().zip(view.out_edges(n).1) {
                removed_edges.insert(EdgeRec { source: n, target: t, label });
            }
            for (&s, &label) in view.in_edges(n).0.iter().zip(view.in_edges(n).1) {
                removed_edges.insert(EdgeRec { source: s, target: n, label });
            }
        }

        // Node additions.
        let mut nodes: HashMap<NodeIndex, NodeRec> =
            view.node_recs().into_iter().filter(|n| !removed_nodes.contains(&n.index)).map(|n| (n.index, n)).collect();
        let mut added_nodes = Vec::new();
        for node in &batch.add_nodes {
            if node.index > MAX_NODE_INDEX {
                return Err(Error::InvalidInput(format!("node index {} exceeds {MAX_NODE_INDEX}", node.index)));
            }
            let rec = NodeRec {
                index: node.index,
                id: node.id.clone(),
                node_type: vocab.node_types.intern(&node.node_type, "node type")?,
                name: node.name.clone(),
                source: vocab.sources.intern(&node.source, "node source")?,
            };
            match nodes.get(&node.index) {
                Some(prev) if *prev == rec => report.unchanged += 1,
                Some(prev) => {
                    return Err(Error::InvalidInput(format!(
                        "node {} already exists as ({:?}, {:?}, {:?}); remove it first to replace it",
                        node.index,
                        prev.id,
                        vocab.node_types.name(prev.node_type),
                        prev.name
                    )));
                }
                None => {
                    added_nodes.push(rec.clone());
                    nodes.insert(node.index, rec);
                }
            }
        }

        if let Some(&max) = nodes.keys().max() {
            load::check_slots(max, nodes.len())?;
        }

        // Edge additions.
        let mut added_edges: Vec<EdgeRec> = Vec::new();
        let mut seen_new: HashSet<(NodeIndex, NodeIndex, u16)> = HashSet::new();
        for e in &batch.add_edges {
            for end in [e.source, e.target] {
                if !nodes.contains_key(&end) {
                    return Err(Error::UnknownNode(end));
                }
            }
            let rel = vocab.relations.intern(&e.relation, "relation")?;
            let disp = vocab.display_relations.intern(&e.display_relation, "display relation")?;
            let label = vocab.label(rel, disp)?;
            let rec = EdgeRec { source: e.source, target: e.target, label };
            let exists = view.labels_between(e.source, e.target).iter().any(|&l| {
                vocab.labels[l as usize].0 == rel && !removed_edges.contains(&EdgeRec { label: l, ..rec })
            });
            if exists || !seen_new.insert((e.source, e.target, rel)) {
                report.unchanged += 1;
                continue;
            }
            added_edges.push(rec);
        }

        for n in &removed_nodes {
            ops.push(WriteOp::Delete(cf::NODES, keys::node_key(*n).to_vec()));
        }
        for n in &added_nodes {
            ops.push(node_op(n));
        }
        ops.extend(adjacency_ops(&view, &removed_nodes, removed_edges.iter().copied(), &added_edges));
        report.nodes_removed = removed_nodes.len();
        report.edges_removed = removed_edges.len();
        report.nodes_added = added_nodes.len();
        report.edges_added = added_edges.len();
        if ops.is_empty() {
            // Nothing to change (an empty batch, or only what the database already holds): no
            // write, no new generation, so derived indexes and side files stay valid.
            report.generation = self.generation();
            return Ok(report);
        }

        let edges = merged_edges(&view, removed_edges.iter().copied().collect(), &added_edges);
        let new_view = GraphView::build(vocab, nodes.into_values().collect(), &edges);
        let touched = Touched { removed_nodes: &removed_nodes, added_nodes: &added_nodes, removed_edges: &removed_edges, added_edges: &added_edges };
        ops.extend(changed_set_ops(&self.store, &view, &new_view, &touched)?);
        report.generation = self.commit(ops, new_view)?;
        Ok(report)
    }

    /// Writes `ops` (set writes included) with the new vocabulary and generation in one atomic
    /// batch, then publishes `new_view`.
    pub(super) fn commit(&self, mut ops: Vec<WriteOp>, new_view: GraphView) -> Result<u64> {
        let generation = self.generation() + 1;
        ops.push(WriteOp::Put(cf::META, meta::VOCAB.to_vec(), new_view.vocab().encode()));
        ops.push(WriteOp::Put(cf::META, meta::GENERATION.to_vec(), generation.to_be_bytes().to_vec()));
        self.store.write(ops)?;
        let mut state = self.state.write().unwrap_or_else(|p| p.into_inner());
        state.generation = generation;
        state.view = Arc::new(new_view);
        self.view_dirty.store(true, Ordering::Release);
        Ok(generation)
    }
}


/// The stored (key, value) of a node.
pub(super) fn node_entry(n: &NodeRec) -> (Vec<u8>, Vec<u8>) {
    let value = NodeValue::V1 { id: n.id.clone(), node_type: n.node_type, name: n.name.clone(), source: n.source };
    (keys::node_key(n.index).to_vec(), value.encode())
}

pub(super) fn node_op(n: &NodeRec) -> WriteOp {
    let (k, v) = node_entry(n);
    WriteOp::Put(cf::NODES, k, v)
}

/// The view's edges without `removed` and with `added` (neither order matters; `added` holds
/// no edge the view keeps), sorted as [`GraphView::build`] wants: one merge pass over the
/// already sorted edges, where sorting them all again was most of a small batch's cost.
pub(super) fn merged_edges(view: &GraphView, mut removed: Vec<EdgeRec>, added: &[EdgeRec]) -> Vec<EdgeRec> {
    removed.sort_unstable();
    let mut added = added.to_vec();
    added.sort_unstable();
    let mut out = Vec::with_capacity(view.edge_count() + added.len());
    let (mut r, mut a) = (removed.iter().peekable(), added.iter().peekable());
    for e in view.edges() {
        while r.next_if(|&&x| x < e).is_some() {}
        if r.next_if(|&&x| x == e).is_some() {
            continue;
        }
        while let Some(&x) = a.next_if(|&&x| x < e) {
            out.push(x);
        }
        out.push(e);
    }
    out.extend(a);
    out
}

/// What a batch changes, for [`changed_set_ops`].
struct Touched<'a> {
    removed_nodes: &'a HashSet<NodeIndex>,
    added_nodes: &'a [NodeRec],
    removed_edges: &'a HashSet<EdgeRec>,
    added_edges: &'a [EdgeRec],
}

/// The set writes of a batch: only the node-type and relation sets it touches, each read from
/// the store, changed and written back (deleted when empty), so a small batch costs little
/// however large the graph. A node leaves a relation's set when `new` holds no edge of that
/// relation at it.
fn changed_set_ops(store: &Store, old: &GraphView, new: &GraphView, t: &Touched) -> Result<Vec<WriteOp>> {
    fn set<'s>(sets: &'s mut BTreeMap<(u8, u16), RoaringBitmap>, store: &Store, tag: u8, id: u16) -> Result<&'s mut RoaringBitmap> {
        Ok(match sets.entry((tag, id)) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(read_set(store, tag, id)?),
        })
    }
    let mut sets = BTreeMap::new();
    for &n in t.removed_nodes {
        set(&mut sets, store, keys::SET_NODE_TYPE, old.type_id(n))?.remove(n);
    }
    for n in t.added_nodes {
        set(&mut sets, store, keys::SET_NODE_TYPE, n.node_type)?.insert(n.index);
    }
    let relation = |view: &GraphView, label: LabelId| view.vocab().labels[label as usize].0;
    for e in t.added_edges {
        let s = set(&mut sets, store, keys::SET_RELATION, relation(new, e.label))?;
        s.insert(e.source);
        s.insert(e.target);
    }
    let has_relation = |n: NodeIndex, r: u16| {
        new.contains(n)
            && new.out_edges(n).1.iter().chain(new.in_edges(n).1).any(|&l| relation(new, l) == r)
    };
    for e in t.removed_edges {
        let r = relation(old, e.label);
        for n in [e.source, e.target] {
            if !has_relation(n, r) {
                set(&mut sets, store, keys::SET_RELATION, r)?.remove(n);
            }
        }
    }
    Ok(sets.into_iter().map(|((tag, id), b)| set_op(tag, id, &b)).collect())
}

