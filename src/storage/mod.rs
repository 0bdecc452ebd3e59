//! Persistence of the KV store, change log, peer cursors, cluster binding and sealed master
//! secret (design.md §3–§4).
//!
//! [`Storage`] is the one interface the node uses (`Arc<dyn Storage>`). Two backends implement it
//! with identical semantics (the write logic is shared, see `ops`): [`redb::RedbStorage`] (the
//! durable default, one file `novakms.redb`) and [`memory::MemoryStorage`] (tests and
//! `--storage memory`: nothing survives a restart).
//!
//! Every method is synchronous and atomic: for redb one transaction, and a write is acknowledged
//! (the method returns `Ok`) only after its durable commit returned (design.md §3 "Acknowledge
//! only after commit returns"). The node never calls a write from async code directly: writes
//! go through its committer thread (`node::commit`), and reads through `node::kv::read`, which
//! runs point reads inline (microseconds from redb's cache) and scans on the blocking pool.
//!
//! Semantics shared by both backends:
//! * Namespaces are app ids; a namespace exists while it holds at least one record (value or
//!   tombstone). Keys are arbitrary strings (protocol.md §4.7).
//! * Nothing is purged implicitly: reads filter expired records and tombstones themselves and the
//!   node calls [`Storage::purge`] periodically (the upstream node cleans up at the start of
//!   get/list/delete/stats instead, protocol.md §4.5).
//! * Change log (design.md §3 "Replication"): every local put/delete, every merged record and
//!   every eviction takes the next node-local sequence number (1, 2, 3, …; never reused); the
//!   log holds only the latest sequence per key, and only for keys that still have a record:
//!   evicting or purging a record drops its log entry (nothing left to ship), so the log is
//!   bounded by the number of stored records.
//! * Origin tracking (echo suppression): a log entry written by
//!   [`Storage::merge_remote_from`] remembers the wallet of the peer the record came from when
//!   the record was stored exactly as received; [`Storage::changes_since_excluding`] skips such
//!   entries for that peer, so received records are not pushed back to their sender.

pub mod backup;
pub mod codec;
pub mod export;
pub mod fault;
pub mod memory;
mod ops;
pub mod redb;
#[cfg(test)]
mod suite;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::store::{Limits, MergeReport, QuotaError, Record};

pub use self::memory::MemoryStorage;
pub use self::redb::RedbStorage;

/// The cluster a database belongs to (design.md §4 `meta` table), stored once and checked at
/// every start by [`check_binding`]. Addresses are canonical (`0x` + 40 lowercase hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterBinding {
    /// EVM chain id of the registries.
    pub chain_id: u64,
    /// NovaAppRegistry address.
    pub nova_app_registry: String,
    /// KMSRegistry address.
    pub kms_registry: String,
    /// App id of the KMS cluster in NovaAppRegistry (protocol.md §0 `kms_app_id`).
    pub kms_app_id: u64,
    /// This node's wallet (the vector-clock node id, protocol.md §6.10).
    pub node_wallet: String,
}

/// Result of a successful [`Storage::put_local`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutOutcome {
    /// The record as stored (ciphertext, incremented clock, `updated_at_ms = now_ms`).
    pub record: Record,
    /// Keys of the same app evicted to make room (least-recently-updated first; empty unless
    /// `QuotaPolicy::Evict` had to act). The caller logs and meters them (design.md §4).
    pub evicted: Vec<String>,
}

/// Why a local write failed.
#[derive(Debug, Clone)]
pub enum WriteError {
    /// The namespace would exceed its budget: refused under `QuotaPolicy::Reject`, or evicting
    /// every evictable record would not make room under `QuotaPolicy::Evict`. Nothing changed.
    /// `used` = bytes the namespace would hold with the write, `budget` = `max_app_storage_bytes`.
    /// The API answers 4xx (design.md §4).
    QuotaExceeded {
        /// Bytes needed (current usage without the key's old record + the new record's cost).
        used: u64,
        /// Namespace budget in bytes.
        budget: u64,
    },
    /// The ciphertext exceeds `max_kv_value_size_bytes + 128` (protocol.md §6.5 bound, applied to local
    /// writes as a defensive check; the caller's plaintext check normally fires first).
    /// Nothing changed.
    ValueTooLarge {
        /// Ciphertext length in bytes.
        len: usize,
        /// Largest accepted ciphertext length in bytes.
        max: usize,
    },
    /// Storage failure (I/O, disk full, corruption); nothing was acknowledged.
    Storage(Error),
    /// The write's request deadline passed before its commit, so it was dropped and never
    /// applied (issue 10 "request deadlines"). Returned by the node's committer
    /// (`node::commit`), never by a [`Storage`] backend. The API answers 503.
    DeadlineExceeded,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::QuotaExceeded { used, budget } => write!(
                f,
                "app storage quota exceeded: {used} bytes needed, budget {budget} bytes"
            ),
            WriteError::ValueTooLarge { len, max } => {
                write!(f, "encrypted value too large ({len} bytes, limit {max})")
            }
            WriteError::Storage(e) => write!(f, "{e}"),
            WriteError::DeadlineExceeded => {
                write!(f, "request deadline passed before the commit; not applied")
            }
        }
    }
}

impl std::error::Error for WriteError {}

impl From<Error> for WriteError {
    fn from(e: Error) -> Self {
        WriteError::Storage(e)
    }
}

impl From<QuotaError> for WriteError {
    fn from(e: QuotaError) -> Self {
        WriteError::QuotaExceeded {
            used: e.used,
            budget: e.budget,
        }
    }
}

impl From<WriteError> for Error {
    /// `QuotaExceeded`/`ValueTooLarge` -> `ErrorKind::Local` (a validation error for the CLI);
    /// `Storage(e)` -> `e`.
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Storage(e) => e,
            other => Error::local(other.to_string()),
        }
    }
}

/// One local app write for [`Storage::apply_local_batch`] (group commit, design.md §3
/// "Acknowledge only after commit returns").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalWrite {
    /// [`Storage::put_local`] of `value` (ciphertext `nonce ‖ ct ‖ tag`) under `(app_id, key)`
    /// with `ttl_ms` (0 = no expiry).
    Put {
        /// Namespace (registry app id).
        app_id: u64,
        /// Key (arbitrary string, protocol.md §4.7).
        key: String,
        /// Ciphertext bytes.
        value: Vec<u8>,
        /// Time to live in ms; 0 = none.
        ttl_ms: u64,
    },
    /// [`Storage::delete_local`] of `(app_id, key)`.
    Delete {
        /// Namespace (registry app id).
        app_id: u64,
        /// Key.
        key: String,
    },
}

/// Result of one [`LocalWrite`] inside a committed batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalOutcome {
    /// The put was stored (see [`PutOutcome`]).
    Put(PutOutcome),
    /// The delete: `Some(tombstone)` if a live record was deleted, `None` if there was none
    /// (the API's 404).
    Delete(Option<Record>),
}

/// Data-store totals for `/status` `data_store` (protocol.md §8.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStats {
    /// Namespaces holding at least one record (value or tombstone).
    pub namespaces: u64,
    /// Live keys (not tombstoned, not expired at `now_ms`) over all namespaces.
    pub total_keys: u64,
    /// Accounted bytes (`Record::cost`: key + ciphertext, tombstones key only) over all
    /// namespaces, including expired records not yet purged.
    pub total_bytes: u64,
}

/// Quota accounting of one namespace, maintained on every write (no scan).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppUsage {
    /// Accounted bytes (`Record::cost` summed over every stored record of the app); this is
    /// what is compared with `Limits::max_app_storage_bytes`.
    pub bytes: u64,
    /// Non-tombstone records stored, including expired ones not yet purged (the time-independent
    /// count; use `list_live_keys` for the live set at a given time).
    pub live_keys: u64,
    /// Tombstones stored.
    pub tombstones: u64,
}

/// Left in a database by `novakms restore` (issue 10 "Restore trust and freshness"): the
/// records up to change-log sequence `high_water_seq` came from a backup file taken at
/// `snapshot_created_at_ms`, and the node has not yet reconciled them with its live peers.
/// While it is stored, the node offers nothing to peers (`node::rejoin`); it is cleared once
/// the node has reconciled, or has waited out its bounded wait with no live peer (full-cluster
/// recovery).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreMarker {
    /// `created_at_ms` of the backup's manifest (signed), Unix ms.
    pub snapshot_created_at_ms: u64,
    /// `last_seq` of the database right after the import: every change-log entry at or below
    /// it is a record exactly as the backup held it.
    pub high_water_seq: u64,
    /// When the restore ran, Unix ms.
    pub restored_at_ms: u64,
}

/// Replication progress towards one peer (design.md §3 "Replication", §4 `peers` table).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerCursor {
    /// Highest change-log sequence the peer acknowledged (0 = nothing yet).
    pub acked_seq: u64,
    /// Unix ms of the last successful exchange with the peer (0 = never).
    pub last_success_ms: u64,
}

/// One change-log entry with the record it names now (design.md §3 "Replication").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Node-local sequence number of the change (1, 2, 3, …; never reused).
    pub seq: u64,
    /// Namespace of the record.
    pub app_id: u64,
    /// The record as stored now (value, tombstone, or expired-but-unpurged).
    pub record: Record,
}

/// One page of the change log for one peer, from [`Storage::changes_since_excluding`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangePage {
    /// Changes ascending by `seq`, without the excluded peer's own records.
    pub changes: Vec<Change>,
    /// Every change-log entry with `seq <= scanned_to` was considered (returned or skipped as
    /// the peer's own); never below the `after_seq` asked for.
    pub scanned_to: u64,
}

/// One page of a paged snapshot (`snapshot_page`, novakms-only `/sync` type, see
/// `node::replicator::paged`), from [`Storage::snapshot_page`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapshotPage {
    /// Change-log entries after the cursor, ascending by `seq`, each with its current record
    /// (tombstones included, records expired at the read's `now_ms` left out).
    pub changes: Vec<Change>,
    /// Every change-log entry with `seq <= scanned_to` was considered; never below the
    /// `after_seq` asked for. The next page starts after it.
    pub scanned_to: u64,
    /// `last_seq` of the database as of the same read: the page reached the end of the log
    /// iff `scanned_to >= last_seq`.
    pub last_seq: u64,
    /// The identity of the change log the sequences belong to ([`Storage::log_id`]), as of the
    /// same read.
    pub log_id: Option<String>,
}

/// A fresh change-log identity: 16 random bytes (OS RNG) as 32 lowercase hex characters. Made
/// once per database (a new data dir, a restore's import, an older database on its first
/// read-write open) and never changed; see [`Storage::log_id`].
pub fn new_log_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// True when `s` has the shape [`new_log_id`] makes (32 lowercase hex characters). Log ids
/// from a peer or the file that do not are taken as absent.
pub fn valid_log_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where a pull from a peer resumes (`node::replicator::paged`, "Pull cursors"): a sequence of
/// the peer's change log and the identity of that log ([`Storage::log_id`] at the peer), so a
/// cursor is never applied to another log of the same wallet (a restore, a new data dir).
/// `log_id` is `None` for a cursor stored by a build before log ids or from a donor that sends
/// none. The default (`0`, `None`) pulls everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PullCursor {
    /// The highest sequence of the peer's change log pulled and merged.
    pub seq: u64,
    /// The peer's change-log identity that `seq` belongs to.
    pub log_id: Option<String>,
}

/// Most change-log entries one [`Storage::snapshot_page`] call scans (returned or skipped as
/// expired or excluded) before it ends the page: bounds the donor's work per request when most
/// entries are skipped.
pub const PAGE_MAX_SCANNED: usize = 65_536;

/// True when a change-log entry with `origin` (the peer the stored record came from, `None`
/// for a local change) is left out of a page for `exclude_origins` ([`Storage::snapshot_page`]).
pub fn origin_excluded(origin: Option<&str>, exclude_origins: &[String]) -> bool {
    origin.is_some_and(|o| exclude_origins.iter().any(|x| x == o))
}

/// Which change-log entries a push to one peer carries ([`Storage::changes_since_excluding`],
/// [`Storage::count_changes_since`]; the rule is explained in `node::replicator`, "Relay").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PushFilter<'a> {
    /// Canonical wallet of the peer: entries whose origin it is are never sent back to it.
    pub peer: &'a str,
    /// Whether entries whose origin is another peer (records stored exactly as a peer sent
    /// them, see [`Storage::merge_remote_from`]) are relayed. Local changes, and records
    /// stored with a merged clock (no origin), always go.
    pub relay: bool,
}

impl<'a> PushFilter<'a> {
    /// Everything but `peer`'s own records (protocol.md §6.9 relays records received from
    /// peers too).
    pub fn relaying(peer: &'a str) -> Self {
        PushFilter { peer, relay: true }
    }

    /// Only entries without an origin: local changes and merged winners.
    pub fn own_only(peer: &'a str) -> Self {
        PushFilter { peer, relay: false }
    }

    /// True when an entry with `origin` (`None` for a local change) is left out of the push.
    pub fn skips(&self, origin: Option<&str>) -> bool {
        origin.is_some_and(|o| !self.relay || o == self.peer)
    }
}

/// The node's persistent state (design.md §4). Object-safe; used as `Arc<dyn Storage>`.
///
/// Every method is one atomic, durable operation (see the module docs). Unless stated otherwise,
/// errors are [`Error`]s of kind `Local` (I/O, disk full) or `Integrity` (a stored record that
/// does not decode, a corrupt file).
pub trait Storage: Send + Sync + 'static {
    /// The stored cluster binding, if any (design.md §4 `meta`).
    fn binding(&self) -> Result<Option<ClusterBinding>>;

    /// Store (replace) the cluster binding.
    fn set_binding(&self, b: &ClusterBinding) -> Result<()>;

    /// Local PUT of `(app_id, key)` (protocol.md §4.4, design.md §3 "App write").
    ///
    /// `value` is the ciphertext (`nonce ‖ ct ‖ tag`); the caller has checked the plaintext
    /// against `limits.max_kv_value_size_bytes`. The new record has clock = the stored record's clock
    /// (including a tombstone or an expired-but-unpurged record) with `node_id`'s entry +1,
    /// `updated_at_ms = now_ms`, `tombstone = false`, `ttl_ms` as given. Quota (design.md §4):
    /// if the namespace would exceed `limits.max_app_storage_bytes`, `QuotaPolicy::Evict` evicts the
    /// app's least-recently-updated non-tombstone records other than `key` (see
    /// `store::plan_eviction`; expired-but-unpurged records are candidates like any other), and
    /// `QuotaPolicy::Reject` refuses. The record, evictions and change-log entries commit together.
    ///
    /// Errors: [`WriteError::QuotaExceeded`] / [`WriteError::ValueTooLarge`] (nothing changed),
    /// [`WriteError::Storage`].
    #[allow(clippy::too_many_arguments)]
    fn put_local(
        &self,
        app_id: u64,
        key: &str,
        value: Vec<u8>,
        ttl_ms: u64,
        node_id: &str,
        now_ms: u64,
        limits: &Limits,
    ) -> Result<PutOutcome, WriteError>;

    /// Local DELETE (protocol.md §4.4): if a live record exists (not a tombstone, not expired at
    /// `now_ms`), replace it by a tombstone (empty value, clock +1 for `node_id`,
    /// `updated_at_ms = now_ms`, `ttl_ms = 0`) and return it; `Ok(None)` otherwise (the API's
    /// 404 `Key not found`).
    fn delete_local(
        &self,
        app_id: u64,
        key: &str,
        node_id: &str,
        now_ms: u64,
    ) -> Result<Option<Record>>;

    /// Apply several local writes in order in ONE durable transaction (group commit, design.md
    /// §3): the write path of the node's committer (`node::commit`), which batches concurrent
    /// app writes so that one fsync acknowledges many of them.
    ///
    /// Each op has the semantics of [`Storage::put_local`] / [`Storage::delete_local`] at
    /// `now_ms`, seeing the effects of the ops before it (two puts of one key in a batch get
    /// successive clocks). An op refused with [`WriteError::QuotaExceeded`] or
    /// [`WriteError::ValueTooLarge`] changes nothing and the others still apply; its slot in
    /// the returned vector (same order and length as `ops`) holds the error.
    ///
    /// Errors: a storage failure (I/O, disk full, corruption) returns the outer `Err` and no op
    /// of the batch may be acknowledged. The redb backend runs the batch as one transaction, so
    /// then nothing of it is written; the memory backend applies it under one lock and has no
    /// I/O to fail. Returns only after the durable commit returned.
    fn apply_local_batch(
        &self,
        ops: Vec<LocalWrite>,
        node_id: &str,
        now_ms: u64,
        limits: &Limits,
    ) -> Result<Vec<std::result::Result<LocalOutcome, WriteError>>>;

    /// The raw stored record, which may be a tombstone or expired: the caller decides
    /// (`Record::is_live`).
    fn get(&self, app_id: u64, key: &str) -> Result<Option<Record>>;

    /// Keys of the app's live records at `now_ms` (not tombstones, not expired), sorted by byte
    /// order. (Upstream lists in LRU order; clients must not rely on order, protocol.md §1.5.)
    fn list_live_keys(&self, app_id: u64, now_ms: u64) -> Result<Vec<String>>;

    /// Merge replicated records into namespace `app_id` (protocol.md §6.6), all in one
    /// transaction: [`Storage::merge_remote_from`] without an origin (every stored record will
    /// be offered to every peer).
    fn merge_remote(
        &self,
        app_id: u64,
        records: Vec<Record>,
        limits: &Limits,
    ) -> Result<MergeReport> {
        self.merge_remote_from(app_id, records, limits, None)
    }

    /// Merge records received from the peer with canonical wallet `origin` (`None`: unknown or
    /// not a peer) into namespace `app_id` (protocol.md §6.6), all in one transaction. The
    /// caller has parsed and validated them (§6.5) and counts rejects itself
    /// (`MergeReport::reject`); the returned report has `rejected = 0` and
    /// `total = records.len()`.
    ///
    /// Each stored record gets a change-log entry. The entry remembers `origin` iff the record
    /// was stored exactly as received (no existing record, or the existing one happened before
    /// it); a concurrent winner is stored with the pointwise-max clock, which the sender does
    /// not have yet, so its entry has no origin and it is pushed back to the sender too (that
    /// lets the sender's clock converge). [`Storage::changes_since_excluding`] uses the origin
    /// to avoid echoing records to the peer they came from.
    ///
    /// Quota after each stored record: if the namespace exceeds `limits.max_app_storage_bytes`, the
    /// app's least-recently-updated non-tombstone records other than the merged key are evicted
    /// **whatever `limits.quota_policy` says**: replicated data must converge, and refusing it
    /// would make this replica diverge permanently, while an eviction is the same local,
    /// wire-invisible choice upstream makes (protocol.md §4.6). If even evicting every candidate
    /// cannot make room (tombstone key bytes plus the merged record exceed the budget), nothing
    /// is evicted, the record is kept over budget and a warning is logged; the app's next local
    /// write then evicts (Evict) or is refused (Reject) as usual.
    fn merge_remote_from(
        &self,
        app_id: u64,
        records: Vec<Record>,
        limits: &Limits,
        origin: Option<&str>,
    ) -> Result<MergeReport>;

    /// Totals for `/status` at `now_ms` (protocol.md §8.1).
    fn stats(&self, now_ms: u64) -> Result<StoreStats>;

    /// Quota accounting of one app (all zero for an unknown app).
    fn app_usage(&self, app_id: u64) -> Result<AppUsage>;

    /// Quota accounting of every app that has a namespace, by app id (the maintained counters,
    /// no record scan; used by `/metrics`).
    fn usage_all(&self) -> Result<BTreeMap<u64, AppUsage>>;

    /// The highest sequence number ever assigned (0 for a fresh database). Never decreases.
    fn last_seq(&self) -> Result<u64>;

    /// Change-log entries with `seq > after_seq`, ascending, at most `max_records`, each with the
    /// current record (value, tombstone, or expired-but-unpurged). Evicted and purged keys have
    /// no entry, so sequence numbers have gaps. To advance a peer cursor when nothing is left to
    /// send, read [`Storage::last_seq`] *before* calling this; if the result is empty, every
    /// change up to that value has been seen.
    fn changes_since(&self, after_seq: u64, max_records: usize) -> Result<Vec<Change>>;

    /// The next page of changes to push to the peer `filter.peer` (design.md §3
    /// "Replication"), from one consistent read: change-log entries with `seq > after_seq`,
    /// ascending, each with its current record, leaving out entries the filter skips by their
    /// origin (see [`Storage::merge_remote_from`], [`PushFilter::skips`]), at most
    /// `max_records` of them.
    ///
    /// [`ChangePage::scanned_to`] tells how far the log was considered: the sequence of the
    /// last returned change when the page is full (`max_records` changes), otherwise (the log
    /// was exhausted) `max(after_seq, last_seq)` as of the same read. Once the page's changes
    /// are acknowledged by the peer its cursor may advance to `scanned_to`: the skipped entries
    /// are not for that peer. `max_records == 0` returns an empty page with
    /// `scanned_to = after_seq`.
    fn changes_since_excluding(
        &self,
        after_seq: u64,
        max_records: usize,
        filter: PushFilter<'_>,
    ) -> Result<ChangePage>;

    /// Number of change-log entries with `seq > after_seq`, not counting entries `filter`
    /// skips (if given; `None` counts all): the replication lag towards that peer, in records.
    /// Costs one scan of the entries after `after_seq`.
    fn count_changes_since(&self, after_seq: u64, filter: Option<PushFilter<'_>>) -> Result<u64>;

    /// The replication cursor of peer `peer_wallet` (canonical wallet), if one was stored.
    fn peer_cursor(&self, peer_wallet: &str) -> Result<Option<PeerCursor>>;

    /// Store (replace) the replication cursor of peer `peer_wallet`.
    fn set_peer_cursor(&self, peer_wallet: &str, c: &PeerCursor) -> Result<()>;

    /// Move the replication cursor of peer `peer_wallet` forward, never back: in one write,
    /// each field becomes the larger of the stored one (0 when none) and `c`'s. Returns the
    /// cursor as stored. The push loop acknowledges batches with it and a page served to the
    /// peer advances it (`node::replicator::paged`, "Push cursors"), so neither undoes the
    /// other; only [`Storage::set_peer_cursor`] moves a cursor back.
    fn advance_peer_cursor(&self, peer_wallet: &str, c: &PeerCursor) -> Result<PeerCursor>;

    /// The sealed master-secret blob (opaque bytes, design.md §4 `master_secret`), if stored.
    fn load_sealed_master_secret(&self) -> Result<Option<Vec<u8>>>;

    /// Store (replace) the sealed master-secret blob.
    fn store_sealed_master_secret(&self, blob: &[u8]) -> Result<()>;

    /// Remove the sealed master-secret blob (no-op if absent).
    fn clear_sealed_master_secret(&self) -> Result<()>;

    /// The [`RestoreMarker`] left by `novakms restore`, if the node has not cleared it yet.
    fn restore_marker(&self) -> Result<Option<RestoreMarker>>;

    /// Store (`Some`) or clear (`None`) the [`RestoreMarker`].
    fn set_restore_marker(&self, m: Option<&RestoreMarker>) -> Result<()>;

    /// Rejoin after a restore (issue 10): remove each record of `candidates` (`(app_id, key)`)
    /// whose change-log sequence is still `<= max_seq` (unchanged since the restore; a record
    /// merged or written since has a higher sequence and stays), without a tombstone and with
    /// its change-log entry, in one transaction. Returns the number removed. Nothing of it is
    /// offered to peers: the live peers no longer hold these keys.
    fn drop_unconfirmed(&self, candidates: &[(u64, String)], max_seq: u64) -> Result<u64>;

    /// Cleanup (protocol.md §4.5, design.md §4 "Tombstones"); returns the number of records
    /// removed. In one transaction:
    /// 1. remove every record expired at `now_ms` (tombstone or not);
    /// 2. if `limits.tombstone_retention_ms > 0`, remove tombstones with
    ///    `now_ms - updated_at_ms >= retention`;
    /// 3. if `limits.max_tombstones_per_app > 0`, remove the oldest tombstones (by
    ///    `updated_at_ms`, then key) in excess of the cap, whatever their age.
    ///
    /// Steps 2 and 3 drop a tombstone only if `min_peer_acked_seq` is `None` or its change-log
    /// sequence is `<= min_peer_acked_seq` (every current peer has it), so a returning node
    /// cannot resurrect a deleted key; the cap can therefore be exceeded while a peer lags.
    /// Removed records lose their change-log entry and clock (a later PUT restarts at 1, §4.4).
    fn purge(&self, now_ms: u64, limits: &Limits, min_peer_acked_seq: Option<u64>) -> Result<u64>;

    /// Every namespace with its records, tombstones included and records expired at `now_ms`
    /// excluded (upstream cleans up first), for `snapshot_request` (protocol.md §6.7) and backups.
    /// A namespace whose records are all expired appears with an empty vector. Records are in key
    /// order. One consistent read.
    fn snapshot(&self, now_ms: u64) -> Result<BTreeMap<u64, Vec<Record>>>;

    /// Visit every stored record (tombstones and expired-but-unpurged records included) in
    /// ascending (app id, key bytes) order, from ONE consistent read, without collecting them:
    /// the redb backend decodes one record at a time inside one read transaction (writers
    /// continue), so memory stays bounded by a record whatever the store size; the memory
    /// backend copies its records under one lock acquisition and visits them after releasing
    /// it. Used by `digest_request` and `cluster check` (`node::cluster_check`).
    ///
    /// Errors: a `visit` error stops the scan and is returned as is; storage errors
    /// (`Integrity` for a record that does not decode).
    fn for_each_record(&self, visit: &mut dyn FnMut(u64, &Record) -> Result<()>) -> Result<()>;

    /// One page of the change log for a paged snapshot (`node::replicator::paged`), from one
    /// consistent read of a bounded range: entries with `seq > after_seq`, ascending, each with
    /// its current record, records expired at `now_ms` skipped (but scanned). The page ends
    /// after `max_records` records, or once the records' [`Record::cost`] (key + ciphertext
    /// bytes) reached `max_bytes` (a first record larger than `max_bytes` still goes alone, so
    /// a page always makes progress), or at the end of the log. Because the log holds exactly
    /// one entry per stored record, pages from 0 to the end cover every record.
    /// `max_records == 0` returns an empty page with `scanned_to = after_seq` (and the current
    /// `last_seq`).
    ///
    /// `exclude_origins` (canonical wallets; empty = none): entries whose change-log origin is
    /// one of them (records stored exactly as that peer sent them) are scanned but not
    /// returned, so the requester is not sent back what it, or a donor it already pulled in
    /// full, holds (`node::replicator::paged`, "Origin exclusion"). A page also ends after
    /// [`PAGE_MAX_SCANNED`] scanned entries, so skipping costs the donor bounded time per
    /// request.
    fn snapshot_page(
        &self,
        after_seq: u64,
        max_records: usize,
        max_bytes: usize,
        now_ms: u64,
        exclude_origins: &[String],
    ) -> Result<SnapshotPage>;

    /// The pull cursor of peer `peer_wallet` (canonical wallet): the highest sequence of the
    /// *peer's* change log this node has pulled and merged, with that log's identity
    /// (`node::replicator::paged`), if one was stored. Not the push cursor
    /// ([`Storage::peer_cursor`]).
    fn pull_cursor(&self, peer_wallet: &str) -> Result<Option<PullCursor>>;

    /// Store (replace) the pull cursor of peer `peer_wallet`, sequence and log id in one write
    /// (a `log_id` that is not [`valid_log_id`] is stored as absent).
    fn set_pull_cursor(&self, peer_wallet: &str, cursor: &PullCursor) -> Result<()>;

    /// The identity of this database's change log (32 lowercase hex characters, see
    /// [`new_log_id`]): made when the database is created (a new data dir, or the import of a
    /// restore) and kept for its life, so two databases never share one even under the same
    /// wallet. Peers store it with their pull cursor and pull from 0 when it changed
    /// (`node::replicator::paged`, "Pull cursors"). `None` only for a redb file of an older
    /// build opened read-only (a read-write open gives it one).
    fn log_id(&self) -> Result<Option<String>>;

    /// True once [`Storage::set_caught_up_once`] was called on this database: it completed a
    /// catch-up with every peer since it was created, so from then on it holds every record it
    /// sent to a peer and may ask donors to leave those out of pages
    /// (`node::replicator::paged`, "Origin exclusion"). False in a new database and in one
    /// written by a restore (the import starts a new database).
    fn caught_up_once(&self) -> Result<bool>;

    /// Record that this database completed a catch-up with every peer (idempotent).
    fn set_caught_up_once(&self) -> Result<()>;

    /// The full consistency check (redb: every record's checksum, every index and counter, the
    /// check an open runs after an unclean stop) on the open store, from one read transaction
    /// (writers continue). The node runs it in the background when it opened with the check
    /// deferred (`redb::RedbStorage::open_deferring_check`, `node::deferred_check`). Memory:
    /// nothing to check (its invariants live in one structure under one lock). Errors:
    /// `Integrity` naming the first inconsistency; storage errors.
    fn verify_full(&self) -> Result<()> {
        Ok(())
    }

    /// Orderly close at the end of `novakms serve`, once nothing writes anymore: the redb
    /// backend closes the file and leaves its clean-shutdown marker, so the next open skips the
    /// O(records) verification (`redb::clean`, issue 12 item 5); every later call fails.
    /// Memory: nothing to do. Errors: `Local` (the marker could not be written; the next open
    /// then verifies fully).
    fn close(&self) -> Result<()> {
        Ok(())
    }

    /// Point-in-time export of the whole database for `novakms backup` (design.md §5), from ONE
    /// consistent read: redb reads everything in one read transaction (writers continue; nothing
    /// committed after it began is seen); memory copies everything under one lock acquisition
    /// and feeds the sink after releasing it.
    ///
    /// Calls [`export::ExportSink::begin`] once, with the binding, schema version, `last_seq`,
    /// sealed master-secret blob, per-app counts from the usage accounting, and the exact number
    /// and total key/encoded sizes of the records that follow; then
    /// [`export::ExportSink::record`] for every stored record (tombstones and
    /// expired-but-unpurged records included) in ascending (app id, key bytes) order, with its
    /// bytes in the storage codec format (`codec`). The change log, its origins and the peer
    /// cursors are not exported. A sink error aborts the export and is returned as is.
    fn export(&self, sink: &mut dyn export::ExportSink) -> Result<()>;
}

/// Check that `storage` belongs to the configured cluster (design.md §4 "At start the node checks
/// … binding matches the configured cluster"; security-checklist.md "a file from another cluster
/// is refused").
///
/// * no binding stored: store `expected`;
/// * `chain_id`, `nova_app_registry`, `kms_registry` or `kms_app_id` differ (addresses compared
///   case-insensitively): `ErrorKind::Refused`, e.g. `database belongs to another cluster: chain
///   id 1 != 31337` (stored value first, then the configured one);
/// * only `node_wallet` differs (a restore onto a new node identity): allowed; the stored binding
///   is updated and a warning is logged.
pub fn check_binding(storage: &dyn Storage, expected: &ClusterBinding) -> Result<()> {
    let Some(stored) = storage.binding()? else {
        return storage.set_binding(expected);
    };
    let refuse = |what: &str, have: &dyn fmt::Display, want: &dyn fmt::Display| {
        Err(Error::new(
            ErrorKind::Refused,
            format!("database belongs to another cluster: {what} {have} != {want}"),
        ))
    };
    if stored.chain_id != expected.chain_id {
        return refuse("chain id", &stored.chain_id, &expected.chain_id);
    }
    if !stored
        .nova_app_registry
        .eq_ignore_ascii_case(&expected.nova_app_registry)
    {
        return refuse(
            "NovaAppRegistry address",
            &stored.nova_app_registry,
            &expected.nova_app_registry,
        );
    }
    if !stored
        .kms_registry
        .eq_ignore_ascii_case(&expected.kms_registry)
    {
        return refuse(
            "KMSRegistry address",
            &stored.kms_registry,
            &expected.kms_registry,
        );
    }
    if stored.kms_app_id != expected.kms_app_id {
        return refuse("KMS app id", &stored.kms_app_id, &expected.kms_app_id);
    }
    if stored != *expected {
        if !stored
            .node_wallet
            .eq_ignore_ascii_case(&expected.node_wallet)
        {
            tracing::warn!(
                old = %stored.node_wallet,
                new = %expected.node_wallet,
                "database was written by another node wallet; rebinding it to this node"
            );
        }
        storage.set_binding(expected)?;
    }
    Ok(())
}
