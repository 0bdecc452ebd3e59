//! `novakms cluster status` and `cluster check` (issue 13) on a real 3-node devnet (anvil,
//! deployed contracts, `novakms serve` processes over HTTP), run as the operator runs them:
//! the CLI binary with a node's config.
//!
//! One devnet, in order: all ready → status 0 and check 0; the digests are refused to
//! anonymous, foreign and HMAC-less callers on every node's `/sync`, and the admin socket is
//! owner-only; node B stopped → status 4 with B's row saying why, and check shows B as not
//! comparable while A and C still agree; node C diverged (its outbound replication held back:
//! push interval and debounce at one hour, anti-entropy off cluster-wide, so writes on C stay
//! on C — a one-way partition) → check 4 listing exactly the keys written on C, by name and
//! version; healed (C restarted with normal replication) → `check --wait 60s` 0, status 0.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use common::pop::{body_bytes, peer_headers, seal_to, send, Req};
use common::Devnet;
use novakms::identity::Identity;
use reqwest::Method;
use serde_json::{json, Value};

const A: usize = 0;
const B: usize = 1;
const C: usize = 2;
/// Anti-entropy off on every node: only pushes replicate, so holding C's back diverges it.
const CLUSTER_ENV: &[(&str, &str)] = &[("NOVAKMS_ANTI_ENTROPY_INTERVAL_SECONDS", "0")];
/// C with its outbound replication held back (one hour), anti-entropy still off.
const HELD_ENV: &[(&str, &str)] = &[
    ("NOVAKMS_ANTI_ENTROPY_INTERVAL_SECONDS", "0"),
    ("NOVAKMS_SYNC_INTERVAL_SECONDS", "3600"),
    ("NOVAKMS_PUSH_DEBOUNCE_MS", "3600000"),
];

/// `novakms --config node-<i>.toml <args>`.
fn cli(d: &Devnet, i: usize, args: &[&str]) -> Output {
    common::process::with_config(&d.node(i).config, args)
}

/// Exit code and stdout JSON of a `-o json` run.
fn cli_json(d: &Devnet, i: usize, args: &[&str]) -> (i32, Value) {
    let mut a = args.to_vec();
    a.extend(["-o", "json"]);
    let out = cli(d, i, &a);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stdout is not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn row<'a>(status: &'a Value, wallet: &str) -> &'a Value {
    status["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["wallet"] == wallet)
        .unwrap_or_else(|| panic!("no row for {wallet}: {status}"))
}

/// The verdict on the demo app in a check report.
fn app_verdict(report: &Value, app: u64) -> &Value {
    report["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["app_id"] == app)
        .unwrap_or_else(|| panic!("no verdict for app {app}: {report}"))
}

/// A `digest_request` to node `to`'s `/sync` by `from` with PoP headers of `pop_by` (none if
/// `None`) and `hmac`; returns (status, body).
async fn digest_request_by(
    d: &Devnet,
    to: usize,
    to_id: &Identity,
    from: &Identity,
    pop_by: Option<&Identity>,
    hmac: Option<String>,
) -> (u16, Value) {
    let http = novakms::tls::client::builder().build().unwrap();
    let base = &d.node(to).url;
    let payload = json!({"type": "digest_request", "sender_wallet": from.address(),
                         "now_ms": common::wait::now_ms(), "keys_for": [d.info.apps[0].app_id]});
    let env = seal_to(from, &to_id.tee_pubkey_der(), &body_bytes(&payload));
    let mut headers = Vec::new();
    if let Some(signer) = pop_by {
        let nonce = common::http::nonce_with(&http, base).await;
        headers = peer_headers(signer, &to_id.address(), &nonce, common::wait::now_s());
    }
    if let Some(h) = hmac {
        headers.push(("x-sync-signature".into(), h));
    }
    let r = Req {
        method: Method::POST,
        path: "/sync".into(),
        headers,
        body: Some(body_bytes(&env)),
        content_type: Some("application/json"),
    };
    send(&http, base, &r).await
}

#[test]
fn cluster_status_and_check_see_stops_divergence_and_healing() {
    let rt = common::wait::rt();
    let d = Devnet::up_env(3, &[], CLUSTER_ENV);
    let app = d.info.apps[0].app_id;
    let ids: Vec<Identity> = (0..3).map(|i| d.identity(&d.node(i).keystore)).collect();

    // Data on every node: three keys and a tombstone, replicated.
    rt.block_on(async {
        let c = d.app_client(A);
        for k in ["k/0", "k/1", "k/2", "gone"] {
            c.put(k, k.as_bytes(), 0).await.unwrap();
        }
        assert!(c.delete("gone").await.unwrap());
    });

    // All ready: check agrees (after replication), status 0 with every row complete.
    let (code, report) = cli_json(&d, A, &["cluster", "check", "--wait", "60s"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["agree"], true);
    assert_eq!(report["nodes"].as_array().unwrap().len(), 3);
    let v = app_verdict(&report, app);
    assert_eq!(v["groups"][0]["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(
        (
            v["groups"][0]["records"].as_u64(),
            v["groups"][0]["tombstones"].as_u64()
        ),
        (Some(3), Some(1))
    );
    let (code, status) = cli_json(&d, B, &["cluster", "status"]);
    assert_eq!(code, 0, "{status}");
    assert_eq!(status["healthy"], true);
    for i in 0..3 {
        let r = row(&status, &d.node(i).wallet);
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["onchain_status"], "ACTIVE");
        assert_eq!(r["implementation"], "novakms");
        assert_eq!(r["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(r["secret_matches_chain"], true);
        assert_eq!(
            (r["records"].as_u64(), r["tombstones"].as_u64()),
            (Some(3), Some(1)),
            "{r}"
        );
        // Lag to and from both other nodes is known (novakms's /nodes `replication`).
        let peers = r["peers"].as_array().unwrap();
        assert_eq!(peers.len(), 2);
        for p in peers {
            assert!(p["lag_to"].is_u64() && p["lag_from"].is_u64(), "{p}");
        }
    }
    let text = cli(&d, A, &["cluster", "status"]);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("matches chain") && text.contains(&d.node(C).url),
        "{text}"
    );

    // Nobody but an authenticated KMS peer with the cluster's HMAC key gets digests.
    rt.block_on(async {
        let stranger = Identity::generate();
        for to in [A, B, C] {
            let to_id = &ids[to];
            let member = &ids[(to + 1) % 3];
            let junk = Some("00".repeat(32));
            let cases = [
                (
                    "no PoP",
                    digest_request_by(&d, to, to_id, &stranger, None, junk.clone()).await,
                    "Missing x-kms-signature",
                ),
                (
                    "stranger's PoP",
                    digest_request_by(&d, to, to_id, &stranger, Some(&stranger), junk.clone())
                        .await,
                    "not found in PeerCache",
                ),
                (
                    "member without HMAC",
                    digest_request_by(&d, to, to_id, member, Some(member), None).await,
                    "Missing HMAC signature",
                ),
                (
                    "member, wrong HMAC",
                    digest_request_by(&d, to, to_id, member, Some(member), junk.clone()).await,
                    "Invalid HMAC signature",
                ),
            ];
            for (what, (code, body), msg) in cases {
                assert_eq!(code, 403, "node {to}, {what}: {body}");
                assert!(body.to_string().contains(msg), "node {to}, {what}: {body}");
                assert!(body.get("apps").is_none(), "{body}");
            }
        }
    });
    let sock = novakms::admin_wire::socket_path(&d.node(A).data_dir);
    assert_eq!(
        std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let dir_mode = std::fs::metadata(&d.node(A).data_dir)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o077, 0, "data dir open to others: {dir_mode:o}");

    // B stopped: status 4, B's row says why; check compares A and C only.
    d.signal_node(B, libc::SIGKILL);
    let (code, status) = cli_json(&d, A, &["cluster", "status", "--timeout", "2s"]);
    assert_eq!(code, 4, "{status}");
    assert_eq!(status["healthy"], false);
    let rb = row(&status, &d.node(B).wallet);
    assert_eq!(
        (rb["ok"].as_bool(), rb["reachable"].as_bool()),
        (Some(false), Some(false)),
        "{rb}"
    );
    assert!(
        rb["reason"].as_str().unwrap().contains("unreachable"),
        "{rb}"
    );
    assert_eq!(row(&status, &d.node(A).wallet)["ok"], true);
    let text = cli(&d, A, &["cluster", "status", "--timeout", "2s"]);
    assert_eq!(text.status.code(), Some(4));
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains(&format!("{}: unreachable", d.node(B).url)),
        "{out}"
    );
    let (code, report) = cli_json(&d, A, &["cluster", "check"]);
    assert_eq!(code, 0, "{report}");
    let nb = report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["wallet"] == d.node(B).wallet)
        .unwrap();
    assert_eq!(nb["comparable"], false, "{nb}");
    assert!(
        nb["error"].as_str().unwrap().contains("unreachable"),
        "{nb}"
    );
    d.restart_node(B, CLUSTER_ENV);

    // C diverged: its writes stay on C while its pushes are held back.
    d.signal_node(C, libc::SIGKILL);
    d.restart_node(C, HELD_ENV);
    rt.block_on(async {
        let c = d.app_client(C);
        c.put("only-on-c/1", b"x", 0).await.unwrap();
        c.put("k/1", b"changed on c", 0).await.unwrap();
        assert!(c.delete("k/2").await.unwrap());
    });
    let (code, report) = cli_json(&d, A, &["cluster", "check", "--diff"]);
    assert_eq!(code, 4, "{report}");
    assert_eq!(report["agree"], false);
    let v = app_verdict(&report, app);
    assert_eq!(v["agree"], false);
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{v}");
    assert_eq!(groups[1]["nodes"], json!([d.node(C).wallet]), "{v}");
    let diff = &v["diff"];
    assert_eq!(diff["truncated"], false);
    let keys: Vec<&str> = diff["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["k/1", "k/2", "only-on-c/1"], "{diff}");
    let only = &diff["keys"][2]["nodes"];
    assert_eq!(only[&d.node(A).wallet], Value::Null);
    assert_eq!(
        only[&d.node(C).wallet]["version"][&d.node(C).wallet],
        1,
        "{only}"
    );
    assert_eq!(
        diff["keys"][1]["nodes"][&d.node(C).wallet]["tombstone"],
        true
    );
    assert!(!report.to_string().contains("changed on c"));
    let text = cli(&d, A, &["cluster", "check", "--diff"]);
    assert_eq!(text.status.code(), Some(4));
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains("DIFFER") && out.contains("\"only-on-c/1\""),
        "{out}"
    );

    // Healed: C replicates again; check --wait turns 0, status 0.
    d.signal_node(C, libc::SIGKILL);
    d.restart_node(C, CLUSTER_ENV);
    let (code, report) = cli_json(&d, A, &["cluster", "check", "--wait", "60s"]);
    assert_eq!(code, 0, "{report}");
    let v = app_verdict(&report, app);
    assert_eq!(
        (
            v["groups"][0]["records"].as_u64(),
            v["groups"][0]["tombstones"].as_u64()
        ),
        (Some(3), Some(2)),
        "{v}"
    );
    let (code, status) = cli_json(&d, C, &["cluster", "status"]);
    assert_eq!(code, 0, "{status}");

    for i in 0..3 {
        let log = std::fs::read_to_string(&d.node(i).log).unwrap_or_default();
        assert!(!log.contains("panicked at"), "node {i} panicked:\n{log}");
    }
}
