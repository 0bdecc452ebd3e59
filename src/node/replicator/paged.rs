//! Paged snapshot pulls between novakms nodes (issue 12 items 1 and 2) and the start-up
//! catch-up built on them.
//!
//! **Wire.** `snapshot_page` is a novakms-only `/sync` type (HMAC required, sealed and signed
//! like every reply): `{"after_seq", "max_records", "max_bytes"}` → `{"data", "next_seq",
//! "last_seq"}` (`wire::sync::SnapshotPageReply`). The donor answers from ONE bounded read of
//! its change log ([`crate::storage::Storage::snapshot_page`]), capped at [`PAGE_MAX_RECORDS`]
//! records and [`PAGE_MAX_BYTES`] record bytes whatever is asked, so its memory per request is
//! bounded by the page, not the store. The puller merges each page in its own commit (through
//! `node::ingest`: validation §6.5, merge rule §6.6, the committer, origin = the donor so the
//! records are not pushed back) while it fetches the next one (one request in flight per
//! donor), and drops it before asking the page after that, so its memory is bounded by two
//! pages.
//!
//! **Upstream peers.** An upstream node answers 400 `Unknown sync type: snapshot_page`
//! (protocol.md §6.7 has three types). Every answer to `snapshot_page` is remembered per peer
//! (`ReplicationState::peer_kind`, until restart): an upstream peer is pulled with the
//! single-response `snapshot_request`, unchanged, and the push loop relays to it (`replicator`,
//! "Relay").
//!
//! **Why paging by change-log sequence converges.** A paged pull is not a point-in-time
//! snapshot: the donor keeps writing and merging while we page. The donor's change log holds
//! exactly one entry per stored record, at the sequence of its latest change, and every change
//! takes a sequence above every earlier one. So a record present when a page is read is either
//! at or below the cursor (already read, or never changed since it was read: read in an
//! earlier page) or above it (read by a later page). A record rewritten while we page moves
//! above the cursor and is read again in its newer version. Paging stops at a page that
//! reached the end of the log (`next_seq >= last_seq` in the same read), so at that moment we
//! hold every record the donor held, in the version it held or a newer one we merged. Records
//! deleted meanwhile arrive as tombstones (they are records in the log); purged and evicted
//! records leave the log, exactly as they leave the donor. Merging is commutative and
//! idempotent (§6.6), so pages, deltas pushed to us meanwhile, and the same record arriving
//! twice end in the same state whatever the order. Termination: each page moves the cursor
//! forward; a donor writing faster than we page keeps the pull going, which the catch-up bound
//! (`catch_up_timeout_seconds`) limits.
//!
//! **Origin exclusion.** The change log remembers, per entry, the peer a record came from
//! when it was stored exactly as that peer sent it (`storage::ops::merge_remote`; a local
//! change, or a concurrent winner stored with a merged clock, has no origin). A request may
//! name wallets in `exclude_origins`; the donor scans those entries but leaves them out of the
//! page ([`crate::storage::Storage::snapshot_page`]; the cursor still passes them). Leaving out
//! origin W is safe when the puller already holds, in an equal or newer version, every record
//! W ever sent: the merge rule only moves a record forward, so whoever sent a record keeps it
//! or something newer. The puller names:
//! * **itself**, once its database completed a catch-up with every peer
//!   ([`crate::storage::Storage::caught_up_once`]): from then on it has lost nothing it sent
//!   (a restore imports into a new database, where the flag is unset; a new data dir starts
//!   unset too, so records a previous database of the same wallet sent are pulled back in full);
//! * **the peers it already pulled to the end of their log in this catch-up**: what such a
//!   peer W sent another peer before that pull ended is in W's log, so it was just pulled
//!   (what W sends later reaches us through W's own pushes). A donor refuses pages while it
//!   is a restored node not yet reconciled (`node::rejoin`), so a pulled W is never a
//!   rolled-back one.
//!
//! Anti-entropy pulls and the admin `sync` name nobody: they are the safety net. A donor from
//! before this field ignores it and sends everything (slower, same result). Effect measured
//! in docs/performance.md (scale suite): a restarted node no longer receives back its own
//! writes once per peer, and a node catching up receives each record once when the first peer
//! it pulls is the one that wrote them.
//!
//! **Digest-gated catch-up.** The exclusion only helps when the first donor pulled is the
//! node that wrote the records: a joiner that first pulls a node which itself caught up from
//! the writer names that node, but the other peers' copies came from the writer and are sent
//! again (a 100k join received 300,000 records and took 13 s instead of 5). So when the first
//! page from a second or later donor brings nothing new (at least [`REDUNDANT_PAGE_RECORDS`]
//! records, none merged) and a large gap is left (at least [`DIGEST_GATE_ENTRIES`] entries),
//! the catch-up reads the donor's log position, then compares both stores' digests over every
//! record (`digest_request` without a settle cut, the `cluster check` rule); when they agree
//! it pulls only what the donor logged after that position. A record the donor held at the
//! position is in its digest (or a newer version is), so equal digests mean it is here. A
//! donor that cannot compare, or digests that differ, leave the pull going from where the
//! first page ended. A pull whose exclusion works sends no redundant page and pays nothing
//! (a restart excludes its own records; measured: comparing digests unasked cost a 100k
//! restart 0.6 s).
//!
//! **Pull cursors.** After each merged page the donor's `next_seq` is stored as its pull
//! cursor, with the identity of the donor's change log the page came from (`log_id`,
//! [`crate::storage::Storage::log_id`]; [`crate::storage::Storage::set_pull_cursor`]); a
//! restarted node resumes there and fetches only what changed since. A sequence means
//! nothing in another log: a donor restored or given a new data dir starts a new log (new
//! `log_id`, sequences from 1) that may have grown past our cursor by the time we pull again,
//! and resuming there would skip its first entries. So the pull restarts from 0 when the
//! page's `log_id` is not the cursor's, and also when the donor's `last_seq` is below the
//! cursor (the only sign an older donor, which sends no `log_id`, gives). The cursor is only
//! a starting point: anti-entropy pulls always start at 0. Replicas that agree no longer pull
//! at all (anti-entropy compares digests first), so an agreeing round moves the cursor instead,
//! to the peer's log end read before an earlier round (`pull::cursor_after_agreement`, which
//! says why that is safe).
//!
//! **Push cursors.** A donor's push cursor for a peer says "my log up to here has reached
//! that peer" (`push`); a peer that pulls pages of the log has it too. So a request that
//! starts at 0, or names the donor's current log (`log_id`, sent from the second page on, or
//! from a stored cursor), moves the donor's push cursor for the requester to the page's end
//! (`Storage::advance_peer_cursor`: forward only, and the push loop's acknowledgements use it
//! too, so neither moves the other back). Without this a joiner pulled the store once and
//! then received it again as deltas from every peer whose push cursor for it started at 0 (3
//! × 100k records in the scale suite). Entries a page leaves out are covered by the same
//! rule as the exclusion itself; a requester that dies before merging a page pulls it again
//! from its own pull cursor, which only moves after a merge, and anti-entropy (from 0) stays
//! the safety net.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{blocking, exchange_deadline, fetch_snapshot, merge_snapshot};
use crate::client::peer::{is_unknown_type, PageAnswer, PageRequest};
use crate::error::{Error, ErrorKind, Result};
use crate::node::catch_up::CATCHING_UP;
use crate::node::ingest::{ingest, parse_data};
use crate::node::peers::PeerInfo;
use crate::node::state::{NodeState, PeerKind};
use crate::storage::PullCursor;
use crate::store::MergeReport;

/// Most records a donor puts in one page, whatever is asked.
pub const PAGE_MAX_RECORDS: usize = 4096;

/// Record bytes (key + ciphertext) after which a donor ends a page, whatever is asked (4 MiB;
/// one larger record still goes alone).
pub const PAGE_MAX_BYTES: usize = 4 << 20;

/// Records asked per page by our puller.
pub const PULL_PAGE_RECORDS: usize = 2048;

/// Record bytes asked per page by our puller (2 MiB).
pub const PULL_PAGE_BYTES: usize = 2 << 20;

/// How often the catch-up retries peers that did not answer: a round of pulls starts at most
/// this often, so a peer refused at the start of a long round (it had not yet seen a joiner's
/// registration) is asked again as soon as the round ends (measured: a 100k join lost 1 s
/// waiting after a 4 s round).
const CATCH_UP_ROUND: Duration = Duration::from_secs(1);

/// How often the catch-up looks whether the master secret is there yet (a cheap in-memory
/// check).
const KEY_POLL: Duration = Duration::from_millis(50);

/// How long the catch-up waits for peers that do not answer (down, or still starting) before it
/// takes them as not live.
pub const CATCH_UP_GRACE: Duration = Duration::from_secs(10);

/// What one pull from a peer did.
#[derive(Debug, Clone, Default)]
pub struct PullOutcome {
    /// Combined merge counts (`total` = records received).
    pub report: MergeReport,
    /// Pages fetched (0 when the single-response snapshot was used).
    pub pages: u64,
    /// True when the peer spoke only `snapshot_request` (upstream).
    pub single_response: bool,
    /// Set when the pull stopped after a first page that brought nothing new (asked for by
    /// the catch-up, [`REDUNDANT_PAGE_RECORDS`]): the pull cursor stored after that page,
    /// where the pull can go on.
    pub stopped_at: Option<PullCursor>,
}

/// The sync key for pulling: when ready, or when held not ready only by the catch-up.
pub(crate) fn catch_up_key(st: &NodeState) -> Option<[u8; 32]> {
    if st.is_shutting_down() {
        return None;
    }
    let r = st.readiness();
    if !r.ready && r.reason != CATCHING_UP {
        return None;
    }
    st.with_secret(|s| s.sync_key())
}

async fn fetch_page(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    key: &[u8; 32],
    after: u64,
    exclude: &[String],
    log_id: Option<&str>,
) -> std::result::Result<PageAnswer, Error> {
    let req = PageRequest {
        after_seq: after,
        max_records: PULL_PAGE_RECORDS,
        max_bytes: PULL_PAGE_BYTES,
        exclude_origins: exclude,
        log_id,
    };
    let call = st.peer_client.snapshot_page(peer, key, &req);
    match tokio::time::timeout(exchange_deadline(st), call).await {
        Ok(Ok(p)) => {
            st.replication.note_peer_kind(&peer.wallet, PeerKind::Paged);
            Ok(p)
        }
        Ok(Err(e)) if is_unknown_type(&e) => Err(Error::new(ErrorKind::Refused, e.to_string())),
        Ok(Err(e)) => Err(Error::from(e).context(format!("snapshot page from {}", peer.url))),
        Err(_) => Err(Error::remote(format!(
            "snapshot page from {} timed out",
            peer.url
        ))),
    }
}

/// True once `wallet` answered `snapshot_page` as an upstream node does (remembered until
/// restart, module docs).
fn speaks_only_snapshot_request(st: &NodeState, wallet: &str) -> bool {
    st.replication.peer_kind(wallet) == Some(PeerKind::SingleSnapshot)
}

/// `peer`'s change-log position now: its `last_seq` with the identity of its log, from an empty
/// page (`max_records` 0: nothing is read but the log's end; the donor's push cursor does not
/// move). `None` for a peer that speaks only `snapshot_request`, sends no log id (an older
/// novakms), or does not answer. The answer is remembered as the peer's kind
/// ([`crate::node::state::ReplicationState::peer_kind`]). Used by anti-entropy (`pull`,
/// "cursors of agreeing rounds") and by the push loop to learn whether to relay.
pub(crate) async fn log_position(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    key: &[u8; 32],
) -> Option<PullCursor> {
    if speaks_only_snapshot_request(st, &peer.wallet) {
        return None;
    }
    let req = PageRequest {
        after_seq: 0,
        max_records: 0,
        max_bytes: 0,
        exclude_origins: &[],
        log_id: None,
    };
    let call = st.peer_client.snapshot_page(peer, key, &req);
    match tokio::time::timeout(exchange_deadline(st), call).await {
        Ok(Ok(p)) => {
            st.replication.note_peer_kind(&peer.wallet, PeerKind::Paged);
            p.log_id.map(|log_id| PullCursor {
                seq: p.last_seq,
                log_id: Some(log_id),
            })
        }
        Ok(Err(e)) if is_unknown_type(&e) => {
            st.replication
                .note_peer_kind(&peer.wallet, PeerKind::SingleSnapshot);
            None
        }
        _ => None,
    }
}

/// Pull `peer`'s change log after the cursor `from` page by page to its end and merge each page
/// in its own commit (module docs), storing the pull cursor after each page. A `from` that
/// belongs to another of the peer's change logs (its `log_id` is not the page's, or the
/// peer's `last_seq` is below it) is dropped and the pull starts at 0 (module docs, "Pull
/// cursors"). Falls back to the
/// single-response `snapshot_request` (merged in chunks) for a peer that does not speak
/// `snapshot_page`, and remembers that.
///
/// `progress(done, estimate)`: `(0, estimate)` once the first page is parsed, then after every
/// merged page the records received so far and an upper-bound estimate of the total (`done`
/// plus the peer's log entries left; exact at the last page); for the single-response
/// fallback as [`super::pull_snapshot`] documents.
///
/// `exclude` (canonical wallets): records the donor stored exactly as one of them sent them are
/// left out of the pages (module docs, "Origin exclusion"); the caller answers for the rule
/// that makes that safe. The single-response fallback always sends everything.
///
/// Errors: `NotReady` without a master secret; `Remote` when the peer fails (pages merged
/// before stay merged and the cursor stays where they left it); storage errors.
pub async fn pull_from(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    from: &PullCursor,
    exclude: &[String],
    progress: impl Fn(u64, u64) + Send,
) -> Result<PullOutcome> {
    pull_pages(st, peer, from, exclude, false, progress).await
}

/// A first page of at least this many records of which none was new ends a catch-up pull
/// early so the digests can be compared ([`agreed_position`]).
pub const REDUNDANT_PAGE_RECORDS: u64 = 256;

/// [`pull_from`]; with `stop_if_redundant`, a first page of at least
/// [`REDUNDANT_PAGE_RECORDS`] records that merged none (all held already) that is not the
/// log's last ends the pull there with [`PullOutcome::stopped_at`] set.
async fn pull_pages(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    from: &PullCursor,
    exclude: &[String],
    stop_if_redundant: bool,
    progress: impl Fn(u64, u64) + Send,
) -> Result<PullOutcome> {
    let key = st
        .with_secret(|s| s.sync_key())
        .ok_or_else(|| Error::new(ErrorKind::NotReady, "master secret not loaded"))?;
    let single = speaks_only_snapshot_request(st, &peer.wallet);
    let mut out = PullOutcome::default();
    if !single {
        let mut cursor = from.seq;
        // The log our cursor is in: the stored one, then the one the first page came from.
        let mut log_id = from.log_id.clone();
        let mut page = match fetch_page(st, peer, &key, cursor, exclude, log_id.as_deref()).await {
            Ok(p) => Some(p),
            Err(e) if e.kind() == ErrorKind::Refused => {
                tracing::info!(peer = %peer.url, "peer does not speak snapshot_page (upstream?); using snapshot_request");
                st.replication
                    .note_peer_kind(&peer.wallet, PeerKind::SingleSnapshot);
                None
            }
            Err(e) => return Err(e),
        };
        while let Some(p) = page.take() {
            out.pages += 1;
            let other_log = matches!((&log_id, &p.log_id), (Some(a), Some(b)) if a != b);
            if cursor > 0 && (other_log || p.last_seq < cursor) {
                tracing::info!(peer = %peer.url, cursor, last_seq = p.last_seq, other_log, "our pull cursor is not in the peer's current change log (restored, or a new database); pulling from 0");
                cursor = 0;
                log_id = None;
                page = Some(fetch_page(st, peer, &key, cursor, exclude, None).await?);
                continue;
            }
            if p.log_id.is_some() {
                log_id.clone_from(&p.log_id);
            }
            let last = p.is_last();
            let (next, left) = (p.next_seq, p.last_seq.saturating_sub(p.next_seq));
            let first = out.pages == 1;
            let merge = async {
                let data = p.data;
                let parsed = tokio::task::spawn_blocking(move || parse_data(&data))
                    .await
                    .map_err(|e| Error::local(format!("snapshot page parse task failed: {e}")))?;
                if first {
                    let n: u64 = parsed.values().map(|v| v.len() as u64).sum();
                    progress(0, n + left);
                }
                let r = if parsed.is_empty() {
                    MergeReport::default()
                } else {
                    ingest(st, parsed, Some(&peer.wallet)).await?
                };
                let (wallet, c) = (
                    peer.wallet.clone(),
                    PullCursor {
                        seq: next,
                        log_id: log_id.clone(),
                    },
                );
                blocking(st, move |s| s.set_pull_cursor(&wallet, &c)).await?;
                Ok::<_, Error>(r)
            };
            // The next page is fetched while this one is parsed and merged (at most two pages
            // in memory): the donor's read and sealing overlap our validation and commit.
            let (merged, fetched) = if last {
                (merge.await, None)
            } else {
                let next_log = log_id.clone();
                let (m, f) = tokio::join!(
                    merge,
                    fetch_page(st, peer, &key, next, exclude, next_log.as_deref())
                );
                (m, Some(f))
            };
            out.report.absorb(&merged?);
            cursor = next;
            progress(out.report.total, out.report.total + left);
            if last {
                return Ok(out);
            }
            if stop_if_redundant
                && first
                && out.report.total >= REDUNDANT_PAGE_RECORDS
                && out.report.merged == 0
            {
                out.stopped_at = Some(PullCursor {
                    seq: cursor,
                    log_id: log_id.clone(),
                });
                return Ok(out);
            }
            if st.is_shutting_down() {
                return Err(Error::new(ErrorKind::NotReady, "shutting down"));
            }
            page = fetched.transpose()?;
        }
    }
    out.single_response = true;
    let parsed: BTreeMap<_, _> = fetch_snapshot(st, peer).await?;
    out.report = merge_snapshot(st, peer, parsed, progress).await?;
    Ok(out)
}

/// Smallest gap (donor log entries after our pull cursor) for which the catch-up compares
/// digests after a redundant first page ([`agreed_position`]): below it the pull costs less
/// than two scans of the stores.
pub const DIGEST_GATE_ENTRIES: u64 = 2 * PULL_PAGE_RECORDS as u64;

/// For a catch-up donor whose first page was redundant (module docs, "Digest-gated
/// catch-up"): `peer`'s
/// log position, then both stores' digests over every record (no settle cut; `store::digest`,
/// ours computed while the peer computes its own). When they agree, this node already holds
/// everything the donor logged up to that position (the position was read before the donor's
/// digest, and a record only moves forward), so the pull may start there: the position, with
/// the donor's `log_id`, so the donor's push cursor for us still follows the pull. `None` when
/// the gap after `from` is under [`DIGEST_GATE_ENTRIES`], the digests differ, or either side
/// cannot compare (the caller pulls from `from`).
async fn agreed_position(
    st: &Arc<NodeState>,
    peer: &PeerInfo,
    key: &[u8; 32],
    from: &PullCursor,
) -> Option<PullCursor> {
    let pos = log_position(st, peer, key).await?;
    let gap = if pos.log_id == from.log_id {
        pos.seq.saturating_sub(from.seq)
    } else {
        pos.seq
    };
    if gap < DIGEST_GATE_ENTRIES {
        return None;
    }
    let now_ms = st.clock.now_ms();
    let theirs = tokio::time::timeout(
        exchange_deadline(st),
        st.peer_client.digests(peer, key, now_ms, &[]),
    );
    let ours = crate::node::cluster_check::local(st, now_ms, None, Vec::new());
    let (theirs, ours) = tokio::join!(theirs, ours);
    let (Ok(Ok(theirs)), Ok(ours)) = (theirs, ours) else {
        return None;
    };
    crate::node::cluster_check::differing_apps(&ours.apps, &theirs.apps)
        .is_empty()
        .then_some(pos)
}

/// `[own wallet]` once this database completed a catch-up with every peer
/// ([`crate::storage::Storage::caught_up_once`]), else empty: the origin exclusion a pull may
/// always ask for (module docs, "Origin exclusion").
pub(crate) async fn own_exclusion(st: &Arc<NodeState>) -> Vec<String> {
    match blocking(st, |s| s.caught_up_once()).await {
        Ok(true) => vec![st.wallet.clone()],
        Ok(false) => Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the catch-up flag; pulling without exclusions");
            Vec::new()
        }
    }
}

/// The start-up catch-up (`node::catch_up`): while the gate is unfinished, pull from every
/// live peer from its pull cursor (0 when none is stored), naming as excluded origins this
/// node (once its database caught up once) and the peers already pulled in this catch-up: a
/// fresh joiner receives the whole store from the first peer and, from the others, only what
/// did not come from a peer pulled before (module docs, "Origin exclusion"), or, when that
/// leaves a redundant first page and the digests agree, only what it logged since
/// ([`agreed_position`]). Each pull names
/// the donor's log, so the donor's push cursor for us follows (module docs, "Push cursors")
/// and its pushes do not send the store a second time.
///
/// It finishes when every peer of the PeerCache has been pulled, or once [`CATCH_UP_GRACE`]
/// has passed since the master secret allowed the first round: a peer that has not answered by
/// then is not live and not waited for (its records reach us by its pushes when it returns);
/// with no live peer at all the node serves its own data (logged). Peers that fail are retried
/// in rounds that start at most once a second until then. A pull that is under way is not cut
/// by the grace: it ends with the peer's log, or the gate's bound releases the node meanwhile.
/// Returns when finished or shutting down.
pub async fn catch_up(st: &Arc<NodeState>) {
    let mut started: Option<Instant> = None;
    let mut done: HashSet<String> = HashSet::new();
    // Peers pulled to the end of their log in this catch-up, in order: what they sent to
    // other peers need not come again from those (module docs, "Origin exclusion").
    let mut pulled: Vec<String> = Vec::new();
    let own = own_exclusion(st).await;
    let mut records = 0u64;
    loop {
        if !st.catch_up.unfinished() || st.is_shutting_down() {
            return;
        }
        st.catch_up.holding(st.clock.now_ms()); // moves to timed_out past the bound
        if catch_up_key(st).is_none() {
            // Waiting for the master secret: look again soon, so the pulls start as soon as
            // the node tick has it (a restart with nothing to fetch is ready that much sooner).
            tokio::time::sleep(KEY_POLL).await;
            continue;
        }
        let started = *started.get_or_insert_with(Instant::now);
        let peers = st.peer_cache.others(&st.wallet, st.clock.now_ms());
        if peers.is_empty() {
            tracing::info!("no peers to catch up with (first member)");
            crate::node::catch_up::finish(st, 0, 0);
            return;
        }
        let round = Instant::now();
        for peer in &peers {
            if done.contains(&peer.wallet) {
                continue;
            }
            let w = peer.wallet.clone();
            let mut from = match blocking(st, move |s| s.pull_cursor(&w)).await {
                Ok(c) => c.unwrap_or_default(),
                Err(e) => {
                    tracing::error!(error = %e, "catch-up: cannot read the pull cursor");
                    continue;
                }
            };
            let exclude: Vec<String> = own.iter().chain(&pulled).cloned().collect();
            let pulled_peer = match pull_pages(
                st,
                peer,
                &from,
                &exclude,
                !pulled.is_empty(),
                |_, _| {},
            )
            .await
            {
                Ok(PullOutcome {
                    stopped_at: Some(here),
                    report,
                    pages,
                    ..
                }) => {
                    // The donor's first page held nothing new (module docs, "Digest-gated
                    // catch-up"): compare digests, then go on from its position or from here.
                    from = match catch_up_key(st) {
                        Some(key) => match agreed_position(st, peer, &key, &here).await {
                            Some(pos) => {
                                tracing::info!(peer = %peer.url, from_seq = here.seq, to_seq = pos.seq, "catch-up: digests agree; pulling only what the peer logged since");
                                pos
                            }
                            None => here,
                        },
                        None => here,
                    };
                    pull_from(st, peer, &from, &exclude, |_, _| {})
                        .await
                        .map(|mut rest| {
                            rest.report.absorb(&report);
                            rest.pages += pages;
                            rest
                        })
                }
                other => other,
            };
            match pulled_peer {
                Ok(o) => {
                    tracing::info!(peer = %peer.url, from_seq = from.seq, pages = o.pages, total = o.report.total, merged = o.report.merged, excluded_origins = exclude.len(), "catch-up: pulled from peer");
                    done.insert(peer.wallet.clone());
                    if !o.single_response {
                        pulled.push(peer.wallet.clone());
                    }
                    records += o.report.total;
                }
                Err(e) => {
                    tracing::info!(peer = %peer.url, error = %e, "catch-up: peer did not answer; retrying")
                }
            }
        }
        let all = peers.iter().all(|p| done.contains(&p.wallet));
        if all || started.elapsed() >= CATCH_UP_GRACE {
            if !all {
                tracing::warn!(
                    answered = done.len(),
                    peers = peers.len(),
                    "catch-up: peers that did not answer within the grace period are taken as \
                     down (no live peer at all: serving own data)"
                );
            }
            tracing::info!(
                peers = done.len(),
                records,
                ms = started.elapsed().as_millis() as u64,
                "caught up with peers"
            );
            if all {
                if let Err(e) = blocking(st, |s| s.set_caught_up_once()).await {
                    tracing::warn!(error = %e, "cannot record the completed catch-up");
                }
            }
            crate::node::catch_up::finish(st, done.len(), records);
            return;
        }
        tokio::time::sleep(CATCH_UP_ROUND.saturating_sub(round.elapsed())).await;
    }
}
