//! On-disk key and value encoding.
//!
//! Keys are hand-encoded big-endian integers so that the store's byte order is numeric order.
//! Edges are stored as adjacency: per (node, direction, label), the neighbours as a roaring
//! bitmap ([`crate::adjacency`]). A label is an interned (relation, display relation) pair, kept
//! in the vocabulary (meta `vocab`), which only ever grows. Node values are postcard; enum
//! variant tags double as versions.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{LabelId, NodeIndex, TermId};

/// Column families, one per access path.
pub mod cf {
    /// `storage_version`, `generation`, `vocab`, `complete`.
    pub const META: &str = "meta";
    /// node index → [`super::NodeValue`].
    pub const NODES: &str = "nodes";
    /// (node, direction, label) → the neighbours, a roaring bitmap ([`crate::adjacency`]).
    pub const ADJ: &str = "adj";
    /// (kind tag, term id) → roaring bitmap of node indices.
    pub const SETS: &str = "sets";
    /// Every column family, in the order they are opened.
    pub const ALL: [&str; 4] = [META, NODES, ADJ, SETS];
    /// Storage version 1: (source, target, label) → nothing, one key per stored edge.
    pub const V1_OUT: &str = "out";
    /// Storage version 1: (target, source, label) → nothing, the reverse access path.
    pub const V1_IN: &str = "in";
}

/// Keys of the `meta` column family.
pub mod meta {
    /// The storage layout's version (u32, big-endian).
    pub const STORAGE_VERSION: &[u8] = b"storage_version";
    /// The count of committed update batches (u64, big-endian).
    pub const GENERATION: &[u8] = b"generation";
    /// The vocabulary, postcard-encoded.
    pub const VOCAB: &[u8] = b"vocab";
    /// The database's id (u128, big-endian), written when it is created; every side file
    /// carries it (see [`crate::side_file`]).
    pub const DATABASE_ID: &[u8] = b"database_id";
    /// Other names of nodes (an importer's synonyms), postcard `Vec<(node, name)>`; absent
    /// when there are none. Name search and extraction find a node by them too.
    pub const SYNONYMS: &[u8] = b"synonyms";
    /// Written last by an import: a database without it was never finished.
    pub const COMPLETE: &[u8] = b"complete";
}

/// Tags of the `sets` column family.
pub const SET_NODE_TYPE: u8 = 1;
/// Tag of a relation's node set (nodes incident to an edge of it).
pub const SET_RELATION: u8 = 2;

/// Bytes of a `nodes` key.
pub const NODE_KEY_LEN: usize = 4;
/// Bytes of a storage-version-1 edge key.
pub const EDGE_KEY_LEN: usize = 10;

/// The `nodes` key of a node: its index, big-endian.
pub fn node_key(index: NodeIndex) -> [u8; NODE_KEY_LEN] {
    index.to_be_bytes()
}

/// The node index of a `nodes` key; an error for a key of another length.
pub fn decode_node_key(key: &[u8]) -> Result<NodeIndex> {
    let bytes: [u8; 4] = key
        .try_into()
        .map_err(|_| Error::corruption("nodes key", format!("expected 4 bytes, found {}", key.len())))?;
    Ok(u32::from_be_bytes(bytes))
}

/// The (first, second, label) of a storage-version-1 `out` or `in` key (an edge under its first
/// endpoint, read by the migration); an error for a key of another length.
pub fn decode_edge_key(key: &[u8]) -> Result<(NodeIndex, NodeIndex, LabelId)> {
    if key.len() != EDGE_KEY_LEN {
        return Err(Error::corruption(
            "edge key",
            format!("expected {EDGE_KEY_LEN} bytes, found {}", key.len()),
        ));
    }
    let first = u32::from_be_bytes(key[0..4].try_into().expect("length checked"));
    let second = u32::from_be_bytes(key[4..8].try_into().expect("length checked"));
    let rel = u16::from_be_bytes(key[8..10].try_into().expect("length checked"));
    Ok((first, second, rel))
}

/// The `sets` key of a set: its tag, then the term id big-endian.
pub fn set_key(tag: u8, id: TermId) -> [u8; 3] {
    let b = id.to_be_bytes();
    [tag, b[0], b[1]]
}

/// A stored node. The variant is the value's format version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeValue {
    /// Format version 1.
    V1 {
        /// The source identifier.
        id: String,
        /// The node type, interned.
        node_type: TermId,
        /// The name.
        name: String,
        /// The source, interned.
        source: TermId,
    },
}

impl NodeValue {
    /// The stored bytes.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("node value serialises")
    }

    /// Decodes the stored bytes of node `index`; an error naming the node if they are damaged.
    pub fn decode(bytes: &[u8], index: NodeIndex) -> Result<Self> {
        postcard::from_bytes(bytes)
            .map_err(|e| Error::corruption(format!("node {index}"), format!("value does not decode: {e}")))
    }
}

/// A big-endian u64 meta value; an error naming `what` otherwise.
pub fn decode_u64(bytes: &[u8], what: &str) -> Result<u64> {
    let b: [u8; 8] = bytes
        .try_into()
        .map_err(|_| Error::corruption(what, format!("expected 8 bytes, found {}", bytes.len())))?;
    Ok(u64::from_be_bytes(b))
}

/// A big-endian u128 meta value; an error naming `what` otherwise.
pub fn decode_u128(bytes: &[u8], what: &str) -> Result<u128> {
    let b: [u8; 16] = bytes
        .try_into()
        .map_err(|_| Error::corruption(what, format!("expected 16 bytes, found {}", bytes.len())))?;
    Ok(u128::from_be_bytes(b))
}

/// A big-endian u32 meta value; an error naming `what` otherwise.
pub fn decode_u32(bytes: &[u8], what: &str) -> Result<u32> {
    let b: [u8; 4] = bytes
        .try_into()
        .map_err(|_| Error::corruption(what, format!("expected 4 bytes, found {}", bytes.len())))?;
    Ok(u32::from_be_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1_edge_keys_decode() {
        let a = [0, 0, 0, 1, 0, 0, 1, 44, 0, 2];
        assert_eq!(decode_edge_key(&a).unwrap(), (1, 300, 2));
        assert!(decode_edge_key(&a[..9]).is_err());
    }

    #[test]
    fn node_value_rejects_garbage() {
        let v = NodeValue::V1 { id: "DB1".into(), node_type: 3, name: "x".into(), source: 0 };
        assert_eq!(NodeValue::decode(&v.encode(), 7).unwrap(), v);
        let err = NodeValue::decode(&[9, 9, 9], 7).unwrap_err().to_string();
        assert!(err.contains("node 7"), "{err}");
    }
}
