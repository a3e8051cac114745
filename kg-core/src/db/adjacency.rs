//! The adjacency writes: whole neighbour sets for a whole graph (import, migration, `check`),
//! and merge deltas for a batch, which never read a stored set back.

use super::*;
use crate::adjacency::{self, Direction, Value};

/// Every (node, direction, label) neighbour set of `edges`, by key: in key order, as a bulk load
/// wants it.
pub(super) fn adjacency_sets(edges: impl Iterator<Item = EdgeRec>) -> BTreeMap<[u8; adjacency::KEY_LEN], RoaringBitmap> {
    let mut sets: BTreeMap<[u8; adjacency::KEY_LEN], RoaringBitmap> = BTreeMap::new();
    for e in edges {
        sets.entry(adjacency::key(e.source, Direction::Out, e.label)).or_default().insert(e.target);
        sets.entry(adjacency::key(e.target, Direction::In, e.label)).or_default().insert(e.source);
    }
    sets
}

/// The stored (key, value) of each neighbour set, in key order.
#[cfg(feature = "rocksdb")]
pub(super) fn adjacency_entries(
    sets: BTreeMap<[u8; adjacency::KEY_LEN], RoaringBitmap>,
) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> {
    sets.into_iter().map(|(k, b)| (k.to_vec(), Value::Set(b).encode()))
}

/// The adjacency writes of a batch, in the order they must apply: the keys of `removed_nodes`
/// (as `view` holds them) deleted, then one merge delta per other (node, direction, label) that
/// loses a neighbour in `removed` or gains one in `added`. An edge both removed and added stays.
pub(super) fn adjacency_ops(
    view: &GraphView,
    removed_nodes: &HashSet<NodeIndex>,
    removed: impl Iterator<Item = EdgeRec>,
    added: &[EdgeRec],
) -> Vec<WriteOp> {
    let mut ops = Vec::new();
    for &n in removed_nodes {
        let mut labels: Vec<(Direction, LabelId)> = view.out_edges(n).1.iter().map(|&l| (Direction::Out, l)).collect();
        labels.extend(view.in_edges(n).1.iter().map(|&l| (Direction::In, l)));
        labels.sort_unstable();
        labels.dedup();
        ops.extend(labels.into_iter().map(|(d, l)| WriteOp::Delete(cf::ADJ, adjacency::key(n, d, l).to_vec())));
    }
    // (key) → (added, removed)
    let mut deltas: BTreeMap<[u8; adjacency::KEY_LEN], (RoaringBitmap, RoaringBitmap)> = BTreeMap::new();
    for e in removed {
        if !removed_nodes.contains(&e.source) {
            deltas.entry(adjacency::key(e.source, Direction::Out, e.label)).or_default().1.insert(e.target);
        }
        if !removed_nodes.contains(&e.target) {
            deltas.entry(adjacency::key(e.target, Direction::In, e.label)).or_default().1.insert(e.source);
        }
    }
    for e in added {
        deltas.entry(adjacency::key(e.source, Direction::Out, e.label)).or_default().0.insert(e.target);
        deltas.entry(adjacency::key(e.target, Direction::In, e.label)).or_default().0.insert(e.source);
    }
    ops.extend(deltas.into_iter().map(|(k, (add, remove))| {
        let remove = remove - &add;
        WriteOp::Merge(cf::ADJ, k.to_vec(), Value::Delta { add, remove }.encode())
    }));
    ops
}

/// Every stored edge, from the out-adjacency: sorted by (source, target, label). Empty sets
/// (all of a key's neighbours removed) hold no edge.
pub(super) fn stored_edges(store: &Store) -> Result<Vec<EdgeRec>> {
    let mut edges = Vec::new();
    store.scan(cf::ADJ, &mut |k, v| {
        let (node, direction, label) = adjacency::decode_key(k)?;
        let set = adjacency::read_set(k, v)?;
        if direction == Direction::Out {
            edges.extend(set.iter().map(|target| EdgeRec { source: node, target, label }));
        }
        Ok(true)
    })?;
    edges.sort_unstable();
    Ok(edges)
}

/// Every non-empty stored neighbour set, by key.
pub(super) fn stored_sets(store: &Store) -> Result<BTreeMap<[u8; adjacency::KEY_LEN], RoaringBitmap>> {
    let mut sets = BTreeMap::new();
    store.scan(cf::ADJ, &mut |k, v| {
        adjacency::decode_key(k)?;
        let set = adjacency::read_set(k, v)?;
        if !set.is_empty() {
            sets.insert(k.try_into().expect("decode_key checked the length"), set);
        }
        Ok(true)
    })?;
    Ok(sets)
}
