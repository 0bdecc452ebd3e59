//! Paged snapshot pulls between in-process nodes (issue 12 item 1, `node::replicator::paged`):
//! real `NodeState`s on memory storage serving the real router on 127.0.0.1 (see
//! `common::inproc` for why no chain here). Requests carry real PoP, envelopes and HMACs.

mod common;

use common::inproc::{mesh, settings, Node, APP};
use novakms::client::peer::PageRequest;
use novakms::node::replicator::{self, PULL_PAGE_RECORDS};
use novakms::storage::PullCursor;

/// A pull cursor at `seq` in the log `log_id`.
fn at(seq: u64, log_id: Option<String>) -> PullCursor {
    PullCursor { seq, log_id }
}

/// Every record of `n` (tombstones included), by app.
fn contents(n: &Node) -> std::collections::BTreeMap<u64, Vec<novakms::store::Record>> {
    n.st.storage.snapshot(n.st.clock.now_ms()).unwrap()
}

/// `got` holds exactly `want`'s records (clocks included); names the differing keys.
fn assert_same(got: &Node, want: &Node) {
    let (g, w) = (contents(got), contents(want));
    if g != w {
        let flat = |m: &std::collections::BTreeMap<u64, Vec<novakms::store::Record>>| {
            m.iter()
                .flat_map(|(a, rs)| rs.iter().map(move |r| ((*a, r.key.clone()), r.clone())))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let (g, w) = (flat(&g), flat(&w));
        let diff: Vec<_> = w
            .keys()
            .chain(g.keys())
            .filter(|k| g.get(*k) != w.get(*k))
            .take(10)
            .collect();
        panic!("contents differ at {diff:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paged_pull_merges_page_by_page_and_catches_writes_made_meanwhile() {
    let a = Node::start(settings(|_| {})).await;
    let b = Node::start(settings(|_| {})).await;
    mesh(&[&a, &b]);
    let n = PULL_PAGE_RECORDS * 2 + 300; // three pages by count
    for i in 0..n {
        a.put(&format!("k{i:05}"), &[i as u8; 200]);
    }
    a.st.storage
        .delete_local(APP, "k00007", &a.st.wallet, a.st.clock.now_ms())
        .unwrap()
        .unwrap();
    // Between pages (the progress callback runs after a page is merged, before the next one
    // is asked), the donor keeps writing: a rewrite of a record already pulled, a new key,
    // a delete of a record not pulled yet.
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let out = replicator::pull_from(&b.st, &a.info(), &PullCursor::default(), &[], |_, _| {
        let c = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if c < 2 {
            a.put("k00001", format!("rewritten {c}").as_bytes());
            a.put(&format!("new-{c}"), b"during the pull");
            a.st.storage
                .delete_local(
                    APP,
                    &format!("k{:05}", n - 1 - c),
                    &a.st.wallet,
                    a.st.clock.now_ms(),
                )
                .unwrap();
        }
    })
    .await
    .unwrap();
    assert!(out.pages >= 3, "pulled in pages: {out:?}");
    assert!(!out.single_response);
    assert_eq!(out.report.rejected, 0);
    // b holds exactly what a holds now, clocks included: nothing written during the pull was
    // missed and no page was applied twice in a way that changed anything.
    assert_same(&b, &a);
    assert!(b.st.storage.get(APP, "k00007").unwrap().unwrap().tombstone);
    assert!(
        b.st.storage
            .get(APP, &format!("k{:05}", n - 1))
            .unwrap()
            .unwrap()
            .tombstone
    );
    assert!(b.has("new-0") && b.has("new-1"));
    let rewritten = b.st.storage.get(APP, "k00001").unwrap().unwrap();
    assert_eq!(rewritten.version.get(&a.st.wallet), 3);
    // The pull cursor is a's end of log: a second pull from it fetches nothing.
    let cursor = b.st.storage.pull_cursor(&a.st.wallet).unwrap().unwrap();
    assert_eq!(
        cursor,
        at(
            a.st.storage.last_seq().unwrap(),
            a.st.storage.log_id().unwrap()
        ),
        "the cursor names a's log"
    );
    let again = replicator::pull_from(&b.st, &a.info(), &cursor, &[], |_, _| {})
        .await
        .unwrap();
    assert_eq!((again.pages, again.report.total), (1, 0));
    // ...and after one more write, exactly that write.
    a.put("after", b"x");
    let again = replicator::pull_from(&b.st, &a.info(), &cursor, &[], |_, _| {})
        .await
        .unwrap();
    assert_eq!(again.report.total, 1);
    assert!(b.has("after"));
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cursor_beyond_the_donors_log_restarts_from_zero() {
    let a = Node::start(settings(|_| {})).await;
    let b = Node::start(settings(|_| {})).await;
    mesh(&[&a, &b]);
    for i in 0..10 {
        a.put(&format!("k{i}"), b"v");
    }
    // A cursor from a previous life of a's database (a restore, a new data dir).
    let out = replicator::pull_from(&b.st, &a.info(), &at(1_000_000, None), &[], |_, _| {})
        .await
        .unwrap();
    assert_eq!(out.report.merged, 10);
    assert_same(&b, &a);
    a.shutdown().await;
    b.shutdown().await;
}

/// The pull-cursor hazard a shorter log cannot show (`node::replicator::paged`, "Pull
/// cursors"): b pulled a's log up to some sequence; a then got a new database (a restore, a
/// new data dir) whose log grew past that sequence before b pulls again. Resuming at the
/// sequence would skip the new log's first entries; the log id tells the logs apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cursor_of_another_log_of_the_donor_restarts_from_zero() {
    let a = Node::start(settings(|_| {})).await;
    let b = Node::start(settings(|_| {})).await;
    mesh(&[&a, &b]);
    for i in 0..30 {
        a.put(&format!("k{i:02}"), b"v");
    }
    let own_log = a.st.storage.log_id().unwrap().unwrap();
    // b's cursor: sequence 20 of a previous log of a (same wallet, another database).
    let previous_log = novakms::storage::new_log_id();
    let out = replicator::pull_from(
        &b.st,
        &a.info(),
        &at(20, Some(previous_log)),
        &[],
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(
        out.report.merged, 30,
        "pulled from 0, not after 20: {out:?}"
    );
    assert_same(&b, &a);
    assert_eq!(
        b.st.storage.pull_cursor(&a.st.wallet).unwrap().unwrap(),
        at(a.st.storage.last_seq().unwrap(), Some(own_log.clone())),
        "the stored cursor now names a's current log"
    );
    // The same sequence in a's current log: resumed there (only what came after).
    a.put("k30", b"v");
    let out = replicator::pull_from(&b.st, &a.info(), &at(30, Some(own_log)), &[], |_, _| {})
        .await
        .unwrap();
    assert_eq!(out.report.total, 1, "resumed after 30: {out:?}");
    // A cursor without a log id (stored by an older build) is taken at its word when the
    // log is long enough: the sequence check is all an older donor allows.
    let out = replicator::pull_from(&b.st, &a.info(), &at(30, None), &[], |_, _| {})
        .await
        .unwrap();
    assert_eq!(out.report.total, 1, "{out:?}");
    a.shutdown().await;
    b.shutdown().await;
}

/// Push cursors (`node::replicator::paged`, "Push cursors"): a page served to a peer moves the
/// donor's push cursor for that peer to the page's end when the request starts at 0 or names
/// the donor's log, never back, and not for a cursor of another log.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn served_pages_move_the_donors_push_cursor_forward() {
    let a = Node::start(settings(|_| {})).await;
    let b = Node::start(settings(|_| {})).await;
    mesh(&[&a, &b]);
    let n = PULL_PAGE_RECORDS + 100; // two pages
    for i in 0..n {
        a.put(&format!("k{i:05}"), b"v");
    }
    let pushed_to_b = || {
        a.st.storage
            .peer_cursor(&b.st.wallet)
            .unwrap()
            .map_or(0, |c| c.acked_seq)
    };
    assert_eq!(pushed_to_b(), 0);
    let end = a.st.storage.last_seq().unwrap();
    replicator::pull_from(&b.st, &a.info(), &PullCursor::default(), &[], |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        pushed_to_b(),
        end,
        "b pulled a's whole log: a does not push it again"
    );
    assert_eq!(
        a.st.storage
            .peer_cursor(&b.st.wallet)
            .unwrap()
            .unwrap()
            .last_success_ms,
        0,
        "a page is not a push: no push success recorded"
    );
    // A cursor in another log of a: the first page names that log, a moves nothing for it
    // (b then starts over from 0, which moves the cursor to the end again: never back).
    a.put("later", b"v");
    let other = at(5, Some(novakms::storage::new_log_id()));
    a.st.storage
        .set_peer_cursor(
            &b.st.wallet,
            &novakms::storage::PeerCursor {
                acked_seq: 3,
                last_success_ms: 0,
            },
        )
        .unwrap();
    let key = b.st.with_secret(|s| s.sync_key()).unwrap();
    let single = |log_id| PageRequest {
        after_seq: 5,
        max_records: 1,
        max_bytes: 1 << 20,
        exclude_origins: &[],
        log_id,
    };
    let other_log = other.log_id.clone().unwrap();
    b.st.peer_client
        .snapshot_page(&a.info(), &key, &single(Some(other_log.as_str())))
        .await
        .unwrap();
    assert_eq!(pushed_to_b(), 3, "a page of another log moves nothing");
    b.st.peer_client
        .snapshot_page(&a.info(), &key, &single(None))
        .await
        .unwrap();
    assert_eq!(pushed_to_b(), 3, "nor does one that names no log past 0");
    let own = a.st.storage.log_id().unwrap().unwrap();
    b.st.peer_client
        .snapshot_page(&a.info(), &key, &single(Some(own.as_str())))
        .await
        .unwrap();
    assert_eq!(
        pushed_to_b(),
        6,
        "a page of a's log: to its end (one record after 5)"
    );
    let out = replicator::pull_from(&b.st, &a.info(), &other, &[], |_, _| {})
        .await
        .unwrap();
    assert_eq!(out.report.total as usize, n + 1, "pulled from 0: {out:?}");
    assert_eq!(pushed_to_b(), end + 1);
    // Pushing is forward only too: acknowledging an older batch does not move it back.
    let now =
        a.st.storage
            .advance_peer_cursor(
                &b.st.wallet,
                &novakms::storage::PeerCursor {
                    acked_seq: 2,
                    last_success_ms: 9,
                },
            )
            .unwrap();
    assert_eq!((now.acked_seq, now.last_success_ms), (end + 1, 9));
    a.shutdown().await;
    b.shutdown().await;
}

/// Origin exclusion (`node::replicator::paged`, issue 12): records a donor stored exactly as
/// wallet W sent them are left out of pages when the puller names W, the cursor still passes
/// them, and a record the donor changed itself is never left out (the merged-clock case is in
/// the storage suite, `snapshot_page_leaves_out_excluded_origins`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn excluded_origins_are_left_out_of_pages_and_passed() {
    let a = Node::start(settings(|_| {})).await;
    let b = Node::start(settings(|_| {})).await;
    let c = Node::start(settings(|_| {})).await;
    mesh(&[&a, &b, &c]);
    let n = PULL_PAGE_RECORDS + 100; // more than one page
    for i in 0..n {
        a.put(&format!("a{i:05}"), &[1; 64]);
    }
    // b pulls a: b's log now holds n entries of origin a
    let out = replicator::pull_from(&b.st, &a.info(), &PullCursor::default(), &[], |_, _| {})
        .await
        .unwrap();
    assert_eq!(out.report.merged, n as u64);
    b.put("b-own", b"written on b");
    // c pulls b naming a: only b's own record comes; the cursor reaches b's end
    let excl = vec![a.st.wallet.clone()];
    let out = replicator::pull_from(&c.st, &b.info(), &PullCursor::default(), &excl, |_, _| {})
        .await
        .unwrap();
    assert_eq!((out.report.total, out.report.merged), (1, 1), "{out:?}");
    assert!(c.has("b-own") && !c.has("a00000"));
    assert_eq!(
        c.st.storage.pull_cursor(&b.st.wallet).unwrap().unwrap().seq,
        b.st.storage.last_seq().unwrap()
    );
    // a pulls b naming itself: nothing comes back of what a sent
    let own = vec![a.st.wallet.clone()];
    let out = replicator::pull_from(&a.st, &b.info(), &PullCursor::default(), &own, |_, _| {})
        .await
        .unwrap();
    assert_eq!(out.report.total, 1, "only b-own: {out:?}");
    // without exclusion everything comes (the anti-entropy pull)
    let out = replicator::pull_from(&c.st, &b.info(), &PullCursor::default(), &[], |_, _| {})
        .await
        .unwrap();
    assert_eq!(out.report.total, n as u64 + 1);
    assert_same(&c, &b);
    // b rewrites one of a's records: its entry is b's own now and is sent to a puller naming a
    let cursor = c.st.storage.pull_cursor(&b.st.wallet).unwrap().unwrap();
    b.put("a00001", b"rewritten on b");
    let out = replicator::pull_from(&c.st, &b.info(), &cursor, &excl, |_, _| {})
        .await
        .unwrap();
    assert_eq!((out.report.total, out.report.merged), (1, 1), "{out:?}");
    a.shutdown().await;
    b.shutdown().await;
    c.shutdown().await;
}

/// A node still catching up refuses deltas marked `retry_if_catching_up` (503 `catching up`,
/// nothing merged) and merges unmarked ones (upstream senders do not retry); our pusher
/// retries within about a second instead of backing off, so its writes arrive soon after the
/// catch-up ends (`node::replicator::push`, issue 12 join).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_catching_up_node_defers_marked_deltas_and_the_pusher_retries_soon() {
    use std::time::{Duration, Instant};
    let mut a = Node::start(settings(|_| {})).await;
    let b = Node::start_catching_up(settings(|_| {})).await;
    mesh(&[&a, &b]);
    for i in 0..5 {
        a.put(&format!("k{i}"), b"v");
    }
    let key = a.st.with_secret(|s| s.sync_key()).unwrap();
    // Our own delta (marked): refused, nothing merged.
    let data: std::collections::BTreeMap<u64, Vec<novakms::store::Record>> =
        [(APP, vec![a.st.storage.get(APP, "k0").unwrap().unwrap()])].into();
    let e =
        a.st.peer_client
            .delta(&b.info(), &key, &data)
            .await
            .unwrap_err();
    assert!(
        matches!(&e, novakms::client::peer::PeerError::Refused { status: 503, message } if message == "catching up"),
        "{e:?}"
    );
    assert!(!b.has("k0"));
    // An upstream-shaped delta (no mark): merged.
    let unmarked = serde_json::json!({
        "type": "delta",
        "sender_wallet": a.st.wallet,
        "data": {APP.to_string(): [a.st.storage.get(APP, "k1").unwrap().unwrap().to_wire()]},
    });
    let r =
        a.st.peer_client
            .request(&b.info(), &unmarked, Some(&key))
            .await
            .unwrap();
    assert_eq!(r["merged"], 1, "{r}");
    assert!(b.has("k1"));
    // The push loop: refused while b catches up, not counted as a failure; delivered within
    // a couple of seconds once the catch-up ends.
    a.replicate();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!b.has("k2"), "deferred while catching up");
    let state =
        a.st.replication
            .peers
            .read()
            .unwrap()
            .get(&b.st.wallet)
            .cloned()
            .expect("the push loop ran");
    assert_eq!(state.last_error, None, "a deferral is not a push failure");
    assert_eq!(state.acked_seq, 0, "nothing acknowledged while deferred");
    novakms::node::catch_up::finish(&b.st, 1, 0);
    let t = Instant::now();
    while !(0..5).all(|i| b.has(&format!("k{i}"))) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "pushed soon after the catch-up ended"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.shutdown().await;
    b.shutdown().await;
}

/// A local write of `key` in [`APP`] on `n` as if made at `at_ms` (Unix ms), not replicated.
fn put_at(n: &Node, key: &str, at_ms: u64) {
    let value = novakms::crypto::value::encrypt_value(&n.st.data_key(APP).unwrap(), b"earlier");
    n.st.storage
        .put_local(APP, key, value, 0, &n.st.wallet, at_ms, &n.st.limits)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_digest_check_tells_agreeing_differing_and_unreachable_peers_apart() {
    use replicator::{check_digests, DigestCheck};
    let a = Node::start(settings(|_| {})).await;
    let b = Node::start(settings(|_| {})).await;
    mesh(&[&a, &b]);
    for i in 0..50 {
        a.put(&format!("k{i:03}"), &[i as u8; 100]);
    }
    replicator::pull_from(&b.st, &a.info(), &PullCursor::default(), &[], |_, _| {})
        .await
        .unwrap();
    assert_eq!(check_digests(&b.st, &a.info()).await, DigestCheck::Agreed);
    assert_eq!(check_digests(&a.st, &b.info()).await, DigestCheck::Agreed);
    // A write only A holds (no replicator runs here), made just now: it may still be in
    // flight, so it does not count yet (`SETTLE_MS`).
    a.put("fresh", b"only on A");
    assert_eq!(check_digests(&b.st, &a.info()).await, DigestCheck::Agreed);
    // One older than the settling time: a repair is due.
    put_at(
        &a,
        "late",
        a.st.clock.now_ms() - replicator::SETTLE_MS - 1_000,
    );
    assert_eq!(check_digests(&b.st, &a.info()).await, DigestCheck::Differed);
    // A peer that does not answer: no comparison (the pull then runs, as before digests).
    let mut gone = a.info();
    gone.url = "http://127.0.0.1:1".into();
    assert_eq!(check_digests(&b.st, &gone).await, DigestCheck::Unavailable);
    // A peer still catching up holds part of the store: no comparison, and no pull from it.
    let c = Node::start_catching_up(settings(|_| {})).await;
    mesh(&[&a, &b, &c]);
    assert_eq!(
        check_digests(&b.st, &c.info()).await,
        DigestCheck::PeerCatchingUp
    );
    a.shutdown().await;
    b.shutdown().await;
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn anti_entropy_pulls_only_when_the_digests_differ() {
    use novakms::metrics::{CheckLabels, PullLabels};
    let a = Node::start(settings(|_| {})).await;
    let mut b = Node::start(settings(|s| s.anti_entropy_interval_seconds = 1)).await;
    mesh(&[&a, &b]);
    for i in 0..20 {
        a.put(&format!("k{i:03}"), &[i as u8; 100]);
    }
    let checks = |n: &Node, outcome: &str| {
        n.st.metrics
            .anti_entropy_checks
            .get_or_create(&CheckLabels {
                outcome: outcome.into(),
            })
            .get()
    };
    let ae_pulls = |n: &Node| {
        n.st.metrics
            .pulls
            .get_or_create(&PullLabels {
                reason: "anti_entropy".into(),
                result: "ok".into(),
            })
            .get()
    };
    // B's replicator pulls A once (initial), then checks digests every second: they agree, so
    // no anti-entropy pull.
    b.replicate();
    common::wait::eventually(
        "two agreed checks on B",
        std::time::Duration::from_secs(20),
        || async { checks(&b, "agreed") >= 2 },
    )
    .await;
    assert!(b.has("k019"));
    assert_eq!(ae_pulls(&b), 0, "B pulled although the digests agreed");
    assert_eq!(checks(&b, "differed"), 0);
    // A write only A holds (A does not replicate), older than the settling time: the next
    // check differs and the pull brings it.
    put_at(
        &a,
        "late",
        a.st.clock.now_ms() - replicator::SETTLE_MS - 1_000,
    );
    common::wait::eventually(
        "B pulled the late write",
        std::time::Duration::from_secs(20),
        || async { b.has("late") && ae_pulls(&b) >= 1 },
    )
    .await;
    assert!(checks(&b, "differed") >= 1);
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn agreeing_anti_entropy_rounds_keep_the_pull_cursor_current() {
    use novakms::metrics::PullLabels;
    // No inbound skew allowance: the margin before a position counts is the settling time
    // alone (`replicator::cursor_after_agreement`).
    let tweak = |s: &mut novakms::config::Settings| {
        s.anti_entropy_interval_seconds = 1;
        s.max_clock_skew_ms = 0;
    };
    let mut a = Node::start(settings(tweak)).await;
    let mut b = Node::start(settings(tweak)).await;
    mesh(&[&a, &b]);
    for i in 0..20 {
        a.put(&format!("k{i:03}"), &[i as u8; 100]);
    }
    b.replicate();
    a.replicate();
    let cursor = |n: &Node, of: &Node| n.st.storage.pull_cursor(&of.st.wallet).unwrap();
    common::wait::eventually(
        "B's initial pull",
        std::time::Duration::from_secs(20),
        || async { cursor(&b, &a).is_some_and(|c| c.seq == 20) },
    )
    .await;
    // Writes that reach B by push only: its pull cursor stays, until agreeing anti-entropy
    // rounds move it (the margin is 10 s here).
    for i in 20..25 {
        a.put(&format!("k{i:03}"), &[i as u8; 100]);
    }
    assert_eq!(a.st.storage.last_seq().unwrap(), 25);
    common::wait::eventually(
        "B's pull cursor follows A's log without a pull",
        std::time::Duration::from_secs(40),
        || async { cursor(&b, &a).is_some_and(|c| c.seq == 25) },
    )
    .await;
    assert!(b.has("k024"));
    let ae_pulls =
        b.st.metrics
            .pulls
            .get_or_create(&PullLabels {
                reason: "anti_entropy".into(),
                result: "ok".into(),
            })
            .get();
    assert_eq!(
        ae_pulls, 0,
        "the cursor came from a pull, not from agreement"
    );
    a.shutdown().await;
    b.shutdown().await;
}

/// Digest-gated catch-up (`node::replicator::paged`): a joiner that first pulls b, which
/// holds a's records as a sent them, would get them all again from a (the exclusion names b,
/// not a). a's first page brings nothing new, so the digests are compared; they agree, and j
/// pulls only what a logged after its position. Digests that differ leave the pull as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_later_donor_whose_digests_agree_sends_only_what_it_logged_since() {
    let n = (replicator::DIGEST_GATE_ENTRIES as usize) + PULL_PAGE_RECORDS + 500;
    let a = Node::start(settings(|_| {})).await;
    let b = Node::start(settings(|_| {})).await;
    let j = Node::start_catching_up(settings(|_| {})).await;
    mesh(&[&a, &b, &j]);
    for i in 0..n {
        a.put(&format!("k{i:05}"), b"v");
    }
    let r = replicator::pull_snapshot(&b.st, &a.info(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(r.merged as usize, n);
    // j pulls b first.
    j.st.peer_cache
        .replace(vec![b.info(), a.info(), j.info()], 1);
    replicator::catch_up(&j.st).await;
    assert!(!j.st.catch_up.unfinished());
    // b's n, then a's first page (all held already), then nothing more from a
    assert_eq!(
        j.st.catch_up.status_json()["records"],
        (n + PULL_PAGE_RECORDS) as u64,
        "one copy of the store and one page, not one copy per donor"
    );
    assert_same(&j, &a);
    // The pull from a's position moved a's push cursor for j to a's log end: a does not push
    // the store to j again.
    assert_eq!(a.cursor_for(&j), a.st.storage.last_seq().unwrap());

    // Digests that differ leave the pull as it was: a fresh joiner k, with b holding one
    // record a lacks, gets every record of a again from a after pulling b.
    b.put("only-on-b", b"x");
    let k = Node::start_catching_up(settings(|_| {})).await;
    mesh(&[&a, &b, &j, &k]);
    k.st.peer_cache
        .replace(vec![b.info(), a.info(), j.info(), k.info()], 1);
    replicator::catch_up(&k.st).await;
    let got = k.st.catch_up.status_json()["records"].as_u64().unwrap();
    assert!(
        got as usize >= 2 * n,
        "{got} records: a's were pulled again"
    );
    assert!(k.has("only-on-b"));
    for x in [a, b, j, k] {
        x.shutdown().await;
    }
}
