//! Periodic cleanup (protocol.md §4.5, design.md §4 "Tombstones"): every
//! `purge_interval_seconds` the node removes expired records and the tombstones that are past
//! the retention period (or over the per-app cap) **and** that every current peer's replication
//! cursor has passed, so a returning node cannot resurrect a deleted key.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::node::state::NodeState;

/// The `min_peer_acked_seq` argument of `Storage::purge` for the cursors of the current peers
/// (`None` = the peer has no cursor yet, counted as 0): `None` when there is no other peer (a
/// single-node cluster purges by age alone), else the smallest cursor.
pub fn min_acked(cursors: &[Option<u64>]) -> Option<u64> {
    cursors.iter().map(|c| c.unwrap_or(0)).min()
}

/// One cleanup pass at the node's current time. The current peers are every PeerCache member
/// but us, blacklisted ones included (they may come back). Skipped (returns 0) while the
/// PeerCache has never been refreshed: without the membership, nobody's cursor is known.
///
/// Returns the number of records removed. Errors: storage errors.
pub async fn purge_once(st: &Arc<NodeState>) -> Result<u64> {
    if st.peer_cache.refreshed_at_ms() == 0 {
        tracing::debug!("purge skipped: KMS membership not read yet");
        return Ok(0);
    }
    let peers: Vec<String> = st
        .peer_cache
        .all()
        .into_iter()
        .map(|p| p.wallet)
        .filter(|w| *w != st.wallet)
        .collect();
    let st2 = st.clone();
    tokio::task::spawn_blocking(move || {
        let cursors = peers
            .iter()
            .map(|w| Ok(st2.storage.peer_cursor(w)?.map(|c| c.acked_seq)))
            .collect::<Result<Vec<_>>>()?;
        let min = min_acked(&cursors);
        st2.storage.purge(st2.clock.now_ms(), &st2.limits, min)
    })
    .await
    .map_err(|e| Error::local(format!("purge task failed: {e}")))?
}

/// Start the purge loop: a pass every `purge_interval_seconds` (minimum 1 s), the first one an
/// interval after start. Abort the handle at shutdown.
pub fn spawn(st: Arc<NodeState>) -> JoinHandle<()> {
    let every = Duration::from_secs(st.settings.purge_interval_seconds.max(1));
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if st.is_shutting_down() {
                return;
            }
            match purge_once(&st).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "purged expired records and old tombstones"),
                Err(e) => tracing::warn!(error = %e, "purge failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::ingest::tests::test_state;
    use crate::node::peers::PeerInfo;
    use crate::storage::PeerCursor;
    use crate::store::Limits;

    #[test]
    fn min_ack_of_current_peers() {
        assert_eq!(min_acked(&[]), None);
        assert_eq!(min_acked(&[Some(5)]), Some(5));
        assert_eq!(min_acked(&[Some(5), Some(3), Some(9)]), Some(3));
        assert_eq!(min_acked(&[Some(5), None]), Some(0));
    }

    fn member(w: &str) -> PeerInfo {
        PeerInfo::for_test(w, vec![1], &format!("http://{w}"), 0, true, 49)
    }

    #[tokio::test]
    async fn tombstones_wait_for_every_current_peer() {
        let st = test_state(Some([1; 32]));
        let l = Limits {
            tombstone_retention_ms: 1,
            ..Limits::default()
        };
        let s = &st.storage;
        s.put_local(5, "a", vec![1; 40], 0, &st.wallet, 1, &l)
            .unwrap(); // seq 1
        s.delete_local(5, "a", &st.wallet, 2).unwrap().unwrap(); // seq 2
        s.put_local(5, "b", vec![1; 40], 0, &st.wallet, 3, &l)
            .unwrap(); // seq 3
        s.delete_local(5, "b", &st.wallet, 4).unwrap().unwrap(); // seq 4
        let (p1, p2) = (
            "0x00000000000000000000000000000000000000a1",
            "0x00000000000000000000000000000000000000a2",
        );
        // never refreshed: nothing happens
        assert_eq!(purge_once(&st).await.unwrap(), 0);
        let me = member(&st.wallet);
        st.peer_cache
            .replace(vec![me.clone(), member(p1), member(p2)], 1);
        // p1 acked everything, p2 has no cursor: both tombstones stay
        let cur = |n| PeerCursor {
            acked_seq: n,
            last_success_ms: 1,
        };
        s.set_peer_cursor(p1, &cur(4)).unwrap();
        assert_eq!(purge_once(&st).await.unwrap(), 0);
        // p2 passed "a" only; blacklisting p2 does not exempt it
        s.set_peer_cursor(p2, &cur(2)).unwrap();
        st.peer_cache.blacklist(p2, u64::MAX);
        assert_eq!(purge_once(&st).await.unwrap(), 1);
        assert!(s.get(5, "a").unwrap().is_none());
        assert!(s.get(5, "b").unwrap().is_some());
        // p2 leaves the cluster: only p1 counts
        st.peer_cache.replace(vec![me.clone(), member(p1)], 2);
        assert_eq!(purge_once(&st).await.unwrap(), 1);
        // alone: age alone decides
        s.put_local(5, "c", vec![1; 40], 0, &st.wallet, 5, &l)
            .unwrap();
        s.delete_local(5, "c", &st.wallet, 6).unwrap().unwrap();
        st.peer_cache.replace(vec![me], 3);
        assert_eq!(purge_once(&st).await.unwrap(), 1);
    }
}
