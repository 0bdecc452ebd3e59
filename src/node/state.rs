//! Shared state of a running node: configuration, identity, storage, chain
//! clients, nonces, readiness and the master secret.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use crate::chain::auth::AppAuthCache;
use crate::chain::registry::RegistryClient;
use crate::client::peer::PeerClient;
use crate::clock::Clock;
use crate::config::Settings;
use crate::crypto::master::MasterSecret;
use crate::identity::IdentityHandle;
use crate::node::nonce::{NonceStore, RateLimiter};
use crate::node::peers::PeerCache;
use crate::storage::Storage;
use crate::store::limits::Limits;

/// Where the loaded master secret came from (protocol.md §8.1 `master_secret.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretOrigin {
    /// Generated locally (bootstrap) or reloaded from our sealed copy.
    Generated,
    /// Obtained from a peer by sealed exchange (§6.8).
    Synced,
}

/// The loaded master secret and what we know about it.
pub struct LoadedSecret {
    /// The secret itself (zeroized on drop).
    pub secret: MasterSecret,
    /// How we got it.
    pub origin: SecretOrigin,
    /// Peer URL it was synced from, if any.
    pub synced_from: Option<String>,
    /// True once its keccak256 was seen equal to the on-chain `masterSecretHash`.
    pub verified: bool,
    /// True only for a secret this process generated and submitted with `setMasterSecretHash`
    /// whose hash the chain does not show yet: the one case in which a zero on-chain hash
    /// does not mean "rotate" (see `node::tick` "Rotation").
    pub awaiting_chain: bool,
}

/// Readiness as decided by the node tick (protocol.md §7).
#[derive(Debug, Clone)]
pub struct Readiness {
    /// `service_available`: `/kms/*` are served.
    pub ready: bool,
    /// Why not ready (empty when ready). Exposed in `/status` as
    /// `node.unavailable_reason` and in 503 bodies.
    pub reason: String,
    /// This node is an ACTIVE member of the KMS app on chain.
    pub is_operator: bool,
    /// Our public URL (configured or back-filled from the registry).
    pub node_url: String,
}

/// Everything the HTTP handlers and background tasks share.
pub struct NodeState {
    /// Effective configuration.
    pub settings: Settings,
    /// Node identity (wallet + teePubkey; signs, seals and opens envelopes; keystore or
    /// Odyn backend).
    pub identity: IdentityHandle,
    /// Canonical node wallet (`0x` + 40 lowercase hex); vector-clock id (§6.10).
    pub wallet: String,
    /// Hex DER SPKI of our P-384 key (§3.4), lowercase.
    pub tee_pubkey_hex: String,
    /// Record storage.
    pub storage: Arc<dyn Storage>,
    /// Chain reads and the hash transaction.
    pub registry: RegistryClient,
    /// App-auth cache (§2.7).
    pub auth: AppAuthCache,
    /// Time source.
    pub clock: Clock,
    /// PoP nonces.
    pub nonces: NonceStore,
    /// `/nonce` rate limiter.
    pub nonce_limiter: RateLimiter,
    /// Parsed `trusted_proxies` (`node::client_addr`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Envelope replay record (`crypto::replay`), shared with `peer_client`.
    pub replay: Arc<crate::crypto::replay::ReplayRecord>,
    /// Namespace limits.
    pub limits: Limits,
    /// Readiness state.
    pub readiness: RwLock<Readiness>,
    /// Master secret, if loaded.
    pub master: RwLock<Option<LoadedSecret>>,
    /// KMS members as last read from the chain (PeerCache, §6.1), self included.
    pub peer_cache: PeerCache,
    /// Outbound `/sync` client (KMS-peer PoP, envelopes, HMAC).
    pub peer_client: PeerClient,
    /// Replication progress per peer and the wake-up for pushes.
    pub replication: ReplicationState,
    /// Rejoin after a restore: whether offering to peers is held (`node::rejoin`).
    pub rejoin: crate::node::rejoin::RejoinGate,
    /// Catch-up with peers after start: holds readiness off until done (`node::catch_up`).
    pub catch_up: crate::node::catch_up::CatchUpGate,
    /// Wakes the node tick early when an unknown peer knocks (`node::tick_pace`).
    pub tick_wake: crate::node::tick_pace::TickWake,
    /// The full database verification deferred after an unclean stop (`node::deferred_check`).
    pub deferred_check: crate::node::deferred_check::DeferredCheck,
    /// Set at SIGTERM/SIGINT: readiness off, drain.
    pub shutting_down: AtomicBool,
    /// Prometheus metrics (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Group commit of app writes (`PUT`/`DELETE /kms/data`).
    pub committer: crate::node::commit::Committer,
    /// One store digest at a time (`node::cluster_check::local`, 1 permit): each scans the
    /// whole store and holds 32 bytes per included record of the app being hashed (format v1
    /// hashes an app's record count before its leaves), so peers' anti-entropy, catch-up
    /// gates and `cluster check` asking at once would otherwise multiply both (issue 12). The
    /// permit moves into the scan, so a caller that goes away does not free it early.
    pub digest_gate: Arc<tokio::sync::Semaphore>,
}

impl NodeState {
    /// Current readiness snapshot.
    pub fn readiness(&self) -> Readiness {
        self.readiness
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Set not-ready with `reason` (logged when it changes).
    pub fn set_unready(&self, reason: &str) {
        let mut r = self.readiness.write().unwrap_or_else(|p| p.into_inner());
        if r.ready || r.reason != reason {
            tracing::warn!(reason, "node not ready");
            crate::node::notify::notify(&format!("STATUS=not ready: {reason}"));
        }
        r.ready = false;
        r.reason = reason.to_string();
    }

    /// Set ready (logged when it changes), unless the catch-up gate holds: then not ready with
    /// reason `catching up` (`node::catch_up`).
    pub fn set_ready(&self) {
        if self.catch_up.holding(self.clock.now_ms()) {
            self.set_unready(crate::node::catch_up::CATCHING_UP);
            return;
        }
        let mut r = self.readiness.write().unwrap_or_else(|p| p.into_inner());
        if !r.ready {
            tracing::info!("node ready");
            crate::node::notify::notify("STATUS=ready");
        }
        r.ready = !self.is_shutting_down();
        r.reason.clear();
    }

    /// True once shutdown began.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// Begin shutdown: readiness off.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
        crate::node::notify::notify("STOPPING=1");
        self.set_unready("shutting down");
    }

    /// Run `f` with the master secret if one is loaded.
    pub fn with_secret<T>(&self, f: impl FnOnce(&MasterSecret) -> T) -> Option<T> {
        let g = self.master.read().unwrap_or_else(|p| p.into_inner());
        g.as_ref().map(|l| f(&l.secret))
    }

    /// The state the metrics show (`/metrics`), read now: per-app usage counters from
    /// storage (blocking: call from the blocking pool), replication, readiness, secret.
    pub fn metrics_snapshot(&self) -> crate::metrics::StateSnapshot {
        use crate::metrics::{PeerGauge, SecretGauge};
        let peers = self
            .replication
            .snapshot()
            .into_iter()
            .map(|(w, r)| {
                let g = PeerGauge {
                    lag_records: r.lag_records,
                    last_success_ms: r.last_success_ms,
                    failing: r.last_error.is_some(),
                };
                (w, g)
            })
            .collect();
        let (secret, secret_verified) = {
            let g = self.master.read().unwrap_or_else(|p| p.into_inner());
            match g.as_ref() {
                None => (SecretGauge::None, false),
                Some(l) => (
                    match l.origin {
                        SecretOrigin::Generated => SecretGauge::Generated,
                        SecretOrigin::Synced => SecretGauge::Synced,
                    },
                    l.verified,
                ),
            }
        };
        crate::metrics::StateSnapshot {
            // Per-app counts and bytes reveal each write's plaintext length to anyone who can
            // scrape: only with `per_app_metrics` (issue 10).
            usage: if self.settings.per_app_metrics {
                self.storage.usage_all()
            } else {
                Ok(Default::default())
            },
            peers,
            ready: self.readiness().ready,
            secret,
            secret_verified,
            peers_known: self.peer_cache.all().len(),
            nonces_held: self.nonces.held(self.clock.now_secs()),
            envelope_replay_entries: self.replay.len(),
            auth_cache_instances: self.auth.cached_entries().0,
        }
    }

    /// Per-app data key (§4.2), if the master secret is loaded.
    pub fn data_key(&self, app_id: u64) -> Option<[u8; 32]> {
        self.with_secret(|s| s.data_key(app_id))
    }
}

/// Replication bookkeeping shared by the replicator, `/nodes` and `/status`.
#[derive(Default)]
pub struct ReplicationState {
    /// Notified after every local write so the replicator pushes promptly.
    pub wake: tokio::sync::Notify,
    /// Per peer wallet: progress of outbound replication.
    pub peers: RwLock<std::collections::HashMap<String, PeerReplication>>,
    /// What each peer answered to `snapshot_page`, by wallet, until restart
    /// ([`ReplicationState::peer_kind`]).
    peer_kinds: RwLock<std::collections::HashMap<String, PeerKind>>,
}

/// Which sync protocol a peer speaks, learnt from its answer to `snapshot_page`
/// (`replicator::paged`, "Upstream peers"; `replicator`, "Relay").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerKind {
    /// Answered a page: a novakms node, which pulls pages and runs anti-entropy.
    Paged,
    /// Answered `Unknown sync type` (an upstream node, protocol.md §6.7): pulled with the
    /// single-response `snapshot_request`, and relayed to.
    SingleSnapshot,
}

impl ReplicationState {
    /// What `wallet` answered to `snapshot_page` since start; `None` before it answered at all.
    pub fn peer_kind(&self, wallet: &str) -> Option<PeerKind> {
        self.peer_kinds
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(wallet)
            .copied()
    }

    /// Remember `wallet`'s latest answer to `snapshot_page` (a node replaced by another
    /// implementation under the same wallet is re-learnt at its next answer).
    /// Called for every page fetched: the write lock is taken only when the answer is new.
    pub fn note_peer_kind(&self, wallet: &str, kind: PeerKind) {
        if self.peer_kind(wallet) != Some(kind) {
            self.peer_kinds
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .insert(wallet.to_string(), kind);
        }
    }

    /// A copy of every peer's outbound replication progress, by peer wallet.
    pub fn snapshot(&self) -> std::collections::HashMap<String, PeerReplication> {
        self.peers.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Outbound replication progress to one peer.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PeerReplication {
    /// Highest local change-log sequence the peer acknowledged.
    pub acked_seq: u64,
    /// Local changes not yet acknowledged (records).
    pub lag_records: u64,
    /// Unix ms of the last successful exchange.
    pub last_success_ms: Option<u64>,
    /// Last error, if the last attempt failed.
    pub last_error: Option<String>,
}
