//! HTTP routers grouped by trust boundary (design.md §2): public routes, the
//! app API (`/kms/*`) and the peer API (`/sync`, `/nodes`). Framework
//! rejections (415, 400 JSON syntax, 413 body limit by real bytes) happen
//! before any handler, as upstream (§1.1).

pub mod admin;
pub mod app;
pub mod backup;
pub mod body_limit;
#[cfg(test)]
mod cluster_check_tests;
pub mod error;
pub mod peer;
pub mod public;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};

use crate::node::state::NodeState;

pub use error::ApiError;

/// The node's full router. App routes are limited to `max_request_body_bytes`
/// (2 MiB default), `/sync` to `max_sync_body_bytes` (8 MiB default); both
/// count real bytes, not Content-Length.
pub fn router(state: Arc<NodeState>) -> Router {
    let max_body = state.settings.max_request_body_bytes;
    Router::new()
        .route("/", get(public::root))
        .route("/health", get(public::health))
        .route("/livez", get(public::livez))
        .route("/readyz", get(public::readyz))
        .route("/status", get(public::status))
        .route("/nonce", get(public::nonce))
        .route("/metrics", get(public::metrics))
        .route("/nodes", get(peer::nodes))
        .route(
            "/sync",
            post(peer::sync)
                .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(
                    state.settings.max_sync_body_bytes,
                ))
                .layer(Extension(peer::SyncBodyGate::new(
                    state.settings.sync_max_concurrent_body_reads,
                ))),
        )
        .route("/kms/derive", post(app::derive))
        .route(
            "/kms/data",
            get(app::data_get_or_list)
                .put(app::data_put)
                .delete(app::data_delete),
        )
        .route("/kms/data/{*key}", get(app::data_get_path))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            body_limit::reject_declared_oversize,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}

/// Metrics middleware: counts every request by route pattern, method and status with its
/// latency (until the response head), and every 403 with code `unauthorized`/`forbidden` as an
/// auth refusal of an `app` (`/kms/*`) or `peer` (`/sync`, `/nodes`) caller by reason.
async fn track(State(st): State<Arc<NodeState>>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().as_str().to_string();
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    st.metrics
        .observe_request(&route, &method, status, started.elapsed());
    if let Some(info) = resp.extensions().get::<error::ErrorInfo>() {
        if matches!(info.code, "unauthorized" | "forbidden") {
            let caller = if route.starts_with("/kms") {
                "app"
            } else {
                "peer"
            };
            st.metrics.observe_refusal(caller, &info.message);
        }
    }
    resp
}
