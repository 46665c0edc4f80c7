//! A set of byte ranges already on disk: the checkpoint of a segmented file.

use serde::{Deserialize, Serialize};

/// Sorted, non-overlapping, non-adjacent half-open ranges `[start, end)`.
/// Read from JSON (the store's checkpoint), any list of pairs is made such a
/// set: empty or reversed pairs are dropped, the rest merged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RangeSet {
    ranges: Vec<(u64, u64)>,
}

impl<'de> Deserialize<'de> for RangeSet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let pairs = Vec::<(u64, u64)>::deserialize(deserializer)?;
        let mut set = RangeSet::new();
        for (start, end) in pairs {
            set.insert(start, end);
        }
        Ok(set)
    }
}

impl RangeSet {
    /// The empty set.
    pub fn new() -> Self {
        RangeSet::default()
    }

    /// A set holding `[0, len)` (or nothing for 0).
    pub fn prefix(len: u64) -> Self {
        let mut set = RangeSet::new();
        set.insert(0, len);
        set
    }

    /// Adds `[start, end)`, merging with neighbours.
    pub fn insert(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        // Index of the first range that ends at or after `start`.
        let first = self.ranges.partition_point(|&(_, e)| e < start);
        let mut new = (start, end);
        let mut last = first;
        while last < self.ranges.len() && self.ranges[last].0 <= end {
            new.0 = new.0.min(self.ranges[last].0);
            new.1 = new.1.max(self.ranges[last].1);
            last += 1;
        }
        self.ranges.splice(first..last, [new]);
    }

    /// Bytes covered.
    pub fn covered(&self) -> u64 {
        self.ranges.iter().map(|(s, e)| e - s).sum()
    }

    /// Whether `[0, total)` is covered.
    pub fn is_complete(&self, total: u64) -> bool {
        total == 0 || self.ranges.first().is_some_and(|&(s, e)| s == 0 && e >= total)
    }

    /// The missing ranges within `[0, total)`.
    pub fn gaps(&self, total: u64) -> Vec<(u64, u64)> {
        let mut gaps = Vec::new();
        let mut at = 0;
        for &(s, e) in &self.ranges {
            if s >= total {
                break;
            }
            if s > at {
                gaps.push((at, s));
            }
            at = at.max(e);
        }
        if at < total {
            gaps.push((at, total));
        }
        gaps
    }

    /// The end of the covered prefix starting at 0.
    pub fn prefix_len(&self) -> u64 {
        match self.ranges.first() {
            Some(&(0, e)) => e,
            _ => 0,
        }
    }

    /// The ranges, in order.
    pub fn ranges(&self) -> &[(u64, u64)] {
        &self.ranges
    }

    /// The largest end of any range.
    pub fn max_end(&self) -> u64 {
        self.ranges.last().map_or(0, |&(_, e)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_merge_and_gaps_complement() {
        let mut set = RangeSet::new();
        set.insert(10, 20);
        set.insert(30, 40);
        assert_eq!(set.gaps(50), [(0, 10), (20, 30), (40, 50)]);
        set.insert(20, 30);
        assert_eq!(set.ranges(), [(10, 40)]);
        set.insert(0, 5);
        set.insert(3, 12);
        assert_eq!(set.ranges(), [(0, 40)]);
        assert_eq!(set.covered(), 40);
        assert!(!set.is_complete(50));
        set.insert(35, 60);
        assert!(set.is_complete(50));
        assert!(set.gaps(50).is_empty());
        set.insert(7, 7);
        assert_eq!(set.ranges(), [(0, 60)]);
    }

    /// A checkpoint read from a damaged store: reversed and overlapping pairs
    /// (a reversed pair made `covered` underflow before).
    #[test]
    fn a_damaged_checkpoint_reads_as_a_valid_set() {
        let set: RangeSet = serde_json::from_str("[[10,5],[0,3],[2,8],[20,20]]").expect("read");
        assert_eq!(set.ranges(), [(0, 8)]);
        assert_eq!(set.covered(), 8);
    }

    #[test]
    fn disjoint_inserts_in_any_order() {
        let mut set = RangeSet::new();
        for (s, e) in [(50, 60), (0, 10), (20, 30), (70, 80), (25, 55)] {
            set.insert(s, e);
        }
        assert_eq!(set.ranges(), [(0, 10), (20, 60), (70, 80)]);
        assert_eq!(set.prefix_len(), 10);
    }

    /// Any inserts give what a byte map gives: the same bytes covered, the
    /// same gaps; the ranges sorted, apart, non-empty; and the JSON the store
    /// keeps reads back the same. Any pairs read from disk make a valid set.
    #[test]
    fn inserts_agree_with_a_byte_map_and_survive_the_store() {
        use proptest::prelude::*;
        let inserts = proptest::collection::vec((0u64..200, 0u64..200), 0..30);
        crate::props::check(inserts, |pairs| {
            let mut set = RangeSet::new();
            let mut map = [false; 200];
            for &(start, end) in &pairs {
                set.insert(start, end);
                for byte in start..end.min(200) {
                    map[byte as usize] = true;
                }
            }
            prop_assert_eq!(set.covered(), map.iter().filter(|b| **b).count() as u64);
            for pair in set.ranges().windows(2) {
                prop_assert!(pair[0].1 < pair[1].0, "{:?}", set.ranges());
            }
            prop_assert!(set.ranges().iter().all(|(s, e)| s < e));
            let gaps: u64 = set.gaps(200).iter().map(|(s, e)| e - s).sum();
            prop_assert_eq!(gaps + set.covered(), 200);
            let json = serde_json::to_string(&set).expect("json");
            prop_assert_eq!(serde_json::from_str::<RangeSet>(&json).expect("read back"), set);
            Ok(())
        });
        let any_pairs = proptest::collection::vec((any::<u64>(), any::<u64>()), 0..20);
        crate::props::check(any_pairs, |pairs| {
            let json = serde_json::to_string(&pairs).expect("json");
            let set: RangeSet = serde_json::from_str(&json).expect("any pairs read");
            prop_assert!(set.ranges().iter().all(|(s, e)| s < e));
            for pair in set.ranges().windows(2) {
                prop_assert!(pair[0].1 < pair[1].0);
            }
            let _ = (set.covered(), set.prefix_len(), set.gaps(u64::MAX));
            Ok(())
        });
    }
}
