//! Sorted node lists met with each other.

use kg_core::NodeIndex;

/// Calls `f` with each element of sorted `small` that sorted `large` holds, in order, until
/// `f` returns false. A galloping merge: its reads move forward through `large`, where a
/// binary search per element jumps around it with a cache miss a step.
pub fn each_common(small: &[NodeIndex], large: &[NodeIndex], mut f: impl FnMut(NodeIndex) -> bool) {
    let mut lo = 0;
    for &u in small {
        if lo >= large.len() {
            return;
        }
        // Gallop: large[lo + bound / 2] < u (or bound == 1), and u's place is below lo + bound + 1.
        let mut bound = 1;
        while lo + bound < large.len() && large[lo + bound] < u {
            bound *= 2;
        }
        let start = lo + bound / 2;
        let end = (lo + bound + 1).min(large.len());
        let i = start + large[start..end].partition_point(|&x| x < u);
        if i < large.len() && large[i] == u {
            if !f(u) {
                return;
            }
            lo = i + 1;
        } else {
            lo = i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The galloping merge finds exactly the common elements, in order, and stops when told.
        #[test]
        fn each_common_is_the_intersection(mut small in proptest::collection::vec(0u32..300, 0..40), mut large in proptest::collection::vec(0u32..300, 0..400), stop_after in 0usize..5) {
            small.sort_unstable();
            small.dedup();
            large.sort_unstable();
            large.dedup();
            let want: Vec<u32> = small.iter().copied().filter(|u| large.binary_search(u).is_ok()).collect();
            let mut got = Vec::new();
            each_common(&small, &large, |u| {
                got.push(u);
                true
            });
            proptest::prop_assert_eq!(&got, &want);
            let mut first = Vec::new();
            each_common(&small, &large, |u| {
                first.push(u);
                first.len() <= stop_after
            });
            proptest::prop_assert_eq!(&first[..], &want[..want.len().min(stop_after + 1)]);
        }
    }
}
