//! Durable [`Storage`] on one redb file, `<data_dir>/novakms.redb` (design.md §4).
//!
//! On-disk layout (schema version [`SCHEMA_VERSION`] = 1, redb file format v3):
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | `&str` | `&[u8]`: `"schema_version"` → u32 LE; `"last_seq"` → u64 LE (highest change sequence ever assigned); `"binding"` → [`ClusterBinding`] as JSON |
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
//! skipped records.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard};

use ::redb::{
    Builder, Database, DatabaseError, Durability, ReadTransaction, ReadableTable,
    ReadableTableMetadata, Table, TableDefinition, TableError, WriteTransaction,
};

use crate::error::{Error, ErrorKind, Result};
use crate::store::{Limits, MergeReport, Record};

use super::codec::{decode_record, encode_record};
use super::ops::{self, adjust_usage, Tx};
use super::{
    AppUsage, ChangePage, ClusterBinding, LocalOutcome, LocalWrite, PeerCursor, PutOutcome,
    Storage, StoreStats, WriteError,
};

/// Schema version written by this build. Opening a database with a higher version is refused;
/// a lower one is migrated in order by [`MIGRATIONS`].
pub const SCHEMA_VERSION: u32 = 1;

/// File name of the database inside the data dir.
pub const DB_FILE_NAME: &str = "novakms.redb";

/// Ordered migrations: entry `i` upgrades schema `i + 1` to `i + 2` inside the opening
/// transaction. Empty while [`SCHEMA_VERSION`] is 1.
type Migration = fn(&WriteTransaction) -> std::result::Result<(), String>;
const MIGRATIONS: &[Migration] = &[];

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const RECORDS: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("records");
const CHANGES: TableDefinition<u64, (u64, &str)> = TableDefinition::new("changes");
const CHANGE_INDEX: TableDefinition<(u64, &str), u64> = TableDefinition::new("change_index");
const CHANGE_ORIGIN: TableDefinition<u64, &str> = TableDefinition::new("change_origin");
const USAGE: TableDefinition<u64, (u64, u64, u64)> = TableDefinition::new("usage");
const BY_AGE: TableDefinition<(u64, u8, u64, &str), (u64, u64)> = TableDefinition::new("by_age");
const EXPIRY: TableDefinition<(u64, u64, &str), u8> = TableDefinition::new("expiry");
const PEERS: TableDefinition<&str, (u64, u64)> = TableDefinition::new("peers");
const MASTER_SECRET: TableDefinition<&str, &[u8]> = TableDefinition::new("master_secret");

const META_SCHEMA: &str = "schema_version";
const META_LAST_SEQ: &str = "last_seq";
const META_BINDING: &str = "binding";
const SECRET_KEY: &str = "sealed";

const KIND_VALUE: u8 = 0;
const KIND_TOMBSTONE: u8 = 1;

/// Map a redb error like [`redb_err`], and flag the handle as broken on an I/O error: redb then
/// refuses every later operation (`PreviousIo`) until the database is reopened, which the next
/// operation does (see `RedbStorage::recover`).
fn classify(broken: &AtomicBool, path: &Path, ctx: &str, e: impl Into<::redb::Error>) -> Error {
    let e: ::redb::Error = e.into();
    if matches!(e, ::redb::Error::Io(_) | ::redb::Error::PreviousIo) {
        broken.store(true, Ordering::Release);
    }
    redb_err(path, ctx, e)
}

/// Error mapper for storage errors inside a write transaction.
fn werr<'a>(path: &'a Path, broken: &'a AtomicBool) -> impl Fn(::redb::StorageError) -> Error + 'a {
    move |e| classify(broken, path, "write", e)
}

fn kind(rec: &Record) -> u8 {
    if rec.tombstone {
        KIND_TOMBSTONE
    } else {
        KIND_VALUE
    }
}

/// The redb-backed store. Open with [`RedbStorage::open`]; the file lock is held until drop.
///
/// After an I/O error (e.g. disk full) redb refuses every further operation until reopened; the
/// next call then waits for in-flight calls, reopens and re-verifies the file, so the node
/// recovers by itself when space returns. The failed write was not acknowledged; every
/// acknowledged write is in the last durable commit.
pub struct RedbStorage {
    /// `None` only while a reopen after an I/O error has failed (retried on the next call).
    db: RwLock<Option<Database>>,
    path: PathBuf,
    broken: AtomicBool,
    /// How [`RedbStorage::recover`] reopens the file: `None` = the normal file backend;
    /// `Some` for a store opened with [`RedbStorage::open_with_backend`].
    reopen: Option<Reopen>,
    /// Serializes write transactions from before the handle is taken until the commit's error
    /// is classified, so no transaction begins on a handle whose previous commit failed: redb
    /// leaves its in-memory allocator state inconsistent after a failed commit and asserts
    /// (panics) in the next commit; the next writer instead sees `broken` and reopens first.
    write_lock: Mutex<()>,
}

/// Opens the database at the given path on a custom backend (see
/// [`RedbStorage::open_with_backend`]).
type Reopen = Box<dyn Fn(&Path) -> Result<Database> + Send + Sync>;

/// A read transaction plus the guard that keeps the database from being reopened under it.
struct ReadView<'a> {
    txn: ReadTransaction,
    _guard: RwLockReadGuard<'a, Option<Database>>,
}

impl std::ops::Deref for ReadView<'_> {
    type Target = ReadTransaction;
    fn deref(&self) -> &ReadTransaction {
        &self.txn
    }
}

impl std::fmt::Debug for RedbStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbStorage")
            .field("path", &self.path)
            .finish()
    }
}

/// Map any redb error to a crate error: corruption -> `Integrity`, lock held -> `InUse`,
/// everything else (I/O, disk full) -> `Local`.
fn redb_err(path: &Path, ctx: &str, e: impl Into<::redb::Error>) -> Error {
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

fn in_use(dir: &Path) -> Error {
    Error::new(
        ErrorKind::InUse,
        format!(
            "data dir {} is in use by another process (is a novakms node running?)",
            dir.display()
        ),
    )
}

fn corrupt(path: &Path, what: impl Display) -> Error {
    Error::integrity(format!("database {} is corrupt: {what}", path.display()))
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

fn read_u64(path: &Path, what: &str, b: &[u8]) -> Result<u64> {
    let a: [u8; 8] = b
        .try_into()
        .map_err(|_| corrupt(path, format!("meta {what} has {} bytes", b.len())))?;
    Ok(u64::from_le_bytes(a))
}

fn read_u32(path: &Path, what: &str, b: &[u8]) -> Result<u32> {
    let a: [u8; 4] = b
        .try_into()
        .map_err(|_| corrupt(path, format!("meta {what} has {} bytes", b.len())))?;
    Ok(u32::from_le_bytes(a))
}

fn fsync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

fn builder() -> Builder {
    let mut b = Builder::new();
    b.create_with_file_format_v3(true);
    b.set_repair_callback(|session| {
        tracing::warn!(
            progress = session.progress(),
            "database was not closed cleanly; redb is repairing it"
        );
    });
    b
}

impl RedbStorage {
    /// Open (or create) the database in `data_dir` (design.md §4).
    ///
    /// * Creates `data_dir` (mode 0700, parents too) if missing; warns if an existing dir is
    ///   accessible by group/others. Creates `novakms.redb` (mode 0600) fully initialized under
    ///   a temporary name and publishes it atomically, so a file named `novakms.redb` always was a
    ///   complete database; tightens an existing file to 0600.
    /// * Verifies the whole database before returning (schema version, every record checksum,
    ///   indexes, usage counters, change log).
    ///
    /// Errors: `InUse` "data dir <dir> is in use by another process (is a novakms node
    /// running?)" when another process (or another handle in this process) holds the file lock;
    /// `Integrity` "database <path> is corrupt: …" for an empty, truncated, garbage or
    /// inconsistent file (also when redb cannot repair it, or panics reading it); `Refused` for
    /// a database created by a newer novakms (schema version above [`SCHEMA_VERSION`]) or in an
    /// unsupported redb file format; `Local` for other I/O errors.
    pub fn open(data_dir: &Path) -> Result<RedbStorage> {
        ensure_dir(data_dir)?;
        let path = data_dir.join(DB_FILE_NAME);
        let db = match fs::metadata(&path) {
            Ok(_) => open_existing(&path)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => create_new(data_dir, &path)?,
            Err(e) => {
                return Err(Error::local(format!(
                    "cannot stat database {}: {e}",
                    path.display()
                )))
            }
        };
        let storage = RedbStorage {
            db: RwLock::new(Some(db)),
            path,
            broken: AtomicBool::new(false),
            reopen: None,
            write_lock: Mutex::new(()),
        };
        storage.with_db(|db| storage.prepare(db))?;
        Ok(storage)
    }

    /// Open like [`RedbStorage::open`], but with redb storage backends made by `make_backend`
    /// instead of redb's file backend. **For tests and fault injection** (see
    /// [`super::fault::FaultyBackend`]); the node always uses [`RedbStorage::open`].
    ///
    /// A missing database is first created by the normal path (so it is complete before any
    /// backend sees it). `make_backend(path)` gets `<data_dir>/novakms.redb` and must open that
    /// existing file and take its lock; it is called again on every reopen after an I/O error
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
            drop(create_new(data_dir, &path)?);
        }
        let reopen: Reopen = Box::new(move |p: &Path| {
            let len = fs::metadata(p)
                .map_err(|e| Error::local(format!("cannot stat database {}: {e}", p.display())))?
                .len();
            if len == 0 {
                return Err(corrupt(p, "file is empty (truncated?)"));
            }
            let backend = make_backend(p)?;
            match catch_unwind(AssertUnwindSafe(|| builder().create_with_backend(backend))) {
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
            db: RwLock::new(Some(db)),
            path,
            broken: AtomicBool::new(false),
            reopen: Some(reopen),
            write_lock: Mutex::new(()),
        };
        storage.with_db(|db| storage.prepare(db))?;
        Ok(storage)
    }

    /// Path of the database file (`<data_dir>/novakms.redb`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Check the schema version (migrating older ones), then verify every table. Panics inside
    /// redb on a damaged file become `Integrity` errors.
    fn prepare(&self, db: &Database) -> Result<()> {
        match catch_unwind(AssertUnwindSafe(|| {
            self.migrate(db)?;
            self.verify(db)
        })) {
            Ok(r) => r,
            Err(p) => Err(corrupt(
                &self.path,
                format!("redb failed while reading it: {}", panic_message(&*p)),
            )),
        }
    }

    fn migrate(&self, db: &Database) -> Result<()> {
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
        self.ensure_change_origin(db)
    }

    /// Create the `change_origin` table in a schema-1 file written before it existed. An empty
    /// table means "origin unknown" for every existing change-log entry.
    fn ensure_change_origin(&self, db: &Database) -> Result<()> {
        let missing = {
            let txn = self.read_txn_on(db)?;
            match txn.open_table(CHANGE_ORIGIN) {
                Ok(_) => false,
                Err(TableError::TableDoesNotExist(_)) => true,
                Err(e) => return Err(self.err("open table change_origin", e)),
            }
        };
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

    /// Full consistency check of the database (run at open; also usable by `backup verify` of an
    /// offline data dir through [`RedbStorage::open`]). Errors: `Integrity` naming the first
    /// inconsistency.
    fn verify(&self, db: &Database) -> Result<()> {
        let p = &self.path;
        let txn = self.read_txn_on(db)?;
        let meta = self.open_ro(&txn, META)?;
        let last_seq = match meta.get(META_LAST_SEQ).map_err(|e| self.err("meta", e))? {
            Some(v) => read_u64(p, META_LAST_SEQ, v.value())?,
            None => return Err(corrupt(p, "last_seq missing")),
        };
        if let Some(b) = meta.get(META_BINDING).map_err(|e| self.err("meta", e))? {
            serde_json::from_slice::<ClusterBinding>(b.value())
                .map_err(|e| corrupt(p, format!("cluster binding: {e}")))?;
        }
        let records = self.open_ro(&txn, RECORDS)?;
        let changes = self.open_ro(&txn, CHANGES)?;
        let change_index = self.open_ro(&txn, CHANGE_INDEX)?;
        let change_origin = self.open_ro(&txn, CHANGE_ORIGIN)?;
        let usage = self.open_ro(&txn, USAGE)?;
        let by_age = self.open_ro(&txn, BY_AGE)?;
        let expiry = self.open_ro(&txn, EXPIRY)?;
        let peers = self.open_ro(&txn, PEERS)?;
        let secret = self.open_ro(&txn, MASTER_SECRET)?;
        let e = |e: ::redb::StorageError| self.err("verifying", e);

        let mut computed: BTreeMap<u64, AppUsage> = BTreeMap::new();
        let mut n_records = 0u64;
        let mut n_expiring = 0u64;
        for item in records.iter().map_err(e)? {
            let (k, v) = item.map_err(e)?;
            let (app, key) = k.value();
            let rec = decode_record(app, key, v.value())
                .map_err(|m| corrupt(p, format!("record (app {app}, key {key:?}): {m}")))?;
            n_records += 1;
            let u = computed.entry(app).or_default();
            *u = adjust_usage(*u, None, Some(&rec))?;
            let expires = rec.expires_at_ms();
            let want = (rec.cost(), expires.unwrap_or(u64::MAX));
            let got = by_age
                .get((app, kind(&rec), rec.updated_at_ms, key))
                .map_err(e)?
                .map(|g| g.value());
            if got != Some(want) {
                return Err(corrupt(
                    p,
                    format!("age index out of step (app {app}, key {key:?})"),
                ));
            }
            if let Some(at) = expires {
                n_expiring += 1;
                let got = expiry.get((at, app, key)).map_err(e)?.map(|g| g.value());
                if got != Some(kind(&rec)) {
                    return Err(corrupt(
                        p,
                        format!("expiry index out of step (app {app}, key {key:?})"),
                    ));
                }
            }
            let seq = change_index.get((app, key)).map_err(e)?.map(|g| g.value());
            let Some(seq) = seq else {
                return Err(corrupt(
                    p,
                    format!("change log misses (app {app}, key {key:?})"),
                ));
            };
            let back = changes.get(seq).map_err(e)?;
            if back.as_ref().map(|g| g.value()) != Some((app, key)) {
                return Err(corrupt(p, format!("change log out of step at seq {seq}")));
            }
        }
        if by_age.len().map_err(e)? != n_records || expiry.len().map_err(e)? != n_expiring {
            return Err(corrupt(p, "index tables hold entries without records"));
        }
        let mut stored: BTreeMap<u64, AppUsage> = BTreeMap::new();
        for item in usage.iter().map_err(e)? {
            let (k, v) = item.map_err(e)?;
            let (bytes, live_keys, tombstones) = v.value();
            stored.insert(
                k.value(),
                AppUsage {
                    bytes,
                    live_keys,
                    tombstones,
                },
            );
        }
        if stored != computed {
            return Err(corrupt(p, "usage counters do not match the stored records"));
        }
        if changes.len().map_err(e)? != change_index.len().map_err(e)? {
            return Err(corrupt(p, "change log and its index differ in size"));
        }
        for item in changes.iter().map_err(e)? {
            let (k, v) = item.map_err(e)?;
            let seq = k.value();
            let (app, key) = v.value();
            if seq == 0 || seq > last_seq {
                return Err(corrupt(
                    p,
                    format!("change seq {seq} beyond last_seq {last_seq}"),
                ));
            }
            let idx = change_index.get((app, key)).map_err(e)?.map(|g| g.value());
            if idx != Some(seq) {
                return Err(corrupt(p, format!("change log out of step at seq {seq}")));
            }
        }
        if changes.len().map_err(e)? != n_records {
            return Err(corrupt(p, "change log holds entries without records"));
        }
        for item in change_origin.iter().map_err(e)? {
            let (k, v) = item.map_err(e)?;
            let seq = k.value();
            if changes.get(seq).map_err(e)?.is_none() {
                return Err(corrupt(
                    p,
                    format!("change origin without a change-log entry at seq {seq}"),
                ));
            }
            let origin = v.value();
            if origin.is_empty() || origin.len() > crate::store::record::MAX_NODE_ID_BYTES {
                return Err(corrupt(
                    p,
                    format!("change origin at seq {seq} is malformed"),
                ));
            }
        }
        // Fixed-width tables: reading every entry makes redb walk every page.
        for item in peers.iter().map_err(e)? {
            item.map_err(e)?;
        }
        for item in secret.iter().map_err(e)? {
            item.map_err(e)?;
        }
        Ok(())
    }

    fn err(&self, ctx: &str, e: impl Into<::redb::Error>) -> Error {
        classify(&self.broken, &self.path, ctx, e)
    }

    /// After an I/O error: wait for in-flight calls (write lock), drop the handle (releasing the
    /// file lock), reopen and re-verify. On failure the handle stays closed and the next call
    /// retries.
    fn recover(&self) -> Result<()> {
        let mut slot = self
            .db
            .write()
            .map_err(|_| Error::integrity("database handle lock poisoned by an earlier panic"))?;
        if !self.broken.load(Ordering::Acquire) {
            return Ok(()); // another thread recovered meanwhile
        }
        tracing::warn!(path = %self.path.display(), "reopening the database after an I/O error");
        *slot = None;
        let db = match &self.reopen {
            Some(reopen) => reopen(&self.path)?,
            None => open_existing(&self.path)?,
        };
        self.broken.store(false, Ordering::Release);
        if let Err(e) = self.prepare(&db) {
            self.broken.store(true, Ordering::Release);
            return Err(e);
        }
        *slot = Some(db);
        tracing::info!(path = %self.path.display(), "database reopened");
        Ok(())
    }

    fn guard(&self) -> Result<RwLockReadGuard<'_, Option<Database>>> {
        if self.broken.load(Ordering::Acquire) {
            self.recover()?;
        }
        self.db
            .read()
            .map_err(|_| Error::integrity("database handle lock poisoned by an earlier panic"))
    }

    fn closed(&self) -> Error {
        Error::local(format!(
            "database {} is closed after an I/O error and could not be reopened yet",
            self.path.display()
        ))
    }

    /// Run `f` on the open database, holding it for the whole call (see [`RedbStorage::recover`]).
    fn with_db<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Database) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let g = self.guard()?;
        let db = g.as_ref().ok_or_else(|| self.closed())?;
        f(db)
    }

    fn read_txn_on(&self, db: &Database) -> Result<ReadTransaction> {
        db.begin_read()
            .map_err(|e| self.err("begin read transaction", e))
    }

    fn read_txn(&self) -> Result<ReadView<'_>> {
        let g = self.guard()?;
        let db = g.as_ref().ok_or_else(|| self.closed())?;
        let txn = self.read_txn_on(db)?;
        Ok(ReadView { txn, _guard: g })
    }

    fn open_ro<K: ::redb::Key + 'static, V: ::redb::Value + 'static>(
        &self,
        txn: &ReadTransaction,
        def: TableDefinition<K, V>,
    ) -> Result<::redb::ReadOnlyTable<K, V>> {
        txn.open_table(def).map_err(|e| {
            self.err(
                &format!("open table {}", ::redb::TableHandle::name(&def)),
                e,
            )
        })
    }

    /// Run `f` in one durable write transaction and commit; any error aborts (nothing written).
    fn write<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&WriteTransaction) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let _serial = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.with_db(|db| self.write_on(db, f))
    }

    fn write_on<T, E: From<Error>>(
        &self,
        db: &Database,
        f: impl FnOnce(&WriteTransaction) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut txn = db
            .begin_write()
            .map_err(|e| self.err("begin write transaction", e))?;
        txn.set_durability(Durability::Immediate);
        txn.set_two_phase_commit(true);
        txn.set_quick_repair(true);
        let out = f(&txn)?;
        txn.commit().map_err(|e| self.err("commit", e))?;
        Ok(out)
    }

    /// Like [`RedbStorage::write`] with the record tables opened as a [`Tx`].
    fn write_tx<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut WTx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.write(|txn| {
            let mut tx = WTx::open(txn, &self.path, &self.broken)?;
            f(&mut tx)
        })
    }

    fn decode(&self, app: u64, key: &str, bytes: &[u8]) -> Result<Record> {
        decode_record(app, key, bytes)
            .map_err(|m| corrupt(&self.path, format!("record (app {app}, key {key:?}): {m}")))
    }
}

fn ensure_dir(dir: &Path) -> Result<()> {
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

/// Map an error of `Builder::open`/`create_file` for `path`.
fn open_err(path: &Path, e: DatabaseError) -> Error {
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

fn open_existing(path: &Path) -> Result<Database> {
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
    match catch_unwind(AssertUnwindSafe(|| builder().open(path))) {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(e)) => Err(open_err(path, e)),
        Err(p) => Err(corrupt(
            path,
            format!("redb failed while opening it: {}", panic_message(&*p)),
        )),
    }
}

/// Create and initialize a database under a temporary name, then publish it as `path` without
/// ever replacing an existing file (hard link), so `path` only ever names a complete database.
fn create_new(dir: &Path, path: &Path) -> Result<Database> {
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
    let mut fresh = Builder::new();
    fresh.create_with_file_format_v3(true);
    let db = fresh
        .create_file(file)
        .map_err(|e| cleanup(open_err(&tmp, e)))?;
    initialize(&db, &tmp).map_err(cleanup)?;
    match fs::hard_link(&tmp, path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // Another process created it concurrently: use theirs (its lock decides).
            drop(db);
            let _ = fs::remove_file(&tmp);
            return open_existing(path);
        }
        Err(_) => {
            // Filesystem without hard links: fall back to rename (no-replace is then best effort).
            if path.exists() {
                drop(db);
                let _ = fs::remove_file(&tmp);
                return open_existing(path);
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

fn initialize(db: &Database, path: &Path) -> Result<()> {
    let err = |e: ::redb::Error| redb_err(path, "initialize", e);
    let mut txn = db.begin_write().map_err(|e| err(e.into()))?;
    txn.set_durability(Durability::Immediate);
    txn.set_two_phase_commit(true);
    txn.set_quick_repair(true);
    {
        let mut meta = txn.open_table(META).map_err(|e| err(e.into()))?;
        meta.insert(META_SCHEMA, SCHEMA_VERSION.to_le_bytes().as_slice())
            .map_err(|e| err(e.into()))?;
        meta.insert(META_LAST_SEQ, 0u64.to_le_bytes().as_slice())
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

/// The record tables of one write transaction.
struct WTx<'t> {
    path: &'t Path,
    broken: &'t AtomicBool,
    meta: Table<'t, &'static str, &'static [u8]>,
    records: Table<'t, (u64, &'static str), &'static [u8]>,
    changes: Table<'t, u64, (u64, &'static str)>,
    change_index: Table<'t, (u64, &'static str), u64>,
    change_origin: Table<'t, u64, &'static str>,
    usage: Table<'t, u64, (u64, u64, u64)>,
    by_age: Table<'t, (u64, u8, u64, &'static str), (u64, u64)>,
    expiry: Table<'t, (u64, u64, &'static str), u8>,
}

impl<'t> WTx<'t> {
    fn open(txn: &'t WriteTransaction, path: &'t Path, broken: &'t AtomicBool) -> Result<Self> {
        let o = |e: TableError| classify(broken, path, "open table", e);
        Ok(WTx {
            path,
            broken,
            meta: txn.open_table(META).map_err(o)?,
            records: txn.open_table(RECORDS).map_err(o)?,
            changes: txn.open_table(CHANGES).map_err(o)?,
            change_index: txn.open_table(CHANGE_INDEX).map_err(o)?,
            change_origin: txn.open_table(CHANGE_ORIGIN).map_err(o)?,
            usage: txn.open_table(USAGE).map_err(o)?,
            by_age: txn.open_table(BY_AGE).map_err(o)?,
            expiry: txn.open_table(EXPIRY).map_err(o)?,
        })
    }

    fn index(&mut self, app: u64, rec: &Record) -> Result<()> {
        let expires = rec.expires_at_ms();
        self.by_age
            .insert(
                (app, kind(rec), rec.updated_at_ms, rec.key.as_str()),
                (rec.cost(), expires.unwrap_or(u64::MAX)),
            )
            .map_err(werr(self.path, self.broken))?;
        if let Some(at) = expires {
            self.expiry
                .insert((at, app, rec.key.as_str()), kind(rec))
                .map_err(werr(self.path, self.broken))?;
        }
        Ok(())
    }

    fn unindex(&mut self, app: u64, rec: &Record) -> Result<()> {
        self.by_age
            .remove((app, kind(rec), rec.updated_at_ms, rec.key.as_str()))
            .map_err(werr(self.path, self.broken))?;
        if let Some(at) = rec.expires_at_ms() {
            self.expiry
                .remove((at, app, rec.key.as_str()))
                .map_err(werr(self.path, self.broken))?;
        }
        Ok(())
    }

    fn set_usage(&mut self, app: u64, u: AppUsage) -> Result<()> {
        if u == AppUsage::default() {
            self.usage
                .remove(app)
                .map_err(werr(self.path, self.broken))?;
        } else {
            self.usage
                .insert(app, (u.bytes, u.live_keys, u.tombstones))
                .map_err(werr(self.path, self.broken))?;
        }
        Ok(())
    }
}

impl Tx for WTx<'_> {
    fn get(&self, app: u64, key: &str) -> Result<Option<Record>> {
        match self
            .records
            .get((app, key))
            .map_err(werr(self.path, self.broken))?
        {
            Some(g) => decode_record(app, key, g.value())
                .map(Some)
                .map_err(|m| corrupt(self.path, format!("record (app {app}, key {key:?}): {m}"))),
            None => Ok(None),
        }
    }

    fn usage(&self, app: u64) -> Result<AppUsage> {
        Ok(
            match self.usage.get(app).map_err(werr(self.path, self.broken))? {
                Some(g) => {
                    let (bytes, live_keys, tombstones) = g.value();
                    AppUsage {
                        bytes,
                        live_keys,
                        tombstones,
                    }
                }
                None => AppUsage::default(),
            },
        )
    }

    fn put_record(&mut self, app: u64, rec: &Record) -> Result<()> {
        let old = self.get(app, &rec.key)?;
        if let Some(old) = &old {
            self.unindex(app, old)?;
        }
        let bytes = encode_record(app, rec)
            .map_err(|m| Error::local(format!("cannot store record (app {app}): {m}")))?;
        self.records
            .insert((app, rec.key.as_str()), bytes.as_slice())
            .map_err(werr(self.path, self.broken))?;
        self.index(app, rec)?;
        let u = adjust_usage(self.usage(app)?, old.as_ref(), Some(rec))?;
        self.set_usage(app, u)
    }

    fn remove_record(&mut self, app: u64, key: &str) -> Result<Option<Record>> {
        let Some(old) = self.get(app, key)? else {
            return Ok(None);
        };
        self.records
            .remove((app, key))
            .map_err(werr(self.path, self.broken))?;
        self.unindex(app, &old)?;
        let u = adjust_usage(self.usage(app)?, Some(&old), None)?;
        self.set_usage(app, u)?;
        Ok(Some(old))
    }

    fn touch_change(&mut self, app: u64, key: &str, origin: Option<&str>) -> Result<u64> {
        let last = match self
            .meta
            .get(META_LAST_SEQ)
            .map_err(werr(self.path, self.broken))?
        {
            Some(g) => read_u64(self.path, META_LAST_SEQ, g.value())?,
            None => return Err(corrupt(self.path, "last_seq missing")),
        };
        let seq = last
            .checked_add(1)
            .ok_or_else(|| Error::local("change-log sequence exhausted"))?;
        self.meta
            .insert(META_LAST_SEQ, seq.to_le_bytes().as_slice())
            .map_err(werr(self.path, self.broken))?;
        let prev = self
            .change_index
            .insert((app, key), seq)
            .map_err(werr(self.path, self.broken))?
            .map(|g| g.value());
        if let Some(prev) = prev {
            self.changes
                .remove(prev)
                .map_err(werr(self.path, self.broken))?;
            self.change_origin
                .remove(prev)
                .map_err(werr(self.path, self.broken))?;
        }
        self.changes
            .insert(seq, (app, key))
            .map_err(werr(self.path, self.broken))?;
        if let Some(origin) = origin {
            self.change_origin
                .insert(seq, origin)
                .map_err(werr(self.path, self.broken))?;
        }
        Ok(seq)
    }

    fn drop_change(&mut self, app: u64, key: &str) -> Result<()> {
        let prev = self
            .change_index
            .remove((app, key))
            .map_err(werr(self.path, self.broken))?
            .map(|g| g.value());
        if let Some(prev) = prev {
            self.changes
                .remove(prev)
                .map_err(werr(self.path, self.broken))?;
            self.change_origin
                .remove(prev)
                .map_err(werr(self.path, self.broken))?;
        }
        Ok(())
    }

    fn change_seq(&self, app: u64, key: &str) -> Result<Option<u64>> {
        Ok(self
            .change_index
            .get((app, key))
            .map_err(werr(self.path, self.broken))?
            .map(|g| g.value()))
    }

    fn lru_candidates(
        &self,
        app: u64,
        exclude: &str,
        need: u64,
    ) -> Result<Vec<(String, u64, u64)>> {
        let mut out = Vec::new();
        let mut sum = 0u64;
        for item in self
            .by_age
            .range((app, KIND_VALUE, 0u64, "")..)
            .map_err(werr(self.path, self.broken))?
        {
            if sum >= need {
                break;
            }
            let (k, v) = item.map_err(werr(self.path, self.broken))?;
            let (a, kd, updated, key) = k.value();
            if a != app || kd != KIND_VALUE {
                break;
            }
            if key == exclude {
                continue;
            }
            let (cost, _) = v.value();
            sum = sum.saturating_add(cost);
            out.push((key.to_string(), updated, cost));
        }
        Ok(out)
    }

    fn tombstones_oldest(&self, app: u64) -> Result<Vec<(String, u64)>> {
        let mut out = Vec::new();
        for item in self
            .by_age
            .range((app, KIND_TOMBSTONE, 0u64, "")..)
            .map_err(werr(self.path, self.broken))?
        {
            let (k, _) = item.map_err(werr(self.path, self.broken))?;
            let (a, kd, updated, key) = k.value();
            if a != app || kd != KIND_TOMBSTONE {
                break;
            }
            out.push((key.to_string(), updated));
        }
        Ok(out)
    }

    fn expired(&self, now_ms: u64) -> Result<Vec<(u64, String)>> {
        let mut out = Vec::new();
        for item in self
            .expiry
            .range(..(now_ms, 0u64, ""))
            .map_err(werr(self.path, self.broken))?
        {
            let (k, _) = item.map_err(werr(self.path, self.broken))?;
            let (_, app, key) = k.value();
            out.push((app, key.to_string()));
        }
        Ok(out)
    }

    fn apps(&self) -> Result<Vec<u64>> {
        let mut out = Vec::new();
        for item in self.usage.iter().map_err(werr(self.path, self.broken))? {
            let (k, _) = item.map_err(werr(self.path, self.broken))?;
            out.push(k.value());
        }
        Ok(out)
    }
}

impl Storage for RedbStorage {
    fn binding(&self) -> Result<Option<ClusterBinding>> {
        let txn = self.read_txn()?;
        let meta = self.open_ro(&txn, META)?;
        let Some(b) = meta
            .get(META_BINDING)
            .map_err(|e| self.err("read binding", e))?
        else {
            return Ok(None);
        };
        serde_json::from_slice(b.value())
            .map(Some)
            .map_err(|e| corrupt(&self.path, format!("cluster binding: {e}")))
    }

    fn set_binding(&self, b: &ClusterBinding) -> Result<()> {
        let json = serde_json::to_vec(b)
            .map_err(|e| Error::local(format!("cannot encode cluster binding: {e}")))?;
        self.write(|txn| {
            let mut meta = txn.open_table(META).map_err(|e| self.err("meta", e))?;
            meta.insert(META_BINDING, json.as_slice())
                .map_err(|e| self.err("write binding", e))?;
            Ok::<(), Error>(())
        })
    }

    fn put_local(
        &self,
        app_id: u64,
        key: &str,
        value: Vec<u8>,
        ttl_ms: u64,
        node_id: &str,
        now_ms: u64,
        limits: &Limits,
    ) -> Result<PutOutcome, WriteError> {
        self.write_tx(|tx| ops::put_local(tx, app_id, key, value, ttl_ms, node_id, now_ms, limits))
    }

    fn delete_local(
        &self,
        app_id: u64,
        key: &str,
        node_id: &str,
        now_ms: u64,
    ) -> Result<Option<Record>> {
        // Read first so a delete of a missing key does not cost a durable commit.
        match self.get(app_id, key)? {
            Some(r) if r.is_live(now_ms) => {}
            _ => return Ok(None),
        }
        self.write_tx(|tx| ops::delete_local(tx, app_id, key, node_id, now_ms))
    }

    fn apply_local_batch(
        &self,
        ops: Vec<LocalWrite>,
        node_id: &str,
        now_ms: u64,
        limits: &Limits,
    ) -> Result<Vec<std::result::Result<LocalOutcome, WriteError>>> {
        self.write_tx(|tx| ops::apply_local_batch(tx, ops, node_id, now_ms, limits))
    }

    fn get(&self, app_id: u64, key: &str) -> Result<Option<Record>> {
        let txn = self.read_txn()?;
        let records = self.open_ro(&txn, RECORDS)?;
        let got = records
            .get((app_id, key))
            .map_err(|e| self.err("read record", e))?;
        got.map(|g| self.decode(app_id, key, g.value())).transpose()
    }

    fn list_live_keys(&self, app_id: u64, now_ms: u64) -> Result<Vec<String>> {
        let txn = self.read_txn()?;
        let by_age = self.open_ro(&txn, BY_AGE)?;
        let mut keys = Vec::new();
        for item in by_age
            .range((app_id, KIND_VALUE, 0u64, "")..)
            .map_err(|e| self.err("list", e))?
        {
            let (k, v) = item.map_err(|e| self.err("list", e))?;
            let (a, kd, _, key) = k.value();
            if a != app_id || kd != KIND_VALUE {
                break;
            }
            let (_, expires_at) = v.value();
            if now_ms <= expires_at {
                keys.push(key.to_string());
            }
        }
        keys.sort();
        Ok(keys)
    }

    fn merge_remote_from(
        &self,
        app_id: u64,
        records: Vec<Record>,
        limits: &Limits,
        origin: Option<&str>,
    ) -> Result<MergeReport> {
        self.write_tx(|tx| ops::merge_remote(tx, app_id, records, limits, origin))
    }

    fn stats(&self, now_ms: u64) -> Result<StoreStats> {
        let txn = self.read_txn()?;
        let usage = self.open_ro(&txn, USAGE)?;
        let expiry = self.open_ro(&txn, EXPIRY)?;
        let e = |e| self.err("stats", e);
        let mut s = StoreStats::default();
        let mut values = 0u64;
        for item in usage.iter().map_err(e)? {
            let (_, v) = item.map_err(e)?;
            let (bytes, live, _) = v.value();
            s.namespaces += 1;
            s.total_bytes = s.total_bytes.saturating_add(bytes);
            values = values.saturating_add(live);
        }
        let mut expired = 0u64;
        for item in expiry.range(..(now_ms, 0u64, "")).map_err(e)? {
            let (_, v) = item.map_err(e)?;
            if v.value() == KIND_VALUE {
                expired += 1;
            }
        }
        s.total_keys = values.saturating_sub(expired);
        Ok(s)
    }

    fn app_usage(&self, app_id: u64) -> Result<AppUsage> {
        let txn = self.read_txn()?;
        let usage = self.open_ro(&txn, USAGE)?;
        let got = usage.get(app_id).map_err(|e| self.err("usage", e))?;
        Ok(got.map_or_else(AppUsage::default, |g| {
            let (bytes, live_keys, tombstones) = g.value();
            AppUsage {
                bytes,
                live_keys,
                tombstones,
            }
        }))
    }

    fn usage_all(&self) -> Result<BTreeMap<u64, AppUsage>> {
        let txn = self.read_txn()?;
        let usage = self.open_ro(&txn, USAGE)?;
        let mut out = BTreeMap::new();
        for item in usage.iter().map_err(|e| self.err("usage", e))? {
            let (k, v) = item.map_err(|e| self.err("usage", e))?;
            let (bytes, live_keys, tombstones) = v.value();
            out.insert(
                k.value(),
                AppUsage {
                    bytes,
                    live_keys,
                    tombstones,
                },
            );
        }
        Ok(out)
    }

    fn last_seq(&self) -> Result<u64> {
        let txn = self.read_txn()?;
        let meta = self.open_ro(&txn, META)?;
        let got = meta
            .get(META_LAST_SEQ)
            .map_err(|e| self.err("read last_seq", e))?;
        match got {
            Some(g) => read_u64(&self.path, META_LAST_SEQ, g.value()),
            None => Err(corrupt(&self.path, "last_seq missing")),
        }
    }

    fn changes_since(&self, after_seq: u64, max_records: usize) -> Result<Vec<(u64, u64, Record)>> {
        let mut out = Vec::new();
        if max_records == 0 || after_seq == u64::MAX {
            return Ok(out);
        }
        let txn = self.read_txn()?;
        let changes = self.open_ro(&txn, CHANGES)?;
        let records = self.open_ro(&txn, RECORDS)?;
        let e = |e| self.err("changes", e);
        for item in changes.range(after_seq + 1..).map_err(e)? {
            if out.len() >= max_records {
                break;
            }
            let (k, v) = item.map_err(e)?;
            let (app, key) = v.value();
            if let Some(g) = records.get((app, key)).map_err(e)? {
                out.push((k.value(), app, self.decode(app, key, g.value())?));
            }
        }
        Ok(out)
    }

    fn changes_since_excluding(
        &self,
        after_seq: u64,
        max_records: usize,
        exclude_origin: &str,
    ) -> Result<ChangePage> {
        let mut page = ChangePage {
            changes: Vec::new(),
            scanned_to: after_seq,
        };
        if max_records == 0 || after_seq == u64::MAX {
            return Ok(page);
        }
        let txn = self.read_txn()?;
        let meta = self.open_ro(&txn, META)?;
        let changes = self.open_ro(&txn, CHANGES)?;
        let origins = self.open_ro(&txn, CHANGE_ORIGIN)?;
        let records = self.open_ro(&txn, RECORDS)?;
        let e = |e| self.err("changes", e);
        for item in changes.range(after_seq + 1..).map_err(e)? {
            let (k, v) = item.map_err(e)?;
            let seq = k.value();
            if let Some(o) = origins.get(seq).map_err(e)? {
                if o.value() == exclude_origin {
                    continue;
                }
            }
            let (app, key) = v.value();
            if let Some(g) = records.get((app, key)).map_err(e)? {
                page.changes
                    .push((seq, app, self.decode(app, key, g.value())?));
                if page.changes.len() >= max_records {
                    page.scanned_to = seq;
                    return Ok(page);
                }
            }
        }
        let last = match meta.get(META_LAST_SEQ).map_err(e)? {
            Some(g) => read_u64(&self.path, META_LAST_SEQ, g.value())?,
            None => return Err(corrupt(&self.path, "last_seq missing")),
        };
        page.scanned_to = after_seq.max(last);
        Ok(page)
    }

    fn count_changes_since(&self, after_seq: u64, exclude_origin: Option<&str>) -> Result<u64> {
        if after_seq == u64::MAX {
            return Ok(0);
        }
        let txn = self.read_txn()?;
        let changes = self.open_ro(&txn, CHANGES)?;
        let origins = self.open_ro(&txn, CHANGE_ORIGIN)?;
        let e = |e| self.err("changes", e);
        let mut n = 0u64;
        for item in changes.range(after_seq + 1..).map_err(e)? {
            let (k, _) = item.map_err(e)?;
            if let Some(ex) = exclude_origin {
                if let Some(o) = origins.get(k.value()).map_err(e)? {
                    if o.value() == ex {
                        continue;
                    }
                }
            }
            n += 1;
        }
        Ok(n)
    }

    fn peer_cursor(&self, peer_wallet: &str) -> Result<Option<PeerCursor>> {
        let txn = self.read_txn()?;
        let peers = self.open_ro(&txn, PEERS)?;
        let got = peers
            .get(peer_wallet)
            .map_err(|e| self.err("read peer cursor", e))?;
        Ok(got.map(|g| {
            let (acked_seq, last_success_ms) = g.value();
            PeerCursor {
                acked_seq,
                last_success_ms,
            }
        }))
    }

    fn set_peer_cursor(&self, peer_wallet: &str, c: &PeerCursor) -> Result<()> {
        self.write(|txn| {
            let mut peers = txn.open_table(PEERS).map_err(|e| self.err("peers", e))?;
            peers
                .insert(peer_wallet, (c.acked_seq, c.last_success_ms))
                .map_err(|e| self.err("write peer cursor", e))?;
            Ok::<(), Error>(())
        })
    }

    fn load_sealed_master_secret(&self) -> Result<Option<Vec<u8>>> {
        let txn = self.read_txn()?;
        let t = self.open_ro(&txn, MASTER_SECRET)?;
        let got = t
            .get(SECRET_KEY)
            .map_err(|e| self.err("read sealed master secret", e))?;
        Ok(got.map(|g| g.value().to_vec()))
    }

    fn store_sealed_master_secret(&self, blob: &[u8]) -> Result<()> {
        self.write(|txn| {
            let mut t = txn
                .open_table(MASTER_SECRET)
                .map_err(|e| self.err("master_secret", e))?;
            t.insert(SECRET_KEY, blob)
                .map_err(|e| self.err("write sealed master secret", e))?;
            Ok::<(), Error>(())
        })
    }

    fn clear_sealed_master_secret(&self) -> Result<()> {
        self.write(|txn| {
            let mut t = txn
                .open_table(MASTER_SECRET)
                .map_err(|e| self.err("master_secret", e))?;
            t.remove(SECRET_KEY)
                .map_err(|e| self.err("clear sealed master secret", e))?;
            Ok::<(), Error>(())
        })
    }

    fn purge(&self, now_ms: u64, limits: &Limits, min_peer_acked_seq: Option<u64>) -> Result<u64> {
        self.write_tx(|tx| ops::purge(tx, now_ms, limits, min_peer_acked_seq))
    }

    fn snapshot(&self, now_ms: u64) -> Result<BTreeMap<u64, Vec<Record>>> {
        let txn = self.read_txn()?;
        let usage = self.open_ro(&txn, USAGE)?;
        let records = self.open_ro(&txn, RECORDS)?;
        let e = |e| self.err("snapshot", e);
        let mut out: BTreeMap<u64, Vec<Record>> = BTreeMap::new();
        for item in usage.iter().map_err(e)? {
            let (k, _) = item.map_err(e)?;
            out.insert(k.value(), Vec::new());
        }
        for item in records.iter().map_err(e)? {
            let (k, v) = item.map_err(e)?;
            let (app, key) = k.value();
            let rec = self.decode(app, key, v.value())?;
            if !rec.is_expired(now_ms) {
                out.entry(app).or_default().push(rec);
            }
        }
        Ok(out)
    }

    fn export_snapshot(&self, sink: &mut dyn super::backup::ExportSink) -> Result<()> {
        // One read transaction for both passes: the sizes announced in `begin` and the records
        // streamed afterwards come from the same point in time.
        let txn = self.read_txn()?;
        let meta = self.open_ro(&txn, META)?;
        let records = self.open_ro(&txn, RECORDS)?;
        let usage = self.open_ro(&txn, USAGE)?;
        let secret = self.open_ro(&txn, MASTER_SECRET)?;
        let e = |e| self.err("export", e);
        let mut begin = super::backup::ExportBegin::default();
        let get_meta = |k: &str| -> Result<Option<Vec<u8>>> {
            Ok(meta.get(k).map_err(e)?.map(|g| g.value().to_vec()))
        };
        begin.schema_version = match get_meta(META_SCHEMA)? {
            Some(v) => read_u32(&self.path, META_SCHEMA, &v)?,
            None => return Err(corrupt(&self.path, "schema version missing")),
        };
        begin.last_seq = match get_meta(META_LAST_SEQ)? {
            Some(v) => read_u64(&self.path, META_LAST_SEQ, &v)?,
            None => return Err(corrupt(&self.path, "last_seq missing")),
        };
        begin.binding = get_meta(META_BINDING)?
            .map(|b| serde_json::from_slice(&b))
            .transpose()
            .map_err(|err| corrupt(&self.path, format!("cluster binding: {err}")))?;
        begin.sealed_master_secret = secret
            .get(SECRET_KEY)
            .map_err(e)?
            .map(|g| g.value().to_vec());
        for item in usage.iter().map_err(e)? {
            let (k, v) = item.map_err(e)?;
            let (bytes, live_keys, tombstones) = v.value();
            begin.apps.insert(
                k.value(),
                super::backup::AppCounts {
                    records: live_keys,
                    tombstones,
                    bytes,
                },
            );
        }
        for item in records.iter().map_err(e)? {
            let (k, v) = item.map_err(e)?;
            begin.entries += 1;
            begin.key_bytes += k.value().1.len() as u64;
            begin.encoded_bytes += v.value().len() as u64;
        }
        sink.begin(&begin)?;
        for item in records.iter().map_err(e)? {
            let (k, v) = item.map_err(e)?;
            let (app, key) = k.value();
            sink.record(app, key, v.value())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::VectorClock;
    use std::process::Command;

    const N1: &str = "0x1111111111111111111111111111111111111111";
    const CHILD_ENV: &str = "NOVAKMS_TEST_LOCK_CHILD_DIR";

    fn data_dir() -> (tempfile::TempDir, PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("data");
        (t, d)
    }

    fn populate(s: &RedbStorage) {
        let l = Limits::default();
        s.put_local(49, "a", vec![1; 40], 0, N1, 1000, &l).unwrap();
        s.put_local(49, "b", vec![2; 40], 60_000, N1, 1000, &l)
            .unwrap();
        s.delete_local(49, "a", N1, 1001).unwrap().unwrap();
        let r = Record {
            key: "m".into(),
            value: b"NOVAKMS-MARKER-0123456789-NOVAKMS-MARKER".to_vec(),
            version: VectorClock::from([("0x22", 3)]),
            updated_at_ms: 999,
            tombstone: false,
            ttl_ms: 0,
        };
        s.merge_remote(50, vec![r], &l).unwrap();
        s.set_peer_cursor(
            "0x22",
            &PeerCursor {
                acked_seq: 2,
                last_success_ms: 5,
            },
        )
        .unwrap();
        s.store_sealed_master_secret(&[7; 80]).unwrap();
        let small = Limits {
            max_app_bytes: 70,
            ..Limits::default()
        };
        s.put_local(60, "old", vec![0; 30], 0, N1, 1, &small)
            .unwrap();
        let out = s
            .put_local(60, "new", vec![0; 40], 0, N1, 2, &small)
            .unwrap();
        assert_eq!(out.evicted, vec!["old"]);
        s.set_binding(&ClusterBinding {
            chain_id: 31337,
            nova_app_registry: "0xaa".into(),
            kms_registry: "0xbb".into(),
            kms_app_id: 49,
            node_wallet: N1.into(),
        })
        .unwrap();
    }

    #[test]
    fn data_persists_across_reopen() {
        let (_t, dir) = data_dir();
        let s = RedbStorage::open(&dir).unwrap();
        populate(&s);
        let snap = s.snapshot(2000).unwrap();
        let seq = s.last_seq().unwrap();
        let changes = s.changes_since(0, 100).unwrap();
        let binding = s.binding().unwrap();
        let stats = s.stats(2000).unwrap();
        drop(s);
        let s = RedbStorage::open(&dir).unwrap();
        assert_eq!(s.snapshot(2000).unwrap(), snap);
        assert_eq!(s.last_seq().unwrap(), seq);
        assert_eq!(s.changes_since(0, 100).unwrap(), changes);
        assert_eq!(s.binding().unwrap(), binding);
        assert_eq!(s.stats(2000).unwrap(), stats);
        assert_eq!(s.load_sealed_master_secret().unwrap(), Some(vec![7; 80]));
        assert_eq!(s.peer_cursor("0x22").unwrap().unwrap().acked_seq, 2);
        assert_eq!(s.path(), dir.join(DB_FILE_NAME));
        // clocks continue after reopen
        let r = s
            .put_local(49, "b", vec![3], 0, N1, 3000, &Limits::default())
            .unwrap();
        assert_eq!(r.record.version, VectorClock::from([(N1, 2)]));
        assert_eq!(s.last_seq().unwrap(), seq + 1);
    }

    #[test]
    fn creates_private_dir_and_file_without_leftovers() {
        let (_t, dir) = data_dir();
        let nested = dir.join("deeper");
        let s = RedbStorage::open(&nested).unwrap();
        let dmode = fs::metadata(&nested).unwrap().permissions().mode() & 0o777;
        let fmode = fs::metadata(s.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!((dmode, fmode), (0o700, 0o600));
        let names: Vec<String> = fs::read_dir(&nested)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec![DB_FILE_NAME.to_string()]);
        drop(s);
        // an existing file with a loose mode is tightened
        let file = nested.join(DB_FILE_NAME);
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        let _s = RedbStorage::open(&nested).unwrap();
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn second_open_in_same_process_is_in_use() {
        let (_t, dir) = data_dir();
        let first = RedbStorage::open(&dir).unwrap();
        let e = RedbStorage::open(&dir).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InUse, "{e}");
        assert_eq!(
            e.message(),
            format!(
                "data dir {} is in use by another process (is a novakms node running?)",
                dir.display()
            )
        );
        drop(first);
        RedbStorage::open(&dir).unwrap();
    }

    /// Helper run in a child process by `second_process_is_in_use`; a no-op otherwise.
    #[test]
    fn lock_child_helper() {
        let Ok(dir) = std::env::var(CHILD_ENV) else {
            return;
        };
        match RedbStorage::open(Path::new(&dir)) {
            Ok(_) => println!("CHILD-RESULT:opened"),
            Err(e) if e.kind() == ErrorKind::InUse => println!("CHILD-RESULT:in-use"),
            Err(e) => println!("CHILD-RESULT:error:{e}"),
        }
    }

    fn run_child(dir: &Path) -> String {
        let test = concat!(module_path!(), "::lock_child_helper");
        let test = test.split_once("::").map_or(test, |(_, rest)| rest);
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", test, "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        stdout
            .lines()
            .find_map(|l| l.split_once("CHILD-RESULT:").map(|(_, r)| r.to_string()))
            .unwrap_or_else(|| panic!("child did not report: {stdout}"))
    }

    const DISK_FULL_ENV: &str = "NOVAKMS_TEST_DISK_FULL_DIR";

    fn set_fsize_limit(cur: libc::rlim_t) {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: plain libc calls on a valid, initialized struct.
        unsafe {
            assert_eq!(libc::getrlimit(libc::RLIMIT_FSIZE, &mut lim), 0);
            lim.rlim_cur = cur.min(lim.rlim_max);
            assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &lim), 0);
        }
    }

    /// Helper run in a child process by `disk_full_fails_writes_then_recovers`: the file-size
    /// limit makes every write beyond the current size fail (EFBIG), like a full disk.
    #[test]
    fn disk_full_child_helper() {
        let Ok(dir) = std::env::var(DISK_FULL_ENV) else {
            return;
        };
        // SAFETY: ignoring SIGXFSZ so the write fails with EFBIG instead of killing us.
        unsafe {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        }
        let dir = PathBuf::from(dir);
        let l = Limits {
            max_app_bytes: u64::MAX,
            ..Limits::default()
        };
        let s = RedbStorage::open(&dir).unwrap();
        s.put_local(1, "first", vec![1; 100], 0, N1, 1, &l).unwrap();
        let size = fs::metadata(s.path()).unwrap().len();
        set_fsize_limit(size as libc::rlim_t);
        let mut acked = vec!["first".to_string()];
        let mut failure = None;
        for i in 0..200 {
            let key = format!("k{i}");
            match s.put_local(1, &key, vec![i as u8; 200_000], 0, N1, 2, &l) {
                Ok(_) => acked.push(key),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let failure = failure.expect("writes never failed under the file-size limit");
        let WriteError::Storage(e) = failure else {
            panic!("unexpected error {failure:?}");
        };
        assert_eq!(e.kind(), ErrorKind::Local, "{e}");
        // Still full: further writes fail cleanly, nothing panics.
        assert!(s
            .put_local(1, "more", vec![0; 200_000], 0, N1, 3, &l)
            .is_err());
        // Space returns: the handle reopens itself and writes succeed again.
        set_fsize_limit(libc::RLIM_INFINITY);
        s.put_local(1, "after", vec![2; 100], 0, N1, 4, &l).unwrap();
        acked.push("after".into());
        for k in &acked {
            assert!(s.get(1, k).unwrap().is_some(), "acknowledged {k} lost");
        }
        drop(s);
        let s = RedbStorage::open(&dir).unwrap();
        for k in &acked {
            assert!(
                s.get(1, k).unwrap().is_some(),
                "acknowledged {k} lost after reopen"
            );
        }
        println!("CHILD-RESULT:ok {} acked, failure: {e}", acked.len());
    }

    #[test]
    fn disk_full_fails_writes_then_recovers() {
        let (_t, dir) = data_dir();
        let test = concat!(module_path!(), "::disk_full_child_helper");
        let test = test.split_once("::").map_or(test, |(_, rest)| rest);
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", test, "--nocapture", "--test-threads=1"])
            .env(DISK_FULL_ENV, &dir)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("CHILD-RESULT:ok"),
            "child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn recovers_after_the_handle_is_flagged_broken() {
        let (_t, dir) = data_dir();
        let s = RedbStorage::open(&dir).unwrap();
        populate(&s);
        let snap = s.snapshot(0).unwrap();
        s.broken.store(true, Ordering::Release);
        assert_eq!(s.snapshot(0).unwrap(), snap);
        assert!(!s.broken.load(Ordering::Acquire));
        s.put_local(49, "z", vec![1], 0, N1, 5, &Limits::default())
            .unwrap();
    }

    #[test]
    fn second_process_is_in_use() {
        let (_t, dir) = data_dir();
        let s = RedbStorage::open(&dir).unwrap();
        assert_eq!(run_child(&dir), "in-use");
        drop(s);
        assert_eq!(run_child(&dir), "opened");
    }

    fn assert_integrity(dir: &Path, why: &str) -> Error {
        let e = RedbStorage::open(dir).expect_err(why);
        assert_eq!(e.kind(), ErrorKind::Integrity, "{why}: {e}");
        assert!(e.message().contains("is corrupt"), "{why}: {e}");
        e
    }

    #[test]
    fn empty_and_garbage_files_are_refused() {
        let (_t, dir) = data_dir();
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join(DB_FILE_NAME);
        fs::write(&file, b"").unwrap();
        assert_integrity(&dir, "empty file");
        let mut x: u32 = 12345;
        let garbage: Vec<u8> = (0..65536)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect();
        fs::write(&file, &garbage).unwrap();
        assert_integrity(&dir, "garbage file");
        fs::write(&file, b"redb").unwrap();
        assert_integrity(&dir, "tiny file");
    }

    #[test]
    fn truncated_files_are_refused() {
        let (_t, dir) = data_dir();
        let s = RedbStorage::open(&dir).unwrap();
        populate(&s);
        drop(s);
        let file = dir.join(DB_FILE_NAME);
        let full = fs::read(&file).unwrap();
        for len in [full.len() / 2, 4096, 1000, 100] {
            fs::write(&file, &full[..len]).unwrap();
            let r = RedbStorage::open(&dir);
            let e = r.expect_err("truncated file opened");
            assert!(
                matches!(e.kind(), ErrorKind::Integrity),
                "truncated to {len}: {e}"
            );
        }
    }

    fn noise(len: usize, seed: u32) -> Vec<u8> {
        let mut x = seed;
        (0..len)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect()
    }

    #[test]
    fn valid_header_with_garbage_pages_is_refused_without_panic() {
        for (start, seed) in [(4096usize, 1u32), (9, 2), (64, 3), (512, 4)] {
            let (_t, dir) = data_dir();
            let s = RedbStorage::open(&dir).unwrap();
            populate(&s);
            drop(s);
            let file = dir.join(DB_FILE_NAME);
            let mut bytes = fs::read(&file).unwrap();
            let n = bytes.len() - start;
            bytes[start..].copy_from_slice(&noise(n, seed));
            fs::write(&file, &bytes).unwrap();
            let e = RedbStorage::open(&dir).expect_err("garbage pages opened");
            assert!(
                matches!(e.kind(), ErrorKind::Integrity),
                "garbage from {start}: {e}"
            );
        }
    }

    #[test]
    fn flipped_record_bytes_are_refused() {
        let (_t, dir) = data_dir();
        let s = RedbStorage::open(&dir).unwrap();
        populate(&s);
        drop(s);
        let file = dir.join(DB_FILE_NAME);
        let mut bytes = fs::read(&file).unwrap();
        let marker = b"NOVAKMS-MARKER-0123456789-NOVAKMS-MARKER";
        let mut hits = 0;
        let mut i = 0;
        while i + marker.len() <= bytes.len() {
            if &bytes[i..i + marker.len()] == marker {
                bytes[i + 10] ^= 0x01;
                hits += 1;
            }
            i += 1;
        }
        assert!(hits > 0, "marker not found in file");
        fs::write(&file, &bytes).unwrap();
        let e = assert_integrity(&dir, "flipped value byte");
        assert!(e.message().contains("checksum"), "{e}");
    }

    #[test]
    fn foreign_redb_file_is_refused() {
        let (_t, dir) = data_dir();
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join(DB_FILE_NAME);
        {
            let db = Database::create(&file).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let def: TableDefinition<u64, u64> = TableDefinition::new("other");
                txn.open_table(def).unwrap().insert(1, 2).unwrap();
            }
            txn.commit().unwrap();
        }
        assert_integrity(&dir, "foreign redb file");
    }

    #[test]
    fn newer_schema_is_refused() {
        let (_t, dir) = data_dir();
        let s = RedbStorage::open(&dir).unwrap();
        s.write(|txn| {
            let mut meta = txn.open_table(META).unwrap();
            meta.insert(META_SCHEMA, 2u32.to_le_bytes().as_slice())
                .unwrap();
            Ok::<(), Error>(())
        })
        .unwrap();
        drop(s);
        let e = RedbStorage::open(&dir).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
        assert!(e.message().contains("created by a newer novakms"), "{e}");
    }

    #[test]
    fn inconsistent_counters_or_indexes_are_refused() {
        let (_t, dir) = data_dir();
        let s = RedbStorage::open(&dir).unwrap();
        populate(&s);
        s.write(|txn| {
            let mut usage = txn.open_table(USAGE).unwrap();
            usage.insert(49, (1, 1, 1)).unwrap();
            Ok::<(), Error>(())
        })
        .unwrap();
        drop(s);
        let e = assert_integrity(&dir, "usage tampered");
        assert!(e.message().contains("usage counters"), "{e}");

        let (_t2, dir) = data_dir();
        let s = RedbStorage::open(&dir).unwrap();
        populate(&s);
        s.write(|txn| {
            let mut changes = txn.open_table(CHANGE_INDEX).unwrap();
            changes.remove((49, "b")).unwrap();
            Ok::<(), Error>(())
        })
        .unwrap();
        drop(s);
        assert_integrity(&dir, "change index entry missing");
    }

    #[test]
    fn change_origins_persist_and_old_files_gain_the_table() {
        let (_t, dir) = data_dir();
        let s = RedbStorage::open(&dir).unwrap();
        populate(&s);
        let r = Record {
            key: "from-peer".into(),
            value: vec![5; 40],
            version: VectorClock::from([("0x33", 1)]),
            updated_at_ms: 1500,
            tombstone: false,
            ttl_ms: 0,
        };
        s.merge_remote_from(49, vec![r], &Limits::default(), Some("0x33"))
            .unwrap();
        let for_33 = s.changes_since_excluding(0, 100, "0x33").unwrap();
        let for_44 = s.changes_since_excluding(0, 100, "0x44").unwrap();
        assert_eq!(for_44.changes.len(), for_33.changes.len() + 1);
        drop(s);
        let s = RedbStorage::open(&dir).unwrap();
        assert_eq!(s.changes_since_excluding(0, 100, "0x33").unwrap(), for_33);
        assert_eq!(s.changes_since_excluding(0, 100, "0x44").unwrap(), for_44);
        // A schema-1 file written before change_origin existed: the table is added at open and
        // every origin is unknown (nothing excluded).
        s.write(|txn| {
            txn.delete_table(CHANGE_ORIGIN).unwrap();
            Ok::<(), Error>(())
        })
        .unwrap();
        drop(s);
        let s = RedbStorage::open(&dir).unwrap();
        assert_eq!(s.changes_since_excluding(0, 100, "0x33").unwrap(), for_44);
        // An origin without its change-log entry is an inconsistency.
        s.write(|txn| {
            txn.open_table(CHANGE_ORIGIN)
                .unwrap()
                .insert(999_999, "0x33")
                .unwrap();
            Ok::<(), Error>(())
        })
        .unwrap();
        drop(s);
        let e = assert_integrity(&dir, "orphan change origin");
        assert!(e.message().contains("change origin"), "{e}");
    }

    #[test]
    fn data_dir_that_is_a_file_is_a_local_error() {
        let (_t, dir) = data_dir();
        fs::write(&dir, b"x").unwrap();
        let e = RedbStorage::open(&dir).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Local, "{e}");
    }
}
