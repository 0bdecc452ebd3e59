//! Replication between nodes (design.md §3 "Replication"; protocol.md §6.9 with the hardening of §11
//! items 3, 4 and 22; security-checklist.md "Replication").
//!
//! * **Push.** One task per peer (the KMS members of the PeerCache other than us, re-read every
//!   second so joiners and leavers are picked up; one peer's slowness never delays another).
//!   A task pushes after a local write (`ReplicationState::wake`, debounced by
//!   `push_debounce_ms` so a burst becomes one push) and every `sync_interval_seconds`, only
//!   while the node is ready and has a sync key. It reads the peer's cursor (`peers` table,
//!   default 0) and sends the change-log entries after it as `delta` requests whose body stays
//!   within `max_sync_batch_bytes` (a single larger record goes alone), skipping records that
//!   came from that very peer, and records of other peers unless it relays to it (below;
//!   [`Storage::changes_since_excluding`]). The cursor advances and is
//!   persisted only after the peer acknowledged a batch. Batches follow the load: one delta is
//!   in flight per peer; a batch the budget cut short is followed at once, and once a batch
//!   took everything pending ([`Batch::drained`]) the task waits for the next write plus the
//!   debounce. So at idle a write goes out after `push_debounce_ms`, and under load a batch
//!   holds what was written during one exchange and one debounce (measured: 146 records per
//!   delta when the next batch followed at once, 483 with the wait, and a receiver's CPU per
//!   record fell by a third; docs/performance.md). A failure is recorded in
//!   `ReplicationState::peers` and retried with exponential backoff ([`Backoff`]: 500 ms
//!   doubling to 30 s, ±20 % jitter, reset on success). Every outbound call is bounded by the
//!   peer client's timeout.
//! * **Pull.** A snapshot pull ([`pull_snapshot`]) from one random reachable peer when the node
//!   first becomes ready (start, restore), when it regains contact after an isolation (every
//!   peer failing for more than [`ISOLATION_INTERVALS`] sync intervals), and every
//!   `anti_entropy_interval_seconds` (0 = off). Pulled records are merged with the peer as
//!   origin, so they are not pushed back to it.
//!
//! **Relay.** A record stored exactly as peer W sent it is W's to deliver: W pushes its own
//! writes to every peer with a durable cursor and retries, and a peer that still misses one (W
//! died before reaching it) repairs it by anti-entropy (digests, then a pull). So a node does
//! not pass such records on to novakms peers: each would receive every write once per node
//! instead of once (measured: a 3-node cluster spent about a third of its CPU on relayed
//! copies, and a node that had just caught up re-sent what it pulled; docs/performance.md). It
//! still relays, as protocol.md §6.9 does, where nothing else would repair the peer:
//! * to a peer not known to answer `snapshot_page` ([`crate::node::state::PeerKind`]): an
//!   upstream node, which runs no anti-entropy, or one that has not answered yet (the push loop
//!   asks with an empty page before each push until the peer has answered one);
//! * to every peer while this node's `anti_entropy_interval_seconds` is 0: the cluster is taken
//!   to be configured alike, so relaying is its only repair path.
//!
//! Records a merge changed (stored with a merged clock, no origin) are this node's own news and
//! go to every peer, the sender included. The cursor passes skipped entries, so a peer learnt
//! to page later is not sent the backlog.
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
//!
//! Files: this one starts the tasks and holds what push and pull share; `push` is the
//! per-peer push loop and its batching; `pull` the snapshot pulls and their scheduling; the
//! retry delays come from `node::backoff`.

mod paged;
mod pull;
mod push;

pub use paged::{
    catch_up, pull_from, PullOutcome, DIGEST_GATE_ENTRIES, PAGE_MAX_BYTES, PAGE_MAX_RECORDS,
    PULL_PAGE_BYTES, PULL_PAGE_RECORDS, REDUNDANT_PAGE_RECORDS,
};

pub use pull::{
    check_digests, pull_snapshot, DigestCheck, IsolationTracker, PullReason, SETTLE_MS,
};
pub(crate) use pull::{fetch_snapshot, merge_snapshot};
pub use push::{collect_batch, Batch};

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::node::state::{NodeState, PeerReplication};
use crate::storage::Storage;

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
pub(crate) const SUPERVISOR_PERIOD: Duration = Duration::from_secs(1);

/// Smallest batch budget reached by halving after 413 answers before falling back to one record
/// per request.
pub(crate) const MIN_BATCH_BYTES: usize = 16 * 1024;

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
    let puller = tokio::spawn(pull::pull_scheduler(st));
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
                let task = tokio::spawn(push::peer_loop(
                    st.clone(),
                    slot.key().clone(),
                    wake.clone(),
                ));
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

/// The sync key when the node may replicate: ready and a master secret loaded.
pub(crate) fn ready_sync_key(st: &NodeState) -> Option<[u8; 32]> {
    if st.is_shutting_down() || !st.readiness().ready {
        return None;
    }
    st.with_secret(|s| s.sync_key())
}

/// Run a storage call on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    st: &Arc<NodeState>,
    f: impl FnOnce(&dyn Storage) -> Result<T> + Send + 'static,
) -> Result<T> {
    let storage = st.storage.clone();
    tokio::task::spawn_blocking(move || f(storage.as_ref()))
        .await
        .map_err(|e| Error::local(format!("storage task failed: {e}")))?
}

pub(crate) fn update_peer_state(
    st: &NodeState,
    wallet: &str,
    f: impl FnOnce(&mut PeerReplication),
) {
    let mut g = st
        .replication
        .peers
        .write()
        .unwrap_or_else(|p| p.into_inner());
    f(g.entry(wallet.to_string()).or_default());
}

/// Bound on one `/sync` exchange (nonce + request), each call bounded by the client's timeout.
pub(crate) fn exchange_deadline(st: &NodeState) -> Duration {
    Duration::from_secs(2 * st.settings.peer_request_timeout_seconds.max(1) + 1)
}
