//! Mapping redb errors and malformed meta values to crate errors (`Integrity`, `InUse`,
//! `Refused`, `Local`), and flagging the handle as broken after an I/O error.

use std::fmt::Display;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use ::redb::DatabaseError;

use crate::error::{Error, ErrorKind, Result};

/// Map a redb error like [`redb_err`], and flag the handle as broken on an I/O error: redb then
/// refuses every later operation (`PreviousIo`) until the database is reopened, which the next
/// operation does (see `RedbStorage::recover`).
pub(super) fn classify(
    broken: &AtomicBool,
    path: &Path,
    ctx: &str,
    e: impl Into<::redb::Error>,
) -> Error {
    let e: ::redb::Error = e.into();
    if matches!(e, ::redb::Error::Io(_) | ::redb::Error::PreviousIo) {
        broken.store(true, Ordering::Release);
    }
    redb_err(path, ctx, e)
}

/// Error mapper for storage errors inside a write transaction.
pub(super) fn werr<'a>(
    path: &'a Path,
    broken: &'a AtomicBool,
) -> impl Fn(::redb::StorageError) -> Error + 'a {
    move |e| classify(broken, path, "write", e)
}

/// Map any redb error to a crate error: corruption -> `Integrity`, lock held -> `InUse`,
/// everything else (I/O, disk full) -> `Local`.
pub(super) fn redb_err(path: &Path, ctx: &str, e: impl Into<::redb::Error>) -> Error {
    let e: ::redb::Error = e.into();
    match e {
        ::redb::Error::Corrupted(m) => {
            Error::integrity(format!("database {} is corrupt: {m}", path.display()))
        }
        ::redb::Error::DatabaseAlreadyOpen => in_use(path.parent().unwrap_or(path)),
        ::redb::Error::TableDoesNotExist(t) => Error::integrity(format!(
            "database {} is corrupt: table {t} is missing",
            path.display()
        )),
        ::redb::Error::TableTypeMismatch { table, .. } => Error::integrity(format!(
            "database {} is corrupt: table {table} has unexpected types",
            path.display()
        )),
        other => Error::local(format!("database {}: {ctx}: {other}", path.display())),
    }
}

pub(super) fn in_use(dir: &Path) -> Error {
    Error::new(
        ErrorKind::InUse,
        format!(
            "data dir {} is in use by another process (is a novakms node running?)",
            dir.display()
        ),
    )
}

pub(super) fn corrupt(path: &Path, what: impl Display) -> Error {
    Error::integrity(format!("database {} is corrupt: {what}", path.display()))
}

pub(super) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

pub(super) fn read_u64(path: &Path, what: &str, b: &[u8]) -> Result<u64> {
    let a: [u8; 8] = b
        .try_into()
        .map_err(|_| corrupt(path, format!("meta {what} has {} bytes", b.len())))?;
    Ok(u64::from_le_bytes(a))
}

pub(super) fn read_u32(path: &Path, what: &str, b: &[u8]) -> Result<u32> {
    let a: [u8; 4] = b
        .try_into()
        .map_err(|_| corrupt(path, format!("meta {what} has {} bytes", b.len())))?;
    Ok(u32::from_le_bytes(a))
}

/// Map an error of `Builder::open`/`create_file` for `path`.
pub(super) fn open_err(path: &Path, e: DatabaseError) -> Error {
    match e {
        DatabaseError::DatabaseAlreadyOpen => in_use(path.parent().unwrap_or(path)),
        DatabaseError::RepairAborted => corrupt(path, "repair aborted"),
        DatabaseError::UpgradeRequired(v) => Error::new(
            ErrorKind::Refused,
            format!(
                "database {} uses redb file format {v}, which this build cannot open",
                path.display()
            ),
        ),
        DatabaseError::Storage(::redb::StorageError::Corrupted(m)) => corrupt(path, m),
        DatabaseError::Storage(::redb::StorageError::Io(io))
            if io.kind() == io::ErrorKind::UnexpectedEof =>
        {
            corrupt(path, "file is truncated")
        }
        DatabaseError::Storage(::redb::StorageError::Io(io))
            if io.kind() == io::ErrorKind::InvalidData =>
        {
            corrupt(path, format!("not a valid redb database ({io})"))
        }
        other => Error::local(format!("cannot open database {}: {other}", path.display())),
    }
}

/// Run `f`, turning a panic inside redb (a damaged file can make it panic) into `Integrity`
/// "database <path> is corrupt: redb failed while <doing> it: <panic message>".
pub(super) fn unwind_corrupt<T>(
    path: &Path,
    doing: &str,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| {
        Err(corrupt(
            path,
            format!("redb failed while {doing} it: {}", panic_message(&*p)),
        ))
    })
}
