//! Stored adjacency: one value per (node, direction, label) holding the neighbours as a roaring
//! bitmap, and the merge that updates it without reading it.
//!
//! A value's first byte says what it is:
//! - [`SET`]: the neighbours, a serialised roaring bitmap. What a read returns.
//! - [`DELTA`]: a merge operand: neighbours to add and to remove (disjoint). Deltas fold into
//!   one another and into a set, associatively, so RocksDB can combine them at compaction and an
//!   update batch writes only deltas, never reading a hub's bitmap back.
//! - [`POISON`]: what a merge produces from bytes that do not decode, carrying the reason. A
//!   merge cannot fail without RocksDB hiding which key failed; a poisoned value is read back
//!   as a corruption error naming the key.

use roaring::RoaringBitmap;

use crate::error::{Error, Result};
use crate::model::{LabelId, NodeIndex};

/// Tag of a neighbour set.
pub const SET: u8 = 1;
/// Tag of a merge operand.
pub const DELTA: u8 = 2;
/// Tag of a value a merge could not compute.
pub const POISON: u8 = 0xEE;

/// The direction of a stored adjacency: the edges leaving the node, or entering it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Edges from the node: the bitmap holds their targets.
    Out = 0,
    /// Edges into the node: the bitmap holds their sources.
    In = 1,
}

/// Bytes of an adjacency key.
pub const KEY_LEN: usize = 7;

/// The key of a node's neighbours in one direction under one label: node (big-endian), direction,
/// label (big-endian), so that a scan visits a node's out-adjacency, label by label, then its in-adjacency.
pub fn key(node: NodeIndex, direction: Direction, label: LabelId) -> [u8; KEY_LEN] {
    let mut k = [0u8; KEY_LEN];
    k[0..4].copy_from_slice(&node.to_be_bytes());
    k[4] = direction as u8;
    k[5..7].copy_from_slice(&label.to_be_bytes());
    k
}

/// The (node, direction, label) of an adjacency key; an error for any other bytes.
pub fn decode_key(key: &[u8]) -> Result<(NodeIndex, Direction, LabelId)> {
    let bad = |m: String| Error::corruption("adjacency key", m);
    if key.len() != KEY_LEN {
        return Err(bad(format!("expected {KEY_LEN} bytes, found {}", key.len())));
    }
    let node = u32::from_be_bytes(key[0..4].try_into().expect("length checked"));
    let direction = match key[4] {
        0 => Direction::Out,
        1 => Direction::In,
        d => return Err(bad(format!("direction byte {d} is neither 0 nor 1"))),
    };
    Ok((node, direction, u16::from_be_bytes(key[5..7].try_into().expect("length checked"))))
}

/// A decoded adjacency value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The neighbours.
    Set(RoaringBitmap),
    /// Neighbours to add and to remove; disjoint.
    Delta {
        /// Added.
        add: RoaringBitmap,
        /// Removed.
        remove: RoaringBitmap,
    },
    /// A merge met bytes that did not decode; the reason.
    Poison(String),
}

fn write_bitmap(out: &mut Vec<u8>, b: &RoaringBitmap) {
    b.serialize_into(out).expect("writing to a Vec cannot fail");
}

fn read_bitmap(bytes: &[u8]) -> std::result::Result<RoaringBitmap, String> {
    RoaringBitmap::deserialize_from(bytes).map_err(|e| format!("bitmap does not decode: {e}"))
}

impl Value {
    /// The stored bytes.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Value::Set(b) => {
                let mut out = Vec::with_capacity(1 + b.serialized_size());
                out.push(SET);
                write_bitmap(&mut out, b);
                out
            }
            Value::Delta { add, remove } => {
                let mut out = Vec::with_capacity(5 + add.serialized_size() + remove.serialized_size());
                out.push(DELTA);
                out.extend_from_slice(&(add.serialized_size() as u32).to_le_bytes());
                write_bitmap(&mut out, add);
                write_bitmap(&mut out, remove);
                out
            }
            Value::Poison(reason) => {
                let mut out = vec![POISON];
                out.extend_from_slice(reason.as_bytes());
                out
            }
        }
    }

    /// Decodes stored bytes; the reason they do not decode otherwise.
    pub fn decode(bytes: &[u8]) -> std::result::Result<Value, String> {
        match bytes.split_first() {
            Some((&SET, rest)) => read_bitmap(rest).map(Value::Set),
            Some((&DELTA, rest)) => {
                let Some((len, rest)) = rest.split_first_chunk::<4>() else {
                    return Err("delta is shorter than its length prefix".into());
                };
                let len = u32::from_le_bytes(*len) as usize;
                if len > rest.len() {
                    return Err(format!("delta's first bitmap claims {len} bytes of {}", rest.len()));
                }
                let (add, remove) = (read_bitmap(&rest[..len])?, read_bitmap(&rest[len..])?);
                if !add.is_disjoint(&remove) {
                    return Err("delta adds and removes the same neighbour".into());
                }
                Ok(Value::Delta { add, remove })
            }
            Some((&POISON, rest)) => Ok(Value::Poison(String::from_utf8_lossy(rest).into_owned())),
            Some((tag, _)) => Err(format!("unknown value tag {tag}")),
            None => Err("empty value".into()),
        }
    }

    /// This value followed by `next`: what applying both in order gives. Associative.
    pub fn then(self, next: Value) -> Value {
        match (self, next) {
            (Value::Poison(p), _) | (_, Value::Poison(p)) => Value::Poison(p),
            (_, Value::Set(s)) => Value::Set(s),
            (Value::Set(mut s), Value::Delta { add, remove }) => {
                s -= remove;
                s |= add;
                Value::Set(s)
            }
            (Value::Delta { add: a1, remove: r1 }, Value::Delta { add: a2, remove: r2 }) => {
                let add = (a1 - &r2) | &a2;
                let remove = (r1 - &a2) | r2;
                Value::Delta { add, remove }
            }
        }
    }
}

/// Folds `operands` (stored bytes, oldest first) onto `existing`; with `full`, the result is a
/// set (a missing value is the empty set), otherwise the operands' combined delta. Bytes that do
/// not decode give a poisoned value naming which operand failed.
pub fn merge(existing: Option<&[u8]>, operands: &mut dyn Iterator<Item = &[u8]>, full: bool) -> Vec<u8> {
    let decode = |bytes: &[u8], what: &str| Value::decode(bytes).unwrap_or_else(|e| Value::Poison(format!("{what}: {e}")));
    let mut acc = match existing {
        Some(bytes) => Some(decode(bytes, "stored value")),
        None if full => Some(Value::Set(RoaringBitmap::new())),
        None => None,
    };
    for (i, bytes) in operands.enumerate() {
        let v = decode(bytes, &format!("merge operand {i}"));
        acc = Some(match acc {
            Some(a) => a.then(v),
            None => v,
        });
    }
    acc.unwrap_or(Value::Delta { add: RoaringBitmap::new(), remove: RoaringBitmap::new() }).encode()
}

/// The neighbours a read value holds; a corruption error naming the key for a poisoned or
/// undecodable value, or an unmerged delta.
pub fn read_set(key: &[u8], bytes: &[u8]) -> Result<RoaringBitmap> {
    let what = || match decode_key(key) {
        Ok((node, direction, label)) => format!("adjacency of node {node} ({direction:?}, label {label})"),
        Err(_) => format!("adjacency key {key:02x?}"),
    };
    match Value::decode(bytes) {
        Ok(Value::Set(s)) => Ok(s),
        Ok(Value::Delta { .. }) => Err(Error::corruption(what(), "holds an unmerged delta")),
        Ok(Value::Poison(reason)) => Err(Error::corruption(what(), reason)),
        Err(reason) => Err(Error::corruption(what(), reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bm(v: &[u32]) -> RoaringBitmap {
        v.iter().copied().collect()
    }

    fn delta(add: &[u32], remove: &[u32]) -> Value {
        Value::Delta { add: bm(add), remove: bm(remove) }
    }

    #[test]
    fn keys_sort_by_node_then_direction_then_label_and_round_trip() {
        assert!(key(1, Direction::In, 0) < key(2, Direction::Out, 0));
        assert!(key(1, Direction::Out, 9) < key(1, Direction::In, 0));
        assert_eq!(decode_key(&key(7, Direction::In, 300)).unwrap(), (7, Direction::In, 300));
        assert!(decode_key(&[0, 0, 0, 1, 2, 0, 0]).is_err());
        assert!(decode_key(&[0; 6]).is_err());
    }

    #[test]
    fn deltas_fold_associatively_and_in_order() {
        let ops = [delta(&[1, 2], &[]), delta(&[3], &[1]), delta(&[1], &[2, 9]), delta(&[], &[3])];
        let base = Value::Set(bm(&[9, 10]));
        let step = ops.iter().cloned().fold(base.clone(), Value::then);
        assert_eq!(step, Value::Set(bm(&[1, 10])));
        // Combining operands first (a partial merge) gives the same.
        let combined = ops[1..].iter().cloned().fold(ops[0].clone(), Value::then);
        assert_eq!(base.then(combined), Value::Set(bm(&[1, 10])));
    }

    #[test]
    fn merge_decodes_folds_and_poisons_bad_bytes_without_panicking() {
        let ops = [delta(&[5], &[]).encode(), delta(&[6], &[5]).encode()];
        let out = merge(None, &mut ops.iter().map(|o| &o[..]), true);
        assert_eq!(read_set(&key(1, Direction::Out, 0), &out).unwrap(), bm(&[6]));
        let partial = merge(None, &mut ops.iter().map(|o| &o[..]), false);
        assert_eq!(Value::decode(&partial).unwrap(), delta(&[6], &[5]));

        let bad = [delta(&[5], &[]).encode(), vec![DELTA, 200, 0, 0, 0, 1]];
        let out = merge(Some(&Value::Set(bm(&[1])).encode()), &mut bad.iter().map(|o| &o[..]), true);
        let err = read_set(&key(42, Direction::In, 3), &out).unwrap_err().to_string();
        assert!(err.contains("node 42") && err.contains("merge operand 1"), "{err}");
        // Poison stays poison through later merges.
        let later = merge(Some(&out), &mut [delta(&[1], &[]).encode()].iter().map(|o| &o[..]), true);
        assert!(read_set(&key(42, Direction::In, 3), &later).is_err());
        for garbage in [&[][..], &[SET, 1, 2], &[7], &[DELTA, 1]] {
            assert!(Value::decode(garbage).is_err());
        }
    }
}
