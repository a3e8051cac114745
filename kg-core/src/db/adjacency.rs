//! The adjacency writes: whole neighbour sets for a whole graph (import, migration, `check`),
//! and merge deltas for a batch, which never read a stored set back.

use super::*;
use crate::adjacency::{self, Direction, Value};

/// Every (node, direction, label) neighbour set of `view`, in key order: what a migration and
/// `check` compare with.
pub(super) fn view_adjacency(view: &GraphView) -> Vec<([u8; adjacency::KEY_LEN], RoaringBitmap)> {
    view_sets(view, |key, set| (key, set))
}

/// The stored (key, value) of each neighbour set of `view`, in key order: what a bulk load
/// writes.
#[cfg(feature = "rocksdb")]
pub(super) fn adjacency_entries(view: &GraphView) -> Vec<(Vec<u8>, Vec<u8>)> {
    view_sets(view, |key, set| (key.to_vec(), Value::Set(set).encode()))
}

/// `each` of every neighbour set of `view`, in key order. Built per node from the view's
/// sorted adjacency, on all cores.
fn view_sets<T: Send>(view: &GraphView, each: impl Fn([u8; adjacency::KEY_LEN], RoaringBitmap) -> T + Sync) -> Vec<T> {
    use rayon::prelude::*;
    (0..view.slots() as NodeIndex)
        .into_par_iter()
        .with_min_len(1024)
        .flat_map_iter(|n| {
            let mut out = Vec::new();
            for (direction, (ns, ls)) in [(Direction::Out, view.out_edges(n)), (Direction::In, view.in_edges(n))] {
                // Sorted by label then neighbour, once: a hub has many labels.
                let mut by_label: Vec<(LabelId, NodeIndex)> = ls.iter().copied().zip(ns.iter().copied()).collect();
                by_label.sort_unstable();
                for run in by_label.chunk_by(|a, b| a.0 == b.0) {
                    // Neighbours are distinct under one label.
                    let set = RoaringBitmap::from_sorted_iter(run.iter().map(|&(_, v)| v))
                        .expect("a view's neighbours under one label are sorted and distinct");
                    out.push(each(adjacency::key(n, direction, run[0].0), set));
                }
            }
            out
        })
        .collect()
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

/// Every non-empty stored neighbour set, in key order.
pub(super) fn stored_sets(store: &Store) -> Result<Vec<([u8; adjacency::KEY_LEN], RoaringBitmap)>> {
    let mut sets = Vec::new();
    store.scan(cf::ADJ, &mut |k, v| {
        adjacency::decode_key(k)?;
        let set = adjacency::read_set(k, v)?;
        if !set.is_empty() {
            sets.push((k.try_into().expect("decode_key checked the length"), set));
        }
        Ok(true)
    })?;
    Ok(sets)
}
