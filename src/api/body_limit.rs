//! Early refusal of request bodies whose declared `Content-Length` already
//! exceeds the route's limit (app routes `max_request_body_bytes`, 2 MiB;
//! `/sync` `max_sync_body_bytes`, 8 MiB; protocol.md §1.1).
//!
//! axum's `DefaultBodyLimit` counts the bytes actually received, so a client
//! declaring e.g. 1 GiB and then sending nothing held the connection (and a
//! handler task) open indefinitely. This layer answers such requests with the
//! framework's 413 text body, before any extraction or handler:
//! * declared length up to twice the limit: the body is read and discarded
//!   first (at most [`DRAIN_TIMEOUT`]), so an honest client that writes its
//!   whole body before reading gets the 413 instead of a broken pipe;
//! * declared length beyond that: answered at once and the connection closed.
//!
//! Bodies without a `Content-Length` (chunked) and bodies whose declared
//! length fits are still counted by `DefaultBodyLimit` as before.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;

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
    match declared {
        Some(n) if n > limit => {
            if n <= limit.saturating_mul(2) {
                drain(req, n).await;
            }
            (StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE_TEXT).into_response()
        }
        _ => next.run(req).await,
    }
}

/// Longest time spent discarding an over-limit body before answering 413.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Read and discard up to `declared` bytes of the body (stops at end of body, a read error or
/// [`DRAIN_TIMEOUT`]).
async fn drain(req: Request, declared: u64) {
    let mut body = req.into_body();
    let read = async {
        let mut seen = 0u64;
        while seen < declared {
            match body.frame().await {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        seen = seen.saturating_add(data.len() as u64);
                    }
                }
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, read).await;
}
