//! The chain changes and the nodes follow (issue 10): the KMSRegistry owner's
//! `resetMasterSecretHash()` rotates the cluster's master secret instead of being undone by the
//! next tick, and an app whose instance (or app) is revoked on chain is refused after the next
//! node tick, not after the 180 s app-auth cache lifetime. Real anvil, real contracts, real
//! `novakms serve` processes.

mod common;

use std::time::{Duration, Instant};

use common::wait::{eventually, rt};
use common::Devnet;

/// Every node of `d` answers `/readyz` with 200.
async fn all_ready(d: &Devnet, n: usize) -> bool {
    for i in 0..n {
        let url = format!("{}/readyz", d.node(i).url);
        match novakms::tls::client::builder()
            .build()
            .unwrap()
            .get(&url)
            .send()
            .await
        {
            Ok(r) if r.status() == 200 => {}
            _ => return false,
        }
    }
    true
}

#[test]
fn reset_master_secret_hash_rotates_the_secret() {
    let d = Devnet::up(2);
    let rt = rt();
    rt.block_on(async {
        let registry = d.registry();
        let old = registry.master_secret_hash().await.unwrap();
        assert_ne!(old, [0u8; 32]);
        let old_key = d.app_client(0).derive("rotation", "", 32).await.unwrap();
        d.app_client(0).put("before", b"old secret", 0).await.unwrap();

        d.admin()
            .reset_master_secret_hash(&d.info.kms_registry)
            .await
            .unwrap();
        // A node bootstraps again: some non-zero hash appears. Upstream's rule re-submits the
        // old one within a tick; ours must not.
        eventually("a new masterSecretHash on chain", Duration::from_secs(30), || {
            let registry = &registry;
            async move { registry.master_secret_hash().await.unwrap() != [0u8; 32] }
        })
        .await;
        let new = registry.master_secret_hash().await.unwrap();
        assert_ne!(new, old, "the old master secret was re-submitted after the reset");
        // Within a tick each node has either made the new secret or obtained it from the
        // one that did: both derive the same new key. (A node that has not ticked since the
        // reset still serves the old secret until it does: rotation takes one tick.)
        eventually("both nodes on the new secret", Duration::from_secs(30), || {
            let (d, old_key) = (&d, &old_key);
            async move {
                if !all_ready(d, 2).await {
                    return false;
                }
                let k0 = d.app_client(0).derive("rotation", "", 32).await;
                let k1 = d.app_client(1).derive("rotation", "", 32).await;
                matches!((k0, k1), (Ok(a), Ok(b)) if a == b && a != *old_key)
            }
        })
        .await;
        // The chain keeps the new hash (no node undoes it on a later tick).
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(registry.master_secret_hash().await.unwrap(), new);
        // Documented consequence (docs/security.md "Rotation"): a value written under the old
        // secret is still stored but no longer decrypts; a rewrite works.
        let e = d.app_client(0).get("before").await.unwrap_err();
        assert!(e.to_string().contains("400"), "{e}");
        d.app_client(0).put("before", b"new secret", 0).await.unwrap();
        eventually("the rewrite replicated", Duration::from_secs(15), || {
            let d = &d;
            async move {
                matches!(d.app_client(1).get("before").await, Ok(Some((v, _))) if v == b"new secret")
            }
        })
        .await;
    });
}

#[test]
fn a_revoked_instance_is_refused_after_one_tick() {
    // Two app identities in two app ids (devnet `--apps 2`).
    let d = Devnet::up_with(1, &["--apps", "2"]);
    let rt = rt();
    rt.block_on(async {
        let app0 = d.app_client(0);
        let app1 = {
            let id = d.identity(&d.info.apps[1].keystore);
            d.client_for(id, 0)
        };
        // Both authorized and now cached (TTL 180 s).
        app0.put("k", b"v", 0).await.unwrap();
        app1.put("k", b"v", 0).await.unwrap();

        let admin = d.admin();
        admin
            .set_instance_status(d.info.apps[0].instance_id, 1)
            .await
            .unwrap();
        let changed = Instant::now();
        let took = eventually("revoked instance refused", Duration::from_secs(20), || {
            let app0 = &app0;
            async move {
                match app0.get("k").await {
                    Err(e) => e.to_string().contains("Instance not active"),
                    Ok(_) => false,
                }
            }
        })
        .await;
        eprintln!(
            "instance revocation: first refusal {} ms after the receipt",
            took.max(changed.elapsed()).as_millis()
        );
        // The other app is unaffected.
        assert!(app1.get("k").await.unwrap().is_some());

        // An app deactivated on chain: refused after a tick too.
        admin
            .set_app_status(d.info.apps[1].app_id, 1)
            .await
            .unwrap();
        eventually("deactivated app refused", Duration::from_secs(20), || {
            let app1 = &app1;
            async move {
                match app1.get("k").await {
                    Err(e) => e.to_string().contains("App not active"),
                    Ok(_) => false,
                }
            }
        })
        .await;
    });
}

#[test]
fn a_write_held_past_its_deadline_is_never_applied() {
    use base64::Engine;
    use novakms::client::app::CallResult;
    use novakms::wire::headers;
    let d = Devnet::up(1);
    // Restart node 1 with a 2 s write deadline.
    d.signal_node(0, libc::SIGTERM);
    d.restart_node(0, &[("NOVAKMS_WRITE_DEADLINE_SECONDS", "2")]);
    let rt = rt();
    rt.block_on(async {
        let app = d.app_client(0);
        app.put("k", b"acknowledged", 0).await.unwrap();
        // A PUT of "late", signed now, reaches a node that is frozen (SIGSTOP) for 4 s: the
        // request waits in the socket until the node resumes, past its deadline.
        let (sig, nonce, ts) = app.pop_headers().await.unwrap();
        let env = app
            .seal(&serde_json::json!({
                "key": "k",
                "value": base64::engine::general_purpose::STANDARD.encode(b"late"),
            }))
            .await
            .unwrap();
        d.signal_node_nowait(0, libc::SIGSTOP);
        let url = format!("{}/kms/data", d.node(0).url);
        let wallet = d.identity(&d.info.apps[0].keystore).address();
        let send = tokio::spawn(async move {
            novakms::tls::client::builder()
                .build()
                .unwrap()
                .put(url)
                .header(headers::APP_SIGNATURE, &sig)
                .header(headers::APP_NONCE, &nonce)
                .header(headers::APP_TIMESTAMP, ts.to_string())
                .header(headers::APP_WALLET, wallet)
                .json(&env.to_json())
                .timeout(Duration::from_secs(60))
                .send()
                .await
        });
        tokio::time::sleep(Duration::from_secs(4)).await;
        d.signal_node_nowait(0, libc::SIGCONT);
        let resp = send.await.unwrap().unwrap();
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap();
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("Request deadline exceeded"), "{body}");
        // Never applied, then or later.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (v, _) = app.get("k").await.unwrap().unwrap();
        assert_eq!(v, b"acknowledged");
        // A write in time still works.
        match app
            .call(
                reqwest::Method::PUT,
                "/kms/data",
                Some(&serde_json::json!({"key": "k", "value": "b2s="})),
            )
            .await
            .unwrap()
        {
            CallResult::Ok(_) => {}
            CallResult::Refused(r) => panic!("refused: {r:?}"),
        }
        assert_eq!(app.get("k").await.unwrap().unwrap().0, b"ok");
    });
}
