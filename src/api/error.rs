//! HTTP error responses of the handlers (protocol.md §1.1): JSON
//! `{"code": …, "message": …}`, never encrypted, never signed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A handler error: HTTP status plus the wire `code` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Wire code: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `payload_too_large`, `rate_limited`, `service_unavailable`, `internal_error`.
    pub code: &'static str,
    /// Human-readable message (upstream texts where the protocol defines them).
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    /// 400 `bad_request`.
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", m)
    }
    /// 403 `unauthorized` (authentication failure; upstream uses 403, not 401).
    pub fn unauthorized(m: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "unauthorized", m)
    }
    /// 403 `forbidden` (authorization failure).
    pub fn forbidden(m: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", m)
    }
    /// 404 `not_found`.
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", m)
    }
    /// 413 `payload_too_large` (quota refusal under `quota_policy = "reject"`).
    pub fn payload_too_large(m: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", m)
    }
    /// 429 `rate_limited`.
    pub fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Rate limit exceeded",
        )
    }
    /// 503 `service_unavailable`.
    pub fn unavailable(m: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", m)
    }
    /// 500 `internal_error`.
    pub fn internal(m: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", m)
    }
    /// 500 `internal_error` with the fixed message `Storage error` for a failed storage
    /// operation. The detail (database path, OS error) is logged at error level, never sent
    /// to the caller (security-checklist.md: no internals in responses).
    pub fn storage(e: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %e, "storage operation failed");
        Self::internal("Storage error")
    }
}

/// Response extension carrying the error's wire code and message to the metrics middleware
/// (refusals are counted by reason, see `crate::metrics::refusal_reason`).
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    /// Wire code, e.g. `unauthorized`.
    pub code: &'static str,
    /// Message as sent.
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"code": self.code, "message": self.message});
        let mut resp = (self.status, Json(body)).into_response();
        resp.extensions_mut().insert(ErrorInfo {
            code: self.code,
            message: self.message,
        });
        resp
    }
}
