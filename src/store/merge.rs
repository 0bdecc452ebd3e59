//! Merge rule and inbound validation for replicated records (protocol.md §6.5, §6.6).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Serialize;

use super::record::Record;
use super::vclock::ClockOrdering;

/// Slack allowed on top of `max_kv_value_size_bytes` for inbound ciphertexts
/// (protocol.md §6.5 step 1: nonce + tag = 28 bytes, upstream allows 128).
pub const INBOUND_VALUE_OVERHEAD_BYTES: usize = 128;

/// What [`merge`] decided for one incoming record (protocol.md §6.6 table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeOutcome {
    /// No record existed under the key: incoming stored as-is (also tombstones and already
    /// expired records).
    Inserted,
    /// Existing happened before incoming (stored as-is), or the clocks were concurrent and
    /// incoming won the tie-break (stored with the pointwise-max clock).
    Replaced,
    /// Clocks equal: ignored even if the contents differ.
    IgnoredEqual,
    /// Existing happened after incoming: ignored.
    IgnoredExistingNewer,
    /// Concurrent and existing won the tie-break: existing kept unchanged (its clock is not
    /// merged, as upstream).
    IgnoredConcurrentTieBreak,
}

impl MergeOutcome {
    /// The `skip_reasons` key of the sync response for an ignored record, exactly the strings of
    /// protocol.md §6.6 (`ignored_equal_version`, `ignored_existing_newer_version`,
    /// `ignored_concurrent_tie_break`); `None` for stored records (they count as `merged`).
    pub fn skip_reason(&self) -> Option<&'static str> {
        match self {
            MergeOutcome::Inserted | MergeOutcome::Replaced => None,
            MergeOutcome::IgnoredEqual => Some("ignored_equal_version"),
            MergeOutcome::IgnoredExistingNewer => Some("ignored_existing_newer_version"),
            MergeOutcome::IgnoredConcurrentTieBreak => Some("ignored_concurrent_tie_break"),
        }
    }
}

/// Decide how `incoming` merges with the record currently stored under its key
/// (protocol.md §6.6, with the convergence fix below). `existing` includes tombstones and
/// expired-but-unpurged records.
///
/// Returns the outcome and the record to store (`None` = keep `existing` unchanged):
/// * no existing -> `Inserted`, store incoming as-is;
/// * `existing.version` before `incoming.version` -> `Replaced`, store incoming as-is;
/// * existing after -> `IgnoredExistingNewer`;
/// * concurrent -> incoming wins iff its content is greater by [`content_order`]
///   (`updated_at_ms`, then value bytes: a tombstone's empty value is smallest); the winner is
///   stored with the pointwise-max clock. Otherwise `IgnoredConcurrentTieBreak`;
/// * equal clocks -> `IgnoredEqual`.
///
/// **Convergence fix (deliberate difference from upstream).** Upstream ignores equal clocks
/// "even if content differs" and keeps a concurrent record with identical content unchanged.
/// Because a concurrent winner absorbs the loser's clock, two replicas can end up holding
/// different contents under equal clocks, or one content under two concurrent clocks, and
/// then ignore each other forever (found by `replicas_converge_in_any_delivery_order`
/// below). Here the same content order also decides between equal clocks (the greater content
/// replaces, `Replaced`), and identical content under concurrent clocks is stored with the
/// merged clock (`Replaced`), so any two replicas agree after one exchange each way. The
/// wire format is unchanged; only these rare cases count as `merged` instead of
/// `ignored_equal_version` / `ignored_concurrent_tie_break`.
///
/// Pure and deterministic, so every node converges on the same winner; idempotent: merging the
/// stored result again yields `IgnoredEqual`.
pub fn merge(existing: Option<&Record>, incoming: Record) -> (MergeOutcome, Option<Record>) {
    let Some(existing) = existing else {
        return (MergeOutcome::Inserted, Some(incoming));
    };
    let content = content_order(&incoming, existing);
    match existing.version.compare(&incoming.version) {
        ClockOrdering::Before => (MergeOutcome::Replaced, Some(incoming)),
        ClockOrdering::After => (MergeOutcome::IgnoredExistingNewer, None),
        ClockOrdering::Equal => match content {
            Ordering::Greater => (MergeOutcome::Replaced, Some(incoming)),
            _ => (MergeOutcome::IgnoredEqual, None),
        },
        ClockOrdering::Concurrent => match content {
            Ordering::Greater => {
                let mut winner = incoming;
                winner.version = existing.version.merge_max(&winner.version);
                (MergeOutcome::Replaced, Some(winner))
            }
            Ordering::Equal => {
                let mut same = existing.clone();
                same.version = existing.version.merge_max(&incoming.version);
                (MergeOutcome::Replaced, Some(same))
            }
            Ordering::Less => (MergeOutcome::IgnoredConcurrentTieBreak, None),
        },
    }
}

/// The tie-break order of two records' contents (protocol.md §6.6 "Concurrent"): by
/// `updated_at_ms`, then value bytes (lexicographic; a tombstone's empty value is smallest),
/// then the tombstone flag and `ttl_ms`, so that only identical contents compare equal.
pub fn content_order(a: &Record, b: &Record) -> Ordering {
    (a.updated_at_ms, &a.value, a.tombstone, a.ttl_ms).cmp(&(
        b.updated_at_ms,
        &b.value,
        b.tombstone,
        b.ttl_ms,
    ))
}

/// Validate one parsed inbound record (delta or snapshot import) before merging: protocol.md §6.5
/// steps 1 and 3, with upstream's message strings. Step 2 (enclave-mode `ciphertext too short` /
/// probe decryption with the app's data key) is the caller's job.
///
/// * `max_kv_value_size_bytes`: `max_kv_value_size_bytes` (plaintext limit, default 1,048,576); a
///   non-tombstone whose ciphertext is longer than `max_kv_value_size_bytes + 128` fails with
///   `encrypted value too large (<n> bytes)`.
/// * `max_clock_skew_ms`: 0 disables the check; otherwise `updated_at_ms > now_ms + skew`
///   (saturating) fails with `future timestamp <t>ms exceeds limit (now=<now>ms +
///   max_skew=<skew>ms, delta=<t-now>ms)`. Applies to tombstones too.
pub fn validate_inbound(
    rec: &Record,
    now_ms: u64,
    max_kv_value_size_bytes: usize,
    max_clock_skew_ms: u64,
) -> Result<(), String> {
    if !rec.tombstone {
        let max = max_kv_value_size_bytes.saturating_add(INBOUND_VALUE_OVERHEAD_BYTES);
        if rec.value.len() > max {
            return Err(format!(
                "encrypted value too large ({} bytes)",
                rec.value.len()
            ));
        }
    }
    if max_clock_skew_ms > 0 && rec.updated_at_ms > now_ms.saturating_add(max_clock_skew_ms) {
        return Err(format!(
            "future timestamp {}ms exceeds limit (now={}ms + max_skew={}ms, delta={}ms)",
            rec.updated_at_ms,
            now_ms,
            max_clock_skew_ms,
            rec.updated_at_ms.saturating_sub(now_ms)
        ));
    }
    Ok(())
}

/// Counters of one delta/snapshot import; serializes to the body fields of the `delta` response
/// (protocol.md §6.7): `{"total","merged","skipped","rejected","skip_reasons"}` (the caller adds
/// `"status":"ok"`).
///
/// `total` = parsed records, `rejected` = failed §6.5 validation, `skipped` = ignored by the merge
/// rule, `skip_reasons` counts by [`MergeOutcome::skip_reason`] (empty object if none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// Parsed records considered.
    pub total: u64,
    /// Records stored (inserted or replaced).
    pub merged: u64,
    /// Records ignored by the merge rule.
    pub skipped: u64,
    /// Records that failed validation (counted by the caller via [`MergeReport::reject`]).
    pub rejected: u64,
    /// `skipped` broken down by reason string.
    pub skip_reasons: BTreeMap<String, u64>,
}

impl MergeReport {
    /// Count one merged or skipped record (`total` +1, then `merged` or `skipped` + reason).
    pub fn count(&mut self, outcome: MergeOutcome) {
        self.total += 1;
        match outcome.skip_reason() {
            None => self.merged += 1,
            Some(reason) => {
                self.skipped += 1;
                *self.skip_reasons.entry(reason.to_string()).or_insert(0) += 1;
            }
        }
    }

    /// Count one record rejected by validation (`total` +1, `rejected` +1).
    pub fn reject(&mut self) {
        self.total += 1;
        self.rejected += 1;
    }

    /// Add the counters of `other` to `self` (e.g. per-namespace reports of one request).
    pub fn absorb(&mut self, other: &MergeReport) {
        self.total += other.total;
        self.merged += other.merged;
        self.skipped += other.skipped;
        self.rejected += other.rejected;
        for (k, v) in &other.skip_reasons {
            *self.skip_reasons.entry(k.clone()).or_insert(0) += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::vclock::VectorClock;

    fn r(value: &[u8], clock: VectorClock, ts: u64) -> Record {
        Record {
            key: "k".into(),
            value: value.to_vec(),
            version: clock,
            updated_at_ms: ts,
            tombstone: false,
            ttl_ms: 0,
        }
    }

    #[test]
    fn insert_when_absent() {
        let inc = r(b"x", VectorClock::from([("a", 1)]), 5);
        assert_eq!(
            merge(None, inc.clone()),
            (MergeOutcome::Inserted, Some(inc))
        );
    }

    #[test]
    fn causal_cases() {
        let old = r(b"x", VectorClock::from([("a", 1)]), 5);
        let new = r(b"y", VectorClock::from([("a", 2)]), 1);
        assert_eq!(
            merge(Some(&old), new.clone()),
            (MergeOutcome::Replaced, Some(new.clone()))
        );
        assert_eq!(
            merge(Some(&new), old.clone()),
            (MergeOutcome::IgnoredExistingNewer, None)
        );
        // Equal clocks: the greater content wins (convergence fix), the smaller is ignored.
        let same_clock_other_content = r(b"zzz", VectorClock::from([("a", 2), ("b", 0)]), 99);
        assert_eq!(
            merge(Some(&new), same_clock_other_content.clone()),
            (
                MergeOutcome::Replaced,
                Some(same_clock_other_content.clone())
            )
        );
        assert_eq!(
            merge(Some(&same_clock_other_content), new.clone()),
            (MergeOutcome::IgnoredEqual, None)
        );
    }

    #[test]
    fn concurrent_by_timestamp() {
        let ex = r(b"zz", VectorClock::from([("a", 2)]), 10);
        let inc = r(b"aa", VectorClock::from([("b", 1)]), 11);
        let (o, s) = merge(Some(&ex), inc.clone());
        assert_eq!(o, MergeOutcome::Replaced);
        let s = s.unwrap();
        assert_eq!(s.value, b"aa");
        assert_eq!(s.version, VectorClock::from([("a", 2), ("b", 1)]));
        let late = r(b"zz", VectorClock::from([("b", 1)]), 9);
        assert_eq!(
            merge(Some(&ex), late),
            (MergeOutcome::IgnoredConcurrentTieBreak, None)
        );
    }

    #[test]
    fn concurrent_equal_timestamp_by_value_bytes() {
        let ex = r(b"\x01", VectorClock::from([("a", 1)]), 100);
        let inc = r(b"\x02", VectorClock::from([("b", 1)]), 100);
        let (o, s) = merge(Some(&ex), inc.clone());
        assert_eq!(o, MergeOutcome::Replaced);
        assert_eq!(s.unwrap().value, b"\x02");
        assert_eq!(
            merge(Some(&inc), ex.clone()),
            (MergeOutcome::IgnoredConcurrentTieBreak, None)
        );
        // identical content under a concurrent clock: kept, with the merged clock
        let same = r(b"\x01", VectorClock::from([("b", 1)]), 100);
        let (o, stored) = merge(Some(&ex), same);
        assert_eq!(o, MergeOutcome::Replaced);
        let stored = stored.unwrap();
        assert_eq!(stored.value, b"\x01");
        assert_eq!(stored.version, VectorClock::from([("a", 1), ("b", 1)]));
        // tombstone's empty value is smallest
        let mut tomb = r(b"", VectorClock::from([("c", 1)]), 100);
        tomb.tombstone = true;
        assert_eq!(
            merge(Some(&ex), tomb.clone()).0,
            MergeOutcome::IgnoredConcurrentTieBreak
        );
        assert_eq!(merge(Some(&tomb), ex).0, MergeOutcome::Replaced);
    }

    #[test]
    fn merge_is_idempotent() {
        let ex = r(b"\x01", VectorClock::from([("a", 1)]), 100);
        let inc = r(b"\x02", VectorClock::from([("b", 1)]), 100);
        let stored = merge(Some(&ex), inc.clone()).1.unwrap();
        assert_eq!(
            merge(Some(&stored), inc).0,
            MergeOutcome::IgnoredExistingNewer
        );
        assert_eq!(
            merge(Some(&stored), stored.clone()).0,
            MergeOutcome::IgnoredEqual
        );
    }

    #[test]
    fn skip_reason_strings() {
        assert_eq!(MergeOutcome::Inserted.skip_reason(), None);
        assert_eq!(MergeOutcome::Replaced.skip_reason(), None);
        assert_eq!(
            MergeOutcome::IgnoredEqual.skip_reason(),
            Some("ignored_equal_version")
        );
        assert_eq!(
            MergeOutcome::IgnoredExistingNewer.skip_reason(),
            Some("ignored_existing_newer_version")
        );
        assert_eq!(
            MergeOutcome::IgnoredConcurrentTieBreak.skip_reason(),
            Some("ignored_concurrent_tie_break")
        );
    }

    #[test]
    fn validate_size_and_skew() {
        let mut rec = r(&[0u8; 16 + 128], VectorClock::new(), 1000);
        assert_eq!(validate_inbound(&rec, 1000, 16, 100), Ok(()));
        rec.value.push(0);
        assert_eq!(
            validate_inbound(&rec, 1000, 16, 100),
            Err("encrypted value too large (145 bytes)".into())
        );
        rec.tombstone = true; // size check only for non-tombstones
        rec.updated_at_ms = 1101;
        assert_eq!(
            validate_inbound(&rec, 1000, 16, 100),
            Err(
                "future timestamp 1101ms exceeds limit (now=1000ms + max_skew=100ms, delta=101ms)"
                    .into()
            )
        );
        assert_eq!(validate_inbound(&rec, 1000, 16, 0), Ok(()));
        rec.updated_at_ms = u64::MAX;
        assert!(validate_inbound(&rec, u64::MAX - 1, usize::MAX, u64::MAX).is_ok());
    }

    #[test]
    fn report_counts_and_serializes() {
        let mut rep = MergeReport::default();
        rep.count(MergeOutcome::Inserted);
        rep.count(MergeOutcome::Replaced);
        rep.count(MergeOutcome::IgnoredEqual);
        rep.reject();
        assert_eq!(
            serde_json::to_value(&rep).unwrap(),
            serde_json::json!({"total":4,"merged":2,"skipped":1,"rejected":1,
                "skip_reasons":{"ignored_equal_version":1}})
        );
        let mut sum = MergeReport::default();
        sum.absorb(&rep);
        sum.absorb(&rep);
        assert_eq!(
            (sum.total, sum.merged, sum.skipped, sum.rejected),
            (8, 4, 2, 2)
        );
        assert_eq!(sum.skip_reasons["ignored_equal_version"], 2);
    }

    /// One replica's copy of a single key: apply `incoming` by the merge rule.
    fn apply(slot: &mut Option<Record>, incoming: Record) -> bool {
        let (_, store) = merge(slot.as_ref(), incoming);
        let changed = store.is_some();
        if let Some(rec) = store {
            *slot = Some(rec);
        }
        changed
    }

    /// Plays a causal history of one key on three nodes: each step is a write on node
    /// `n` (its clock entry +1 over what that node holds, a random timestamp to model clock
    /// skew, tombstone or value) or a sync of another node's record into node `n`. Returns
    /// every record any node ever stored, in creation order, and the nodes' final records.
    fn history(steps: &[(u8, u8, u64, bool)]) -> (Vec<Record>, Vec<Option<Record>>) {
        const NODES: [&str; 3] = ["0xa", "0xb", "0xc"];
        let mut replicas: Vec<Option<Record>> = vec![None, None, None];
        let mut made = Vec::new();
        for (i, &(op, node, ts, tomb)) in steps.iter().enumerate() {
            let n = usize::from(node % 3);
            if op % 3 == 0 {
                let from = (n + 1 + usize::from(op % 2)) % 3;
                if let Some(rec) = replicas[from].clone() {
                    if apply(&mut replicas[n], rec) {
                        made.push(replicas[n].clone().unwrap());
                    }
                }
                continue;
            }
            let mut clock = replicas[n]
                .as_ref()
                .map(|r| r.version.clone())
                .unwrap_or_default();
            clock.increment(NODES[n]);
            let rec = Record {
                key: "k".into(),
                value: if tomb {
                    vec![]
                } else {
                    format!("v{i}").into_bytes()
                },
                version: clock,
                updated_at_ms: ts,
                tombstone: tomb,
                ttl_ms: 0,
            };
            replicas[n] = Some(rec.clone());
            made.push(rec);
        }
        (made, replicas)
    }

    /// Anti-entropy among `replicas`: every replica merges every other's record, round after
    /// round, until a round changes nothing. Returns the rounds it took.
    fn exchange(replicas: &mut [Option<Record>]) -> usize {
        for round in 1..=32 {
            let mut changed = false;
            for i in 0..replicas.len() {
                for j in 0..replicas.len() {
                    if let (true, Some(r)) = (i != j, replicas[j].clone()) {
                        changed |= apply(&mut replicas[i], r);
                    }
                }
            }
            if !changed {
                return round;
            }
        }
        panic!("anti-entropy did not reach a fixpoint in 32 rounds");
    }

    #[test]
    fn equal_clocks_or_identical_contents_converge_in_one_exchange() {
        // Different contents under equal clocks (each a concurrent winner that absorbed the
        // other's clock): upstream ignores both ways forever.
        let x = r(b"x", VectorClock::from([("a", 2), ("b", 1)]), 5);
        let y = r(b"y", VectorClock::from([("a", 2), ("b", 1)]), 3);
        let mut reps = vec![Some(x.clone()), Some(y)];
        exchange(&mut reps);
        assert_eq!(reps, vec![Some(x.clone()), Some(x)]);
        // One content under two concurrent clocks: both end with the merged clock.
        let p = r(b"p", VectorClock::from([("a", 1), ("b", 3)]), 5);
        let q = r(b"p", VectorClock::from([("a", 2), ("b", 2)]), 5);
        let mut reps = vec![Some(p), Some(q)];
        exchange(&mut reps);
        let want = r(b"p", VectorClock::from([("a", 2), ("b", 3)]), 5);
        assert_eq!(reps, vec![Some(want.clone()), Some(want)]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(512))]

        /// Replicas converge whatever the delivery order (design.md §3 "a periodic
        /// anti-entropy pull keeps replicas honest"; protocol.md §6.6): the records of a causal
        /// history on three nodes are delivered, each possibly twice, to two more replicas in
        /// two independent orders; then all five exchange their records as anti-entropy does
        /// until nothing changes. They must all hold the same record, and a replica merging
        /// its own record must see `IgnoredEqual` (idempotence).
        #[test]
        fn replicas_converge_in_any_delivery_order(
            steps in proptest::collection::vec((0u8..6, 0u8..3, 0u64..8, proptest::bool::weighted(0.2)), 1..14),
            order_a in proptest::collection::vec(0usize..1000, 0..30),
            order_b in proptest::collection::vec(0usize..1000, 0..30),
        ) {
            let (all, nodes) = history(&steps);
            proptest::prop_assume!(!all.is_empty());
            let deliver = |order: &[usize]| {
                let mut slot = None;
                for i in order.iter().map(|i| i % all.len()).chain(0..all.len()) {
                    apply(&mut slot, all[i].clone());
                }
                slot
            };
            let mut reps = nodes;
            reps.push(deliver(&order_a));
            reps.push(deliver(&order_b));
            exchange(&mut reps);
            for r in &reps[1..] {
                proptest::prop_assert_eq!(r, &reps[0]);
            }
            let own = reps[0].clone().unwrap();
            proptest::prop_assert_eq!(merge(Some(&own), own.clone()).0, MergeOutcome::IgnoredEqual);
        }
    }
}
