//! Honest catch-up after a restart (issue 12 item 2, `node::catch_up`) on a 3-node devnet (real
//! anvil, real `novakms serve` processes, HTTP on 127.0.0.1).
//!
//! Node C is stopped; A takes 2,000 writes and B receives them; then A is stopped too and C
//! restarted: C pulls B's log, and waits (up to the catch-up grace, 10 s) for A, so for a
//! while it must say not ready with reason `catching up`. A comes back; C reports ready only
//! once caught up, and at that moment serves every one of the 2,000 records: the assertion is
//! on records, not on time. Then C writes records of its own and restarts: its catch-up must
//! not receive them back from A and B (origin exclusion).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::Devnet;
use futures_util::future::join_all;

const A: usize = 0;
const B: usize = 1;
const C: usize = 2;
const WRITES: usize = 2000;

#[test]
fn restarted_node_is_not_ready_until_it_caught_up_with_its_peers() {
    let d = Devnet::up(3);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = d.identity(&d.info.apps[0].keystore);
    let client = |i: usize| {
        let node = d.identity(&d.node(i).keystore);
        d.client_with(&app, &node, i, Duration::from_secs(15))
    };
    let (ca, cc) = (client(A), client(C));
    rt.block_on(async {
        ca.put("before", b"seen by all", 0).await.unwrap();
        common::wait::eventually(
            "C has the first record",
            Duration::from_secs(30),
            || async { matches!(cc.get("before").await, Ok(Some(_))) },
        )
        .await;
    });
    d.signal_node(C, libc::SIGTERM);
    rt.block_on(async {
        let keys: Vec<String> = (0..WRITES).map(|i| format!("missed/{i:05}")).collect();
        for chunk in keys.chunks(16) {
            let vals: Vec<(&String, Vec<u8>)> = chunk
                .iter()
                .map(|k| (k, format!("value of {k}").into_bytes()))
                .collect();
            let puts = vals.iter().map(|(k, v)| ca.put(k, v, 0));
            for r in join_all(puts).await {
                r.unwrap();
            }
        }
    });
    let b_url = d.node(B).url.clone();
    rt.block_on(async {
        common::wait::eventually("B holds every write", Duration::from_secs(60), || async {
            common::http::status(&b_url).await["data_store"]["total_keys"]
                .as_u64()
                .unwrap_or(0)
                > WRITES as u64
        })
        .await;
    });
    d.signal_node(A, libc::SIGTERM);
    d.spawn_node(C, &[]);
    let c_url = d.node(C).url.clone();
    rt.block_on(async {
        common::wait::eventually(
            "C held not ready with reason `catching up`",
            Duration::from_secs(60),
            || async {
                match novakms::client::node::status(&c_url, Duration::from_secs(2)).await {
                    Ok(s) => s["node"]["unavailable_reason"] == "catching up",
                    Err(_) => false,
                }
            },
        )
        .await;
        let s = common::http::status(&c_url).await;
        assert_eq!(s["node"]["service_available"], false);
        assert_eq!(s["catch_up"]["state"], "catching_up");
        let probe = novakms::client::node::probe(&c_url, Duration::from_secs(2))
            .await
            .unwrap();
        assert!(!probe.ready, "/readyz must not say ready while catching up");
    });
    d.spawn_node(A, &[]);
    common::wait::wait_ready(&c_url, Duration::from_secs(120));
    rt.block_on(async {
        // Ready now: everything the peers held must already be here (no waiting for pushes).
        let listed: BTreeSet<String> = cc.list().await.unwrap().into_iter().collect();
        let missing: Vec<String> = (0..WRITES)
            .map(|i| format!("missed/{i:05}"))
            .filter(|k| !listed.contains(k))
            .collect();
        assert!(
            missing.is_empty(),
            "C reported ready without {} records, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        assert!(listed.contains("before"));
        let (v, _) = cc.get("missed/01999").await.unwrap().unwrap();
        assert_eq!(v, b"value of missed/01999");
        let s = common::http::status(&c_url).await;
        assert_eq!(s["catch_up"]["state"], "done");
        assert!(s["catch_up"]["records"].as_u64().unwrap() >= WRITES as u64);
    });
    // C's catch-up finished with both peers, so its database may now ask donors to leave out
    // what it sent them itself (`replicator::paged`, "Origin exclusion"). C writes OWN records
    // (A and B store them with origin C); once both hold them, C restarts: its catch-up must
    // not receive them back (before the exclusion it received each twice, once per peer).
    let s = rt.block_on(common::http::status(&c_url));
    assert_eq!(s["catch_up"]["peers"], 2, "C pulled from both peers: {s}");
    const OWN: usize = 1000;
    rt.block_on(async {
        let keys: Vec<String> = (0..OWN).map(|i| format!("own/{i:05}")).collect();
        for chunk in keys.chunks(16) {
            let puts = chunk.iter().map(|k| cc.put(k, b"written on C", 0));
            for r in join_all(puts).await {
                r.unwrap();
            }
        }
        for i in [A, B] {
            let url = d.node(i).url.clone();
            common::wait::eventually("A and B hold C's writes", Duration::from_secs(60), || {
                let url = url.clone();
                async move {
                    common::http::status(&url).await["data_store"]["total_keys"]
                        .as_u64()
                        .unwrap_or(0)
                        > (WRITES + OWN) as u64
                }
            })
            .await;
        }
    });
    d.signal_node(C, libc::SIGTERM);
    d.spawn_node(C, &[]);
    common::wait::wait_ready(&c_url, Duration::from_secs(120));
    rt.block_on(async {
        let s = common::http::status(&c_url).await;
        assert_eq!(s["catch_up"]["state"], "done");
        let received = s["catch_up"]["records"].as_u64().unwrap();
        assert!(
            received < (OWN / 10) as u64,
            "C's restart catch-up received {received} records: its own {OWN} writes came back"
        );
        let (v, _) = cc.get("own/00999").await.unwrap().unwrap();
        assert_eq!(v, b"written on C");
    });
    for i in 0..3 {
        let log = std::fs::read_to_string(&d.node(i).log).unwrap_or_default();
        assert!(!log.contains("panicked at"), "node {i} panicked:\n{log}");
    }
}
