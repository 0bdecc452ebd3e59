//! One error type for the whole crate.
//!
//! Every error carries an [`ErrorKind`] that decides the process exit code
//! (design.md §6) of the CLI. HTTP handlers use their own error type
//! (`api::ApiError`) that maps to the wire codes of protocol.md §1.1.

use std::fmt;

/// What went wrong, coarse enough to pick an exit code (design.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Local error: I/O, configuration, validation. Exit code 1.
    Local,
    /// Usage error (bad arguments). Exit code 2.
    Usage,
    /// Remote error: node or chain RPC unreachable, timed out or failed. Exit code 3.
    Remote,
    /// Reachable but not ready / not in the expected state. Exit code 4.
    NotReady,
    /// Integrity failure: digest mismatch, corrupt database. Exit code 5.
    Integrity,
    /// In use: the database is locked by another process. Exit code 6.
    InUse,
    /// Refused without `--force`. Exit code 7.
    Refused,
    /// Authentication failed: wrong password, rejected signature. Exit code 8.
    Auth,
}

impl ErrorKind {
    /// Process exit code for this kind (design.md §6 table).
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Local => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Remote => 3,
            ErrorKind::NotReady => 4,
            ErrorKind::Integrity => 5,
            ErrorKind::InUse => 6,
            ErrorKind::Refused => 7,
            ErrorKind::Auth => 8,
        }
    }
}

/// The crate's error: a kind plus a human-readable message (never containing secrets).
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

/// Result alias using [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// New error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }
    /// Shorthand for [`ErrorKind::Local`].
    pub fn local(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Local, message)
    }
    /// Shorthand for [`ErrorKind::Remote`].
    pub fn remote(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Remote, message)
    }
    /// Shorthand for [`ErrorKind::Integrity`].
    pub fn integrity(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Integrity, message)
    }
    /// Shorthand for [`ErrorKind::Auth`].
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Auth, message)
    }
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The message, without the kind.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// Prefix the message with context, keeping the kind.
    pub fn context(self, ctx: impl fmt::Display) -> Self {
        Error {
            kind: self.kind,
            message: format!("{ctx}: {}", self.message),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::local(e.to_string())
    }
}

/// Attach context to any displayable error, producing an [`Error`] of the given kind.
pub trait ResultExt<T> {
    /// Map the error to `kind` with `ctx: <original error>` as message.
    fn kind_ctx(self, kind: ErrorKind, ctx: impl fmt::Display) -> Result<T>;
}

impl<T, E: fmt::Display> ResultExt<T> for std::result::Result<T, E> {
    fn kind_ctx(self, kind: ErrorKind, ctx: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error::new(kind, format!("{ctx}: {e}")))
    }
}
