//! `EpochMarks`: a set of small integers emptied in O(1), for searches that run again and
//! again over the same graph (BFS, the HNSW walk). A member's stamp equals the current epoch;
//! emptying the set is moving to the next epoch.

use crate::model::NodeIndex;

/// True if bit `i` of `words` is set (false past the end): a dense bitset over node slots.
#[inline]
pub fn has_bit(words: &[u64], i: NodeIndex) -> bool {
    words.get(i as usize / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

/// Sets bit `i` of `words` (nothing past the end).
#[inline]
pub fn set_bit(words: &mut [u64], i: NodeIndex) {
    if let Some(w) = words.get_mut(i as usize / 64) {
        *w |= 1 << (i % 64);
    }
}

/// A reusable set over `0..n`.
#[derive(Debug, Default, Clone)]
pub struct EpochMarks {
    stamp: Vec<u32>,
    epoch: u32,
}

impl EpochMarks {
    /// Empties the set and makes room for members below `n`.
    pub fn begin(&mut self, n: usize) {
        if self.stamp.len() < n {
            self.stamp.resize(n, 0);
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // Once every 2^32 uses: stamps of the old epochs could read as current.
            self.stamp.fill(0);
            self.epoch = 1;
        }
    }

    /// Adds `i`; true if it was not a member yet.
    #[inline]
    pub fn insert(&mut self, i: u32) -> bool {
        let s = &mut self.stamp[i as usize];
        let fresh = *s != self.epoch;
        *s = self.epoch;
        fresh
    }

    /// True if `i` was added since the last [`EpochMarks::begin`].
    #[inline]
    pub fn contains(&self, i: u32) -> bool {
        self.stamp[i as usize] == self.epoch
    }

    /// The size `begin` made room for (members must lie below it).
    pub fn capacity(&self) -> usize {
        self.stamp.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn begin_empties_the_set_even_across_the_epoch_wrap() {
        let mut m = EpochMarks::default();
        m.begin(4);
        assert!(m.insert(2) && !m.insert(2) && m.contains(2) && !m.contains(1));
        m.begin(4);
        assert!(!m.contains(2), "a new epoch starts empty");
        m.epoch = u32::MAX;
        m.insert(3);
        m.begin(4);
        assert!((0..4).all(|i| !m.contains(i)), "after the wrap no old stamp reads as a member");
        assert_eq!(m.epoch, 1);
    }
}
