//! Issue 10 "optional TLS listener" against a real devnet node (anvil, registries, `novakms
//! serve` on 127.0.0.1 with `tls_cert_file` / `tls_key_file`), with certificates made here by a
//! private CA (rcgen, `common::tls`):
//!
//! * [`app_flow_over_https_and_sighup_reload`]: nonce, PoP, PUT and GET over https; ALPN
//!   http/1.1; SIGHUP swaps the certificate (a new handshake sees the new one, a connection
//!   opened before keeps working); a bad key file on SIGHUP keeps the old certificate, is
//!   logged without key material and counted in `novakms_tls_reloads_total{result="error"}`;
//! * [`stalled_handshake_plain_http_and_bad_settings`]: a handshake that stalls after its first
//!   bytes is closed by the header-read timeout and counted (`tls_handshake_timeout`); plain
//!   HTTP to the TLS port gets a 400 naming https and is counted (`tls_plain_http`); a legit
//!   client is served meanwhile; at start-up one setting without the other, or an unreadable
//!   file, is a Local error (exit 1) naming the setting.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use common::http::{metric_sum_with, nonce_with};
use common::pop::{app_headers, b64, body_bytes, open_json, seal_to, send, Req};
use common::tls::{Leaf, TestCa};
use common::wait::{eventually, now_s, rt};
use common::{exe, Devnet};

/// Node 0 of `d` restarted with TLS on its port (`leaf`) and `env`; its https base URL and port.
fn restart_with_tls(d: &Devnet, leaf: &Leaf, env: &[(&str, &str)]) -> (String, u16) {
    d.signal_node(0, libc::SIGTERM);
    let cert = leaf.cert_file.display().to_string();
    let key = leaf.key_file.display().to_string();
    let mut all = vec![
        ("NOVAKMS_TLS_CERT_FILE", cert.as_str()),
        ("NOVAKMS_TLS_KEY_FILE", key.as_str()),
    ];
    all.extend_from_slice(env);
    d.spawn_node(0, &all);
    let port = url::Url::parse(&d.node(0).url).unwrap().port().unwrap();
    (format!("https://127.0.0.1:{port}"), port)
}

async fn wait_ready_https(http: &reqwest::Client, base: &str) {
    common::tls::wait_ready_with(http, base).await;
}

/// The demo app's PUT of `key` = `value` then GET of it, over `http` to `base`.
async fn put_get(d: &Devnet, http: &reqwest::Client, base: &str, key: &str, value: &[u8]) {
    let app = d.identity(&d.info.apps[0].keystore);
    let node = d.identity(&d.node(0).keystore);
    let wallet = d.node(0).wallet.clone();
    let n = nonce_with(http, base).await;
    let inner = json!({"key": key, "value": b64(value)});
    let put = Req {
        method: Method::PUT,
        path: "/kms/data".into(),
        headers: app_headers(&app, &wallet, &n, &n, now_s()),
        body: Some(body_bytes(&seal_to(
            &app,
            &node.tee_pubkey_der(),
            &body_bytes(&inner),
        ))),
        content_type: Some("application/json"),
    };
    let got = send(http, base, &put).await;
    assert_eq!(got.0, 200, "PUT over TLS: {got:?}");
    let n = nonce_with(http, base).await;
    let get = Req {
        method: Method::GET,
        path: format!("/kms/data?key={key}"),
        headers: app_headers(&app, &wallet, &n, &n, now_s()),
        body: None,
        content_type: None,
    };
    let got = send(http, base, &get).await;
    assert_eq!(got.0, 200, "GET over TLS: {got:?}");
    assert_eq!(open_json(&app, &got.1)["value"], Value::String(b64(value)));
}

async fn reloads(http: &reqwest::Client, base: &str, result: &str) -> f64 {
    metric_sum_with(
        http,
        base,
        "novakms_tls_reloads_total",
        &[("result", result)],
    )
    .await
}

#[test]
fn app_flow_over_https_and_sighup_reload() {
    let d = Devnet::up(1);
    let ca = TestCa::new("novakms test CA");
    let first = ca.leaf(d.path(), "node-tls");
    let (base, port) = restart_with_tls(&d, &first, &[]);
    let https = ca.client();
    rt().block_on(async {
        wait_ready_https(&https, &base).await;
        put_get(&d, &https, &base, "over-tls", b"v1").await;
        let (fp, alpn) = ca.probe(port).await.unwrap();
        assert_eq!(fp, first.fingerprint());
        assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]), "ALPN http/1.1");

        // A connection opened before the reload.
        let mut held = ca.connect(port).await;

        // New certificate and key moved into place, then SIGHUP.
        let second = ca.leaf(d.path(), "node-tls-next");
        std::fs::rename(&second.cert_file, &first.cert_file).unwrap();
        std::fs::rename(&second.key_file, &first.key_file).unwrap();
        d.signal_node_nowait(0, libc::SIGHUP);
        eventually("reload ok counted", Duration::from_secs(20), || async {
            reloads(&https, &base, "ok").await == 1.0
        })
        .await;
        let (fp, _) = ca.probe(port).await.unwrap();
        assert_eq!(
            fp,
            second.fingerprint(),
            "new handshakes get the new certificate"
        );
        // The connection opened before still answers (its session is kept).
        held.write_all(b"GET /livez HTTP/1.1\r\nhost: node\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 64];
        let n = held.read(&mut buf).await.unwrap();
        assert!(
            buf[..n].starts_with(b"HTTP/1.1 200"),
            "{:?}",
            String::from_utf8_lossy(&buf[..n])
        );

        // A broken key on SIGHUP: the old (second) certificate keeps serving.
        std::fs::write(
            &first.key_file,
            "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYBYTES\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        d.signal_node_nowait(0, libc::SIGHUP);
        eventually("reload error counted", Duration::from_secs(20), || async {
            reloads(&https, &base, "error").await == 1.0
        })
        .await;
        let (fp, _) = ca.probe(port).await.unwrap();
        assert_eq!(
            fp,
            second.fingerprint(),
            "a bad reload keeps the old certificate"
        );
        put_get(&d, &https, &base, "after-bad-reload", b"v2").await;
        assert_eq!(reloads(&https, &base, "ok").await, 1.0);
        let log = std::fs::read_to_string(&d.node(0).log).unwrap();
        assert!(log.contains("TLS certificate reload failed"), "{log}");
        assert!(log.contains("tls_key_file"), "the error names the setting");
        assert!(!log.contains("TOPSECRET"), "key material in the log");
    });
}

#[test]
fn stalled_handshake_plain_http_and_bad_settings() {
    let d = Devnet::up(1);
    let ca = TestCa::new("novakms test CA");
    let leaf = ca.leaf(d.path(), "node-tls");
    let (base, port) = restart_with_tls(
        &d,
        &leaf,
        &[("NOVAKMS_HTTP_HEADER_READ_TIMEOUT_MS", "1000")],
    );
    let https = ca.client();
    let closed = |reason: &'static str| {
        let https = https.clone();
        let base = base.clone();
        async move {
            metric_sum_with(
                &https,
                &base,
                "novakms_http_connections_closed_total",
                &[("reason", reason)],
            )
            .await
        }
    };
    rt().block_on(async {
        wait_ready_https(&https, &base).await;

        // The first bytes of a ClientHello record (type 0x16, TLS 1.0 record version, 512
        // bytes announced), then nothing.
        let mut stalled = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        stalled
            .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
            .await
            .unwrap();
        let started = Instant::now();
        let mut buf = [0u8; 256];
        let end = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                match stalled.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(end.is_ok(), "a stalled handshake was held for 20 s");
        let held_for = started.elapsed();
        assert!(
            held_for >= Duration::from_millis(900),
            "closed before the header-read timeout: {held_for:?}"
        );
        assert_eq!(closed("tls_handshake_timeout").await, 1.0);

        // Plain HTTP to the TLS port: a clean 400 that says to use https. (The node's own
        // probes of its registered http:// URL land here too, so the count is relative.)
        let plain_before = closed("tls_plain_http").await;
        let plain = novakms::tls::client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let r = plain
            .get(format!("http://127.0.0.1:{port}/status"))
            .send()
            .await
            .expect("plain HTTP gets an answer, not a hang or a reset");
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains("https://"));
        assert!(closed("tls_plain_http").await > plain_before);

        // The legit client is served all along.
        put_get(&d, &https, &base, "k", b"v").await;
        println!("stalled TLS handshake closed after {held_for:?} (header-read timeout 1 s)");
    });

    // Start-up: one setting without the other, or an unreadable file: exit 1, naming it.
    let serve = |env: &[(&str, &str)]| {
        Command::new(exe())
            .args(["serve", "--config"])
            .arg(&d.node(0).config)
            .env_remove("NOVAKMS_CONFIG")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    let cert = leaf.cert_file.display().to_string();
    let out = serve(&[("NOVAKMS_TLS_CERT_FILE", &cert)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("but tls_key_file is not"), "{err}");
    let out = serve(&[
        ("NOVAKMS_TLS_CERT_FILE", "/nonexistent/node.crt"),
        ("NOVAKMS_TLS_KEY_FILE", leaf.key_file.to_str().unwrap()),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("tls_cert_file /nonexistent/node.crt: cannot read"),
        "{err}"
    );
}
