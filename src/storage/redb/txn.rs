//! One write transaction's record tables as the [`Tx`] primitives of `storage::ops`, keeping
//! usage counters, the age and expiry indexes and the change log in step.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use ::redb::{ReadableTable, Table, TableError, WriteTransaction};

use crate::error::{Error, Result};
use crate::store::{EvictionCandidate, Record};

use super::super::codec::{decode_record, encode_record};
use super::super::ops::{adjust_usage, Tx};
use super::super::AppUsage;
use super::errors::{classify, corrupt, read_u64, werr};
use super::tables::*;

/// The record tables of one write transaction.
pub(super) struct WTx<'t> {
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
    pub(super) fn open(
        txn: &'t WriteTransaction,
        path: &'t Path,
        broken: &'t AtomicBool,
    ) -> Result<Self> {
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

    pub(super) fn index(&mut self, app: u64, rec: &Record) -> Result<()> {
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

    pub(super) fn unindex(&mut self, app: u64, rec: &Record) -> Result<()> {
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

    pub(super) fn set_usage(&mut self, app: u64, u: AppUsage) -> Result<()> {
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

    /// Remove change-log entry `seq` and its origin (the key's index entry is the caller's).
    fn forget_change(&mut self, seq: u64) -> Result<()> {
        self.changes
            .remove(seq)
            .map_err(werr(self.path, self.broken))?;
        self.change_origin
            .remove(seq)
            .map_err(werr(self.path, self.broken))?;
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
            self.forget_change(prev)?;
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
            self.forget_change(prev)?;
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

    fn lru_candidates(&self, app: u64, exclude: &str, need: u64) -> Result<Vec<EvictionCandidate>> {
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
            out.push(EvictionCandidate {
                key: key.to_string(),
                updated_at_ms: updated,
                cost,
            });
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
