//! Peer routes: `POST /sync` (protocol.md §1.9, §2.4, §6) and `GET /nodes`
//! (§8.2).
//!
//! `/sync` processing order (§1.9 with our hardening):
//!
//! 1. framework JSON extraction (body limit = the router's `DefaultBodyLimit`);
//! 2. no master secret loaded → 503 `master secret not initialized`;
//! 3. KMS-peer PoP (§2.4) → 403 `unauthorized`; the nonce is peeked, the
//!    signer recovered, and the nonce consumed only once the signer is a
//!    valid cached peer (a bystander cannot burn nonces);
//! 4. PeerCache membership: present and not blacklisted, instance ACTIVE,
//!    zkVerified, `app_id == kms_app_id`, non-empty teePubkey → 403 `forbidden`;
//! 5. envelope required (400), `sender_tee_pubkey` == cached teePubkey (403),
//!    decryption (400 `Envelope decryption failed`; upstream: 500);
//! 6. payload must be a JSON object (400 `Invalid sync payload`);
//! 7. `sender_wallet`, if present, canonical and equal to the PoP signer (403);
//! 8. unless `type == master_secret_request`, `x-sync-signature` verified
//!    with the local sync key over the canonical outer body (403);
//! 9. dispatch: `delta`, `snapshot_request`, `master_secret_request`
//!    (only when the local secret is verified against the chain, else 503),
//!    otherwise 400 `Unknown sync type: <type>`;
//! 10. `X-KMS-Peer-Signature` and the result sealed to the peer's key.
//!
//! Refusals never change state (except consuming the PoP nonce from step 4
//! on, as upstream) and bad input never yields a 5xx.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use crate::api::app::{verify_pop, PopKind};
use crate::api::error::ApiError;
use crate::chain::types::INSTANCE_ACTIVE;
use crate::crypto::canonical::canonical_json;
use crate::crypto::envelope::Envelope;
use crate::crypto::keys::{decode_hex_strict, normalize_hex, parse_p384_public, spki_der};
use crate::crypto::mac::verify_sync_hmac;
use crate::crypto::pop;
use crate::crypto::sealed::seal_master_secret;
use crate::node::ingest;
use crate::node::nonce::NonceCheck;
use crate::node::peers::PeerInfo;
use crate::node::state::NodeState;

/// Sync request types (§6.7).
pub mod sync_type {
    /// Push of records.
    pub const DELTA: &str = "delta";
    /// Full snapshot pull.
    pub const SNAPSHOT_REQUEST: &str = "snapshot_request";
    /// Sealed master-secret exchange (no HMAC required).
    pub const MASTER_SECRET_REQUEST: &str = "master_secret_request";
}

/// An authenticated, authorized KMS peer.
pub struct PeerCaller {
    /// Canonical wallet recovered from the PoP signature.
    pub wallet: String,
    /// The peer as cached (its teePubkey receives the response).
    pub peer: PeerInfo,
    /// `x-kms-signature` exactly as received, for the response signature.
    pub signature: String,
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Step 4: the recovered wallet must be a usable KMS member (§6.1).
fn authorize_peer(st: &NodeState, wallet: &str, now_ms: u64) -> Result<PeerInfo, ApiError> {
    let peer = st
        .peer_cache
        .get(wallet, now_ms)
        .ok_or_else(|| ApiError::forbidden(format!("Peer {wallet} not found in PeerCache")))?;
    let inst = &peer.instance;
    if inst.status != INSTANCE_ACTIVE {
        return Err(ApiError::forbidden(format!("Peer {wallet} is not ACTIVE")));
    }
    if !inst.zk_verified {
        return Err(ApiError::forbidden(format!(
            "Peer {wallet} is not zkVerified"
        )));
    }
    if inst.app_id != st.settings.kms_app_id {
        return Err(ApiError::forbidden("Peer app_id mismatch"));
    }
    if peer.tee_pubkey.is_empty() {
        return Err(ApiError::forbidden(format!(
            "Peer {wallet} has no teePubkey registered"
        )));
    }
    Ok(peer)
}

/// KMS-peer PoP flavour (§2.4).
const PEER_POP: PopKind = PopKind {
    bad_timestamp: "Invalid x-kms-timestamp",
    wallet_header: "x-kms-wallet",
    wallet_mismatch: "KMS wallet header does not match signature",
    message: pop::peer_auth_message,
};

/// KMS-peer PoP (§2.4) + PeerCache authorization (§6.1), steps 3–4.
///
/// Message `NovaKMS:Auth:<nonce>:<own wallet>:<ts>`; `|now − ts| ≤
/// pop_timeout_seconds` both ways; the nonce is consumed only after the
/// signer was found to be a valid member.
pub fn authenticate_peer(st: &NodeState, h: &HeaderMap) -> Result<PeerCaller, ApiError> {
    let sig = header(h, "x-kms-signature")
        .ok_or_else(|| ApiError::unauthorized("Missing x-kms-signature"))?;
    let ts = header(h, "x-kms-timestamp")
        .ok_or_else(|| ApiError::unauthorized("Missing x-kms-timestamp"))?;
    let nonce =
        header(h, "x-kms-nonce").ok_or_else(|| ApiError::unauthorized("Missing x-kms-nonce"))?;
    let (wallet, now) = verify_pop(st, h, &PEER_POP, sig, nonce, ts)?;
    let peer = authorize_peer(st, &wallet, st.clock.now_ms())?;
    if st.nonces.consume(nonce, now) != NonceCheck::Valid {
        return Err(ApiError::unauthorized("Invalid or expired nonce"));
    }
    Ok(PeerCaller {
        wallet,
        peer,
        signature: sig.to_string(),
    })
}

/// Steps 5–6: envelope from the cached peer key, decrypted to a JSON object.
fn open_payload(st: &NodeState, caller: &PeerCaller, body: &Value) -> Result<Value, ApiError> {
    let env = Envelope::from_json(body).ok_or_else(|| {
        ApiError::bad_request("Request must be E2E encrypted. Plaintext fallback is disabled.")
    })?;
    if normalize_hex(&env.sender_tee_pubkey) != hex::encode(&caller.peer.tee_pubkey) {
        return Err(ApiError::forbidden(
            "sender_tee_pubkey does not match on-chain registration",
        ));
    }
    let plain = Zeroizing::new(
        st.cipher
            .open(&env)
            .map_err(|_| ApiError::bad_request("Envelope decryption failed"))?,
    );
    match serde_json::from_slice::<Value>(&plain) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(ApiError::bad_request("Invalid sync payload")),
    }
}

/// Step 10: sign (§2.5) and seal the result to the peer's cached teePubkey.
fn respond(st: &NodeState, caller: &PeerCaller, result: &Value) -> Result<Response, ApiError> {
    let plain = Zeroizing::new(canonical_json(result));
    let env = st
        .cipher
        .seal(&caller.peer.tee_pubkey, plain.as_bytes())
        .map_err(|_| ApiError::bad_request("cannot encrypt response to the peer's teePubkey"))?;
    let mut resp = Json(env.to_json()).into_response();
    let signed = st
        .identity
        .sign(&pop::response_message(&caller.signature, &st.wallet));
    if let Ok(v) = HeaderValue::from_str(&signed) {
        resp.headers_mut().insert("x-kms-peer-signature", v);
    }
    Ok(resp)
}

/// `POST /sync` (protocol.md §1.9, §6): see the module docs for the order
/// of checks. Success bodies (sealed, canonical JSON):
///
/// * `delta` → `{"status":"ok","total","merged","skipped","rejected","skip_reasons"}`;
/// * `snapshot_request` → `{"status":"ok","data":{"<app_id>":[<record>…]}}`
///   (every namespace, tombstones included);
/// * `master_secret_request` → `{"status":"ok","sealed":{"encrypted_data","ephemeral_pubkey","nonce"}}`.
///
/// Errors (JSON `{code,message}`): 503 `master secret not initialized` /
/// `master secret not verified`; 403 `unauthorized` (PoP, HMAC) or
/// `forbidden` (membership, key, wallet); 400 `bad_request` (envelope,
/// payload, type, `ecdh_pubkey`); 500 only for storage failures.
pub async fn sync(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    // 2. Secret loaded?
    if st.with_secret(|_| ()).is_none() {
        return Err(ApiError::unavailable("master secret not initialized"));
    }
    // 3–4.
    let caller = authenticate_peer(&st, &h)?;
    // 5–6.
    let payload = open_payload(&st, &caller, &body)?;
    // 7.
    if let Some(sw) = payload.get("sender_wallet") {
        let sw = sw
            .as_str()
            .and_then(|s| pop::canonical_wallet(s).ok())
            .ok_or_else(|| ApiError::forbidden("Invalid wallet address"))?;
        if sw != caller.wallet {
            return Err(ApiError::forbidden(
                "sender_wallet does not match PoP signature",
            ));
        }
    }
    // 8.
    let kind = payload
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if kind != sync_type::MASTER_SECRET_REQUEST {
        let mac = header(&h, "x-sync-signature")
            .ok_or_else(|| ApiError::unauthorized("Missing HMAC signature"))?;
        let key = st
            .with_secret(|s| Zeroizing::new(s.sync_key()))
            .ok_or_else(|| ApiError::unavailable("master secret not initialized"))?;
        if !verify_sync_hmac(&key, &body, mac) {
            return Err(ApiError::unauthorized("Invalid HMAC signature"));
        }
    }
    // 9.
    let result = match kind.as_str() {
        sync_type::DELTA => handle_delta(&st, &caller, &payload).await?,
        sync_type::SNAPSHOT_REQUEST => handle_snapshot(&st).await?,
        sync_type::MASTER_SECRET_REQUEST => handle_master_secret(&st, &caller, &payload)?,
        other => {
            return Err(ApiError::bad_request(format!(
                "Unknown sync type: {}",
                other.chars().take(64).collect::<String>()
            )))
        }
    };
    // 10.
    respond(&st, &caller, &result)
}

async fn handle_delta(
    st: &Arc<NodeState>,
    caller: &PeerCaller,
    payload: &Value,
) -> Result<Value, ApiError> {
    let records = ingest::parse_data(payload.get("data").unwrap_or(&Value::Null));
    let st2 = st.clone();
    let origin = caller.wallet.clone();
    let report = tokio::task::spawn_blocking(move || ingest::ingest(&st2, records, Some(&origin)))
        .await
        .map_err(|e| ApiError::internal(format!("merge task failed: {e}")))?
        .map_err(|e| match e.kind() {
            crate::ErrorKind::NotReady => ApiError::unavailable(e.message()),
            _ => {
                tracing::error!(peer = %caller.wallet, error = %e, "merging a delta failed");
                ApiError::storage(&e)
            }
        })?;
    tracing::debug!(
        peer = %caller.wallet,
        total = report.total,
        merged = report.merged,
        skipped = report.skipped,
        rejected = report.rejected,
        "delta received"
    );
    let mut v = serde_json::to_value(&report)
        .map_err(|e| ApiError::internal(format!("cannot encode report: {e}")))?;
    if let Value::Object(m) = &mut v {
        m.insert("status".into(), Value::from("ok"));
    }
    Ok(v)
}

async fn handle_snapshot(st: &Arc<NodeState>) -> Result<Value, ApiError> {
    let st2 = st.clone();
    let snap = tokio::task::spawn_blocking(move || st2.storage.snapshot(st2.clock.now_ms()))
        .await
        .map_err(|e| ApiError::internal(format!("snapshot task failed: {e}")))?
        .map_err(|e| ApiError::storage(&e))?;
    let mut data = Map::new();
    for (app, recs) in snap {
        data.insert(
            app.to_string(),
            Value::Array(recs.iter().map(|r| r.to_wire()).collect()),
        );
    }
    Ok(json!({"status": "ok", "data": Value::Object(data)}))
}

fn handle_master_secret(
    st: &NodeState,
    caller: &PeerCaller,
    payload: &Value,
) -> Result<Value, ApiError> {
    let pk_hex = match payload.get("ecdh_pubkey") {
        Some(Value::String(s)) => s,
        _ => {
            return Err(ApiError::bad_request(
                "Sealed ECDH pubkey required for master secret exchange",
            ))
        }
    };
    let pk =
        decode_hex_strict(pk_hex).map_err(|_| ApiError::bad_request("Invalid ecdh_pubkey hex"))?;
    let pk = parse_p384_public(&pk)
        .map_err(|_| ApiError::bad_request("Invalid peer ECDH public key"))?;
    let pk = spki_der(&pk);
    let g = st.master.read().unwrap_or_else(|p| p.into_inner());
    let loaded = g
        .as_ref()
        .ok_or_else(|| ApiError::unavailable("master secret not initialized"))?;
    if !loaded.verified {
        return Err(ApiError::unavailable("master secret not verified"));
    }
    let sealed = seal_master_secret(&pk, loaded.secret.as_bytes())
        .map_err(|_| ApiError::bad_request("Invalid peer ECDH public key"))?;
    drop(g);
    tracing::info!(peer = %caller.wallet, "served the master secret by sealed exchange");
    let sealed = serde_json::to_value(&sealed)
        .map_err(|e| ApiError::internal(format!("cannot encode sealed secret: {e}")))?;
    Ok(json!({"status": "ok", "sealed": sealed}))
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
    let repl = st
        .replication
        .peers
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
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
mod tests {
    use std::collections::BTreeMap;
    use std::net::SocketAddr;

    use super::*;
    use crate::chain::types::InstanceInfo;
    use crate::client::peer::{PeerClient, PeerError};
    use crate::crypto::master::MasterSecret;
    use crate::crypto::value::encrypt_value;
    use crate::identity::Identity;
    use crate::node::ingest::tests::test_state;
    use crate::store::{Record, VectorClock};

    fn member(id: &Identity, url: &str, status: u8, zk: bool, app_id: u64) -> PeerInfo {
        PeerInfo::from_instance(InstanceInfo {
            id: 1,
            app_id,
            version_id: 1,
            operator: id.address(),
            instance_url: url.into(),
            tee_pubkey: id.tee_pubkey_der(),
            tee_wallet: id.address(),
            zk_verified: zk,
            status,
            registered_at: 0,
        })
    }

    /// Serve the real router for `st` on 127.0.0.1; returns the node as a peer.
    async fn serve(st: Arc<NodeState>) -> PeerInfo {
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
        let node_id = st.identity.clone();
        member(&node_id, &format!("http://{addr}"), 0, true, 49)
    }

    fn client(id: &Identity) -> PeerClient {
        PeerClient::new(
            id.clone(),
            crate::crypto::envelope::DEFAULT_INFO_LABEL,
            std::time::Duration::from_secs(10),
            crate::clock::Clock::system(),
        )
        .unwrap()
    }

    fn refused(e: PeerError) -> (u16, String) {
        match e {
            PeerError::Refused { status, message } => (status, message),
            other => panic!("expected a refusal, got {other}"),
        }
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
        let e = authorize_peer(&st, &no_key_wallet, 0).unwrap_err();
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
        let nodes: Value = reqwest::get(format!("{}/nodes", node.url))
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
