//! Property-based fuzzing of the HTTP handlers: the node's real router
//! (`api::router`) over a real `NodeState` (`node::assemble`: memory storage,
//! a loaded and verified master secret, readiness set) served in-process on
//! 127.0.0.1, with app authorization read from a real devnet chain (anvil +
//! registries; only the chain and the demo app's identity of the devnet are
//! used). A test KMS peer is put in the node's PeerCache so `/sync` requests
//! can get past authentication.
//!
//! Properties (no panic = the connection never drops; no 5xx; the node is
//! healthy after):
//!
//! * `arbitrary_requests`: arbitrary method, path (every route plus
//!   garbage), header set (PoP headers with random or half-valid values,
//!   random extra headers), content type and body (random bytes, random JSON,
//!   envelopes with random fields);
//! * `near_valid_app_requests`: valid PoP and a valid envelope around an
//!   arbitrary inner JSON value on every app route: only 200/400/404;
//! * `near_valid_sync_requests`: valid peer PoP, valid HMAC and a valid
//!   envelope around an arbitrary (and type-directed) payload: only
//!   200/400/403.
//!
//! Default cases: 3,000 + 1,000 + 500 = 4,500 (about 10 s);
//! `PROPTEST_CASES=<n>` raises each to at least `n`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::prop::cases;
use common::{inproc, Devnet};
use novakms::chain::registry::RegistryClient;
use novakms::client::app::AppClient;
use novakms::config::{Settings, StorageKind};
use novakms::crypto::canonical::canonical_json;
use novakms::crypto::envelope::{EnvelopeCipher, EnvelopeScheme, DEFAULT_INFO_LABEL};
use novakms::crypto::mac::sync_hmac_hex;
use novakms::crypto::master::MasterSecret;
use novakms::crypto::pop;
use novakms::identity::Identity;
use novakms::node::peers::PeerInfo;
use novakms::node::state::NodeState;
use novakms::storage::MemoryStorage;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};

/// The in-process node and what the fuzzer needs to talk to it.
struct Fixture {
    _devnet: Devnet,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    base: String,
    st: Arc<NodeState>,
    app: AppClient,
    app_id: Identity,
    peer: Identity,
    peer_cipher: EnvelopeCipher,
    secret: MasterSecret,
}

fn fixture() -> Fixture {
    {
        let d = Devnet::up(1);
        let rt = common::wait::rt();
        let settings = Settings {
            storage: StorageKind::Memory,
            rpc_url: d.info.rpc_url.clone(),
            nova_app_registry: d.info.nova_app_registry.clone(),
            kms_registry: d.info.kms_registry.clone(),
            kms_app_id: d.info.kms_app_id,
            nonce_rate_limit_per_minute: 0,
            ..Settings::default()
        };
        let node = Identity::generate();
        let registry = RegistryClient::new(
            &settings.rpc_url,
            &settings.nova_app_registry,
            &settings.kms_registry,
            Duration::from_secs(10),
        )
        .unwrap();
        let st = inproc::ready_state(
            settings,
            node.clone(),
            Arc::new(MemoryStorage::new()),
            registry,
        );
        let peer = Identity::generate();
        st.peer_cache.replace(
            vec![PeerInfo::for_test(
                &peer.address(),
                peer.tee_pubkey_der(),
                "http://127.0.0.1:9",
                0,
                true,
                d.info.kms_app_id,
            )],
            0,
        );
        let base = rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            inproc::serve(st.clone(), listener);
            format!("http://{addr}")
        });
        let app_id = d.identity(&d.info.apps[0].keystore);
        let app = AppClient::new(
            &base,
            app_id.clone(),
            &node.address(),
            node.tee_pubkey_der(),
            DEFAULT_INFO_LABEL,
            Duration::from_secs(30),
        )
        .unwrap();
        let peer_cipher = EnvelopeCipher::new(
            peer.tee_secret().clone(),
            EnvelopeScheme::v1(DEFAULT_INFO_LABEL),
            16,
        );
        let http = novakms::tls::client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(8)
            .build()
            .unwrap();
        Fixture {
            _devnet: d,
            rt,
            http,
            base,
            st,
            app,
            app_id,
            peer,
            peer_cipher,
            secret: MasterSecret::from_bytes(inproc::SECRET),
        }
    }
}

/// Send; `Err` = transport failure (e.g. the connection dropped by a panic).
async fn send(
    f: &Fixture,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<Vec<u8>>,
) -> Result<(u16, String), String> {
    let m = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut b = f.http.request(m, format!("{}{path}", f.base));
    for (k, v) in headers {
        b = b.header(k.as_str(), v.as_str());
    }
    if let Some(body) = body {
        b = b.body(body);
    }
    let resp = b.send().await.map_err(|e| format!("transport: {e:?}"))?;
    let s = resp.status().as_u16();
    let text = resp.text().await.map_err(|e| format!("body: {e:?}"))?;
    Ok((s, text))
}

async fn fresh_nonce(f: &Fixture) -> String {
    f.app.nonce().await.unwrap()
}

/// Arbitrary JSON (bounded).
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        ".{0,16}".prop_map(Value::from),
        "[0-9a-f]{0,48}".prop_map(Value::from),
        Just(Value::from("data_key")),
        Just(Value::from("16")),
    ];
    leaf.prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("key".to_string()),
                    Just("value".to_string()),
                    Just("path".to_string()),
                    Just("context".to_string()),
                    Just("length".to_string()),
                    Just("ttl_ms".to_string()),
                    Just("type".to_string()),
                    Just("data".to_string()),
                    Just("sender_wallet".to_string()),
                    Just("ecdh_pubkey".to_string()),
                    Just("version".to_string()),
                    Just("tombstone".to_string()),
                    Just("updated_at_ms".to_string()),
                    "[0-9]{1,4}",
                    "[a-z_]{0,8}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/".to_string()),
        Just("/health".to_string()),
        Just("/livez".to_string()),
        Just("/readyz".to_string()),
        Just("/status".to_string()),
        Just("/nonce".to_string()),
        Just("/nodes".to_string()),
        Just("/sync".to_string()),
        Just("/kms/derive".to_string()),
        Just("/kms/data".to_string()),
        Just("/kms/data/".to_string()),
        "/kms/data/[a-zA-Z0-9%+._~/-]{0,24}",
        "/kms/data\\?key=[a-zA-Z0-9%+&=._-]{0,24}",
        "/[a-z0-9%/._-]{0,24}",
        "/kms/[a-z]{0,8}",
    ]
}

fn arb_method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_string()),
        Just("POST".to_string()),
        Just("PUT".to_string()),
        Just("DELETE".to_string()),
        Just("PATCH".to_string()),
        Just("HEAD".to_string()),
        Just("OPTIONS".to_string()),
        "[A-Z]{1,8}".prop_filter("CONNECT tunnels", |m| m != "CONNECT"),
    ]
}

/// A header value: random printable text, or half-valid shapes.
fn arb_header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        "0x[0-9a-f]{0,140}",
        "[0-9]{0,20}",
        "[A-Za-z0-9+/]{22}==",
        Just(String::new()),
    ]
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Bytes(Vec<u8>),
    Json(Value),
    FakeEnvelope(String, String, String),
    RealEnvelope(Value),
}

fn arb_body() -> impl Strategy<Value = Body> {
    prop_oneof![
        Just(Body::None),
        proptest::collection::vec(any::<u8>(), 0..256).prop_map(Body::Bytes),
        arb_json().prop_map(Body::Json),
        (
            "(0x)?[0-9a-fA-F]{0,80}",
            "(0x)?[0-9a-fA-F]{0,32}",
            "(0x)?[0-9a-fA-F]{0,260}"
        )
            .prop_map(|(a, b, c)| Body::FakeEnvelope(a, b, c)),
        arb_json().prop_map(Body::RealEnvelope),
    ]
}

const AUTH_HEADERS: [&str; 10] = [
    "x-app-signature",
    "x-app-nonce",
    "x-app-timestamp",
    "x-app-wallet",
    "x-tee-wallet",
    "x-kms-signature",
    "x-kms-nonce",
    "x-kms-timestamp",
    "x-kms-wallet",
    "x-sync-signature",
];

/// Status histogram of every fuzzed answer (printed at the end).
static SEEN: std::sync::Mutex<std::collections::BTreeMap<u16, usize>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

fn check(
    label: &str,
    r: Result<(u16, String), String>,
    allowed: &[u16],
) -> Result<(), TestCaseError> {
    match r {
        Err(e) => Err(TestCaseError::fail(format!("{label}: {e}"))),
        Ok((s, body)) => {
            *SEEN.lock().unwrap().entry(s).or_default() += 1;
            prop_assert!(s < 500, "{label}: {s} {body}");
            if !allowed.is_empty() {
                prop_assert!(allowed.contains(&s), "{label}: {s} {body}");
            }
            Ok(())
        }
    }
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn build_body(f: &Fixture, body: Body) -> Option<Vec<u8>> {
    match body {
        Body::None => None,
        Body::Bytes(b) => Some(b),
        Body::Json(v) => Some(serde_json::to_vec(&v).unwrap()),
        Body::FakeEnvelope(a, b, c) => Some(
            serde_json::to_vec(&json!({"encrypted_data": a, "nonce": b, "sender_tee_pubkey": c}))
                .unwrap(),
        ),
        Body::RealEnvelope(v) => {
            Some(canonical_json(&f.app.seal(&v).await.unwrap().to_json()).into_bytes())
        }
    }
}

/// Property 1: arbitrary requests on every route.
fn arbitrary_requests(f: &Fixture) -> u32 {
    let cfg = cases(3000);
    let n = cfg.cases;
    let strategy = (
        arb_method(),
        arb_path(),
        proptest::collection::vec(
            (
                0usize..AUTH_HEADERS.len(),
                arb_header_value(),
                any::<bool>(),
            ),
            0..6,
        ),
        proptest::collection::vec(("x-[a-z]{1,8}", "[ -~]{0,20}"), 0..3),
        prop_oneof![
            Just(None),
            Just(Some("application/json")),
            Just(Some("text/plain")),
            Just(Some("application/json; charset=utf-8"))
        ],
        arb_body(),
    );
    TestRunner::new(cfg)
        .run(&strategy, |(method, path, auth, extra, ctype, body)| {
            let r = f.rt.block_on(async {
                let mut h: Vec<(String, String)> = Vec::new();
                for (i, v, real_nonce) in auth {
                    let name = AUTH_HEADERS[i];
                    // Half of the nonce headers carry a real, issued nonce.
                    let v = if real_nonce && name.ends_with("nonce") {
                        fresh_nonce(f).await
                    } else {
                        v
                    };
                    h.push((name.to_string(), v));
                }
                h.extend(extra);
                if let Some(ct) = ctype {
                    h.push(("content-type".into(), ct.into()));
                }
                send(f, &method, &path, &h, build_body(f, body).await).await
            });
            check(&format!("{method} {path}"), r, &[])
        })
        .unwrap();
    n
}

/// Property 2: valid PoP and envelope, arbitrary inner JSON, every app route.
fn near_valid_app_requests(f: &Fixture) -> u32 {
    let cfg = cases(1000);
    let n = cfg.cases;
    let strategy = (
        0usize..6,
        arb_json(),
        any::<bool>(),
        ".{0,12}",
        any::<i64>(),
    );
    TestRunner::new(cfg)
        .run(&strategy, |(route, inner, typed, key, len)| {
            // Half the cases: an inner object with the route's fields, random values.
            let inner = if typed {
                json!({"key": key, "value": inner.clone(), "path": key, "length": len,
                       "context": inner, "ttl_ms": len})
            } else {
                inner
            };
            let (method, path) = [
                ("GET", "/kms/data".to_string()),
                (
                    "GET",
                    format!("/kms/data/{}", novakms::client::app::encode_path_key(&key)),
                ),
                ("GET", format!("/kms/data?key={}", url_encode(&key))),
                ("PUT", "/kms/data".to_string()),
                ("DELETE", "/kms/data".to_string()),
                ("POST", "/kms/derive".to_string()),
            ][route]
                .clone();
            let r = f.rt.block_on(async {
                let (sig, nonce, ts) = f.app.pop_headers().await.unwrap();
                let mut h = vec![
                    ("x-app-signature".to_string(), sig),
                    ("x-app-nonce".to_string(), nonce),
                    ("x-app-timestamp".to_string(), ts.to_string()),
                    ("x-app-wallet".to_string(), f.app_id.address()),
                ];
                let body = if method != "GET" {
                    h.push(("content-type".into(), "application/json".into()));
                    Some(canonical_json(&f.app.seal(&inner).await.unwrap().to_json()).into_bytes())
                } else {
                    None
                };
                send(f, method, &path, &h, body).await
            });
            check(&format!("{method} {path} {inner}"), r, &[200, 400, 404])
        })
        .unwrap();
    n
}

/// Property 3: valid peer PoP, HMAC and envelope around arbitrary payloads.
fn near_valid_sync_requests(f: &Fixture) -> u32 {
    let cfg = cases(500);
    let n = cfg.cases;
    let strategy = (
        prop_oneof![
            Just("delta".to_string()),
            Just("snapshot_request".to_string()),
            Just("master_secret_request".to_string()),
            Just(String::new()),
            ".{0,8}"
        ],
        arb_json(),
        arb_json(),
        "[0-9]{1,3}",
        any::<bool>(),
        prop_oneof!["[0-9a-f]{0,240}", Just(String::new())],
    );
    TestRunner::new(cfg)
        .run(&strategy, |(ty, data, rec, app, with_wallet, pk)| {
            let mut payload = json!({"type": ty, "data": data, "ecdh_pubkey": pk});
            if ty == "delta" {
                // Type-directed: a data map with one app and a random record.
                payload["data"] = json!({app: [rec]});
            }
            if with_wallet {
                payload["sender_wallet"] = json!(f.peer.address());
            }
            let r = f.rt.block_on(async {
                let nonce = fresh_nonce(f).await;
                let ts = f.st.clock.now_secs();
                let sig = f
                    .peer
                    .sign(&pop::peer_auth_message(&nonce, &f.st.wallet, ts));
                let env = f
                    .peer_cipher
                    .seal(
                        f.st.identity.tee_pubkey_der(),
                        canonical_json(&payload).as_bytes(),
                    )
                    .unwrap()
                    .to_json();
                let h = vec![
                    ("x-kms-signature".to_string(), sig),
                    ("x-kms-nonce".to_string(), nonce),
                    ("x-kms-timestamp".to_string(), ts.to_string()),
                    ("x-kms-wallet".to_string(), f.peer.address()),
                    (
                        "x-sync-signature".to_string(),
                        sync_hmac_hex(&f.secret.sync_key(), &env),
                    ),
                    ("content-type".to_string(), "application/json".to_string()),
                ];
                send(
                    f,
                    "POST",
                    "/sync",
                    &h,
                    Some(canonical_json(&env).into_bytes()),
                )
                .await
            });
            check(&format!("/sync {payload}"), r, &[200, 400, 403])
        })
        .unwrap();
    n
}

/// The three properties against one in-process node, then: the node is
/// healthy and a valid round trip (PUT, GET, derive) still works.
#[test]
fn handlers_survive_fuzzing() {
    let f = fixture();
    let started = std::time::Instant::now();
    let a = arbitrary_requests(&f);
    let t1 = started.elapsed();
    let b = near_valid_app_requests(&f);
    let t2 = started.elapsed();
    let c = near_valid_sync_requests(&f);
    let t3 = started.elapsed();
    f.rt.block_on(async {
        let (s, body) = send(&f, "GET", "/health", &[], None).await.unwrap();
        assert_eq!((s, body.as_str()), (200, "{\"status\":\"healthy\"}"));
        f.app.put("after-fuzz", b"ok", 0).await.unwrap();
        let (v, _) = f.app.get("after-fuzz").await.unwrap().unwrap();
        assert_eq!(v, b"ok");
        let k = f.app.derive("after/fuzz", "", 16).await.unwrap();
        assert_eq!(k.len(), 16);
    });
    assert!(f.st.readiness().ready);
    println!("http fuzz: statuses {:?}", SEEN.lock().unwrap());
    println!(
        "http fuzz: {a} arbitrary requests in {:.1}s, {b} near-valid app requests in {:.1}s, {c} near-valid /sync requests in {:.1}s: no 5xx, no dropped connection",
        t1.as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64()
    );
}
