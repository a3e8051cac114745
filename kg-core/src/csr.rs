//! Compressed sparse rows: kgcore's one adjacency layout. Row `r`'s entries are
//! `targets[offsets[r]..offsets[r + 1]]`. The view's three adjacencies, MedReason's name
//! graph and the shortest-path DAG are all this type; its arrays may be owned or windows into
//! a memory-mapped file.

use crate::model::NodeIndex;
use crate::slab::Slab;

/// Rows of node indices, packed.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    offsets: Slab<u64>,
    targets: Slab<NodeIndex>,
}

impl Csr {
    /// `rows` rows from entries grouped by row in ascending row order: `row_of` yields the row
    /// of each entry of `targets`, in the same order.
    pub fn from_grouped(rows: usize, row_of: impl IntoIterator<Item = NodeIndex>, targets: Vec<NodeIndex>) -> Self {
        let mut offsets = vec![0u64; rows + 1];
        for r in row_of {
            offsets[r as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        debug_assert_eq!(offsets[rows] as usize, targets.len());
        Csr { offsets: offsets.into(), targets: targets.into() }
    }

    /// From its two arrays, as [`Csr::offsets`] and [`Csr::targets`] give them. Check
    /// untrusted arrays with [`Csr::is_consistent`] before use.
    pub fn from_parts(offsets: impl Into<Slab<u64>>, targets: impl Into<Slab<NodeIndex>>) -> Self {
        Csr { offsets: offsets.into(), targets: targets.into() }
    }

    /// Positions of row `r`'s entries in [`Csr::targets`]; empty past the last row.
    #[inline]
    pub fn range(&self, r: NodeIndex) -> std::ops::Range<usize> {
        let i = r as usize;
        if i + 1 >= self.offsets.len() {
            return 0..0;
        }
        self.offsets[i] as usize..self.offsets[i + 1] as usize
    }

    /// Row `r`'s entries.
    #[inline]
    pub fn row(&self, r: NodeIndex) -> &[NodeIndex] {
        &self.targets[self.range(r)]
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The number of entries in all rows.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// True without entries.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// `rows + 1` offsets, starting at 0, ending at the entry count.
    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    /// Every row's entries, row after row.
    pub fn targets(&self) -> &[NodeIndex] {
        &self.targets
    }

    /// True if this is `rows` well-formed rows: offsets from 0 to the entry count, never
    /// decreasing, and every entry below `bound`.
    pub fn is_consistent(&self, rows: usize, bound: usize) -> bool {
        let o = &self.offsets;
        o.len() == rows + 1
            && o.first() == Some(&0)
            && o.windows(2).all(|w| w[0] <= w[1])
            && o[rows] as usize == self.targets.len()
            && self.targets.iter().all(|&t| (t as usize) < bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_entries_become_rows() {
        // Rows 0..4: row 0 -> [1, 2], row 1 empty, row 2 -> [0], row 3 empty.
        let csr = Csr::from_grouped(4, [0, 0, 2], vec![1, 2, 0]);
        assert_eq!((csr.row(0), csr.row(1), csr.row(2), csr.row(3)), (&[1, 2][..], &[][..], &[0][..], &[][..]));
        assert_eq!(csr.row(9), &[] as &[NodeIndex], "past the last row: empty");
        assert_eq!((csr.rows(), csr.len()), (4, 3));
        assert!(csr.is_consistent(4, 3));
        assert!(!csr.is_consistent(4, 2), "an entry out of bounds");
        assert!(!Csr::from_parts(vec![0u64, 2, 1, 3, 3], vec![1, 2, 0]).is_consistent(4, 3), "decreasing offsets");
    }
}
