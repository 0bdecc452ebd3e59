//! Write logic shared by every backend: local put/delete (protocol.md §4.4), merge (§6.6),
//! quota/eviction (design.md §4) and purge (§4.5). Backends only provide the primitive
//! operations of [`Tx`] inside one transaction; the decisions are made here once, so the redb and
//! memory backends cannot drift apart.

use crate::error::{Error, Result};
use crate::store::merge::INBOUND_VALUE_OVERHEAD_BYTES;
use crate::store::{
    merge, plan_eviction, EvictionCandidate, Limits, MergeReport, QuotaError, QuotaPolicy, Record,
};

use super::{AppUsage, LocalOutcome, LocalWrite, PutOutcome, WriteError};

/// Primitive operations of one write transaction. Implementations keep `usage`, the age and
/// expiry indexes and the change log consistent with the records they store.
pub(crate) trait Tx {
    /// The stored record of `(app, key)`, if any.
    fn get(&self, app: u64, key: &str) -> Result<Option<Record>>;
    /// Usage counters of `app` (zeros if the namespace does not exist).
    fn usage(&self, app: u64) -> Result<AppUsage>;
    /// Store `rec` under `(app, rec.key)`, replacing any previous record; maintains usage and
    /// indexes. Does not touch the change log.
    fn put_record(&mut self, app: u64, rec: &Record) -> Result<()>;
    /// Remove the record of `(app, key)`, returning it; maintains usage and indexes. Does not
    /// touch the change log.
    fn remove_record(&mut self, app: u64, key: &str) -> Result<Option<Record>>;
    /// Assign the next sequence number to `(app, key)`, dropping its previous log entry (and
    /// that entry's origin); the new entry remembers `origin` (the peer wallet the record came
    /// from, see `Storage::merge_remote_from`) if given.
    fn touch_change(&mut self, app: u64, key: &str, origin: Option<&str>) -> Result<u64>;
    /// Drop the log entry of `(app, key)` and its origin, if any (the sequence counter is not
    /// rewound).
    fn drop_change(&mut self, app: u64, key: &str) -> Result<()>;
    /// Current log sequence of `(app, key)`.
    fn change_seq(&self, app: u64, key: &str) -> Result<Option<u64>>;
    /// Non-tombstone records of `app` other than `exclude`, least-recently-updated first (by `updated_at_ms`, then key), stopping as soon as their
    /// total cost reaches `need` bytes (all of them if it never does).
    fn lru_candidates(&self, app: u64, exclude: &str, need: u64) -> Result<Vec<EvictionCandidate>>;
    /// Tombstones of `app` as `(key, updated_at_ms)`, oldest first (by `updated_at_ms`, then key).
    fn tombstones_oldest(&self, app: u64) -> Result<Vec<(String, u64)>>;
    /// `(app, key)` of every record expired at `now_ms` (tombstones included).
    fn expired(&self, now_ms: u64) -> Result<Vec<(u64, String)>>;
    /// Every app id that has a namespace, ascending.
    fn apps(&self) -> Result<Vec<u64>>;
}

/// Plan room for a record of `target_cost` bytes under `(app, key)` whose current record costs
/// `existing_cost`. Outer error = storage failure; inner error = does not fit.
fn plan_room<T: Tx>(
    tx: &T,
    app: u64,
    key: &str,
    existing_cost: u64,
    target_cost: u64,
    policy: QuotaPolicy,
    budget: u64,
) -> Result<std::result::Result<Vec<String>, QuotaError>> {
    let usage = tx.usage(app)?;
    let without = usage.bytes.saturating_sub(existing_cost);
    let needed = without.saturating_add(target_cost);
    if needed <= budget {
        return Ok(Ok(Vec::new()));
    }
    let candidates = match policy {
        QuotaPolicy::Evict => tx.lru_candidates(app, key, needed - budget)?,
        QuotaPolicy::Reject => Vec::new(),
    };
    Ok(plan_eviction(
        policy,
        &candidates,
        without,
        target_cost,
        budget,
    ))
}

/// Remove `keys` of `app`; logs the count (never keys or values).
///
/// Each eviction consumes a new change-log sequence (design.md §3: every change is sequenced),
/// but leaves no log entry: there is no content to ship (`changes_since` would skip it), and a
/// lingering entry per evicted key would let an app grow the log without bound.
fn evict<T: Tx>(tx: &mut T, app: u64, keys: &[String], why: &str) -> Result<()> {
    let mut freed = 0u64;
    for key in keys {
        if let Some(old) = tx.remove_record(app, key)? {
            freed = freed.saturating_add(old.cost());
            tx.touch_change(app, key, None)?;
            tx.drop_change(app, key)?;
        }
    }
    if !keys.is_empty() {
        tracing::info!(
            app_id = app,
            evicted = keys.len(),
            freed_bytes = freed,
            reason = why,
            "quota eviction of least-recently-updated records"
        );
    }
    Ok(())
}

/// `Storage::put_local` (protocol.md §4.4 PUT + design.md §4 quota).
#[allow(clippy::too_many_arguments)]
pub(crate) fn put_local<T: Tx>(
    tx: &mut T,
    app: u64,
    key: &str,
    value: Vec<u8>,
    ttl_ms: u64,
    node_id: &str,
    now_ms: u64,
    limits: &Limits,
) -> std::result::Result<PutOutcome, WriteError> {
    let max = limits
        .max_kv_value_size_bytes
        .saturating_add(INBOUND_VALUE_OVERHEAD_BYTES);
    if value.len() > max {
        return Err(WriteError::ValueTooLarge {
            len: value.len(),
            max,
        });
    }
    let existing = tx.get(app, key)?;
    let mut version = existing
        .as_ref()
        .map(|r| r.version.clone())
        .unwrap_or_default();
    version.increment(node_id);
    let record = Record {
        key: key.to_string(),
        value,
        version,
        updated_at_ms: now_ms,
        tombstone: false,
        ttl_ms,
    };
    let existing_cost = existing.as_ref().map_or(0, Record::cost);
    let evicted = plan_room(
        tx,
        app,
        key,
        existing_cost,
        record.cost(),
        limits.quota_policy,
        limits.max_app_storage_bytes,
    )??;
    evict(tx, app, &evicted, "local write")?;
    tx.put_record(app, &record)?;
    tx.touch_change(app, key, None)?;
    Ok(PutOutcome { record, evicted })
}

/// `Storage::apply_local_batch`: the ops in order inside one transaction; a storage error
/// aborts the batch (outer `Err`), a quota or size refusal is that op's result only (it changed
/// nothing, see [`put_local`]).
pub(crate) fn apply_local_batch<T: Tx>(
    tx: &mut T,
    ops: Vec<LocalWrite>,
    node_id: &str,
    now_ms: u64,
    limits: &Limits,
) -> Result<Vec<std::result::Result<LocalOutcome, WriteError>>> {
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        out.push(match op {
            LocalWrite::Put {
                app_id,
                key,
                value,
                ttl_ms,
            } => match put_local(tx, app_id, &key, value, ttl_ms, node_id, now_ms, limits) {
                Ok(o) => Ok(LocalOutcome::Put(o)),
                Err(WriteError::Storage(e)) => return Err(e),
                Err(e) => Err(e),
            },
            LocalWrite::Delete { app_id, key } => Ok(LocalOutcome::Delete(delete_local(
                tx, app_id, &key, node_id, now_ms,
            )?)),
        });
    }
    Ok(out)
}

/// `Storage::delete_local` (protocol.md §4.4 DELETE).
pub(crate) fn delete_local<T: Tx>(
    tx: &mut T,
    app: u64,
    key: &str,
    node_id: &str,
    now_ms: u64,
) -> Result<Option<Record>> {
    let Some(existing) = tx.get(app, key)? else {
        return Ok(None);
    };
    if !existing.is_live(now_ms) {
        return Ok(None);
    }
    let mut version = existing.version;
    version.increment(node_id);
    let tomb = Record {
        key: key.to_string(),
        value: Vec::new(),
        version,
        updated_at_ms: now_ms,
        tombstone: true,
        ttl_ms: 0,
    };
    tx.put_record(app, &tomb)?;
    tx.touch_change(app, key, None)?;
    Ok(Some(tomb))
}

/// `Storage::merge_remote_from` (protocol.md §6.6, then quota with eviction whatever the
/// policy). The change-log entry of a stored record remembers `origin` only if the record was
/// stored exactly as received (its clock is the incoming one).
pub(crate) fn merge_remote<T: Tx>(
    tx: &mut T,
    app: u64,
    records: Vec<Record>,
    limits: &Limits,
    origin: Option<&str>,
) -> Result<MergeReport> {
    let mut report = MergeReport::default();
    for incoming in records {
        let existing = tx.get(app, &incoming.key)?;
        let incoming_version = origin.map(|_| incoming.version.clone());
        let (outcome, store) = merge(existing.as_ref(), incoming);
        report.count(outcome);
        let Some(rec) = store else { continue };
        tx.put_record(app, &rec)?;
        let as_received = incoming_version.as_ref() == Some(&rec.version);
        tx.touch_change(app, &rec.key, origin.filter(|_| as_received))?;
        let cost = rec.cost();
        match plan_room(
            tx,
            app,
            &rec.key,
            cost,
            cost,
            QuotaPolicy::Evict,
            limits.max_app_storage_bytes,
        )? {
            Ok(keys) => evict(tx, app, &keys, "replicated record")?,
            Err(e) => tracing::warn!(
                app_id = app,
                used = e.used,
                budget = e.budget,
                "namespace over quota after merging a replicated record, and evicting every \
                 candidate would not make room; keeping it over budget"
            ),
        }
    }
    Ok(report)
}

/// `Storage::purge` (protocol.md §4.5 with the peer-acknowledgement gate of design.md §4).
pub(crate) fn purge<T: Tx>(
    tx: &mut T,
    now_ms: u64,
    limits: &Limits,
    min_peer_acked_seq: Option<u64>,
) -> Result<u64> {
    let mut removed = 0u64;
    for (app, key) in tx.expired(now_ms)? {
        if tx.remove_record(app, &key)?.is_some() {
            tx.drop_change(app, &key)?;
            removed += 1;
        }
    }
    let acked = |tx: &T, app: u64, key: &str| -> Result<bool> {
        Ok(match min_peer_acked_seq {
            None => true,
            Some(min) => tx.change_seq(app, key)?.is_none_or(|seq| seq <= min),
        })
    };
    let retention = limits.tombstone_retention_ms;
    let cap = limits.max_tombstones_per_app;
    for app in tx.apps()? {
        let tombs = tx.tombstones_oldest(app)?;
        let mut remaining = tombs.len() as u64;
        let mut survivors = Vec::with_capacity(tombs.len());
        for (key, updated) in tombs {
            let old = retention > 0 && now_ms.saturating_sub(updated) >= retention;
            if old && acked(tx, app, &key)? {
                tx.remove_record(app, &key)?;
                tx.drop_change(app, &key)?;
                removed += 1;
                remaining -= 1;
            } else {
                survivors.push(key);
            }
        }
        if cap > 0 && remaining > cap {
            let mut excess = remaining - cap;
            for key in survivors {
                if excess == 0 {
                    break;
                }
                if acked(tx, app, &key)? {
                    tx.remove_record(app, &key)?;
                    tx.drop_change(app, &key)?;
                    removed += 1;
                    excess -= 1;
                }
            }
            if excess > 0 {
                tracing::warn!(
                    app_id = app,
                    over_cap = excess,
                    "tombstone cap exceeded: tombstones not yet acknowledged by every peer are kept"
                );
            }
        }
    }
    Ok(removed)
}

/// `Storage::drop_unconfirmed`: remove the candidates whose log sequence is still `<= max_seq`.
pub(crate) fn drop_unconfirmed<T: Tx>(
    tx: &mut T,
    candidates: &[(u64, String)],
    max_seq: u64,
) -> Result<u64> {
    let mut removed = 0u64;
    for (app, key) in candidates {
        let unchanged = tx.change_seq(*app, key)?.is_some_and(|seq| seq <= max_seq);
        if unchanged && tx.remove_record(*app, key)?.is_some() {
            tx.drop_change(*app, key)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Apply `add` (+) or `sub` (-) of one record to usage counters; `Integrity` error on underflow
/// (counters out of step with the records).
pub(crate) fn adjust_usage(
    mut u: AppUsage,
    sub: Option<&Record>,
    add: Option<&Record>,
) -> Result<AppUsage> {
    if let Some(r) = sub {
        let under = || Error::integrity("usage counters out of step with stored records");
        u.bytes = u.bytes.checked_sub(r.cost()).ok_or_else(under)?;
        if r.tombstone {
            u.tombstones = u.tombstones.checked_sub(1).ok_or_else(under)?;
        } else {
            u.live_keys = u.live_keys.checked_sub(1).ok_or_else(under)?;
        }
    }
    if let Some(r) = add {
        u.bytes = u.bytes.saturating_add(r.cost());
        if r.tombstone {
            u.tombstones += 1;
        } else {
            u.live_keys += 1;
        }
    }
    Ok(u)
}

/// The field-wise larger of two replication cursors ([`super::Storage::advance_peer_cursor`]):
/// a cursor only moves forward, and so does its last successful exchange.
pub(crate) fn max_cursor(a: super::PeerCursor, b: super::PeerCursor) -> super::PeerCursor {
    super::PeerCursor {
        acked_seq: a.acked_seq.max(b.acked_seq),
        last_success_ms: a.last_success_ms.max(b.last_success_ms),
    }
}
