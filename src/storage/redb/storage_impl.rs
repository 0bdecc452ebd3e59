//! The [`Storage`] trait on redb: writes run `storage::ops` inside one durable transaction
//! (`write_tx`), reads use one read transaction each.

use std::collections::BTreeMap;

use ::redb::ReadableTable;

use crate::error::{Error, Result};
use crate::store::{Limits, MergeReport, Record};

use super::super::ops;
use super::super::{
    AppUsage, Change, ChangePage, ClusterBinding, LocalOutcome, LocalWrite, PeerCursor, PullCursor,
    PushFilter, PutOutcome, RestoreMarker, SnapshotPage, Storage, StoreStats, WriteError,
};
use super::errors::{corrupt, read_u32, read_u64};
use super::tables::*;
use super::RedbStorage;

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

    fn changes_since(&self, after_seq: u64, max_records: usize) -> Result<Vec<Change>> {
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
                out.push(Change {
                    seq: k.value(),
                    app_id: app,
                    record: self.decode(app, key, g.value())?,
                });
            }
        }
        Ok(out)
    }

    fn changes_since_excluding(
        &self,
        after_seq: u64,
        max_records: usize,
        filter: PushFilter<'_>,
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
            let origin = origins.get(seq).map_err(e)?;
            if filter.skips(origin.as_ref().map(|g| g.value())) {
                continue;
            }
            let (app, key) = v.value();
            if let Some(g) = records.get((app, key)).map_err(e)? {
                page.changes.push(Change {
                    seq,
                    app_id: app,
                    record: self.decode(app, key, g.value())?,
                });
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

    fn count_changes_since(&self, after_seq: u64, filter: Option<PushFilter<'_>>) -> Result<u64> {
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
            if let Some(f) = filter {
                let origin = origins.get(k.value()).map_err(e)?;
                if f.skips(origin.as_ref().map(|g| g.value())) {
                    continue;
                }
            }
            n += 1;
        }
        Ok(n)
    }

    fn snapshot_page(
        &self,
        after_seq: u64,
        max_records: usize,
        max_bytes: usize,
        now_ms: u64,
        exclude_origins: &[String],
    ) -> Result<SnapshotPage> {
        let txn = self.read_txn()?;
        let meta = self.open_ro(&txn, META)?;
        let e = |e| self.err("snapshot page", e);
        let last_seq = match meta.get(META_LAST_SEQ).map_err(e)? {
            Some(g) => read_u64(&self.path, META_LAST_SEQ, g.value())?,
            None => return Err(corrupt(&self.path, "last_seq missing")),
        };
        let log_id = meta
            .get(META_LOG_ID)
            .map_err(e)?
            .and_then(|g| read_log_id(g.value()));
        let mut page = SnapshotPage {
            changes: Vec::new(),
            scanned_to: after_seq,
            last_seq,
            log_id,
        };
        if max_records == 0 || after_seq == u64::MAX {
            return Ok(page);
        }
        let changes = self.open_ro(&txn, CHANGES)?;
        let records = self.open_ro(&txn, RECORDS)?;
        let origins = if exclude_origins.is_empty() {
            None
        } else {
            Some(self.open_ro(&txn, CHANGE_ORIGIN)?)
        };
        let (mut bytes, mut scanned) = (0usize, 0usize);
        for item in changes.range(after_seq + 1..).map_err(e)? {
            if page.changes.len() >= max_records
                || (bytes >= max_bytes && bytes > 0)
                || scanned >= crate::storage::PAGE_MAX_SCANNED
            {
                return Ok(page);
            }
            let (k, v) = item.map_err(e)?;
            let seq = k.value();
            page.scanned_to = seq;
            scanned += 1;
            if let Some(origins) = &origins {
                let o = origins.get(seq).map_err(e)?;
                if crate::storage::origin_excluded(o.as_ref().map(|g| g.value()), exclude_origins) {
                    continue;
                }
            }
            let (app, key) = v.value();
            if let Some(g) = records.get((app, key)).map_err(e)? {
                let record = self.decode(app, key, g.value())?;
                if record.is_expired(now_ms) {
                    continue;
                }
                bytes += record.cost() as usize;
                page.changes.push(Change {
                    seq,
                    app_id: app,
                    record,
                });
            }
        }
        page.scanned_to = after_seq.max(last_seq);
        Ok(page)
    }

    fn close(&self) -> Result<()> {
        self.close_clean()
    }

    fn pull_cursor(&self, peer_wallet: &str) -> Result<Option<PullCursor>> {
        let txn = self.read_txn()?;
        let meta = self.open_ro(&txn, META)?;
        let e = |e| self.err("read pull cursor", e);
        let name = pull_cursor_key(peer_wallet);
        let seq = match meta.get(name.as_str()).map_err(e)? {
            Some(g) => read_u64(&self.path, &name, g.value())?,
            None => return Ok(None),
        };
        let log_id = meta
            .get(pull_log_key(peer_wallet).as_str())
            .map_err(e)?
            .and_then(|g| read_log_id(g.value()));
        Ok(Some(PullCursor { seq, log_id }))
    }

    fn set_pull_cursor(&self, peer_wallet: &str, cursor: &PullCursor) -> Result<()> {
        let (name, log_name) = (pull_cursor_key(peer_wallet), pull_log_key(peer_wallet));
        let log_id = cursor
            .log_id
            .as_deref()
            .filter(|l| crate::storage::valid_log_id(l));
        self.write(|txn| {
            let mut meta = txn.open_table(META).map_err(|e| self.err("meta", e))?;
            let e = |e| self.err("write pull cursor", e);
            meta.insert(name.as_str(), cursor.seq.to_le_bytes().as_slice())
                .map_err(e)?;
            match log_id {
                Some(l) => meta.insert(log_name.as_str(), l.as_bytes()).map(drop),
                None => meta.remove(log_name.as_str()).map(drop),
            }
            .map_err(e)?;
            Ok::<(), Error>(())
        })
    }

    fn log_id(&self) -> Result<Option<String>> {
        let txn = self.read_txn()?;
        let meta = self.open_ro(&txn, META)?;
        let got = meta
            .get(META_LOG_ID)
            .map_err(|e| self.err("read log id", e))?;
        Ok(got.and_then(|g| read_log_id(g.value())))
    }

    fn caught_up_once(&self) -> Result<bool> {
        let txn = self.read_txn()?;
        let meta = self.open_ro(&txn, META)?;
        let got = meta
            .get(META_CAUGHT_UP)
            .map_err(|e| self.err("read catch-up flag", e))?;
        Ok(got.is_some())
    }

    fn set_caught_up_once(&self) -> Result<()> {
        self.write(|txn| {
            let mut meta = txn.open_table(META).map_err(|e| self.err("meta", e))?;
            meta.insert(META_CAUGHT_UP, [1u8].as_slice())
                .map_err(|e| self.err("write catch-up flag", e))?;
            Ok::<(), Error>(())
        })
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

    fn advance_peer_cursor(&self, peer_wallet: &str, c: &PeerCursor) -> Result<PeerCursor> {
        self.write(|txn| {
            let mut peers = txn.open_table(PEERS).map_err(|e| self.err("peers", e))?;
            let e = |e| self.err("advance peer cursor", e);
            let stored = peers.get(peer_wallet).map_err(e)?.map(|g| {
                let (acked_seq, last_success_ms) = g.value();
                PeerCursor {
                    acked_seq,
                    last_success_ms,
                }
            });
            let next = ops::max_cursor(stored.unwrap_or_default(), *c);
            if stored != Some(next) {
                peers
                    .insert(peer_wallet, (next.acked_seq, next.last_success_ms))
                    .map_err(e)?;
            }
            Ok::<PeerCursor, Error>(next)
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

    fn restore_marker(&self) -> Result<Option<RestoreMarker>> {
        let txn = self.read_txn()?;
        let meta = self.open_ro(&txn, META)?;
        let Some(b) = meta
            .get(META_RESTORED)
            .map_err(|e| self.err("read restore marker", e))?
        else {
            return Ok(None);
        };
        serde_json::from_slice(b.value())
            .map(Some)
            .map_err(|e| corrupt(&self.path, format!("restore marker: {e}")))
    }

    fn set_restore_marker(&self, m: Option<&RestoreMarker>) -> Result<()> {
        let json = m
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| Error::local(format!("cannot encode restore marker: {e}")))?;
        self.write(|txn| {
            let mut meta = txn.open_table(META).map_err(|e| self.err("meta", e))?;
            match &json {
                Some(j) => meta.insert(META_RESTORED, j.as_slice()).map(|_| ()),
                None => meta.remove(META_RESTORED).map(|_| ()),
            }
            .map_err(|e| self.err("write restore marker", e))?;
            Ok::<(), Error>(())
        })
    }

    fn drop_unconfirmed(&self, candidates: &[(u64, String)], max_seq: u64) -> Result<u64> {
        self.write_tx(|tx| ops::drop_unconfirmed(tx, candidates, max_seq))
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

    fn verify_full(&self) -> Result<()> {
        self.verify_now()
    }

    fn for_each_record(&self, visit: &mut dyn FnMut(u64, &Record) -> Result<()>) -> Result<()> {
        let txn = self.read_txn()?;
        let records = self.open_ro(&txn, RECORDS)?;
        let e = |e| self.err("scan records", e);
        for item in records.iter().map_err(e)? {
            let (k, v) = item.map_err(e)?;
            let (app, key) = k.value();
            let rec = self.decode(app, key, v.value())?;
            visit(app, &rec)?;
        }
        Ok(())
    }

    fn export(&self, sink: &mut dyn crate::storage::export::ExportSink) -> Result<()> {
        // One read transaction for both passes: the sizes announced in `begin` and the records
        // streamed afterwards come from the same point in time.
        let txn = self.read_txn()?;
        let meta = self.open_ro(&txn, META)?;
        let records = self.open_ro(&txn, RECORDS)?;
        let usage = self.open_ro(&txn, USAGE)?;
        let secret = self.open_ro(&txn, MASTER_SECRET)?;
        let e = |e| self.err("export", e);
        let mut begin = crate::storage::export::ExportBegin::default();
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
                crate::storage::export::AppCounts {
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
