//! Replication between in-process nodes, without a chain: each node is a real `NodeState`
//! (memory storage, ready, sharing one verified master secret) serving the real router on
//! 127.0.0.1, with a hand-filled PeerCache naming the others. Exercises the replicator (push on
//! wake-up, batching under a small body budget, echo suppression, retry after a peer outage),
//! `pull_snapshot` and the admin socket's `sync`.
//!
//! Why no chain here (issue 14 asks): these tests reach into each node's state (replication
//! cursors, per-peer errors, `last_seq`, stopping and restarting one node's HTTP server while
//! its state lives on) and set replication knobs per node, which a `novakms serve` process
//! does not expose. The only thing a chain would supply is the membership list, and that is
//! exactly what the hand-filled PeerCache stands for; peer requests between the nodes still
//! carry real PoP signatures, envelopes and HMACs, checked against that PeerCache. The registry
//! client points at 127.0.0.1:1 so that any accidental chain read fails loudly instead of
//! passing. Membership read from a real chain is covered by `e2e_cluster` and `partition`
//! (3-node devnets on anvil).

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::inproc::{mesh, settings, Node, APP};
use novakms::admin_wire::SyncEvent;
use novakms::client::admin::AdminClient;
use novakms::crypto::value::encrypt_value;
use novakms::node::replicator;
use novakms::node::state::PeerKind;
use novakms::storage::PushFilter;
use novakms::store::Limits;

async fn wait_for(what: &str, secs: u64, f: impl FnMut() -> bool) {
    common::wait::wait_for(what, Duration::from_secs(secs), f).await;
}

/// Sum of the samples of `n`'s metrics whose line starts with `prefix` (a name and the start
/// of its labels).
fn metric_sum(n: &Node, prefix: &str) -> u64 {
    n.st.metrics
        .render(&n.st.metrics_snapshot())
        .lines()
        .filter(|l| l.starts_with(prefix))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap() as u64)
        .sum()
}

/// `/sync` requests `n` has answered (any type and status), from its request metrics.
fn sync_requests_served(n: &Node) -> u64 {
    metric_sum(n, "novakms_http_requests_total{route=\"/sync\"")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pushes_batches_suppresses_echoes_and_retries() {
    // A small body budget forces many delta requests.
    // a's push interval is an hour: what a sends travels by the write wake-up (or the failure
    // backoff), so no check depends on how fast this machine is. b keeps the 1 s interval: its
    // cursor for a advances on its periodic (empty, echo-suppressed) exchange.
    let mut a = Node::start(settings(|s| {
        s.max_sync_batch_bytes = 32 * 1024;
        s.sync_interval_seconds = 3600;
    }))
    .await;
    let mut b = Node::start(settings(|_| {})).await;
    mesh(&[&a, &b]);
    a.replicate();
    b.replicate();

    // One write reaches the peer by the wake-up, long before any interval.
    a.put("first", b"hello");
    wait_for("first record on b", 10, || b.has("first")).await;

    // A burst of 300 records of ~1 KB goes out in budget-sized batches.
    for i in 0..300 {
        a.put(&format!("k{i:03}"), &[i as u8; 1000]);
    }
    wait_for("300 records on b", 20, || {
        (0..300).all(|i| b.has(&format!("k{i:03}")))
    })
    .await;
    let last = a.st.storage.last_seq().unwrap();
    wait_for("a's cursor for b", 10, || a.cursor_for(&b) == last).await;
    let repl = a.st.replication.peers.read().unwrap()[&b.st.wallet].clone();
    assert_eq!(repl.acked_seq, last);
    assert_eq!(repl.lag_records, 0);
    assert!(repl.last_error.is_none(), "{repl:?}");
    assert!(repl.last_success_ms.is_some());

    // b received them from a: b's cursor for a passes them without sending them back.
    let b_last = b.st.storage.last_seq().unwrap();
    assert_eq!(
        b.st.storage
            .count_changes_since(0, Some(PushFilter::relaying(&a.st.wallet)))
            .unwrap(),
        0
    );
    wait_for("b's cursor for a", 10, || b.cursor_for(&a) == b_last).await;

    // b's own writes flow back to a.
    b.put("from-b", b"x");
    wait_for("b's record on a", 10, || a.has("from-b")).await;

    // Peer outage: pushes fail (error recorded, cursor kept), then resume.
    b.stop_server().await;
    let before = a.cursor_for(&b);
    a.put("during-outage", b"y");
    let bw = b.st.wallet.clone();
    wait_for("error recorded", 15, || {
        a.st.replication.peers.read().unwrap()[&bw]
            .last_error
            .is_some()
    })
    .await;
    assert_eq!(a.cursor_for(&b), before, "no cursor advance without an ack");
    assert!(a.st.replication.peers.read().unwrap()[&bw].lag_records >= 1);
    b.restart_server().await;
    wait_for("record after the outage", 30, || b.has("during-outage")).await;
    wait_for("error cleared", 10, || {
        a.st.replication.peers.read().unwrap()[&bw]
            .last_error
            .is_none()
    })
    .await;

    // Both converge on the same content.
    assert_eq!(
        a.st.storage.snapshot(0).unwrap(),
        b.st.storage.snapshot(0).unwrap()
    );
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn snapshot_pulls_and_the_admin_sync_command() {
    let a = Node::start(settings(|_| {})).await;
    let c = Node::start(settings(|_| {})).await;
    mesh(&[&a, &c]);
    for i in 0..1200 {
        a.put(&format!("s{i:04}"), b"v");
    }
    let dk = a.st.data_key(APP).unwrap();
    a.st.storage
        .delete_local(APP, "s0000", &a.st.wallet, a.st.clock.now_ms())
        .unwrap()
        .unwrap();
    // a record of an app whose data key does not match is rejected by probe decryption
    a.st.storage
        .put_local(
            APP + 1,
            "bad",
            encrypt_value(&dk, b"wrong key"),
            0,
            &a.st.wallet,
            a.st.clock.now_ms(),
            &Limits::default(),
        )
        .unwrap();

    // pull_snapshot with progress, in pages (one here: 1201 records fit a page)
    let steps = Arc::new(Mutex::new(Vec::new()));
    let s2 = steps.clone();
    let r = replicator::pull_snapshot(&c.st, &a.info(), move |done, total| {
        s2.lock().unwrap().push((done, total))
    })
    .await
    .unwrap();
    assert_eq!(
        (r.total, r.merged, r.skipped, r.rejected),
        (1201, 1200, 0, 1)
    );
    let steps = steps.lock().unwrap().clone();
    assert_eq!(steps.first(), Some(&(0, 1201)));
    assert_eq!(steps.last(), Some(&(1201, 1201)));
    assert!(steps.len() >= 2, "{steps:?}");
    assert!(c.st.storage.get(APP, "s0000").unwrap().unwrap().tombstone);
    // pulled records carry a as origin: nothing to push back to a
    assert_eq!(
        c.st.storage
            .count_changes_since(0, Some(PushFilter::relaying(&a.st.wallet)))
            .unwrap(),
        0
    );

    // The same through the admin socket: a second pull merges nothing new.
    let dir = tempfile::tempdir().unwrap();
    let server =
        novakms::api::admin::start_at(c.st.clone(), &novakms::admin_wire::socket_path(dir.path()))
            .unwrap();
    let client = AdminClient::new(dir.path());
    let mut events = Vec::new();
    let res = client
        .sync(&format!("http://{}/", a.addr), |e| {
            events.push(match e {
                SyncEvent::Fetching { .. } => "fetching".to_string(),
                SyncEvent::Merging { done, total } => format!("merging {done}/{total}"),
                SyncEvent::Done(_) => "done".into(),
                SyncEvent::Failed(e) => format!("failed {e}"),
            })
        })
        .await
        .unwrap();
    assert_eq!(
        (res.total, res.merged, res.skipped, res.rejected),
        (1201, 0, 1200, 1)
    );
    assert_eq!(res.skip_reasons.get("ignored_equal_version"), Some(&1200));
    assert_eq!(res.peer_wallet, a.st.wallet);
    assert_eq!(events.first().map(String::as_str), Some("fetching"));
    assert_eq!(events.last().map(String::as_str), Some("done"));
    assert!(
        events.iter().any(|e| e == "merging 1201/1201"),
        "{events:?}"
    );
    // by wallet, and an unknown peer
    let res = client.sync(&a.st.wallet, |_| {}).await.unwrap();
    assert_eq!(res.merged, 0);
    let e = client.sync("http://127.0.0.1:1", |_| {}).await.unwrap_err();
    assert_eq!(e.kind(), novakms::ErrorKind::Local, "{e}");
    server.shutdown().await;
    a.shutdown().await;
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_that_becomes_ready_pulls_from_a_peer() {
    // a holds data but does not push (no replicator): only d's initial pull can bring it.
    let a = Node::start(settings(|_| {})).await;
    let mut d = Node::start(settings(|_| {})).await;
    for i in 0..50 {
        a.put(&format!("old{i}"), b"v");
    }
    d.st.set_unready("initializing");
    mesh(&[&a, &d]);
    d.replicate();
    // a has no replicator and d holds nothing to push, so every /sync request a answers is a
    // snapshot pull by d. While d is not ready (for more than one scheduler period) none
    // arrives; readiness triggers exactly one.
    let unready_until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < unready_until {
        assert_eq!(sync_requests_served(&a), 0, "d pulled before readiness");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sync_requests_served(&a), 0, "d pulled before readiness");
    assert!(!d.has("old0"), "no pull before readiness");
    d.st.set_ready();
    wait_for("initial pull on readiness", 15, || {
        (0..50).all(|i| d.has(&format!("old{i}")))
    })
    .await;
    assert_eq!(sync_requests_served(&a), 1, "one pull, after readiness");
    a.shutdown().await;
    d.shutdown().await;
}

/// Snapshot pulls `n` made when it first became ready (any result), from its metrics.
fn initial_pulls(n: &Node) -> u64 {
    metric_sum(n, "novakms_snapshot_pulls_total{reason=\"initial\"")
}

/// Relay (`node::replicator` docs): b passes a record it received from a on to c only when
/// nothing else would repair c, i.e. when anti-entropy is off. With it on, c is known to page
/// (so it runs anti-entropy of its own), b's cursor for c passes the record without sending it,
/// and c gets it from its own pull. a cannot reach c in both runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn records_from_other_peers_are_relayed_only_without_anti_entropy() {
    for ae in [0u64, 3600] {
        let tweak = |s: &mut novakms::config::Settings| s.anti_entropy_interval_seconds = ae;
        let mut a = Node::start(settings(tweak)).await;
        let mut b = Node::start(settings(tweak)).await;
        let mut c = Node::start(settings(tweak)).await;
        mesh(&[&a, &b, &c]);
        let mut unreachable_c = c.info();
        unreachable_c.url = "http://127.0.0.1:1".into();
        a.st.peer_cache
            .replace(vec![a.info(), b.info(), unreachable_c], 1);
        for n in [&mut a, &mut b, &mut c] {
            n.replicate();
        }
        // c's pull on readiness is over before the write, so only a push can bring it.
        wait_for("c's initial pull", 15, || initial_pulls(&c) > 0).await;

        a.put("from-a", b"x");
        wait_for("a's record on b", 10, || b.has("from-a")).await;
        let b_last = b.st.storage.last_seq().unwrap();
        wait_for("b's cursor for c", 15, || b.cursor_for(&c) >= b_last).await;
        if ae == 0 {
            assert!(
                c.has("from-a"),
                "relayed: acknowledged by c before the cursor moved"
            );
        } else {
            assert_eq!(
                b.st.replication.peer_kind(&c.st.wallet),
                Some(PeerKind::Paged)
            );
            assert!(!c.has("from-a"), "relayed although c runs anti-entropy");
            // b's own writes still go to c, and c's pull repairs the rest.
            b.put("from-b", b"y");
            wait_for("b's record on c", 10, || c.has("from-b")).await;
            assert!(!c.has("from-a"));
            let r = replicator::pull_snapshot(&c.st, &b.info(), |_, _| {})
                .await
                .unwrap();
            assert!(r.merged >= 1, "{r:?}");
            assert!(c.has("from-a"));
        }
        for n in [a, b, c] {
            n.shutdown().await;
        }
    }
}
