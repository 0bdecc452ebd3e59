//! Honest catch-up after start (issue 12 item 2): a node does not report ready until it has
//! pulled, from each live peer, that peer's change log up to its end (what the peer held when
//! the pull finished, which includes what it held when this node started), bounded by
//! `catch_up_timeout_seconds`.
//!
//! States and what readiness says:
//!
//! | state | readiness (`/readyz`, `/status` `node.unavailable_reason`) |
//! |---|---|
//! | `off` (gate not armed: `catch_up_timeout_seconds = 0`, in-process tests) | as the node tick decides |
//! | `catching_up` | not ready, reason `catching up`, whenever the tick would say ready |
//! | `done` | as the tick decides |
//! | `timed_out` (the bound passed first) | as the tick decides; `/status` `catch_up.state` says the catch-up did not finish (it goes on in the background and becomes `done_late`) |
//!
//! The pulls themselves are `replicator::paged` (from each peer's pull cursor, so a restarted
//! node fetches only what changed); they run while not ready because the master secret is
//! loaded and verified (`replicator::catch_up_key`). Every peer of the PeerCache is pulled; a
//! peer that has not answered within `replicator::CATCH_UP_GRACE` (10 s) is not live and not
//! waited for; with no live peer at all the node serves its own data after that grace.
//! The first member of a cluster (no peers) has nothing to catch up with.

use std::sync::RwLock;

use serde_json::{json, Value};

use crate::node::state::NodeState;

/// Readiness reason while the catch-up runs.
pub const CATCHING_UP: &str = "catching up";

/// Where the catch-up stands (module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatchUpState {
    /// Not armed: readiness is the tick's alone.
    Off,
    /// Running since `started_ms` (Unix ms); the node is held not ready.
    CatchingUp {
        /// When the gate was armed.
        started_ms: u64,
    },
    /// Finished: every live peer's log pulled to its end.
    Done {
        /// When the gate was armed.
        started_ms: u64,
        /// When it finished.
        finished_ms: u64,
        /// Peers pulled from.
        peers: usize,
        /// Records received (merged + skipped + rejected).
        records: u64,
        /// True when it finished after the bound had already released the node.
        late: bool,
    },
    /// The bound passed before it finished: the node serves; the pulls go on.
    TimedOut {
        /// When the gate was armed.
        started_ms: u64,
        /// When the bound released the node.
        released_ms: u64,
    },
}

/// The node's catch-up gate, shared by the node tick (through `NodeState::set_ready`), the pull
/// scheduler and `/status`.
#[derive(Debug)]
pub struct CatchUpGate {
    state: RwLock<CatchUpState>,
    bound_ms: u64,
}

impl CatchUpGate {
    /// A gate that holds nothing ([`CatchUpState::Off`]).
    pub fn off() -> Self {
        CatchUpGate {
            state: RwLock::new(CatchUpState::Off),
            bound_ms: 0,
        }
    }

    /// A gate armed at `now_ms` that releases the node at the latest `bound_s` seconds later;
    /// `bound_s = 0` gives [`CatchUpGate::off`].
    pub fn armed(now_ms: u64, bound_s: u64) -> Self {
        if bound_s == 0 {
            return Self::off();
        }
        CatchUpGate {
            state: RwLock::new(CatchUpState::CatchingUp { started_ms: now_ms }),
            bound_ms: bound_s.saturating_mul(1000),
        }
    }

    /// Current state.
    pub fn state(&self) -> CatchUpState {
        self.state.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// True while the node must not report ready. Past the bound at `now_ms` the gate moves to
    /// [`CatchUpState::TimedOut`] (logged once) and stops holding.
    pub fn holding(&self, now_ms: u64) -> bool {
        let mut g = self.state.write().unwrap_or_else(|p| p.into_inner());
        match *g {
            CatchUpState::CatchingUp { started_ms } => {
                if now_ms.saturating_sub(started_ms) < self.bound_ms {
                    return true;
                }
                tracing::warn!(
                    bound_s = self.bound_ms / 1000,
                    "catch-up with peers did not finish within catch_up_timeout_seconds; serving \
                     anyway (it goes on in the background)"
                );
                *g = CatchUpState::TimedOut {
                    started_ms,
                    released_ms: now_ms,
                };
                false
            }
            _ => false,
        }
    }

    /// True while a catch-up is due (holding, or released by the bound but not finished).
    pub fn unfinished(&self) -> bool {
        matches!(
            self.state(),
            CatchUpState::CatchingUp { .. } | CatchUpState::TimedOut { .. }
        )
    }

    /// Record the end of the catch-up at `now_ms` (no-op when not [`unfinished`]).
    ///
    /// [`unfinished`]: CatchUpGate::unfinished
    pub fn finish(&self, now_ms: u64, peers: usize, records: u64) {
        let mut g = self.state.write().unwrap_or_else(|p| p.into_inner());
        let (started_ms, late) = match *g {
            CatchUpState::CatchingUp { started_ms } => (started_ms, false),
            CatchUpState::TimedOut { started_ms, .. } => (started_ms, true),
            _ => return,
        };
        *g = CatchUpState::Done {
            started_ms,
            finished_ms: now_ms,
            peers,
            records,
            late,
        };
    }

    /// `/status` `catch_up`: `{"state": "off" | "catching_up" | "done" | "done_late" |
    /// "timed_out", "started_at_ms", "finished_at_ms", "peers", "records"}` (absent: null).
    pub fn status_json(&self) -> Value {
        match self.state() {
            CatchUpState::Off => json!({"state": "off", "started_at_ms": null,
                "finished_at_ms": null, "peers": null, "records": null}),
            CatchUpState::CatchingUp { started_ms } => json!({"state": "catching_up",
                "started_at_ms": started_ms, "finished_at_ms": null, "peers": null,
                "records": null}),
            CatchUpState::TimedOut { started_ms, .. } => json!({"state": "timed_out",
                "started_at_ms": started_ms, "finished_at_ms": null, "peers": null,
                "records": null}),
            CatchUpState::Done {
                started_ms,
                finished_ms,
                peers,
                records,
                late,
            } => json!({"state": if late { "done_late" } else { "done" },
                "started_at_ms": started_ms, "finished_at_ms": finished_ms, "peers": peers,
                "records": records}),
        }
    }
}

/// Mark the catch-up finished and, if readiness was held only by it, report ready now (the
/// tick would otherwise do it only at its next run).
pub fn finish(st: &NodeState, peers: usize, records: u64) {
    st.catch_up.finish(st.clock.now_ms(), peers, records);
    if st.readiness().reason == CATCHING_UP {
        st.set_ready();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_until_finished_or_bound() {
        let g = CatchUpGate::armed(1_000, 10);
        assert!(g.holding(1_000));
        assert!(g.holding(10_999));
        assert!(g.unfinished());
        g.finish(5_000, 2, 300);
        assert!(!g.holding(5_001));
        assert!(!g.unfinished());
        assert_eq!(g.status_json()["state"], "done");
        assert_eq!(g.status_json()["records"], 300);
    }

    #[test]
    fn the_bound_releases_and_status_says_so() {
        let g = CatchUpGate::armed(1_000, 10);
        assert!(!g.holding(11_000), "released at the bound");
        assert_eq!(g.status_json()["state"], "timed_out");
        assert!(g.unfinished(), "the pulls go on");
        g.finish(20_000, 1, 5);
        assert_eq!(g.status_json()["state"], "done_late");
    }

    #[test]
    fn off_never_holds() {
        for g in [CatchUpGate::off(), CatchUpGate::armed(0, 0)] {
            assert!(!g.holding(0));
            assert!(!g.unfinished());
            g.finish(1, 1, 1);
            assert_eq!(g.status_json()["state"], "off");
        }
    }
}
