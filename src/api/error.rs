//! HTTP rendering of the operations core's refusals (protocol.md §1.1): JSON
//! `{"code": …, "message": …}`, never encrypted, never signed. [`ApiError`] is
//! `node::refusal::Refusal` under its HTTP name.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

pub use crate::node::refusal::Refusal as ApiError;

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
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, Json(body)).into_response();
        resp.extensions_mut().insert(ErrorInfo {
            code: self.code,
            message: self.message,
        });
        resp
    }
}
