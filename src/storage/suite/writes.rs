//! Local writes and quotas: put/delete clocks, TTL, eviction, the reject policy, size limits.

use super::*;

pub(super) fn put_get_and_clock_increments(s: &dyn Storage) {
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

pub(super) fn put_continues_clock_of_tombstone_and_expired(s: &dyn Storage) {
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

pub(super) fn delete_writes_tombstone_and_missing_is_none(s: &dyn Storage) {
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

pub(super) fn ttl_expiry(s: &dyn Storage) {
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

pub(super) fn eviction_of_least_recently_updated(s: &dyn Storage) {
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

pub(super) fn reject_policy_refuses_and_changes_nothing(s: &dyn Storage) {
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

pub(super) fn quota_impossible_and_value_too_large(s: &dyn Storage) {
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
    // exactly the limit (value size + the inbound slack of 128 bytes) is accepted
    let roomy = Limits {
        max_kv_value_size_bytes: 200,
        ..lim()
    };
    assert!(s
        .put_local(APP, "c", vec![0; 328], 0, N1, 3, &roomy)
        .is_ok());
}

pub(super) fn local_batch_applies_in_order_with_per_op_refusals(s: &dyn Storage) {
    let l = Limits {
        max_kv_value_size_bytes: 200,
        ..lim()
    };
    put(s, APP, "old", 10, 1, &l);
    let put_op = |key: &str, value: Vec<u8>| LocalWrite::Put {
        app_id: APP,
        key: key.into(),
        value,
        ttl_ms: 0,
    };
    let del_op = |key: &str| LocalWrite::Delete {
        app_id: APP,
        key: key.into(),
    };
    let ops = vec![
        put_op("a", b"1".to_vec()),
        put_op("big", vec![0; 329]),
        put_op("a", b"2".to_vec()),
        del_op("old"),
        del_op("missing"),
    ];
    let out = s.apply_local_batch(ops, N1, 5, &l).unwrap();
    assert_eq!(out.len(), 5, "one result per op");
    match &out[0] {
        Ok(LocalOutcome::Put(p)) => assert_eq!(
            (p.record.value.as_slice(), p.record.version.get(N1)),
            (&b"1"[..], 1)
        ),
        other => panic!("op 0: {other:?}"),
    }
    assert!(
        matches!(out[1], Err(WriteError::ValueTooLarge { len: 329, .. })),
        "a refused op is that op's result only: {:?}",
        out[1]
    );
    match &out[2] {
        Ok(LocalOutcome::Put(p)) => assert_eq!(
            (p.record.value.as_slice(), p.record.version.get(N1)),
            (&b"2"[..], 2),
            "in order: sees op 0"
        ),
        other => panic!("op 2: {other:?}"),
    }
    match &out[3] {
        Ok(LocalOutcome::Delete(Some(t))) => assert!(t.tombstone && t.key == "old"),
        other => panic!("op 3: {other:?}"),
    }
    assert!(
        matches!(out[4], Ok(LocalOutcome::Delete(None))),
        "{:?}",
        out[4]
    );
    assert_eq!(s.get(APP, "a").unwrap().unwrap().value, b"2");
    assert!(s.get(APP, "big").unwrap().is_none());
    assert!(s.get(APP, "old").unwrap().unwrap().tombstone);
}
