//! Rejoin without resurrection after `novakms restore` (issue 10 "Restore trust and freshness",
//! docs/disaster-recovery.md "Rejoin after a restore").
//!
//! The problem: a restored node holds the backup's records. A key deleted after the backup,
//! whose tombstones every live node has since purged (`tombstone_retention_ms`), exists
//! nowhere but in the restored database; pushed or served from there, it would be accepted
//! as new by every peer and come back on every node.
//!
//! The rule: live peers are authoritative for what the backup holds. `restore` leaves a
//! [`RestoreMarker`] in the new database (`high_water_seq` = its `last_seq` right after the
//! import). While the marker is stored:
//!
//! * the node **offers nothing** to peers: no delta pushes (`replicator::push`), and
//!   `snapshot_request` is answered 503 (`peer_ops`); it still accepts deltas and serves
//!   `master_secret_request` and the app API;
//! * [`run`] (started by the pull scheduler) pulls the snapshot of **every** peer it can reach,
//!   merges each (as a normal pull), and then drops, without a tombstone, every record whose
//!   change-log sequence is still `<= high_water_seq` (exactly as the backup had it: nothing
//!   merged or written since) and whose key no peer that answered holds, neither as a value
//!   nor as a tombstone ([`unconfirmed`]). Then it clears the marker and offering resumes.
//!   Keys a peer holds are never dropped; a record newer than the backup (written or merged
//!   since) is never dropped;
//! * with no peer answering within `restore_rejoin_timeout_seconds` (full-cluster recovery:
//!   every node lost, or every peer itself restoring), the node logs a warning, clears the
//!   marker and serves the backup as is; `/status` `restore` says which way it went.
//!
//! What this costs: a record the backup holds that was never replicated to any live peer (an
//! acknowledged write the lost node had not pushed yet) is dropped too, because it cannot be
//! told apart from a deleted-and-purged key. A peer that was down during the rejoin but holds
//! such a record brings it back by its own pushes when it returns.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::error::Result;
use crate::node::replicator::{fetch_snapshot, merge_snapshot};
use crate::node::state::NodeState;
use crate::storage::{Change, RestoreMarker, Storage};

/// How often [`run`] looks for a peer to reconcile with.
const ROUND: Duration = Duration::from_secs(1);

/// Change-log entries read per storage call while listing candidates.
const PAGE: usize = 4096;

/// Where the node stands with respect to a restore.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RejoinStatus {
    /// Not restored (or restored and cleared before this start).
    None,
    /// Restored; offering to peers is held until reconciled or timed out.
    Pending(RestoreMarker),
    /// Reconciled with `peers` live peers; `dropped` records no peer held were removed.
    Reconciled {
        /// The marker that was cleared.
        marker: RestoreMarker,
        /// Peers whose snapshots were merged.
        peers: usize,
        /// Records removed (deleted and purged elsewhere since the backup).
        dropped: u64,
    },
    /// No peer answered in time: the backup is served as is (full-cluster recovery).
    ServedAsIs {
        /// The marker that was cleared.
        marker: RestoreMarker,
    },
}

/// The node's rejoin state, shared by the push loops, `/sync` and `/status`.
#[derive(Debug)]
pub struct RejoinGate {
    status: RwLock<RejoinStatus>,
}

impl RejoinGate {
    /// The gate for a database: pending iff it carries a [`RestoreMarker`].
    /// Errors: the storage read.
    pub fn load(storage: &dyn Storage) -> Result<Self> {
        let status = match storage.restore_marker()? {
            Some(m) => RejoinStatus::Pending(m),
            None => RejoinStatus::None,
        };
        Ok(RejoinGate {
            status: RwLock::new(status),
        })
    }

    /// Current status.
    pub fn status(&self) -> RejoinStatus {
        self.status
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set(&self, s: RejoinStatus) {
        *self.status.write().unwrap_or_else(|p| p.into_inner()) = s;
    }

    /// True while the node must offer nothing to its peers.
    pub fn holding(&self) -> bool {
        matches!(self.status(), RejoinStatus::Pending(_))
    }

    /// `/status` `restore`: `{"state": "none" | "rejoining" | "reconciled" | "served_as_is",
    /// "snapshot_created_at_ms", "high_water_seq", "peers", "dropped"}` (absent fields: null).
    pub fn status_json(&self) -> Value {
        let (state, m, peers, dropped) = match self.status() {
            RejoinStatus::None => ("none", None, None, None),
            RejoinStatus::Pending(m) => ("rejoining", Some(m), None, None),
            RejoinStatus::Reconciled {
                marker,
                peers,
                dropped,
            } => ("reconciled", Some(marker), Some(peers), Some(dropped)),
            RejoinStatus::ServedAsIs { marker } => ("served_as_is", Some(marker), None, None),
        };
        json!({
            "state": state,
            "snapshot_created_at_ms": m.map(|m| m.snapshot_created_at_ms),
            "high_water_seq": m.map(|m| m.high_water_seq),
            "peers": peers,
            "dropped": dropped,
        })
    }
}

/// The records to drop: change-log entries at or below `high_water_seq` (still exactly as the
/// backup had them) whose key no answering peer holds (`held`: app id → keys, values and
/// tombstones). Pure.
pub fn unconfirmed(
    changes: &[Change],
    high_water_seq: u64,
    held: &BTreeMap<u64, BTreeSet<String>>,
) -> Vec<(u64, String)> {
    changes
        .iter()
        .filter(|c| c.seq <= high_water_seq)
        .filter(|c| {
            !held
                .get(&c.app_id)
                .is_some_and(|k| k.contains(&c.record.key))
        })
        .map(|c| (c.app_id, c.record.key.clone()))
        .collect()
}

/// Reconcile a restored node with its live peers (module docs), or time out. Returns true when
/// it reconciled with at least one peer (then an initial snapshot pull is not needed). Returns
/// at once when the node is not restored.
pub async fn run(st: &Arc<NodeState>) -> bool {
    let RejoinStatus::Pending(marker) = st.rejoin.status() else {
        return false;
    };
    let wait = Duration::from_secs(st.settings.restore_rejoin_timeout_seconds);
    tracing::warn!(
        snapshot_created_at_ms = marker.snapshot_created_at_ms,
        high_water_seq = marker.high_water_seq,
        wait_s = wait.as_secs(),
        "restored from a backup: offering nothing to peers until reconciled with live peers"
    );
    let deadline = Instant::now() + wait;
    loop {
        if st.is_shutting_down() {
            return false;
        }
        if Instant::now() >= deadline {
            tracing::warn!(
                waited_s = wait.as_secs(),
                "no live peer answered after the restore: serving the restored backup as is \
                 (full-cluster recovery); keys deleted after the backup may be back"
            );
            finish(st, RejoinStatus::ServedAsIs { marker }).await;
            return false;
        }
        if let Some((peers, dropped)) = round(st, &marker).await {
            tracing::info!(
                peers,
                dropped,
                "rejoined after the restore: dropped the backup's records no live peer holds \
                 (deleted and purged since the backup); offering to peers resumes"
            );
            finish(
                st,
                RejoinStatus::Reconciled {
                    marker,
                    peers,
                    dropped,
                },
            )
            .await;
            return true;
        }
        tokio::time::sleep(ROUND).await;
    }
}

/// One attempt: pull and merge every reachable peer's snapshot; with at least one answer,
/// drop the unconfirmed records. `Some((peers answered, dropped))` when done.
async fn round(st: &Arc<NodeState>, marker: &RestoreMarker) -> Option<(usize, u64)> {
    st.with_secret(|s| s.sync_key())?;
    let peers = st.peer_cache.others(&st.wallet, st.clock.now_ms());
    let mut held: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    let mut answered = 0usize;
    for peer in &peers {
        let parsed = match fetch_snapshot(st, peer).await {
            Ok(p) => p,
            Err(e) => {
                tracing::info!(peer = %peer.url, error = %e, "rejoin: no snapshot from peer");
                continue;
            }
        };
        for (app, recs) in &parsed {
            held.entry(*app)
                .or_default()
                .extend(recs.iter().map(|r| r.key.clone()));
        }
        if let Err(e) = merge_snapshot(st, peer, parsed, |_, _| {}).await {
            tracing::warn!(peer = %peer.url, error = %e, "rejoin: merging the peer's snapshot failed");
            return None;
        }
        answered += 1;
    }
    if answered == 0 {
        return None;
    }
    let high = marker.high_water_seq;
    let storage = st.storage.clone();
    let dropped = tokio::task::spawn_blocking(move || -> Result<u64> {
        let mut candidates = Vec::new();
        let mut after = 0u64;
        loop {
            let page = storage.changes_since(after, PAGE)?;
            let Some(last) = page.last().map(|c| c.seq) else {
                break;
            };
            candidates.extend(unconfirmed(&page, high, &held));
            if last >= high {
                break;
            }
            after = last;
        }
        storage.drop_unconfirmed(&candidates, high)
    })
    .await;
    match dropped {
        Ok(Ok(n)) => Some((answered, n)),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "rejoin: dropping unconfirmed records failed");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "rejoin: storage task failed");
            None
        }
    }
}

/// Clear the marker (a failure is logged: the node then rejoins again at its next start),
/// publish the outcome and wake the push loops.
async fn finish(st: &Arc<NodeState>, outcome: RejoinStatus) {
    let storage = st.storage.clone();
    match tokio::task::spawn_blocking(move || storage.set_restore_marker(None)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot clear the restore marker"),
        Err(e) => tracing::warn!(error = %e, "cannot clear the restore marker"),
    }
    st.rejoin.set(outcome);
    st.replication.wake.notify_one();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStorage;
    use crate::store::{Record, VectorClock};

    fn change(seq: u64, app_id: u64, key: &str) -> Change {
        Change {
            seq,
            app_id,
            record: Record {
                key: key.into(),
                value: vec![1; 28],
                version: VectorClock::from([("0x1", 1)]),
                updated_at_ms: 1,
                tombstone: false,
                ttl_ms: 0,
            },
        }
    }

    #[test]
    fn peers_are_authoritative_below_the_high_water_mark_only() {
        let changes = vec![
            change(1, 7, "held"),
            change(2, 7, "deleted-and-purged"),
            change(3, 9, "held"), // same key, another app: not held there
            change(5, 7, "written-after-restore"),
        ];
        let held = BTreeMap::from([(7, BTreeSet::from(["held".to_string()]))]);
        assert_eq!(
            unconfirmed(&changes, 4, &held),
            vec![(7, "deleted-and-purged".into()), (9, "held".into())]
        );
        assert!(unconfirmed(&changes, 0, &held).is_empty());
    }

    #[test]
    fn gate_follows_the_stored_marker() {
        let s = MemoryStorage::new();
        let g = RejoinGate::load(&s).unwrap();
        assert!(!g.holding());
        assert_eq!(g.status_json()["state"], "none");
        let m = RestoreMarker {
            snapshot_created_at_ms: 5,
            high_water_seq: 9,
            restored_at_ms: 6,
        };
        s.set_restore_marker(Some(&m)).unwrap();
        let g = RejoinGate::load(&s).unwrap();
        assert!(g.holding());
        assert_eq!(g.status_json()["state"], "rejoining");
        assert_eq!(g.status_json()["high_water_seq"], 9);
        g.set(RejoinStatus::ServedAsIs { marker: m });
        assert!(!g.holding());
        assert_eq!(g.status_json()["state"], "served_as_is");
    }
}
