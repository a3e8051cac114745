//! The roaring node sets the store keeps: nodes per type and per relation.

use super::*;

impl Database {

    /// Nodes of a type, from the stored roaring bitmap.
    pub fn nodes_of_type(&self, node_type: &str) -> Result<RoaringBitmap> {
        let view = self.view();
        let id = view
            .vocab()
            .node_types
            .get(node_type)
            .ok_or_else(|| Error::NotFound { kind: "node type", name: node_type.to_owned() })?;
        read_set(&self.store, keys::SET_NODE_TYPE, id)
    }

    /// Nodes incident to an edge of a relation, from the stored roaring bitmap.
    pub fn nodes_of_relation(&self, relation: &str) -> Result<RoaringBitmap> {
        let view = self.view();
        let id = view
            .vocab()
            .relations
            .get(relation)
            .ok_or_else(|| Error::NotFound { kind: "relation", name: relation.to_owned() })?;
        read_set(&self.store, keys::SET_RELATION, id)
    }
}

/// The roaring node sets of a view: per node type and per relation. Empty sets are deleted.
pub(super) fn set_ops(view: &GraphView) -> Vec<WriteOp> {
    let vocab = view.vocab();
    let mut types = vec![RoaringBitmap::new(); vocab.node_types.len()];
    for n in view.nodes() {
        types[view.type_id(n) as usize].insert(n);
    }
    let mut relations = vec![RoaringBitmap::new(); vocab.relations.len()];
    for e in view.edges() {
        let r = vocab.labels[e.label as usize].0 as usize;
        relations[r].insert(e.source);
        relations[r].insert(e.target);
    }
    let mut ops = Vec::new();
    for (i, b) in types.iter().enumerate() {
        ops.push(set_op(keys::SET_NODE_TYPE, i as u16, b));
    }
    for (i, b) in relations.iter().enumerate() {
        ops.push(set_op(keys::SET_RELATION, i as u16, b));
    }
    ops
}

/// The write of one stored set: its serialised bitmap, or a delete when it is empty.
pub(super) fn set_op(tag: u8, id: u16, b: &RoaringBitmap) -> WriteOp {
    let value = (!b.is_empty()).then(|| {
        let mut out = Vec::with_capacity(b.serialized_size());
        b.serialize_into(&mut out).expect("writing to a Vec cannot fail");
        out
    });
    WriteOp::put_or_delete(cf::SETS, keys::set_key(tag, id).to_vec(), value)
}

pub(super) fn read_set(store: &Store, tag: u8, id: u16) -> Result<RoaringBitmap> {
    match store.get(cf::SETS, &keys::set_key(tag, id))? {
        Some(bytes) => RoaringBitmap::deserialize_from(&bytes[..])
            .map_err(|e| Error::corruption(format!("set {tag}/{id}"), e.to_string())),
        None => Ok(RoaringBitmap::new()),
    }
}

