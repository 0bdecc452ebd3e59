//! Issue 10 items 4 and 5 against a real devnet node (anvil, registries, `novakms serve` on
//! 127.0.0.1, redb):
//!
//! * [`nonce_flood_from_many_addresses_keeps_earlier_nonces_valid`]: behind a trusted proxy
//!   (`trusted_proxies = 127.0.0.1/32`, addresses in `X-Forwarded-For`) 100 client addresses
//!   flood `/nonce`; each gets its own rate-limit bucket, a nonce handed out before the flood
//!   still authenticates afterwards, the used-set stays small, and a socket peer that is not
//!   a trusted proxy cannot pick buckets with its own `X-Forwarded-For`;
//! * [`replayed_envelope_with_fresh_pop_is_refused`]: an old request envelope paired with
//!   fresh valid PoP headers is refused with 400 and the value does not roll back;
//! * [`reflected_put_reply_as_delete_is_refused`]: the node's PUT reply sent back as a DELETE
//!   body (sender field rewritten to the app's key) is refused with 400 and the key stays.

use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};

use crate::app_table::{app_valid, AppRoute};
use crate::common::http::nonce_with as nonce;
use crate::common::pop::{app_headers, b64, body_bytes, open_json, send, Req};
use crate::common::wait::{now_s, rt};
use crate::common::Devnet;
use crate::harness::{check, client_from, exp, Target};
use crate::metric;

/// `/nonce` through the "proxy" (socket 127.0.0.1) on behalf of `client`.
async fn nonce_as(http: &reqwest::Client, base: &str, client: &str) -> (u16, Option<String>) {
    let r = http
        .get(format!("{base}/nonce"))
        .header("x-forwarded-for", client)
        .send()
        .await
        .expect("transport");
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    (status, v["nonce"].as_str().map(str::to_owned))
}

#[test]
fn nonce_flood_from_many_addresses_keeps_earlier_nonces_valid() {
    const ADDRESSES: usize = 100;
    const PER_ADDRESS: usize = 120;
    const LIMIT: &str = "600"; // per minute and address; burst 600 > PER_ADDRESS
    let d = Devnet::up(1);
    d.signal_node(0, libc::SIGTERM);
    d.restart_node(
        0,
        &[
            ("NOVAKMS_TRUSTED_PROXIES", "127.0.0.1/32"),
            ("NOVAKMS_NONCE_RATE_LIMIT_PER_MINUTE", LIMIT),
        ],
    );
    let url = d.node(0).url.clone();
    let t = Target {
        base: url.clone(),
        wallet: d.node(0).wallet.clone(),
        tee: d.identity(&d.node(0).keystore).tee_pubkey_der(),
    };
    let app = d.identity(&d.info.apps[0].keystore);
    let proxy = client_from([127, 0, 0, 1]);
    rt().block_on(async {
        // A legitimate client behind the proxy gets its nonce before the flood.
        let (s, held) = nonce_as(&proxy, &url, "203.0.113.7").await;
        assert_eq!(s, 200);
        let held = held.unwrap();

        // The flood: 100 addresses x 120 nonces through the proxy, 16 in flight.
        let started = std::time::Instant::now();
        let jobs: Vec<String> = (0..ADDRESSES * PER_ADDRESS)
            .map(|i| format!("6.6.6.6, 198.51.100.{}", i % ADDRESSES + 1))
            .collect();
        let statuses: Vec<u16> = stream::iter(jobs)
            .map(|xff| {
                let h = proxy.clone();
                let u = url.clone();
                async move { nonce_as(&h, &u, &xff).await.0 }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        let flood_secs = started.elapsed().as_secs_f64();
        let refused = statuses.iter().filter(|s| **s != 200).count();
        assert_eq!(
            refused, 0,
            "each forwarded address has its own bucket (burst {LIMIT}): {refused} refused"
        );

        // The nonce handed out before the flood still authenticates.
        let r = app_valid(&t, &app, AppRoute::List, &held, &Value::Null);
        let got = send(&proxy, &url, &r).await;
        assert_eq!(got.0, 200, "nonce issued before the flood: {got:?}");
        // Issuing held no state: only that one consumed nonce is in the used-set.
        let held_metric = metric(&url, "novakms_nonces_held").await;
        assert_eq!(held_metric, 1.0, "used-set after the flood");
        println!(
            "nonce flood: {} nonces to {ADDRESSES} forwarded addresses in {flood_secs:.1} s, 0 refused; \
             earlier nonce still valid; used-set holds {held_metric}",
            statuses.len()
        );

        // A socket peer that is not a trusted proxy: its X-Forwarded-For is ignored, so
        // rotating it does not escape its one bucket.
        let outsider = client_from([127, 0, 0, 9]);
        let started = std::time::Instant::now();
        let statuses: Vec<u16> = stream::iter(0..1000)
            .map(|i| {
                let h = outsider.clone();
                let u = url.clone();
                async move { nonce_as(&h, &u, &format!("192.0.2.{}", i % 200 + 1)).await.0 }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        let granted = statuses.iter().filter(|s| **s == 200).count();
        // One bucket: burst 600, refilled at 10 per second while this runs.
        let refill = (started.elapsed().as_secs_f64() * 10.0).ceil() as usize;
        assert!(
            granted <= 601 + refill,
            "untrusted X-Forwarded-For split the buckets: {granted} granted (refill {refill})"
        );
    });
}

/// A 1-node devnet, its target, the demo app and an HTTP client.
fn setup() -> (Devnet, Target, novakms::identity::Identity, reqwest::Client) {
    let d = Devnet::up(1);
    let t = Target {
        base: d.node(0).url.clone(),
        wallet: d.node(0).wallet.clone(),
        tee: d.identity(&d.node(0).keystore).tee_pubkey_der(),
    };
    let app = d.identity(&d.info.apps[0].keystore);
    let http = novakms::tls::client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    (d, t, app, http)
}

fn put(t: &Target, app: &novakms::identity::Identity, k: &str, v: &[u8], n: &str) -> Req {
    app_valid(
        t,
        app,
        AppRoute::Put,
        n,
        &json!({"key": k, "value": b64(v)}),
    )
}

#[test]
fn replayed_envelope_with_fresh_pop_is_refused() {
    let (_d, t, app, http) = setup();
    let url = t.base.clone();
    // Same body, fresh valid PoP headers (new nonce, new timestamp, new signature).
    let fresh_headers = |r: &Req, n: &str| Req {
        headers: app_headers(&app, &t.wallet, n, n, now_s()),
        ..r.clone()
    };
    let get = |n: &str| app_valid(&t, &app, AppRoute::GetQuery, n, &Value::Null);
    let put = |k: &str, v: &[u8], n: &str| put(&t, &app, k, v, n);
    rt().block_on(async {
        // PUT seed=old, PUT seed=new, then the first body again with fresh headers.
        let old = put("seed", b"old", &nonce(&http, &url).await);
        assert_eq!(send(&http, &url, &old).await.0, 200);
        let new = put("seed", b"new", &nonce(&http, &url).await);
        assert_eq!(send(&http, &url, &new).await.0, 200);
        let replay = fresh_headers(&old, &nonce(&http, &url).await);
        let got = send(&http, &url, &replay).await;
        check(
            "replayed PUT body",
            &got,
            exp(400, "bad_request", "Envelope already used"),
        );
        let got = send(&http, &url, &get(&nonce(&http, &url).await)).await;
        assert_eq!(got.0, 200, "{got:?}");
        let value = open_json(&app, &got.1)["value"].clone();
        assert_eq!(value, b64(b"new"), "the replay rolled the value back");
    });
}

#[test]
fn reflected_put_reply_as_delete_is_refused() {
    let (_d, t, app, http) = setup();
    let url = t.base.clone();
    let put = |k: &str, v: &[u8], n: &str| put(&t, &app, k, v, n);
    rt().block_on(async {
        // The node's sealed PUT reply, sent back as a DELETE body.
        let put_k = put("kept", b"v", &nonce(&http, &url).await);
        let (s, reply) = send(&http, &url, &put_k).await;
        assert_eq!(s, 200);
        assert_eq!(open_json(&app, &reply)["key"], "kept");
        // The sender field is not authenticated (no AAD, §3.3): the attacker names the app's
        // key, and ECDH(node, app) opens the node's own reply.
        let mut reflected = reply.clone();
        reflected["sender_tee_pubkey"] = json!(app.tee_pubkey_hex());
        let n = nonce(&http, &url).await;
        let reflect = Req {
            method: Method::DELETE,
            path: "/kms/data".into(),
            headers: app_headers(&app, &t.wallet, &n, &n, now_s()),
            body: Some(body_bytes(&reflected)),
            content_type: Some("application/json"),
        };
        let got = send(&http, &url, &reflect).await;
        check(
            "PUT reply reflected as DELETE",
            &got,
            exp(400, "bad_request", "sealed by this node"),
        );
        let k = app_valid(
            &t,
            &app,
            AppRoute::GetQuery,
            &nonce(&http, &url).await,
            &Value::Null,
        );
        let k = Req {
            path: "/kms/data?key=kept".into(),
            ..k
        };
        let got = send(&http, &url, &k).await;
        assert_eq!(got.0, 200, "the reflected DELETE removed the key: {got:?}");
        // Recorded: the PUT request and its reply (plus the nonce-only GETs' replies).
        assert!(metric(&url, "novakms_envelope_replay_entries").await >= 2.0);
    });
}
