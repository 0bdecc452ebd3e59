//! Opening a data dir's database only to look at it (`restore`'s target inspection, offline
//! `backup create --data-dir`), without ever writing the file (issue 10 item 11).
//!
//! Why this exists: redb 4 rewrites the file header on every read-write open, repairs a file
//! that was not closed cleanly, and this build upgrades a redb 2.x (novakms 0.1.0) file in place
//! on open. None of that may happen to a database someone only inspects: a refused restore
//! must leave the target byte for byte as it was.
//!
//! Guarantees:
//! * **The database file is never written.** A file that is clean and current is opened with
//!   redb's [`ReadOnlyDatabase`] (a shared lock: a node started meanwhile fails "in use", and a
//!   running node makes the open fail `InUse`). It is verified in full like a normal open.
//! * **A file that needs a repair is read in place through an in-memory view.** The node was
//!   killed, so redb's read-only open refuses it; redb's normal open runs over `overlay`'s
//!   copy-on-write view (the repair's writes stay in this process's memory, bounded), with a
//!   shared `flock` on the file while the view lives, and the full verification as usual.
//! * **A file that cannot be read in place is read from a private copy.** One that redb 2.x
//!   wrote (novakms 0.1.0), that needs a schema migration or the `change_origin` table, or that
//!   needs a repair the view cannot serve (its memory bound) is copied to
//!   `<data_dir>/novakms.redb.view-<pid>-<n>/` (mode 0700) and opened there with the normal open
//!   (repair, upgrade, full verification act on the copy). The original is held with a shared
//!   `flock` for as long as the copy is in use, so a node cannot start on it meanwhile. The copy
//!   is removed when the view is dropped; one left by a killed process is removed by the next
//!   view or the node's next start (each live copy holds a lock on its directory, so only
//!   abandoned ones are removed). The copy costs the file's size in disk space and one copy's
//!   time, only on this unusual path.
//! * **Every write is refused** (`Refused`, nothing written) on a read-only view, whichever way
//!   it was opened.
//!
//! Why not read a 0.1.0 file with redb 2.x read-only instead: the inspection must answer with a
//! verified database (the same check as a normal open), and that check exists for the current
//! format only; a copy upgraded by the very code the node runs gives the same answer the node
//! would get, and restoring into an old node's data dir (binaries upgraded after a disaster)
//! keeps working without first starting a node that would join the cluster.

use std::fs::{self, File};
use std::io;
use std::ops::Deref;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use ::redb::{DatabaseError, ReadOnlyDatabase, ReadableDatabase, TableError};

use crate::error::{Error, Result};

use super::errors::{corrupt, in_use, open_err, panic_message, read_u32};
use super::file::{builder, DEFAULT_CACHE_BYTES};
use super::handle::Handle;
use super::tables::{CHANGE_ORIGIN, META, META_SCHEMA};
use super::upgrade::{copy_file, records_format, Format};
use super::{RedbStorage, DB_FILE_NAME, SCHEMA_VERSION};

/// Name prefix of the private copies (`<prefix><pid>-<n>`, a directory in the data dir).
pub const VIEW_PREFIX: &str = "novakms.redb.view-";

/// Distinguishes the copies of one process.
static NEXT_COPY: AtomicU64 = AtomicU64::new(0);

/// A database opened for reading only (see the module docs); derefs to the [`RedbStorage`],
/// whose every write fails with `Refused`. Dropping it releases the locks and removes the
/// private copy, if one was made.
pub struct ReadOnlyStorage {
    // Field order is drop order: the database before the copy it may live in, and before the
    // lock on the original it may be read through.
    storage: RedbStorage,
    copy: Option<PrivateCopy>,
    /// `flock(LOCK_SH)` on the original while it is read through an in-memory view.
    _source_lock: Option<File>,
}

impl ReadOnlyStorage {
    /// Whether the database is read from a private copy (and why it had to be), or in place.
    pub fn copied_because(&self) -> Option<&str> {
        self.copy.as_ref().map(|c| c.why.as_str())
    }
}

impl Deref for ReadOnlyStorage {
    type Target = RedbStorage;
    fn deref(&self) -> &RedbStorage {
        &self.storage
    }
}

impl std::fmt::Debug for ReadOnlyStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOnlyStorage")
            .field("path", &self.storage.path)
            .field("copied_because", &self.copied_because())
            .finish()
    }
}

/// A private copy directory and the locks that keep it and its original in place.
struct PrivateCopy {
    dir: PathBuf,
    why: String,
    /// `flock(LOCK_EX)` on `dir` itself: a live copy (see [`remove_stale_copies`]).
    _dir_lock: File,
    /// `flock(LOCK_SH)` on the original database: no node starts on it meanwhile.
    _source_lock: File,
}

impl Drop for PrivateCopy {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_dir_all(&self.dir) {
            tracing::warn!(dir = %self.dir.display(), error = %e, "cannot remove the private copy");
        }
    }
}

/// What a read-only open in place found.
enum InPlace {
    Open(RedbStorage),
    /// The last writer was killed: redb's read-only open refuses the file ([`open_view`]).
    NeedsRepair,
    /// The file cannot be read without writing it; why.
    NeedsWrite(String),
}

impl RedbStorage {
    /// Open the database in `data_dir` only to look at it, never writing the file (module docs:
    /// in place with a shared lock when it is clean and current, else from a private copy in
    /// `data_dir`). The whole database is verified as in [`RedbStorage::open`].
    ///
    /// Errors: `Local` "no database in <dir>" when `<data_dir>/novakms.redb` does not exist, and
    /// for I/O errors (the copy included: it needs the file's size free in `data_dir`); `InUse`
    /// when a node holds the database; `Integrity` for a corrupt file; `Refused` for a database
    /// of a newer novakms.
    pub fn open_read_only(data_dir: &Path) -> Result<ReadOnlyStorage> {
        let path = data_dir.join(DB_FILE_NAME);
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(Error::local(format!(
                    "no database in {} (no {DB_FILE_NAME})",
                    data_dir.display()
                )))
            }
            Err(e) => {
                return Err(Error::local(format!(
                    "cannot stat database {}: {e}",
                    path.display()
                )))
            }
        };
        if !meta.is_file() {
            return Err(Error::local(format!(
                "database {} is not a regular file",
                path.display()
            )));
        }
        if meta.len() == 0 {
            return Err(corrupt(&path, "file is empty (truncated?)"));
        }
        match open_in_place(&path)? {
            InPlace::Open(storage) => Ok(ReadOnlyStorage {
                storage,
                copy: None,
                _source_lock: None,
            }),
            InPlace::NeedsRepair => match open_view(data_dir, &path)? {
                Some(v) => Ok(v),
                None => open_copy(
                    data_dir,
                    &path,
                    "it was not closed cleanly and needs a repair".into(),
                ),
            },
            InPlace::NeedsWrite(why) => open_copy(data_dir, &path, why),
        }
    }
}

/// redb's read-only open of `path`: never repairs, upgrades or writes. The outer error is a
/// panic inside redb (Integrity, naming the file); the inner one is redb's own refusal, for the
/// caller to classify (`RepairAborted`, `UpgradeRequired`, …).
pub(super) fn try_open_read_only(
    path: &Path,
) -> Result<std::result::Result<ReadOnlyDatabase, DatabaseError>> {
    catch_unwind(AssertUnwindSafe(|| {
        builder(DEFAULT_CACHE_BYTES).open_read_only(path)
    }))
    .map_err(|p| {
        corrupt(
            path,
            format!("redb failed while opening it: {}", panic_message(&*p)),
        )
    })
}

/// Open `path` with redb's read-only open (no repair, no upgrade): reopening a read-only handle
/// after an I/O error. Errors: those of `open_err`.
pub(super) fn open_existing_read_only(path: &Path) -> Result<ReadOnlyDatabase> {
    try_open_read_only(path)?.map_err(|e| open_err(path, e))
}

fn open_in_place(path: &Path) -> Result<InPlace> {
    let db = match try_open_read_only(path)? {
        Ok(db) => db,
        Err(DatabaseError::RepairAborted) => return Ok(InPlace::NeedsRepair),
        Err(DatabaseError::UpgradeRequired(v)) => {
            return Ok(InPlace::NeedsWrite(format!(
                "it uses redb file format {v} (redb 2.x)"
            )))
        }
        Err(e) => return Err(open_err(path, e)),
    };
    if let Some(why) = needs_write(&db, path)? {
        return Ok(InPlace::NeedsWrite(why));
    }
    Ok(InPlace::Open(verified_view(Handle::Ro(db), path)?))
}

/// A read-only store over `db` (every write refused), verified in full like a normal open.
/// Errors: those of the verification.
fn verified_view(db: Handle, path: &Path) -> Result<RedbStorage> {
    let storage = RedbStorage {
        db: RwLock::new(Some(db)),
        path: path.to_path_buf(),
        read_only: true,
        broken: AtomicBool::new(false),
        reopen: None,
        write_lock: Mutex::new(()),
        verified: std::sync::atomic::AtomicBool::new(true),
        cache_bytes: DEFAULT_CACHE_BYTES,
    };
    storage.with_db(|db| storage.prepare(db))?;
    Ok(storage)
}

/// A shared `flock` on the database at `path` while it is read (a node cannot start on it).
/// Errors: `InUse` when a node holds it; `Local` for I/O errors.
fn lock_source(data_dir: &Path, path: &Path) -> Result<File> {
    let source_lock = File::open(path)
        .map_err(|e| Error::local(format!("cannot open {}: {e}", path.display())))?;
    match fs4::FileExt::try_lock_shared(&source_lock) {
        Ok(()) => Ok(source_lock),
        Err(fs4::TryLockError::WouldBlock) => Err(in_use(data_dir)),
        Err(fs4::TryLockError::Error(e)) => {
            Err(Error::local(format!("cannot lock {}: {e}", path.display())))
        }
    }
}

/// Why the normal open would write this current-format file before reading it, if it would:
/// written by redb 2.x (upgrade), an older schema (migration), no `change_origin` table.
fn needs_write(db: &impl ReadableDatabase, path: &Path) -> Result<Option<String>> {
    if let Format::Legacy(why) = records_format(db, path)? {
        return Ok(Some(format!(
            "it was written by redb 2.x (novakms 0.1.0): {why}"
        )));
    }
    let r = catch_unwind(AssertUnwindSafe(|| -> Result<Option<String>> {
        let e = |e: ::redb::Error| super::errors::redb_err(path, "reading meta", e);
        let txn = db.begin_read().map_err(|x| e(x.into()))?;
        if let Ok(meta) = txn.open_table(META) {
            if let Some(v) = meta.get(META_SCHEMA).map_err(|x| e(x.into()))? {
                let v = read_u32(path, META_SCHEMA, v.value())?;
                if v != 0 && v < SCHEMA_VERSION {
                    return Ok(Some(format!("its schema version {v} needs a migration")));
                }
            }
        }
        match txn.open_table(CHANGE_ORIGIN) {
            Err(TableError::TableDoesNotExist(_)) => {
                Ok(Some("it lacks the change_origin table".into()))
            }
            // Anything else is left to the full verification.
            _ => Ok(None),
        }
    }));
    r.unwrap_or_else(|p| {
        Err(corrupt(
            path,
            format!("redb failed while reading it: {}", panic_message(&*p)),
        ))
    })
}

/// Read a file that needs a repair in place, through an in-memory copy-on-write view
/// (`overlay`: redb's repair writes stay in this process, the file is never written), holding a
/// shared lock on it meanwhile. `None` when the view cannot serve (its memory bound, a file
/// that also needs an upgrade or a migration, an error opening it): the caller copies instead.
/// Errors: `InUse` when a node holds the file; `Integrity` when the full verification fails.
fn open_view(data_dir: &Path, path: &Path) -> Result<Option<ReadOnlyStorage>> {
    let source_lock = lock_source(data_dir, path)?;
    remove_stale_copies(data_dir);
    let Ok(db) = super::overlay::open_database(path, DEFAULT_CACHE_BYTES) else {
        return Ok(None);
    };
    if needs_write(&db, path)?.is_some() {
        return Ok(None);
    }
    let storage = verified_view(Handle::Rw(db), path)?;
    tracing::info!(path = %path.display(), "the database was not closed cleanly; read through an in-memory view (the file is not written)");
    Ok(Some(ReadOnlyStorage {
        storage,
        copy: None,
        _source_lock: Some(source_lock),
    }))
}

/// Open a private copy of `path` (module docs). `why` is logged and kept.
fn open_copy(data_dir: &Path, path: &Path, why: String) -> Result<ReadOnlyStorage> {
    let source_lock = lock_source(data_dir, path)?;
    remove_stale_copies(data_dir);
    let n = NEXT_COPY.fetch_add(1, Ordering::Relaxed);
    let dir = data_dir.join(format!("{VIEW_PREFIX}{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| Error::local(format!("cannot create {}: {e}", dir.display())))?;
    let cleanup = |e: Error| {
        let _ = fs::remove_dir_all(&dir);
        e
    };
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).map_err(|e| {
        cleanup(Error::local(format!(
            "cannot set mode of {}: {e}",
            dir.display()
        )))
    })?;
    let dir_lock = File::open(&dir)
        .and_then(|f| {
            fs4::FileExt::try_lock(&f).map_err(|e| match e {
                fs4::TryLockError::WouldBlock => io::Error::other("locked"),
                fs4::TryLockError::Error(e) => e,
            })?;
            Ok(f)
        })
        .map_err(|e| cleanup(Error::local(format!("cannot lock {}: {e}", dir.display()))))?;
    tracing::info!(
        path = %path.display(),
        reason = %why,
        copy = %dir.display(),
        "the database cannot be read in place without writing it; reading a private copy"
    );
    let copy = PrivateCopy {
        dir,
        why,
        _dir_lock: dir_lock,
        _source_lock: source_lock,
    };
    copy_file(path, &copy.dir.join(DB_FILE_NAME))?;
    let mut storage = RedbStorage::open(&copy.dir)?;
    storage.read_only = true;
    Ok(ReadOnlyStorage {
        storage,
        copy: Some(copy),
        _source_lock: None,
    })
}

/// Remove private copies left by killed processes: those whose directory lock is free.
pub(super) fn remove_stale_copies(data_dir: &Path) {
    let Ok(rd) = fs::read_dir(data_dir) else {
        return;
    };
    for e in rd.flatten() {
        if !e.file_name().to_string_lossy().starts_with(VIEW_PREFIX) {
            continue;
        }
        let Ok(f) = File::open(e.path()) else {
            continue;
        };
        if fs4::FileExt::try_lock(&f).is_ok() {
            tracing::info!(path = %e.path().display(), "removing an abandoned private copy");
            let _ = fs::remove_dir_all(e.path());
        }
    }
}
