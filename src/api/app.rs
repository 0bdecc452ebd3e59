//! App routes `/kms/derive` and `/kms/data` (protocol.md §1.3–§1.7): readiness
//! gate, app PoP (§2.3) with registry authorization (§2.7), envelope checks
//! (§3), the operation, then a signed (§2.5), encrypted response.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde_json::{json, Value};

use crate::api::error::ApiError;
use crate::chain::auth::AuthError;
use crate::chain::types::InstanceInfo;
use crate::crypto::canonical::canonical_json;
use crate::crypto::envelope::Envelope;
use crate::crypto::keys::normalize_hex;
use crate::crypto::{pop, value};
use crate::node::nonce::NonceCheck;
use crate::node::state::NodeState;
use crate::storage::{LocalOutcome, LocalWrite, WriteError};

/// Paths `/kms/derive` refuses because the node uses them internally
/// (security-checklist.md "Authorization and isolation"; upstream hands the
/// app its own storage key for `data_key`, protocol.md §11.12).
pub const RESERVED_DERIVE_PATHS: &[&str] = &["data_key", "sync_hmac_key"];

/// An authenticated, authorized app caller.
pub struct AppCaller {
    /// Namespace = the instance's registry `appId` (never from the request).
    pub app_id: u64,
    /// Canonical wallet recovered from the PoP signature.
    pub wallet: String,
    /// The caller's on-chain instance (its `teePubkey` receives the response).
    pub instance: InstanceInfo,
    /// `x-app-signature` exactly as received, for the response signature;
    /// `None` with the dev `x-tee-wallet` shortcut.
    pub signature: Option<String>,
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Readiness gate of every `/kms/*` route (§1.3 step 2).
pub fn require_ready(st: &NodeState) -> Result<(), ApiError> {
    let r = st.readiness();
    if r.ready && !st.is_shutting_down() {
        Ok(())
    } else if r.reason.is_empty() {
        Err(ApiError::unavailable("Service unavailable"))
    } else {
        Err(ApiError::unavailable(r.reason))
    }
}

/// Header names and messages of one PoP flavour (app §2.3 or KMS peer §2.4).
pub(crate) struct PopKind {
    /// Invalid timestamp message, e.g. `Invalid x-app-timestamp`.
    pub bad_timestamp: &'static str,
    /// Optional claimed-wallet header, e.g. `x-app-wallet`.
    pub wallet_header: &'static str,
    /// Message when the claimed wallet differs from the signer.
    pub wallet_mismatch: &'static str,
    /// Signed message builder: (nonce, recipient wallet, timestamp).
    pub message: fn(&str, &str, u64) -> String,
}

/// App PoP flavour (§2.3).
pub(crate) const APP_POP: PopKind = PopKind {
    bad_timestamp: "Invalid x-app-timestamp",
    wallet_header: "x-app-wallet",
    wallet_mismatch: "App wallet header does not match signature",
    message: pop::app_auth_message,
};

/// The checks shared by app and peer PoP (§2.3, §2.4): timestamp within
/// ±`pop_timeout_seconds`, nonce well-formed and currently issued (peeked,
/// not consumed), signature recovers, optional wallet header matches.
/// Returns the canonical signer wallet and `now` (Unix seconds); the caller
/// authorizes the signer and then consumes the nonce.
pub(crate) fn verify_pop(
    st: &NodeState,
    h: &HeaderMap,
    kind: &PopKind,
    sig: &str,
    nonce: &str,
    ts: &str,
) -> Result<(String, u64), ApiError> {
    let ts_val: u64 = ts
        .parse()
        .map_err(|_| ApiError::unauthorized(kind.bad_timestamp))?;
    let now = st.clock.now_secs();
    if now.abs_diff(ts_val) > st.settings.pop_timeout_seconds {
        return Err(ApiError::unauthorized("Stale timestamp"));
    }
    if base64::engine::general_purpose::STANDARD
        .decode(nonce)
        .is_err()
    {
        return Err(ApiError::unauthorized("Invalid nonce encoding"));
    }
    if !st.nonces.peek(nonce, now) {
        return Err(ApiError::unauthorized("Invalid or expired nonce"));
    }
    let msg = (kind.message)(nonce, &st.wallet, ts_val);
    let wallet =
        pop::recover_signer(&msg, sig).map_err(|e| ApiError::unauthorized(e.to_string()))?;
    if let Some(claimed) = header(h, kind.wallet_header) {
        let claimed = pop::canonical_wallet(claimed)
            .map_err(|_| ApiError::forbidden("Invalid wallet address"))?;
        if claimed != wallet {
            return Err(ApiError::unauthorized(kind.wallet_mismatch));
        }
    }
    Ok((wallet, now))
}

/// App PoP (§2.3) + registry authorization (§2.7).
///
/// The nonce is checked for presence first (cheap), and consumed only after
/// the signature recovered to an authorized wallet, so a bystander cannot
/// burn other clients' nonces (security-checklist.md).
pub async fn authenticate_app(st: &NodeState, h: &HeaderMap) -> Result<AppCaller, ApiError> {
    let sig = header(h, "x-app-signature");
    let nonce = header(h, "x-app-nonce");
    let ts = header(h, "x-app-timestamp");
    let (Some(sig), Some(nonce), Some(ts)) = (sig, nonce, ts) else {
        if st.settings.allow_dev_wallet_header {
            if let Some(w) = header(h, "x-tee-wallet") {
                let wallet = pop::canonical_wallet(w)
                    .map_err(|_| ApiError::forbidden("Invalid wallet address"))?;
                let app = authorize(st, &wallet).await?;
                return Ok(AppCaller {
                    app_id: app.app_id,
                    wallet,
                    instance: app.instance,
                    signature: None,
                });
            }
        }
        return Err(ApiError::unauthorized("Missing PoP authentication headers"));
    };
    let (wallet, now) = verify_pop(st, h, &APP_POP, sig, nonce, ts)?;
    let app = authorize(st, &wallet).await?;
    if st.nonces.consume(nonce, now) != NonceCheck::Valid {
        return Err(ApiError::unauthorized("Invalid or expired nonce"));
    }
    Ok(AppCaller {
        app_id: app.app_id,
        wallet,
        instance: app.instance,
        signature: Some(sig.to_string()),
    })
}

async fn authorize(
    st: &NodeState,
    wallet: &str,
) -> Result<crate::chain::auth::AuthorizedApp, ApiError> {
    match st.auth.authorize(wallet).await {
        Ok(a) => Ok(a),
        Err(AuthError::Forbidden(m)) => Err(ApiError::forbidden(m)),
        Err(AuthError::Rpc(m)) => Err(ApiError::internal(m)),
    }
}

/// Envelope checks and decryption of a request body (§1.3 steps 4–6).
pub fn open_request(st: &NodeState, caller: &AppCaller, body: &Value) -> Result<Value, ApiError> {
    let env = Envelope::from_json(body).ok_or_else(|| {
        ApiError::bad_request("Request must be E2E encrypted. Plaintext fallback is disabled.")
    })?;
    let onchain = hex::encode(&caller.instance.tee_pubkey);
    if onchain.is_empty() {
        // An empty on-chain key is a refusal, not a skipped check.
        return Err(ApiError::forbidden(
            "caller has no teePubkey registered on chain",
        ));
    }
    if normalize_hex(&env.sender_tee_pubkey) != onchain {
        return Err(ApiError::forbidden(
            "sender_tee_pubkey does not match on-chain registration",
        ));
    }
    let plain = st
        .cipher
        .open(&env)
        .map_err(|_| ApiError::bad_request("Envelope decryption failed"))?;
    serde_json::from_slice::<Value>(&plain)
        .map_err(|e| ApiError::bad_request(format!("Invalid decrypted JSON: {e}")))
}

/// Build the success response: canonical JSON sealed to the caller's on-chain
/// teePubkey, plus `X-KMS-Response-Signature` (§2.5) when PoP was used.
pub fn respond(st: &NodeState, caller: &AppCaller, result: &Value) -> Result<Response, ApiError> {
    let plain = canonical_json(result);
    let env = st
        .cipher
        .seal(&caller.instance.tee_pubkey, plain.as_bytes())
        .map_err(|e| ApiError::bad_request(format!("cannot encrypt response: {e}")))?;
    let mut resp = Json(env.to_json()).into_response();
    if let Some(sig) = &caller.signature {
        let signed = st.identity.sign(&pop::response_message(sig, &st.wallet));
        if let Ok(v) = HeaderValue::from_str(&signed) {
            resp.headers_mut().insert("x-kms-response-signature", v);
        }
    }
    Ok(resp)
}

fn data_key(st: &NodeState, app_id: u64) -> Result<[u8; 32], ApiError> {
    st.data_key(app_id)
        .ok_or_else(|| ApiError::unavailable("master secret not initialized"))
}

/// `POST /kms/derive` (§1.4, §5).
pub async fn derive(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    require_ready(&st)?;
    let caller = authenticate_app(&st, &h).await?;
    let req = open_request(&st, &caller, &body)?;
    let path = match req.get("path") {
        Some(Value::String(p)) if !p.is_empty() => p.clone(),
        _ => return Err(ApiError::bad_request("Missing 'path' field")),
    };
    if path.trim().is_empty() {
        return Err(ApiError::bad_request("Derive path must not be empty"));
    }
    if RESERVED_DERIVE_PATHS.contains(&path.as_str()) {
        return Err(ApiError::bad_request(format!(
            "Derive path '{path}' is reserved"
        )));
    }
    let context = match req.get("context") {
        None => String::new(),
        Some(Value::String(c)) => c.clone(),
        Some(_) => return Err(ApiError::bad_request("'context' must be a string")),
    };
    let length = match req.get("length") {
        None => 32u64,
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| ApiError::bad_request("'length' must be an integer"))?,
        Some(Value::String(s)) => s
            .parse::<u64>()
            .map_err(|_| ApiError::bad_request("'length' must be an integer"))?,
        Some(_) => return Err(ApiError::bad_request("'length' must be an integer")),
    };
    if !(1..=1024).contains(&length) {
        return Err(ApiError::bad_request("'length' must be in range 1..1024"));
    }
    let okm = st
        .with_secret(|s| s.derive(caller.app_id, &path, &context, length as usize))
        .ok_or_else(|| ApiError::unavailable("master secret not initialized"))?;
    let result = json!({
        "app_id": caller.app_id,
        "key": base64::engine::general_purpose::STANDARD.encode(okm),
        "length": length,
        "path": path,
    });
    respond(&st, &caller, &result)
}

/// `GET /kms/data` (list, or read with `?key=`) (§1.5).
pub async fn data_get_or_list(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    require_ready(&st)?;
    let caller = authenticate_app(&st, &h).await?;
    let key = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "key")
            .map(|(_, v)| v.into_owned())
    });
    match key {
        Some(k) => read_key(&st, &caller, &k),
        None => {
            let now = st.clock.now_ms();
            let keys = st
                .storage
                .list_live_keys(caller.app_id, now)
                .map_err(|e| ApiError::storage(&e))?;
            let result = json!({"app_id": caller.app_id, "count": keys.len(), "keys": keys});
            respond(&st, &caller, &result)
        }
    }
}

/// `GET /kms/data/*key` (§1.5): the percent-decoded remainder is the key.
pub async fn data_get_path(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    require_ready(&st)?;
    let caller = authenticate_app(&st, &h).await?;
    read_key(&st, &caller, &key)
}

fn read_key(st: &NodeState, caller: &AppCaller, key: &str) -> Result<Response, ApiError> {
    let now = st.clock.now_ms();
    let rec = st
        .storage
        .get(caller.app_id, key)
        .map_err(|e| ApiError::storage(&e))?;
    let rec = match rec {
        Some(r) if r.is_live(now) => r,
        _ => return Err(ApiError::not_found(format!("Key not found: {key}"))),
    };
    let dk = data_key(st, caller.app_id)?;
    let plain =
        value::decrypt_value(&dk, &rec.value).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let result = json!({
        "app_id": caller.app_id,
        "key": key,
        "updated_at_ms": rec.updated_at_ms,
        "value": base64::engine::general_purpose::STANDARD.encode(plain),
    });
    respond(st, caller, &result)
}

/// `PUT /kms/data` (§1.6). Acknowledged only after the durable commit.
pub async fn data_put(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    require_ready(&st)?;
    let caller = authenticate_app(&st, &h).await?;
    let req = open_request(&st, &caller, &body)?;
    let key = match req.get("key") {
        Some(Value::String(k)) => k.clone(),
        _ => return Err(ApiError::bad_request("Missing 'key' field")),
    };
    let b64 = match req.get("value") {
        Some(Value::String(v)) => v,
        _ => return Err(ApiError::bad_request("Missing 'value' field")),
    };
    let plain = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| ApiError::bad_request("Invalid base64 value"))?;
    let ttl_ms = req.get("ttl_ms").and_then(Value::as_u64).unwrap_or(0);
    if plain.len() > st.limits.max_value_bytes {
        return Err(ApiError::bad_request(format!(
            "Value size exceeds limit {}",
            st.limits.max_value_bytes
        )));
    }
    let dk = data_key(&st, caller.app_id)?;
    let blob = value::encrypt_value(&dk, &plain);
    let app_id = caller.app_id;
    let outcome = st
        .committer
        .submit(LocalWrite::Put {
            app_id,
            key: key.clone(),
            value: blob,
            ttl_ms,
        })
        .await;
    let outcome = match outcome {
        Ok(LocalOutcome::Put(o)) => o,
        Ok(LocalOutcome::Delete(_)) => {
            return Err(ApiError::internal("commit returned a delete for a put"))
        }
        Err(WriteError::QuotaExceeded { used, budget }) => {
            tracing::warn!(
                app_id,
                used,
                budget,
                "write refused: namespace quota exceeded"
            );
            return Err(ApiError::payload_too_large(format!(
                "App storage quota exceeded ({used} of {budget} bytes used)"
            )));
        }
        Err(e @ WriteError::ValueTooLarge { .. }) => {
            return Err(ApiError::bad_request(e.to_string()));
        }
        Err(WriteError::Storage(e)) => {
            tracing::warn!(app_id, "write not acknowledged: storage failure");
            return Err(ApiError::storage(&e));
        }
    };
    st.replication.wake.notify_one();
    if !outcome.evicted.is_empty() {
        tracing::warn!(
            app_id,
            evicted = outcome.evicted.len(),
            "namespace over quota: evicted least-recently-updated records"
        );
    }
    let result = json!({
        "app_id": caller.app_id,
        "key": key,
        "updated_at_ms": outcome.record.updated_at_ms,
    });
    respond(&st, &caller, &result)
}

/// `DELETE /kms/data` (§1.7): writes a tombstone.
pub async fn data_delete(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    require_ready(&st)?;
    let caller = authenticate_app(&st, &h).await?;
    let req = open_request(&st, &caller, &body)?;
    let key = match req.get("key") {
        Some(Value::String(k)) => k.clone(),
        _ => return Err(ApiError::bad_request("Missing 'key' field")),
    };
    let app_id = caller.app_id;
    // A delete of a missing key answers 404 without queueing a commit.
    let now = st.clock.now_ms();
    let live = st
        .storage
        .get(app_id, &key)
        .map_err(|e| ApiError::storage(&e))?
        .is_some_and(|r| r.is_live(now));
    let deleted = if live {
        match st
            .committer
            .submit(LocalWrite::Delete {
                app_id,
                key: key.clone(),
            })
            .await
        {
            Ok(LocalOutcome::Delete(d)) => d,
            Ok(LocalOutcome::Put(_)) => {
                return Err(ApiError::internal("commit returned a put for a delete"))
            }
            Err(e) => {
                tracing::warn!(app_id, "delete not acknowledged: storage failure");
                return Err(ApiError::storage(&e));
            }
        }
    } else {
        None
    };
    if deleted.is_none() {
        return Err(ApiError::not_found(format!("Key not found: {key}")));
    }
    st.replication.wake.notify_one();
    let result = json!({"app_id": caller.app_id, "deleted": true, "key": key});
    respond(&st, &caller, &result)
}

/// Client address used for rate limiting: the socket peer, never a header.
pub fn client_ip(addr: &ConnectInfo<SocketAddr>) -> std::net::IpAddr {
    addr.0.ip()
}
