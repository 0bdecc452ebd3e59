//! End-to-end tests of the peer API (`POST /sync`, `GET /nodes`) on a real
//! devnet: one real node; the test registers extra KMS instances on chain
//! for test identities and speaks to the node as those "peers", through
//! `PeerClient` (valid traffic) and hand-made requests (forged traffic).

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::http::{get_json, in_nodes, wait_member};
use common::pop::{peer_headers, seal_to};
use common::wait::{now_ms, now_s, rt};
use common::Devnet;
use novakms::client::peer::{PeerClient, PeerError};
use novakms::clock::Clock;
use novakms::crypto::canonical::canonical_json;
use novakms::crypto::envelope::DEFAULT_INFO_LABEL as LABEL;
use novakms::crypto::keys::spki_der;
use novakms::crypto::mac::sync_hmac_hex;
use novakms::crypto::master::MasterSecret;
use novakms::crypto::pop;
use novakms::crypto::value::encrypt_value;
use novakms::identity::Identity;
use novakms::node::ingest::parse_data;
use novakms::node::peers::PeerInfo;
use novakms::store::{Record, VectorClock};
use serde_json::{json, Value};

fn client(id: &Identity) -> PeerClient {
    PeerClient::new(id.clone(), LABEL, Duration::from_secs(30), Clock::system()).unwrap()
}

fn record(key: &str, value: Vec<u8>, clock: &[(&str, u64)], ts: u64) -> Record {
    let mut v = VectorClock::new();
    for (n, c) in clock {
        v.0.insert(n.to_string(), *c);
    }
    Record {
        key: key.into(),
        value,
        version: v,
        updated_at_ms: ts,
        tombstone: false,
        ttl_ms: 0,
    }
}

fn tombstone(key: &str, clock: &[(&str, u64)], ts: u64) -> Record {
    let mut r = record(key, vec![], clock, ts);
    r.tombstone = true;
    r
}

fn one_app(app: u64, recs: Vec<Record>) -> BTreeMap<u64, Vec<Record>> {
    BTreeMap::from([(app, recs)])
}

/// A hand-made `/sync` request.
struct Raw {
    headers: Vec<(String, String)>,
    body: String,
}

impl Raw {
    fn set(&mut self, name: &str, value: Option<String>) {
        self.headers.retain(|(k, _)| k != name);
        if let Some(v) = value {
            self.headers.push((name.to_string(), v));
        }
    }
}

/// Builds requests to the node as `signer`, checked against `node`.
struct Forger {
    node: PeerInfo,
}

impl Forger {
    async fn nonce(&self) -> String {
        get_json(&format!("{}/nonce", self.node.url)).await["nonce"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// PoP headers signed by `signer` for the node at `ts`.
    async fn pop(&self, signer: &Identity, ts: u64) -> Vec<(String, String)> {
        peer_headers(signer, &self.node.wallet, &self.nonce().await, ts)
    }

    /// Envelope of `plain` from `from` to the node.
    fn seal(&self, from: &Identity, plain: &[u8]) -> Value {
        seal_to(from, &self.node.tee_pubkey, plain)
    }

    /// A fully valid request: PoP by `signer`, `payload` (raw plaintext)
    /// sealed by `signer`, HMAC with `key` when given.
    async fn build(&self, signer: &Identity, plain: &[u8], key: Option<&[u8; 32]>) -> Raw {
        let body = self.seal(signer, plain);
        let mut headers = self.pop(signer, now_s()).await;
        if let Some(k) = key {
            headers.push(("x-sync-signature".into(), sync_hmac_hex(k, &body)));
        }
        Raw {
            headers,
            body: canonical_json(&body),
        }
    }

    async fn send(&self, r: &Raw) -> (u16, Value) {
        let mut req = novakms::tls::client::builder()
            .build()
            .unwrap()
            .post(format!("{}/sync", self.node.url))
            .timeout(Duration::from_secs(30))
            .header("content-type", "application/json");
        for (k, v) in &r.headers {
            req = req.header(k, v);
        }
        let resp = req.body(r.body.clone()).send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

fn expect(res: (u16, Value), status: u16, msg_part: &str) {
    assert_eq!(res.0, status, "{:?}", res.1);
    let msg = res.1["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| res.1.to_string());
    assert!(msg.contains(msg_part), "{msg:?} lacks {msg_part:?}");
}

fn refused(e: PeerError) -> (u16, String) {
    match e {
        PeerError::Refused { status, message } => (status, message),
        other => panic!("expected a refusal, got {other}"),
    }
}

/// Everything the node stores, as seen from outside: `/status` counters and
/// the full snapshot (every namespace, tombstones and clocks included).
async fn fingerprint(d: &Devnet, pc: &PeerClient, node: &PeerInfo, key: &[u8; 32]) -> String {
    let s = get_json(&format!("{}/status", d.node(0).url)).await;
    let snap = pc.snapshot(node, key).await.unwrap();
    format!(
        "{}|{}",
        canonical_json(&s["data_store"]),
        canonical_json(&snap)
    )
}

#[test]
fn peer_exchange_master_secret_delta_snapshot_and_nodes() {
    let d = Devnet::up(1);
    rt().block_on(async {
        let node = d.node_peer(0).await;
        let url = d.node(0).url.clone();
        let app = d.info.apps[0].app_id;
        let (me, my_iid) = d.register_kms(true).await;
        let w = me.address();
        wait_member(&url, &w, true).await;
        let pc = client(&me);

        // /nodes: both members, alphabetical keys, our instance fields.
        let nodes = get_json(&format!("{url}/nodes")).await;
        assert_eq!(nodes["count"], 2, "{nodes}");
        let mine = nodes["operators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operator"] == w.as_str())
            .unwrap()
            .clone();
        assert_eq!(mine["instance"]["instance_id"], my_iid);
        assert_eq!(mine["instance"]["app_id"], d.info.kms_app_id);
        assert_eq!(mine["instance"]["tee_wallet"], w.as_str());
        assert_eq!(mine["instance"]["zk_verified"], true);
        assert_eq!(
            mine["instance"]["instance_status"],
            json!({"name": "ACTIVE", "value": 0})
        );
        assert_eq!(mine["connection"]["in_peer_cache"], true);
        assert_eq!(mine["connection"]["cached_status"], "ACTIVE");
        assert_eq!(mine["is_self"], false);
        let text = novakms::tls::client::builder()
            .build()
            .unwrap()
            .get(format!("{url}/nodes"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.starts_with(r#"{"count":2,"operators":[{"connection":{"#),
            "{text}"
        );

        // master_secret_request: the sealed secret matches the chain.
        let secret = pc.master_secret(&node, None).await.unwrap();
        let ms = MasterSecret::from_bytes(secret);
        let chain = d.registry().master_secret_hash().await.unwrap();
        assert_eq!(ms.hash(), chain);
        let key = ms.sync_key();
        // With an HMAC too (ignored for this type), a fresh ephemeral key each time.
        assert_eq!(pc.master_secret(&node, Some(&key)).await.unwrap(), secret);

        // Local data: one live key and one tombstone.
        let appc = d.app_client(0);
        appc.put("existing", b"v0", 0).await.unwrap();
        appc.put("gone", b"x", 0).await.unwrap();
        assert!(appc.delete("gone").await.unwrap());

        // A valid delta merges; counts are right.
        let dk = ms.data_key(app);
        let t = now_ms();
        let batch = one_app(
            app,
            vec![
                record("k1", encrypt_value(&dk, b"hello"), &[(&w, 1)], t),
                record("k2", encrypt_value(&dk, b"two"), &[(&w, 1)], t),
                tombstone("k3", &[(&w, 1)], t),
            ],
        );
        let r = pc.delta(&node, &key, &batch).await.unwrap();
        assert_eq!((r.total, r.merged, r.skipped, r.rejected), (3, 3, 0, 0));
        assert!(r.skip_reasons.is_empty());
        assert_eq!(appc.get("k1").await.unwrap().unwrap().0, b"hello");
        assert_eq!(appc.get("k2").await.unwrap().unwrap().0, b"two");
        assert_eq!(appc.get("k3").await.unwrap(), None);
        let mut keys = appc.list().await.unwrap();
        keys.sort();
        assert_eq!(keys, vec!["existing", "k1", "k2"]);

        // Replay of the same records (fresh nonce): ignored as equal.
        let r = pc.delta(&node, &key, &batch).await.unwrap();
        assert_eq!((r.total, r.merged, r.skipped, r.rejected), (3, 0, 3, 0));
        assert_eq!(
            r.skip_reasons,
            BTreeMap::from([("ignored_equal_version".to_string(), 3)])
        );
        // An older clock is ignored; a newer one replaces.
        let older = one_app(app, vec![record("k1", encrypt_value(&dk, b"old"), &[], t)]);
        let r = pc.delta(&node, &key, &older).await.unwrap();
        assert_eq!((r.total, r.merged, r.skipped), (1, 0, 1));
        assert_eq!(r.skip_reasons["ignored_existing_newer_version"], 1);
        let newer = one_app(
            app,
            vec![record(
                "k1",
                encrypt_value(&dk, b"world"),
                &[(&w, 2)],
                t + 1,
            )],
        );
        let r = pc.delta(&node, &key, &newer).await.unwrap();
        assert_eq!((r.total, r.merged), (1, 1));
        assert_eq!(appc.get("k1").await.unwrap().unwrap().0, b"world");
        // An empty delta is fine.
        let r = pc.delta(&node, &key, &BTreeMap::new()).await.unwrap();
        assert_eq!(r.total, 0);

        // snapshot_request: every record, tombstones included, clocks as stored.
        let snap = pc.snapshot(&node, &key).await.unwrap();
        let parsed = parse_data(&snap);
        let recs: BTreeMap<String, Record> = parsed[&app]
            .iter()
            .map(|r| (r.key.clone(), r.clone()))
            .collect();
        assert_eq!(
            recs.keys().map(String::as_str).collect::<Vec<_>>(),
            vec!["existing", "gone", "k1", "k2", "k3"]
        );
        assert!(recs["gone"].tombstone && recs["k3"].tombstone);
        assert!(!recs["existing"].tombstone);
        assert_eq!(recs["existing"].version.get(&d.node(0).wallet), 1);
        assert_eq!(recs["gone"].version.get(&d.node(0).wallet), 2);
        assert_eq!(recs["k1"], newer[&app][0]);
        assert_eq!(
            novakms::crypto::value::decrypt_value(&dk, &recs["existing"].value).unwrap(),
            b"v0"
        );
        // The raw snapshot is the §6.4 wire form.
        assert_eq!(snap[app.to_string()][0]["key"], "existing");
        assert_eq!(
            snap[app.to_string()]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["key"] == "gone")
                .unwrap()["value"],
            Value::Null
        );
    });
}

#[test]
fn forged_sync_traffic_is_refused_without_state_change() {
    let d = Devnet::up(1);
    let rt = rt();
    let (me, ms, node) = rt.block_on(async {
        let node = d.node_peer(0).await;
        let url = d.node(0).url.clone();
        let app = d.info.apps[0].app_id;
        let admin = d.admin();
        let (me, _) = d.register_kms(true).await;
        let (stopped, stopped_iid) = d.register_kms(true).await;
        let (not_zk, _) = d.register_kms(false).await;
        let w = me.address();
        wait_member(&url, &w, true).await;
        wait_member(&url, &stopped.address(), true).await;
        admin.set_instance_status(stopped_iid, 1).await.unwrap();
        wait_member(&url, &stopped.address(), false).await;
        assert!(!in_nodes(
            &get_json(&format!("{url}/nodes")).await,
            &not_zk.address()
        ));

        let pc = client(&me);
        let ms = MasterSecret::from_bytes(pc.master_secret(&node, None).await.unwrap());
        let key = ms.sync_key();
        let dk = ms.data_key(app);
        let appc = d.app_client(0);
        appc.put("seed", b"v", 0).await.unwrap();
        let f = Forger { node: node.clone() };
        let before = fingerprint(&d, &pc, &node, &key).await;

        let t = now_ms();
        let good_rec = |k: &str| record(k, encrypt_value(&dk, b"evil"), &[(&w, 9)], t);
        let delta_payload = |k: &str, sender: &str| {
            json!({"type": "delta", "sender_wallet": sender,
                   "data": {app.to_string(): [good_rec(k).to_wire()]}})
        };
        let plain = |v: &Value| canonical_json(v).into_bytes();
        let p = plain(&delta_payload("forged", &w));

        macro_rules! unchanged {
            () => {
                assert_eq!(fingerprint(&d, &pc, &node, &key).await, before);
            };
        }

        // Bad HMAC: wrong key, tampered hex, 0x prefix, upper-case of a wrong value.
        let mut r = f.build(&me, &p, Some(&[9u8; 32])).await;
        expect(f.send(&r).await, 403, "Invalid HMAC signature");
        unchanged!();
        r = f.build(&me, &p, Some(&key)).await;
        let good_mac = r
            .headers
            .iter()
            .find(|(k, _)| k == "x-sync-signature")
            .unwrap()
            .1
            .clone();
        r.set("x-sync-signature", Some(format!("0x{good_mac}")));
        expect(f.send(&r).await, 403, "Invalid HMAC signature");
        unchanged!();
        // HMAC over a different body (extra key added after signing).
        r = f.build(&me, &p, Some(&key)).await;
        let mut body: Value = serde_json::from_str(&r.body).unwrap();
        body["extra"] = json!(1);
        r.body = canonical_json(&body);
        expect(f.send(&r).await, 403, "Invalid HMAC signature");
        unchanged!();
        // Missing HMAC on delta and on snapshot_request.
        r = f.build(&me, &p, None).await;
        expect(f.send(&r).await, 403, "Missing HMAC signature");
        r = f
            .build(&me, &plain(&json!({"type": "snapshot_request"})), None)
            .await;
        expect(f.send(&r).await, 403, "Missing HMAC signature");
        unchanged!();

        // Signer not a member: unregistered identity, STOPPED, not zkVerified,
        // an app instance (the demo app), a signature for another recipient.
        let stranger = Identity::generate();
        let app_id = d.identity(&d.info.apps[0].keystore);
        for (who, label) in [
            (&stranger, "unregistered"),
            (&stopped, "stopped"),
            (&not_zk, "not zkVerified"),
            (&app_id, "app instance"),
        ] {
            let pp = plain(&delta_payload("forged", &who.address()));
            let r = f.build(who, &pp, Some(&key)).await;
            let res = f.send(&r).await;
            assert_eq!(res.0, 403, "{label}: {:?}", res.1);
            assert_eq!(res.1["code"], "forbidden", "{label}");
            assert!(
                res.1["message"]
                    .as_str()
                    .unwrap()
                    .contains("not found in PeerCache"),
                "{label}: {:?}",
                res.1
            );
            // Through the real client too.
            let e = client(who)
                .delta(&node, &key, &one_app(app, vec![good_rec("forged")]))
                .await
                .unwrap_err();
            assert_eq!(refused(e).0, 403, "{label}");
        }
        unchanged!();
        // Signed for another recipient wallet: recovers to a random address.
        let nonce = f.nonce().await;
        let ts = now_s();
        let sig = me.sign(&pop::peer_auth_message(&nonce, &stranger.address(), ts));
        let mut r = f.build(&me, &p, Some(&key)).await;
        r.set("x-kms-signature", Some(sig));
        r.set("x-kms-nonce", Some(nonce));
        r.set("x-kms-wallet", None);
        expect(f.send(&r).await, 403, "not found in PeerCache");
        unchanged!();
        // x-kms-wallet header naming someone else.
        let mut r = f.build(&me, &p, Some(&key)).await;
        r.set("x-kms-wallet", Some(stranger.address()));
        expect(
            f.send(&r).await,
            403,
            "KMS wallet header does not match signature",
        );
        unchanged!();

        // sender_wallet mismatch / invalid.
        for (sw, msg) in [
            (
                json!(stranger.address()),
                "sender_wallet does not match PoP signature",
            ),
            (json!("0xZZ"), "Invalid wallet address"),
            (json!(5), "Invalid wallet address"),
        ] {
            let mut v = delta_payload("forged", &w);
            v["sender_wallet"] = sw;
            let r = f.build(&me, &plain(&v), Some(&key)).await;
            expect(f.send(&r).await, 403, msg);
        }
        unchanged!();

        // Missing PoP headers.
        for h in ["x-kms-signature", "x-kms-nonce", "x-kms-timestamp"] {
            let mut r = f.build(&me, &p, Some(&key)).await;
            r.set(h, None);
            expect(f.send(&r).await, 403, &format!("Missing {h}"));
        }
        let mut r = f.build(&me, &p, Some(&key)).await;
        r.set("x-kms-timestamp", Some("12x".into()));
        expect(f.send(&r).await, 403, "Invalid x-kms-timestamp");
        let mut r = f.build(&me, &p, Some(&key)).await;
        r.set("x-kms-nonce", Some("not base64!".into()));
        expect(f.send(&r).await, 403, "Invalid nonce encoding");
        let mut r = f.build(&me, &p, Some(&key)).await;
        r.set("x-kms-signature", Some("0x1234".into()));
        expect(f.send(&r).await, 403, "Invalid signature format");
        unchanged!();

        // Stale and future timestamps; the nonce survives those refusals and
        // a bystander's attempt, and still works for the real peer.
        let body = f.seal(&me, &p);
        let mac = sync_hmac_hex(&key, &body);
        let nonce = f.nonce().await;
        for ts in [now_s() - 200, now_s() + 200] {
            let sig = me.sign(&pop::peer_auth_message(&nonce, &node.wallet, ts));
            let r = Raw {
                headers: vec![
                    ("x-kms-signature".into(), sig),
                    ("x-kms-nonce".into(), nonce.clone()),
                    ("x-kms-timestamp".into(), ts.to_string()),
                    ("x-sync-signature".into(), mac.clone()),
                ],
                body: canonical_json(&body),
            };
            expect(f.send(&r).await, 403, "Stale timestamp");
        }
        let ts = now_s();
        let bystander = Raw {
            headers: vec![
                (
                    "x-kms-signature".into(),
                    stranger.sign(&pop::peer_auth_message(&nonce, &node.wallet, ts)),
                ),
                ("x-kms-nonce".into(), nonce.clone()),
                ("x-kms-timestamp".into(), ts.to_string()),
                ("x-sync-signature".into(), mac.clone()),
            ],
            body: canonical_json(&body),
        };
        expect(f.send(&bystander).await, 403, "not found in PeerCache");
        unchanged!();
        // A valid snapshot request with that nonce works, and replaying it fails.
        let snap_body = f.seal(
            &me,
            &plain(&json!({"type": "snapshot_request", "sender_wallet": w})),
        );
        let valid = Raw {
            headers: vec![
                (
                    "x-kms-signature".into(),
                    me.sign(&pop::peer_auth_message(&nonce, &node.wallet, ts)),
                ),
                ("x-kms-nonce".into(), nonce.clone()),
                ("x-kms-timestamp".into(), ts.to_string()),
                ("x-sync-signature".into(), sync_hmac_hex(&key, &snap_body)),
            ],
            body: canonical_json(&snap_body),
        };
        let (status, resp) = f.send(&valid).await;
        assert_eq!(status, 200, "{resp}");
        assert!(resp.get("encrypted_data").is_some());
        expect(f.send(&valid).await, 403, "Invalid or expired nonce");
        // Replayed nonce on a delta.
        let mut r = f.build(&me, &p, Some(&key)).await;
        let used = valid.headers[1].1.clone();
        let sig = me.sign(&pop::peer_auth_message(&used, &node.wallet, now_s()));
        r.set("x-kms-nonce", Some(used));
        r.set("x-kms-signature", Some(sig));
        r.set("x-kms-timestamp", Some(now_s().to_string()));
        expect(f.send(&r).await, 403, "Invalid or expired nonce");
        unchanged!();

        // Wrong sender_tee_pubkey: sealed by another key (403), or claiming
        // ours while sealed by another key (400 Envelope decryption failed).
        let other = Identity::generate();
        let mut r = f.build(&me, &p, Some(&key)).await;
        let env = f.seal(&other, &p);
        r.set("x-sync-signature", Some(sync_hmac_hex(&key, &env)));
        r.body = canonical_json(&env);
        expect(f.send(&r).await, 403, "sender_tee_pubkey does not match");
        let mut env = f.seal(&other, &p);
        env["sender_tee_pubkey"] = json!(hex::encode(me.tee_pubkey_der()));
        let mut r = f.build(&me, &p, Some(&key)).await;
        r.set("x-sync-signature", Some(sync_hmac_hex(&key, &env)));
        r.body = canonical_json(&env);
        expect(f.send(&r).await, 400, "Envelope decryption failed");
        // Garbage envelope fields.
        let mut env = f.seal(&me, &p);
        env["nonce"] = json!("zz");
        let mut r = f.build(&me, &p, Some(&key)).await;
        r.set("x-sync-signature", Some(sync_hmac_hex(&key, &env)));
        r.body = canonical_json(&env);
        expect(f.send(&r).await, 400, "Envelope decryption failed");
        unchanged!();

        // Plaintext body (even with a valid HMAC over it).
        let pv = delta_payload("forged", &w);
        let mut r = f.build(&me, &p, Some(&key)).await;
        r.set("x-sync-signature", Some(sync_hmac_hex(&key, &pv)));
        r.body = canonical_json(&pv);
        expect(f.send(&r).await, 400, "E2E encrypted");
        unchanged!();

        // Garbage outer bodies: arrays, numbers, strings, deep nesting, non-JSON,
        // wrong content type. Always 4xx.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        for body in [
            "[1,2]",
            "5",
            "\"x\"",
            "null",
            "{}",
            deep.as_str(),
            "{not json",
        ] {
            let mut r = f.build(&me, &p, Some(&key)).await;
            r.body = body.to_string();
            let (s, v) = f.send(&r).await;
            assert!((400..500).contains(&s), "{body:.20}: {s} {v}");
        }
        let r = f.build(&me, &p, Some(&key)).await;
        let resp = novakms::tls::client::builder()
            .build()
            .unwrap()
            .post(format!("{url}/sync"))
            .header("content-type", "text/plain")
            .body(r.body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 415);
        unchanged!();

        // Garbage inner payloads: not an object → 400; odd shapes → 4xx or a
        // harmless 200 that merges nothing.
        let mut deep_inner = "1".to_string();
        for _ in 0..200 {
            deep_inner = format!("[{deep_inner}]");
        }
        for inner in [
            "[1,2]".to_string(),
            "5".into(),
            "\"delta\"".into(),
            "null".into(),
            "not json".into(),
            deep_inner.clone(),
        ] {
            let r = f.build(&me, inner.as_bytes(), Some(&key)).await;
            expect(f.send(&r).await, 400, "Invalid sync payload");
        }
        for (inner, msg) in [
            (json!({"type": 5}), "Unknown sync type: "),
            (json!({}), "Unknown sync type: "),
            (json!({"type": "gimme"}), "Unknown sync type: gimme"),
        ] {
            let r = f.build(&me, &plain(&inner), Some(&key)).await;
            expect(f.send(&r).await, 400, msg);
        }
        let huge_clock: serde_json::Map<String, Value> = (0..300)
            .map(|i| (format!("0x{i:040x}"), json!(1)))
            .collect();
        let mut rec_big_clock = good_rec("bigclock").to_wire();
        rec_big_clock["version"] = Value::Object(huge_clock);
        let mut deep_rec = json!(1);
        for _ in 0..100 {
            deep_rec = json!({"a": deep_rec});
        }
        for data in [
            json!([1, 2]),
            json!(7),
            json!("x"),
            json!({"x": [good_rec("x").to_wire()], "-1": [good_rec("y").to_wire()],
                   "99999999999999999999999": [good_rec("z").to_wire()], "1.5": []}),
            json!({app.to_string(): 5, "7": {"key": "k"}}),
            json!({app.to_string(): [1, "s", null, {"key": 5}, {"key": "nv"}, rec_big_clock]}),
            json!({app.to_string(): [deep_rec]}),
        ] {
            let v = pc
                .request(
                    &node,
                    &json!({"type": "delta", "sender_wallet": w, "data": data}),
                    Some(&key),
                )
                .await
                .unwrap();
            assert_eq!(v["status"], "ok");
            assert_eq!(v["total"], 0, "{data:.80}");
        }
        unchanged!();

        // master_secret_request with bad ecdh_pubkey values.
        for (inner, msg) in [
            (
                json!({"type": "master_secret_request"}),
                "Sealed ECDH pubkey required",
            ),
            (
                json!({"type": "master_secret_request", "ecdh_pubkey": 5}),
                "Sealed ECDH pubkey required",
            ),
            (
                json!({"type": "master_secret_request",
                       "ecdh_pubkey": format!("0x{}", hex::encode(spki_der(&me.tee_public())))}),
                "Invalid ecdh_pubkey hex",
            ),
            (
                json!({"type": "master_secret_request", "ecdh_pubkey": "abcd"}),
                "Invalid peer ECDH public key",
            ),
        ] {
            let r = f.build(&me, &plain(&inner), None).await;
            expect(f.send(&r).await, 400, msg);
        }
        unchanged!();

        // Records that fail validation are rejected (counted), nothing stored:
        // wrong key (another app's data key, random key), too short, dated
        // beyond the skew bound, app_id 0.
        let wrong_app = ms.data_key(app + 1);
        let bad = one_app(
            app,
            vec![
                record("wrongapp", encrypt_value(&wrong_app, b"x"), &[(&w, 1)], t),
                record("randomkey", encrypt_value(&[3u8; 32], b"x"), &[(&w, 1)], t),
                record("short", vec![0; 20], &[(&w, 1)], t),
                record(
                    "future",
                    encrypt_value(&dk, b"x"),
                    &[(&w, 1)],
                    now_ms() + 120_000,
                ),
                tombstone("seed", &[(&w, 5)], now_ms() + 120_000),
            ],
        );
        let rep = pc.delta(&node, &key, &bad).await.unwrap();
        assert_eq!(
            (rep.total, rep.merged, rep.skipped, rep.rejected),
            (5, 0, 0, 5)
        );
        let zero = one_app(
            0,
            vec![record(
                "z",
                encrypt_value(&ms.data_key(0), b"x"),
                &[(&w, 1)],
                t,
            )],
        );
        let rep = pc.delta(&node, &key, &zero).await.unwrap();
        assert_eq!((rep.total, rep.rejected), (1, 1));
        // A record over the sync size bound (max value + 128) is rejected by
        // validation (the 8 MiB /sync body limit lets the request through).
        let huge = one_app(
            app,
            vec![record("huge", vec![0; 1_048_576 + 129], &[(&w, 1)], t)],
        );
        let rep = pc.delta(&node, &key, &huge).await.unwrap();
        assert_eq!((rep.total, rep.merged, rep.rejected), (1, 0, 1));
        // A body over the 8 MiB /sync limit is refused by the framework: 413.
        let giant = one_app(
            app,
            (0..3)
                .map(|i| record(&format!("giant-{i}"), vec![0; 1_000_000], &[(&w, 1)], t))
                .collect(),
        );
        let (status, _) = refused(pc.delta(&node, &key, &giant).await.unwrap_err());
        assert_eq!(status, 413);
        unchanged!();
        assert_eq!(appc.get("seed").await.unwrap().unwrap().0, b"v");
        for k in [
            "forged",
            "wrongapp",
            "randomkey",
            "short",
            "future",
            "huge",
            "giant-0",
        ] {
            assert_eq!(appc.get(k).await.unwrap(), None, "{k}");
        }

        // Finally the valid hand-made delta is accepted (the forger is right).
        let r = f.build(&me, &p, Some(&key)).await;
        let (status, v) = f.send(&r).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(appc.get("forged").await.unwrap().unwrap().0, b"evil");
        (me, ms, node)
    });

    // Oversize record within the body limit: restart the node with a small
    // value limit; a ciphertext of limit + 128 passes, limit + 129 fails.
    d.signal_node(0, libc::SIGTERM);
    d.restart_node(0, &[("NOVAKMS_MAX_KV_VALUE_SIZE_BYTES", "2000")]);
    rt.block_on(async {
        let w = me.address();
        let app = d.info.apps[0].app_id;
        let pc = client(&me);
        let key = ms.sync_key();
        let dk = ms.data_key(app);
        wait_member(&d.node(0).url, &w, true).await;
        let t = now_ms();
        let sized = one_app(
            app,
            vec![
                record("fits", encrypt_value(&dk, &[1u8; 2100]), &[(&w, 1)], t),
                record("toobig", encrypt_value(&dk, &[1u8; 2101]), &[(&w, 1)], t),
            ],
        );
        let rep = pc.delta(&node, &key, &sized).await.unwrap();
        assert_eq!((rep.total, rep.merged, rep.rejected), (2, 1, 1));
        let appc = d.app_client(0);
        assert!(appc.get("toobig").await.unwrap().is_none());
        assert_eq!(appc.get("fits").await.unwrap().unwrap().0, vec![1u8; 2100]);
    });
}
