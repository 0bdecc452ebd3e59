//! Peer routes: `POST /sync` (protocol.md §1.9, §2.4, §6) and `GET /nodes` (§8.2). The
//! `/sync` handler authenticates the caller from its headers (`node::peer_ops::admit`)
//! before it reads a byte of the body (issue 10), then reads and parses the body, calls the
//! operations core (`node::peer_ops::handle`, which documents the order of checks) and
//! encodes the sealed reply.
//!
//! Guarantees (tests below and `tests/adversarial/connections.rs`):
//! * an unauthenticated or unauthorized caller's body is never read: the 403 (or 503 without
//!   a master secret) is answered from the headers, so it costs no body buffer;
//! * at most `sync_max_concurrent_body_reads` bodies are read and parsed at once
//!   ([`SyncBodyGate`]); authenticated requests over it wait;
//! * every answer an authenticated peer got before stays the same, texts included: wrong
//!   `Content-Type` 415 (checked first, from the headers), body over `max_sync_body_bytes`
//!   413, JSON syntax 400, with the framework's texts (the extractor is the same).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use crate::api::app::{encode, pop_headers};
use crate::chain::types::INSTANCE_ACTIVE;
use crate::node::peer_ops;
use crate::node::state::NodeState;
use crate::wire::headers::{PopFlavour, KMS_PEER_SIGNATURE, SYNC_SIGNATURE};

/// The cap on `/sync` bodies read at once (`sync_max_concurrent_body_reads`, issue 10), a
/// router extension of the `/sync` route.
#[derive(Clone)]
pub struct SyncBodyGate(Arc<Semaphore>);

impl SyncBodyGate {
    /// A gate letting `n` (at least 1) body reads run at once.
    pub fn new(n: usize) -> SyncBodyGate {
        SyncBodyGate(Arc::new(Semaphore::new(n.max(1))))
    }
}

/// `POST /sync` (protocol.md §1.9, §6): headers first (415 content type, then
/// `node::peer_ops::admit`), then the body, then `node::peer_ops::handle`; see
/// `node::peer_ops` for the checks, replies and refusals.
pub async fn sync(
    State(st): State<Arc<NodeState>>,
    Extension(gate): Extension<SyncBodyGate>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    if let Some(rejection) = content_type_rejection(&parts.headers).await {
        return rejection;
    }
    let caller = match peer_ops::admit(&st, &pop_headers(&parts.headers, PopFlavour::Peer)) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let hmac = parts
        .headers
        .get(SYNC_SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (raw, body) = {
        // The semaphore is never closed, so acquiring cannot fail.
        let _permit = gate.0.acquire().await;
        // What `Json::from_request` does after its content-type check (done above), keeping
        // the bytes for the HMAC: the same rejections and texts.
        let raw = match Bytes::from_request(Request::from_parts(parts, body), &()).await {
            Ok(b) => b,
            Err(rejection) => return rejection.into_response(),
        };
        match Json::<Value>::from_bytes(&raw) {
            Ok(Json(v)) => (raw, v),
            Err(rejection) => return rejection.into_response(),
        }
    };
    match peer_ops::handle(&st, &caller, hmac.as_deref(), raw, &body).await {
        Ok(reply) => encode(reply, KMS_PEER_SIGNATURE),
        Err(e) => e.into_response(),
    }
}

/// The framework's 415 (`Expected request with \`Content-Type: application/json\``) when
/// the headers name no JSON content type, decided by the same extractor on an empty body so
/// the rule and text stay the framework's (protocol.md §1.1); `None` otherwise.
async fn content_type_rejection(h: &HeaderMap) -> Option<Response> {
    let mut probe = Request::new(Body::empty());
    if let Some(ct) = h.get(CONTENT_TYPE) {
        probe.headers_mut().insert(CONTENT_TYPE, ct.clone());
    }
    match Json::<Value>::from_request(probe, &()).await {
        Err(r @ axum::extract::rejection::JsonRejection::MissingJsonContentType(_)) => {
            Some(r.into_response())
        }
        _ => None,
    }
}

/// `GET /nodes` (protocol.md §8.2): the PeerCache (self and blacklisted
/// members included) with each member's instance, connection (last
/// `/status` probe) and our outbound replication progress to it:
///
/// ```json
/// {"count": 2, "operators": [
///   {"operator": "<tee wallet>",
///    "instance": {"instance_id","app_id","version_id","operator","instance_url",
///                 "tee_wallet","zk_verified","instance_status":{"value","name"},"registered_at"},
///    "connection": {"in_peer_cache": true, "cached_status": "ACTIVE", "blacklisted": false,
///                   "status_endpoint_reachable", "status_endpoint_http_code",
///                   "status_probe_ms", "status_checked_at_ms"},
///    "is_self": false,
///    "replication": {"acked_seq","lag_records","last_success_ms","last_error"} | null}]}
/// ```
///
/// Keys are alphabetical on the wire; probe fields are `null` before the
/// first probe; `replication` is `null` for self and for peers not yet
/// replicated to. `blacklisted`, `is_self` and `replication` are ours.
pub async fn nodes(State(st): State<Arc<NodeState>>) -> Json<Value> {
    let now = st.clock.now_ms();
    let repl = st.replication.snapshot();
    let operators: Vec<Value> = st
        .peer_cache
        .all()
        .into_iter()
        .map(|p| {
            let i = &p.instance;
            let status_name = if i.status == INSTANCE_ACTIVE {
                "ACTIVE"
            } else {
                "NON_ACTIVE"
            };
            let probe = p.probe.as_ref();
            json!({
                "operator": p.wallet,
                "instance": {
                    "instance_id": i.id,
                    "app_id": i.app_id,
                    "version_id": i.version_id,
                    "operator": i.operator,
                    "instance_url": i.instance_url,
                    "tee_wallet": i.tee_wallet,
                    "zk_verified": i.zk_verified,
                    "instance_status": {"value": i.status, "name": status_name},
                    "registered_at": i.registered_at,
                },
                "connection": {
                    "in_peer_cache": true,
                    "cached_status": status_name,
                    "blacklisted": st.peer_cache.is_blacklisted(&p.wallet, now),
                    "status_endpoint_reachable": probe.map(|r| r.reachable),
                    "status_endpoint_http_code": probe.and_then(|r| r.http_code),
                    "status_probe_ms": probe.map(|r| r.probe_ms),
                    "status_checked_at_ms": probe.map(|r| r.checked_at_ms),
                },
                "is_self": p.wallet == st.wallet,
                "replication": repl
                    .get(&p.wallet)
                    .and_then(|r| serde_json::to_value(r).ok())
                    .unwrap_or(Value::Null),
            })
        })
        .collect();
    Json(json!({"count": operators.len(), "operators": operators}))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;
    use std::net::SocketAddr;

    use super::*;
    use crate::client::peer::{PeerClient, PeerError};
    use crate::crypto::master::MasterSecret;
    use crate::crypto::value::encrypt_value;
    use crate::identity::Identity;
    use crate::node::ingest::tests::test_state;
    use crate::node::peers::PeerInfo;
    use crate::store::{Record, VectorClock};

    pub(crate) fn member(id: &Identity, url: &str, status: u8, zk: bool, app_id: u64) -> PeerInfo {
        PeerInfo::for_test(&id.address(), id.tee_pubkey_der(), url, status, zk, app_id)
    }

    /// Serve the real router for `st` on 127.0.0.1; returns the node as an ACTIVE, zkVerified
    /// peer of KMS app 49. Also used by `api::cluster_check_tests`.
    pub(crate) async fn serve(st: Arc<NodeState>) -> PeerInfo {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = crate::api::router(st.clone());
        tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        });
        let node_id = st.identity.local().expect("keystore identity").clone();
        member(&node_id, &format!("http://{addr}"), 0, true, 49)
    }

    pub(crate) fn client(id: &Identity) -> PeerClient {
        PeerClient::new(
            id.clone(),
            crate::crypto::envelope::DEFAULT_INFO_LABEL,
            std::time::Duration::from_secs(10),
            crate::clock::Clock::system(),
        )
        .unwrap()
    }

    pub(crate) fn refused(e: PeerError) -> (u16, String) {
        match e {
            PeerError::Refused { status, message } => (status, message),
            other => panic!("expected a refusal, got {other}"),
        }
    }

    /// `(status, body text)` of a `/sync` POST with `headers`, `content_type` and `body`.
    async fn raw_sync(
        node: &PeerInfo,
        headers: &[(String, String)],
        content_type: &str,
        body: &str,
    ) -> (u16, String) {
        let mut b = crate::tls::client::builder()
            .build()
            .unwrap()
            .post(format!("{}/sync", node.url))
            .header("content-type", content_type)
            .body(body.to_string());
        for (k, v) in headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let r = b.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Peer PoP headers by `id` for the node `st` over a fresh nonce of the node.
    async fn pop_by(st: &NodeState, node: &PeerInfo, id: &Identity) -> Vec<(String, String)> {
        let v: Value = crate::tls::client::builder()
            .build()
            .unwrap()
            .get(format!("{}/nonce", node.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let nonce = v["nonce"].as_str().unwrap().to_string();
        let ts = st.clock.now_secs();
        let sig = id.sign(&crate::crypto::pop::peer_auth_message(
            &nonce, &st.wallet, ts,
        ));
        vec![
            ("x-kms-signature".into(), sig),
            ("x-kms-nonce".into(), nonce),
            ("x-kms-timestamp".into(), ts.to_string()),
        ]
    }

    // Issue 10: the headers are judged before the body is read; an admitted peer's bad body
    // gets the framework's answer as before, and its nonce is consumed (it was authorized).
    #[tokio::test]
    async fn sync_judges_headers_before_the_body_and_keeps_the_framework_answers() {
        let st = test_state(Some([7u8; 32]));
        let node = serve(st.clone()).await;
        let me = Identity::generate();
        st.peer_cache
            .replace(vec![member(&me, "http://127.0.0.1:9", 0, true, 49)], 0);
        // Unauthenticated, body not even JSON: the 403 of the missing PoP (the body unread).
        let (s, t) = raw_sync(&node, &[], "application/json", "{not json").await;
        assert_eq!(s, 403, "{t}");
        assert!(t.contains("Missing x-kms-signature"), "{t}");
        // A stranger's valid-looking PoP: refused from the headers, nonce left unconsumed.
        let stranger = pop_by(&st, &node, &Identity::generate()).await;
        let (s, t) = raw_sync(&node, &stranger, "application/json", "{not json").await;
        assert_eq!(s, 403, "{t}");
        assert!(t.contains("not found in PeerCache"), "{t}");
        // Wrong content type, member PoP: 415 with the framework's text, nonce not consumed.
        let h = pop_by(&st, &node, &me).await;
        let (s, t) = raw_sync(&node, &h, "text/plain", "{}").await;
        assert_eq!(
            (s, t.as_str()),
            (
                415,
                "Expected request with `Content-Type: application/json`"
            )
        );
        // Same nonce, admitted, body not JSON: the framework's 400 text.
        let (s, t) = raw_sync(&node, &h, "application/json", "{not json").await;
        assert_eq!(s, 400, "{t}");
        assert!(
            t.starts_with("Failed to parse the request body as JSON"),
            "{t}"
        );
        // The admitted request consumed the nonce.
        let (s, t) = raw_sync(&node, &h, "application/json", "{}").await;
        assert_eq!(s, 403, "{t}");
        assert!(t.contains("Invalid or expired nonce"), "{t}");
        // Admitted, JSON but not an envelope: the operations core's 400, as before.
        let h = pop_by(&st, &node, &me).await;
        let (s, t) = raw_sync(&node, &h, "application/json", "[1]").await;
        assert_eq!(s, 400, "{t}");
    }

    #[tokio::test]
    async fn master_secret_is_served_only_when_verified() {
        let secret = [5u8; 32];
        let st = test_state(Some(secret));
        let node = serve(st.clone()).await;
        let me = Identity::generate();
        st.peer_cache
            .replace(vec![member(&me, "http://127.0.0.1:9", 0, true, 49)], 0);
        let pc = client(&me);
        st.master.write().unwrap().as_mut().unwrap().verified = false;
        let (s, m) = refused(pc.master_secret(&node, None).await.unwrap_err());
        assert_eq!((s, m.as_str()), (503, "master secret not verified"));
        st.master.write().unwrap().as_mut().unwrap().verified = true;
        assert_eq!(pc.master_secret(&node, None).await.unwrap(), secret);
        // No secret at all: 503 before authentication.
        *st.master.write().unwrap() = None;
        let (s, m) = refused(pc.master_secret(&node, None).await.unwrap_err());
        assert_eq!((s, m.as_str()), (503, "master secret not initialized"));
    }

    #[tokio::test]
    async fn membership_rules_and_delta_round_trip() {
        let secret = [6u8; 32];
        let ms = MasterSecret::from_bytes(secret);
        let key = ms.sync_key();
        let st = test_state(Some(secret));
        let node = serve(st.clone()).await;
        let ok = Identity::generate();
        let stopped = Identity::generate();
        let unverified = Identity::generate();
        let other_app = Identity::generate();
        let mut no_key = member(&Identity::generate(), "http://127.0.0.1:9", 0, true, 49);
        no_key.tee_pubkey.clear();
        let no_key_wallet = no_key.wallet.clone();
        st.peer_cache.replace(
            vec![
                member(&ok, "http://127.0.0.1:9", 0, true, 49),
                member(&stopped, "http://127.0.0.1:9", 1, true, 49),
                member(&unverified, "http://127.0.0.1:9", 0, false, 49),
                member(&other_app, "http://127.0.0.1:9", 0, true, 50),
                no_key,
            ],
            0,
        );
        let dk = ms.data_key(7);
        let rec = Record {
            key: "k".into(),
            value: encrypt_value(&dk, b"v"),
            version: VectorClock::from([("0xaa", 1)]),
            updated_at_ms: st.clock.now_ms(),
            tombstone: false,
            ttl_ms: 0,
        };
        let data = BTreeMap::from([(7u64, vec![rec.clone()])]);
        for (id, msg) in [
            (&stopped, "is not ACTIVE"),
            (&unverified, "is not zkVerified"),
            (&other_app, "Peer app_id mismatch"),
        ] {
            let (s, m) = refused(client(id).delta(&node, &key, &data).await.unwrap_err());
            assert_eq!(s, 403);
            assert!(m.contains(msg), "{m}");
        }
        // A member without a teePubkey (the client refuses to send from one,
        // so the server check is exercised directly).
        let e = crate::node::auth::authorize_peer(&st, &no_key_wallet, 0).unwrap_err();
        assert!(e.message.contains("no teePubkey"), "{}", e.message);
        assert!(st.storage.get(7, "k").unwrap().is_none());
        // Blacklisted member: not found.
        let banned = Identity::generate();
        st.peer_cache.replace(
            vec![
                member(&ok, "http://127.0.0.1:9", 0, true, 49),
                member(&banned, "http://127.0.0.1:9", 0, true, 49),
            ],
            0,
        );
        st.peer_cache.blacklist(&banned.address(), u64::MAX);
        let (s, m) = refused(client(&banned).delta(&node, &key, &data).await.unwrap_err());
        assert_eq!(s, 403);
        assert!(m.contains("not found in PeerCache"), "{m}");
        // Valid member: merged, with the origin recorded by storage.
        let r = client(&ok).delta(&node, &key, &data).await.unwrap();
        assert_eq!((r.total, r.merged), (1, 1));
        assert_eq!(st.storage.get(7, "k").unwrap().unwrap(), rec);
        let snap = client(&ok).snapshot(&node, &key).await.unwrap();
        assert_eq!(snap["7"][0], rec.to_wire());
        // /nodes lists the member with null probe fields and no replication yet.
        let nodes: Value = crate::tls::client::builder()
            .build()
            .unwrap()
            .get(format!("{}/nodes", node.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(nodes["count"], 2);
        let o = nodes["operators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operator"] == ok.address())
            .unwrap();
        assert_eq!(o["operator"], ok.address());
        assert_eq!(o["connection"]["status_endpoint_reachable"], Value::Null);
        assert_eq!(o["connection"]["blacklisted"], false);
        assert_eq!(o["replication"], Value::Null);
        assert_eq!(o["is_self"], false);
    }
}
