//! Pull replication: snapshot pulls from a peer (at first readiness, after an isolation, and
//! as anti-entropy) and the scheduler that decides when and from whom. An anti-entropy round
//! first compares per-app digests with the chosen peer ([`check_digests`]) and pulls only when
//! they differ or cannot be compared (tests: `tests/paged_sync.rs`,
//! `anti_entropy_pulls_only_when_the_digests_differ`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::seq::SliceRandom;

use super::{
    exchange_deadline, ready_sync_key, BACKOFF_BASE, BACKOFF_MAX, ISOLATION_INTERVALS,
    SNAPSHOT_CHUNK_RECORDS, SUPERVISOR_PERIOD,
};
use crate::error::{Error, ErrorKind, Result};
use crate::node::backoff::{jitter, Backoff};
use crate::node::ingest::{ingest, parse_data};
use crate::node::peers::PeerInfo;
use crate::node::state::{NodeState, PeerReplication};
use crate::storage::PullCursor;
use crate::store::{MergeReport, Record};

/// Pull a full snapshot from `peer` and merge it (validation and merge of [`ingest`], origin =
/// the peer's wallet, so the records are not pushed back to it): paged from the start of the
/// peer's change log ([`super::pull_from`] from 0, one commit per page), or, from a peer that
/// speaks only protocol.md §6.7 `snapshot_request`, the single response merged in storage
/// transactions of [`SNAPSHOT_CHUNK_RECORDS`] records.
///
/// `progress(done, total)`: paged, after every page with the records received so far and an
/// upper-bound estimate of the total; single response, `(0, total)` once the snapshot is
/// parsed and after every merged chunk (`total` = parsed records). Used by the pull scheduler
/// and by the admin `sync` command.
///
/// Returns the combined [`MergeReport`] (`total = merged + skipped + rejected`).
/// Errors: `NotReady` without a master secret; `Remote` when the peer fails (transport,
/// refusal, bad answer, timeout); storage errors (pages or chunks merged before stay merged:
/// merging is idempotent).
pub async fn pull_snapshot(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    progress: impl Fn(u64, u64) + Send,
) -> Result<MergeReport> {
    Ok(
        super::pull_from(st, peer, &PullCursor::default(), &[], progress)
            .await?
            .report,
    )
}

/// The parsed `snapshot_request` answer of `peer` (app id → records, tombstones included), not
/// merged yet. Errors: as [`pull_snapshot`].
pub(crate) async fn fetch_snapshot(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
) -> Result<BTreeMap<u64, Vec<Record>>> {
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
    tokio::task::spawn_blocking(move || parse_data(&data))
        .await
        .map_err(|e| Error::local(format!("snapshot parse task failed: {e}")))
}

/// Merge a snapshot fetched from `peer` as [`pull_snapshot`] does (chunks, origin = the peer).
pub(crate) async fn merge_snapshot(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    parsed: BTreeMap<u64, Vec<Record>>,
    progress: impl Fn(u64, u64) + Send,
) -> Result<MergeReport> {
    let total = parsed.values().map(|v| v.len() as u64).sum::<u64>();
    progress(0, total);
    let mut report = MergeReport::default();
    let mut done = 0u64;
    for (app, mut recs) in parsed {
        while !recs.is_empty() {
            let rest = recs.split_off(recs.len().min(SNAPSHOT_CHUNK_RECORDS));
            let chunk = std::mem::replace(&mut recs, rest);
            let n = chunk.len() as u64;
            let r = ingest(st, BTreeMap::from([(app, chunk)]), Some(&peer.wallet)).await?;
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

impl PullReason {
    /// Label of `novakms_snapshot_pulls_total{reason}`.
    pub fn label(self) -> &'static str {
        match self {
            PullReason::Initial => "initial",
            PullReason::Reconnected => "reconnected",
            PullReason::AntiEntropy => "anti_entropy",
        }
    }
}

/// A peer's change-log position ([`super::paged::log_position`]) and when it was read.
#[derive(Debug, Clone)]
pub struct LogPosition {
    /// The peer's `last_seq` then, in its log `log_id`.
    pub cursor: PullCursor,
    /// When it was read (before that round's digest comparison).
    pub read_at: Instant,
}

/// The pull cursor an anti-entropy round whose digests agreed lets us store for a peer (pure),
/// or `None`. Without it, a node whose replicas agree never pulls and keeps no cursor, and its
/// next restart's catch-up scans the peer's whole log (3.8 s for two 1M-entry logs in the scale
/// suite).
///
/// Rule: `prev` is the peer's position read before an earlier round, at least `margin` before
/// `now`, in the log the peer has now (`current_log`). Every entry at or below `prev` was in
/// the peer's log at `prev.read_at`, so its record carries an `updated_at_ms` at most the
/// inbound skew bound after that moment; with `margin` = the settling time + twice that bound,
/// each is older than the current comparison's cut and counted in it, unless the peer has since
/// replaced it with a newer version (then at a higher sequence, not below `prev`). Digests that
/// agree at that cut therefore mean we hold every such entry, or a newer version: we hold the
/// peer's log up to `prev`. The result is `prev` when it is ahead of `stored` or `stored` is
/// in another log.
pub fn cursor_after_agreement(
    prev: Option<&LogPosition>,
    current_log: Option<&str>,
    stored: Option<&PullCursor>,
    now: Instant,
    margin: Duration,
) -> Option<PullCursor> {
    let prev = prev?;
    let log = prev.cursor.log_id.as_deref()?;
    if current_log != Some(log) || now.saturating_duration_since(prev.read_at) < margin {
        return None;
    }
    let behind = stored.is_none_or(|s| s.log_id.as_deref() != Some(log) || s.seq < prev.cursor.seq);
    behind.then(|| prev.cursor.clone())
}

/// What the digest comparison before an anti-entropy pull found ([`check_digests`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestCheck {
    /// Every app's digest is the same on both nodes: nothing to repair, no pull.
    Agreed,
    /// At least one app differs: the pull runs.
    Differed,
    /// No comparison (an upstream peer without `digest_request`, a failure, a timeout): the
    /// pull runs, as it did before digests existed.
    Unavailable,
    /// The peer is still catching up (503 `catching up`): it holds part of the store, so
    /// neither a comparison nor a pull from it makes sense; the round is tried again soon with
    /// another peer.
    PeerCatchingUp,
    /// The peer is computing another digest (503 `digest in progress`,
    /// `node::cluster_check::DIGEST_BUSY`): no pull; the round is tried again soon with
    /// another peer, as for [`DigestCheck::PeerCatchingUp`].
    PeerBusy,
}

impl DigestCheck {
    /// Label of `novakms_anti_entropy_checks_total{outcome}`.
    pub fn label(self) -> &'static str {
        match self {
            DigestCheck::Agreed => "agreed",
            DigestCheck::Differed => "differed",
            DigestCheck::Unavailable => "unavailable",
            DigestCheck::PeerCatchingUp => "peer_catching_up",
            DigestCheck::PeerBusy => "peer_busy",
        }
    }
}

/// How old a write must be to count in anti-entropy's digests, ms: writes of the last 10 s
/// (by their `updated_at_ms`) are left out on both sides ([`check_digests`]). Deltas reach
/// peers within tens of ms, or within a second of a deferral; a record from a writer whose
/// clock runs ahead counts that much later.
pub const SETTLE_MS: u64 = 10_000;

/// Compare this node's per-app digests with `peer`'s at one `now_ms` (`store::digest`, the
/// rule of `novakms cluster check`: [`crate::node::cluster_check::differing_apps`]): the
/// peer's first, ours only when the peer could answer, each side scanning its store once
/// without holding it
/// (`Storage::for_each_record`). Anti-entropy pulls the peer's whole change log; a store of
/// 1M records makes that a large constant cost every interval when the replicas already agree,
/// while the comparison costs one read and hash of each store and a reply of ~100 bytes per
/// app.
///
/// Both sides leave out the writes of the last [`SETTLE_MS`] (`settled_before_ms`): under a
/// steady write load, records still in flight between the two (pushed every few tens of ms)
/// would otherwise make every comparison differ, and every round pull the whole store (the 1M
/// scale run pulled 1M records a minute during its fill). A record missing on one side is
/// still found, one round after it is 10 s old. A key rewritten in the last 10 s still
/// differs (the older version counts on the side that lacks the rewrite): the pull then runs,
/// as before, so the check only ever skips a pull when nothing older than the cut needed
/// repair. A peer that ignores the cut (an older novakms) is "unavailable": pulled as before.
pub async fn check_digests(st: &Arc<NodeState>, peer: &PeerInfo) -> DigestCheck {
    let Some(key) = st.with_secret(|s| s.sync_key()) else {
        return DigestCheck::Unavailable;
    };
    let now_ms = st.clock.now_ms();
    let cut = now_ms.saturating_sub(SETTLE_MS);
    // The peer first: our own scan of the store is only worth it when the peer can compare
    // (not catching up, not upstream, reachable).
    let theirs = tokio::time::timeout(
        exchange_deadline(st),
        st.peer_client.settled_digests(peer, &key, now_ms, cut),
    )
    .await;
    let theirs = match theirs {
        Err(_) => return unavailable(peer, "timed out".into()),
        Ok(Err(crate::client::peer::PeerError::Refused {
            status: 503,
            message,
        })) if message == crate::node::catch_up::CATCHING_UP => return DigestCheck::PeerCatchingUp,
        Ok(Err(crate::client::peer::PeerError::Refused {
            status: 503,
            message,
        })) if message == crate::node::cluster_check::DIGEST_BUSY => return DigestCheck::PeerBusy,
        Ok(Err(e)) => return unavailable(peer, e.to_string()),
        Ok(Ok(t)) if t.settled_before_ms != Some(cut) => {
            return unavailable(
                peer,
                "the peer does not take a settled cut (older novakms)".into(),
            )
        }
        Ok(Ok(t)) => t,
    };
    let ours = match crate::node::cluster_check::local(st, now_ms, Some(cut), Vec::new()).await {
        Ok(o) => o,
        Err(e) => return unavailable(peer, format!("own digests: {}", e.message)),
    };
    let differ = crate::node::cluster_check::differing_apps(&ours.apps, &theirs.apps);
    if differ.is_empty() {
        DigestCheck::Agreed
    } else {
        tracing::info!(peer = %peer.url, apps = ?differ.iter().take(8).collect::<Vec<_>>(), differing = differ.len(), "anti-entropy: digests differ; pulling");
        DigestCheck::Differed
    }
}

fn unavailable(peer: &PeerInfo, why: String) -> DigestCheck {
    tracing::debug!(peer = %peer.url, reason = %why, "anti-entropy: no digest comparison; pulling");
    DigestCheck::Unavailable
}

/// Store the pull cursor an agreeing round allows ([`cursor_after_agreement`]); failures are
/// logged (the cursor is only a starting point).
async fn agreed_cursor(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    prev: Option<&LogPosition>,
    now_pos: &PullCursor,
    margin: Duration,
) {
    let w = peer.wallet.clone();
    let stored = super::blocking(st, move |s| s.pull_cursor(&w)).await;
    let stored = match stored {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(peer = %peer.url, error = %e, "cannot read the pull cursor");
            return;
        }
    };
    let Some(c) = cursor_after_agreement(
        prev,
        now_pos.log_id.as_deref(),
        stored.as_ref(),
        Instant::now(),
        margin,
    ) else {
        return;
    };
    let (w, seq) = (peer.wallet.clone(), c.seq);
    match super::blocking(st, move |s| s.set_pull_cursor(&w, &c)).await {
        Ok(()) => {
            tracing::debug!(peer = %peer.url, seq, "anti-entropy: digests agree; pull cursor moved to the peer's earlier log end")
        }
        Err(e) => tracing::warn!(peer = %peer.url, error = %e, "cannot store the pull cursor"),
    }
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
pub(super) async fn pull_scheduler(st: Arc<NodeState>) {
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
    // Each peer's log position read before its last anti-entropy round (cursors of agreeing
    // rounds, [`cursor_after_agreement`]).
    let mut positions: HashMap<String, LogPosition> = HashMap::new();
    let margin = Duration::from_millis(SETTLE_MS + 2 * st.settings.max_clock_skew_ms);
    // After a restore: reconcile with the live peers first (it pulls from every one of them,
    // which is also the catch-up).
    if crate::node::rejoin::run(&st).await {
        initial_done = true;
        next_periodic = ae_every.map(|d| Instant::now() + d);
        crate::node::catch_up::finish(
            &st,
            st.peer_cache.others(&st.wallet, st.clock.now_ms()).len(),
            0,
        );
    }
    // Catch up with every live peer before reporting ready (`node::catch_up`); it replaces the
    // initial pull.
    if st.catch_up.unfinished() {
        super::catch_up(&st).await;
        initial_done = true;
        next_periodic = ae_every.map(|d| Instant::now() + d);
    }
    loop {
        tokio::time::sleep(SUPERVISOR_PERIOD).await;
        if ready_sync_key(&st).is_none() {
            continue;
        }
        let now = st.clock.now_ms();
        let peers = st.peer_cache.others(&st.wallet, now);
        let repl = st.replication.snapshot();
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
        // Anti-entropy first compares digests: replicas that agree need no repair.
        if reason == PullReason::AntiEntropy {
            let read_at = Instant::now();
            let position = match st.with_secret(|s| s.sync_key()) {
                Some(key) => super::paged::log_position(&st, &peer, &key).await,
                None => None,
            };
            let check = check_digests(&st, &peer).await;
            st.metrics.observe_anti_entropy_check(check.label());
            if check == DigestCheck::Agreed {
                if let Some(pos) = &position {
                    agreed_cursor(&st, &peer, positions.get(&peer.wallet), pos, margin).await;
                }
            }
            if let Some(cursor) = position {
                // A remembered position waits until it is old enough to be used (rounds may
                // come faster than the margin); then the newest one replaces it.
                let young = positions.get(&peer.wallet).is_some_and(|p| {
                    p.read_at.elapsed() < margin && p.cursor.log_id == cursor.log_id
                });
                if !young {
                    positions.insert(peer.wallet.clone(), LogPosition { cursor, read_at });
                }
            }
            if check == DigestCheck::Agreed {
                tracing::debug!(peer = %peer.url, ms = started.elapsed().as_millis() as u64, "anti-entropy: digests agree; no pull");
                pending = None;
                backoff.reset();
                retry_at = None;
                next_periodic = ae_every.map(|d| Instant::now() + d);
                continue;
            }
            if check == DigestCheck::PeerCatchingUp || check == DigestCheck::PeerBusy {
                // Still due: the next supervisor period picks a peer again (at random).
                tracing::debug!(peer = %peer.url, outcome = check.label(), "anti-entropy: the peer is catching up or busy; trying another");
                continue;
            }
        }
        // Anti-entropy reads the peer's whole log; the others resume at its pull cursor.
        let from = if reason == PullReason::AntiEntropy {
            PullCursor::default()
        } else {
            let w = peer.wallet.clone();
            super::blocking(&st, move |s| s.pull_cursor(&w))
                .await
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        // Anti-entropy is the safety net: it asks for everything. The others may leave out
        // what this database sent itself (`paged`, "Origin exclusion").
        let exclude = if reason == PullReason::AntiEntropy {
            Vec::new()
        } else {
            super::paged::own_exclusion(&st).await
        };
        let pulled = super::pull_from(&st, &peer, &from, &exclude, |_, _| {})
            .await
            .map(|o| o.report);
        st.metrics.observe_pull(reason.label(), pulled.is_ok());
        match pulled {
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
    fn an_agreeing_round_moves_the_cursor_to_a_settled_earlier_position() {
        let log = Some("a".repeat(32));
        let pos = |seq: u64, log: &Option<String>, read_at: Instant| LogPosition {
            cursor: PullCursor {
                seq,
                log_id: log.clone(),
            },
            read_at,
        };
        let margin = Duration::from_secs(40);
        let now = Instant::now() + Duration::from_secs(100);
        let old = now - Duration::from_secs(60);
        let recent = now - Duration::from_secs(39);
        let cur = log.as_deref();
        let at = |seq: u64| PullCursor {
            seq,
            log_id: log.clone(),
        };
        // An earlier position, old enough, same log: taken when ours is behind or absent.
        let p = pos(500, &log, old);
        assert_eq!(
            cursor_after_agreement(Some(&p), cur, None, now, margin),
            Some(at(500))
        );
        assert_eq!(
            cursor_after_agreement(Some(&p), cur, Some(&at(100)), now, margin),
            Some(at(500))
        );
        // Not when ours is at or past it.
        assert_eq!(
            cursor_after_agreement(Some(&p), cur, Some(&at(500)), now, margin),
            None
        );
        assert_eq!(
            cursor_after_agreement(Some(&p), cur, Some(&at(900)), now, margin),
            None
        );
        // Ours in another log of the peer: replaced.
        let other = PullCursor {
            seq: 900,
            log_id: Some("b".repeat(32)),
        };
        assert_eq!(
            cursor_after_agreement(Some(&p), cur, Some(&other), now, margin),
            Some(at(500))
        );
        // Too recent (its entries may be newer than the comparison's cut), no earlier round,
        // the peer's log changed since, or no log id: nothing.
        let r = pos(500, &log, recent);
        assert_eq!(
            cursor_after_agreement(Some(&r), cur, None, now, margin),
            None
        );
        assert_eq!(cursor_after_agreement(None, cur, None, now, margin), None);
        assert_eq!(
            cursor_after_agreement(Some(&p), Some(&"c".repeat(32)), None, now, margin),
            None
        );
        let none = pos(500, &None, old);
        assert_eq!(
            cursor_after_agreement(Some(&none), None, None, now, margin),
            None
        );
    }

    #[test]
    fn peers_that_look_down_are_not_picked() {
        use crate::node::peers::ProbeResult;
        let mk = |w: &str, reachable: Option<bool>| {
            let mut p = PeerInfo::for_test(w, vec![1], &format!("http://{w}"), 0, true, 49);
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
