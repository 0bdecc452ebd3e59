//! The change log and what reads it: sequences, peer cursors, origins, purge, concurrent
//! writers.

use super::*;

pub(super) fn change_log_latest_seq_per_key_and_monotonic(s: &dyn Storage) {
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
    let all: Vec<u64> = all_seqs(s);
    assert_eq!(all, vec![3, 4, 5]);
}

pub(super) fn peer_cursors(s: &dyn Storage) {
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

    // advance: each field only moves forward; set moves back.
    let cur = |acked_seq, last_success_ms| PeerCursor {
        acked_seq,
        last_success_ms,
    };
    assert_eq!(
        s.advance_peer_cursor(N2, &cur(5, 3000)).unwrap(),
        cur(9, 3000)
    );
    assert_eq!(
        s.advance_peer_cursor(N2, &cur(12, 0)).unwrap(),
        cur(12, 3000)
    );
    assert_eq!(
        s.advance_peer_cursor(N2, &cur(12, 3000)).unwrap(),
        cur(12, 3000)
    );
    assert_eq!(s.peer_cursor(N2).unwrap(), Some(cur(12, 3000)));
    assert_eq!(
        s.advance_peer_cursor(N1, &cur(4, 0)).unwrap(),
        cur(4, 0),
        "no cursor yet: created"
    );
    assert_eq!(s.peer_cursor(N1).unwrap(), Some(cur(4, 0)));
    s.set_peer_cursor(N2, &cur(1, 1)).unwrap();
    assert_eq!(
        s.peer_cursor(N2).unwrap(),
        Some(cur(1, 1)),
        "set moves back"
    );
}

pub(super) fn purge_respects_retention_and_peer_acks(s: &dyn Storage) {
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

pub(super) fn purge_caps_tombstones_oldest_first(s: &dyn Storage) {
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

pub(super) fn purge_applies_retention_then_the_cap_in_one_pass(s: &dyn Storage) {
    let l = Limits {
        tombstone_retention_ms: 1000,
        max_tombstones_per_app: 2,
        ..lim()
    };
    // 3 tombstones past retention at now = 2000 (t 10..30), 5 within it (t 1500..1540)
    let mut t = Vec::new();
    for i in 0..3u64 {
        t.push((format!("old{i}"), 10 + 10 * i));
    }
    for i in 0..5u64 {
        t.push((format!("new{i}"), 1500 + 10 * i));
    }
    for (k, ts) in &t {
        put(s, APP, k, 5, *ts, &l);
        s.delete_local(APP, k, N1, *ts).unwrap().unwrap();
    }
    // retention removes the 3 old ones; 5 remain, 3 over the cap: the 3 oldest of those go
    assert_eq!(s.purge(2000, &l, None).unwrap(), 6);
    let left: Vec<String> = s.snapshot(0).unwrap()[&APP]
        .iter()
        .map(|r| r.key.clone())
        .collect();
    assert_eq!(left, vec!["new3", "new4"]);
    assert_eq!(s.app_usage(APP).unwrap().tombstones, 2);
}

pub(super) fn concurrent_writers_get_distinct_sequences(s: &dyn Storage) {
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
    let seqs: Vec<u64> = all_seqs(s);
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    assert_eq!(s.app_usage(APP).unwrap().live_keys, 40);
}

const N3: &str = "0x3333333333333333333333333333333333333333";

/// Sequence numbers of the whole change log, ascending.
fn all_seqs(s: &dyn Storage) -> Vec<u64> {
    s.changes_since(0, 100)
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .collect()
}

fn keys_of(page: &ChangePage) -> Vec<(u64, &str)> {
    page.changes
        .iter()
        .map(|c| (c.seq, c.record.key.as_str()))
        .collect()
}

pub(super) fn origin_tracking_and_exclusion(s: &dyn Storage) {
    let empty = s
        .changes_since_excluding(0, 10, PushFilter::relaying(N2))
        .unwrap();
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

    let for_n2 = s
        .changes_since_excluding(0, 100, PushFilter::relaying(N2))
        .unwrap();
    assert_eq!(keys_of(&for_n2), vec![(4, "c"), (6, "d"), (7, "e")]);
    assert_eq!(for_n2.scanned_to, 7);
    let for_n3 = s
        .changes_since_excluding(0, 100, PushFilter::relaying(N3))
        .unwrap();
    assert_eq!(
        keys_of(&for_n3),
        vec![(2, "b"), (3, "local"), (6, "d"), (7, "e")]
    );
    assert_eq!(for_n3.scanned_to, 7);
    // without relaying, only entries without an origin go, to either peer; the cursor still
    // passes the rest
    for peer in [N2, N3] {
        let own = s
            .changes_since_excluding(0, 100, PushFilter::own_only(peer))
            .unwrap();
        assert_eq!(keys_of(&own), vec![(6, "d"), (7, "e")]);
        assert_eq!(own.scanned_to, 7);
        assert_eq!(
            s.count_changes_since(0, Some(PushFilter::own_only(peer)))
                .unwrap(),
            2
        );
    }
    let own = s
        .changes_since_excluding(0, 1, PushFilter::own_only(N3))
        .unwrap();
    assert_eq!((keys_of(&own), own.scanned_to), (vec![(6, "d")], 6));
    // full pages end at their last change; the next page continues after it
    let p1 = s
        .changes_since_excluding(0, 1, PushFilter::relaying(N2))
        .unwrap();
    assert_eq!((keys_of(&p1), p1.scanned_to), (vec![(4, "c")], 4));
    let p2 = s
        .changes_since_excluding(p1.scanned_to, 2, PushFilter::relaying(N2))
        .unwrap();
    assert_eq!((keys_of(&p2), p2.scanned_to), (vec![(6, "d"), (7, "e")], 7));
    // degenerate arguments
    let z = s
        .changes_since_excluding(3, 0, PushFilter::relaying(N2))
        .unwrap();
    assert_eq!((z.changes.len(), z.scanned_to), (0, 3));
    let beyond = s
        .changes_since_excluding(100, 10, PushFilter::relaying(N2))
        .unwrap();
    assert_eq!((beyond.changes.len(), beyond.scanned_to), (0, 100));
    let max = s
        .changes_since_excluding(u64::MAX, 10, PushFilter::relaying(N2))
        .unwrap();
    assert_eq!(max.scanned_to, u64::MAX);
    // lag counts
    assert_eq!(s.count_changes_since(0, None).unwrap(), 5);
    assert_eq!(
        s.count_changes_since(0, Some(PushFilter::relaying(N2)))
            .unwrap(),
        3
    );
    assert_eq!(
        s.count_changes_since(0, Some(PushFilter::relaying(N3)))
            .unwrap(),
        4
    );
    assert_eq!(
        s.count_changes_since(5, Some(PushFilter::relaying(N2)))
            .unwrap(),
        2
    );
    assert_eq!(s.count_changes_since(7, None).unwrap(), 0);
    assert_eq!(s.count_changes_since(u64::MAX, None).unwrap(), 0);
    // only the peer's own records after the cursor: nothing to send, the cursor may skip them
    assert_eq!(
        from("f", VectorClock::from([(N2, 1)]), 8, Some(N2)).merged,
        1
    ); // seq 8
    let own = s
        .changes_since_excluding(7, 10, PushFilter::relaying(N2))
        .unwrap();
    assert_eq!((own.changes.len(), own.scanned_to), (0, 8));
    assert_eq!(
        s.count_changes_since(7, Some(PushFilter::relaying(N2)))
            .unwrap(),
        0
    );
    // a local overwrite of a received record is sent back to its origin
    put(s, APP, "b", 10, 9, &lim()); // seq 9
    let p = s
        .changes_since_excluding(8, 10, PushFilter::relaying(N2))
        .unwrap();
    assert_eq!((keys_of(&p), p.scanned_to), (vec![(9, "b")], 9));
    // so is a delete (seq 10); a purge drops the entry and its origin
    s.delete_local(APP, "c", N1, 10).unwrap().unwrap();
    assert_eq!(
        keys_of(
            &s.changes_since_excluding(9, 10, PushFilter::relaying(N3))
                .unwrap()
        ),
        vec![(10, "c")]
    );
    let purge_all = Limits {
        tombstone_retention_ms: 1,
        ..lim()
    };
    assert_eq!(s.purge(1_000, &purge_all, None).unwrap(), 1);
    assert!(s
        .changes_since_excluding(9, 10, PushFilter::relaying(N3))
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
    let p = s
        .changes_since_excluding(10, 10, PushFilter::relaying(N3))
        .unwrap();
    assert_eq!((p.changes.len(), p.scanned_to), (0, 13));
    assert_eq!(
        keys_of(
            &s.changes_since_excluding(10, 10, PushFilter::relaying(N2))
                .unwrap()
        ),
        vec![(12, "y")]
    );
}

/// Issue 10, rejoin after a restore: the marker round-trips, and `drop_unconfirmed` removes
/// only candidates still at or below the high-water sequence (a record merged or written
/// since stays), leaving no tombstone and no change-log entry to offer.
pub(super) fn restore_marker_and_drop_unconfirmed(s: &dyn Storage) {
    assert_eq!(s.restore_marker().unwrap(), None);
    let l = lim();
    put(s, APP, "kept", 40, 1, &l);
    put(s, APP, "gone", 40, 2, &l);
    put(s, APP, "rewritten", 40, 3, &l);
    s.delete_local(APP, "old-delete", N1, 4).unwrap();
    put(s, OTHER_APP, "gone2", 40, 5, &l);
    let high = s.last_seq().unwrap();
    let m = RestoreMarker {
        snapshot_created_at_ms: 10,
        high_water_seq: high,
        restored_at_ms: 20,
    };
    s.set_restore_marker(Some(&m)).unwrap();
    assert_eq!(s.restore_marker().unwrap(), Some(m));
    // Written after the restore: newer sequence, must survive.
    put(s, APP, "rewritten", 40, 6, &l);
    let candidates: Vec<(u64, String)> = [
        (APP, "gone"),
        (APP, "rewritten"),
        (OTHER_APP, "gone2"),
        (APP, "never-existed"),
    ]
    .iter()
    .map(|(a, k)| (*a, k.to_string()))
    .collect();
    assert_eq!(s.drop_unconfirmed(&candidates, high).unwrap(), 2);
    assert!(s.get(APP, "gone").unwrap().is_none(), "no tombstone left");
    assert!(s.get(OTHER_APP, "gone2").unwrap().is_none());
    assert!(s.get(APP, "rewritten").unwrap().is_some());
    assert!(s.get(APP, "kept").unwrap().is_some());
    assert_eq!(s.app_usage(OTHER_APP).unwrap(), AppUsage::default());
    let keys: Vec<String> = s
        .changes_since(0, 100)
        .unwrap()
        .into_iter()
        .map(|c| c.record.key)
        .collect();
    assert!(
        !keys.iter().any(|k| k == "gone" || k == "gone2"),
        "{keys:?}"
    );
    s.set_restore_marker(None).unwrap();
    assert_eq!(s.restore_marker().unwrap(), None);
}
