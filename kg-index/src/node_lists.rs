//! Keys to lists of nodes, the shape of both the name index and the extraction dictionary: an
//! FST from each distinct key to an ordinal, and the lists of nodes by ordinal.

use fst::MapBuilder;
use kg_core::NodeIndex;

/// The FST value of a key that no node bears (a stop phrase of the extraction dictionary).
pub(crate) const NO_NODES: u64 = u64::MAX;

/// Lists of nodes by ordinal: ordinal i owns `nodes[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone)]
pub(crate) struct NodeLists {
    pub(crate) offsets: Vec<u32>,
    pub(crate) nodes: Vec<NodeIndex>,
}

impl NodeLists {
    /// The nodes of `ordinal`.
    pub(crate) fn get(&self, ordinal: u64) -> &[NodeIndex] {
        let o = ordinal as usize;
        &self.nodes[self.offsets[o] as usize..self.offsets[o + 1] as usize]
    }
}

/// The FST's bytes (built in memory) and the node lists of `pairs`, sorted by key. Each
/// distinct key maps to the ordinal of its nodes' list; a key whose pairs carry no node maps
/// to [`NO_NODES`].
pub(crate) fn build(pairs: &[(String, Option<NodeIndex>)]) -> (Vec<u8>, NodeLists) {
    let mut builder = MapBuilder::memory();
    let mut lists = NodeLists { offsets: vec![0], nodes: Vec::with_capacity(pairs.len()) };
    let mut i = 0;
    while i < pairs.len() {
        let key = &pairs[i].0;
        let start = lists.nodes.len();
        while i < pairs.len() && &pairs[i].0 == key {
            lists.nodes.extend(pairs[i].1);
            i += 1;
        }
        let value = if lists.nodes.len() == start {
            NO_NODES
        } else {
            lists.offsets.push(lists.nodes.len() as u32);
            lists.offsets.len() as u64 - 2
        };
        builder.insert(key, value).expect("keys are inserted sorted and distinct");
    }
    (builder.into_inner().expect("an FST in memory"), lists)
}
