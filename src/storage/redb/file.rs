//! The database file itself: the private data dir, creating a complete database under a
//! temporary name and publishing it atomically, and opening an existing file with redb.

use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use ::redb::backends::FileBackend;
use ::redb::{Builder, Database, Durability};

use crate::error::{Error, Result};

use super::errors::{corrupt, open_err, panic_message, redb_err};
use super::tables::*;
use super::{DB_FILE_NAME, SCHEMA_VERSION};

pub(super) fn fsync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// redb's page cache for a database this build opens unless told otherwise (32 MiB): redb's
/// own default is 1 GiB, a ceiling that a node's working set fills as the store grows (every
/// page a pull, a snapshot or a verification reads stays cached), so a node's memory grew with
/// its store (issue 12: peak RSS ≤ 150 MB whatever the store size). Pages not cached are read
/// from the kernel's page cache, which is not the process's memory. The node takes
/// `storage_cache_bytes` instead ([`super::RedbStorage::open_with_cache`]).
pub const DEFAULT_CACHE_BYTES: usize = 32 << 20;

/// Smallest page cache we hand redb (1 MiB): below it every transaction spills.
pub const MIN_CACHE_BYTES: usize = 1 << 20;

/// A redb builder with our repair log and a page cache of `cache_bytes` (raised to
/// [`MIN_CACHE_BYTES`]).
pub(super) fn builder(cache_bytes: usize) -> Builder {
    let mut b = Builder::new();
    b.set_cache_size(cache_bytes.max(MIN_CACHE_BYTES));
    b.set_repair_callback(|session| {
        tracing::warn!(
            progress = session.progress(),
            "database was not closed cleanly; redb is repairing it"
        );
    });
    b
}

pub(super) fn ensure_dir(dir: &Path) -> Result<()> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {
            if m.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    dir = %dir.display(),
                    mode = format!("{:o}", m.permissions().mode() & 0o777),
                    "data dir is accessible by group or others; 0700 is recommended"
                );
            }
            Ok(())
        }
        Ok(_) => Err(Error::local(format!(
            "data dir {} exists and is not a directory",
            dir.display()
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| {
                    Error::local(format!("cannot create data dir {}: {e}", dir.display()))
                })?;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| {
                Error::local(format!(
                    "cannot set mode of data dir {}: {e}",
                    dir.display()
                ))
            })?;
            Ok(())
        }
        Err(e) => Err(Error::local(format!(
            "cannot access data dir {}: {e}",
            dir.display()
        ))),
    }
}

/// Open the existing database file at `path` (after [`check_file`]); the node's normal open and
/// every reopen after an I/O error. The file must already be in the current format (see
/// [`open_upgrading`]).
pub(super) fn open_existing(path: &Path, cache_bytes: usize) -> Result<Database> {
    check_file(path)?;
    match catch_unwind(AssertUnwindSafe(|| builder(cache_bytes).open(path))) {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(e)) => Err(open_err(path, e)),
        Err(p) => Err(corrupt(
            path,
            format!("redb failed while opening it: {}", panic_message(&*p)),
        )),
    }
}

/// Open the existing database `<dir>/novakms.redb`, upgrading it in place first if redb 2.x
/// wrote it (see `upgrade`).
pub(super) fn open_upgrading(dir: &Path, path: &Path, cache_bytes: usize) -> Result<Database> {
    check_file(path)?;
    super::upgrade::ensure_current(dir, path)?;
    open_existing(path, cache_bytes)
}

/// A regular, non-empty file; tightens its mode to 0600.
pub(super) fn check_file(path: &Path) -> Result<()> {
    let meta = fs::metadata(path)
        .map_err(|e| Error::local(format!("cannot stat database {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(Error::local(format!(
            "database {} is not a regular file",
            path.display()
        )));
    }
    if meta.len() == 0 {
        return Err(corrupt(path, "file is empty (truncated?)"));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        tracing::warn!(path = %path.display(), "database file was accessible by group or others; setting mode 0600");
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::local(format!("cannot set mode of {}: {e}", path.display())))?;
    }
    Ok(())
}

/// Create and initialize a database under a temporary name, then publish it as `path` without
/// ever replacing an existing file (hard link), so `path` only ever names a complete database.
pub(super) fn create_new(dir: &Path, path: &Path, cache_bytes: usize) -> Result<Database> {
    let tmp = dir.join(format!("{DB_FILE_NAME}.init-{}", std::process::id()));
    let _ = fs::remove_file(&tmp); // leftover of a crashed initialization by a process with our pid
    let cleanup = |e: Error| {
        let _ = fs::remove_file(&tmp);
        e
    };
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| Error::local(format!("cannot create {}: {e}", tmp.display())))?;
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600)).map_err(|e| {
        cleanup(Error::local(format!(
            "cannot set mode of {}: {e}",
            tmp.display()
        )))
    })?;
    // A brand-new file goes through redb's recovery path once; that is not
    // an unclean shutdown, so no repair warning here.
    let db = FileBackend::new(file)
        .and_then(|backend| {
            Builder::new()
                .set_cache_size(cache_bytes.max(MIN_CACHE_BYTES))
                .create_with_backend(backend)
        })
        .map_err(|e| cleanup(open_err(&tmp, e)))?;
    initialize(&db, &tmp).map_err(cleanup)?;
    match fs::hard_link(&tmp, path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // Another process created it concurrently: use theirs (its lock decides).
            drop(db);
            let _ = fs::remove_file(&tmp);
            return open_existing(path, cache_bytes);
        }
        Err(_) => {
            // Filesystem without hard links: fall back to rename (no-replace is then best effort).
            if path.exists() {
                drop(db);
                let _ = fs::remove_file(&tmp);
                return open_existing(path, cache_bytes);
            }
            fs::rename(&tmp, path).map_err(|e| {
                cleanup(Error::local(format!(
                    "cannot create {}: {e}",
                    path.display()
                )))
            })?;
        }
    }
    let _ = fs::remove_file(&tmp);
    fsync_dir(dir)
        .map_err(|e| Error::local(format!("cannot sync data dir {}: {e}", dir.display())))?;
    tracing::info!(path = %path.display(), "created new database");
    Ok(db)
}

pub(super) fn initialize(db: &Database, path: &Path) -> Result<()> {
    let err = |e: ::redb::Error| redb_err(path, "initialize", e);
    let mut txn = db.begin_write().map_err(|e| err(e.into()))?;
    txn.set_durability(Durability::Immediate)
        .map_err(|e| err(e.into()))?;
    txn.set_two_phase_commit(true);
    txn.set_quick_repair(true);
    {
        let mut meta = txn.open_table(META).map_err(|e| err(e.into()))?;
        meta.insert(META_SCHEMA, SCHEMA_VERSION.to_le_bytes().as_slice())
            .map_err(|e| err(e.into()))?;
        meta.insert(META_LAST_SEQ, 0u64.to_le_bytes().as_slice())
            .map_err(|e| err(e.into()))?;
        meta.insert(META_LOG_ID, crate::storage::new_log_id().as_bytes())
            .map_err(|e| err(e.into()))?;
        txn.open_table(RECORDS).map_err(|e| err(e.into()))?;
        txn.open_table(CHANGES).map_err(|e| err(e.into()))?;
        txn.open_table(CHANGE_INDEX).map_err(|e| err(e.into()))?;
        txn.open_table(CHANGE_ORIGIN).map_err(|e| err(e.into()))?;
        txn.open_table(USAGE).map_err(|e| err(e.into()))?;
        txn.open_table(BY_AGE).map_err(|e| err(e.into()))?;
        txn.open_table(EXPIRY).map_err(|e| err(e.into()))?;
        txn.open_table(PEERS).map_err(|e| err(e.into()))?;
        txn.open_table(MASTER_SECRET).map_err(|e| err(e.into()))?;
    }
    txn.commit().map_err(|e| err(e.into()))
}
