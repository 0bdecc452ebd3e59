//! Vector clocks (protocol.md §4.1, §4.4, §6.6, §6.10).
//!
//! A clock maps a node id (the canonical `node_wallet` of the writing node: `0x` + 40 lowercase
//! hex, protocol.md §2.6/§6.10) to the number of writes that node made to the key. Absent entries
//! count as 0, so an explicit `0` entry is equal to its absence in [`VectorClock::compare`].

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A vector clock: node id -> counter (protocol.md §4.1 `version`).
///
/// Serializes as a plain JSON object (`{"0x…": 3}`), which is also its wire form (§6.4).
/// Explicit zero entries are preserved as given (they matter for [`PartialEq`] but not for
/// [`VectorClock::compare`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorClock(pub BTreeMap<String, u64>);

/// Result of [`VectorClock::compare`]`(self, other)` (protocol.md §6.6 table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockOrdering {
    /// `self` happened before `other`: `self <= other` everywhere and `<` somewhere
    /// (upstream `HappenedBefore`).
    Before,
    /// `self` happened after `other`: `self >= other` everywhere and `>` somewhere
    /// (upstream `HappenedAfter`).
    After,
    /// Every entry equal (absent = 0).
    Equal,
    /// Neither dominates.
    Concurrent,
}

impl VectorClock {
    /// An empty clock (every node at 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// The counter of `node` (0 if absent).
    pub fn get(&self, node: &str) -> u64 {
        self.0.get(node).copied().unwrap_or(0)
    }

    /// Number of entries stored (including explicit zeros).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no entry is stored.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Increment the entry of `node` by one (absent = 0), as a local PUT/DELETE does
    /// (protocol.md §4.4).
    ///
    /// Saturating: a counter already at `u64::MAX` stays there (upstream would overflow). Such a
    /// counter cannot be reached by real writes; it can only arrive from a hostile or broken peer.
    pub fn increment(&mut self, node: &str) {
        let entry = self.0.entry(node.to_string()).or_insert(0);
        *entry = entry.saturating_add(1);
    }

    /// Compare `self` with `other` over the union of node ids, absent entries = 0
    /// (protocol.md §6.6). `merge` calls `existing.compare(&incoming)`.
    pub fn compare(&self, other: &VectorClock) -> ClockOrdering {
        let mut less = false;
        let mut greater = false;
        let mut visit = |a: u64, b: u64| match a.cmp(&b) {
            Ordering::Less => less = true,
            Ordering::Greater => greater = true,
            Ordering::Equal => {}
        };
        for (node, &a) in &self.0 {
            visit(a, other.get(node));
        }
        for (node, &b) in &other.0 {
            if !self.0.contains_key(node) {
                visit(0, b);
            }
        }
        match (less, greater) {
            (false, false) => ClockOrdering::Equal,
            (true, false) => ClockOrdering::Before,
            (false, true) => ClockOrdering::After,
            (true, true) => ClockOrdering::Concurrent,
        }
    }

    /// Pointwise maximum of both clocks over the union of node ids (protocol.md §6.6, the clock
    /// stored with the winner of a concurrent conflict). Every node id of either clock appears in
    /// the result, including explicit zeros, as upstream does.
    pub fn merge_max(&self, other: &VectorClock) -> VectorClock {
        let mut out = self.0.clone();
        for (node, &b) in &other.0 {
            let e = out.entry(node.clone()).or_insert(0);
            if b > *e {
                *e = b;
            }
        }
        VectorClock(out)
    }
}

impl<const N: usize> From<[(&str, u64); N]> for VectorClock {
    /// Build a clock from `(node, counter)` pairs (tests and fixtures).
    fn from(entries: [(&str, u64); N]) -> Self {
        VectorClock(entries.iter().map(|(k, v)| (k.to_string(), *v)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increment_from_absent_and_saturates() {
        let mut c = VectorClock::new();
        c.increment("a");
        c.increment("a");
        assert_eq!(c.get("a"), 2);
        assert_eq!(c.get("b"), 0);
        let mut m = VectorClock::from([("a", u64::MAX)]);
        m.increment("a");
        assert_eq!(m.get("a"), u64::MAX);
    }

    #[test]
    fn compare_cases() {
        let a1 = VectorClock::from([("a", 1)]);
        let a2 = VectorClock::from([("a", 2)]);
        let b1 = VectorClock::from([("b", 1)]);
        assert_eq!(a1.compare(&a2), ClockOrdering::Before);
        assert_eq!(a2.compare(&a1), ClockOrdering::After);
        assert_eq!(a1.compare(&a1.clone()), ClockOrdering::Equal);
        assert_eq!(a1.compare(&b1), ClockOrdering::Concurrent);
        assert_eq!(VectorClock::new().compare(&a1), ClockOrdering::Before);
    }

    #[test]
    fn explicit_zero_equals_absence() {
        let with_zero = VectorClock::from([("a", 1), ("b", 0)]);
        let without = VectorClock::from([("a", 1)]);
        assert_eq!(with_zero.compare(&without), ClockOrdering::Equal);
        assert_eq!(without.compare(&with_zero), ClockOrdering::Equal);
        assert_eq!(
            VectorClock::from([("z", 0)]).compare(&VectorClock::new()),
            ClockOrdering::Equal
        );
    }

    #[test]
    fn merge_max_is_pointwise() {
        let x = VectorClock::from([("a", 3), ("b", 1), ("z", 0)]);
        let y = VectorClock::from([("a", 1), ("b", 4), ("c", 2)]);
        let m = x.merge_max(&y);
        assert_eq!(
            m,
            VectorClock::from([("a", 3), ("b", 4), ("c", 2), ("z", 0)])
        );
        assert_eq!(m, y.merge_max(&x));
        assert_eq!(x.compare(&m), ClockOrdering::Before);
        assert_eq!(y.compare(&m), ClockOrdering::Before);
    }
}
