//! Merging replicated records (protocol.md §6.6): the rule, idempotence, eviction on merge.

use super::*;

pub(super) fn merge_rules_of_protocol_6_6(s: &dyn Storage) {
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

pub(super) fn merge_is_idempotent(s: &dyn Storage) {
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

pub(super) fn merge_evicts_even_under_reject(s: &dyn Storage) {
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
