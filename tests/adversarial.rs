//! Adversarial suite against a real devnet (anvil, deployed registries,
//! `novakms serve` over HTTP on 127.0.0.1, redb):
//!
//! * [`forged_and_replayed_requests_are_refused_systematically`]: a table of
//!   mutations x routes (app routes of protocol.md §1.3–§1.7 and the three
//!   `/sync` types of §6.7), every entry generated from a valid request,
//!   repeated for several rounds; each forged request must get the protocol's
//!   4xx and change nothing, a valid request every 10th request keeps
//!   succeeding (reusing the nonce a refused request left unconsumed, so
//!   "refusals do not burn other clients' nonces" is checked as we go);
//! * [`oversized_bodies_get_413_or_a_closed_connection`]: real, chunked and
//!   lying-Content-Length bodies over raw TCP;
//! * [`nonce_and_fresh_key_floods_keep_memory_bounded`]: /nonce flood and
//!   thousands of fresh wallets signing valid-looking PoP, with RSS bound;
//! * [`skewed_clock_records_are_refused_then_converge`]: 2 nodes, one with
//!   its clock ahead beyond `max_clock_skew_ms` (§4.8, §6.5).
//!
//! `NOVAKMS_ADV_ROUNDS` (default 6) sets the rounds of the mutation table;
//! `NOVAKMS_ADV_FLOOD` (default 50000) the /nonce flood size and
//! `NOVAKMS_ADV_WALLETS` (default 5000) the fresh-wallet flood size.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use base64::Engine;
use common::Devnet;
use novakms::client::peer::PeerClient;
use novakms::clock::Clock;
use novakms::crypto::canonical::canonical_json;
use novakms::crypto::envelope::{self, DEFAULT_INFO_LABEL as LABEL};
use novakms::crypto::keys::spki_der;
use novakms::crypto::mac::sync_hmac_hex;
use novakms::crypto::master::MasterSecret;
use novakms::crypto::pop;
use novakms::crypto::value::encrypt_value;
use novakms::identity::Identity;
use novakms::node::peers::PeerInfo;
use novakms::store::{Record, VectorClock};
use reqwest::Method;
use serde_json::{json, Value};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn now_s() -> u64 {
    Clock::system().now_secs()
}

fn now_ms() -> u64 {
    Clock::system().now_ms()
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Namespace the test's KMS peer writes to over `/sync`.
const SYNC_APP: u64 = 4242;
/// PoP window of the devnet nodes (default `pop_timeout_seconds`).
const POP_TIMEOUT: u64 = 120;

/// A request as sent on the wire.
#[derive(Clone, Debug)]
struct Req {
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    content_type: Option<&'static str>,
}

/// Expected refusal: status, `code` (None for framework text bodies) and a
/// message fragment.
#[derive(Clone, Copy, Debug)]
struct Expect {
    status: u16,
    code: Option<&'static str>,
    msg: &'static str,
}

const fn exp(status: u16, code: &'static str, msg: &'static str) -> Expect {
    Expect {
        status,
        code: Some(code),
        msg,
    }
}

async fn send(http: &reqwest::Client, base: &str, r: &Req) -> (u16, Value) {
    let mut b = http.request(r.method.clone(), format!("{base}{}", r.path));
    for (k, v) in &r.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    if let Some(ct) = r.content_type {
        b = b.header("content-type", ct);
    }
    if let Some(body) = &r.body {
        b = b.body(body.clone());
    }
    let resp = b.send().await.expect("request transport");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn check(label: &str, got: &(u16, Value), e: Expect) {
    assert_eq!(got.0, e.status, "{label}: {got:?}, expected {e:?}");
    if let Some(code) = e.code {
        assert_eq!(got.1["code"], code, "{label}: {got:?}");
        let m = got.1["message"].as_str().unwrap_or("");
        assert!(
            m.contains(e.msg),
            "{label}: message {m:?} lacks {:?}",
            e.msg
        );
    }
}

async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

async fn nonce(http: &reqwest::Client, base: &str) -> String {
    let v = get_json(http, &format!("{base}/nonce")).await;
    v["nonce"].as_str().expect("nonce").to_string()
}

async fn wait_member(http: &reqwest::Client, url: &str, wallet: &str, want: bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n = get_json(http, &format!("{url}/nodes")).await;
        let has = n["operators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["operator"] == wallet);
        if has == want {
            return;
        }
        assert!(Instant::now() < deadline, "{wallet} membership != {want}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

// ------------------------------------------------------------------ app table

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum AppRoute {
    List,
    GetPath,
    GetQuery,
    Put,
    Delete,
    Derive,
}

const APP_ROUTES: [AppRoute; 6] = [
    AppRoute::List,
    AppRoute::GetPath,
    AppRoute::GetQuery,
    AppRoute::Put,
    AppRoute::Delete,
    AppRoute::Derive,
];

impl AppRoute {
    fn method(self) -> Method {
        match self {
            AppRoute::List | AppRoute::GetPath | AppRoute::GetQuery => Method::GET,
            AppRoute::Put => Method::PUT,
            AppRoute::Delete => Method::DELETE,
            AppRoute::Derive => Method::POST,
        }
    }
    fn path(self) -> &'static str {
        match self {
            AppRoute::List => "/kms/data",
            AppRoute::GetPath => "/kms/data/seed",
            AppRoute::GetQuery => "/kms/data?key=seed",
            AppRoute::Put | AppRoute::Delete => "/kms/data",
            AppRoute::Derive => "/kms/derive",
        }
    }
    fn has_body(self) -> bool {
        matches!(self, AppRoute::Put | AppRoute::Delete | AppRoute::Derive)
    }
    /// The inner request a forger would like executed: a write of an
    /// `intruder-*` key, the deletion of `seed`, a derivation.
    fn inner(self, n: usize) -> Value {
        match self {
            AppRoute::Put => json!({"key": format!("intruder-{n}"), "value": b64(b"evil")}),
            AppRoute::Delete => json!({"key": "seed"}),
            AppRoute::Derive => json!({"path": "p", "context": "", "length": 32}),
            _ => Value::Null,
        }
    }
    /// A well-formed inner request of another route (body swapped between
    /// routes): refused by field validation.
    fn other_inner(self) -> (Value, &'static str) {
        match self {
            AppRoute::Derive => (json!({"key": "seed", "value": b64(b"x")}), "Missing 'path'"),
            _ => (json!({"path": "p", "length": 32}), "Missing 'key'"),
        }
    }
}

/// One app-side forgery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum AppMut {
    MissingSignature,
    MissingNonce,
    MissingTimestamp,
    WalletHeaderOther,
    WalletHeaderInvalid,
    SignatureGarbage,
    SignatureTruncated,
    SignerUnregistered,
    SignedForOtherNode,
    SignedOtherTimestamp,
    SignedOtherNonce,
    StaleTimestamp,
    FutureTimestamp,
    TimestampNotNumber,
    TimestampNegative,
    NonceReplayed,
    NonceUnissued,
    NonceNotBase64,
    InstanceStopped,
    InstanceNotZk,
    AppInactive,
    VersionRevoked,
    // Body forgeries (valid PoP; the nonce is consumed, as upstream).
    BodyPlaintext,
    BodySwappedOtherApp,
    BodyStrangerKey,
    BodySealedToOtherNode,
    BodyTampered,
    BodyOtherRoute,
    BodyNotJson,
    BodyNoContentType,
    BodyReplayedWholeRequest,
}

const APP_MUTS: [AppMut; 31] = [
    AppMut::MissingSignature,
    AppMut::MissingNonce,
    AppMut::MissingTimestamp,
    AppMut::WalletHeaderOther,
    AppMut::WalletHeaderInvalid,
    AppMut::SignatureGarbage,
    AppMut::SignatureTruncated,
    AppMut::SignerUnregistered,
    AppMut::SignedForOtherNode,
    AppMut::SignedOtherTimestamp,
    AppMut::SignedOtherNonce,
    AppMut::StaleTimestamp,
    AppMut::FutureTimestamp,
    AppMut::TimestampNotNumber,
    AppMut::TimestampNegative,
    AppMut::NonceReplayed,
    AppMut::NonceUnissued,
    AppMut::NonceNotBase64,
    AppMut::InstanceStopped,
    AppMut::InstanceNotZk,
    AppMut::AppInactive,
    AppMut::VersionRevoked,
    AppMut::BodyPlaintext,
    AppMut::BodySwappedOtherApp,
    AppMut::BodyStrangerKey,
    AppMut::BodySealedToOtherNode,
    AppMut::BodyTampered,
    AppMut::BodyOtherRoute,
    AppMut::BodyNotJson,
    AppMut::BodyNoContentType,
    AppMut::BodyReplayedWholeRequest,
];

impl AppMut {
    fn body_only(self) -> bool {
        self >= AppMut::BodyPlaintext && self != AppMut::BodyReplayedWholeRequest
    }
}

/// Identities of the app side.
struct AppSide {
    good: Identity,
    other_app: Identity,
    stopped: Identity,
    not_zk: Identity,
    inactive_app: Identity,
    revoked: Identity,
}

/// What the table builder needs about the node.
struct Target {
    base: String,
    wallet: String,
    tee: Vec<u8>,
}

fn seal_to(from: &Identity, to_der: &[u8], plain: &[u8]) -> Value {
    envelope::seal(from.tee_secret(), to_der, plain, LABEL)
        .unwrap()
        .to_json()
}

fn body_bytes(v: &Value) -> Vec<u8> {
    canonical_json(v).into_bytes()
}

/// Signed app PoP headers.
fn app_headers(
    signer: &Identity,
    recipient: &str,
    sign_nonce: &str,
    header_nonce: &str,
    ts: u64,
) -> Vec<(String, String)> {
    let sig = signer.sign(&pop::app_auth_message(sign_nonce, recipient, ts));
    vec![
        ("x-app-signature".into(), sig),
        ("x-app-nonce".into(), header_nonce.into()),
        ("x-app-timestamp".into(), ts.to_string()),
        ("x-app-wallet".into(), signer.address()),
    ]
}

fn set_header(h: &mut Vec<(String, String)>, name: &str, v: Option<String>) {
    h.retain(|(k, _)| k != name);
    if let Some(v) = v {
        h.push((name.into(), v));
    }
}

/// A valid request of `route` by `signer` with `nonce`.
fn app_valid(t: &Target, signer: &Identity, route: AppRoute, nonce: &str, inner: &Value) -> Req {
    let headers = app_headers(signer, &t.wallet, nonce, nonce, now_s());
    let body = route
        .has_body()
        .then(|| body_bytes(&seal_to(signer, &t.tee, &body_bytes(inner))));
    Req {
        method: route.method(),
        path: route.path().into(),
        headers,
        body,
        content_type: route.has_body().then_some("application/json"),
    }
}

/// Build the forged request for (`m`, `route`). Returns the request, the
/// expected refusal and the header nonce if it must still be live after the
/// refusal (refused before the nonce is consumed).
async fn app_forge(
    http: &reqwest::Client,
    t: &Target,
    ids: &AppSide,
    m: AppMut,
    route: AppRoute,
    n: usize,
) -> (Req, Expect, Option<String>) {
    let fresh = nonce(http, &t.base).await;
    let inner = route.inner(n);
    let mut r = app_valid(t, &ids.good, route, &fresh, &inner);
    let unauth = |msg| exp(403, "unauthorized", msg);
    let forbid = |msg| exp(403, "forbidden", msg);
    let mut alive = Some(fresh.clone());
    let as_signer = |who: &Identity, r: &mut Req| {
        r.headers = app_headers(who, &t.wallet, &fresh, &fresh, now_s());
        if route.has_body() {
            r.body = Some(body_bytes(&seal_to(who, &t.tee, &body_bytes(&inner))));
        }
    };
    let e = match m {
        AppMut::MissingSignature | AppMut::MissingNonce | AppMut::MissingTimestamp => {
            let h = match m {
                AppMut::MissingSignature => "x-app-signature",
                AppMut::MissingNonce => "x-app-nonce",
                _ => "x-app-timestamp",
            };
            set_header(&mut r.headers, h, None);
            unauth("Missing PoP authentication headers")
        }
        AppMut::WalletHeaderOther => {
            set_header(
                &mut r.headers,
                "x-app-wallet",
                Some(ids.other_app.address()),
            );
            unauth("App wallet header does not match signature")
        }
        AppMut::WalletHeaderInvalid => {
            set_header(
                &mut r.headers,
                "x-app-wallet",
                Some("0xnot-a-wallet".into()),
            );
            forbid("Invalid wallet address")
        }
        AppMut::SignatureGarbage => {
            set_header(
                &mut r.headers,
                "x-app-signature",
                Some(format!("0x{}", "zz".repeat(65))),
            );
            unauth("")
        }
        AppMut::SignatureTruncated => {
            let s = r.headers[0].1[..130].to_string(); // 64 bytes: EIP-2098 form, refused
            set_header(&mut r.headers, "x-app-signature", Some(s));
            unauth("")
        }
        AppMut::SignerUnregistered => {
            as_signer(&Identity::generate(), &mut r);
            forbid("Instance not found")
        }
        AppMut::SignedForOtherNode => {
            let other = Identity::generate().address();
            r.headers = app_headers(&ids.good, &other, &fresh, &fresh, now_s());
            unauth("App wallet header does not match signature")
        }
        AppMut::SignedOtherTimestamp => {
            let ts = now_s();
            r.headers = app_headers(&ids.good, &t.wallet, &fresh, &fresh, ts - 7);
            set_header(&mut r.headers, "x-app-timestamp", Some(ts.to_string()));
            unauth("App wallet header does not match signature")
        }
        AppMut::SignedOtherNonce => {
            let other = nonce(http, &t.base).await;
            r.headers = app_headers(&ids.good, &t.wallet, &other, &fresh, now_s());
            unauth("App wallet header does not match signature")
        }
        AppMut::StaleTimestamp | AppMut::FutureTimestamp => {
            let ts = if m == AppMut::StaleTimestamp {
                now_s() - POP_TIMEOUT - 30 - (n as u64 % 1000)
            } else {
                now_s() + POP_TIMEOUT + 30 + (n as u64 % 1000)
            };
            r.headers = app_headers(&ids.good, &t.wallet, &fresh, &fresh, ts);
            unauth("Stale timestamp")
        }
        AppMut::TimestampNotNumber => {
            set_header(
                &mut r.headers,
                "x-app-timestamp",
                Some(format!("{}.0", now_s())),
            );
            unauth("Invalid x-app-timestamp")
        }
        AppMut::TimestampNegative => {
            set_header(
                &mut r.headers,
                "x-app-timestamp",
                Some(format!("-{}", now_s())),
            );
            unauth("Invalid x-app-timestamp")
        }
        AppMut::NonceReplayed => {
            // Use the nonce in a valid request first, then forge with it.
            let ok = app_valid(t, &ids.good, AppRoute::List, &fresh, &Value::Null);
            assert_eq!(send(http, &t.base, &ok).await.0, 200);
            alive = None;
            unauth("Invalid or expired nonce")
        }
        AppMut::NonceUnissued => {
            let fake = b64(&rand_bytes(16));
            r.headers = app_headers(&ids.good, &t.wallet, &fake, &fake, now_s());
            unauth("Invalid or expired nonce")
        }
        AppMut::NonceNotBase64 => {
            let bad = format!("{}!", &fresh[..20]);
            r.headers = app_headers(&ids.good, &t.wallet, &bad, &bad, now_s());
            unauth("Invalid nonce encoding")
        }
        AppMut::InstanceStopped => {
            as_signer(&ids.stopped, &mut r);
            forbid("Instance not active")
        }
        AppMut::InstanceNotZk => {
            as_signer(&ids.not_zk, &mut r);
            forbid("Instance not zkVerified")
        }
        AppMut::AppInactive => {
            as_signer(&ids.inactive_app, &mut r);
            forbid("App not active")
        }
        AppMut::VersionRevoked => {
            as_signer(&ids.revoked, &mut r);
            forbid("Version revoked")
        }
        AppMut::BodyPlaintext => {
            alive = None;
            r.body = Some(body_bytes(&inner));
            exp(400, "bad_request", "E2E encrypted")
        }
        AppMut::BodySwappedOtherApp => {
            alive = None;
            r.body = Some(body_bytes(&seal_to(
                &ids.other_app,
                &t.tee,
                &body_bytes(&inner),
            )));
            forbid("sender_tee_pubkey does not match")
        }
        AppMut::BodyStrangerKey => {
            alive = None;
            let stranger = Identity::generate();
            r.body = Some(body_bytes(&seal_to(&stranger, &t.tee, &body_bytes(&inner))));
            forbid("sender_tee_pubkey does not match")
        }
        AppMut::BodySealedToOtherNode => {
            alive = None;
            let other_node = Identity::generate().tee_pubkey_der();
            r.body = Some(body_bytes(&seal_to(
                &ids.good,
                &other_node,
                &body_bytes(&inner),
            )));
            exp(400, "bad_request", "Envelope decryption failed")
        }
        AppMut::BodyTampered => {
            alive = None;
            let mut env = seal_to(&ids.good, &t.tee, &body_bytes(&inner));
            let ct = env["encrypted_data"].as_str().unwrap().to_string();
            let i = n % ct.len();
            let flipped = if &ct[i..=i] == "0" { "1" } else { "0" };
            env["encrypted_data"] = json!(format!("{}{flipped}{}", &ct[..i], &ct[i + 1..]));
            r.body = Some(body_bytes(&env));
            exp(400, "bad_request", "Envelope decryption failed")
        }
        AppMut::BodyOtherRoute => {
            alive = None;
            let (other, msg) = route.other_inner();
            r.body = Some(body_bytes(&seal_to(&ids.good, &t.tee, &body_bytes(&other))));
            exp(400, "bad_request", msg)
        }
        AppMut::BodyNotJson => {
            r.body = Some(b"{\"encrypted_data\": ".to_vec());
            Expect {
                status: 400,
                code: None,
                msg: "",
            }
        }
        AppMut::BodyNoContentType => {
            r.content_type = None;
            Expect {
                status: 415,
                code: None,
                msg: "",
            }
        }
        AppMut::BodyReplayedWholeRequest => {
            // The exact valid request twice: the first is served (a PUT of
            // `replay-<n>`, accounted as a valid write by the caller; a DELETE
            // of an absent key: 404), the replay is refused.
            alive = None;
            let inner = match route {
                AppRoute::Put => json!({"key": format!("replay-{n}"), "value": b64(b"r")}),
                AppRoute::Delete => json!({"key": format!("absent-{n}")}),
                _ => inner,
            };
            r = app_valid(t, &ids.good, route, &fresh, &inner);
            let first = send(http, &t.base, &r).await;
            let want = if route == AppRoute::Delete { 404 } else { 200 };
            assert_eq!(first.0, want, "original of the replay: {first:?}");
            unauth("Invalid or expired nonce")
        }
    };
    (r, e, alive)
}

fn rand_bytes(n: usize) -> Vec<u8> {
    use rand::RngCore;
    let mut v = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut v);
    v
}

// ------------------------------------------------------------------ /sync table

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SyncType {
    Delta,
    Snapshot,
    MasterSecret,
}

const SYNC_TYPES: [SyncType; 3] = [SyncType::Delta, SyncType::Snapshot, SyncType::MasterSecret];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SyncMut {
    MissingSignature,
    MissingNonce,
    MissingTimestamp,
    WalletHeaderOther,
    SignatureGarbage,
    StaleTimestamp,
    FutureTimestamp,
    TimestampNotNumber,
    NonceReplayed,
    NonceUnissued,
    NonceNotBase64,
    SignerNonMember,
    SignerAppInstance,
    SignerStoppedKms,
    SignerNotZkKms,
    SignedForOtherNode,
    // After PoP (nonce consumed):
    HmacMissing,
    HmacWrongKey,
    Hmac0xPrefix,
    HmacOfOtherBody,
    BodySwappedOtherPeer,
    BodyStrangerKey,
    BodyPlaintext,
    BodyTampered,
    SenderWalletOther,
    ReplayedWholeRequest,
    // Accepted transport, refused records (200 with every record rejected).
    RecordsAppZero,
    RecordsFuture,
    RecordsWrongDataKey,
}

const SYNC_MUTS: [SyncMut; 29] = [
    SyncMut::MissingSignature,
    SyncMut::MissingNonce,
    SyncMut::MissingTimestamp,
    SyncMut::WalletHeaderOther,
    SyncMut::SignatureGarbage,
    SyncMut::StaleTimestamp,
    SyncMut::FutureTimestamp,
    SyncMut::TimestampNotNumber,
    SyncMut::NonceReplayed,
    SyncMut::NonceUnissued,
    SyncMut::NonceNotBase64,
    SyncMut::SignerNonMember,
    SyncMut::SignerAppInstance,
    SyncMut::SignerStoppedKms,
    SyncMut::SignerNotZkKms,
    SyncMut::SignedForOtherNode,
    SyncMut::HmacMissing,
    SyncMut::HmacWrongKey,
    SyncMut::Hmac0xPrefix,
    SyncMut::HmacOfOtherBody,
    SyncMut::BodySwappedOtherPeer,
    SyncMut::BodyStrangerKey,
    SyncMut::BodyPlaintext,
    SyncMut::BodyTampered,
    SyncMut::SenderWalletOther,
    SyncMut::ReplayedWholeRequest,
    SyncMut::RecordsAppZero,
    SyncMut::RecordsFuture,
    SyncMut::RecordsWrongDataKey,
];

impl SyncMut {
    fn applies(self, ty: SyncType) -> bool {
        match self {
            // master_secret_request needs no HMAC (§6.7).
            SyncMut::HmacMissing
            | SyncMut::HmacWrongKey
            | SyncMut::Hmac0xPrefix
            | SyncMut::HmacOfOtherBody => ty != SyncType::MasterSecret,
            SyncMut::RecordsAppZero | SyncMut::RecordsFuture | SyncMut::RecordsWrongDataKey => {
                ty == SyncType::Delta
            }
            // A replayed snapshot/secret request has no state to change but
            // must still be refused; keep it for every type.
            _ => true,
        }
    }
}

struct SyncSide {
    peer: Identity,
    peer2: Identity,
    app_instance: Identity,
    stopped: Identity,
    not_zk: Identity,
    sync_key: [u8; 32],
    secret: MasterSecret,
}

fn wire_rec(key: &str, value: Vec<u8>, node: &str, ts: u64) -> Value {
    Record {
        key: key.into(),
        value,
        version: VectorClock::from([(node, 1)]),
        updated_at_ms: ts,
        tombstone: false,
        ttl_ms: 0,
    }
    .to_wire()
}

fn sync_payload(ty: SyncType, s: &SyncSide, sender: &Identity, n: usize) -> Value {
    match ty {
        SyncType::Delta => {
            let v = encrypt_value(&s.secret.data_key(SYNC_APP), b"evil");
            json!({"type": "delta", "sender_wallet": sender.address(),
                   "data": {SYNC_APP.to_string(): [wire_rec(&format!("intruder-{n}"), v, &sender.address(), now_ms())]}})
        }
        SyncType::Snapshot => {
            json!({"type": "snapshot_request", "sender_wallet": sender.address()})
        }
        SyncType::MasterSecret => {
            let eph = p384::SecretKey::random(&mut rand::rngs::OsRng);
            json!({"type": "master_secret_request", "sender_wallet": sender.address(),
                   "ecdh_pubkey": hex::encode(spki_der(&eph.public_key()))})
        }
    }
}

fn sync_headers(
    signer: &Identity,
    recipient: &str,
    nonce: &str,
    ts: u64,
    body: &Value,
    key: Option<&[u8; 32]>,
) -> Vec<(String, String)> {
    let sig = signer.sign(&pop::peer_auth_message(nonce, recipient, ts));
    let mut h = vec![
        ("x-kms-signature".to_string(), sig),
        ("x-kms-nonce".to_string(), nonce.to_string()),
        ("x-kms-timestamp".to_string(), ts.to_string()),
        ("x-kms-wallet".to_string(), signer.address()),
    ];
    if let Some(k) = key {
        h.push(("x-sync-signature".into(), sync_hmac_hex(k, body)));
    }
    h
}

fn sync_req(headers: Vec<(String, String)>, body: &Value) -> Req {
    Req {
        method: Method::POST,
        path: "/sync".into(),
        headers,
        body: Some(body_bytes(body)),
        content_type: Some("application/json"),
    }
}

/// A valid `/sync` request of type `ty` by `signer` (payload `payload`).
fn sync_valid(t: &Target, s: &SyncSide, signer: &Identity, nonce: &str, payload: &Value) -> Req {
    let body = seal_to(signer, &t.tee, &body_bytes(payload));
    sync_req(
        sync_headers(signer, &t.wallet, nonce, now_s(), &body, Some(&s.sync_key)),
        &body,
    )
}

/// Expected outcome of a forged `/sync`: a refusal, or 200 with every
/// record rejected (`Err(total)`).
enum SyncExpect {
    Refused(Expect),
    AllRejected(u64),
}

async fn sync_forge(
    http: &reqwest::Client,
    t: &Target,
    s: &SyncSide,
    m: SyncMut,
    ty: SyncType,
    n: usize,
) -> (Req, SyncExpect, Option<String>) {
    let fresh = nonce(http, &t.base).await;
    let payload = sync_payload(ty, s, &s.peer, n);
    let mut r = sync_valid(t, s, &s.peer, &fresh, &payload);
    let body: Value = serde_json::from_slice(r.body.as_ref().unwrap()).unwrap();
    let unauth = |msg| SyncExpect::Refused(exp(403, "unauthorized", msg));
    let forbid = |msg| SyncExpect::Refused(exp(403, "forbidden", msg));
    let key = Some(&s.sync_key);
    let mut alive = Some(fresh.clone());
    let as_signer = |who: &Identity| {
        let p = sync_payload(ty, s, who, n);
        let b = seal_to(who, &t.tee, &body_bytes(&p));
        sync_req(sync_headers(who, &t.wallet, &fresh, now_s(), &b, key), &b)
    };
    let with_body = |b: &Value, k: Option<&[u8; 32]>| {
        sync_req(sync_headers(&s.peer, &t.wallet, &fresh, now_s(), b, k), b)
    };
    let e = match m {
        SyncMut::MissingSignature => {
            set_header(&mut r.headers, "x-kms-signature", None);
            unauth("Missing x-kms-signature")
        }
        SyncMut::MissingNonce => {
            set_header(&mut r.headers, "x-kms-nonce", None);
            unauth("Missing x-kms-nonce")
        }
        SyncMut::MissingTimestamp => {
            set_header(&mut r.headers, "x-kms-timestamp", None);
            unauth("Missing x-kms-timestamp")
        }
        SyncMut::WalletHeaderOther => {
            set_header(&mut r.headers, "x-kms-wallet", Some(s.peer2.address()));
            unauth("KMS wallet header does not match signature")
        }
        SyncMut::SignatureGarbage => {
            set_header(&mut r.headers, "x-kms-signature", Some("0x00".into()));
            unauth("")
        }
        SyncMut::StaleTimestamp | SyncMut::FutureTimestamp => {
            let ts = if m == SyncMut::StaleTimestamp {
                now_s() - POP_TIMEOUT - 5
            } else {
                now_s() + POP_TIMEOUT + 5
            };
            r = sync_req(
                sync_headers(&s.peer, &t.wallet, &fresh, ts, &body, key),
                &body,
            );
            unauth("Stale timestamp")
        }
        SyncMut::TimestampNotNumber => {
            set_header(&mut r.headers, "x-kms-timestamp", Some("soon".into()));
            unauth("Invalid x-kms-timestamp")
        }
        SyncMut::NonceReplayed => {
            let ok = sync_valid(
                t,
                s,
                &s.peer,
                &fresh,
                &sync_payload(SyncType::Snapshot, s, &s.peer, n),
            );
            assert_eq!(send(http, &t.base, &ok).await.0, 200);
            alive = None;
            unauth("Invalid or expired nonce")
        }
        SyncMut::NonceUnissued => {
            let fake = b64(&rand_bytes(16));
            r = sync_req(
                sync_headers(&s.peer, &t.wallet, &fake, now_s(), &body, key),
                &body,
            );
            unauth("Invalid or expired nonce")
        }
        SyncMut::NonceNotBase64 => {
            let bad = "%%%".to_string();
            r = sync_req(
                sync_headers(&s.peer, &t.wallet, &bad, now_s(), &body, key),
                &body,
            );
            unauth("Invalid nonce encoding")
        }
        SyncMut::SignerNonMember => {
            r = as_signer(&Identity::generate());
            forbid("not found in PeerCache")
        }
        SyncMut::SignerAppInstance => {
            r = as_signer(&s.app_instance);
            forbid("not found in PeerCache")
        }
        SyncMut::SignerStoppedKms => {
            r = as_signer(&s.stopped);
            forbid("")
        }
        SyncMut::SignerNotZkKms => {
            r = as_signer(&s.not_zk);
            forbid("")
        }
        SyncMut::SignedForOtherNode => {
            let other = Identity::generate().address();
            r = sync_req(
                sync_headers(&s.peer, &other, &fresh, now_s(), &body, key),
                &body,
            );
            unauth("KMS wallet header does not match signature")
        }
        SyncMut::HmacMissing => {
            alive = None;
            set_header(&mut r.headers, "x-sync-signature", None);
            unauth("Missing HMAC signature")
        }
        SyncMut::HmacWrongKey => {
            alive = None;
            r = with_body(&body, Some(&[n as u8; 32]));
            unauth("Invalid HMAC signature")
        }
        SyncMut::Hmac0xPrefix => {
            alive = None;
            let mac = sync_hmac_hex(&s.sync_key, &body);
            set_header(&mut r.headers, "x-sync-signature", Some(format!("0x{mac}")));
            unauth("Invalid HMAC signature")
        }
        SyncMut::HmacOfOtherBody => {
            alive = None;
            let other = seal_to(
                &s.peer,
                &t.tee,
                &body_bytes(&sync_payload(ty, s, &s.peer, n + 1)),
            );
            let mac = sync_hmac_hex(&s.sync_key, &other);
            set_header(&mut r.headers, "x-sync-signature", Some(mac));
            unauth("Invalid HMAC signature")
        }
        SyncMut::BodySwappedOtherPeer => {
            alive = None;
            let b = seal_to(
                &s.peer2,
                &t.tee,
                &body_bytes(&sync_payload(ty, s, &s.peer2, n)),
            );
            r = with_body(&b, key);
            forbid("sender_tee_pubkey does not match")
        }
        SyncMut::BodyStrangerKey => {
            alive = None;
            let b = seal_to(&Identity::generate(), &t.tee, &body_bytes(&payload));
            r = with_body(&b, key);
            forbid("sender_tee_pubkey does not match")
        }
        SyncMut::BodyPlaintext => {
            alive = None;
            r = with_body(&payload, key);
            SyncExpect::Refused(exp(400, "bad_request", "E2E encrypted"))
        }
        SyncMut::BodyTampered => {
            alive = None;
            let mut b = body.clone();
            let ct = b["encrypted_data"].as_str().unwrap().to_string();
            let i = n % ct.len();
            let flipped = if &ct[i..=i] == "a" { "b" } else { "a" };
            b["encrypted_data"] = json!(format!("{}{flipped}{}", &ct[..i], &ct[i + 1..]));
            r = with_body(&b, key);
            SyncExpect::Refused(exp(400, "bad_request", "Envelope decryption failed"))
        }
        SyncMut::SenderWalletOther => {
            alive = None;
            let mut p = payload.clone();
            p["sender_wallet"] = json!(s.peer2.address());
            let b = seal_to(&s.peer, &t.tee, &body_bytes(&p));
            r = with_body(&b, key);
            forbid("sender_wallet does not match PoP signature")
        }
        SyncMut::ReplayedWholeRequest => {
            alive = None;
            // Original must be harmless to replay-check: make it a snapshot.
            let p = sync_payload(SyncType::Snapshot, s, &s.peer, n);
            let b = seal_to(&s.peer, &t.tee, &body_bytes(&p));
            r = with_body(&b, key);
            assert_eq!(send(http, &t.base, &r).await.0, 200);
            unauth("Invalid or expired nonce")
        }
        SyncMut::RecordsAppZero | SyncMut::RecordsFuture | SyncMut::RecordsWrongDataKey => {
            alive = None;
            let w = s.peer.address();
            let recs: Vec<Value> = (0..3)
                .map(|i| {
                    let k = format!("intruder-{n}-{i}");
                    match m {
                        SyncMut::RecordsAppZero => {
                            wire_rec(&k, encrypt_value(&s.secret.data_key(0), b"e"), &w, now_ms())
                        }
                        SyncMut::RecordsFuture => wire_rec(
                            &k,
                            encrypt_value(&s.secret.data_key(SYNC_APP), b"e"),
                            &w,
                            now_ms() + 60_000 + i * 1000,
                        ),
                        _ => wire_rec(&k, encrypt_value(&[9u8; 32], b"e"), &w, now_ms()),
                    }
                })
                .collect();
            let app = if m == SyncMut::RecordsAppZero {
                0
            } else {
                SYNC_APP
            };
            let p = json!({"type": "delta", "sender_wallet": w, "data": {app.to_string(): recs}});
            let b = seal_to(&s.peer, &t.tee, &body_bytes(&p));
            r = with_body(&b, key);
            SyncExpect::AllRejected(3)
        }
    };
    (r, e, alive)
}

/// Open a `/sync` answer sealed to `peer`.
fn open_sync(peer: &Identity, v: &Value) -> Value {
    let env = envelope::Envelope::from_json(v).expect("envelope answer");
    serde_json::from_slice(&envelope::open(peer.tee_secret(), &env, LABEL).unwrap()).unwrap()
}

/// Everything the node stores as seen from outside.
async fn snapshot_of(pc: &PeerClient, node: &PeerInfo, key: &[u8; 32]) -> Value {
    pc.snapshot(node, key).await.unwrap()
}

#[test]
fn forged_and_replayed_requests_are_refused_systematically() {
    let rounds = env_num("NOVAKMS_ADV_ROUNDS", 6);
    let d = Devnet::up(1);
    let rt = rt();
    rt.block_on(async {
        let started = Instant::now();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(4)
            .build()
            .unwrap();
        let node_id = d.identity(&d.node(0).keystore);
        let t = Target {
            base: d.node(0).url.clone(),
            wallet: d.node(0).wallet.clone(),
            tee: node_id.tee_pubkey_der(),
        };
        let admin = d.admin();
        let app = d.info.apps[0].app_id;
        let zero = "0x0000000000000000000000000000000000000000";
        let reg = |id: &Identity, app_id: u64, version: u64, zk: bool| {
            let admin = &admin;
            let w = id.address();
            let k = id.tee_pubkey_der();
            async move {
                admin
                    .register_instance(app_id, version, &w, "http://127.0.0.1:9", &k, &w, zk)
                    .await
                    .unwrap()
            }
        };
        // App side: the demo app, a second instance of it, refused entries.
        let ids = AppSide {
            good: d.identity(&d.info.apps[0].keystore),
            other_app: Identity::generate(),
            stopped: Identity::generate(),
            not_zk: Identity::generate(),
            inactive_app: Identity::generate(),
            revoked: Identity::generate(),
        };
        reg(&ids.other_app, app, 1, true).await;
        let sid = reg(&ids.stopped, app, 1, true).await;
        admin.set_instance_status(sid, 1).await.unwrap();
        reg(&ids.not_zk, app, 1, false).await;
        admin.create_app(2001, zero, "inactive").await.unwrap();
        let v = admin.add_version(2001, "v1", [0u8; 32]).await.unwrap();
        reg(&ids.inactive_app, 2001, v, true).await;
        admin.set_app_status(2001, 1).await.unwrap();
        admin.create_app(2002, zero, "revoked").await.unwrap();
        let v = admin.add_version(2002, "v1", [0u8; 32]).await.unwrap();
        reg(&ids.revoked, 2002, v, true).await;
        admin.set_version_status(2002, v, 2).await.unwrap();
        // Peer side: two members, a stopped one, a not-zkVerified one.
        let kms = d.info.kms_app_id;
        let peer = Identity::generate();
        let peer2 = Identity::generate();
        let stopped = Identity::generate();
        let not_zk = Identity::generate();
        reg(&peer, kms, 1, true).await;
        reg(&peer2, kms, 1, true).await;
        let stopped_iid = reg(&stopped, kms, 1, true).await;
        reg(&not_zk, kms, 1, false).await;
        wait_member(&http, &t.base, &peer.address(), true).await;
        wait_member(&http, &t.base, &peer2.address(), true).await;
        wait_member(&http, &t.base, &stopped.address(), true).await;
        admin.set_instance_status(stopped_iid, 1).await.unwrap();
        wait_member(&http, &t.base, &stopped.address(), false).await;

        let node = PeerInfo::from_instance(
            d.registry().get_instance_by_wallet(&t.wallet).await.unwrap(),
        );
        let pc = PeerClient::new(peer.clone(), LABEL, Duration::from_secs(30), Clock::system())
            .unwrap();
        let secret = MasterSecret::from_bytes(pc.master_secret(&node, None).await.unwrap());
        let s = SyncSide {
            peer: peer.clone(),
            peer2,
            app_instance: ids.other_app.clone(),
            stopped,
            not_zk,
            sync_key: secret.sync_key(),
            secret,
        };
        let good = d.client_for(ids.good.clone(), 0);
        good.put("seed", b"seed-value", 0).await.unwrap();
        let seed_before = snapshot_of(&pc, &node, &s.sync_key).await[app.to_string()].clone();
        let status_before = get_json(&http, &format!("{}/status", t.base)).await["data_store"].clone();
        let setup = started.elapsed();

        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut forged = 0usize;
        let mut valid = 0usize;
        let mut spare: Vec<String> = Vec::new();
        let mut app_puts: Vec<String> = Vec::new();
        let mut sync_puts: Vec<String> = Vec::new();
        let mut replayed_puts = 0usize;
        let mut seq = 0usize;

        // A valid request every 10th request, rotating over four kinds; it
        // reuses a nonce that a refused request left unconsumed if any.
        macro_rules! maybe_valid {
            () => {
                seq += 1;
                if seq % 10 == 0 {
                    let nn = match spare.pop() {
                        Some(x) => x,
                        None => nonce(&http, &t.base).await,
                    };
                    match (seq / 10) % 4 {
                        0 => {
                            let k = format!("ok-{seq}");
                            let r = app_valid(&t, &ids.good, AppRoute::Put, &nn,
                                &json!({"key": k, "value": b64(k.as_bytes())}));
                            let got = send(&http, &t.base, &r).await;
                            assert_eq!(got.0, 200, "valid PUT {got:?}");
                            app_puts.push(k);
                        }
                        1 => {
                            let r = app_valid(&t, &ids.good, AppRoute::GetPath, &nn, &Value::Null);
                            let got = send(&http, &t.base, &r).await;
                            assert_eq!(got.0, 200, "valid GET {got:?}");
                        }
                        2 => {
                            let k = format!("sync-ok-{seq}");
                            let v = encrypt_value(&s.secret.data_key(SYNC_APP), b"ok");
                            let p = json!({"type": "delta", "sender_wallet": s.peer.address(),
                                "data": {SYNC_APP.to_string(): [wire_rec(&k, v, &s.peer.address(), now_ms())]}});
                            let r = sync_valid(&t, &s, &s.peer, &nn, &p);
                            let got = send(&http, &t.base, &r).await;
                            assert_eq!(got.0, 200, "valid delta {got:?}");
                            let rep = open_sync(&s.peer, &got.1);
                            assert_eq!(rep["merged"], 1, "{rep}");
                            sync_puts.push(k);
                        }
                        _ => {
                            let p = sync_payload(SyncType::Snapshot, &s, &s.peer, 0);
                            let r = sync_valid(&t, &s, &s.peer, &nn, &p);
                            let got = send(&http, &t.base, &r).await;
                            assert_eq!(got.0, 200, "valid snapshot {got:?}");
                        }
                    }
                    valid += 1;
                }
            };
        }

        for round in 0..rounds {
            for m in APP_MUTS {
                for route in APP_ROUTES {
                    if m.body_only() && !route.has_body() {
                        continue;
                    }
                    let n = forged;
                    let (r, e, alive) = app_forge(&http, &t, &ids, m, route, n).await;
                    let got = send(&http, &t.base, &r).await;
                    check(&format!("round {round} app {m:?} {route:?}"), &got, e);
                    if m == AppMut::BodyReplayedWholeRequest && route == AppRoute::Put {
                        // The original went through: account for its effect.
                        app_puts.push(format!("replay-{n}"));
                        replayed_puts += 1;
                    }
                    forged += 1;
                    *counts.entry(format!("app/{m:?}")).or_default() += 1;
                    if let Some(a) = alive {
                        spare.push(a);
                    }
                    maybe_valid!();
                }
            }
            for m in SYNC_MUTS {
                for ty in SYNC_TYPES {
                    if !m.applies(ty) {
                        continue;
                    }
                    let (r, e, alive) = sync_forge(&http, &t, &s, m, ty, forged).await;
                    let got = send(&http, &t.base, &r).await;
                    let label = format!("round {round} sync {m:?} {ty:?}");
                    match e {
                        SyncExpect::Refused(e) => check(&label, &got, e),
                        SyncExpect::AllRejected(total) => {
                            assert_eq!(got.0, 200, "{label}: {got:?}");
                            let rep = open_sync(&s.peer, &got.1);
                            assert_eq!(rep["total"], total, "{label}: {rep}");
                            assert_eq!(rep["rejected"], total, "{label}: {rep}");
                            assert_eq!(rep["merged"], 0, "{label}: {rep}");
                        }
                    }
                    forged += 1;
                    *counts.entry(format!("sync/{m:?}")).or_default() += 1;
                    if let Some(a) = alive {
                        spare.push(a);
                    }
                    maybe_valid!();
                }
            }
        }

        // No state change beyond the valid writes.
        let snap = snapshot_of(&pc, &node, &s.sync_key).await;
        for (ns, recs) in snap.as_object().unwrap() {
            for r in recs.as_array().unwrap() {
                let k = r["key"].as_str().unwrap();
                let ok = k == "seed"
                    || app_puts.iter().any(|p| p == k)
                    || sync_puts.iter().any(|p| p == k);
                assert!(ok, "unexpected record {ns}/{k}: {r}");
            }
        }
        let app_recs = snap[app.to_string()].as_array().unwrap();
        // `seed` is untouched: same clock, timestamp and ciphertext.
        let find_seed = |v: &Value| v.as_array().unwrap().iter().find(|r| r["key"] == "seed").cloned();
        assert_eq!(find_seed(&snap[app.to_string()]), find_seed(&seed_before));
        assert!(app_recs.iter().all(|r| r["tombstone"] == false));
        let sync_recs = snap[SYNC_APP.to_string()].as_array().cloned().unwrap_or_default();
        assert_eq!(sync_recs.len(), sync_puts.len());
        assert_eq!(app_recs.len(), 1 + app_puts.len());
        let status_after = get_json(&http, &format!("{}/status", t.base)).await["data_store"].clone();
        assert_eq!(
            status_after["total_keys"].as_u64().unwrap(),
            status_before["total_keys"].as_u64().unwrap() + (app_puts.len() + sync_puts.len()) as u64,
            "before {status_before} after {status_after}"
        );
        assert_eq!(
            status_after["namespaces"].as_u64().unwrap(),
            status_before["namespaces"].as_u64().unwrap() + u64::from(!sync_puts.is_empty()),
        );
        assert!(forged >= 1000, "only {forged} forged requests");
        assert_eq!(get_json(&http, &format!("{}/health", t.base)).await["status"], "healthy");
        let elapsed = started.elapsed();
        println!(
            "adversarial: {forged} forged/replayed requests refused ({} app, {} sync) in {rounds} rounds, \
             {valid} interleaved valid requests ok ({} PUT, {} sync delta, {replayed_puts} replay originals), \
             setup {:.1}s, table {:.1}s",
            counts.iter().filter(|(k, _)| k.starts_with("app/")).map(|(_, v)| v).sum::<usize>(),
            counts.iter().filter(|(k, _)| k.starts_with("sync/")).map(|(_, v)| v).sum::<usize>(),
            app_puts.len() - replayed_puts,
            sync_puts.len(),
            setup.as_secs_f64(),
            (elapsed - setup).as_secs_f64()
        );
        for (k, v) in &counts {
            println!("  {k}: {v}");
        }
    });
}

// ------------------------------------------------------------------ oversized bodies

/// Outcome of a raw HTTP/1.1 exchange.
#[derive(Debug, PartialEq, Eq)]
enum Raw {
    /// A response with this status arrived.
    Status(u16),
    /// The server closed the connection without a (complete) response line.
    Closed,
}

/// Send `head` then `body` (written by a separate thread, so an early
/// answer is read even while the server stops reading), read the first
/// response line. `half_close`: shut down our write side after the body.
/// Panics if nothing happens within 30 s (a hang).
fn raw_exchange(addr: &str, head: String, body: Vec<u8>, half_close: bool) -> Raw {
    let what = head.lines().next().unwrap_or("").to_string()
        + " "
        + head
            .lines()
            .find(|l| l.starts_with("Content-Length") || l.starts_with("Transfer"))
            .unwrap_or("");
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(head.as_bytes());
        for chunk in body.chunks(64 * 1024) {
            if w.write_all(chunk).is_err() {
                return;
            }
        }
        let _ = w.flush();
        if half_close {
            let _ = w.shutdown(std::net::Shutdown::Write);
        }
    });
    let started = Instant::now();
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let out = loop {
        match s.read(&mut tmp) {
            Ok(0) => break None,
            Ok(n) => {
                buf.extend_from_slice(&tmp[..n]);
                if buf.windows(2).any(|w| w == b"\r\n") {
                    break Some(());
                }
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                panic!("no answer within {:?} (hang): {what}", started.elapsed())
            }
            Err(_) => break None, // reset
        }
    };
    let _ = s.shutdown(std::net::Shutdown::Both);
    let _ = writer.join();
    match out {
        Some(()) => {
            let line = String::from_utf8_lossy(&buf);
            let code = line.split_whitespace().nth(1).and_then(|c| c.parse().ok());
            code.map(Raw::Status).unwrap_or(Raw::Closed)
        }
        None => Raw::Closed,
    }
}

/// A JSON object of exactly `n` bytes (n ≥ 8).
fn json_of_len(n: usize) -> Vec<u8> {
    let mut v = b"{\"p\":\"".to_vec();
    v.resize(n - 2, b'a');
    v.extend_from_slice(b"\"}");
    v
}

fn head(method: &str, path: &str, host: &str, extra: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nConnection: close\r\n{extra}\r\n"
    )
}

fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 1000 + 16);
    for c in body.chunks(64 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

#[test]
fn oversized_bodies_get_413_or_a_closed_connection() {
    let d = Devnet::up(1);
    let rt = rt();
    let url = d.node(0).url.clone();
    let host = url.trim_start_matches("http://").to_string();
    let status = || {
        rt.block_on(async {
            get_json(&reqwest::Client::new(), &format!("{url}/status")).await["data_store"].clone()
        })
    };
    let before = status();
    let started = Instant::now();
    let app_limit = 2 * 1024 * 1024;
    let sync_limit = 8 * 1024 * 1024;
    let routes: [(&str, &str, usize); 4] = [
        ("PUT", "/kms/data", app_limit),
        ("DELETE", "/kms/data", app_limit),
        ("POST", "/kms/derive", app_limit),
        ("POST", "/sync", sync_limit),
    ];
    let mut cases = 0;
    let mut closed = 0;
    for (m, path, limit) in routes {
        let label = |what: &str| format!("{m} {path}: {what}");
        // Exactly the limit: reaches the handler, refused for lack of PoP.
        let body = json_of_len(limit);
        let r = raw_exchange(
            &host,
            head(m, path, &host, &format!("Content-Length: {limit}\r\n")),
            body,
            false,
        );
        assert_eq!(r, Raw::Status(403), "{}", label("limit"));
        // One byte more, honest Content-Length: 413.
        let body = json_of_len(limit + 1);
        let r = raw_exchange(
            &host,
            head(
                m,
                path,
                &host,
                &format!("Content-Length: {}\r\n", limit + 1),
            ),
            body,
            false,
        );
        assert_eq!(r, Raw::Status(413), "{}", label("limit+1"));
        // Chunked, no Content-Length, over the limit: 413 once the limit is crossed.
        let body = chunked(&json_of_len(limit + 100_000));
        let r = raw_exchange(
            &host,
            head(m, path, &host, "Transfer-Encoding: chunked\r\n"),
            body,
            false,
        );
        assert_eq!(r, Raw::Status(413), "{}", label("chunked"));
        // Chunked whose chunk sizes lie (declares 16 MiB in one chunk, sends less, closes).
        let mut body = format!("{:x}\r\n", 16 << 20).into_bytes();
        body.extend(vec![b' '; 256 * 1024]);
        let r = raw_exchange(
            &host,
            head(m, path, &host, "Transfer-Encoding: chunked\r\n"),
            body,
            true,
        );
        assert!(
            matches!(r, Raw::Status(413) | Raw::Status(400) | Raw::Closed),
            "{}: {r:?}",
            label("chunk lie")
        );
        // Declares huge, sends little: refused from the header alone.
        let r = raw_exchange(
            &host,
            head(m, path, &host, "Content-Length: 1073741824\r\n"),
            b"{}".to_vec(),
            false,
        );
        assert_eq!(r, Raw::Status(413), "{}", label("declares 1 GiB"));
        // Declares more than the limit by one, sends nothing, closes.
        let r = raw_exchange(
            &host,
            head(
                m,
                path,
                &host,
                &format!("Content-Length: {}\r\n", limit + 1),
            ),
            vec![],
            true,
        );
        assert_eq!(
            r,
            Raw::Status(413),
            "{}",
            label("declares limit+1, sends none")
        );
        // Declares small, sends limit+1 bytes: the first 100 bytes are the
        // body (truncated JSON → 400), the rest is not a request: the
        // connection is closed (Connection: close). No 5xx, no hang.
        let r = raw_exchange(
            &host,
            head(m, path, &host, "Content-Length: 100\r\n"),
            json_of_len(limit + 1),
            false,
        );
        assert_eq!(
            r,
            Raw::Status(400),
            "{}",
            label("declares 100, sends limit+1")
        );
        // Declares less than sent and half-closes mid-body: EOF in the body.
        let r = raw_exchange(
            &host,
            head(m, path, &host, &format!("Content-Length: {limit}\r\n")),
            json_of_len(1000),
            true,
        );
        if r == Raw::Closed {
            closed += 1;
        } else {
            assert!(
                matches!(r, Raw::Status(400)),
                "{}: {r:?}",
                label("EOF mid-body")
            );
        }
        cases += 8;
    }
    // The node is healthy and nothing changed.
    assert_eq!(status(), before);
    rt.block_on(async {
        let v = get_json(&reqwest::Client::new(), &format!("{url}/health")).await;
        assert_eq!(v["status"], "healthy");
    });
    println!(
        "oversized: {cases} raw-TCP cases on 4 routes ({closed} closed without answer on EOF mid-body) in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

// ------------------------------------------------------------------ floods

/// Resident set size of `pid`, KiB (from /proc/PID/status `VmRSS`).
fn rss_kib(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[test]
fn nonce_and_fresh_key_floods_keep_memory_bounded() {
    use futures_util::stream::{self, StreamExt};
    let flood_n = env_num("NOVAKMS_ADV_FLOOD", 50_000);
    let wallets_n = env_num("NOVAKMS_ADV_WALLETS", 5_000);
    let d = Devnet::up(1);
    let rt = rt();
    let url = d.node(0).url.clone();
    let node_wallet = d.node(0).wallet.clone();
    let node_tee = d.identity(&d.node(0).keystore).tee_pubkey_der();
    let t = Target {
        base: url.clone(),
        wallet: node_wallet.clone(),
        tee: node_tee,
    };
    let app = d.identity(&d.info.apps[0].keystore);
    let good_http = client_from([127, 0, 0, 1]);
    let flood_http = client_from([127, 0, 0, 2]);
    // A well-behaved request (its own nonce from 127.0.0.1): must succeed.
    let good_call = |i: usize| {
        let t = &t;
        let app = &app;
        let http = &good_http;
        async move {
            let n = nonce(http, &t.base).await;
            let k = format!("good-{i}");
            let r = app_valid(
                t,
                app,
                AppRoute::Put,
                &n,
                &json!({"key": k, "value": b64(b"v")}),
            );
            let got = send(http, &t.base, &r).await;
            assert_eq!(got.0, 200, "well-behaved client during flood: {got:?}");
        }
    };
    let pid = d.node_pid(0);
    let (rss0, rss1, rss2, ok, flood_secs, refused, wallets_secs, mut good) = rt.block_on(async {
        good_call(0).await; // warm up (auth cache, connections)
        let rss0 = rss_kib(pid);

        // Phase 1: /nonce flood from 127.0.0.2, limiter off (devnet config).
        // A good client holds a nonce across the whole flood and uses it at the end.
        let held = nonce(&good_http, &url).await;
        let started = Instant::now();
        let mut good = 1;
        let mut ok = 0usize;
        let mut chunks = 0;
        for chunk in (0..flood_n).collect::<Vec<_>>().chunks(1000) {
            let res: Vec<u16> = stream::iter(chunk.iter().copied())
                .map(|_| {
                    let h = flood_http.clone();
                    let u = format!("{url}/nonce");
                    async move {
                        h.get(u)
                            .send()
                            .await
                            .map(|r| r.status().as_u16())
                            .unwrap_or(0)
                    }
                })
                .buffer_unordered(16)
                .collect()
                .await;
            ok += res.iter().filter(|s| **s == 200).count();
            assert!(
                res.iter().all(|s| *s == 200),
                "flood statuses: {:?}",
                res.iter()
                    .filter(|s| **s != 200)
                    .take(3)
                    .collect::<Vec<_>>()
            );
            chunks += 1;
            if chunks % 5 == 0 {
                good_call(good).await;
                good += 1;
            }
        }
        let flood_secs = started.elapsed().as_secs_f64();
        let r = app_valid(&t, &app, AppRoute::List, &held, &Value::Null);
        assert_eq!(
            send(&good_http, &url, &r).await.0,
            200,
            "nonce held across the flood was evicted"
        );
        let rss1 = rss_kib(pid);

        // Phase 2: fresh wallets signing valid-looking PoP (flood IP gets the
        // nonces): each is refused 403 "Instance not found"; good client ok.
        let started2 = Instant::now();
        let mut refused = 0usize;
        let ids: Vec<usize> = (0..wallets_n).collect();
        for chunk in ids.chunks(250) {
            let res: Vec<(u16, Value)> = stream::iter(chunk.iter().copied())
                .map(|_| {
                    let h = flood_http.clone();
                    let t = &t;
                    async move {
                        let who = Identity::generate();
                        let n = nonce(&h, &t.base).await;
                        let r = app_valid(t, &who, AppRoute::List, &n, &Value::Null);
                        send(&h, &t.base, &r).await
                    }
                })
                .buffer_unordered(8)
                .collect()
                .await;
            for (s, v) in &res {
                assert_eq!(*s, 403, "{v}");
                assert_eq!(v["message"], "Instance not found");
            }
            refused += res.len();
            good_call(good).await;
            good += 1;
        }
        let wallets_secs = started2.elapsed().as_secs_f64();
        let rss2 = rss_kib(pid);

        (
            rss0,
            rss1,
            rss2,
            ok,
            flood_secs,
            refused,
            wallets_secs,
            good,
        )
    });
    // Phase 3: the node with its /nonce limiter on (600/min per socket
    // address): the flooder gets 429, the good client (another address) does not.
    d.signal_node(0, libc::SIGTERM);
    d.restart_node(0, &[("NOVAKMS_NONCE_RATE_LIMIT_PER_MINUTE", "600")]);
    rt.block_on(async {
        let flood_http = client_from([127, 0, 0, 3]);
        let flood_started = Instant::now();
        let res: Vec<u16> = stream::iter(0..2000)
            .map(|_| {
                let h = flood_http.clone();
                let u = format!("{url}/nonce");
                async move { h.get(u).send().await.map(|r| r.status().as_u16()).unwrap_or(0) }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        let limited = res.iter().filter(|s| **s == 429).count();
        let granted = res.iter().filter(|s| **s == 200).count();
        assert!(res.iter().all(|s| *s == 200 || *s == 429), "{res:?}");
        // Burst of 600, refilled at 10 per second while the flood runs.
        let refill = (flood_started.elapsed().as_secs_f64() * 10.0).ceil() as usize;
        assert!(
            (600..=601 + refill).contains(&granted),
            "granted {granted} (refill allowance {refill})"
        );
        for i in 0..5 {
            good_call(1000 + i).await;
            good += 1;
        }
        let grow = |a: u64, b: u64| b.saturating_sub(a) / 1024;
        println!(
            "floods: {ok} /nonce in {flood_secs:.1}s ({:.0}/s), RSS {} -> {} MiB; {refused} fresh-wallet PoP refused in {wallets_secs:.1}s ({:.0}/s), RSS -> {} MiB; {good} good-client writes ok; limiter on: {granted} granted, {limited} x 429",
            ok as f64 / flood_secs,
            rss0 / 1024,
            rss1 / 1024,
            refused as f64 / wallets_secs,
            rss2 / 1024
        );
        assert!(grow(rss0, rss1) < 64, "RSS grew {} MiB in the /nonce flood", grow(rss0, rss1));
        assert!(grow(rss0, rss2) < 64, "RSS grew {} MiB in the wallet flood", grow(rss0, rss2));
    });
}

// ------------------------------------------------------------------ clock skew

/// Wait until `cond` holds (polling every 250 ms) or panic after `secs`.
async fn eventually<F, Fut>(secs: u64, what: &str, mut cond: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if cond().await {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(secs),
            "not within {secs}s: {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[test]
fn skewed_clock_records_are_refused_then_converge() {
    let d = Devnet::up(2);
    let rt = rt();
    let log_a = d.node(0).log.clone();
    let rejections = || {
        std::fs::read_to_string(&log_a)
            .unwrap_or_default()
            .matches("inbound records rejected")
            .count()
    };
    // A pulls a snapshot from B every 2 s (anti-entropy), so convergence
    // does not wait for the 60 s default.
    d.signal_node(0, libc::SIGTERM);
    d.restart_node(0, &[("NOVAKMS_ANTI_ENTROPY_INTERVAL_SECONDS", "2")]);
    // B runs 30 s ahead: beyond max_clock_skew_ms (15 s), inside the PoP window (120 s).
    d.signal_node(1, libc::SIGTERM);
    d.restart_node(1, &[("NOVAKMS_CLOCK_OFFSET_MS", "30000")]);
    let app = d.identity(&d.info.apps[0].keystore);
    let on_a = d.client_for(app.clone(), 0);
    let on_b = d.client_for(app.clone(), 1);
    let http = reqwest::Client::new();
    let rej0 = rejections();
    // 1. B (+30 s) writes; A refuses the record by push and by anti-entropy
    //    while it is more than 15 s in A's future.
    let (ts_b, refused_for) = rt.block_on(async {
        let started = Instant::now();
        let ts_b = on_b.put("ahead", b"from-the-future", 0).await.unwrap();
        let skew = ts_b as i64 - now_ms() as i64;
        assert!(skew > 25_000, "B's record is only {skew} ms ahead");
        eventually(10, "A logs the rejection", || async { rejections() > rej0 }).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            on_a.get("ahead").await.unwrap(),
            None,
            "A accepted a record {skew} ms in the future"
        );
        assert!(
            now_ms() + 15_000 < ts_b,
            "test too slow: the record is no longer beyond the bound"
        );
        (ts_b, started.elapsed())
    });
    // 2. B's clock corrected: new writes replicate at once, the skewed record
    //    once it is no longer beyond the bound (anti-entropy pull by A).
    d.signal_node(1, libc::SIGTERM);
    d.restart_node(1, &[]);
    let (t_new, t_old) = rt.block_on(async {
        on_b.put("after-fix", b"now", 0).await.unwrap();
        let t_new = eventually(20, "after-fix reaches A", || async {
            on_a.get("after-fix").await.unwrap().is_some()
        })
        .await;
        let t_old = eventually(60, "the skewed record reaches A", || async {
            on_a.get("ahead").await.unwrap().is_some()
        })
        .await;
        let (v, ts) = on_a.get("ahead").await.unwrap().unwrap();
        assert_eq!((v.as_slice(), ts), (&b"from-the-future"[..], ts_b));
        (t_new, t_old)
    });
    // 3. B 200 s behind: beyond the PoP window (120 s), A refuses B's /sync
    //    (403 Stale timestamp); B keeps the record queued; corrected, it arrives.
    d.signal_node(1, libc::SIGTERM);
    d.restart_node(1, &[("NOVAKMS_CLOCK_OFFSET_MS", "-200000")]);
    let t_b = Target {
        base: d.node(1).url.clone(),
        wallet: d.node(1).wallet.clone(),
        tee: d.identity(&d.node(1).keystore).tee_pubkey_der(),
    };
    let a_wallet = d.node(0).wallet.clone();
    rt.block_on(async {
        let n = nonce(&http, &t_b.base).await;
        let mut r = app_valid(
            &t_b,
            &app,
            AppRoute::Put,
            &n,
            &json!({"key": "behind", "value": b64(b"past")}),
        );
        r.headers = app_headers(&app, &t_b.wallet, &n, &n, now_s() - 200);
        let got = send(&http, &t_b.base, &r).await;
        assert_eq!(got.0, 200, "{got:?}");
        let b_nodes = format!("{}/nodes", t_b.base);
        eventually(20, "B records a refused push to A", || {
            let (http, b_nodes, a_wallet) = (http.clone(), b_nodes.clone(), a_wallet.clone());
            async move {
                let v = get_json(&http, &b_nodes).await;
                v["operators"].as_array().unwrap().iter().any(|o| {
                    o["operator"] == a_wallet
                        && o["replication"]["last_error"]
                            .as_str()
                            .is_some_and(|e| e.contains("Stale timestamp"))
                })
            }
        })
        .await;
        assert_eq!(on_a.get("behind").await.unwrap(), None);
    });
    d.signal_node(1, libc::SIGTERM);
    d.restart_node(1, &[]);
    let t_behind = rt.block_on(async {
        eventually(30, "the record written behind reaches A", || async {
            on_a.get("behind").await.unwrap().is_some()
        })
        .await
    });
    println!(
        "clock skew: +30s record refused by A for {:.1}s ({} rejection log lines); after the fix a new write converged in {:.1}s, the skewed record in {:.1}s; -200s node refused at PoP, converged {:.1}s after the fix",
        refused_for.as_secs_f64(),
        rejections() - rej0,
        t_new.as_secs_f64(),
        t_old.as_secs_f64(),
        t_behind.as_secs_f64()
    );
}
