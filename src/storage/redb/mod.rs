//! Durable [`Storage`] on one redb file, `<data_dir>/novakms.redb` (design.md §4).
//!
//! On-disk layout (schema version [`SCHEMA_VERSION`] = 1, written with redb 4.x: file format v3
//! and redb 3.0's tuple encoding):
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | `&str` | `&[u8]`: `"schema_version"` → u32 LE; `"last_seq"` → u64 LE (highest change sequence ever assigned); `"binding"` → [`ClusterBinding`] as JSON; `"restored"` → [`super::RestoreMarker`] as JSON, only between a restore and the node's rejoin (added within schema 1: older builds ignore the key); `"pull_cursor/<peer wallet>"` → u64 LE, the peer's change-log sequence pulled up to ([`super::Storage::pull_cursor`], also added within schema 1); `"pull_log/<peer wallet>"` → 32 lowercase hex ASCII bytes, the peer's log id that cursor belongs to (absent for a cursor without one); `"log_id"` → 32 lowercase hex ASCII bytes, this database's change-log identity ([`super::Storage::log_id`]; written at creation, or on the first read-write open of an older file; both added within schema 1) |
//! | `records` | `(app_id u64, key &str)` | record in the format of [`super::codec`] (checksummed) |
//! | `changes` | `seq u64` | `(app_id, key)`: latest change per key, only keys with a record |
//! | `change_index` | `(app_id, key)` | its `seq` in `changes` |
//! | `change_origin` | `seq u64` | `&str`: wallet of the peer a merged record came from (only entries stored exactly as received; see [`Storage::merge_remote_from`]) |
//! | `usage` | `app_id` | `(bytes, live_keys, tombstones)`; row present iff the app holds a record |
//! | `by_age` | `(app_id, kind u8 (0 value, 1 tombstone), updated_at_ms, key)` | `(cost, expires_at_ms or u64::MAX)`: eviction order, listing, tombstone purge |
//! | `expiry` | `(expires_at_ms, app_id, key)` | kind u8: records with a finite expiry, for purge and stats |
//! | `peers` | peer wallet `&str` | `(acked_seq, last_success_ms)` |
//! | `master_secret` | `"sealed"` | the sealed blob |
//!
//! Every write is one transaction with `Durability::Immediate`, two-phase commit and quick
//! repair; methods return only after the commit returned. redb's exclusive file lock is the
//! single-instance guard. `change_origin` was added within schema 1: opening a schema-1 file
//! without it creates the (empty) table, which means "origin unknown" for every existing entry
//! (at worst one harmless echo). Opening verifies the whole database (schema version, every record's
//! checksum, every index and counter) and fails closed: corruption is an `Integrity` error, never
//! skipped records; after an orderly close of a file untouched since, the open skips that
//! O(records) check (`clean`, issue 12 item 5).
//!
//! A database written with redb 2.x (novakms 0.1.0; same schema, older tuple encoding that redb
//! 4.x cannot read) is upgraded in place on the first open, before anything else: see `upgrade`
//! for how it is detected without writing the file and why a crash mid-upgrade loses nothing.
//!
//! The code is split by concern: this file holds the [`RedbStorage`] type, opening (with the
//! schema version check and migrations); `file` creates and opens the file itself, `tables`
//! names the tables, `errors` maps redb errors, `upgrade` moves a redb 2.x file to redb 4.x,
//! `readonly` opens a database only to look at it without writing it
//! ([`RedbStorage::open_read_only`]), `handle` runs transactions and reopens after an
//! I/O error, `txn` is one write transaction as an `ops::Tx`, `verify` is the full-file check at
//! open, and `storage_impl` implements [`Storage`] on top of them.

mod clean;
#[cfg(test)]
mod clean_tests;
mod errors;
mod file;
mod handle;
mod overlay;
mod readonly;
#[cfg(test)]
mod readonly_tests;
mod storage_impl;
mod tables;
#[cfg(test)]
mod tests;
mod txn;
mod upgrade;
#[cfg(test)]
mod upgrade_tests;
mod verify;

use std::fs;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

use ::redb::{Database, TableError, WriteTransaction};

use crate::error::{Error, ErrorKind, Result};

pub use self::clean::CLEAN_MARKER_NAME;
use self::errors::{corrupt, open_err, panic_message, read_u32, unwind_corrupt};
use self::file::{builder, check_file, create_new, ensure_dir, open_upgrading};
pub use self::file::{DEFAULT_CACHE_BYTES, MIN_CACHE_BYTES};
use self::handle::Handle;
pub use self::readonly::{ReadOnlyStorage, VIEW_PREFIX};
use self::tables::{read_log_id, CHANGE_ORIGIN, META, META_LOG_ID, META_SCHEMA};
#[cfg(doc)]
use super::{ClusterBinding, Storage};

/// Schema version written by this build. Opening a database with a higher version is refused;
/// a lower one is migrated in order by [`MIGRATIONS`].
pub const SCHEMA_VERSION: u32 = 1;

/// File name of the database inside the data dir.
pub const DB_FILE_NAME: &str = "novakms.redb";

/// Ordered migrations: entry `i` upgrades schema `i + 1` to `i + 2` inside the opening
/// transaction. Empty while [`SCHEMA_VERSION`] is 1.
type Migration = fn(&WriteTransaction) -> std::result::Result<(), String>;
const MIGRATIONS: &[Migration] = &[];

/// The redb-backed store. Open with [`RedbStorage::open`]; the file lock is held until drop.
///
/// After an I/O error (e.g. disk full) redb refuses every further operation until reopened; the
/// next call then waits for in-flight calls, reopens and re-verifies the file, so the node
/// recovers by itself when space returns. The failed write was not acknowledged; every
/// acknowledged write is in the last durable commit.
pub struct RedbStorage {
    /// `None` only while a reopen after an I/O error has failed (retried on the next call).
    db: RwLock<Option<Handle>>,
    path: PathBuf,
    /// Opened by [`RedbStorage::open_read_only`]: reopens read-only, every write is refused.
    read_only: bool,
    broken: AtomicBool,
    /// How [`RedbStorage::recover`] reopens the file: `None` = the normal file backend;
    /// `Some` for a store opened with [`RedbStorage::open_with_backend`].
    reopen: Option<Reopen>,
    /// redb's page cache for this database, bytes ([`RedbStorage::open_with_cache`]); also used
    /// by a reopen after an I/O error.
    cache_bytes: usize,
    /// Serializes write transactions from before the handle is taken until the commit's error
    /// is classified, so no transaction begins on a handle whose previous commit failed: redb
    /// leaves its in-memory allocator state inconsistent after a failed commit and asserts
    /// (panics) in the next commit; the next writer instead sees `broken` and reopens first.
    write_lock: Mutex<()>,
    /// False while the full verification of a file left by an unclean stop is still to run
    /// ([`RedbStorage::open_deferring_check`]): the clean-shutdown marker is then not written,
    /// so a deferred check that never ran or failed is not skipped at the next open.
    verified: AtomicBool,
}

/// Opens the database at the given path on a custom backend (see
/// [`RedbStorage::open_with_backend`]).
type Reopen = Box<dyn Fn(&Path) -> Result<Database> + Send + Sync>;

impl std::fmt::Debug for RedbStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbStorage")
            .field("path", &self.path)
            .finish()
    }
}

impl RedbStorage {
    /// Open (or create) the database in `data_dir` (design.md §4).
    ///
    /// * Creates `data_dir` (mode 0700, parents too) if missing; warns if an existing dir is
    ///   accessible by group/others. Creates `novakms.redb` (mode 0600) fully initialized under
    ///   a temporary name and publishes it atomically, so a file named `novakms.redb` always was a
    ///   complete database; tightens an existing file to 0600.
    /// * A database written with redb 2.x (novakms 0.1.0) is first upgraded to redb 4.x in place
    ///   (issue 10 item 11; the old file is kept as `novakms.redb.old-<UTC time>`, see `upgrade`).
    /// * Verifies the whole database before returning (schema version, every record checksum,
    ///   indexes, usage counters, change log), unless the last close was an orderly
    ///   [`RedbStorage::close_clean`] and the file is untouched since (see `clean`): then only
    ///   the schema version, `last_seq`, the binding and the tables' presence are checked.
    ///
    /// Errors: `InUse` "data dir <dir> is in use by another process (is a novakms node
    /// running?)" when another process (or another handle in this process) holds the file lock;
    /// `Integrity` "database <path> is corrupt: …" for an empty, truncated, garbage or
    /// inconsistent file (also when redb cannot repair it, or panics reading it); `Refused` for
    /// a database created by a newer novakms (schema version above [`SCHEMA_VERSION`]) or a redb
    /// 2.x file holding a table this build does not know; `Local` for other I/O errors.
    pub fn open(data_dir: &Path) -> Result<RedbStorage> {
        Self::open_with_cache(data_dir, DEFAULT_CACHE_BYTES)
    }

    /// [`RedbStorage::open`] with redb's page cache bounded to `cache_bytes` (raised to
    /// [`MIN_CACHE_BYTES`]; the node passes `storage_cache_bytes`). The cache is memory
    /// of this process; it bounds what the database adds to the node's RSS whatever the store
    /// size (issue 12). Errors: those of [`RedbStorage::open`].
    pub fn open_with_cache(data_dir: &Path, cache_bytes: usize) -> Result<RedbStorage> {
        Ok(Self::open_inner(data_dir, cache_bytes, false)?.0)
    }

    /// [`RedbStorage::open_with_cache`] for the node: after a stop that left no clean-shutdown
    /// marker (a kill, a crash; `clean`), only the cheap checks run at open and the full
    /// verification is left to the caller
    /// ([`Storage::verify_full`], which the node runs in the background while it serves:
    /// `node::deferred_check`). Returns the store and whether that verification is due. What
    /// is still found at open: a torn last commit (redb's two-phase commit and checksums, on
    /// every open), a file redb cannot read, a wrong schema, `last_seq` or binding; a record
    /// that fails its checksum is never returned by a read (`codec`). Until the deferred
    /// verification succeeded, closing leaves no clean-shutdown marker. A file changed after a
    /// clean close (a stale marker) is verified in full at open, as by [`RedbStorage::open`].
    /// Errors: those of [`RedbStorage::open`].
    pub fn open_deferring_check(
        data_dir: &Path,
        cache_bytes: usize,
    ) -> Result<(RedbStorage, bool)> {
        Self::open_inner(data_dir, cache_bytes, true)
    }

    fn open_inner(
        data_dir: &Path,
        cache_bytes: usize,
        defer_full_check: bool,
    ) -> Result<(RedbStorage, bool)> {
        ensure_dir(data_dir)?;
        let path = data_dir.join(DB_FILE_NAME);
        let (db, marker) = match fs::metadata(&path) {
            Ok(_) => {
                // Taken (and removed) before redb touches the file: `clean`.
                let marker = clean::take(&path)?;
                (open_upgrading(data_dir, &path, cache_bytes)?, marker)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => (
                create_new(data_dir, &path, cache_bytes)?,
                clean::Marker::Clean,
            ),
            Err(e) => {
                return Err(Error::local(format!(
                    "cannot stat database {}: {e}",
                    path.display()
                )))
            }
        };
        // Only a stop without a marker (kill, crash) may defer: a file changed after a clean
        // close (a stale marker) is suspect and is verified before anything is served.
        let deferred = marker == clean::Marker::Absent && defer_full_check;
        let storage = RedbStorage {
            db: RwLock::new(Some(Handle::Rw(db))),
            path,
            read_only: false,
            broken: AtomicBool::new(false),
            reopen: None,
            cache_bytes,
            write_lock: Mutex::new(()),
            verified: AtomicBool::new(!deferred),
        };
        if marker == clean::Marker::Clean {
            tracing::debug!("database closed cleanly and untouched since: quick open");
            storage.with_db(|db| storage.prepare_quick(db))?;
        } else if deferred {
            tracing::info!(
                "database was not closed cleanly: quick open, full verification deferred"
            );
            storage.with_db(|db| storage.prepare_quick(db))?;
        } else {
            storage.with_db(|db| storage.prepare(db))?;
        }
        // We hold the database exclusively: no read-only view copies it now (see `readonly`).
        readonly::remove_stale_copies(data_dir);
        Ok((storage, deferred))
    }

    /// The full verification ([`Storage::verify_full`]); marks the store verified on success.
    pub(super) fn verify_now(&self) -> Result<()> {
        self.with_db(|db| unwind_corrupt(&self.path, "reading", || self.verify(db)))?;
        self.verified.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Open like [`RedbStorage::open`], but with redb storage backends made by `make_backend`
    /// instead of redb's file backend. **For tests and fault injection** (see
    /// [`super::fault::FaultyBackend`]); the node always uses [`RedbStorage::open`].
    ///
    /// A missing database is first created by the normal path (so it is complete before any
    /// backend sees it), and one written by redb 2.x is upgraded first as in [`RedbStorage::open`].
    /// `make_backend(path)` gets `<data_dir>/novakms.redb` and must open that existing file;
    /// redb takes the file lock through the backend's lock methods (delegate them to
    /// `redb::backends::FileBackend`). It is called again on every reopen after an I/O error
    /// (see the type docs), so injected faults keep applying to the reopened handle. The whole
    /// database is verified as in [`RedbStorage::open`].
    ///
    /// Errors: those of [`RedbStorage::open`] and of `make_backend`.
    pub fn open_with_backend<B, F>(data_dir: &Path, make_backend: F) -> Result<RedbStorage>
    where
        B: ::redb::StorageBackend,
        F: Fn(&Path) -> Result<B> + Send + Sync + 'static,
    {
        ensure_dir(data_dir)?;
        let path = data_dir.join(DB_FILE_NAME);
        if !path.exists() {
            drop(create_new(data_dir, &path, DEFAULT_CACHE_BYTES)?);
        } else {
            check_file(&path)?;
            upgrade::ensure_current(data_dir, &path)?;
        }
        let reopen: Reopen = Box::new(move |p: &Path| {
            let len = fs::metadata(p)
                .map_err(|e| Error::local(format!("cannot stat database {}: {e}", p.display())))?
                .len();
            if len == 0 {
                return Err(corrupt(p, "file is empty (truncated?)"));
            }
            let backend = make_backend(p)?;
            match catch_unwind(AssertUnwindSafe(|| {
                builder(DEFAULT_CACHE_BYTES).create_with_backend(backend)
            })) {
                Ok(Ok(db)) => Ok(db),
                Ok(Err(e)) => Err(open_err(p, e)),
                Err(panic) => Err(corrupt(
                    p,
                    format!("redb failed while opening it: {}", panic_message(&*panic)),
                )),
            }
        });
        let db = reopen(&path)?;
        let storage = RedbStorage {
            db: RwLock::new(Some(Handle::Rw(db))),
            path,
            read_only: false,
            broken: AtomicBool::new(false),
            reopen: Some(reopen),
            cache_bytes: DEFAULT_CACHE_BYTES,
            write_lock: Mutex::new(()),
            verified: AtomicBool::new(true),
        };
        storage.with_db(|db| storage.prepare(db))?;
        Ok(storage)
    }

    /// Path of the database file (`<data_dir>/novakms.redb`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// [`RedbStorage::prepare`] for a file closed cleanly and untouched since (`clean`): the
    /// schema version (migrating older ones) and the cheap checks of `verify_meta`, not the
    /// O(records) verification.
    fn prepare_quick(&self, db: &Handle) -> Result<()> {
        unwind_corrupt(&self.path, "reading", || {
            self.migrate(db)?;
            self.verify_meta(db).map(|_| ())
        })
    }

    /// Check the schema version (migrating older ones), then verify every table. Panics inside
    /// redb on a damaged file become `Integrity` errors.
    fn prepare(&self, db: &Handle) -> Result<()> {
        unwind_corrupt(&self.path, "reading", || {
            self.migrate(db)?;
            self.verify(db)
        })
    }

    fn migrate(&self, db: &Handle) -> Result<()> {
        let version = {
            let txn = self.read_txn_on(db)?;
            let meta = self.open_ro(&txn, META)?;
            let v = meta
                .get(META_SCHEMA)
                .map_err(|e| self.err("reading schema version", e))?
                .ok_or_else(|| corrupt(&self.path, "schema version missing"))?;
            read_u32(&self.path, META_SCHEMA, v.value())?
        };
        if version > SCHEMA_VERSION {
            return Err(Error::new(
                ErrorKind::Refused,
                format!(
                    "database {} was created by a newer novakms (schema version {version}, this \
                     build knows up to {SCHEMA_VERSION})",
                    self.path.display()
                ),
            ));
        }
        if version == 0 {
            return Err(corrupt(&self.path, "schema version 0"));
        }
        if version < SCHEMA_VERSION && self.read_only {
            return Err(Error::new(
                ErrorKind::Refused,
                format!(
                    "database {} has schema version {version} and needs a migration, which a \
                     read-only open does not make",
                    self.path.display()
                ),
            ));
        }
        if version < SCHEMA_VERSION {
            self.write_on(db, |txn| {
                for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize - 1) {
                    m(txn).map_err(|e| {
                        Error::local(format!("schema migration {} -> {}: {e}", i + 1, i + 2))
                    })?;
                }
                let mut meta = txn.open_table(META).map_err(|e| self.err("meta", e))?;
                meta.insert(META_SCHEMA, SCHEMA_VERSION.to_le_bytes().as_slice())
                    .map_err(|e| self.err("writing schema version", e))?;
                Ok::<(), Error>(())
            })?;
            tracing::info!(
                from = version,
                to = SCHEMA_VERSION,
                "database schema migrated"
            );
        }
        self.ensure_change_origin(db)?;
        self.ensure_log_id(db)
    }

    /// Give a database written before change-log ids one (`Storage::log_id`). A read-only
    /// open leaves it without (its pages are never served).
    fn ensure_log_id(&self, db: &Handle) -> Result<()> {
        let missing = {
            let txn = self.read_txn_on(db)?;
            let meta = self.open_ro(&txn, META)?;
            let got = meta
                .get(META_LOG_ID)
                .map_err(|e| self.err("read log id", e))?;
            got.and_then(|g| read_log_id(g.value())).is_none()
        };
        if missing && !self.read_only {
            self.write_on(db, |txn| {
                let mut meta = txn.open_table(META).map_err(|e| self.err("meta", e))?;
                meta.insert(META_LOG_ID, crate::storage::new_log_id().as_bytes())
                    .map_err(|e| self.err("write log id", e))?;
                Ok::<(), Error>(())
            })?;
            tracing::info!("database: gave the change log an identity (log_id)");
        }
        Ok(())
    }

    /// Create the `change_origin` table in a schema-1 file written before it existed. An empty
    /// table means "origin unknown" for every existing change-log entry.
    fn ensure_change_origin(&self, db: &Handle) -> Result<()> {
        let missing = {
            let txn = self.read_txn_on(db)?;
            match txn.open_table(CHANGE_ORIGIN) {
                Ok(_) => false,
                Err(TableError::TableDoesNotExist(_)) => true,
                Err(e) => return Err(self.err("open table change_origin", e)),
            }
        };
        if missing && self.read_only {
            return Err(Error::new(
                ErrorKind::Refused,
                format!(
                    "database {} lacks the change_origin table, which a read-only open does not \
                     create",
                    self.path.display()
                ),
            ));
        }
        if missing {
            self.write_on(db, |txn| {
                txn.open_table(CHANGE_ORIGIN)
                    .map_err(|e| self.err("create table change_origin", e))?;
                Ok::<(), Error>(())
            })?;
            tracing::info!(
                "database: added the change_origin table (replication echo suppression)"
            );
        }
        Ok(())
    }
}
