//! The full database verification a node defers after an unclean stop (issue 12 item 5:
//! start-up in O(changed), not O(records)).
//!
//! After a kill, crash or power loss the node opens its database with the cheap checks only
//! (`storage::redb::RedbStorage::open_deferring_check`: redb's own recovery, which finds a torn
//! last commit by its two-phase commit and checksums, then schema, `last_seq` and binding) and
//! becomes ready; [`spawn`] runs the full verification (every record's checksum, every index and
//! counter: `Storage::verify_full`; at 1M records 2.4 s on a quiet machine, ~8 s under load) on
//! the blocking pool meanwhile. Before, that verification held a restart for its whole length.
//!
//! Guarantees (tests below and `storage::redb::clean_tests`):
//! * a damaged record is never served meanwhile: every read checks the record's checksum
//!   (`storage::codec`, an `Integrity` error);
//! * a failed verification takes the node out of service for good: readiness off with reason
//!   `storage corrupt` (the node tick keeps it so, [`DeferredCheck::failure`]), the error logged;
//!   the operator restores from a backup or lets the node rejoin from its peers;
//! * until the verification passed, an orderly shutdown leaves no clean-shutdown marker, so the
//!   next start verifies fully (a check cut short by a stop is not lost).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::node::state::NodeState;
use crate::node::tick::reason;

/// Whether a deferred verification is due, running, or failed (module docs).
#[derive(Debug, Default)]
pub struct DeferredCheck {
    pending: AtomicBool,
    failure: Mutex<Option<String>>,
}

impl DeferredCheck {
    /// No verification due (a clean start, a new database, memory storage).
    pub fn none() -> Self {
        DeferredCheck::default()
    }

    /// A verification is due ([`spawn`] runs it).
    pub fn due() -> Self {
        DeferredCheck {
            pending: AtomicBool::new(true),
            failure: Mutex::new(None),
        }
    }

    /// True until the verification finished (passed or failed).
    pub fn is_pending(&self) -> bool {
        self.pending.load(Ordering::SeqCst)
    }

    /// Why the verification failed, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn finish(&self, failure: Option<String>) {
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = failure;
        self.pending.store(false, Ordering::SeqCst);
    }
}

/// Run the deferred verification of `st`'s storage in the background if one is due (module
/// docs); returns its task, or `None` when nothing is due. On failure: readiness off with
/// reason `storage corrupt` and an error log line; on success an info line with the time taken.
pub fn spawn(st: &Arc<NodeState>) -> Option<tokio::task::JoinHandle<()>> {
    if !st.deferred_check.is_pending() {
        return None;
    }
    let st = st.clone();
    Some(tokio::spawn(async move {
        let started = Instant::now();
        tracing::info!(
            "verifying the whole database in the background (the last stop was not clean)"
        );
        let storage = st.storage.clone();
        let result = tokio::task::spawn_blocking(move || storage.verify_full())
            .await
            .unwrap_or_else(|e| {
                Err(crate::Error::local(format!(
                    "verification task failed: {e}"
                )))
            });
        let ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(()) => {
                st.deferred_check.finish(None);
                tracing::info!(ms, "database verified: every record, index and counter");
            }
            Err(e) => {
                st.deferred_check.finish(Some(e.to_string()));
                tracing::error!(ms, error = %e, "database verification failed: taking the node out of service (restore it from a backup, or remove the data dir so it rejoins from its peers)");
                st.set_unready(reason::STORAGE_CORRUPT);
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use crate::chain::registry::RegistryClient;
    use crate::config::Settings;
    use crate::identity::Identity;
    use crate::storage::redb::{RedbStorage, DB_FILE_NAME};
    use crate::storage::Storage;
    use crate::store::Limits;

    const VALUE: &[u8] = b"DEFERRED-CHECK-TEST-VALUE-0123456789";

    /// A node over the redb store in `dir`, opened as `serve` opens it after an unclean stop.
    fn node_over(dir: &std::path::Path) -> Arc<NodeState> {
        let (storage, due) = RedbStorage::open_deferring_check(dir, 1 << 20).unwrap();
        assert!(due, "no clean-shutdown marker: the check is due");
        let zero = "0x0000000000000000000000000000000000000001";
        let registry =
            RegistryClient::new("http://127.0.0.1:1", zero, zero, Duration::from_secs(1)).unwrap();
        let mut st = crate::node::assemble(
            Settings::default(),
            Identity::generate().into(),
            Arc::new(storage),
            registry,
            None,
        )
        .unwrap();
        st.deferred_check = DeferredCheck::due();
        st.set_ready();
        Arc::new(st)
    }

    fn written(dir: &std::path::Path) {
        let s = RedbStorage::open(dir).unwrap();
        s.put_local(7, "k", VALUE.to_vec(), 0, "0x11", 5, &Limits::default())
            .unwrap();
        drop(s); // no orderly close: no clean-shutdown marker
    }

    #[tokio::test]
    async fn a_passing_check_keeps_the_node_ready() {
        let t = tempfile::tempdir().unwrap();
        written(t.path());
        let st = node_over(t.path());
        spawn(&st).unwrap().await.unwrap();
        assert!(!st.deferred_check.is_pending());
        assert_eq!(st.deferred_check.failure(), None);
        assert!(st.readiness().ready);
        assert!(spawn(&st).is_none(), "nothing due any more");
    }

    #[tokio::test]
    async fn a_failing_check_takes_the_node_out_of_service() {
        let t = tempfile::tempdir().unwrap();
        written(t.path());
        let db = t.path().join(DB_FILE_NAME);
        let mut bytes = std::fs::read(&db).unwrap();
        let at = bytes
            .windows(VALUE.len())
            .position(|w| w == VALUE)
            .expect("the value is in the file");
        bytes[at + 3] ^= 0x20;
        std::fs::write(&db, &bytes).unwrap();
        let st = node_over(t.path());
        assert!(st.readiness().ready, "serving while the check runs");
        spawn(&st).unwrap().await.unwrap();
        assert!(st.deferred_check.failure().is_some());
        let r = st.readiness();
        assert!(!r.ready);
        assert_eq!(r.reason, reason::STORAGE_CORRUPT);
    }
}
