//! Paged snapshots ([`Storage::snapshot_page`]) and pull cursors: pages cover every record
//! exactly once, respect both bounds, skip expired records, and a record rewritten while
//! paging moves ahead of the cursor instead of being lost.

use super::*;

/// Page through the whole log from `after` with the given bounds; returns the pages.
fn pages(s: &dyn Storage, after: u64, max_records: usize, max_bytes: usize) -> Vec<SnapshotPage> {
    let mut out = Vec::new();
    let mut cursor = after;
    loop {
        let p = s
            .snapshot_page(cursor, max_records, max_bytes, 0, &[])
            .unwrap();
        assert!(p.scanned_to >= cursor, "a page never goes back");
        let done = p.scanned_to >= p.last_seq;
        cursor = p.scanned_to;
        out.push(p);
        if done {
            return out;
        }
        assert!(out.len() < 1000, "paging does not terminate");
    }
}

pub(super) fn snapshot_pages_cover_every_record_within_bounds(s: &dyn Storage) {
    let empty = s.snapshot_page(0, 10, 1 << 20, 0, &[]).unwrap();
    assert_eq!(
        empty,
        SnapshotPage {
            log_id: s.log_id().unwrap(),
            ..SnapshotPage::default()
        },
        "empty store: one empty, final page"
    );
    for i in 0..25u64 {
        put(s, APP + i % 2, &format!("k{i:02}"), 100, 10 + i, &lim());
    }
    s.delete_local(APP, "k00", N1, 100).unwrap().unwrap();
    put(s, APP, "k02", 100, 101, &lim()); // rewritten: its old sequence is gone
    let all = s.snapshot(0).unwrap();
    let total: usize = all.values().map(Vec::len).sum();
    assert_eq!(total, 25);
    // by records: 7 per page
    let ps = pages(s, 0, 7, usize::MAX);
    assert_eq!(ps.len(), 4);
    assert!(ps.iter().all(|p| p.changes.len() <= 7));
    let mut seen: Vec<(u64, Record)> = ps
        .iter()
        .flat_map(|p| p.changes.iter().map(|c| (c.app_id, c.record.clone())))
        .collect();
    seen.sort_by(|a, b| (a.0, &a.1.key).cmp(&(b.0, &b.1.key)));
    let want: Vec<(u64, Record)> = all
        .iter()
        .flat_map(|(app, recs)| recs.iter().map(|r| (*app, r.clone())))
        .collect();
    assert_eq!(seen, want, "every record exactly once, tombstone included");
    // by bytes: a page stops once its records reached the budget (every record but the last
    // is below it), and a budget below one record still makes progress one record at a time
    let ps = pages(s, 0, 1000, 250);
    for p in &ps {
        let costs: Vec<u64> = p.changes.iter().map(|c| c.record.cost()).collect();
        let before_last: u64 = costs.iter().rev().skip(1).sum();
        assert!(before_last < 250, "byte bound: {costs:?}");
    }
    assert!(ps.len() >= 8, "25 records of ~100 bytes in pages of ~250");
    assert_eq!(ps.iter().map(|p| p.changes.len()).sum::<usize>(), 25);
    let ps = pages(s, 0, 1000, 1);
    assert!(ps[..ps.len() - 1].iter().all(|p| p.changes.len() == 1));
    assert_eq!(ps.iter().map(|p| p.changes.len()).sum::<usize>(), 25);
    // from a cursor: only what changed after it
    let last = s.last_seq().unwrap();
    put(s, APP, "new", 50, 200, &lim());
    let p = s.snapshot_page(last, 100, 1 << 20, 0, &[]).unwrap();
    let keys: Vec<&str> = p.changes.iter().map(|c| c.record.key.as_str()).collect();
    assert_eq!(keys, vec!["new"]);
    assert_eq!((p.scanned_to, p.last_seq), (last + 1, last + 1));
    // max_records 0 and the end of the log
    let p = s.snapshot_page(3, 0, 1 << 20, 0, &[]).unwrap();
    assert_eq!(
        (p.changes.len(), p.scanned_to, p.last_seq),
        (0, 3, last + 1)
    );
    let p = s.snapshot_page(u64::MAX, 5, 1 << 20, 0, &[]).unwrap();
    assert!(p.changes.is_empty());
}

pub(super) fn snapshot_page_skips_expired_and_follows_rewrites(s: &dyn Storage) {
    s.put_local(APP, "ttl", b"v".to_vec(), 10, N1, 100, &lim())
        .unwrap();
    put(s, APP, "a", 10, 101, &lim());
    put(s, APP, "b", 10, 102, &lim());
    // at 200 the TTL record has expired: scanned, not returned
    let p = s.snapshot_page(0, 10, 1 << 20, 200, &[]).unwrap();
    let keys: Vec<&str> = p.changes.iter().map(|c| c.record.key.as_str()).collect();
    assert_eq!(keys, vec!["a", "b"]);
    assert_eq!(p.scanned_to, 3);
    // a paged reader that has read up to "a" (seq 2) while "a" is rewritten finds the new
    // version after its cursor: nothing written during a paged pull is missed
    let first = s.snapshot_page(0, 1, 1 << 20, 200, &[]).unwrap();
    assert_eq!(first.scanned_to, 2);
    put(s, APP, "a", 11, 103, &lim());
    let rest = s
        .snapshot_page(first.scanned_to, 10, 1 << 20, 200, &[])
        .unwrap();
    let got: Vec<(&str, u64)> = rest
        .changes
        .iter()
        .map(|c| (c.record.key.as_str(), c.record.updated_at_ms))
        .collect();
    assert_eq!(got, vec![("b", 102), ("a", 103)]);
    assert_eq!(rest.scanned_to, rest.last_seq);
}

pub(super) fn pull_cursors_round_trip(s: &dyn Storage) {
    let cur = |seq: u64, log: Option<&str>| PullCursor {
        seq,
        log_id: log.map(str::to_string),
    };
    let (l1, l2) = (new_log_id(), new_log_id());
    assert_eq!(s.pull_cursor(N2).unwrap(), None);
    s.set_pull_cursor(N2, &cur(42, Some(&l1))).unwrap();
    s.set_pull_cursor(N1, &cur(7, None)).unwrap();
    assert_eq!(s.pull_cursor(N2).unwrap(), Some(cur(42, Some(&l1))));
    s.set_pull_cursor(N2, &cur(3, Some(&l2))).unwrap();
    assert_eq!(
        s.pull_cursor(N2).unwrap(),
        Some(cur(3, Some(&l2))),
        "replaced (seq and log), may go down"
    );
    assert_eq!(s.pull_cursor(N1).unwrap(), Some(cur(7, None)));
    // A cursor without a log id replaces one with: the old id is not kept.
    s.set_pull_cursor(N2, &cur(5, None)).unwrap();
    assert_eq!(s.pull_cursor(N2).unwrap(), Some(cur(5, None)));
    // A log id of another shape (from a peer) is stored as absent.
    for bad in ["", "xyz", &l1.to_uppercase(), &format!("{l1}00")] {
        s.set_pull_cursor(N1, &cur(9, Some(bad))).unwrap();
        assert_eq!(s.pull_cursor(N1).unwrap(), Some(cur(9, None)), "{bad:?}");
    }
    // independent of the push cursor
    assert_eq!(s.peer_cursor(N2).unwrap(), None);
}

/// Every database has a change-log id of the documented shape, the same in every page and
/// every read, and distinct from another database's (`Storage::log_id`).
pub(super) fn log_id_is_stable_and_in_every_page(s: &dyn Storage) {
    let id = s
        .log_id()
        .unwrap()
        .expect("a read-write database has a log id");
    assert!(valid_log_id(&id), "{id}");
    assert_ne!(id, new_log_id());
    s.put_local(APP, "a", vec![1], 0, N1, 100, &lim()).unwrap();
    assert_eq!(s.log_id().unwrap().as_deref(), Some(id.as_str()));
    let page = s.snapshot_page(0, 10, 1 << 20, 100, &[]).unwrap();
    assert_eq!(page.log_id.as_deref(), Some(id.as_str()));
    let empty = s.snapshot_page(0, 0, 0, 100, &[]).unwrap();
    assert_eq!(empty.log_id.as_deref(), Some(id.as_str()));
}

pub(super) fn snapshot_page_leaves_out_excluded_origins(s: &dyn Storage) {
    const N3: &str = "0x3333333333333333333333333333333333333333";
    let from = |key: &str, clock: VectorClock, origin: &str| {
        s.merge_remote_from(APP, vec![rec(key, b"v", clock, 5)], &lim(), Some(origin))
            .unwrap()
    };
    put(s, APP, "local", 10, 1, &lim()); // seq 1, no origin
    from("from2", VectorClock::from([(N2, 1)]), N2); // seq 2, origin N2
    from("from3", VectorClock::from([(N3, 1)]), N3); // seq 3, origin N3
    put(s, APP, "d", 10, 4, &lim()); // seq 4, local
                                     // seq 5: concurrent winner from N2, stored with the max clock: not as received, no origin
    from("d", VectorClock::from([(N2, 9)]), N2);
    let keys = |p: &SnapshotPage| -> Vec<String> {
        p.changes.iter().map(|c| c.record.key.clone()).collect()
    };
    let all = s.snapshot_page(0, 100, 1 << 20, 0, &[]).unwrap();
    assert_eq!(keys(&all), vec!["local", "from2", "from3", "d"]);
    let no2 = s
        .snapshot_page(0, 100, 1 << 20, 0, &[N2.to_string()])
        .unwrap();
    assert_eq!(
        keys(&no2),
        vec!["local", "from3", "d"],
        "the merged d stays"
    );
    assert_eq!(
        (no2.scanned_to, no2.last_seq),
        (5, 5),
        "skipped entries count as scanned"
    );
    let neither = s
        .snapshot_page(0, 100, 1 << 20, 0, &[N3.to_string(), N2.to_string()])
        .unwrap();
    assert_eq!(keys(&neither), vec!["local", "d"]);
    // with one record per page the cursor still passes the skipped entries
    let p = s
        .snapshot_page(1, 1, 1 << 20, 0, &[N2.to_string(), N3.to_string()])
        .unwrap();
    assert_eq!((keys(&p), p.scanned_to), (vec!["d".to_string()], 5));
    // a stranger's wallet excludes nothing
    let other = s
        .snapshot_page(0, 100, 1 << 20, 0, &[N1.to_string()])
        .unwrap();
    assert_eq!(keys(&other), keys(&all));
    assert!(
        !origin_excluded(None, &[N1.to_string()]),
        "local changes never"
    );
}

pub(super) fn snapshot_page_scans_a_bounded_number_of_entries(s: &dyn Storage) {
    let n = PAGE_MAX_SCANNED + 10;
    let recs: Vec<Record> = (0..n)
        .map(|i| rec(&format!("k{i:06}"), b"v", VectorClock::from([(N2, 1)]), 5))
        .collect();
    s.merge_remote_from(APP, recs, &lim(), Some(N2)).unwrap();
    put(s, APP, "mine", 10, 6, &lim());
    let excl = [N2.to_string()];
    let p = s.snapshot_page(0, 100, 1 << 20, 0, &excl).unwrap();
    assert!(p.changes.is_empty());
    assert_eq!(
        p.scanned_to, PAGE_MAX_SCANNED as u64,
        "ends after the scan bound"
    );
    let p = s
        .snapshot_page(p.scanned_to, 100, 1 << 20, 0, &excl)
        .unwrap();
    assert_eq!(p.changes.len(), 1);
    assert_eq!(p.changes[0].record.key, "mine");
    assert_eq!(p.scanned_to, p.last_seq);
}

pub(super) fn caught_up_once_is_a_sticky_flag(s: &dyn Storage) {
    assert!(!s.caught_up_once().unwrap(), "a new database");
    s.set_caught_up_once().unwrap();
    s.set_caught_up_once().unwrap();
    assert!(s.caught_up_once().unwrap());
}
