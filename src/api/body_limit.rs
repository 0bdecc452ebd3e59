//! Early refusal of request bodies whose declared `Content-Length` already
//! exceeds the route's limit (app routes `max_request_body_bytes`, 2 MiB;
//! `/sync` `max_sync_body_bytes`, 8 MiB; protocol.md §1.1).
//!
//! axum's `DefaultBodyLimit` counts the bytes actually received, so a client
//! declaring e.g. 1 GiB and then sending nothing held the connection (and a
//! handler task) open indefinitely. This layer answers such requests at once
//! with the framework's 413 text body, before any extraction or handler.
//! Bodies without a `Content-Length` (chunked) and bodies whose declared
//! length fits are still counted by `DefaultBodyLimit` as before.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header::CONTENT_LENGTH, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::node::state::NodeState;

/// Text of the 413 answer, identical to axum's body-limit rejection (§1.1).
pub const TOO_LARGE_TEXT: &str = "Failed to buffer the request body: length limit exceeded";

/// Middleware: 413 [`TOO_LARGE_TEXT`] when the declared `Content-Length`
/// (decimal bytes) is larger than the limit of the request's route; every
/// other request passes through unchanged.
pub async fn reject_declared_oversize(
    State(st): State<Arc<NodeState>>,
    req: Request,
    next: Next,
) -> Response {
    let limit = if req.uri().path() == "/sync" {
        st.settings.max_sync_body_bytes
    } else {
        st.settings.max_request_body_bytes
    } as u64;
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return (StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE_TEXT).into_response();
    }
    next.run(req).await
}
