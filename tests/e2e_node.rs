//! End-to-end tests of one node on a real devnet: real anvil, real deployed
//! contracts, real `novakms serve` processes over HTTP on 127.0.0.1, real redb.

mod common;

use std::time::Duration;

use base64::Engine;
use common::devnet::register_refused_apps;
use common::http::status;
use common::pop::{app_headers, set_header};
use common::wait::{now_s as now, rt};
use common::{ok_stdout, Devnet};
use novakms::client::app::{AppClient, CallResult};
use novakms::crypto::{canonical::canonical_json, envelope};
use novakms::identity::Identity;
use reqwest::Method;
use serde_json::{json, Value};

/// Store state visible from outside: keys and bytes of every namespace.
async fn fingerprint(url: &str) -> (u64, u64, u64) {
    let s = status(url).await;
    let d = &s["data_store"];
    (
        d["namespaces"].as_u64().unwrap(),
        d["total_keys"].as_u64().unwrap(),
        d["total_bytes"].as_u64().unwrap(),
    )
}

#[test]
fn cli_round_trip_and_derive_matches_chain_secret() {
    let d = Devnet::up(1);
    // put / get / list / delete through the CLI acting as the demo app.
    ok_stdout(&d.app_cli(&["store", "put", "greeting", "hello"]));
    assert_eq!(
        ok_stdout(&d.app_cli(&["store", "get", "greeting"])),
        "hello"
    );
    let j: Value = serde_json::from_str(&ok_stdout(
        &d.app_cli(&["-o", "json", "store", "get", "greeting"]),
    ))
    .unwrap();
    assert_eq!(
        j["value"],
        base64::engine::general_purpose::STANDARD.encode("hello")
    );
    ok_stdout(&d.app_cli(&["store", "put", "other", "x"]));
    let list = ok_stdout(&d.app_cli(&["store", "list"]));
    assert_eq!(list.lines().collect::<Vec<_>>(), vec!["greeting", "other"]);
    ok_stdout(&d.app_cli(&["store", "delete", "other"]));
    assert_eq!(ok_stdout(&d.app_cli(&["store", "list"])).trim(), "greeting");
    let missing = d.app_cli(&["store", "get", "other"]);
    assert_eq!(missing.status.code(), Some(1));
    // Value from stdin.
    let mut child = std::process::Command::new(common::exe())
        .arg("--config")
        .arg(d.app_config())
        .args(["store", "put", "piped"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"\x00\x01binary")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let out = d.app_cli(&["store", "get", "piped"]);
    assert_eq!(out.stdout, b"\x00\x01binary");

    // derive prints a 32-byte key that equals HKDF(master secret) of §5.
    let derived = ok_stdout(&d.app_cli(&["derive", "wallet/root"]));
    let derived = hex::decode(derived.trim()).unwrap();
    assert_eq!(derived.len(), 32);
    let ctx = ok_stdout(&d.app_cli(&[
        "derive",
        "wallet/root",
        "--context",
        "session-a",
        "--length",
        "64",
    ]));
    assert_eq!(hex::decode(ctx.trim()).unwrap().len(), 64);

    // Stop the node cleanly (SIGTERM → exit 0), then read its sealed master
    // secret from redb and check it against the chain and the derived key.
    d.signal_node(0, libc::SIGTERM);
    let node_id = d.identity(&d.node(0).keystore);
    let storage = novakms::storage::redb::RedbStorage::open(&d.node(0).data_dir).unwrap();
    use novakms::storage::Storage;
    let blob = storage.load_sealed_master_secret().unwrap().unwrap();
    let secret =
        novakms::crypto::master::MasterSecret::unseal_at_rest(&node_id.seal_key(), &blob).unwrap();
    let chain_hash = rt().block_on(d.registry().master_secret_hash()).unwrap();
    assert_eq!(secret.hash(), chain_hash);
    let app_id = d.info.apps[0].app_id;
    assert_eq!(secret.derive(app_id, "wallet/root", "", 32), derived);
    let c64 = secret.derive(app_id, "wallet/root", "session-a", 64);
    assert_eq!(hex::decode(ctx.trim()).unwrap(), c64);
}

/// Send a request with explicit PoP headers and body; returns status + JSON.
async fn raw(
    c: &AppClient,
    method: Method,
    path: &str,
    headers: &[(String, String)],
    body: Option<Value>,
) -> (u16, Value) {
    let http = novakms::tls::client::builder().build().unwrap();
    let mut req = http.request(method, format!("{}{}", c.base_url(), path));
    for (k, v) in headers {
        req = req.header(k, v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// App PoP headers for a request by `c` to the node `target_wallet` at `ts`, over a fresh
/// nonce, without the optional `x-app-wallet` header.
async fn pop_headers(c: &AppClient, target_wallet: &str, ts: u64) -> Vec<(String, String)> {
    let nonce = c.nonce().await.unwrap();
    let mut h = app_headers(
        c.local_identity().unwrap(),
        target_wallet,
        &nonce,
        &nonce,
        ts,
    );
    set_header(&mut h, "x-app-wallet", None);
    h
}

async fn put_body(c: &AppClient, key: &str) -> Value {
    c.seal(&json!({"key": key, "value": base64::engine::general_purpose::STANDARD.encode("v")}))
        .await
        .unwrap()
        .to_json()
}

fn expect(res: (u16, Value), status: u16, code: &str, msg_part: &str) {
    assert_eq!(res.0, status, "unexpected answer {res:?}");
    assert_eq!(res.1["code"], code, "{res:?}");
    assert!(
        res.1["message"].as_str().unwrap_or("").contains(msg_part),
        "message {:?} lacks {msg_part:?}",
        res.1["message"]
    );
}

#[test]
fn every_refusal_has_the_protocol_status_and_changes_nothing() {
    let d = Devnet::up(1);
    let rt = rt();
    let url = d.node(0).url.clone();
    let node_wallet = d.node(0).wallet.clone();
    let admin = d.admin();
    rt.block_on(async {
        let good = d.app_client(0);
        good.put("seed", b"v", 0).await.unwrap();
        let before = fingerprint(&url).await;

        // Identities registered in various refused states, set up before the
        // node ever sees them (so no cache entry interferes).
        let refused = register_refused_apps(&admin, d.info.apps[0].app_id).await;

        let cases: Vec<(Identity, &str)> = vec![
            (Identity::generate(), "Instance not found"),
            (refused.stopped, "Instance not active"),
            (refused.not_zk, "Instance not zkVerified"),
            (refused.inactive_app, "App not active"),
            (refused.revoked, "Version revoked"),
        ];
        for (id, msg) in cases {
            let c = d.client_for(id, 0);
            let h = pop_headers(&c, &node_wallet, now()).await;
            let body = put_body(&c, "intruder").await;
            // Registry refusals carry upstream's code `unauthorized` (issue 11 item 4).
            expect(raw(&c, Method::PUT, "/kms/data", &h, Some(body)).await, 403, "unauthorized", msg);
        }

        // Signature made for another node: recovers a different wallet.
        let other_node = Identity::generate().address();
        let h = pop_headers(&good, &other_node, now()).await;
        let body = put_body(&good, "intruder").await;
        let r = raw(&good, Method::PUT, "/kms/data", &h, Some(body)).await;
        assert_eq!(r.0, 403, "{r:?}");

        // Replayed nonce: a valid request, then the same headers again.
        let h = pop_headers(&good, &node_wallet, now()).await;
        let r = raw(&good, Method::GET, "/kms/data", &h, None).await;
        assert_eq!(r.0, 200, "{r:?}");
        expect(raw(&good, Method::GET, "/kms/data", &h, None).await, 403, "unauthorized", "Invalid or expired nonce");
        // Nonce never issued.
        let mut h = pop_headers(&good, &node_wallet, now()).await;
        h[1].1 = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
        expect(raw(&good, Method::GET, "/kms/data", &h, None).await, 403, "unauthorized", "Invalid or expired nonce");

        // Stale and future timestamps.
        for ts in [now() - 600, now() + 600] {
            let h = pop_headers(&good, &node_wallet, ts).await;
            let body = put_body(&good, "intruder").await;
            expect(raw(&good, Method::PUT, "/kms/data", &h, Some(body)).await, 403, "unauthorized", "Stale timestamp");
        }

        // Missing PoP headers.
        let body = put_body(&good, "intruder").await;
        expect(raw(&good, Method::PUT, "/kms/data", &[], Some(body)).await, 403, "unauthorized", "Missing PoP");

        // sender_tee_pubkey not the caller's on-chain key.
        let stranger = Identity::generate();
        let node_id = d.identity(&d.node(0).keystore);
        let env = envelope::seal(
            stranger.tee_secret(),
            &node_id.tee_pubkey_der(),
            canonical_json(&json!({"key": "intruder", "value": "dg=="})).as_bytes(),
            envelope::DEFAULT_INFO_LABEL,
        )
        .unwrap();
        let h = pop_headers(&good, &node_wallet, now()).await;
        expect(raw(&good, Method::PUT, "/kms/data", &h, Some(env.to_json())).await, 403, "forbidden", "sender_tee_pubkey");

        // Plaintext body.
        let h = pop_headers(&good, &node_wallet, now()).await;
        let plain = json!({"key": "intruder", "value": "dg=="});
        expect(raw(&good, Method::PUT, "/kms/data", &h, Some(plain)).await, 400, "bad_request", "E2E encrypted");

        // Body over the 2 MiB limit (real bytes): framework 413.
        let big = vec![b'a'; 900_000];
        let h = pop_headers(&good, &node_wallet, now()).await;
        let body = good
            .seal(&json!({"key": "intruder", "value": base64::engine::general_purpose::STANDARD.encode(&big)}))
            .await
            .unwrap()
            .to_json();
        let r = raw(&good, Method::PUT, "/kms/data", &h, Some(body)).await;
        assert_eq!(r.0, 413, "{:?}", r.0);

        // Reserved derive path.
        match good
            .call(Method::POST, "/kms/derive", Some(&json!({"path": "data_key"})))
            .await
            .unwrap()
        {
            CallResult::Refused(r) => assert_eq!(r.status, 400),
            CallResult::Ok(v) => panic!("data_key handed out: {v}"),
        }

        // Nothing changed.
        assert_eq!(fingerprint(&url).await, before);
        let keys = good.list().await.unwrap();
        assert_eq!(keys, vec!["seed".to_string()]);

        // The refusals and the writes are visible in /metrics.
        let m = novakms::tls::client::builder().build().unwrap().get(format!("{url}/metrics")).send().await.unwrap();
        assert_eq!(m.status(), 200);
        assert!(m.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let text = m.text().await.unwrap();
        let value = |prefix: &str| -> f64 {
            text.lines()
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
                .rsplit(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        for (reason, n) in [
            // Unknown identity, and the PoP signed for another node (recovers a stranger).
            ("not_registered", 2.0),
            ("inactive", 2.0),
            ("not_zk_verified", 1.0),
            ("version_revoked", 1.0),
            ("stale_timestamp", 2.0),
            ("bad_nonce", 2.0),
            ("missing_headers", 1.0),
            ("tee_pubkey_mismatch", 1.0),
        ] {
            let line = format!("novakms_auth_refusals_total{{caller=\"app\",reason=\"{reason}\"}}");
            assert_eq!(value(&line), n, "{reason}");
        }
        assert_eq!(value("novakms_ready "), 1.0);
        assert_eq!(value("novakms_master_secret_verified "), 1.0);
        assert_eq!(value("novakms_http_requests_total{route=\"/kms/data\",method=\"PUT\",status=\"200\"}"), 1.0);
        assert_eq!(value("novakms_http_requests_total{route=\"/kms/data\",method=\"PUT\",status=\"413\"}"), 1.0);
        assert!(value("novakms_commit_duration_seconds_count ") >= 1.0);
        assert!(value("novakms_node_tick_duration_seconds_count ") >= 1.0);
        // Per-app counts and bytes reveal write sizes: not on the anonymous /metrics by
        // default (issue 10; `per_app_metrics` turns them on, see the next test).
        assert!(!text.contains("novakms_app_records{"), "per-app series exported by default");
        assert!(!text.contains("novakms_app_stored_bytes{"));
        assert!(text.ends_with("# EOF\n"));
    });
}

#[test]
fn size_and_quota_limits_refuse_and_change_nothing() {
    let d = Devnet::up(1);
    d.signal_node(0, libc::SIGTERM);
    d.restart_node(
        0,
        &[
            ("NOVAKMS_MAX_KV_VALUE_SIZE_BYTES", "2048"),
            ("NOVAKMS_MAX_APP_STORAGE_BYTES", "8192"),
            ("NOVAKMS_QUOTA_POLICY", "reject"),
            ("NOVAKMS_MAX_KEY_BYTES", "64"),
        ],
    );
    let rt = rt();
    rt.block_on(async {
        let c = d.app_client(0);
        let url = d.node(0).url.clone();
        // Key length limit (issue 10): 400 naming the limit, nothing stored; 64 bytes pass.
        let before = fingerprint(&url).await;
        let long = "k".repeat(65);
        let err = c.put(&long, b"v", 0).await.unwrap_err();
        assert!(err.message().contains("Key exceeds 64 bytes"), "{err}");
        let err = c.get(&long).await.unwrap_err();
        assert!(err.message().contains("Key exceeds 64 bytes"), "{err}");
        assert_eq!(fingerprint(&url).await, before);
        assert!(
            c.get(&"k".repeat(64)).await.unwrap().is_none(),
            "64 bytes pass the check"
        );
        // A 404 does not echo the key, which arrived encrypted (issue 10).
        for method in [Method::DELETE, Method::GET] {
            let (path, inner) = match method {
                Method::GET => ("/kms/data/secret-name".to_string(), None),
                _ => ("/kms/data".to_string(), Some(json!({"key": "secret-name"}))),
            };
            match c.call(method.clone(), &path, inner.as_ref()).await.unwrap() {
                CallResult::Refused(r) => {
                    assert_eq!((r.status, r.code.as_str()), (404, "not_found"));
                    assert_eq!(r.message, "Key not found", "{method}");
                }
                CallResult::Ok(v) => panic!("{v}"),
            }
        }
        // Over-size value: 400 from the handler.
        let err = c.put("big", &vec![1u8; 2049], 0).await.unwrap_err();
        assert!(
            err.message().contains("Value size exceeds limit 2048"),
            "{err}"
        );
        // Fill the namespace, then the over-quota write is refused (4xx).
        for i in 0..4 {
            c.put(&format!("k{i}"), &vec![2u8; 2000], 0).await.unwrap();
        }
        let before = fingerprint(&url).await;
        let err = c.put("k4", &vec![3u8; 2000], 0).await.unwrap_err();
        assert!(err.message().contains("413"), "{err}");
        assert_eq!(fingerprint(&url).await, before);
        assert!(c.get("k4").await.unwrap().is_none());
        for i in 0..4 {
            assert_eq!(
                c.get(&format!("k{i}")).await.unwrap().unwrap().0,
                vec![2u8; 2000]
            );
        }
    });
    // Evict policy: the least-recently-updated record goes, the new one stays.
    d.signal_node(0, libc::SIGTERM);
    d.restart_node(
        0,
        &[
            ("NOVAKMS_MAX_KV_VALUE_SIZE_BYTES", "2048"),
            ("NOVAKMS_MAX_APP_STORAGE_BYTES", "8192"),
            ("NOVAKMS_QUOTA_POLICY", "evict"),
            ("NOVAKMS_PER_APP_METRICS", "true"),
        ],
    );
    rt.block_on(async {
        let c = d.app_client(0);
        c.put("k4", &vec![3u8; 2000], 0).await.unwrap();
        assert!(
            c.get("k0").await.unwrap().is_none(),
            "oldest record evicted"
        );
        assert!(c.get("k4").await.unwrap().is_some(), "written record kept");
        for k in ["k1", "k2", "k3"] {
            assert!(c.get(k).await.unwrap().is_some(), "{k} kept");
        }
        // Opted in: the per-app families are exported.
        let text = novakms::tls::client::builder()
            .build()
            .unwrap()
            .get(format!("{}/metrics", d.node(0).url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let app = d.info.apps[0].app_id;
        assert!(
            text.contains(&format!("novakms_app_records{{app_id=\"{app}\"}} 4")),
            "{text}"
        );
    });
}

#[test]
fn acknowledged_writes_survive_kill_9_and_data_dir_is_exclusive() {
    let d = Devnet::up(1);
    let rt = rt();
    let n = 1000usize;
    let started = std::time::Instant::now();
    rt.block_on(async {
        let c = std::sync::Arc::new(d.app_client(0));
        let mut tasks = Vec::new();
        for t in 0..8 {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                for i in (t..n).step_by(8) {
                    c.put(&format!("key-{i}"), format!("value-{i}").as_bytes(), 0)
                        .await
                        .unwrap();
                }
                // Overwrite some keys so "last value" matters.
                for i in (t..n).step_by(80) {
                    c.put(&format!("key-{i}"), format!("second-{i}").as_bytes(), 0)
                        .await
                        .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    let secs = started.elapsed().as_secs_f64();
    let writes = n + n.div_ceil(80) * 8;
    eprintln!(
        "durable authenticated PUTs: {writes} in {secs:.2} s ({:.0}/s, 8 clients, debug build)",
        writes as f64 / secs
    );
    ok_stdout(&d.app_cli(&["store", "put", "greeting", "hello"]));

    // A second serve on the same data dir: "in use", exit 6.
    let out = std::process::Command::new(common::exe())
        .args(["serve", "--config"])
        .arg(&d.node(0).config)
        .args(["--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use"));

    d.signal_node(0, libc::SIGKILL);
    // Node gone: client commands exit 3 (unreachable).
    let out = d.app_cli(&["store", "get", "greeting"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    d.restart_node(0, &[]);
    assert_eq!(
        ok_stdout(&d.app_cli(&["store", "get", "greeting"])),
        "hello"
    );
    rt.block_on(async {
        let c = d.app_client(0);
        let keys = c.list().await.unwrap();
        assert_eq!(keys.len(), n + 1);
        for i in 0..n {
            let want = if i % 80 < 8 {
                format!("second-{i}")
            } else {
                format!("value-{i}")
            };
            let (v, _) = c.get(&format!("key-{i}")).await.unwrap().unwrap();
            assert_eq!(v, want.as_bytes(), "key-{i}");
        }
    });
}

#[test]
fn database_from_another_cluster_is_refused_and_cli_exit_codes() {
    let d = Devnet::up(1);
    ok_stdout(&d.app_cli(&["store", "put", "greeting", "hello"]));
    d.signal_node(0, libc::SIGTERM);
    // Same data dir, different registry address: refused at start.
    let out = std::process::Command::new(common::exe())
        .args(["serve", "--config"])
        .arg(&d.node(0).config)
        .env(
            "NOVAKMS_NOVA_APP_REGISTRY",
            "0x00000000000000000000000000000000000000aa",
        )
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // Exit 7 with the message docs/troubleshooting.md names.
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert!(err.contains("database belongs to another cluster"), "{err}");
    assert!(err.contains("NovaAppRegistry address"), "{err}");
    // Different KMS app id: refused too.
    let out = std::process::Command::new(common::exe())
        .args(["serve", "--config"])
        .arg(&d.node(0).config)
        .env("NOVAKMS_KMS_APP_ID", "50")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert!(err.contains("KMS app id"), "{err}");
    // The right config still works and the data is intact.
    d.restart_node(0, &[]);
    assert_eq!(
        ok_stdout(&d.app_cli(&["store", "get", "greeting"])),
        "hello"
    );

    // Wrong keystore password: exit 8.
    let wrong = d.path().join("wrong-password");
    std::fs::write(&wrong, "not-the-password").unwrap();
    let out = d.app_cli(&["--password-file", wrong.to_str().unwrap(), "store", "list"]);
    assert_eq!(
        out.status.code(),
        Some(8),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Usage error: exit 2.
    assert_eq!(d.app_cli(&["store"]).status.code(), Some(2));
    assert_eq!(
        d.app_cli(&["derive", "p", "--length", "0"]).status.code(),
        Some(2)
    );
    // health: ready → 0; unknown node → 3.
    assert_eq!(d.app_cli(&["health"]).status.code(), Some(0));
    let out = d.app_cli(&["--addr", "http://127.0.0.1:9", "health"]);
    assert_eq!(out.status.code(), Some(3));

    // A damaged database is refused at start with exit 5 (operator guide, troubleshooting):
    // every stored copy of the key's bytes is altered on disk while the node is stopped.
    d.signal_node(0, libc::SIGTERM);
    let db = d.node(0).data_dir.join("novakms.redb");
    let mut bytes = std::fs::read(&db).unwrap();
    let mut hits = 0;
    let needle = b"greeting";
    let mut i = 0;
    while i + needle.len() <= bytes.len() {
        if &bytes[i..i + needle.len()] == needle {
            bytes[i] = b'G';
            hits += 1;
        }
        i += 1;
    }
    assert!(hits > 0, "the key is stored in the file");
    std::fs::write(&db, &bytes).unwrap();
    let out = std::process::Command::new(common::exe())
        .args(["serve", "--config"])
        .arg(&d.node(0).config)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("corrupt"), "{err}");
}

#[test]
fn readiness_follows_the_registry_and_sigterm_exits_cleanly() {
    let d = Devnet::up(1);
    let rt = rt();
    let node = d.node(0).clone();
    let node_id = d.identity(&node.keystore);
    rt.block_on(async {
        // /status: the shape of protocol.md §8.1 plus node.unavailable_reason.
        let s = status(&node.url).await;
        assert_eq!(s["node"]["tee_wallet"], node.wallet);
        assert_eq!(s["node"]["tee_pubkey"], node_id.tee_pubkey_hex());
        assert_eq!(s["node"]["service_available"], true);
        assert_eq!(s["node"]["is_operator"], true);
        assert_eq!(s["node"]["master_secret"]["state"], "generated");
        assert_eq!(s["node"]["master_secret_initialized"], true);
        assert!(s["node"]["unavailable_reason"].is_null());
        assert_eq!(s["node"]["node_url"], node.url);
        assert_eq!(s["cluster"]["kms_app_id"], 49);
        assert_eq!(s["cluster"]["total_instances"], 1);

        // The operator's view of the chain agrees with the node (`registry`, exit 0).
        let members: Value = serde_json::from_str(&ok_stdout(
            &d.app_cli(&["-o", "json", "registry", "members"]),
        ))
        .unwrap();
        assert_eq!(members["kms_app_id"], 49);
        let rows = members["members"]
            .as_array()
            .expect("members is a JSON array");
        let row = rows
            .iter()
            .find(|r| {
                r["wallet"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case(&node.wallet)
            })
            .unwrap_or_else(|| panic!("node {} not in {members}", node.wallet));
        assert_eq!(row["instance_id"], node.instance_id);
        assert_eq!(row["instance_status"], "ACTIVE");
        assert_eq!(row["zk_verified"], true);
        assert_eq!(row["tee_pubkey"], node_id.tee_pubkey_hex());
        let hash: Value =
            serde_json::from_str(&ok_stdout(&d.app_cli(&["-o", "json", "registry", "hash"])))
                .unwrap();
        let h = hash["master_secret_hash"]
            .as_str()
            .expect("hash is set once ready");
        assert_eq!(h.trim_start_matches("0x").len(), 64, "{h}");
        assert_eq!(hash["kms_app_id"], 49);
        let check: Value =
            serde_json::from_str(&ok_stdout(&d.app_cli(&["-o", "json", "registry", "check"])))
                .unwrap();
        assert_eq!(check["consistent"], true, "{check}");
        assert!(check["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true));

        // The node's instance is STOPPED on chain: readiness off with a reason,
        // /kms/* answer 503.
        let admin = d.admin();
        admin
            .set_instance_status(node.instance_id, 1)
            .await
            .unwrap();
        let c = d.app_client(0);
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let p = novakms::client::node::probe(&node.url, Duration::from_secs(2))
                .await
                .unwrap();
            if !p.ready {
                assert_eq!(p.reason, "self not in KMS node list");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "node stayed ready");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let err = c.list().await.unwrap_err();
        assert_eq!(err.kind(), novakms::ErrorKind::NotReady, "{err}");
        assert!(err.message().contains("self not in KMS node list"), "{err}");
        let s = status(&node.url).await;
        assert_eq!(s["node"]["unavailable_reason"], "self not in KMS node list");
        // Scripts see it too: `health` and `registry check` exit 4 with the reason.
        let health = d.app_cli(&["-o", "json", "health"]);
        assert_eq!(health.status.code(), Some(4), "{health:?}");
        let h: Value = serde_json::from_slice(&health.stdout).unwrap();
        assert_eq!(
            (h["live"].clone(), h["ready"].clone()),
            (json!(true), json!(false))
        );
        assert_eq!(h["reason"], "self not in KMS node list");
        let check = d.app_cli(&["-o", "json", "registry", "check"]);
        assert_eq!(check.status.code(), Some(4), "{check:?}");
        let c: Value = serde_json::from_slice(&check.stdout).unwrap();
        assert_eq!(c["consistent"], false);
        let membership = c["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "membership")
            .unwrap();
        assert_eq!(membership["ok"], false, "{c}");
        assert!(
            membership["detail"].as_str().unwrap().contains("STOPPED"),
            "{c}"
        );
        // Back to ACTIVE: ready again.
        admin
            .set_instance_status(node.instance_id, 0)
            .await
            .unwrap();
    });
    common::wait_ready(&node.url, Duration::from_secs(20));
    let health = d.app_cli(&["-o", "json", "health"]);
    let h: Value = serde_json::from_str(&ok_stdout(&health)).unwrap();
    assert_eq!(h["ready"], true);

    // SIGTERM: readiness off, drain, close redb, exit 0. The restarted node runs as under
    // systemd (`Type=notify`): its sd_notify datagrams go to a socket of this test.
    d.signal_node(0, libc::SIGTERM);
    let notify_dir = tempfile::tempdir().unwrap();
    let notify_path = notify_dir.path().join("notify.sock");
    let notify = std::os::unix::net::UnixDatagram::bind(&notify_path).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut child = std::process::Command::new(common::exe())
        .args(["serve", "--config"])
        .arg(&node.config)
        .env("NOTIFY_SOCKET", &notify_path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    let next = || {
        let mut buf = [0u8; 512];
        let n = notify
            .recv(&mut buf)
            .expect("a sd_notify datagram within 30 s");
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    // READY=1 once it listens, then STATUS=ready once the node tick made it ready.
    while !seen.iter().any(|m: &String| m.contains("STATUS=ready")) {
        seen.push(next());
    }
    assert!(
        seen[0].starts_with("READY=1"),
        "first notification must be READY=1: {seen:?}"
    );
    common::wait_ready(&node.url, Duration::from_secs(30));
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    // Everything the node sent before it exited is still queued on the socket.
    notify
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut after = Vec::new();
    let mut buf = [0u8; 512];
    while let Ok(n) = notify.recv(&mut buf) {
        after.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    assert!(
        after.iter().any(|m| m.contains("STOPPING=1")),
        "SIGTERM must notify STOPPING=1: {after:?}"
    );
    // Nothing listens any more: `health` exits 3 (unreachable).
    let health = d.app_cli(&["health"]);
    assert_eq!(health.status.code(), Some(3), "{health:?}");
    // The database was closed cleanly: it opens again at once.
    novakms::storage::redb::RedbStorage::open(&node.data_dir).unwrap();
}

#[test]
fn dev_wallet_header_is_refused_unless_enabled() {
    // protocol.md §2.6: `x-tee-wallet` names the app without PoP, for development only.
    let d = Devnet::up(1);
    let rt = rt();
    let c = d.app_client(0);
    let wallet = c.identity().address().to_string();
    let dev = vec![("x-tee-wallet".to_string(), wallet.clone())];
    rt.block_on(async {
        c.put("k", b"v", 0).await.unwrap();
        // Off (the default): refused like any request without PoP, nothing read or written.
        let (status, body) = raw(&c, Method::GET, "/kms/data", &dev, None).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["code"], "unauthorized");
        assert_eq!(body["message"], "Missing PoP authentication headers");
        let (status, _) = raw(
            &c,
            Method::PUT,
            "/kms/data",
            &dev,
            Some(put_body(&c, "k2").await),
        )
        .await;
        assert_eq!(status, 403);
        assert_eq!(c.list().await.unwrap(), vec!["k".to_string()]);
    });
    // On: the header alone authenticates the registered app (answer sealed to its key).
    d.signal_node(0, libc::SIGTERM);
    d.restart_node(0, &[("NOVAKMS_ALLOW_DEV_WALLET_HEADER", "true")]);
    rt.block_on(async {
        let (status, body) = raw(&c, Method::GET, "/kms/data", &dev, None).await;
        assert_eq!(status, 200, "{body}");
        let list = common::pop::open_json(c.local_identity().unwrap(), &body);
        assert_eq!(list["keys"], json!(["k"]));
        // An unregistered wallet is still refused by the registry.
        let stranger = vec![("x-tee-wallet".to_string(), Identity::generate().address())];
        let (status, body) = raw(&c, Method::GET, "/kms/data", &stranger, None).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["code"], "unauthorized");
        assert_eq!(body["message"], "Instance not found");
    });
}
