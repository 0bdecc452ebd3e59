//! In-memory [`Storage`] (design.md §4: tests and `--storage memory` nodes; nothing survives a
//! restart, the node warns loudly at start). Same semantics as the redb backend: the write logic
//! is the shared `ops` module, and each method runs under one mutex, so it is atomic. (Memory
//! primitives cannot fail, and every refusal — quota, value size — is decided before the first
//! mutation, so no rollback is needed.)

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use crate::error::{Error, Result};
use crate::store::{EvictionCandidate, Limits, MergeReport, Record};

use super::ops::{self, adjust_usage, Tx};
use super::{
    AppUsage, Change, ChangePage, ClusterBinding, LocalOutcome, LocalWrite, PeerCursor, PutOutcome,
    Storage, StoreStats, WriteError,
};

/// Volatile storage behind a mutex. Construct with [`MemoryStorage::new`].
#[derive(Debug)]
pub struct MemoryStorage {
    inner: Mutex<Inner>,
    /// [`Storage::log_id`]: new for every instance (a restarted memory node has a new log).
    log_id: String,
}

impl Default for MemoryStorage {
    fn default() -> Self {
        MemoryStorage {
            inner: Mutex::default(),
            log_id: super::new_log_id(),
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    binding: Option<ClusterBinding>,
    /// app -> key -> record; an app is present iff it holds at least one record.
    apps: BTreeMap<u64, BTreeMap<String, Record>>,
    /// app -> counters; present iff the app is in `apps`.
    usage: BTreeMap<u64, AppUsage>,
    last_seq: u64,
    /// seq -> change-log entry.
    changes: BTreeMap<u64, LogEntry>,
    change_index: HashMap<(u64, String), u64>,
    peers: BTreeMap<String, PeerCursor>,
    pull_cursors: BTreeMap<String, super::PullCursor>,
    caught_up_once: bool,
    sealed: Option<Vec<u8>>,
    restore_marker: Option<super::RestoreMarker>,
}

/// One change-log entry: the key it names and, for a record stored exactly as received from a
/// peer, that peer's wallet.
#[derive(Debug, Clone)]
struct LogEntry {
    app: u64,
    key: String,
    origin: Option<String>,
}

impl MemoryStorage {
    /// An empty store (no binding, no records, `last_seq` = 0).
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>> {
        self.inner
            .lock()
            .map_err(|_| Error::integrity("memory storage poisoned by an earlier panic"))
    }
}

impl Tx for Inner {
    fn get(&self, app: u64, key: &str) -> Result<Option<Record>> {
        Ok(self.apps.get(&app).and_then(|ns| ns.get(key)).cloned())
    }

    fn usage(&self, app: u64) -> Result<AppUsage> {
        Ok(self.usage.get(&app).copied().unwrap_or_default())
    }

    fn put_record(&mut self, app: u64, rec: &Record) -> Result<()> {
        let ns = self.apps.entry(app).or_default();
        let old = ns.insert(rec.key.clone(), rec.clone());
        let u = self.usage.get(&app).copied().unwrap_or_default();
        self.usage
            .insert(app, adjust_usage(u, old.as_ref(), Some(rec))?);
        Ok(())
    }

    fn remove_record(&mut self, app: u64, key: &str) -> Result<Option<Record>> {
        let Some(ns) = self.apps.get_mut(&app) else {
            return Ok(None);
        };
        let Some(old) = ns.remove(key) else {
            return Ok(None);
        };
        if ns.is_empty() {
            self.apps.remove(&app);
            self.usage.remove(&app);
        } else {
            let u = self.usage.get(&app).copied().unwrap_or_default();
            self.usage.insert(app, adjust_usage(u, Some(&old), None)?);
        }
        Ok(Some(old))
    }

    fn touch_change(&mut self, app: u64, key: &str, origin: Option<&str>) -> Result<u64> {
        let seq = self
            .last_seq
            .checked_add(1)
            .ok_or_else(|| Error::local("change-log sequence exhausted"))?;
        self.last_seq = seq;
        if let Some(prev) = self.change_index.insert((app, key.to_string()), seq) {
            self.changes.remove(&prev);
        }
        self.changes.insert(
            seq,
            LogEntry {
                app,
                key: key.to_string(),
                origin: origin.map(str::to_string),
            },
        );
        Ok(seq)
    }

    fn drop_change(&mut self, app: u64, key: &str) -> Result<()> {
        if let Some(prev) = self.change_index.remove(&(app, key.to_string())) {
            self.changes.remove(&prev);
        }
        Ok(())
    }

    fn change_seq(&self, app: u64, key: &str) -> Result<Option<u64>> {
        Ok(self.change_index.get(&(app, key.to_string())).copied())
    }

    fn lru_candidates(&self, app: u64, exclude: &str, need: u64) -> Result<Vec<EvictionCandidate>> {
        let mut all: Vec<EvictionCandidate> = self
            .apps
            .get(&app)
            .into_iter()
            .flat_map(|ns| ns.values())
            .filter(|r| !r.tombstone && r.key != exclude)
            .map(|r| EvictionCandidate {
                key: r.key.clone(),
                updated_at_ms: r.updated_at_ms,
                cost: r.cost(),
            })
            .collect();
        all.sort_by(|a, b| (a.updated_at_ms, &a.key).cmp(&(b.updated_at_ms, &b.key)));
        let mut sum = 0u64;
        let mut out = Vec::new();
        for c in all {
            if sum >= need {
                break;
            }
            sum = sum.saturating_add(c.cost);
            out.push(c);
        }
        Ok(out)
    }

    fn tombstones_oldest(&self, app: u64) -> Result<Vec<(String, u64)>> {
        let mut t: Vec<(String, u64)> = self
            .apps
            .get(&app)
            .into_iter()
            .flat_map(|ns| ns.values())
            .filter(|r| r.tombstone)
            .map(|r| (r.key.clone(), r.updated_at_ms))
            .collect();
        t.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        Ok(t)
    }

    fn expired(&self, now_ms: u64) -> Result<Vec<(u64, String)>> {
        Ok(self
            .apps
            .iter()
            .flat_map(|(app, ns)| ns.values().map(move |r| (*app, r)))
            .filter(|(_, r)| r.is_expired(now_ms))
            .map(|(app, r)| (app, r.key.clone()))
            .collect())
    }

    fn apps(&self) -> Result<Vec<u64>> {
        Ok(self.apps.keys().copied().collect())
    }
}

impl Storage for MemoryStorage {
    fn binding(&self) -> Result<Option<ClusterBinding>> {
        Ok(self.lock()?.binding.clone())
    }

    fn set_binding(&self, b: &ClusterBinding) -> Result<()> {
        self.lock()?.binding = Some(b.clone());
        Ok(())
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
        let mut inner = self.lock()?;
        ops::put_local(
            &mut *inner,
            app_id,
            key,
            value,
            ttl_ms,
            node_id,
            now_ms,
            limits,
        )
    }

    fn apply_local_batch(
        &self,
        ops: Vec<LocalWrite>,
        node_id: &str,
        now_ms: u64,
        limits: &Limits,
    ) -> Result<Vec<std::result::Result<LocalOutcome, WriteError>>> {
        ops::apply_local_batch(&mut *self.lock()?, ops, node_id, now_ms, limits)
    }

    fn delete_local(
        &self,
        app_id: u64,
        key: &str,
        node_id: &str,
        now_ms: u64,
    ) -> Result<Option<Record>> {
        ops::delete_local(&mut *self.lock()?, app_id, key, node_id, now_ms)
    }

    fn get(&self, app_id: u64, key: &str) -> Result<Option<Record>> {
        Tx::get(&*self.lock()?, app_id, key)
    }

    fn list_live_keys(&self, app_id: u64, now_ms: u64) -> Result<Vec<String>> {
        let inner = self.lock()?;
        Ok(inner
            .apps
            .get(&app_id)
            .into_iter()
            .flat_map(|ns| ns.values())
            .filter(|r| r.is_live(now_ms))
            .map(|r| r.key.clone())
            .collect())
    }

    fn merge_remote_from(
        &self,
        app_id: u64,
        records: Vec<Record>,
        limits: &Limits,
        origin: Option<&str>,
    ) -> Result<MergeReport> {
        ops::merge_remote(&mut *self.lock()?, app_id, records, limits, origin)
    }

    fn stats(&self, now_ms: u64) -> Result<StoreStats> {
        let inner = self.lock()?;
        let mut s = StoreStats {
            namespaces: inner.apps.len() as u64,
            ..StoreStats::default()
        };
        for (app, ns) in &inner.apps {
            s.total_bytes = s
                .total_bytes
                .saturating_add(inner.usage.get(app).map_or(0, |u| u.bytes));
            s.total_keys += ns.values().filter(|r| r.is_live(now_ms)).count() as u64;
        }
        Ok(s)
    }

    fn app_usage(&self, app_id: u64) -> Result<AppUsage> {
        Tx::usage(&*self.lock()?, app_id)
    }

    fn usage_all(&self) -> Result<BTreeMap<u64, AppUsage>> {
        let inner = self.lock()?;
        let mut out = BTreeMap::new();
        for app in Tx::apps(&*inner)? {
            out.insert(app, Tx::usage(&*inner, app)?);
        }
        Ok(out)
    }

    fn last_seq(&self) -> Result<u64> {
        Ok(self.lock()?.last_seq)
    }

    fn changes_since(&self, after_seq: u64, max_records: usize) -> Result<Vec<Change>> {
        let inner = self.lock()?;
        let mut out = Vec::new();
        if max_records == 0 || after_seq == u64::MAX {
            return Ok(out);
        }
        for (seq, c) in inner.changes.range(after_seq + 1..) {
            if out.len() >= max_records {
                break;
            }
            if let Some(rec) = inner.apps.get(&c.app).and_then(|ns| ns.get(&c.key)) {
                out.push(Change {
                    seq: *seq,
                    app_id: c.app,
                    record: rec.clone(),
                });
            }
        }
        Ok(out)
    }

    fn changes_since_excluding(
        &self,
        after_seq: u64,
        max_records: usize,
        filter: super::PushFilter<'_>,
    ) -> Result<ChangePage> {
        let inner = self.lock()?;
        let mut page = ChangePage {
            changes: Vec::new(),
            scanned_to: after_seq,
        };
        if max_records == 0 || after_seq == u64::MAX {
            return Ok(page);
        }
        for (seq, c) in inner.changes.range(after_seq + 1..) {
            if filter.skips(c.origin.as_deref()) {
                continue;
            }
            if let Some(rec) = inner.apps.get(&c.app).and_then(|ns| ns.get(&c.key)) {
                page.changes.push(Change {
                    seq: *seq,
                    app_id: c.app,
                    record: rec.clone(),
                });
                if page.changes.len() >= max_records {
                    page.scanned_to = *seq;
                    return Ok(page);
                }
            }
        }
        page.scanned_to = after_seq.max(inner.last_seq);
        Ok(page)
    }

    fn count_changes_since(
        &self,
        after_seq: u64,
        filter: Option<super::PushFilter<'_>>,
    ) -> Result<u64> {
        let inner = self.lock()?;
        if after_seq == u64::MAX {
            return Ok(0);
        }
        Ok(inner
            .changes
            .range(after_seq + 1..)
            .filter(|(_, c)| !filter.is_some_and(|f| f.skips(c.origin.as_deref())))
            .count() as u64)
    }

    fn snapshot_page(
        &self,
        after_seq: u64,
        max_records: usize,
        max_bytes: usize,
        now_ms: u64,
        exclude_origins: &[String],
    ) -> Result<super::SnapshotPage> {
        let inner = self.lock()?;
        let mut page = super::SnapshotPage {
            changes: Vec::new(),
            scanned_to: after_seq,
            last_seq: inner.last_seq,
            log_id: Some(self.log_id.clone()),
        };
        if max_records == 0 || after_seq == u64::MAX {
            return Ok(page);
        }
        let (mut bytes, mut scanned) = (0usize, 0usize);
        for (seq, c) in inner.changes.range(after_seq + 1..) {
            if page.changes.len() >= max_records
                || (bytes >= max_bytes && bytes > 0)
                || scanned >= super::PAGE_MAX_SCANNED
            {
                return Ok(page);
            }
            page.scanned_to = *seq;
            scanned += 1;
            if super::origin_excluded(c.origin.as_deref(), exclude_origins) {
                continue;
            }
            if let Some(rec) = inner.apps.get(&c.app).and_then(|ns| ns.get(&c.key)) {
                if rec.is_expired(now_ms) {
                    continue;
                }
                bytes += rec.cost() as usize;
                page.changes.push(Change {
                    seq: *seq,
                    app_id: c.app,
                    record: rec.clone(),
                });
            }
        }
        page.scanned_to = after_seq.max(inner.last_seq);
        Ok(page)
    }

    fn pull_cursor(&self, peer_wallet: &str) -> Result<Option<super::PullCursor>> {
        Ok(self.lock()?.pull_cursors.get(peer_wallet).cloned())
    }

    fn set_pull_cursor(&self, peer_wallet: &str, cursor: &super::PullCursor) -> Result<()> {
        let cursor = super::PullCursor {
            seq: cursor.seq,
            log_id: cursor.log_id.clone().filter(|l| super::valid_log_id(l)),
        };
        self.lock()?
            .pull_cursors
            .insert(peer_wallet.to_string(), cursor);
        Ok(())
    }

    fn log_id(&self) -> Result<Option<String>> {
        Ok(Some(self.log_id.clone()))
    }

    fn caught_up_once(&self) -> Result<bool> {
        Ok(self.lock()?.caught_up_once)
    }

    fn set_caught_up_once(&self) -> Result<()> {
        self.lock()?.caught_up_once = true;
        Ok(())
    }

    fn peer_cursor(&self, peer_wallet: &str) -> Result<Option<PeerCursor>> {
        Ok(self.lock()?.peers.get(peer_wallet).copied())
    }

    fn set_peer_cursor(&self, peer_wallet: &str, c: &PeerCursor) -> Result<()> {
        self.lock()?.peers.insert(peer_wallet.to_string(), *c);
        Ok(())
    }

    fn advance_peer_cursor(&self, peer_wallet: &str, c: &PeerCursor) -> Result<PeerCursor> {
        let mut inner = self.lock()?;
        let slot = inner.peers.entry(peer_wallet.to_string()).or_default();
        *slot = super::ops::max_cursor(*slot, *c);
        Ok(*slot)
    }

    fn load_sealed_master_secret(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.lock()?.sealed.clone())
    }

    fn store_sealed_master_secret(&self, blob: &[u8]) -> Result<()> {
        self.lock()?.sealed = Some(blob.to_vec());
        Ok(())
    }

    fn clear_sealed_master_secret(&self) -> Result<()> {
        self.lock()?.sealed = None;
        Ok(())
    }

    fn restore_marker(&self) -> Result<Option<super::RestoreMarker>> {
        Ok(self.lock()?.restore_marker)
    }

    fn set_restore_marker(&self, m: Option<&super::RestoreMarker>) -> Result<()> {
        self.lock()?.restore_marker = m.copied();
        Ok(())
    }

    fn drop_unconfirmed(&self, candidates: &[(u64, String)], max_seq: u64) -> Result<u64> {
        ops::drop_unconfirmed(&mut *self.lock()?, candidates, max_seq)
    }

    fn purge(&self, now_ms: u64, limits: &Limits, min_peer_acked_seq: Option<u64>) -> Result<u64> {
        ops::purge(&mut *self.lock()?, now_ms, limits, min_peer_acked_seq)
    }

    fn snapshot(&self, now_ms: u64) -> Result<BTreeMap<u64, Vec<Record>>> {
        let inner = self.lock()?;
        Ok(inner
            .apps
            .iter()
            .map(|(app, ns)| {
                let recs = ns
                    .values()
                    .filter(|r| !r.is_expired(now_ms))
                    .cloned()
                    .collect();
                (*app, recs)
            })
            .collect())
    }

    fn for_each_record(&self, visit: &mut dyn FnMut(u64, &Record) -> Result<()>) -> Result<()> {
        // Copy under one lock acquisition (the point in time), visit without the lock.
        let all: Vec<(u64, Record)> = {
            let inner = self.lock()?;
            inner
                .apps
                .iter()
                .flat_map(|(app, ns)| ns.values().map(|r| (*app, r.clone())))
                .collect()
        };
        for (app, rec) in &all {
            visit(*app, rec)?;
        }
        Ok(())
    }

    fn export(&self, sink: &mut dyn super::export::ExportSink) -> Result<()> {
        // Copy under one lock acquisition (the point in time), feed the sink without the lock.
        let mut begin = super::export::ExportBegin {
            schema_version: super::redb::SCHEMA_VERSION,
            ..Default::default()
        };
        let mut items: Vec<(u64, String, Vec<u8>)> = Vec::new();
        {
            let inner = self.lock()?;
            begin.binding = inner.binding.clone();
            begin.last_seq = inner.last_seq;
            begin.sealed_master_secret = inner.sealed.clone();
            for (app, u) in &inner.usage {
                begin.apps.insert(
                    *app,
                    super::export::AppCounts {
                        records: u.live_keys,
                        tombstones: u.tombstones,
                        bytes: u.bytes,
                    },
                );
            }
            for (app, ns) in &inner.apps {
                for (key, rec) in ns {
                    let enc = super::codec::encode_record(*app, rec).map_err(|m| {
                        Error::local(format!("cannot encode record (app {app}): {m}"))
                    })?;
                    begin.entries += 1;
                    begin.key_bytes += key.len() as u64;
                    begin.encoded_bytes += enc.len() as u64;
                    items.push((*app, key.clone(), enc));
                }
            }
        }
        sink.begin(&begin)?;
        for (app, key, enc) in &items {
            sink.record(*app, key, enc)?;
        }
        Ok(())
    }
}
