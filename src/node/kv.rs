//! The operations core of the app API (protocol.md §1.3–§1.7, design.md §3 "App write"):
//! `derive`, `get`, `list`, `put` and `delete` for an authenticated app, plus the readiness
//! gate, the envelope of requests and replies, and the one place that decides how storage is
//! read from async code. HTTP handlers (`api::app`) decode headers and body, call
//! [`authenticate`], [`open`], one operation and [`seal`], and encode the result; nothing
//! else.
//!
//! Guarantees:
//! * a PUT or DELETE is answered only after its durable commit (group commit, `node::commit`);
//!   a refused or failed write changes nothing and is never acknowledged;
//! * values are encrypted with the app's data key (§4.2) before they reach the committer and
//!   decrypted only for the caller's own namespace (`app_id` comes from the registry, never
//!   from the request);
//! * every acknowledged write wakes the replicator;
//! * storage reads go through [`read`]: point reads inline, scans on Tokio's blocking pool;
//! * a PUT or DELETE is applied only before its request deadline ([`write_deadline`]): the
//!   earlier of `write_deadline_seconds` after the node issued the request's PoP nonce and
//!   after it began authenticating the request. It is checked before queueing and again on the commit thread
//!   just before the commit; past it the write is refused with 503 and never applied later, so
//!   a client that timed out and retried elsewhere cannot be overwritten by its first attempt
//!   (issue 10);
//! * a refusal never echoes the key (a 404 says `Key not found`; the key came encrypted), and a
//!   key longer than `max_key_bytes` is refused with 400 before storage is touched (issue 10).

use std::sync::Arc;

use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::crypto::value;
use crate::node::auth::{self, AppCaller};
use crate::node::refusal::Refusal;
use crate::node::reply::{self, SealedReply};
use crate::node::state::NodeState;
use crate::storage::{Storage, WriteError};
use crate::wire::app::{
    DeleteReply, DeleteRequest, DeriveReply, DeriveRequest, GetReply, ListReply, PutReply,
    PutRequest,
};
use crate::wire::headers::PopHeaders;

/// Paths `/kms/derive` refuses because the node uses them internally
/// (security-checklist.md "Authorization and isolation"; upstream hands the
/// app its own storage key for `data_key`, protocol.md §11.12).
pub const RESERVED_DERIVE_PATHS: &[&str] = &["data_key", "sync_hmac_key"];

/// Largest derived key, bytes (§1.4).
pub const MAX_DERIVE_LENGTH: u64 = 1024;

/// Message of every 404 on a key (§1.5, §1.7). Upstream says `Key not found: <key>`; the key
/// is left out because it arrived encrypted (DELETE) and the error body is plaintext (issue
/// 10). Status, `code` and the `Key not found` text the capsule client matches are kept.
pub const KEY_NOT_FOUND: &str = "Key not found";

/// Refuse a key longer than `max_key_bytes` (UTF-8 bytes; issue 10): 400 `Key exceeds <n>
/// bytes`. 400 rather than 413: the limit is on one field, not on the body, which may be
/// small; 413 here means a namespace quota refusal.
pub fn check_key(st: &NodeState, key: &str) -> Result<(), Refusal> {
    if key.len() > st.settings.max_key_bytes {
        return Err(Refusal::bad_request(format!(
            "Key exceeds {} bytes",
            st.settings.max_key_bytes
        )));
    }
    Ok(())
}

/// Readiness gate of every `/kms/*` route (§1.3 step 2): 503 with the node's not-ready reason
/// (or `Service unavailable`) unless the node is ready and not shutting down.
pub fn require_ready(st: &NodeState) -> Result<(), Refusal> {
    let r = st.readiness();
    if r.ready && !st.is_shutting_down() {
        Ok(())
    } else if r.reason.is_empty() {
        Err(Refusal::unavailable("Service unavailable"))
    } else {
        Err(Refusal::unavailable(r.reason))
    }
}

/// Authenticate and authorize an app request from its PoP headers (§2.3, §2.7); see
/// [`auth::authenticate_app`] for the checks and refusals.
pub async fn authenticate(st: &NodeState, h: &PopHeaders) -> Result<AppCaller, Refusal> {
    auth::authenticate_app(st, h).await
}

/// Open the caller's request envelope (§1.3 steps 4–6): its sender key must be the caller's
/// on-chain teePubkey; the plaintext is parsed as the typed body `T`.
///
/// Errors: 400 (not an envelope, decryption, JSON), 403 `forbidden` (sender key).
pub async fn open<T: DeserializeOwned>(
    st: &NodeState,
    caller: &AppCaller,
    body: &Value,
) -> Result<T, Refusal> {
    reply::open_app(st, &caller.instance.tee_pubkey, body).await
}

/// Seal a reply to the caller's on-chain teePubkey, signed over its PoP signature when PoP
/// was used (§2.5, §3.3).
pub async fn seal<R: Serialize>(
    st: &NodeState,
    caller: &AppCaller,
    reply: &R,
) -> Result<SealedReply, Refusal> {
    reply::seal(
        st,
        &caller.instance.tee_pubkey,
        caller.signature.as_deref(),
        reply,
    )
    .await
}

/// How much a storage read touches, which decides where [`read`] runs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadKind {
    /// One key (`Storage::get`): a B-tree lookup served from redb's page cache in
    /// microseconds. Runs inline on the async worker: a hop to the blocking pool costs more
    /// than the read (measured: about 17 % fewer GETs/s at 64 clients on 2 cores,
    /// docs/performance.md).
    Point,
    /// Many records (`list_live_keys`, `snapshot`, `stats`): unbounded work, run on Tokio's
    /// blocking pool so the async workers keep serving.
    Scan,
}

/// Run a storage read where its [`ReadKind`] says: the one decision of how async code reads
/// storage (writes always go through the committer thread).
///
/// Errors: the storage error as a [`Refusal::storage`] 500.
pub async fn read<T: Send + 'static>(
    st: &Arc<NodeState>,
    kind: ReadKind,
    f: impl FnOnce(&dyn Storage) -> crate::Result<T> + Send + 'static,
) -> Result<T, Refusal> {
    let result = match kind {
        ReadKind::Point => f(st.storage.as_ref()),
        ReadKind::Scan => {
            let storage = st.storage.clone();
            tokio::task::spawn_blocking(move || f(storage.as_ref()))
                .await
                .map_err(|e| Refusal::internal(format!("storage task failed: {e}")))?
        }
    };
    result.map_err(|e| Refusal::storage(&e))
}

fn data_key(st: &NodeState, app_id: u64) -> Result<[u8; 32], Refusal> {
    st.data_key(app_id)
        .ok_or_else(|| Refusal::unavailable("master secret not initialized"))
}

/// The answer to a write that was not acknowledged.
/// Refusal message of a write whose deadline passed (503).
pub const MSG_DEADLINE_EXCEEDED: &str = "Request deadline exceeded: the write was not applied";

/// The instant after which `caller`'s write must not be applied (module doc): the earlier of
/// `received + write_deadline_seconds` and, on the node's own wall clock, the issue time of the
/// request's PoP nonce (whole seconds, so plus 999 ms) `+ write_deadline_seconds`. The nonce
/// was issued by this node, so no client clock is trusted: a request that sat unread in a
/// frozen node's socket is caught as well as one that waited in the node.
/// `write_deadline_seconds = 0` turns the deadline off (upstream behaviour: an hour away).
pub fn write_deadline(st: &NodeState, caller: &AppCaller) -> std::time::Instant {
    use std::time::{Duration, Instant};
    let secs = st.settings.write_deadline_seconds;
    if secs == 0 {
        return Instant::now() + Duration::from_secs(3600);
    }
    let budget = Duration::from_secs(secs);
    let by_server = caller.received + budget;
    match caller.nonce_issued_secs {
        Some(issued) => {
            let end_ms = issued
                .saturating_mul(1000)
                .saturating_add(999)
                .saturating_add(secs.saturating_mul(1000));
            let left = Duration::from_millis(end_ms.saturating_sub(st.clock.now_ms()));
            by_server.min(Instant::now() + left)
        }
        None => by_server,
    }
}

fn write_refusal(app_id: u64, e: WriteError) -> Refusal {
    match e {
        WriteError::DeadlineExceeded => {
            tracing::warn!(
                app_id,
                "write refused: request deadline passed before its commit"
            );
            Refusal::unavailable(MSG_DEADLINE_EXCEEDED)
        }
        WriteError::QuotaExceeded { used, budget } => {
            tracing::warn!(
                app_id,
                used,
                budget,
                "write refused: namespace quota exceeded"
            );
            Refusal::payload_too_large(format!(
                "App storage quota exceeded ({used} of {budget} bytes used)"
            ))
        }
        e @ WriteError::ValueTooLarge { .. } => Refusal::bad_request(e.to_string()),
        WriteError::Storage(e) => {
            tracing::warn!(app_id, "write not acknowledged: storage failure");
            Refusal::storage(&e)
        }
    }
}

/// `POST /kms/derive` (§1.4, §5): HKDF from the master secret for the caller's app.
///
/// Errors: 400 `Missing 'path' field`, `Derive path must not be empty`, `Derive path '…' is
/// reserved`, `'context' must be a string`, `'length' must be an integer`, `'length' must be
/// in range 1..1024`; 503 without a master secret.
pub fn derive(
    st: &NodeState,
    caller: &AppCaller,
    req: DeriveRequest,
) -> Result<DeriveReply, Refusal> {
    let path = match req.path {
        Some(p) if !p.is_empty() => p,
        _ => return Err(Refusal::bad_request("Missing 'path' field")),
    };
    if path.trim().is_empty() {
        return Err(Refusal::bad_request("Derive path must not be empty"));
    }
    if RESERVED_DERIVE_PATHS.contains(&path.as_str()) {
        return Err(Refusal::bad_request(format!(
            "Derive path '{path}' is reserved"
        )));
    }
    let context = match req.context {
        None => String::new(),
        Some(Value::String(c)) => c,
        Some(_) => return Err(Refusal::bad_request("'context' must be a string")),
    };
    let not_integer = || Refusal::bad_request("'length' must be an integer");
    let length = match req.length {
        None => 32u64,
        Some(Value::Number(n)) => n.as_u64().ok_or_else(not_integer)?,
        Some(Value::String(s)) => s.parse::<u64>().map_err(|_| not_integer())?,
        Some(_) => return Err(not_integer()),
    };
    if !(1..=MAX_DERIVE_LENGTH).contains(&length) {
        return Err(Refusal::bad_request("'length' must be in range 1..1024"));
    }
    let okm = st
        .with_secret(|s| s.derive(caller.app_id, &path, &context, length as usize))
        .ok_or_else(|| Refusal::unavailable("master secret not initialized"))?;
    Ok(DeriveReply {
        app_id: caller.app_id,
        key: base64::engine::general_purpose::STANDARD.encode(okm),
        length,
        path,
    })
}

/// Read one key of the caller's namespace (§1.5).
///
/// Errors: 400 `Key exceeds <max_key_bytes> bytes`; 404 `Key not found` (absent, tombstoned
/// or expired); 400 when the stored
/// ciphertext does not open under the app's data key; 503 without a master secret; 500
/// storage.
pub async fn get(st: &Arc<NodeState>, caller: &AppCaller, key: &str) -> Result<GetReply, Refusal> {
    check_key(st, key)?;
    let now = st.clock.now_ms();
    let (app_id, k) = (caller.app_id, key.to_string());
    let rec = read(st, ReadKind::Point, move |s| s.get(app_id, &k)).await?;
    let rec = match rec {
        Some(r) if r.is_live(now) => r,
        _ => return Err(Refusal::not_found(KEY_NOT_FOUND)),
    };
    let dk = data_key(st, caller.app_id)?;
    let plain =
        value::decrypt_value(&dk, &rec.value).map_err(|e| Refusal::bad_request(e.to_string()))?;
    Ok(GetReply {
        app_id: caller.app_id,
        key: key.to_string(),
        updated_at_ms: rec.updated_at_ms,
        value: base64::engine::general_purpose::STANDARD.encode(plain),
    })
}

/// List the live keys of the caller's namespace (§1.5). Errors: 500 storage.
pub async fn list(st: &Arc<NodeState>, caller: &AppCaller) -> Result<ListReply, Refusal> {
    let now = st.clock.now_ms();
    let app_id = caller.app_id;
    let keys = read(st, ReadKind::Scan, move |s| s.list_live_keys(app_id, now)).await?;
    Ok(ListReply {
        app_id,
        count: keys.len(),
        keys,
    })
}

/// Write a key of the caller's namespace (§1.6): validate, encrypt under the app's data key,
/// commit durably through the group committer, wake the replicator.
///
/// Errors: 400 `Missing 'key' field`, `Key exceeds <max_key_bytes> bytes`, `Missing 'value'
/// field`, `Invalid base64 value`,
/// `Value size exceeds limit <max_kv_value_size_bytes>`; 413 quota (`quota_policy =
/// "reject"`, or nothing left to evict); 503 without a master secret; 500 storage (not
/// acknowledged).
pub async fn put(st: &NodeState, caller: &AppCaller, req: PutRequest) -> Result<PutReply, Refusal> {
    let key = req
        .key
        .ok_or_else(|| Refusal::bad_request("Missing 'key' field"))?;
    check_key(st, &key)?;
    let b64 = req
        .value
        .ok_or_else(|| Refusal::bad_request("Missing 'value' field"))?;
    let plain = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| Refusal::bad_request("Invalid base64 value"))?;
    if plain.len() > st.limits.max_kv_value_size_bytes {
        return Err(Refusal::bad_request(format!(
            "Value size exceeds limit {}",
            st.limits.max_kv_value_size_bytes
        )));
    }
    let app_id = caller.app_id;
    let blob = value::encrypt_value(&data_key(st, app_id)?, &plain);
    let outcome = st
        .committer
        .submit_put(
            app_id,
            key.clone(),
            blob,
            req.ttl_ms.unwrap_or(0),
            write_deadline(st, caller),
        )
        .await
        .map_err(|e| write_refusal(app_id, e))?;
    st.replication.wake.notify_one();
    if !outcome.evicted.is_empty() {
        tracing::warn!(
            app_id,
            evicted = outcome.evicted.len(),
            "namespace over quota: evicted least-recently-updated records"
        );
    }
    Ok(PutReply {
        app_id,
        key,
        updated_at_ms: outcome.record.updated_at_ms,
    })
}

/// Delete a key of the caller's namespace (§1.7) by writing a tombstone, committed durably;
/// wakes the replicator. A key that is not live answers 404 without queueing a commit.
///
/// Errors: 400 `Missing 'key' field`, `Key exceeds <max_key_bytes> bytes`; 404 `Key not
/// found`; 500 storage (not
/// acknowledged).
pub async fn delete(
    st: &Arc<NodeState>,
    caller: &AppCaller,
    req: DeleteRequest,
) -> Result<DeleteReply, Refusal> {
    let key = req
        .key
        .ok_or_else(|| Refusal::bad_request("Missing 'key' field"))?;
    check_key(st, &key)?;
    let app_id = caller.app_id;
    let now = st.clock.now_ms();
    let k = key.clone();
    let live = read(st, ReadKind::Point, move |s| s.get(app_id, &k))
        .await?
        .is_some_and(|r| r.is_live(now));
    let deleted = if live {
        st.committer
            .submit_delete(app_id, key.clone(), write_deadline(st, caller))
            .await
            .map_err(|e| write_refusal(app_id, e))?
    } else {
        None
    };
    if deleted.is_none() {
        return Err(Refusal::not_found(KEY_NOT_FOUND));
    }
    st.replication.wake.notify_one();
    Ok(DeleteReply {
        app_id,
        deleted: true,
        key,
    })
}
