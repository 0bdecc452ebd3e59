//! Push replication: one loop per peer sends the change-log entries after the peer's cursor
//! as `delta` batches under the body budget and advances the cursor on acknowledgement.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{
    blocking, exchange_deadline, ready_sync_key, update_peer_state, BACKOFF_BASE, BACKOFF_MAX,
    MIN_BATCH_BYTES, PAGE_RECORDS,
};
use crate::client::peer::{
    delta_app_overhead_bytes, estimate_record_wire_bytes, PeerError, DELTA_BODY_BASE_BYTES,
};
use crate::error::{Error, ErrorKind, Result};
use crate::node::backoff::{jitter, Backoff};
use crate::node::peers::PeerInfo;
use crate::node::state::{NodeState, PeerKind};
use crate::storage::{PeerCursor, PushFilter, Storage};
use crate::store::Record;

/// Push loop for one peer (see the module docs).
pub(super) async fn peer_loop(st: Arc<NodeState>, wallet: String, mut wake: watch::Receiver<u64>) {
    let interval = Duration::from_secs(st.settings.sync_interval_seconds.max(1));
    let debounce = Duration::from_millis(st.settings.push_debounce_ms);
    let mut backoff = Backoff::new(BACKOFF_BASE, BACKOFF_MAX);
    let mut batch_limit = st.settings.max_sync_batch_bytes;
    refresh_lag(&st, &wallet).await;
    let mut first = true;
    let mut peer_catching_up = false;
    loop {
        if first {
            first = false;
            tokio::time::sleep(debounce).await;
        } else if peer_catching_up {
            tokio::time::sleep(jitter(CATCHING_UP_RETRY)).await;
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
        if st.rejoin.holding() {
            continue; // restored, not reconciled yet: offer nothing (`node::rejoin`)
        }
        let Some(peer) = st.peer_cache.get(&wallet, st.clock.now_ms()) else {
            return; // left the cluster or blacklisted; the supervisor forgets it
        };
        // After a deferral, an empty delta asks first whether the peer still catches up: a
        // full batch is read, sealed and sent only once it takes it.
        let pushed = push(&st, &peer, &key, &mut batch_limit, peer_catching_up).await;
        let deferred = matches!(&pushed, Err(e) if is_deferral(e));
        // Lag first, then the outcome: whoever sees the error also sees a current lag (a
        // deferral acknowledged nothing: the lag is unchanged, and counting it costs a scan
        // of everything after the cursor).
        // A deferral is neither a push nor a failure in the metrics either.
        if !deferred {
            refresh_lag(&st, &wallet).await;
            st.metrics.observe_push(&wallet, pushed.is_ok());
        }
        match pushed {
            Ok(sent) => {
                peer_catching_up = false;
                if backoff.failures() > 0 {
                    tracing::info!(peer = %peer.url, after_failures = backoff.failures(), "replication to peer recovered");
                }
                backoff.reset();
                if sent > 0 {
                    tracing::debug!(peer = %peer.url, records = sent, "pushed changes");
                }
                update_peer_state(&st, &wallet, |r| r.last_error = None);
            }
            Err(_) if deferred => {
                tracing::debug!(peer = %peer.url, "peer is catching up; pushing again shortly");
                backoff.reset();
                peer_catching_up = true;
            }
            Err(e) => {
                peer_catching_up = false;
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

/// Whether pushes to `wallet` relay records that came from other peers (module docs of
/// `replicator`, "Relay"): yes while anti-entropy is off here (the cluster is taken to be
/// configured alike, so relaying is its only repair), and to every peer not known to speak
/// `snapshot_page` (an upstream node, or one that has not answered yet).
pub(super) fn relays_to(st: &NodeState, wallet: &str) -> bool {
    st.settings.anti_entropy_interval_seconds == 0
        || st.replication.peer_kind(wallet) != Some(PeerKind::Paged)
}

/// Refresh `acked_seq`, `last_success_ms` and `lag_records` of `wallet` from storage.
async fn refresh_lag(st: &Arc<NodeState>, wallet: &str) {
    let w = wallet.to_string();
    let relay = relays_to(st, wallet);
    let got = blocking(st, move |s| {
        let c = s.peer_cursor(&w)?.unwrap_or_default();
        let filter = PushFilter { peer: &w, relay };
        let lag = s.count_changes_since(c.acked_seq, Some(filter))?;
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
    /// True when the batch took everything the change log held after the cursor (it did not
    /// stop at the budget): the push then waits for the next write and the debounce before the
    /// next batch, so batches grow with the write rate instead of chasing each record.
    pub drained: bool,
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

/// Collect the next batch for the peer `filter.peer` whose cursor is `after_seq`: change-log
/// entries after it that the filter keeps (never the peer's own records; records of other
/// peers only when relaying), while the estimated delta body stays within `max_bytes` (the
/// first record always goes, however large). Reads the log in pages of [`PAGE_RECORDS`]. An
/// empty batch may still have `next_cursor > after_seq` (only skipped entries were left):
/// store it without sending anything.
pub fn collect_batch(
    storage: &dyn Storage,
    filter: PushFilter<'_>,
    after_seq: u64,
    max_bytes: usize,
) -> Result<Batch> {
    let mut b = BatchBuilder::new(max_bytes, after_seq);
    let mut scanned = after_seq;
    loop {
        let page = storage.changes_since_excluding(scanned, PAGE_RECORDS, filter)?;
        let full = page.changes.len() >= PAGE_RECORDS;
        for c in page.changes {
            if !b.try_add(c.seq, c.app_id, c.record) {
                return Ok(b.batch);
            }
        }
        scanned = scanned.max(page.scanned_to);
        if !full {
            b.batch.next_cursor = b.batch.next_cursor.max(scanned);
            b.batch.drained = true;
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

/// Send every pending change to `peer`; returns the number of records acknowledged. With
/// `probe_first`, an empty delta goes first and a deferral ends the call before any batch is
/// read.
/// Errors: a one-line description of the failed exchange (the cursor stays where the last
/// acknowledged batch left it); a deferral by a peer that is catching up ([`is_deferral`]).
async fn push(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    key: &[u8; 32],
    batch_limit: &mut usize,
    probe_first: bool,
) -> Result<u64> {
    let mut sent = 0u64;
    let w = peer.wallet.clone();
    if st.replication.peer_kind(&w).is_none() && st.settings.anti_entropy_interval_seconds > 0 {
        // Learn once whether the peer runs anti-entropy of its own (relay decision); a peer
        // that does not answer stays unknown and is relayed to.
        super::paged::log_position(st, peer, key).await;
    }
    let relay = relays_to(st, &w);
    if probe_first {
        timed_delta(st, peer, key, &BTreeMap::new())
            .await?
            .map_err(delta_error)?;
    }
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
            let filter = PushFilter {
                peer: &wallet,
                relay,
            };
            let b = collect_batch(s, filter, c.acked_seq, limit)?;
            Ok((c, b))
        })
        .await?;
        if batch.records == 0 {
            if batch.next_cursor > cursor.acked_seq {
                // Only skipped entries were left: nothing to send.
                store_cursor(st, &w, batch.next_cursor, cursor.last_success_ms).await?;
            }
            return Ok(sent);
        }
        match timed_delta(st, peer, key, &batch.data).await? {
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
                if batch.drained {
                    // Writes made during this exchange woke the loop: they go out after the
                    // debounce, joined by what arrives meanwhile (module docs of `replicator`).
                    return Ok(sent);
                }
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
            Err(e) => return Err(delta_error(e)),
        }
    }
}

/// One delta to `peer` bounded by [`exchange_deadline`]. Errors: `Remote` "delta to <url> timed
/// out"; the peer's answer (or its error) is the inner result.
async fn timed_delta(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    key: &[u8; 32],
    data: &BTreeMap<u64, Vec<Record>>,
) -> Result<std::result::Result<crate::store::MergeReport, PeerError>> {
    tokio::time::timeout(exchange_deadline(st), st.peer_client.delta(peer, key, data))
        .await
        .map_err(|_| Error::remote(format!("delta to {} timed out", peer.url)))
}

/// A failed delta as our error: a peer's 503 `catching up` becomes the deferral
/// ([`is_deferral`]), anything else `Remote`.
fn delta_error(e: PeerError) -> Error {
    match e {
        PeerError::Refused {
            status: 503,
            ref message,
        } if message == crate::node::catch_up::CATCHING_UP => {
            Error::new(ErrorKind::NotReady, PEER_CATCHING_UP)
        }
        e => e.into(),
    }
}

/// True for the error [`push`] returns when the peer deferred a delta because it is catching
/// up.
fn is_deferral(e: &Error) -> bool {
    e.kind() == ErrorKind::NotReady && e.message() == PEER_CATCHING_UP
}

/// The error [`push`] returns when the peer refused a delta because it is still catching up
/// (`node::peer_ops`, `delta`): not a failure, the loop retries after [`CATCHING_UP_RETRY`].
const PEER_CATCHING_UP: &str = "peer is catching up";

/// How soon a delta refused by a peer that is catching up is sent again: a fixed short wait,
/// not the failure backoff, so our writes reach the peer within about a second of its
/// catch-up ending (its catch-up pulls everything we held before).
pub const CATCHING_UP_RETRY: Duration = Duration::from_secs(1);

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
    // Forward only: a page this peer pulled meanwhile may have moved the cursor past this
    // batch (`paged`, "Push cursors"); acknowledging the batch must not move it back.
    let now = blocking(st, move |s| s.advance_peer_cursor(&w, &c)).await?;
    update_peer_state(st, wallet, |r| {
        r.acked_seq = now.acked_seq;
        if now.last_success_ms > 0 {
            r.last_success_ms = Some(now.last_success_ms);
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

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
            let b = collect_batch(&s, PushFilter::relaying(PEER), cursor, budget).unwrap();
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
            // only the batch that reached the log's end says so (the push then waits for the
            // debounce); one that stopped at the budget is followed at once
            let last = s.last_seq().unwrap();
            assert_eq!(
                b.drained,
                b.next_cursor == last,
                "{} of {last}",
                b.next_cursor
            );
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
        let all = collect_batch(&s, PushFilter::relaying(PEER), 0, usize::MAX).unwrap();
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
        let b1 = collect_batch(&s, PushFilter::relaying(PEER), 0, budget).unwrap();
        assert_eq!((b1.records, b1.next_cursor), (1, 1));
        let b2 = collect_batch(&s, PushFilter::relaying(PEER), b1.next_cursor, budget).unwrap();
        assert_eq!((b2.records, b2.next_cursor), (1, 2));
        assert_eq!(b2.data[&5][0].key, "big");
        assert!(b2.body_bytes > budget);
        let b3 = collect_batch(&s, PushFilter::relaying(PEER), 2, budget).unwrap();
        assert_eq!((b3.records, b3.next_cursor), (1, 3));
        // a zero budget (after repeated 413s) sends one record at a time
        assert_eq!(
            collect_batch(&s, PushFilter::relaying(PEER), 0, 0)
                .unwrap()
                .records,
            1
        );
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
        let b = collect_batch(&s, PushFilter::relaying(PEER), 0, usize::MAX).unwrap();
        assert_eq!((b.records, b.next_cursor), (2, 3));
        let b = collect_batch(&s, PushFilter::relaying(PEER), 2, usize::MAX).unwrap();
        assert_eq!((b.records, b.next_cursor), (0, 3), "cursor passes the echo");
        let other = collect_batch(&s, PushFilter::relaying(ME), 2, usize::MAX).unwrap();
        assert_eq!((other.records, other.next_cursor), (1, 3));
        // without relaying, a third peer gets only our own records; the cursor still passes
        let own = collect_batch(&s, PushFilter::own_only(ME), 0, usize::MAX).unwrap();
        assert_eq!((own.records, own.next_cursor), (2, 3));
        let own = collect_batch(&s, PushFilter::own_only(ME), 2, usize::MAX).unwrap();
        assert_eq!((own.records, own.next_cursor), (0, 3));
    }

    #[test]
    fn budget_shrinks_to_single_records() {
        assert_eq!(shrink_budget(1_900_000, 1_900_000), 950_000);
        assert_eq!(shrink_budget(20_000, 1_900_000), 0);
        assert_eq!(shrink_budget(40_000, 1_900_000), 20_000);
        assert_eq!(shrink_budget(16_000, 8_000), 8_000);
        assert_eq!(shrink_budget(8_000, 8_000), 0);
    }
}
