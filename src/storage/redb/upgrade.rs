//! Upgrading a database written with redb 2.x (novakms 0.1.0) to redb 4.x, in place, on the
//! first open (issue 10 item 11).
//!
//! Why a copy and not redb's `Database::upgrade()`: redb 3.0 dropped file format v2 (2.6's
//! `upgrade()` moves a file to v3, and novakms always created v3 files), but it also changed how
//! variable-width tuples are stored, and redb 4.0 removed the `Legacy` wrapper that read the old
//! encoding. Five of our tables have such keys or values (`records`, `changes`, `change_index`,
//! `by_age`, `expiry`), so redb 4.x opens a 2.x file but refuses those tables
//! (`TableTypeMismatch`). The only reader of the old encoding is redb 2.x itself, kept as the
//! `redb2` dependency (its only dependency is `libc`, already in the tree) for this module alone.
//!
//! Guarantees:
//! * **Detection never writes the file.** [`probe`] opens it read-only with redb 4.x (shared
//!   lock) and opens the `records` table: a type mismatch, or an old file format
//!   (`UpgradeRequired`), means "written by redb 2.x". A file that needs a repair (the last
//!   writer was killed: redb refuses those read-only) is opened with redb 4.x over a
//!   copy-on-write view (`overlay`): the repair's writes stay in memory (bounded), so redb 4.x
//!   never writes a 2.x file and nothing is copied. Only when that view cannot be used (its
//!   memory bound, an error) does the probe run on a private copy (`novakms.redb.probe-<pid>`,
//!   deleted afterwards). A current file costs one read-only open at start.
//! * **The old file stays complete until the new one is.** [`upgrade`] opens the old file with
//!   redb 2.x (which takes the lock and, after an unclean shutdown, repairs it in its own format),
//!   copies every table entry by entry into `novakms.redb.upgrade-<pid>` (mode 0600), compares
//!   each table's length, commits durably (`Durability::Immediate`, two-phase commit) and fsyncs
//!   the file; then links the old file aside as `novakms.redb.old-<UTC time>` (the name `restore`
//!   uses), renames the new file over `novakms.redb` and fsyncs the data dir. At every moment
//!   `novakms.redb` is the complete old or the complete new database: a crash before the rename
//!   leaves the old one (the next start upgrades again and removes the leftover copy), after it the
//!   new one. The lock on the old file is held until the rename is done.
//! * **Nothing is dropped silently.** A table this build does not know stops the upgrade
//!   (`Refused`, nothing changed); a missing `change_origin` is created later as for any schema-1
//!   file. After the swap the normal open verifies the whole new file (every record checksum,
//!   index and counter).
//! * **Logged once**: one `info` line when it starts (size) and one when it is done (entries,
//!   milliseconds, where the old file was kept).

use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use ::redb::backends::FileBackend;
use ::redb::{Builder, Database, DatabaseError, Durability, ReadableDatabase, TableError};

use crate::error::{Error, ErrorKind, Result};

use super::errors::{corrupt, in_use, open_err, panic_message, redb_err};
use super::file::fsync_dir;
use super::tables::RECORDS;

/// Prefix of the old file kept aside after an upgrade; the same as `backup::plan::OLD_PREFIX`,
/// so `restore` and operators treat it like the file a forced restore keeps.
const ASIDE_PREFIX: &str = "novakms.redb.old-";
/// Prefix of the database being built by an upgrade (`<prefix><pid>`).
pub(super) const UPGRADE_PREFIX: &str = "novakms.redb.upgrade-";
/// Prefix of the private copy a probe of a file needing repair runs on (`<prefix><pid>`).
pub(super) const PROBE_PREFIX: &str = "novakms.redb.probe-";
/// Key + value bytes copied per intermediate commit (non-durable; the last one is durable).
const BATCH_BYTES: usize = 8 << 20;

/// The tables of schema 1 and whether a schema-1 file may lack them (`change_origin` was added
/// within schema 1; see the module docs of `storage::redb`).
const KNOWN_TABLES: &[(&str, bool)] = &[
    ("meta", false),
    ("records", false),
    ("changes", false),
    ("change_index", false),
    ("change_origin", true),
    ("usage", false),
    ("by_age", false),
    ("expiry", false),
    ("peers", false),
    ("master_secret", false),
];

/// Upgrade the database at `path` first if redb 2.x wrote it ([`probe`], [`upgrade`]).
///
/// Errors: those of [`probe`] and [`upgrade`].
pub(super) fn ensure_current(dir: &Path, path: &Path) -> Result<()> {
    match probe(dir, path)? {
        Format::Current => Ok(()),
        Format::Legacy(why) => upgrade(dir, path, &why),
    }
}

/// What [`probe`] found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Format {
    /// Written by redb 3.0 or later: open it as it is.
    Current,
    /// Written by redb 2.x (the reason is logged): upgrade it first.
    Legacy(String),
}

/// Which redb wrote the database at `path` (see the module docs). Never writes `path`.
///
/// Errors: `InUse` when another process holds the file; `Integrity` for a file redb cannot read
/// at all; `Local` for I/O errors.
pub(super) fn probe(dir: &Path, path: &Path) -> Result<Format> {
    match super::readonly::try_open_read_only(path)? {
        Ok(db) => records_format(&db, path),
        Err(DatabaseError::UpgradeRequired(v)) => {
            Ok(Format::Legacy(format!("redb file format {v}")))
        }
        Err(DatabaseError::RepairAborted) => match probe_overlay(path) {
            Ok(f) => Ok(f),
            Err(e) => {
                tracing::info!(path = %path.display(), error = %e, "cannot probe the database's format in place; using a private copy");
                probe_copy(dir, path)
            }
        },
        Err(e) => Err(open_err(path, e)),
    }
}

/// The format of the `records` table in an open database.
pub(super) fn records_format(db: &impl ReadableDatabase, path: &Path) -> Result<Format> {
    let txn = db
        .begin_read()
        .map_err(|e| redb_err(path, "begin read transaction", e))?;
    match txn.open_table(RECORDS) {
        Ok(_) => Ok(Format::Current),
        Err(TableError::TableTypeMismatch { .. }) => {
            Ok(Format::Legacy("tuple encoding of redb 2.x".into()))
        }
        // Anything else (a missing table, corruption) is left to the full verification at open.
        Err(_) => Ok(Format::Current),
    }
}

/// Probe a file that needs a repair without writing or copying it: open it with redb 4.x over
/// a copy-on-write view (`overlay`: the repair's writes stay in memory) and look at it.
/// Errors: whatever stops that open (then [`probe_copy`] is the way).
pub(super) fn probe_overlay(path: &Path) -> Result<Format> {
    let started = Instant::now();
    let db = super::overlay::open_database(path, super::file::MIN_CACHE_BYTES)?;
    let format = records_format(&db, path);
    drop(db);
    tracing::info!(
        path = %path.display(),
        ms = started.elapsed().as_millis() as u64,
        "database needs repair; probed its format on an in-memory view (the file was not written)"
    );
    format
}

/// Probe a file that needs a full repair: repair a private copy with redb 4.x and look at it.
fn probe_copy(dir: &Path, path: &Path) -> Result<Format> {
    let copy = dir.join(format!("{PROBE_PREFIX}{}", std::process::id()));
    let _ = fs::remove_file(&copy);
    let started = Instant::now();
    let result = (|| {
        copy_file(path, &copy)?;
        let db = catch_unwind(AssertUnwindSafe(|| Database::open(&copy)))
            .map_err(|p| {
                corrupt(
                    path,
                    format!("redb failed while repairing it: {}", panic_message(&*p)),
                )
            })?
            .map_err(|e| open_err(path, e))?;
        records_format(&db, path)
    })();
    let _ = fs::remove_file(&copy);
    tracing::info!(
        path = %path.display(),
        ms = started.elapsed().as_millis() as u64,
        "database needs repair; probed its format on a private copy"
    );
    result
}

/// Copy `from` to a new private file `to` (mode 0600).
pub(super) fn copy_file(from: &Path, to: &Path) -> Result<()> {
    let mut src = fs::File::open(from)
        .map_err(|e| Error::local(format!("cannot open {}: {e}", from.display())))?;
    let mut dst = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)
        .map_err(|e| Error::local(format!("cannot create {}: {e}", to.display())))?;
    io::copy(&mut src, &mut dst).map_err(|e| {
        Error::local(format!(
            "cannot copy {} to {}: {e}",
            from.display(),
            to.display()
        ))
    })?;
    Ok(())
}

/// Upgrade the redb 2.x database at `path` to redb 4.x in place (see the module docs).
///
/// Errors: `InUse` when another process holds the file; `Refused` for a table this build does
/// not know; `Integrity` when redb 2.x finds the file corrupt or the copy differs; `Local` for
/// I/O errors (disk full included). On every error `novakms.redb` is unchanged.
pub(super) fn upgrade(dir: &Path, path: &Path, why: &str) -> Result<()> {
    let started = Instant::now();
    let size = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    tracing::info!(
        path = %path.display(),
        bytes = size,
        found = why,
        "database was written by redb 2.x (novakms 0.1.0); upgrading it to redb 4.x in place"
    );
    let old = open_legacy(path)?;
    // We hold the lock on the old file: no other upgrade runs in this dir; clear leftovers.
    remove_leftovers(dir);
    let tmp = dir.join(format!("{UPGRADE_PREFIX}{}", std::process::id()));
    let built =
        catch_unwind(AssertUnwindSafe(|| build_copy(&old, path, &tmp))).unwrap_or_else(|p| {
            Err(corrupt(
                path,
                format!("redb failed while upgrading it: {}", panic_message(&*p)),
            ))
        });
    let entries = match built {
        Ok(n) => n,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let aside = match swap(dir, path, &tmp) {
        Ok(a) => a,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    drop(old);
    tracing::info!(
        path = %path.display(),
        entries,
        ms = started.elapsed().as_millis() as u64,
        old_kept_as = %aside.display(),
        "database upgraded to redb 4.x"
    );
    Ok(())
}

#[cfg(test)]
thread_local! {
    /// Test hook: fail the upgrade after the new file is built, before the swap (a crash there).
    pub(super) static FAIL_BEFORE_SWAP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Open the old file with redb 2.x, which repairs it in its own format if needed.
fn open_legacy(path: &Path) -> Result<redb2::Database> {
    let mut b = redb2::Builder::new();
    b.set_repair_callback(|s| {
        tracing::warn!(
            progress = s.progress(),
            "database (redb 2.x) was not closed cleanly; repairing it before the upgrade"
        );
    });
    match catch_unwind(AssertUnwindSafe(|| b.open(path))) {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(redb2::DatabaseError::DatabaseAlreadyOpen)) => Err(in_use(dir_of(path))),
        Ok(Err(redb2::DatabaseError::Storage(redb2::StorageError::Corrupted(m)))) => {
            Err(corrupt(path, m))
        }
        Ok(Err(e)) => Err(Error::local(format!(
            "cannot open database {} with redb 2.x for the upgrade: {e}",
            path.display()
        ))),
        Err(p) => Err(corrupt(
            path,
            format!("redb 2.x failed while opening it: {}", panic_message(&*p)),
        )),
    }
}

fn dir_of(path: &Path) -> &Path {
    path.parent().unwrap_or(path)
}

/// Remove upgrade and probe copies left by an earlier process (best effort).
fn remove_leftovers(dir: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(UPGRADE_PREFIX) || name.starts_with(PROBE_PREFIX) {
            tracing::info!(file = %name, "removing a leftover of an interrupted upgrade");
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Copies tables from a redb 2.x read transaction into a new redb 4.x file in batches.
struct Copier<'a> {
    src: redb2::ReadTransaction,
    dst: Database,
    path: &'a Path,
    entries: u64,
}

fn e2(path: &Path, e: impl Into<redb2::Error>) -> Error {
    let e: redb2::Error = e.into();
    match e {
        redb2::Error::Corrupted(m) => corrupt(path, m),
        other => Error::local(format!(
            "database {}: reading it with redb 2.x: {other}",
            path.display()
        )),
    }
}

/// Copy table `$name` with key type `$k` and value type `$v` (the same Rust types in both redb
/// versions); returns whether the source had it.
macro_rules! copy_table {
    ($c:expr, $name:expr, $k:ty, $v:ty) => {{
        let c: &mut Copier<'_> = $c;
        let path = c.path;
        let src_def: redb2::TableDefinition<$k, $v> = redb2::TableDefinition::new($name);
        let dst_def: ::redb::TableDefinition<$k, $v> = ::redb::TableDefinition::new($name);
        match c.src.open_table(src_def) {
            Err(redb2::TableError::TableDoesNotExist(_)) => false,
            Err(e) => return Err(e2(path, e)),
            Ok(src) => {
                use redb2::{ReadableTable as _, ReadableTableMetadata as _};
                let want = src.len().map_err(|e| e2(path, e))?;
                let mut it = src.iter().map_err(|e| e2(path, e))?;
                let mut done = false;
                while !done {
                    let txn = c.begin()?;
                    {
                        let mut t = txn.open_table(dst_def).map_err(|e| c.err(e))?;
                        let mut bytes = 0usize;
                        done = true;
                        for item in it.by_ref() {
                            let (k, v) = item.map_err(|e| e2(path, e))?;
                            bytes += k.value_bytes() + v.value_bytes();
                            t.insert(k.value(), v.value()).map_err(|e| c.err(e))?;
                            c.entries += 1;
                            if bytes >= BATCH_BYTES {
                                done = false;
                                break;
                            }
                        }
                    }
                    txn.commit().map_err(|e| c.err(e))?;
                }
                let txn = c.dst.begin_read().map_err(|e| c.err(e))?;
                let got = {
                    use ::redb::ReadableTableMetadata as _;
                    txn.open_table(dst_def)
                        .map_err(|e| c.err(e))?
                        .len()
                        .map_err(|e| c.err(e))?
                };
                if got != want {
                    return Err(Error::integrity(format!(
                        "upgrading {}: table {} has {want} entries but {got} were copied",
                        path.display(),
                        $name
                    )));
                }
                true
            }
        }
    }};
}

/// Byte length of an access guard's value (for batching).
trait ValueBytes {
    fn value_bytes(&self) -> usize;
}

impl<V: redb2::Value> ValueBytes for redb2::AccessGuard<'_, V> {
    fn value_bytes(&self) -> usize {
        V::as_bytes(&self.value()).as_ref().len()
    }
}

impl Copier<'_> {
    fn err(&self, e: impl Into<::redb::Error>) -> Error {
        redb_err(self.path, "writing the upgraded copy", e)
    }

    /// A non-durable write transaction on the copy (the last commit is made durable).
    fn begin(&self) -> Result<::redb::WriteTransaction> {
        let mut txn = self.dst.begin_write().map_err(|e| self.err(e))?;
        txn.set_durability(Durability::None)
            .map_err(|e| self.err(e))?;
        Ok(txn)
    }

    fn copy_all(&mut self) -> Result<()> {
        for t in self.src.list_tables().map_err(|e| e2(self.path, e))? {
            let name = redb2::TableHandle::name(&t).to_string();
            if !KNOWN_TABLES.iter().any(|(n, _)| *n == name) {
                return Err(Error::new(
                    ErrorKind::Refused,
                    format!(
                        "database {} has a table this build does not know ({name:?}); not \
                         upgrading it",
                        self.path.display()
                    ),
                ));
            }
        }
        if self
            .src
            .list_multimap_tables()
            .map_err(|e| e2(self.path, e))?
            .next()
            .is_some()
        {
            return Err(Error::new(
                ErrorKind::Refused,
                format!(
                    "database {} has a multimap table this build does not know; not upgrading it",
                    self.path.display()
                ),
            ));
        }
        let had = [
            copy_table!(self, "meta", &str, &[u8]),
            copy_table!(self, "records", (u64, &str), &[u8]),
            copy_table!(self, "changes", u64, (u64, &str)),
            copy_table!(self, "change_index", (u64, &str), u64),
            copy_table!(self, "change_origin", u64, &str),
            copy_table!(self, "usage", u64, (u64, u64, u64)),
            copy_table!(self, "by_age", (u64, u8, u64, &str), (u64, u64)),
            copy_table!(self, "expiry", (u64, u64, &str), u8),
            copy_table!(self, "peers", &str, (u64, u64)),
            copy_table!(self, "master_secret", &str, &[u8]),
        ];
        for ((name, optional), had) in KNOWN_TABLES.iter().zip(had) {
            if !had && !optional {
                return Err(corrupt(self.path, format!("table {name} is missing")));
            }
        }
        // One durable commit makes every batch above durable (redb: a `None` commit is
        // persisted by the next `Immediate` one).
        let mut txn = self.dst.begin_write().map_err(|e| self.err(e))?;
        txn.set_durability(Durability::Immediate)
            .map_err(|e| self.err(e))?;
        txn.set_two_phase_commit(true);
        txn.set_quick_repair(true);
        txn.commit().map_err(|e| self.err(e))
    }
}

/// Build the redb 4.x copy of `old` at `tmp`, durable and fsynced. Returns the entries copied.
fn build_copy(old: &redb2::Database, path: &Path, tmp: &Path) -> Result<u64> {
    let _ = fs::remove_file(tmp);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(tmp)
        .map_err(|e| Error::local(format!("cannot create {}: {e}", tmp.display())))?;
    fs::set_permissions(tmp, fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::local(format!("cannot set mode of {}: {e}", tmp.display())))?;
    let dst = FileBackend::new(file)
        .and_then(|b| {
            Builder::new()
                .set_cache_size(super::file::DEFAULT_CACHE_BYTES)
                .create_with_backend(b)
        })
        .map_err(|e| open_err(tmp, e))?;
    let src = old.begin_read().map_err(|e| e2(path, e))?;
    let mut c = Copier {
        src,
        dst,
        path,
        entries: 0,
    };
    c.copy_all()?;
    let entries = c.entries;
    let Copier { src, dst, .. } = c;
    drop(src);
    dst.close()
        .map_err(|e| redb_err(tmp, "closing the upgraded copy", e))?;
    fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::local(format!("cannot sync {}: {e}", tmp.display())))?;
    #[cfg(test)]
    if FAIL_BEFORE_SWAP.with(|f| f.get()) {
        return Err(Error::local("test: failing the upgrade before the swap"));
    }
    Ok(entries)
}

/// Link the old file aside, rename the copy over it and fsync the dir. Returns the aside path.
fn swap(dir: &Path, path: &Path, tmp: &Path) -> Result<PathBuf> {
    let ts = crate::clock::compact_timestamp(crate::clock::Clock::system().now_ms());
    let mut n = 0u32;
    let aside = loop {
        let name = if n == 0 {
            format!("{ASIDE_PREFIX}{ts}")
        } else {
            format!("{ASIDE_PREFIX}{ts}-{n}")
        };
        let p = dir.join(name);
        match fs::hard_link(path, &p) {
            Ok(()) => break p,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => {
                return Err(Error::local(format!(
                    "cannot keep the old database as {}: {e}",
                    p.display()
                )))
            }
        }
    };
    fs::rename(tmp, path).map_err(|e| {
        Error::local(format!(
            "cannot move the upgraded database into place ({} -> {}): {e}",
            tmp.display(),
            path.display()
        ))
    })?;
    fsync_dir(dir)
        .map_err(|e| Error::local(format!("cannot sync data dir {}: {e}", dir.display())))?;
    Ok(aside)
}
