//! Dense neighbour bitsets of a view's hubs: "is v a neighbour of this hub?" in one bit test,
//! where a search of the hub's sorted neighbours would take a cache miss per step.

use super::GraphView;
use crate::marks::set_bit;
use crate::model::NodeIndex;

/// Bytes the hub bitsets of one view may take.
pub const HUB_BUDGET_BYTES: usize = 32 << 20;

/// The undirected neighbours of a view's highest-degree nodes, one bitset over its slots each.
#[derive(Debug, Clone, Default)]
pub struct HubBits {
    words: usize,
    /// Per slot: its row in `rows`, or `u32::MAX` for a node that is not a hub.
    row_of: Vec<u32>,
    /// `words` per hub.
    rows: Vec<u64>,
    /// The hubs, in the order of their rows.
    nodes: Vec<NodeIndex>,
}

impl HubBits {
    /// The bitsets of `view`'s nodes of degree ≥ `min_degree`, highest degree first, as many
    /// as fit in [`HUB_BUDGET_BYTES`].
    pub fn new(view: &GraphView, min_degree: usize) -> Self {
        let words = view.slots().div_ceil(64);
        let mut hubs: Vec<NodeIndex> = view.nodes().filter(|&n| view.degree(n) >= min_degree.max(1)).collect();
        hubs.sort_unstable_by_key(|&n| (std::cmp::Reverse(view.degree(n)), n));
        hubs.truncate(HUB_BUDGET_BYTES / (words * 8).max(1));
        let mut row_of = vec![u32::MAX; view.slots()];
        let mut rows = vec![0u64; hubs.len() * words];
        for (row, &n) in hubs.iter().enumerate() {
            row_of[n as usize] = row as u32;
            let bits = &mut rows[row * words..(row + 1) * words];
            for &v in view.neighbours(n) {
                set_bit(bits, v);
            }
        }
        HubBits { words, row_of, rows, nodes: hubs }
    }

    /// The default threshold for `view`: a hub's bitset pays when a merge of its sorted
    /// neighbours would walk longer than a word-by-word pass (degree ≥ slots/64), and a search
    /// of them takes ten steps or more (degree ≥ 1,024).
    pub fn default_min_degree(view: &GraphView) -> usize {
        (view.slots() / 64).max(1024)
    }

    /// Nodes given a bitset.
    pub fn count(&self) -> usize {
        self.nodes.len()
    }

    /// Nodes given a bitset, highest degree first.
    pub fn nodes(&self) -> &[NodeIndex] {
        &self.nodes
    }

    /// The neighbour bitset of `n`, if it is a hub.
    #[inline]
    pub fn of(&self, n: NodeIndex) -> Option<&[u64]> {
        let row = *self.row_of.get(n as usize)?;
        (row != u32::MAX).then(|| &self.rows[row as usize * self.words..(row as usize + 1) * self.words])
    }
}
