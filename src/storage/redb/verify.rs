//! Full verification of the database at open: schema, every record's checksum, every index,
//! usage counter and change-log entry. Fails closed with an `Integrity` error naming the first
//! inconsistency.

use std::collections::BTreeMap;

use ::redb::{ReadableTable, ReadableTableMetadata};

use crate::error::Result;

use super::super::codec::decode_record;
use super::super::ops::adjust_usage;
use super::super::{AppUsage, ClusterBinding};
use super::errors::{corrupt, read_u64};
use super::handle::Handle;
use super::tables::*;
use super::RedbStorage;

impl RedbStorage {
    /// The checks of every open, also after a clean shutdown (`clean`): `last_seq` present and
    /// readable, the cluster binding (if any) parses, and every table opens. Returns `last_seq`.
    /// Errors: `Integrity`.
    pub(super) fn verify_meta(&self, db: &Handle) -> Result<u64> {
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
        self.open_ro(&txn, RECORDS)?;
        self.open_ro(&txn, CHANGES)?;
        self.open_ro(&txn, CHANGE_INDEX)?;
        self.open_ro(&txn, CHANGE_ORIGIN)?;
        self.open_ro(&txn, USAGE)?;
        self.open_ro(&txn, BY_AGE)?;
        self.open_ro(&txn, EXPIRY)?;
        self.open_ro(&txn, PEERS)?;
        self.open_ro(&txn, MASTER_SECRET)?;
        Ok(last_seq)
    }

    /// Full consistency check of the database (run at open; also usable by `backup verify` of an
    /// offline data dir through [`RedbStorage::open`]). Errors: `Integrity` naming the first
    /// inconsistency.
    pub(super) fn verify(&self, db: &Handle) -> Result<()> {
        let p = &self.path;
        let last_seq = self.verify_meta(db)?;
        let txn = self.read_txn_on(db)?;
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
}
