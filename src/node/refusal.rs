//! Why the node refuses a request: the one error type of the operations core (`node::auth`,
//! `node::kv`, `node::peer_ops`). It carries the protocol's HTTP status, wire `code` and
//! message (protocol.md §1.1); `api::error` renders it as the JSON error body, so the core
//! decides every answer and the HTTP layer only encodes it.

use crate::error::{Error, ErrorKind};

/// A refusal: HTTP status plus the wire `code` and `message` of protocol.md §1.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status code (400, 403, 404, 413, 429, 500, 503).
    pub status: u16,
    /// Wire code: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `payload_too_large`, `rate_limited`, `service_unavailable`, `internal_error`.
    pub code: &'static str,
    /// Human-readable message (upstream texts where the protocol defines them).
    pub message: String,
}

impl Refusal {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            status,
            code,
            message: message.into(),
        }
    }
    /// 400 `bad_request`.
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(400, "bad_request", m)
    }
    /// 403 `unauthorized` (authentication failure; upstream uses 403, not 401).
    pub fn unauthorized(m: impl Into<String>) -> Self {
        Self::new(403, "unauthorized", m)
    }
    /// 403 `forbidden` (authorization failure).
    pub fn forbidden(m: impl Into<String>) -> Self {
        Self::new(403, "forbidden", m)
    }
    /// 404 `not_found`.
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(404, "not_found", m)
    }
    /// 413 `payload_too_large` (quota refusal under `quota_policy = "reject"`).
    pub fn payload_too_large(m: impl Into<String>) -> Self {
        Self::new(413, "payload_too_large", m)
    }
    /// 429 `rate_limited`.
    pub fn rate_limited() -> Self {
        Self::new(429, "rate_limited", "Rate limit exceeded")
    }
    /// 503 `service_unavailable`.
    pub fn unavailable(m: impl Into<String>) -> Self {
        Self::new(503, "service_unavailable", m)
    }
    /// 500 `internal_error`.
    pub fn internal(m: impl Into<String>) -> Self {
        Self::new(500, "internal_error", m)
    }
    /// 500 `internal_error` with the fixed message `Storage error` for a failed storage
    /// operation. The detail (database path, OS error) is logged at error level, never sent
    /// to the caller (security-checklist.md: no internals in responses).
    pub fn storage(e: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %e, "storage operation failed");
        Self::internal("Storage error")
    }
    /// A crate error from a storage or merge step: kind `NotReady` is a 503 with its message
    /// (no master secret yet), anything else a [`Refusal::storage`] 500.
    pub fn from_storage_error(e: &Error) -> Self {
        match e.kind() {
            ErrorKind::NotReady => Self::unavailable(e.message()),
            _ => Self::storage(e),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_errors_become_503_when_not_ready_and_a_bare_500_otherwise() {
        let r = Refusal::from_storage_error(&Error::new(
            ErrorKind::NotReady,
            "master secret not initialized",
        ));
        assert_eq!(
            (r.status, r.code, r.message.as_str()),
            (503, "service_unavailable", "master secret not initialized")
        );
        // Anything else: the fixed message, never the detail (path, OS error).
        let r = Refusal::from_storage_error(&Error::new(
            ErrorKind::Local,
            "/var/lib/novakms/novakms.redb: No space left on device",
        ));
        assert_eq!(
            (r.status, r.code, r.message.as_str()),
            (500, "internal_error", "Storage error")
        );
    }

    #[test]
    fn display_names_status_code_and_message() {
        assert_eq!(
            Refusal::not_found("Key not found").to_string(),
            "404 not_found: Key not found"
        );
    }
}
