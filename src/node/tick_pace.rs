//! When the node tick (protocol.md §7) runs: every `node_tick_seconds` (5 by default here; 60
//! upstream, §7.1), sooner in two cases where waiting a whole period costs a joining node its
//! start-up.
//!
//! * **A signed `/sync` request from a wallet the PeerCache does not hold** wakes the tick
//!   early ([`TickWake::request`], called by `node::auth::authorize_peer`). A node registered a
//!   moment ago asks its peers for the master secret at once, and each peer refused it until its
//!   next scheduled membership refresh: up to a whole `node_tick_seconds`. The request itself is
//!   still refused (§6.1: the PeerCache decides, the chain is not read on the request path); the
//!   refresh runs on the tick task, and at most once per [`EARLY_TICK_GAP_MS`] whatever the
//!   number of unknown wallets knocking, so they cannot drive chain reads.
//! * **A node whose master-secret request every peer refused** (readiness reason
//!   `master secret sync failed`) asks again soon ([`Pacer`]): after [`QUICK_RETRY`] for the
//!   first [`QUICK_RETRIES`] refusals in a row (the peers' early refresh above takes one chain
//!   read, so a joiner's second request usually succeeds), then every [`UNREADY_TICK`] at most.
//!   Every other state keeps the configured period (a node waiting to be registered must not
//!   read a public RPC endpoint every two seconds for hours).
//!
//! Guarantees (tests below): requests within the gap of the previous one do not wake the tick;
//! a request made while nobody waits is kept for the next wait (no wake is lost); a wait without
//! a request lasts its whole period.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// Least time between two early ticks, ms.
pub const EARLY_TICK_GAP_MS: u64 = 2_000;

/// Longest period of the tick while no peer gave us the master secret.
pub const UNREADY_TICK: Duration = Duration::from_secs(2);

/// Period of the tick for the first [`QUICK_RETRIES`] master-secret refusals in a row.
pub const QUICK_RETRY: Duration = Duration::from_millis(250);

/// Refusals in a row retried after [`QUICK_RETRY`] (2 s of quick retries).
pub const QUICK_RETRIES: u32 = 8;

/// The early-wake signal of the node tick (module docs).
#[derive(Debug, Default)]
pub struct TickWake {
    notify: Notify,
    /// When the last early tick was asked for, Unix ms (0 = never).
    last_ms: AtomicU64,
}

impl TickWake {
    /// A signal nobody asked for yet.
    pub fn new() -> Self {
        TickWake::default()
    }

    /// Ask for an early tick at `now_ms` (Unix ms). Returns true when this call woke (or will
    /// wake) the tick, false when an early tick was asked for less than [`EARLY_TICK_GAP_MS`]
    /// before.
    pub fn request(&self, now_ms: u64) -> bool {
        let last = self.last_ms.load(Ordering::Relaxed);
        if last != 0 && now_ms < last.saturating_add(EARLY_TICK_GAP_MS) {
            return false;
        }
        if self
            .last_ms
            .compare_exchange(last, now_ms.max(1), Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return false; // another caller asked at the same moment
        }
        self.notify.notify_one();
        true
    }

    /// When the last early tick was asked for (Unix ms), if ever.
    pub fn requested_at_ms(&self) -> Option<u64> {
        Some(self.last_ms.load(Ordering::Relaxed)).filter(|ms| *ms != 0)
    }

    /// Wait `period`, or less when an early tick is asked for meanwhile (or was asked for
    /// since the last wait).
    pub async fn wait(&self, period: Duration) {
        tokio::select! {
            () = tokio::time::sleep(period) => {}
            () = self.notify.notified() => {}
        }
    }
}

/// Chooses the pause after each tick (module docs); one per tick loop.
#[derive(Debug, Default)]
pub struct Pacer {
    refused_in_a_row: u32,
}

impl Pacer {
    /// The pause after a tick that left readiness `ready` with `reason` (a reason that starts
    /// with `master secret sync failed` counts as a refusal): [`QUICK_RETRY`] for the first
    /// [`QUICK_RETRIES`] refusals in a row, then at most [`UNREADY_TICK`]; `configured`
    /// (`node_tick_seconds`) otherwise. Never longer than `configured`.
    pub fn next(&mut self, configured: Duration, ready: bool, reason: &str) -> Duration {
        if ready || !reason.starts_with(super::tick::reason::SECRET_SYNC_FAILED) {
            self.refused_in_a_row = 0;
            return configured;
        }
        self.refused_in_a_row = self.refused_in_a_row.saturating_add(1);
        let wait = if self.refused_in_a_row <= QUICK_RETRIES {
            QUICK_RETRY
        } else {
            UNREADY_TICK
        };
        configured.min(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn requests_within_the_gap_do_not_wake_again() {
        let w = TickWake::new();
        assert_eq!(w.requested_at_ms(), None);
        assert!(w.request(10_000));
        assert_eq!(w.requested_at_ms(), Some(10_000));
        assert!(!w.request(10_001));
        assert!(!w.request(10_000 + EARLY_TICK_GAP_MS - 1));
        assert!(w.request(10_000 + EARLY_TICK_GAP_MS));
    }

    #[tokio::test]
    async fn a_request_ends_the_wait_and_none_is_lost() {
        let w = std::sync::Arc::new(TickWake::new());
        // Asked while nobody waits: the next wait returns at once.
        assert!(w.request(1));
        let t = Instant::now();
        w.wait(Duration::from_secs(60)).await;
        assert!(t.elapsed() < Duration::from_secs(5));
        // Asked while waiting.
        let waiter = {
            let w = w.clone();
            tokio::spawn(async move {
                let t = Instant::now();
                w.wait(Duration::from_secs(60)).await;
                t.elapsed()
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(w.request(1 + EARLY_TICK_GAP_MS));
        let waited = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("the wait did not end on the request")
            .unwrap();
        assert!(waited < Duration::from_secs(5));
        // Without a request the wait lasts its period.
        let t = Instant::now();
        w.wait(Duration::from_millis(200)).await;
        assert!(t.elapsed() >= Duration::from_millis(200));
    }

    #[test]
    fn only_refused_secret_requests_shorten_the_period() {
        use crate::node::tick::reason;
        let minute = Duration::from_secs(60);
        let refused = format!("{}: peer x refused (403)", reason::SECRET_SYNC_FAILED);
        let mut p = Pacer::default();
        for _ in 0..QUICK_RETRIES {
            assert_eq!(p.next(minute, false, &refused), QUICK_RETRY);
        }
        assert_eq!(p.next(minute, false, &refused), UNREADY_TICK);
        assert_eq!(p.next(minute, false, &refused), UNREADY_TICK);
        // Any other state resets the count and keeps the configured period.
        assert_eq!(p.next(minute, false, reason::SELF_NOT_MEMBER), minute);
        assert_eq!(p.next(minute, false, &refused), QUICK_RETRY);
        assert_eq!(p.next(minute, true, ""), minute);
        // Never longer than configured.
        let tenth = Duration::from_millis(100);
        assert_eq!(p.next(tenth, false, &refused), tenth);
    }
}
