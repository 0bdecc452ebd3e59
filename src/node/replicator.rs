//! Outbound replication (design.md §3 "Replication"; protocol.md §6.9 with the hardening of §11
//! items 3, 4 and 22; security-checklist.md "Replication").
//!
//! * **Push.** One task per peer (the KMS members of the PeerCache other than us, re-read every
//!   second so joiners and leavers are picked up; one peer's slowness never delays another).
//!   A task pushes after a local write (`ReplicationState::wake`, debounced by
//!   `push_debounce_ms` so a burst becomes one push) and every `sync_interval_seconds`, only
//!   while the node is ready and has a sync key. It reads the peer's cursor (`peers` table,
//!   default 0) and sends the change-log entries after it as `delta` requests whose body stays
//!   within `max_sync_batch_bytes` (a single larger record goes alone), skipping records that
//!   came from that very peer ([`Storage::changes_since_excluding`]). The cursor advances and is
//!   persisted only after the peer acknowledged a batch. A failure is recorded in
//!   `ReplicationState::peers` and retried with exponential backoff ([`Backoff`]: 500 ms
//!   doubling to 30 s, ±20 % jitter, reset on success). Every outbound call is bounded by the
//!   peer client's timeout.
//! * **Pull.** A snapshot pull ([`pull_snapshot`]) from one random reachable peer when the node
//!   first becomes ready (start, restore), when it regains contact after an isolation (every
//!   peer failing for more than [`ISOLATION_INTERVALS`] sync intervals), and every
//!   `anti_entropy_interval_seconds` (0 = off). Pulled records are merged with the peer as
//!   origin, so they are not pushed back to it.
//!
//! Special cases (documented decisions):
//! * A peer answering 413 to a batch of several records: the batch budget for that peer is
//!   halved (down to one record per request) and the batch is resent at once.
//! * A peer answering 413 to a single record: the record cannot be delivered by delta at all
//!   (the peer's body limit is below one record's size; upstream peers have 2 MiB, protocol.md
//!   §11.3). The cursor moves past it with an error log, so it does not block every later
//!   change forever; the peer still gets it through its own snapshot pulls (responses are not
//!   bounded by the request limit).
//! * Records the peer acknowledged but rejected (validation, §6.5) are not resent: the answer
//!   is final for that content; a warning is logged.
//! * A stored cursor above our `last_seq` (a cursor from before a restore) is reset to 0.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::seq::SliceRandom;
use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::client::peer::{
    delta_app_overhead_bytes, estimate_record_wire_bytes, PeerError, DELTA_BODY_BASE_BYTES,
};
use crate::error::{Error, ErrorKind, Result};
use crate::node::ingest::{ingest, parse_data};
use crate::node::peers::PeerInfo;
use crate::node::state::{NodeState, PeerReplication};
use crate::storage::{PeerCursor, Storage};
use crate::store::{MergeReport, Record};

/// Change-log entries read per storage call while filling a batch (bounds the memory of one
/// read: at most this many records, each at most one maximal value).
pub const PAGE_RECORDS: usize = 64;

/// First retry delay after a failed push or pull.
pub const BACKOFF_BASE: Duration = Duration::from_millis(500);

/// Longest retry delay.
pub const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Records merged per storage transaction by [`pull_snapshot`] (one progress step each).
pub const SNAPSHOT_CHUNK_RECORDS: usize = 500;

/// A node counts as isolated once every peer has been failing for more than this many sync
/// intervals; regaining contact afterwards triggers a snapshot pull.
pub const ISOLATION_INTERVALS: u64 = 3;

/// How often the supervisor re-reads the PeerCache and the pull scheduler looks at the state.
const SUPERVISOR_PERIOD: Duration = Duration::from_secs(1);

/// Smallest batch budget reached by halving after 413 answers before falling back to one record
/// per request.
const MIN_BATCH_BYTES: usize = 16 * 1024;

/// Handle on the replication tasks started by [`spawn`]. Dropping it leaves them running; call
/// [`ReplicatorHandle::shutdown`] at node shutdown.
pub struct ReplicatorHandle {
    tasks: Vec<JoinHandle<()>>,
}

impl ReplicatorHandle {
    /// Abort every replication task (per-peer pushers included) and wait until they are gone.
    /// A push in flight is abandoned; its cursor was not advanced, so it is resent later.
    pub async fn shutdown(self) {
        for t in &self.tasks {
            t.abort();
        }
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Aborts its task when dropped (per-peer pushers die with their supervisor).
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Start replication for the node: the wake-up fan-out, the per-peer push supervisor and the
/// snapshot-pull scheduler (see the module docs). Must be called inside a Tokio runtime.
pub fn spawn(st: Arc<NodeState>) -> ReplicatorHandle {
    let (gen_tx, gen_rx) = watch::channel(0u64);
    let wake_state = st.clone();
    let fanout = tokio::spawn(async move {
        // `Notify` wakes one waiter; the watch channel fans a wake-up out to every peer task.
        loop {
            wake_state.replication.wake.notified().await;
            gen_tx.send_modify(|g| *g = g.wrapping_add(1));
        }
    });
    let supervisor = tokio::spawn(supervise(st.clone(), gen_rx));
    let puller = tokio::spawn(pull_scheduler(st));
    ReplicatorHandle {
        tasks: vec![fanout, supervisor, puller],
    }
}

/// Keep exactly one push task per current peer.
async fn supervise(st: Arc<NodeState>, wake: watch::Receiver<u64>) {
    let mut tasks: HashMap<String, AbortOnDrop> = HashMap::new();
    loop {
        let now = st.clock.now_ms();
        let current: HashSet<String> = st
            .peer_cache
            .others(&st.wallet, now)
            .into_iter()
            .map(|p| p.wallet)
            .collect();
        tasks.retain(|w, t| current.contains(w) && !t.0.is_finished());
        for w in current {
            if let std::collections::hash_map::Entry::Vacant(slot) = tasks.entry(w) {
                tracing::debug!(peer = %slot.key(), "starting replication to peer");
                let task = tokio::spawn(peer_loop(st.clone(), slot.key().clone(), wake.clone()));
                slot.insert(AbortOnDrop(task));
            }
        }
        st.replication
            .peers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|w, _| tasks.contains_key(w));
        tokio::time::sleep(SUPERVISOR_PERIOD).await;
    }
}

/// Exponential backoff: after the n-th consecutive failure the next attempt waits
/// `base · 2^(n-1)`, capped at `max`; [`Backoff::reset`] after a success.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    /// No failure yet.
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff {
            base,
            max,
            failures: 0,
        }
    }

    /// Record a failure; returns the delay before the next attempt (without jitter).
    pub fn fail(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.delay().unwrap_or(self.base)
    }

    /// Forget every failure.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The current delay, `None` when the last attempt succeeded.
    pub fn delay(&self) -> Option<Duration> {
        if self.failures == 0 {
            return None;
        }
        let shift = (self.failures - 1).min(20);
        Some(self.base.saturating_mul(1u32 << shift).min(self.max))
    }
}

/// `d` scaled by a random factor in [0.8, 1.2] (spreads retries of many nodes).
fn jitter(d: Duration) -> Duration {
    d.mul_f64(rand::thread_rng().gen_range(0.8..=1.2))
}

/// The sync key when the node may replicate: ready and a master secret loaded.
fn ready_sync_key(st: &NodeState) -> Option<[u8; 32]> {
    if st.is_shutting_down() || !st.readiness().ready {
        return None;
    }
    st.with_secret(|s| s.sync_key())
}

/// Run a storage call on the blocking pool.
async fn blocking<T: Send + 'static>(
    st: &Arc<NodeState>,
    f: impl FnOnce(&dyn Storage) -> Result<T> + Send + 'static,
) -> Result<T> {
    let storage = st.storage.clone();
    tokio::task::spawn_blocking(move || f(storage.as_ref()))
        .await
        .map_err(|e| Error::local(format!("storage task failed: {e}")))?
}

fn update_peer_state(st: &NodeState, wallet: &str, f: impl FnOnce(&mut PeerReplication)) {
    let mut g = st
        .replication
        .peers
        .write()
        .unwrap_or_else(|p| p.into_inner());
    f(g.entry(wallet.to_string()).or_default());
}

/// Push loop for one peer (see the module docs).
async fn peer_loop(st: Arc<NodeState>, wallet: String, mut wake: watch::Receiver<u64>) {
    let interval = Duration::from_secs(st.settings.sync_interval_seconds.max(1));
    let debounce = Duration::from_millis(st.settings.push_debounce_ms);
    let mut backoff = Backoff::new(BACKOFF_BASE, BACKOFF_MAX);
    let mut batch_limit = st.settings.max_sync_batch_bytes;
    refresh_lag(&st, &wallet).await;
    let mut first = true;
    loop {
        if first {
            first = false;
            tokio::time::sleep(debounce).await;
        } else if let Some(d) = backoff.delay() {
            // A wake-up does not shorten the backoff: a failing peer is not hammered.
            tokio::time::sleep(jitter(d)).await;
        } else {
            tokio::select! {
                r = wake.changed() => {
                    if r.is_err() {
                        return;
                    }
                    tokio::time::sleep(debounce).await;
                }
                _ = tokio::time::sleep(interval) => {}
            }
        }
        wake.borrow_and_update();
        let Some(key) = ready_sync_key(&st) else {
            continue;
        };
        let Some(peer) = st.peer_cache.get(&wallet, st.clock.now_ms()) else {
            return; // left the cluster or blacklisted; the supervisor forgets it
        };
        let pushed = push(&st, &peer, &key, &mut batch_limit).await;
        // Lag first, then the outcome: whoever sees the error also sees a current lag.
        refresh_lag(&st, &wallet).await;
        match pushed {
            Ok(sent) => {
                if backoff.failures() > 0 {
                    tracing::info!(peer = %peer.url, after_failures = backoff.failures(), "replication to peer recovered");
                }
                backoff.reset();
                if sent > 0 {
                    tracing::debug!(peer = %peer.url, records = sent, "pushed changes");
                }
                update_peer_state(&st, &wallet, |r| r.last_error = None);
            }
            Err(e) => {
                let d = backoff.fail();
                tracing::warn!(
                    peer = %peer.url,
                    failures = backoff.failures(),
                    retry_in_ms = d.as_millis() as u64,
                    error = %e,
                    "push to peer failed"
                );
                update_peer_state(&st, &wallet, |r| r.last_error = Some(e.to_string()));
            }
        }
    }
}

/// Refresh `acked_seq`, `last_success_ms` and `lag_records` of `wallet` from storage.
async fn refresh_lag(st: &Arc<NodeState>, wallet: &str) {
    let w = wallet.to_string();
    let got = blocking(st, move |s| {
        let c = s.peer_cursor(&w)?.unwrap_or_default();
        let lag = s.count_changes_since(c.acked_seq, Some(&w))?;
        Ok((c, lag))
    })
    .await;
    match got {
        Ok((c, lag)) => update_peer_state(st, wallet, |r| {
            r.acked_seq = c.acked_seq;
            r.lag_records = lag;
            if c.last_success_ms > 0 {
                r.last_success_ms = Some(c.last_success_ms);
            }
        }),
        Err(e) => tracing::warn!(peer = %wallet, error = %e, "cannot read replication cursor"),
    }
}

/// One delta batch for a peer, built by [`collect_batch`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Batch {
    /// App id → records, in change-log order within each app.
    pub data: BTreeMap<u64, Vec<Record>>,
    /// Records in `data`.
    pub records: usize,
    /// Upper bound of the delta request body in bytes (`client::peer` estimators; exceeds the
    /// exact size by at most `2 · (1 + apps)`).
    pub body_bytes: usize,
    /// Cursor to store once the peer acknowledged this batch: every change-log entry up to it
    /// is either in `data` or the peer's own record.
    pub next_cursor: u64,
}

/// Incrementally packs records under a body budget.
struct BatchBuilder {
    batch: Batch,
    max_bytes: usize,
}

impl BatchBuilder {
    fn new(max_bytes: usize, cursor: u64) -> Self {
        BatchBuilder {
            batch: Batch {
                body_bytes: DELTA_BODY_BASE_BYTES,
                next_cursor: cursor,
                ..Batch::default()
            },
            max_bytes,
        }
    }

    /// Add a record unless that would push the body over the budget; the first record is
    /// always taken (an oversize record goes alone).
    fn try_add(&mut self, seq: u64, app: u64, rec: Record) -> bool {
        let mut cost = estimate_record_wire_bytes(&rec);
        if !self.batch.data.contains_key(&app) {
            cost += delta_app_overhead_bytes(app);
        }
        if self.batch.records > 0 && self.batch.body_bytes + cost > self.max_bytes {
            return false;
        }
        self.batch.body_bytes += cost;
        self.batch.records += 1;
        self.batch.data.entry(app).or_default().push(rec);
        self.batch.next_cursor = seq;
        true
    }
}

/// Collect the next batch for the peer with wallet `peer_wallet` whose cursor is `after_seq`:
/// change-log entries after it, without the peer's own records, while the estimated delta body
/// stays within `max_bytes` (the first record always goes, however large). Reads the log in
/// pages of [`PAGE_RECORDS`]. An empty batch may still have `next_cursor > after_seq` (only
/// the peer's own records were left): store it without sending anything.
pub fn collect_batch(
    storage: &dyn Storage,
    peer_wallet: &str,
    after_seq: u64,
    max_bytes: usize,
) -> Result<Batch> {
    let mut b = BatchBuilder::new(max_bytes, after_seq);
    let mut scanned = after_seq;
    loop {
        let page = storage.changes_since_excluding(scanned, PAGE_RECORDS, peer_wallet)?;
        let full = page.changes.len() >= PAGE_RECORDS;
        for (seq, app, rec) in page.changes {
            if !b.try_add(seq, app, rec) {
                return Ok(b.batch);
            }
        }
        scanned = scanned.max(page.scanned_to);
        if !full {
            b.batch.next_cursor = b.batch.next_cursor.max(scanned);
            return Ok(b.batch);
        }
    }
}

/// Halve a batch budget after a 413; below [`MIN_BATCH_BYTES`] (or the configured budget if
/// smaller) it becomes 0: one record per request.
fn shrink_budget(current: usize, configured: usize) -> usize {
    let floor = MIN_BATCH_BYTES.min(configured);
    let half = current / 2;
    if half < floor {
        0
    } else {
        half
    }
}

/// Bound on one `/sync` exchange (nonce + request), each call bounded by the client's timeout.
fn exchange_deadline(st: &NodeState) -> Duration {
    Duration::from_secs(2 * st.settings.peer_request_timeout_seconds.max(1) + 1)
}

/// Send every pending change to `peer`; returns the number of records acknowledged.
/// Errors: a one-line description of the failed exchange (the cursor stays where the last
/// acknowledged batch left it).
async fn push(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    key: &[u8; 32],
    batch_limit: &mut usize,
) -> Result<u64> {
    let mut sent = 0u64;
    let w = peer.wallet.clone();
    loop {
        if st.is_shutting_down() {
            return Ok(sent);
        }
        let limit = *batch_limit;
        let wallet = w.clone();
        let (cursor, batch) = blocking(st, move |s| {
            let mut c = s.peer_cursor(&wallet)?.unwrap_or_default();
            let last = s.last_seq()?;
            if c.acked_seq > last {
                tracing::warn!(
                    peer = %wallet,
                    cursor = c.acked_seq,
                    last_seq = last,
                    "peer cursor is ahead of the change log (database restored?); resending everything"
                );
                c.acked_seq = 0;
                s.set_peer_cursor(&wallet, &c)?;
            }
            let b = collect_batch(s, &wallet, c.acked_seq, limit)?;
            Ok((c, b))
        })
        .await?;
        if batch.records == 0 {
            if batch.next_cursor > cursor.acked_seq {
                // Only the peer's own records were left: nothing to send.
                store_cursor(st, &w, batch.next_cursor, cursor.last_success_ms).await?;
            }
            return Ok(sent);
        }
        let call = st.peer_client.delta(peer, key, &batch.data);
        let answer = match tokio::time::timeout(exchange_deadline(st), call).await {
            Ok(a) => a,
            Err(_) => return Err(Error::remote(format!("delta to {} timed out", peer.url))),
        };
        match answer {
            Ok(report) => {
                if report.rejected > 0 {
                    tracing::warn!(
                        peer = %peer.url,
                        rejected = report.rejected,
                        total = report.total,
                        "peer rejected records of a delta (validation); not resending them"
                    );
                }
                store_cursor(st, &w, batch.next_cursor, st.clock.now_ms()).await?;
                sent += batch.records as u64;
            }
            Err(PeerError::Refused { status: 413, .. }) if batch.records > 1 => {
                *batch_limit = shrink_budget(limit, st.settings.max_sync_batch_bytes);
                tracing::warn!(
                    peer = %peer.url,
                    records = batch.records,
                    body_bytes = batch.body_bytes,
                    new_budget = *batch_limit,
                    "peer refused a delta as too large (413); resending in smaller batches"
                );
            }
            Err(PeerError::Refused { status: 413, .. }) => {
                let app = batch.data.keys().next().copied().unwrap_or(0);
                tracing::error!(
                    peer = %peer.url,
                    app_id = app,
                    seq = batch.next_cursor,
                    body_bytes = batch.body_bytes,
                    "one record exceeds the peer's body limit (413): skipped by delta; the peer \
                     gets it through its snapshot pulls"
                );
                store_cursor(st, &w, batch.next_cursor, cursor.last_success_ms).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

async fn store_cursor(
    st: &Arc<NodeState>,
    wallet: &str,
    acked: u64,
    success_ms: u64,
) -> Result<()> {
    let w = wallet.to_string();
    let c = PeerCursor {
        acked_seq: acked,
        last_success_ms: success_ms,
    };
    blocking(st, move |s| s.set_peer_cursor(&w, &c)).await?;
    update_peer_state(st, wallet, |r| {
        r.acked_seq = acked;
        if success_ms > 0 {
            r.last_success_ms = Some(success_ms);
        }
    });
    Ok(())
}

/// Pull a full snapshot from `peer` (protocol.md §6.7 `snapshot_request`) and merge it
/// (validation and merge of [`ingest`], origin = the peer's wallet, so the records are not
/// pushed back to it) in storage transactions of [`SNAPSHOT_CHUNK_RECORDS`] records.
///
/// `progress(done, total)` is called with `(0, total)` once the snapshot is parsed and after
/// every merged chunk (`total` = parsed records). Used by the pull scheduler and by the admin
/// `sync` command.
///
/// Returns the combined [`MergeReport`] (`total = merged + skipped + rejected`).
/// Errors: `NotReady` without a master secret; `Remote` when the peer fails (transport,
/// refusal, bad answer, timeout); storage errors (chunks merged before stay merged: merging is
/// idempotent).
pub async fn pull_snapshot(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    progress: impl Fn(u64, u64) + Send,
) -> Result<MergeReport> {
    let key = st
        .with_secret(|s| s.sync_key())
        .ok_or_else(|| Error::new(ErrorKind::NotReady, "master secret not loaded"))?;
    let call = st.peer_client.snapshot(peer, &key);
    let data = match tokio::time::timeout(exchange_deadline(st), call).await {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => {
            return Err(Error::from(e).context(format!("snapshot from {}", peer.url)));
        }
        Err(_) => {
            return Err(Error::remote(format!(
                "snapshot from {} timed out",
                peer.url
            )))
        }
    };
    let parsed = tokio::task::spawn_blocking(move || parse_data(&data))
        .await
        .map_err(|e| Error::local(format!("snapshot parse task failed: {e}")))?;
    let total = parsed.values().map(|v| v.len() as u64).sum::<u64>();
    progress(0, total);
    let mut report = MergeReport::default();
    let mut done = 0u64;
    for (app, mut recs) in parsed {
        while !recs.is_empty() {
            let rest = recs.split_off(recs.len().min(SNAPSHOT_CHUNK_RECORDS));
            let chunk = std::mem::replace(&mut recs, rest);
            let n = chunk.len() as u64;
            let st2 = st.clone();
            let origin = peer.wallet.clone();
            let r = tokio::task::spawn_blocking(move || {
                ingest(&st2, BTreeMap::from([(app, chunk)]), Some(&origin))
            })
            .await
            .map_err(|e| Error::local(format!("snapshot merge task failed: {e}")))??;
            report.absorb(&r);
            done += n;
            progress(done, total);
        }
    }
    Ok(report)
}

/// Why the scheduler pulls a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullReason {
    /// The node became ready for the first time since start.
    Initial,
    /// Contact regained after every peer had been failing for a while.
    Reconnected,
    /// Periodic anti-entropy.
    AntiEntropy,
}

/// True when `peer` looks unreachable: its last push failed, or its last `/status` probe did.
fn failing(peer: &PeerInfo, repl: Option<&PeerReplication>) -> bool {
    repl.is_some_and(|r| r.last_error.is_some())
        || peer.probe.as_ref().is_some_and(|p| !p.reachable)
}

/// Isolation tracking (pure; driven once a second by the pull scheduler).
#[derive(Debug, Default, Clone)]
pub struct IsolationTracker {
    since_ms: Option<u64>,
}

impl IsolationTracker {
    /// Feed one observation at `now_ms`: `all_failing` = there are peers and every one is
    /// failing. Returns true when contact was regained after an isolation longer than
    /// `threshold_ms` (then a snapshot pull is due).
    pub fn observe(&mut self, all_failing: bool, now_ms: u64, threshold_ms: u64) -> bool {
        match (all_failing, self.since_ms) {
            (true, None) => {
                self.since_ms = Some(now_ms);
                false
            }
            (false, Some(since)) => {
                self.since_ms = None;
                now_ms.saturating_sub(since) > threshold_ms
            }
            _ => false,
        }
    }

    /// True while every peer is failing.
    pub fn isolated(&self) -> bool {
        self.since_ms.is_some()
    }
}

/// Pick the peer to pull from: a random one among those that look reachable, else any.
fn pick_peer(peers: &[PeerInfo], repl: &HashMap<String, PeerReplication>) -> Option<PeerInfo> {
    let good: Vec<&PeerInfo> = peers
        .iter()
        .filter(|p| !failing(p, repl.get(&p.wallet)))
        .collect();
    let mut rng = rand::thread_rng();
    if let Some(p) = good.choose(&mut rng) {
        return Some((*p).clone());
    }
    peers.choose(&mut rng).cloned()
}

/// Schedules snapshot pulls (see the module docs).
async fn pull_scheduler(st: Arc<NodeState>) {
    let sync_ms = st.settings.sync_interval_seconds.max(1) * 1000;
    let isolation_ms = ISOLATION_INTERVALS * sync_ms;
    let ae = st.settings.anti_entropy_interval_seconds;
    let ae_every = (ae > 0).then(|| Duration::from_secs(ae));
    let mut initial_done = false;
    let mut tracker = IsolationTracker::default();
    let mut pending: Option<PullReason> = None;
    let mut next_periodic: Option<Instant> = None;
    let mut backoff = Backoff::new(BACKOFF_BASE, BACKOFF_MAX);
    let mut retry_at: Option<Instant> = None;
    loop {
        tokio::time::sleep(SUPERVISOR_PERIOD).await;
        if ready_sync_key(&st).is_none() {
            continue;
        }
        let now = st.clock.now_ms();
        let peers = st.peer_cache.others(&st.wallet, now);
        let repl = st
            .replication
            .peers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let all_failing =
            !peers.is_empty() && peers.iter().all(|p| failing(p, repl.get(&p.wallet)));
        if tracker.observe(all_failing, now, isolation_ms) {
            tracing::info!("contact with peers regained after an isolation; pulling a snapshot");
            pending = Some(PullReason::Reconnected);
        }
        if !initial_done && pending.is_none() {
            if peers.is_empty() {
                // First member of the cluster: nobody to pull from.
                initial_done = true;
                next_periodic = ae_every.map(|d| Instant::now() + d);
                continue;
            }
            pending = Some(PullReason::Initial);
        }
        if pending.is_none() {
            if let Some(at) = next_periodic {
                if Instant::now() >= at {
                    pending = Some(PullReason::AntiEntropy);
                }
            } else if let Some(d) = ae_every {
                next_periodic = Some(Instant::now() + d);
            }
        }
        let Some(reason) = pending else { continue };
        if retry_at.is_some_and(|t| Instant::now() < t) || tracker.isolated() {
            continue;
        }
        let Some(peer) = pick_peer(&peers, &repl) else {
            continue;
        };
        let started = Instant::now();
        match pull_snapshot(&st, &peer, |_, _| {}).await {
            Ok(r) => {
                tracing::info!(
                    peer = %peer.url,
                    reason = ?reason,
                    total = r.total,
                    merged = r.merged,
                    skipped = r.skipped,
                    rejected = r.rejected,
                    ms = started.elapsed().as_millis() as u64,
                    "snapshot pulled"
                );
                pending = None;
                initial_done = true;
                backoff.reset();
                retry_at = None;
                next_periodic = ae_every.map(|d| Instant::now() + d);
            }
            Err(e) => {
                let d = jitter(backoff.fail());
                tracing::warn!(
                    peer = %peer.url,
                    reason = ?reason,
                    retry_in_ms = d.as_millis() as u64,
                    error = %e,
                    "snapshot pull failed"
                );
                retry_at = Some(Instant::now() + d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::peer::delta_body_size;
    use crate::storage::MemoryStorage;
    use crate::store::VectorClock;

    const ME: &str = "0x1111111111111111111111111111111111111111";
    const PEER: &str = "0x2222222222222222222222222222222222222222";

    fn fill(s: &MemoryStorage, app: u64, n: usize, value_len: usize) {
        for i in 0..n {
            s.put_local(
                app,
                &format!("k{i:04}"),
                vec![7; value_len],
                0,
                ME,
                1000 + i as u64,
                &Default::default(),
            )
            .unwrap();
        }
    }

    #[test]
    fn batches_stay_under_the_budget_and_cover_everything_once() {
        let s = MemoryStorage::new();
        fill(&s, 5, 150, 100);
        fill(&s, 6, 100, 10);
        let budget = 20_000;
        let mut cursor = 0;
        let mut seen = Vec::new();
        let mut batches = 0;
        loop {
            let b = collect_batch(&s, PEER, cursor, budget).unwrap();
            if b.records == 0 {
                assert_eq!(b.next_cursor, s.last_seq().unwrap());
                break;
            }
            let exact = delta_body_size(&b.data);
            assert!(
                exact <= b.body_bytes,
                "estimate {} < exact {exact}",
                b.body_bytes
            );
            assert!(b.body_bytes <= budget, "{} > {budget}", b.body_bytes);
            assert!(b.next_cursor > cursor);
            for (app, recs) in &b.data {
                seen.extend(recs.iter().map(|r| (*app, r.key.clone())));
            }
            cursor = b.next_cursor;
            batches += 1;
        }
        assert!(batches > 3, "{batches} batches");
        assert_eq!(seen.len(), 250);
        let unique: HashSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), 250);
        // a big budget takes everything in one batch, across many pages
        let all = collect_batch(&s, PEER, 0, usize::MAX).unwrap();
        assert_eq!(all.records, 250);
        assert_eq!(all.next_cursor, 250);
    }

    #[test]
    fn an_oversize_record_goes_alone() {
        let s = MemoryStorage::new();
        fill(&s, 5, 1, 10);
        s.put_local(5, "big", vec![1; 50_000], 0, ME, 2000, &Default::default())
            .unwrap();
        fill(&s, 6, 1, 10);
        let budget = 10_000;
        let b1 = collect_batch(&s, PEER, 0, budget).unwrap();
        assert_eq!((b1.records, b1.next_cursor), (1, 1));
        let b2 = collect_batch(&s, PEER, b1.next_cursor, budget).unwrap();
        assert_eq!((b2.records, b2.next_cursor), (1, 2));
        assert_eq!(b2.data[&5][0].key, "big");
        assert!(b2.body_bytes > budget);
        let b3 = collect_batch(&s, PEER, 2, budget).unwrap();
        assert_eq!((b3.records, b3.next_cursor), (1, 3));
        // a zero budget (after repeated 413s) sends one record at a time
        assert_eq!(collect_batch(&s, PEER, 0, 0).unwrap().records, 1);
    }

    #[test]
    fn the_peers_own_records_are_skipped_but_passed() {
        let s = MemoryStorage::new();
        fill(&s, 5, 2, 10); // seq 1, 2
        let theirs = Record {
            key: "theirs".into(),
            value: vec![1; 40],
            version: VectorClock::from([(PEER, 1)]),
            updated_at_ms: 5,
            tombstone: false,
            ttl_ms: 0,
        };
        s.merge_remote_from(5, vec![theirs], &Default::default(), Some(PEER))
            .unwrap(); // seq 3
        let b = collect_batch(&s, PEER, 0, usize::MAX).unwrap();
        assert_eq!((b.records, b.next_cursor), (2, 3));
        let b = collect_batch(&s, PEER, 2, usize::MAX).unwrap();
        assert_eq!((b.records, b.next_cursor), (0, 3), "cursor passes the echo");
        let other = collect_batch(&s, ME, 2, usize::MAX).unwrap();
        assert_eq!((other.records, other.next_cursor), (1, 3));
    }

    #[test]
    fn backoff_doubles_to_the_cap_and_resets() {
        let mut b = Backoff::new(BACKOFF_BASE, BACKOFF_MAX);
        assert_eq!(b.delay(), None);
        let got: Vec<u64> = (0..10).map(|_| b.fail().as_millis() as u64).collect();
        assert_eq!(
            got,
            vec![500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]
        );
        assert_eq!(b.failures(), 10);
        for _ in 0..100 {
            b.fail();
        }
        assert_eq!(b.delay(), Some(BACKOFF_MAX));
        b.reset();
        assert_eq!(b.delay(), None);
        assert_eq!(b.fail(), BACKOFF_BASE);
        for _ in 0..100 {
            let j = jitter(Duration::from_millis(1000)).as_millis();
            assert!((800..=1200).contains(&j), "{j}");
        }
    }

    #[test]
    fn budget_shrinks_to_single_records() {
        assert_eq!(shrink_budget(1_900_000, 1_900_000), 950_000);
        assert_eq!(shrink_budget(20_000, 1_900_000), 0);
        assert_eq!(shrink_budget(40_000, 1_900_000), 20_000);
        assert_eq!(shrink_budget(16_000, 8_000), 8_000);
        assert_eq!(shrink_budget(8_000, 8_000), 0);
    }

    #[test]
    fn isolation_is_detected_only_after_the_threshold() {
        let mut t = IsolationTracker::default();
        assert!(!t.observe(false, 0, 15_000));
        assert!(!t.observe(true, 1_000, 15_000));
        assert!(t.isolated());
        assert!(!t.observe(true, 10_000, 15_000));
        // short outage: no pull
        assert!(!t.observe(false, 12_000, 15_000));
        assert!(!t.isolated());
        // long outage: pull once on recovery
        assert!(!t.observe(true, 20_000, 15_000));
        assert!(!t.observe(true, 40_000, 15_000));
        assert!(t.observe(false, 40_001, 15_000));
        assert!(!t.observe(false, 50_000, 15_000));
    }

    #[test]
    fn peers_that_look_down_are_not_picked() {
        use crate::chain::types::InstanceInfo;
        use crate::node::peers::ProbeResult;
        let mk = |w: &str, reachable: Option<bool>| {
            let mut p = PeerInfo::from_instance(InstanceInfo {
                id: 1,
                app_id: 49,
                version_id: 1,
                operator: String::new(),
                instance_url: format!("http://{w}"),
                tee_pubkey: vec![1],
                tee_wallet: w.to_string(),
                zk_verified: true,
                status: 0,
                registered_at: 0,
            });
            p.probe = reachable.map(|r| ProbeResult {
                reachable: r,
                ..Default::default()
            });
            p
        };
        let peers = vec![
            mk("0xa", Some(false)),
            mk("0xb", None),
            mk("0xc", Some(true)),
        ];
        let mut repl = HashMap::new();
        repl.insert(
            "0xc".to_string(),
            PeerReplication {
                last_error: Some("down".into()),
                ..Default::default()
            },
        );
        for _ in 0..20 {
            assert_eq!(pick_peer(&peers, &repl).unwrap().wallet, "0xb");
        }
        let all_down = vec![mk("0xa", Some(false))];
        assert_eq!(pick_peer(&all_down, &repl).unwrap().wallet, "0xa");
        assert!(pick_peer(&[], &repl).is_none());
    }
}
