//! The shared database handle: read and durable write transactions on it, and reopening it
//! after an I/O error (redb refuses every operation on a handle after one). A handle is either
//! read-write (the node) or read-only (`RedbStorage::open_read_only`); every write on a
//! read-only one fails before touching the file.

use std::sync::atomic::Ordering;
use std::sync::RwLockReadGuard;

use ::redb::{
    Database, Durability, ReadOnlyDatabase, ReadTransaction, ReadableDatabase, TableDefinition,
    TransactionError, WriteTransaction,
};

use crate::error::{Error, ErrorKind, Result};
use crate::store::Record;

use super::super::codec::decode_record;
use super::errors::{classify, corrupt};
use super::file::open_existing;
use super::readonly::open_existing_read_only;
use super::txn::WTx;
use super::RedbStorage;

/// An open redb database: read-write, or read-only (a shared lock; redb never writes the file).
pub(super) enum Handle {
    /// [`Database`]: the node's handle (exclusive lock).
    Rw(Database),
    /// [`ReadOnlyDatabase`]: for looking only (see `readonly`).
    Ro(ReadOnlyDatabase),
}

impl Handle {
    pub(super) fn begin_read(&self) -> std::result::Result<ReadTransaction, TransactionError> {
        match self {
            Handle::Rw(db) => db.begin_read(),
            Handle::Ro(db) => db.begin_read(),
        }
    }
}

/// A read transaction plus the guard that keeps the database from being reopened under it.
pub(super) struct ReadView<'a> {
    txn: ReadTransaction,
    _guard: RwLockReadGuard<'a, Option<Handle>>,
}

impl std::ops::Deref for ReadView<'_> {
    type Target = ReadTransaction;
    fn deref(&self) -> &ReadTransaction {
        &self.txn
    }
}

impl RedbStorage {
    pub(super) fn err(&self, ctx: &str, e: impl Into<::redb::Error>) -> Error {
        classify(&self.broken, &self.path, ctx, e)
    }

    /// After an I/O error: wait for in-flight calls (write lock), drop the handle (releasing the
    /// file lock), reopen and re-verify. On failure the handle stays closed and the next call
    /// retries.
    pub(super) fn recover(&self) -> Result<()> {
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
            Some(reopen) => Handle::Rw(reopen(&self.path)?),
            None if self.read_only => Handle::Ro(open_existing_read_only(&self.path)?),
            None => Handle::Rw(open_existing(&self.path, self.cache_bytes)?),
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

    pub(super) fn guard(&self) -> Result<RwLockReadGuard<'_, Option<Handle>>> {
        if self.broken.load(Ordering::Acquire) {
            self.recover()?;
        }
        self.db
            .read()
            .map_err(|_| Error::integrity("database handle lock poisoned by an earlier panic"))
    }

    /// The error of every write on a read-only handle (nothing was written).
    pub(super) fn read_only_err(&self) -> Error {
        Error::new(
            ErrorKind::Refused,
            format!(
                "database {} is open read-only; nothing was written",
                self.path.display()
            ),
        )
    }

    pub(super) fn closed(&self) -> Error {
        Error::local(format!(
            "database {} is closed after an I/O error and could not be reopened yet",
            self.path.display()
        ))
    }

    /// Run `f` on the open database, holding it for the whole call (see [`RedbStorage::recover`]).
    pub(super) fn with_db<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Handle) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let g = self.guard()?;
        let db = g.as_ref().ok_or_else(|| self.closed())?;
        f(db)
    }

    pub(super) fn read_txn_on(&self, db: &Handle) -> Result<ReadTransaction> {
        db.begin_read()
            .map_err(|e| self.err("begin read transaction", e))
    }

    pub(super) fn read_txn(&self) -> Result<ReadView<'_>> {
        let g = self.guard()?;
        let db = g.as_ref().ok_or_else(|| self.closed())?;
        let txn = self.read_txn_on(db)?;
        Ok(ReadView { txn, _guard: g })
    }

    pub(super) fn open_ro<K: ::redb::Key + 'static, V: ::redb::Value + 'static>(
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
    pub(super) fn write<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&WriteTransaction) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let _serial = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.with_db(|db| self.write_on(db, f))
    }

    pub(super) fn write_on<T, E: From<Error>>(
        &self,
        db: &Handle,
        f: impl FnOnce(&WriteTransaction) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let Handle::Rw(db) = db else {
            return Err(self.read_only_err().into());
        };
        if self.read_only {
            return Err(self.read_only_err().into());
        }
        let mut txn = db
            .begin_write()
            .map_err(|e| self.err("begin write transaction", e))?;
        txn.set_durability(Durability::Immediate)
            .map_err(|e| self.err("set durability", e))?;
        txn.set_two_phase_commit(true);
        txn.set_quick_repair(true);
        let out = f(&txn)?;
        txn.commit().map_err(|e| self.err("commit", e))?;
        Ok(out)
    }

    /// Like [`RedbStorage::write`] with the record tables opened as a [`Tx`].
    pub(super) fn write_tx<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut WTx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.write(|txn| {
            let mut tx = WTx::open(txn, &self.path, &self.broken)?;
            f(&mut tx)
        })
    }

    pub(super) fn decode(&self, app: u64, key: &str, bytes: &[u8]) -> Result<Record> {
        decode_record(app, key, bytes)
            .map_err(|m| corrupt(&self.path, format!("record (app {app}, key {key:?}): {m}")))
    }
}
