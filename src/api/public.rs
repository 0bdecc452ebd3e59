//! Unauthenticated routes: `/`, `/health`, `/livez`, `/readyz`, `/status`
//! (protocol.md §8.1 plus `node.unavailable_reason`), `/nonce` (§1.8, §2.1) and `/metrics`
//! (Prometheus, not part of the Nova protocol).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::api::error::ApiError;
use crate::node::client_addr;
use crate::node::state::{NodeState, SecretOrigin};
use crate::wire::headers;

/// `GET /`: static overview (informational only, §1.2).
pub async fn root() -> Json<Value> {
    Json(json!({
        "service": "Nova KMS",
        "implementation": format!("novakms {}", env!("CARGO_PKG_VERSION")),
        "auth": {
            "app_pop_headers": [headers::APP_SIGNATURE, headers::APP_NONCE, headers::APP_TIMESTAMP, headers::APP_WALLET],
            "mutual_response_header": headers::KMS_RESPONSE_SIGNATURE,
        },
        "endpoints": [
            {"method": "GET", "path": "/health", "auth": "none"},
            {"method": "GET", "path": "/livez", "auth": "none"},
            {"method": "GET", "path": "/readyz", "auth": "none"},
            {"method": "GET", "path": "/status", "auth": "none"},
            {"method": "GET", "path": "/nonce", "auth": "none (rate-limited)"},
            {"method": "GET", "path": "/metrics", "auth": "none"},
            {"method": "POST", "path": "/kms/derive", "auth": "app PoP"},
            {"method": "GET", "path": "/kms/data", "auth": "app PoP"},
            {"method": "GET", "path": "/kms/data/{key}", "auth": "app PoP"},
            {"method": "PUT", "path": "/kms/data", "auth": "app PoP"},
            {"method": "DELETE", "path": "/kms/data", "auth": "app PoP"},
        ],
    }))
}

/// `GET /health`: upstream liveness, always `{"status":"healthy"}`.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "healthy"}))
}

/// `GET /livez`: 200 while the process serves HTTP.
pub async fn livez() -> Json<Value> {
    Json(json!({"status": "live"}))
}

/// `GET /readyz`: 200 `{"status":"ready"}` when `/kms/*` are served, else
/// 503 `{"status":"not_ready","reason":…}`.
pub async fn readyz(State(st): State<Arc<NodeState>>) -> Response {
    let r = st.readiness();
    if r.ready && !st.is_shutting_down() {
        Json(json!({"status": "ready"})).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not_ready", "reason": r.reason})),
        )
            .into_response()
    }
}

/// `GET /metrics`: Prometheus text exposition (version 0.0.4) of [`crate::metrics`]. Reads
/// the per-app usage counters from storage off the async workers; 500 if that task fails.
pub async fn metrics(State(st): State<Arc<NodeState>>) -> Response {
    match tokio::task::spawn_blocking(move || st.metrics.render(&st.metrics_snapshot())).await {
        Ok(body) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        Err(e) => ApiError::internal(format!("metrics task failed: {e}")).into_response(),
    }
}

/// `GET /status` (§8.1): always 200; not a trust anchor. Extra keys (docs/compatibility.md):
/// `node.unavailable_reason`, `restore`, and for `novakms cluster status` (issue 13)
/// `implementation` (`novakms <version>`), `node.master_secret.verified` (the loaded secret was
/// checked against the chain's masterSecretHash) and `data_store.tombstones` (stored
/// tombstones, expired ones not yet purged included).
pub async fn status(State(st): State<Arc<NodeState>>) -> Response {
    let r = st.readiness();
    let (state, synced_from, initialized, verified) = {
        let g = st.master.read().unwrap_or_else(|p| p.into_inner());
        match g.as_ref() {
            None => ("uninitialized", Value::Null, false, false),
            Some(l) => (
                match l.origin {
                    SecretOrigin::Generated => "generated",
                    SecretOrigin::Synced => "synced",
                },
                l.synced_from
                    .clone()
                    .map(Value::String)
                    .unwrap_or(Value::Null),
                true,
                l.verified,
            ),
        }
    };
    let total_instances = st.peer_cache.active(st.clock.now_ms()).len();
    let st2 = st.clone();
    let stats = tokio::task::spawn_blocking(move || {
        let stats = st2.storage.stats(st2.clock.now_ms())?;
        let tombstones: u64 = st2
            .storage
            .usage_all()?
            .values()
            .map(|u| u.tombstones)
            .sum();
        Ok::<_, crate::Error>((stats, tombstones))
    })
    .await
    .ok()
    .and_then(|r| r.ok());
    let (namespaces, total_bytes, total_keys, tombstones) = stats
        .map(|(s, t)| (s.namespaces, s.total_bytes, s.total_keys, t))
        .unwrap_or((0, 0, 0, 0));
    Json(json!({
        "cluster": {
            "kms_app_id": st.settings.kms_app_id,
            "registry_address": st.settings.kms_registry,
            "total_instances": total_instances,
        },
        "data_store": {"namespaces": namespaces, "total_bytes": total_bytes, "total_keys": total_keys, "tombstones": tombstones},
        "implementation": crate::node::cluster_check::implementation(),
        "node": {
            "is_operator": r.is_operator,
            "master_secret": {"state": state, "synced_from": synced_from, "verified": verified},
            "master_secret_initialized": initialized,
            "node_url": r.node_url,
            "service_available": r.ready,
            "tee_pubkey": st.tee_pubkey_hex,
            "tee_wallet": st.wallet,
            "unavailable_reason": if r.ready { Value::Null } else { Value::String(r.reason.clone()) },
        },
        "restore": st.rejoin.status_json(),
        "catch_up": st.catch_up.status_json(),
    }))
    .into_response()
}

/// `GET /nonce` (§1.8): a stateless MACed nonce (`node::nonce`), rate-limited per client
/// address: the socket peer, or behind a `trusted_proxies` peer the rightmost untrusted
/// `X-Forwarded-For` hop (`node::client_addr`). Errors: 429 `rate_limited`.
pub async fn nonce(
    State(st): State<Arc<NodeState>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let xff = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    let client = client_addr::client_ip(addr.ip(), xff, &st.trusted_proxies);
    if !st.nonce_limiter.allow(client, st.clock.now_ms()) {
        return Err(ApiError::rate_limited());
    }
    let n = st.nonces.issue(st.clock.now_secs());
    Ok(Json(json!({"nonce": n})))
}
