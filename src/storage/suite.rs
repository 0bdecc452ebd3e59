//! Behaviour suite written once against `&dyn Storage` and run for every backend
//! (`memory_backend::*`, `redb_backend::*`).
//!
//! One file on purpose (over 600 lines): it is the single list of storage behaviours every
//! backend must show; splitting it would let a case exist for one backend and not the other.

use std::collections::BTreeMap;

use tempfile::TempDir;

use super::*;
use crate::store::{Limits, QuotaPolicy, Record, VectorClock};

const N1: &str = "0x1111111111111111111111111111111111111111";
const N2: &str = "0x2222222222222222222222222222222222222222";
const APP: u64 = 49;
const OTHER_APP: u64 = 50;

type Made = (Box<dyn Storage>, Option<TempDir>);

fn make_memory() -> Made {
    (Box::new(MemoryStorage::new()), None)
}

fn make_redb() -> Made {
    let dir = tempfile::tempdir().unwrap();
    let s = RedbStorage::open(&dir.path().join("data")).unwrap();
    (Box::new(s), Some(dir))
}

fn lim() -> Limits {
    Limits::default()
}

fn budget(bytes: u64, policy: QuotaPolicy) -> Limits {
    Limits {
        max_app_storage_bytes: bytes,
        quota_policy: policy,
        ..Limits::default()
    }
}

/// A fake ciphertext of `cost - key.len()` bytes, so the record costs exactly `cost`.
fn val(key: &str, cost: usize, fill: u8) -> Vec<u8> {
    vec![fill; cost - key.len()]
}

fn put(s: &dyn Storage, app: u64, key: &str, cost: usize, now: u64, l: &Limits) -> PutOutcome {
    s.put_local(app, key, val(key, cost, 7), 0, N1, now, l)
        .unwrap()
}

fn rec(key: &str, value: &[u8], clock: VectorClock, ts: u64) -> Record {
    Record {
        key: key.into(),
        value: value.to_vec(),
        version: clock,
        updated_at_ms: ts,
        tombstone: false,
        ttl_ms: 0,
    }
}

/// Full observable state, to assert "nothing changed".
fn state(s: &dyn Storage) -> (BTreeMap<u64, Vec<Record>>, u64, AppUsage, AppUsage) {
    (
        s.snapshot(0).unwrap(),
        s.last_seq().unwrap(),
        s.app_usage(APP).unwrap(),
        s.app_usage(OTHER_APP).unwrap(),
    )
}

fn put_get_and_clock_increments(s: &dyn Storage) {
    let out = s
        .put_local(APP, "a", vec![1, 2, 3], 0, N1, 1000, &lim())
        .unwrap();
    assert!(out.evicted.is_empty());
    let r = out.record;
    assert_eq!(r.version, VectorClock::from([(N1, 1)]));
    assert_eq!((r.updated_at_ms, r.tombstone, r.ttl_ms), (1000, false, 0));
    assert_eq!(s.get(APP, "a").unwrap(), Some(r));
    let r2 = s
        .put_local(APP, "a", vec![4], 5, N1, 1001, &lim())
        .unwrap()
        .record;
    assert_eq!(r2.version, VectorClock::from([(N1, 2)]));
    let r3 = s
        .put_local(APP, "a", vec![5], 0, N2, 1002, &lim())
        .unwrap()
        .record;
    assert_eq!(r3.version, VectorClock::from([(N1, 2), (N2, 1)]));
    assert_eq!(s.get(APP, "a").unwrap().unwrap().value, vec![5]);
    assert_eq!(s.get(OTHER_APP, "a").unwrap(), None);
    assert_eq!(s.get(APP, "b").unwrap(), None);
    // empty key and empty value are valid (protocol.md §1.6, §4.7)
    s.put_local(APP, "", vec![], 0, N1, 1003, &lim()).unwrap();
    assert_eq!(s.list_live_keys(APP, 1003).unwrap(), vec!["", "a"]);
    assert_eq!(
        s.list_live_keys(OTHER_APP, 1003).unwrap(),
        Vec::<String>::new()
    );
}

fn put_continues_clock_of_tombstone_and_expired(s: &dyn Storage) {
    s.put_local(APP, "k", vec![1], 10, N1, 1000, &lim())
        .unwrap();
    assert!(!s.get(APP, "k").unwrap().unwrap().is_live(2000));
    let r = s
        .put_local(APP, "k", vec![2], 0, N1, 2000, &lim())
        .unwrap()
        .record;
    assert_eq!(r.version, VectorClock::from([(N1, 2)]));
    let t = s.delete_local(APP, "k", N1, 2001).unwrap().unwrap();
    assert_eq!(t.version, VectorClock::from([(N1, 3)]));
    let r = s
        .put_local(APP, "k", vec![3], 0, N2, 2002, &lim())
        .unwrap()
        .record;
    assert_eq!(r.version, VectorClock::from([(N1, 3), (N2, 1)]));
}

fn delete_writes_tombstone_and_missing_is_none(s: &dyn Storage) {
    assert_eq!(s.delete_local(APP, "nope", N1, 10).unwrap(), None);
    s.put_local(APP, "k", vec![9; 40], 0, N1, 100, &lim())
        .unwrap();
    let seq = s.last_seq().unwrap();
    let t = s.delete_local(APP, "k", N2, 200).unwrap().unwrap();
    assert_eq!(
        t,
        Record {
            key: "k".into(),
            value: vec![],
            version: VectorClock::from([(N1, 1), (N2, 1)]),
            updated_at_ms: 200,
            tombstone: true,
            ttl_ms: 0,
        }
    );
    assert_eq!(s.last_seq().unwrap(), seq + 1);
    assert_eq!(s.get(APP, "k").unwrap(), Some(t.clone()));
    assert!(s.list_live_keys(APP, 300).unwrap().is_empty());
    // deleting a tombstone or an expired record: None, nothing written
    assert_eq!(s.delete_local(APP, "k", N1, 300).unwrap(), None);
    s.put_local(APP, "e", vec![1], 10, N1, 1000, &lim())
        .unwrap();
    let before = state(s);
    assert_eq!(s.delete_local(APP, "e", N1, 1011).unwrap(), None);
    assert_eq!(state(s), before);
    let u = s.app_usage(APP).unwrap();
    assert_eq!(
        u,
        AppUsage {
            bytes: 1 + 2,
            live_keys: 1,
            tombstones: 1
        }
    );
}

fn ttl_expiry(s: &dyn Storage) {
    s.put_local(APP, "t", vec![0; 9], 100, N1, 1000, &lim())
        .unwrap();
    s.put_local(APP, "forever", vec![0; 9], u64::MAX, N1, 1000, &lim())
        .unwrap();
    assert_eq!(s.list_live_keys(APP, 1100).unwrap(), vec!["forever", "t"]);
    assert_eq!(s.stats(1100).unwrap().total_keys, 2);
    assert_eq!(s.list_live_keys(APP, 1101).unwrap(), vec!["forever"]);
    let st = s.stats(1101).unwrap();
    assert_eq!(
        (st.total_keys, st.total_bytes, st.namespaces),
        (1, 10 + 16, 1)
    );
    let raw = s.get(APP, "t").unwrap().unwrap();
    assert!(raw.is_expired(1101) && !raw.is_live(1101));
    assert_eq!(s.list_live_keys(APP, u64::MAX).unwrap(), vec!["forever"]);
}

fn merge_rules_of_protocol_6_6(s: &dyn Storage) {
    let l = lim();
    // Inserted (also tombstones and already-expired records, as-is)
    let a1 = rec("a", b"\x01", VectorClock::from([(N2, 1)]), 100);
    let mut tomb = rec("t", b"", VectorClock::from([(N2, 1)]), 100);
    tomb.tombstone = true;
    let mut old = rec("x", b"\x01", VectorClock::from([(N2, 1)]), 1);
    old.ttl_ms = 1;
    let rep = s
        .merge_remote(APP, vec![a1.clone(), tomb.clone(), old.clone()], &l)
        .unwrap();
    assert_eq!(
        (rep.total, rep.merged, rep.skipped, rep.rejected),
        (3, 3, 0, 0)
    );
    assert!(rep.skip_reasons.is_empty());
    assert_eq!(s.get(APP, "a").unwrap(), Some(a1.clone()));
    assert_eq!(s.get(APP, "t").unwrap(), Some(tomb));
    assert_eq!(s.get(APP, "x").unwrap(), Some(old));
    // HappenedBefore -> replaced as-is
    let a2 = rec("a", b"\x00", VectorClock::from([(N2, 2)]), 50);
    s.merge_remote(APP, vec![a2.clone()], &l).unwrap();
    assert_eq!(s.get(APP, "a").unwrap(), Some(a2.clone()));
    // Equal clock, smaller content -> ignored; older -> ignored
    let eq = rec("a", b"\xff", VectorClock::from([(N2, 2), (N1, 0)]), 49);
    let rep = s.merge_remote(APP, vec![eq, a1.clone()], &l).unwrap();
    assert_eq!((rep.total, rep.merged, rep.skipped), (2, 0, 2));
    assert_eq!(rep.skip_reasons["ignored_equal_version"], 1);
    assert_eq!(rep.skip_reasons["ignored_existing_newer_version"], 1);
    assert_eq!(s.get(APP, "a").unwrap(), Some(a2.clone()));
    // Equal clock, greater content -> replaces (convergence fix, store::merge)
    let e1 = rec("e", b"\x01", VectorClock::from([(N2, 2)]), 50);
    let e2 = rec("e", b"\x02", VectorClock::from([(N2, 2)]), 50);
    s.merge_remote(APP, vec![e1], &l).unwrap();
    let rep = s.merge_remote(APP, vec![e2.clone()], &l).unwrap();
    assert_eq!((rep.merged, rep.skipped), (1, 0));
    assert_eq!(s.get(APP, "e").unwrap(), Some(e2));
    // Concurrent, incoming later -> wins with pointwise-max clock
    let c_late = rec("a", b"\x00", VectorClock::from([(N1, 1)]), 51);
    s.merge_remote(APP, vec![c_late], &l).unwrap();
    let got = s.get(APP, "a").unwrap().unwrap();
    assert_eq!(got.version, VectorClock::from([(N1, 1), (N2, 2)]));
    assert_eq!(got.updated_at_ms, 51);
    // Concurrent, incoming earlier -> existing kept unchanged (clock not merged)
    let c_early = rec("a", b"\xff", VectorClock::from([(N1, 0), (N2, 3)]), 10);
    let c_early = Record {
        version: VectorClock::from([("0x3333333333333333333333333333333333333333", 1)]),
        ..c_early
    };
    let rep = s.merge_remote(APP, vec![c_early], &l).unwrap();
    assert_eq!(rep.skip_reasons["ignored_concurrent_tie_break"], 1);
    assert_eq!(s.get(APP, "a").unwrap(), Some(got.clone()));
    // Concurrent, equal timestamps -> larger value bytes win
    let b_small = rec("b", b"\x01", VectorClock::from([(N1, 1)]), 500);
    let b_big = rec("b", b"\x02", VectorClock::from([(N2, 1)]), 500);
    s.merge_remote(APP, vec![b_small.clone()], &l).unwrap();
    s.merge_remote(APP, vec![b_big], &l).unwrap();
    let b = s.get(APP, "b").unwrap().unwrap();
    assert_eq!(b.value, b"\x02");
    assert_eq!(b.version, VectorClock::from([(N1, 1), (N2, 1)]));
    let b_other_small = rec("b", b"\x01", VectorClock::from([("0x33", 1)]), 500);
    let rep = s.merge_remote(APP, vec![b_other_small], &l).unwrap();
    assert_eq!(rep.skip_reasons["ignored_concurrent_tie_break"], 1);
    // namespaces are separate
    assert_eq!(s.get(OTHER_APP, "a").unwrap(), None);
}

fn merge_is_idempotent(s: &dyn Storage) {
    let batch = vec![
        rec("a", b"\x01", VectorClock::from([(N2, 1)]), 100),
        rec("b", b"\x02", VectorClock::from([(N2, 4)]), 101),
        rec("a", b"\x03", VectorClock::from([(N1, 1)]), 102),
    ];
    let first = s.merge_remote(APP, batch.clone(), &lim()).unwrap();
    assert_eq!((first.total, first.merged), (3, 3));
    let before = state(s);
    let again = s.merge_remote(APP, batch, &lim()).unwrap();
    assert_eq!((again.total, again.merged, again.skipped), (3, 0, 3));
    assert_eq!(state(s), before, "a repeated merge changes nothing");
    // Another order converges on the same values and timestamps. The clocks may differ: a
    // concurrent loser's clock is not merged into the winner (protocol.md §6.6, §11.20).
    let other = MemoryStorage::new();
    let rev: Vec<Record> = vec![
        rec("a", b"\x03", VectorClock::from([(N1, 1)]), 102),
        rec("b", b"\x02", VectorClock::from([(N2, 4)]), 101),
        rec("a", b"\x01", VectorClock::from([(N2, 1)]), 100),
    ];
    other.merge_remote(APP, rev, &lim()).unwrap();
    let strip = |m: BTreeMap<u64, Vec<Record>>| -> Vec<(String, Vec<u8>, u64)> {
        m.into_values()
            .flatten()
            .map(|r| (r.key, r.value, r.updated_at_ms))
            .collect()
    };
    assert_eq!(strip(other.snapshot(0).unwrap()), strip(before.0.clone()));
    assert_eq!(
        other.get(APP, "a").unwrap().unwrap().version,
        VectorClock::from([(N1, 1)])
    );
    assert_eq!(
        s.get(APP, "a").unwrap().unwrap().version,
        VectorClock::from([(N1, 1), (N2, 1)])
    );
}

fn eviction_of_least_recently_updated(s: &dyn Storage) {
    let l = budget(100, QuotaPolicy::Evict);
    put(s, OTHER_APP, "x", 95, 1, &l);
    put(s, APP, "t", 10, 0, &l);
    s.delete_local(APP, "t", N1, 4).unwrap().unwrap(); // tombstone costs 1
    put(s, APP, "a", 30, 1, &l);
    put(s, APP, "b", 30, 2, &l);
    put(s, APP, "c", 30, 3, &l);
    assert_eq!(s.app_usage(APP).unwrap().bytes, 91);
    let seq = s.last_seq().unwrap();
    let out = put(s, APP, "d", 30, 5, &l);
    assert_eq!(out.evicted, vec!["a"]);
    assert_eq!(
        s.last_seq().unwrap(),
        seq + 2,
        "eviction and write both logged"
    );
    assert_eq!(s.get(APP, "a").unwrap(), None);
    assert!(
        s.get(APP, "t").unwrap().unwrap().tombstone,
        "tombstone kept"
    );
    assert_eq!(s.app_usage(APP).unwrap().bytes, 91);
    // Overwriting the oldest key with a bigger value never evicts the key itself.
    let out = put(s, APP, "b", 50, 6, &l);
    assert_eq!(out.evicted, vec!["c"]);
    assert_eq!(s.get(APP, "b").unwrap().unwrap().value.len(), 49);
    assert_eq!(s.list_live_keys(APP, 7).unwrap(), vec!["b", "d"]);
    assert_eq!(
        s.app_usage(APP).unwrap(),
        AppUsage {
            bytes: 81,
            live_keys: 2,
            tombstones: 1
        }
    );
    // Several evictions at once, oldest first, ties by key.
    put(s, APP, "e", 10, 6, &l); // 91
    let out = put(s, APP, "f", 60, 8, &l);
    // need 151 - 100 = 51 bytes: d (ts 5, 30) then b (ts 6, key "b" < "e", 50)
    assert_eq!(out.evicted, vec!["d", "b"]);
    assert_eq!(s.list_live_keys(APP, 9).unwrap(), vec!["e", "f"]);
    // Other apps untouched throughout.
    assert_eq!(s.app_usage(OTHER_APP).unwrap().bytes, 95);
    assert!(s.get(OTHER_APP, "x").unwrap().is_some());
    // The change log does not return evicted keys.
    let logged: Vec<String> = s
        .changes_since(0, 100)
        .unwrap()
        .into_iter()
        .filter(|c| c.app_id == APP)
        .map(|c| c.record.key)
        .collect();
    assert!(!logged.contains(&"a".to_string()) && !logged.contains(&"c".to_string()));
}

fn reject_policy_refuses_and_changes_nothing(s: &dyn Storage) {
    let l = budget(100, QuotaPolicy::Reject);
    put(s, APP, "a", 30, 1, &l);
    put(s, APP, "b", 30, 2, &l);
    put(s, APP, "c", 30, 3, &l);
    put(s, OTHER_APP, "x", 100, 3, &l);
    let before = state(s);
    match s.put_local(APP, "d", val("d", 30, 1), 0, N1, 4, &l) {
        Err(WriteError::QuotaExceeded { used, budget }) => assert_eq!((used, budget), (120, 100)),
        other => panic!("expected QuotaExceeded, got {other:?}"),
    }
    match s.put_local(APP, "a", val("a", 41, 1), 0, N1, 4, &l) {
        Err(WriteError::QuotaExceeded { used, .. }) => assert_eq!(used, 101),
        other => panic!("expected QuotaExceeded, got {other:?}"),
    }
    assert_eq!(state(s), before);
    // a replacement that fits is fine
    assert!(put(s, APP, "a", 40, 5, &l).evicted.is_empty());
    assert_eq!(s.app_usage(APP).unwrap().bytes, 100);
}

fn quota_impossible_and_value_too_large(s: &dyn Storage) {
    let l = Limits {
        max_kv_value_size_bytes: 200,
        ..budget(100, QuotaPolicy::Evict)
    };
    put(s, APP, "a", 50, 1, &l);
    let before = state(s);
    match s.put_local(APP, "b", val("b", 101, 0), 0, N1, 2, &l) {
        Err(WriteError::QuotaExceeded { used, budget }) => assert_eq!((used, budget), (151, 100)),
        other => panic!("expected QuotaExceeded, got {other:?}"),
    }
    match s.put_local(APP, "b", vec![0; 329], 0, N1, 2, &l) {
        Err(e @ WriteError::ValueTooLarge { len: 329, max: 328 }) => {
            assert!(e.to_string().contains("too large"));
            let e: Error = e.into();
            assert_eq!(e.kind(), ErrorKind::Local);
        }
        other => panic!("expected ValueTooLarge, got {other:?}"),
    }
    assert_eq!(state(s), before);
}

fn merge_evicts_even_under_reject(s: &dyn Storage) {
    let l = budget(100, QuotaPolicy::Reject);
    put(s, APP, "a", 30, 1, &l);
    put(s, APP, "b", 30, 2, &l);
    put(s, APP, "c", 30, 3, &l);
    let z = rec("z", &[1; 29], VectorClock::from([(N2, 1)]), 10);
    let rep = s.merge_remote(APP, vec![z.clone()], &l).unwrap();
    assert_eq!(rep.merged, 1);
    assert_eq!(s.get(APP, "z").unwrap(), Some(z));
    assert_eq!(
        s.get(APP, "a").unwrap(),
        None,
        "least-recently-updated evicted"
    );
    assert_eq!(s.app_usage(APP).unwrap().bytes, 90);
    // Cannot fit even after evicting everything: kept over budget, and nothing is evicted for
    // nothing.
    let huge = rec("h", &[1; 200], VectorClock::from([(N2, 1)]), 11);
    s.merge_remote(APP, vec![huge.clone()], &l).unwrap();
    assert_eq!(s.get(APP, "h").unwrap(), Some(huge));
    assert_eq!(s.list_live_keys(APP, 12).unwrap(), vec!["b", "c", "h", "z"]);
    assert_eq!(s.app_usage(APP).unwrap().bytes, 291);
    // The next local write under Reject is refused; under Evict it evicts back under budget.
    assert!(matches!(
        s.put_local(APP, "n", vec![], 0, N1, 13, &l),
        Err(WriteError::QuotaExceeded {
            used: 292,
            budget: 100
        })
    ));
    let out = s
        .put_local(
            APP,
            "n",
            vec![],
            0,
            N1,
            13,
            &budget(100, QuotaPolicy::Evict),
        )
        .unwrap();
    assert_eq!(out.evicted, vec!["b", "c", "z", "h"]);
}

fn change_log_latest_seq_per_key_and_monotonic(s: &dyn Storage) {
    assert_eq!(s.last_seq().unwrap(), 0);
    assert!(s.changes_since(0, 10).unwrap().is_empty());
    put(s, APP, "a", 5, 1, &lim());
    put(s, APP, "b", 5, 2, &lim());
    put(s, APP, "a", 6, 3, &lim());
    assert_eq!(s.last_seq().unwrap(), 3);
    let ch = s.changes_since(0, 10).unwrap();
    let seqs: Vec<(u64, u64, &str)> = ch
        .iter()
        .map(|c| (c.seq, c.app_id, c.record.key.as_str()))
        .collect();
    assert_eq!(seqs, vec![(2, APP, "b"), (3, APP, "a")]);
    assert_eq!(
        ch[1].record,
        s.get(APP, "a").unwrap().unwrap(),
        "current content"
    );
    assert_eq!(s.changes_since(2, 10).unwrap().len(), 1);
    assert_eq!(s.changes_since(0, 1).unwrap()[0].seq, 2);
    assert!(s.changes_since(3, 10).unwrap().is_empty());
    assert!(s.changes_since(0, 0).unwrap().is_empty());
    assert!(s.changes_since(u64::MAX, 10).unwrap().is_empty());
    s.delete_local(APP, "b", N1, 4).unwrap().unwrap();
    let ch = s.changes_since(3, 10).unwrap();
    assert_eq!(ch.len(), 1);
    assert_eq!((ch[0].seq, ch[0].record.tombstone), (4, true));
    let rep = s
        .merge_remote(
            OTHER_APP,
            vec![rec("m", b"1", VectorClock::from([(N2, 1)]), 5)],
            &lim(),
        )
        .unwrap();
    assert_eq!(rep.merged, 1);
    let ch = s.changes_since(4, 10).unwrap();
    assert_eq!((ch[0].seq, ch[0].app_id), (5, OTHER_APP));
    // ignored merges and failed writes take no sequence
    s.merge_remote(
        OTHER_APP,
        vec![rec("m", b"1", VectorClock::from([(N2, 1)]), 5)],
        &lim(),
    )
    .unwrap();
    assert_eq!(s.last_seq().unwrap(), 5);
    let all: Vec<u64> = s
        .changes_since(0, 100)
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .collect();
    assert_eq!(all, vec![3, 4, 5]);
}

fn peer_cursors(s: &dyn Storage) {
    assert_eq!(s.peer_cursor(N2).unwrap(), None);
    let c = PeerCursor {
        acked_seq: 7,
        last_success_ms: 1234,
    };
    s.set_peer_cursor(N2, &c).unwrap();
    assert_eq!(s.peer_cursor(N2).unwrap(), Some(c));
    let c2 = PeerCursor {
        acked_seq: 9,
        last_success_ms: 2000,
    };
    s.set_peer_cursor(N2, &c2).unwrap();
    assert_eq!(s.peer_cursor(N2).unwrap(), Some(c2));
    assert_eq!(s.peer_cursor(N1).unwrap(), None);
}

fn sealed_master_secret_round_trip(s: &dyn Storage) {
    assert_eq!(s.load_sealed_master_secret().unwrap(), None);
    s.clear_sealed_master_secret().unwrap();
    s.store_sealed_master_secret(&[1, 2, 3]).unwrap();
    assert_eq!(s.load_sealed_master_secret().unwrap(), Some(vec![1, 2, 3]));
    s.store_sealed_master_secret(&[9; 100]).unwrap();
    assert_eq!(s.load_sealed_master_secret().unwrap(), Some(vec![9; 100]));
    s.clear_sealed_master_secret().unwrap();
    assert_eq!(s.load_sealed_master_secret().unwrap(), None);
}

fn purge_respects_retention_and_peer_acks(s: &dyn Storage) {
    let l = Limits {
        tombstone_retention_ms: 1000,
        max_tombstones_per_app: 0,
        ..lim()
    };
    put(s, APP, "a", 5, 100, &l); // seq 1
    s.delete_local(APP, "a", N1, 100).unwrap(); // seq 2
    put(s, APP, "b", 5, 200, &l); // seq 3
    s.delete_local(APP, "b", N1, 200).unwrap(); // seq 4
    s.put_local(APP, "c", vec![1], 10, N1, 300, &l).unwrap(); // seq 5, expires after 310
    s.put_local(APP, "live", vec![1], 0, N1, 300, &l).unwrap(); // seq 6
    put(s, APP, "young", 5, 1900, &l);
    s.delete_local(APP, "young", N1, 1900).unwrap(); // seq 8
    assert_eq!(
        s.purge(2000, &l, Some(2)).unwrap(),
        2,
        "expired c + tombstone a"
    );
    assert_eq!(s.get(APP, "c").unwrap(), None);
    assert_eq!(s.get(APP, "a").unwrap(), None);
    assert!(
        s.get(APP, "b").unwrap().unwrap().tombstone,
        "b (seq 4) not acked by every peer"
    );
    assert_eq!(s.purge(2000, &l, Some(10)).unwrap(), 1);
    assert_eq!(s.get(APP, "b").unwrap(), None);
    assert!(
        s.get(APP, "young").unwrap().is_some(),
        "younger than retention"
    );
    assert_eq!(s.purge(2000, &l, None).unwrap(), 0);
    assert_eq!(s.purge(2900, &l, None).unwrap(), 1);
    assert_eq!(s.last_seq().unwrap(), 8, "sequence never rewinds");
    let keys: Vec<String> = s
        .changes_since(0, 100)
        .unwrap()
        .into_iter()
        .map(|c| c.record.key)
        .collect();
    assert_eq!(keys, vec!["live"]);
    // A purged tombstone loses its clock: a new PUT restarts at 1 (protocol.md §4.4).
    let r = put(s, APP, "a", 5, 3000, &l).record;
    assert_eq!(r.version, VectorClock::from([(N1, 1)]));
    assert_eq!(
        s.app_usage(APP).unwrap(),
        AppUsage {
            bytes: 5 + 5, // "live" (4 + 1) and "a" (1 + 4)
            live_keys: 2,
            tombstones: 0
        }
    );
    // retention 0 disables age-based purge
    s.delete_local(APP, "a", N1, 3001).unwrap();
    let no_age = Limits {
        tombstone_retention_ms: 0,
        ..l
    };
    assert_eq!(s.purge(u64::MAX, &no_age, None).unwrap(), 0);
}

fn purge_caps_tombstones_oldest_first(s: &dyn Storage) {
    let l = Limits {
        tombstone_retention_ms: 0,
        max_tombstones_per_app: 2,
        ..lim()
    };
    for (i, k) in ["k4", "k3", "k2", "k1"].iter().enumerate() {
        let ts = 40 - 10 * i as u64; // k4@40 … k1@10
        put(s, APP, k, 5, ts, &l);
        s.delete_local(APP, k, N1, ts).unwrap().unwrap();
    }
    put(s, OTHER_APP, "z", 5, 1, &l);
    s.delete_local(OTHER_APP, "z", N1, 1).unwrap();
    // k1 was deleted last (highest seq): with an ack watermark below its seq it must stay.
    let k1_seq = s
        .changes_since(0, 100)
        .unwrap()
        .into_iter()
        .find(|c| c.record.key == "k1")
        .unwrap()
        .seq;
    assert_eq!(s.purge(100, &l, Some(k1_seq - 1)).unwrap(), 2);
    let left = |s: &dyn Storage| -> Vec<String> {
        s.snapshot(0).unwrap()[&APP]
            .iter()
            .map(|r| r.key.clone())
            .collect()
    };
    assert_eq!(
        left(s),
        vec!["k1", "k4"],
        "k2, k3 oldest acked; k1 not acked"
    );
    assert_eq!(s.purge(100, &l, None).unwrap(), 0, "at the cap");
    assert_eq!(s.app_usage(OTHER_APP).unwrap().tombstones, 1);
}

fn binding_check(s: &dyn Storage) {
    let want = ClusterBinding {
        chain_id: 31337,
        nova_app_registry: "0x0f68e6e699f2e972998a1ecc000c7ce103e64cc8".into(),
        kms_registry: "0x6a28d24c9aecdcec9b021ee6960fdde592796af7".into(),
        kms_app_id: 49,
        node_wallet: N1.into(),
    };
    assert_eq!(s.binding().unwrap(), None);
    check_binding(s, &want).unwrap();
    assert_eq!(s.binding().unwrap(), Some(want.clone()));
    check_binding(s, &want).unwrap();
    let mixed_case = ClusterBinding {
        kms_registry: want.kms_registry.to_uppercase().replace("0X", "0x"),
        ..want.clone()
    };
    check_binding(s, &mixed_case).unwrap();
    let new_wallet = ClusterBinding {
        node_wallet: N2.into(),
        ..want.clone()
    };
    check_binding(s, &new_wallet).unwrap();
    assert_eq!(s.binding().unwrap().unwrap().node_wallet, N2);
    let cases = [
        (
            ClusterBinding {
                chain_id: 1,
                ..want.clone()
            },
            "database belongs to another cluster: chain id 31337 != 1",
        ),
        (
            ClusterBinding {
                nova_app_registry: "0x00000000000000000000000000000000000000aa".into(),
                ..want.clone()
            },
            "NovaAppRegistry address",
        ),
        (
            ClusterBinding {
                kms_registry: "0x00000000000000000000000000000000000000bb".into(),
                ..want.clone()
            },
            "KMSRegistry address",
        ),
        (
            ClusterBinding {
                kms_app_id: 50,
                ..want.clone()
            },
            "KMS app id 49 != 50",
        ),
    ];
    for (other, msg) in cases {
        let e = check_binding(s, &other).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Refused);
        assert!(e.message().contains(msg), "{e}");
    }
    assert_eq!(
        s.binding().unwrap().unwrap().node_wallet,
        N2,
        "refusals change nothing"
    );
}

fn stats_usage_and_snapshot(s: &dyn Storage) {
    assert_eq!(s.stats(0).unwrap(), StoreStats::default());
    assert_eq!(s.app_usage(APP).unwrap(), AppUsage::default());
    assert!(s.snapshot(0).unwrap().is_empty());
    put(s, APP, "b", 30, 10, &lim());
    put(s, APP, "a", 20, 10, &lim());
    put(s, APP, "t", 20, 10, &lim());
    s.delete_local(APP, "t", N1, 11).unwrap();
    s.put_local(OTHER_APP, "x", vec![0; 9], 5, N1, 10, &lim())
        .unwrap();
    let st = s.stats(12).unwrap();
    assert_eq!(
        st,
        StoreStats {
            namespaces: 2,
            total_keys: 3,
            total_bytes: 30 + 20 + 1 + 10
        }
    );
    let st = s.stats(16).unwrap();
    assert_eq!(
        (st.total_keys, st.total_bytes),
        (2, 61),
        "expired not live, still accounted"
    );
    assert_eq!(
        s.app_usage(APP).unwrap(),
        AppUsage {
            bytes: 51,
            live_keys: 2,
            tombstones: 1
        }
    );
    let snap = s.snapshot(16).unwrap();
    assert_eq!(
        snap.keys().copied().collect::<Vec<_>>(),
        vec![APP, OTHER_APP]
    );
    let keys: Vec<(&str, bool)> = snap[&APP]
        .iter()
        .map(|r| (r.key.as_str(), r.tombstone))
        .collect();
    assert_eq!(keys, vec![("a", false), ("b", false), ("t", true)]);
    assert!(
        snap[&OTHER_APP].is_empty(),
        "expired excluded, namespace listed"
    );
    assert_eq!(s.snapshot(12).unwrap()[&OTHER_APP].len(), 1);
    // the snapshot carries full records
    assert_eq!(snap[&APP][0], s.get(APP, "a").unwrap().unwrap());
}

fn concurrent_writers_get_distinct_sequences(s: &dyn Storage) {
    // The trait is object-safe and shareable across threads.
    fn _object_safe(_: std::sync::Arc<dyn Storage>) {}
    std::thread::scope(|scope| {
        for t in 0..4u64 {
            scope.spawn(move || {
                for i in 0..10u64 {
                    let key = format!("t{t}-{i}");
                    s.put_local(APP, &key, vec![1; 8], 0, N1, t * 100 + i, &lim())
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(s.last_seq().unwrap(), 40);
    let seqs: Vec<u64> = s
        .changes_since(0, 100)
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .collect();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    assert_eq!(s.app_usage(APP).unwrap().live_keys, 40);
}

fn write_error_display_and_conversion(_s: &dyn Storage) {
    let e = WriteError::QuotaExceeded {
        used: 11,
        budget: 10,
    };
    assert_eq!(
        e.to_string(),
        "app storage quota exceeded: 11 bytes needed, budget 10 bytes"
    );
    let inner = Error::integrity("boom");
    let w: WriteError = inner.into();
    let back: Error = w.into();
    assert_eq!(
        (back.kind(), back.message()),
        (ErrorKind::Integrity, "boom")
    );
}

const N3: &str = "0x3333333333333333333333333333333333333333";

fn keys_of(page: &ChangePage) -> Vec<(u64, &str)> {
    page.changes
        .iter()
        .map(|c| (c.seq, c.record.key.as_str()))
        .collect()
}

fn origin_tracking_and_exclusion(s: &dyn Storage) {
    let empty = s.changes_since_excluding(0, 10, N2).unwrap();
    assert_eq!(empty, ChangePage::default());
    put(s, APP, "local", 10, 1, &lim()); // seq 1, no origin
    let from = |key: &str, clock: VectorClock, ts: u64, origin: Option<&str>| {
        s.merge_remote_from(APP, vec![rec(key, b"v", clock, ts)], &lim(), origin)
            .unwrap()
    };
    // seq 2: new key from N2, stored as received -> origin N2
    assert_eq!(
        from("b", VectorClock::from([(N2, 1)]), 2, Some(N2)).merged,
        1
    );
    // seq 3: N2 overwrites "local" with a later clock (as received) -> origin N2
    let later = VectorClock::from([(N1, 1), (N2, 1)]);
    assert_eq!(from("local", later, 3, Some(N2)).merged, 1);
    // seq 4: from N3 -> origin N3
    assert_eq!(
        from("c", VectorClock::from([(N3, 1)]), 4, Some(N3)).merged,
        1
    );
    // seq 5: local write; seq 6: concurrent winner from N2, stored with the max clock -> no origin
    put(s, APP, "d", 10, 5, &lim());
    assert_eq!(
        from("d", VectorClock::from([(N2, 5)]), 9, Some(N2)).merged,
        1
    );
    assert_eq!(
        s.get(APP, "d").unwrap().unwrap().version,
        VectorClock::from([(N1, 1), (N2, 5)])
    );
    // seq 7: no origin at all (plain merge_remote)
    s.merge_remote(
        APP,
        vec![rec("e", b"v", VectorClock::from([(N3, 1)]), 7)],
        &lim(),
    )
    .unwrap();
    // ignored merges take no sequence and keep the old entry's origin
    assert_eq!(
        from("b", VectorClock::from([(N2, 1)]), 2, Some(N3)).skipped,
        1
    );
    assert_eq!(s.last_seq().unwrap(), 7);

    let for_n2 = s.changes_since_excluding(0, 100, N2).unwrap();
    assert_eq!(keys_of(&for_n2), vec![(4, "c"), (6, "d"), (7, "e")]);
    assert_eq!(for_n2.scanned_to, 7);
    let for_n3 = s.changes_since_excluding(0, 100, N3).unwrap();
    assert_eq!(
        keys_of(&for_n3),
        vec![(2, "b"), (3, "local"), (6, "d"), (7, "e")]
    );
    assert_eq!(for_n3.scanned_to, 7);
    // full pages end at their last change; the next page continues after it
    let p1 = s.changes_since_excluding(0, 1, N2).unwrap();
    assert_eq!((keys_of(&p1), p1.scanned_to), (vec![(4, "c")], 4));
    let p2 = s.changes_since_excluding(p1.scanned_to, 2, N2).unwrap();
    assert_eq!((keys_of(&p2), p2.scanned_to), (vec![(6, "d"), (7, "e")], 7));
    // degenerate arguments
    let z = s.changes_since_excluding(3, 0, N2).unwrap();
    assert_eq!((z.changes.len(), z.scanned_to), (0, 3));
    let beyond = s.changes_since_excluding(100, 10, N2).unwrap();
    assert_eq!((beyond.changes.len(), beyond.scanned_to), (0, 100));
    let max = s.changes_since_excluding(u64::MAX, 10, N2).unwrap();
    assert_eq!(max.scanned_to, u64::MAX);
    // lag counts
    assert_eq!(s.count_changes_since(0, None).unwrap(), 5);
    assert_eq!(s.count_changes_since(0, Some(N2)).unwrap(), 3);
    assert_eq!(s.count_changes_since(0, Some(N3)).unwrap(), 4);
    assert_eq!(s.count_changes_since(5, Some(N2)).unwrap(), 2);
    assert_eq!(s.count_changes_since(7, None).unwrap(), 0);
    assert_eq!(s.count_changes_since(u64::MAX, None).unwrap(), 0);
    // only the peer's own records after the cursor: nothing to send, the cursor may skip them
    assert_eq!(
        from("f", VectorClock::from([(N2, 1)]), 8, Some(N2)).merged,
        1
    ); // seq 8
    let own = s.changes_since_excluding(7, 10, N2).unwrap();
    assert_eq!((own.changes.len(), own.scanned_to), (0, 8));
    assert_eq!(s.count_changes_since(7, Some(N2)).unwrap(), 0);
    // a local overwrite of a received record is sent back to its origin
    put(s, APP, "b", 10, 9, &lim()); // seq 9
    let p = s.changes_since_excluding(8, 10, N2).unwrap();
    assert_eq!((keys_of(&p), p.scanned_to), (vec![(9, "b")], 9));
    // so is a delete (seq 10); a purge drops the entry and its origin
    s.delete_local(APP, "c", N1, 10).unwrap().unwrap();
    assert_eq!(
        keys_of(&s.changes_since_excluding(9, 10, N3).unwrap()),
        vec![(10, "c")]
    );
    let purge_all = Limits {
        tombstone_retention_ms: 1,
        ..lim()
    };
    assert_eq!(s.purge(1_000, &purge_all, None).unwrap(), 1);
    assert!(s
        .changes_since_excluding(9, 10, N3)
        .unwrap()
        .changes
        .is_empty());
    // eviction drops entries (and origins) too: x (seq 11) is evicted when y (seq 12) arrives
    let tiny = budget(30, QuotaPolicy::Evict);
    let x = rec("x", &[1; 10], VectorClock::from([(N2, 1)]), 10);
    s.merge_remote_from(OTHER_APP, vec![x], &tiny, Some(N2))
        .unwrap();
    let y = rec("y", &[1; 25], VectorClock::from([(N3, 1)]), 11);
    s.merge_remote_from(OTHER_APP, vec![y], &tiny, Some(N3))
        .unwrap();
    assert!(s.get(OTHER_APP, "x").unwrap().is_none(), "x evicted");
    assert_eq!(s.last_seq().unwrap(), 13);
    let p = s.changes_since_excluding(10, 10, N3).unwrap();
    assert_eq!((p.changes.len(), p.scanned_to), (0, 13));
    assert_eq!(
        keys_of(&s.changes_since_excluding(10, 10, N2).unwrap()),
        vec![(12, "y")]
    );
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod memory_backend {
            $(
                #[test]
                fn $case() {
                    let (s, _dir) = super::make_memory();
                    super::$case(&*s);
                }
            )*
        }
        mod redb_backend {
            $(
                #[test]
                fn $case() {
                    let (s, _dir) = super::make_redb();
                    super::$case(&*s);
                }
            )*
        }
    };
}

suite!(
    put_get_and_clock_increments,
    put_continues_clock_of_tombstone_and_expired,
    delete_writes_tombstone_and_missing_is_none,
    ttl_expiry,
    merge_rules_of_protocol_6_6,
    merge_is_idempotent,
    eviction_of_least_recently_updated,
    reject_policy_refuses_and_changes_nothing,
    quota_impossible_and_value_too_large,
    merge_evicts_even_under_reject,
    change_log_latest_seq_per_key_and_monotonic,
    peer_cursors,
    sealed_master_secret_round_trip,
    purge_respects_retention_and_peer_acks,
    purge_caps_tombstones_oldest_first,
    binding_check,
    stats_usage_and_snapshot,
    concurrent_writers_get_distinct_sequences,
    write_error_display_and_conversion,
    origin_tracking_and_exclusion,
);
