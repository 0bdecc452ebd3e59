//! `digest_request` on the real `/sync` route and `POST /admin/cluster-check` on a real admin
//! socket (issue 13), with in-process nodes over memory storage on 127.0.0.1.

use serde_json::json;

use crate::api::peer::tests::{client, refused, serve};
use crate::client::admin::AdminClient;
use crate::crypto::master::MasterSecret;
use crate::identity::Identity;
use crate::node::cluster_check::{local, DIGEST_BUSY};
use crate::node::ingest::tests::test_state;
use crate::node::peers::PeerInfo;
use crate::store::digest::app_digest;
use crate::store::{Limits, Record, VectorClock};

const SECRET: [u8; 32] = [9u8; 32];

/// An ACTIVE, zkVerified member of KMS app 49 (the app of `test_state`).
fn member(id: &Identity, url: &str) -> PeerInfo {
    crate::api::peer::tests::member(id, url, 0, true, 49)
}

fn rec(key: &str, ts: u64) -> Record {
    Record {
        key: key.into(),
        value: vec![1; 40],
        version: VectorClock::from([("0xaa", 1)]),
        updated_at_ms: ts,
        tombstone: false,
        ttl_ms: 0,
    }
}

/// A served in-process node whose PeerCache holds one member, `me`; `now` from its clock.
async fn node_with_member() -> (
    std::sync::Arc<crate::node::state::NodeState>,
    PeerInfo,
    Identity,
    u64,
) {
    let st = test_state(Some(SECRET));
    let node = serve(st.clone()).await;
    let me = Identity::generate();
    st.peer_cache
        .replace(vec![member(&me, "http://127.0.0.1:9")], 0);
    let now = st.clock.now_ms();
    (st, node, me, now)
}

#[tokio::test]
async fn digest_request_serves_members_the_store_digest_at_the_given_now() {
    let (st, node, me, now) = node_with_member().await;
    let live = rec("a", now - 10_000);
    let mut tomb = rec("b", now - 10_000);
    tomb.tombstone = true;
    tomb.value.clear();
    let mut expiring = rec("c", now - 10_000);
    expiring.ttl_ms = 5_000; // expired at now - 5000
    let all = vec![live.clone(), tomb.clone(), expiring.clone()];
    st.storage
        .merge_remote(7, all.clone(), &Limits::default())
        .unwrap();
    let key = MasterSecret::from_bytes(SECRET).sync_key();

    let r = client(&me).digests(&node, &key, now, &[7]).await.unwrap();
    assert!(r.implementation.starts_with("novakms "), "{r:?}");
    assert_eq!(r.apps[&7], app_digest(&[live.clone(), tomb.clone()], now));
    assert_eq!((r.apps[&7].records, r.apps[&7].tombstones), (1, 1));
    let keys: Vec<&str> = r.keys[&7].keys.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(keys, ["a", "b"]);
    // The requester's now decides expiry: before "c" expired it is included.
    let earlier = now - 6_000;
    let r = client(&me)
        .digests(&node, &key, earlier, &[])
        .await
        .unwrap();
    assert_eq!(r.apps[&7], app_digest(&all, earlier));
    assert!(r.keys.is_empty());

    // No now_ms: 400; wrong HMAC key: 403; a stranger: 403. Nothing changed.
    let payload = json!({"type": "digest_request", "sender_wallet": me.address()});
    let (s, m) = refused(
        client(&me)
            .request(&node, &payload, Some(&key))
            .await
            .unwrap_err(),
    );
    assert_eq!(s, 400, "{m}");
    assert!(m.contains("now_ms"), "{m}");
    let wrong = MasterSecret::from_bytes([1; 32]).sync_key();
    let (s, m) = refused(
        client(&me)
            .digests(&node, &wrong, now, &[7])
            .await
            .unwrap_err(),
    );
    assert_eq!((s, m.as_str()), (403, "Invalid HMAC signature"));
    let stranger = Identity::generate();
    assert_eq!(
        st.tick_wake.requested_at_ms(),
        None,
        "members do not wake the tick"
    );
    let (s, m) = refused(
        client(&stranger)
            .digests(&node, &key, now, &[7])
            .await
            .unwrap_err(),
    );
    assert_eq!(s, 403);
    assert!(m.contains("not found in PeerCache"), "{m}");
    assert!(
        st.tick_wake.requested_at_ms().is_some(),
        "a signed request from a wallet not in the PeerCache asks for an early refresh"
    );
    assert_eq!(st.storage.snapshot(earlier).unwrap()[&7], all);
}

#[tokio::test]
async fn digests_are_computed_one_at_a_time() {
    let (st, node, me, now) = node_with_member().await;
    st.storage
        .merge_remote(7, vec![rec("a", now - 10_000)], &Limits::default())
        .unwrap();
    let key = MasterSecret::from_bytes(SECRET).sync_key();
    let c = client(&me);

    // While another digest holds the gate, a peer's digest_request waits half its request
    // timeout, then is told the node is busy (503) instead of timing out...
    let held = st.digest_gate.clone().acquire_owned().await.unwrap();
    let (s, m) = refused(c.digests(&node, &key, now, &[]).await.unwrap_err());
    assert_eq!((s, m.as_str()), (503, DIGEST_BUSY));
    // ...while the node's own callers wait as long as it takes.
    let waiting = tokio::spawn({
        let st = st.clone();
        async move { local(&st, now, None, Vec::new()).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "computed while the gate was held");
    drop(held);
    let ours = waiting.await.unwrap().unwrap();
    assert_eq!(ours.apps[&7].records, 1);
    let (a, b) = tokio::join!(
        local(&st, now, None, Vec::new()),
        c.digests(&node, &key, now, &[])
    );
    assert_eq!(a.unwrap().apps, b.unwrap().apps);
    assert_eq!(st.digest_gate.available_permits(), 1);
}

#[tokio::test]
async fn admin_check_compares_peers_and_lists_differing_keys() {
    let (a, b) = (test_state(Some(SECRET)), test_state(Some(SECRET)));
    let (pa, pb) = (serve(a.clone()).await, serve(b.clone()).await);
    let down = member(&Identity::generate(), "http://127.0.0.1:9");
    for st in [&a, &b] {
        st.peer_cache
            .replace(vec![pa.clone(), pb.clone(), down.clone()], 0);
    }
    let now = a.clock.now_ms();
    for st in [&a, &b] {
        st.storage
            .merge_remote(7, vec![rec("same", now)], &Limits::default())
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let server =
        crate::api::admin::start_at(a.clone(), &crate::admin_wire::socket_path(dir.path()))
            .unwrap();
    let admin = AdminClient::new(dir.path());

    let r = admin.cluster_check(false).await.unwrap();
    assert!(r.agree, "{r:?}");
    assert_eq!(r.nodes.len(), 3);
    assert!(r.nodes[0].is_self && r.nodes[0].comparable);
    let d = r.nodes.iter().find(|n| n.wallet == down.wallet).unwrap();
    assert!(!d.comparable);
    assert!(d.error.as_deref().unwrap().contains("unreachable"), "{d:?}");

    b.storage
        .merge_remote(7, vec![rec("only-b", now)], &Limits::default())
        .unwrap();
    let r = admin.cluster_check(true).await.unwrap();
    assert!(!r.agree);
    let v = &r.apps[0];
    assert_eq!((v.app_id, v.groups.len()), (7, 2));
    let diff = v.diff.as_ref().unwrap();
    assert_eq!(diff.keys.len(), 1);
    assert_eq!(diff.keys[0].key, "only-b");
    assert_eq!(diff.keys[0].nodes[&pa.wallet], None);
    assert!(diff.keys[0].nodes[&pb.wallet].is_some());

    // Without a master secret there is no key to ask peers with: not ready.
    *a.master.write().unwrap() = None;
    let e = admin.cluster_check(false).await.unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::NotReady, "{e}");
    server.shutdown().await;
}
