//! Prometheus metrics of a running node, served at `GET /metrics` in the text exposition
//! format (version 0.0.4, <https://prometheus.io/docs/instrumenting/exposition_formats/>).
//!
//! Event metrics (requests, refusals, commits, node ticks) are updated where they happen;
//! state metrics (per-app records/bytes/tombstones, replication lag per peer, readiness,
//! master-secret state) are read from the node at scrape time into a [`StateSnapshot`] and
//! rendered by [`Metrics::render`], so they are never
//! stale. Every name starts with `novakms_`; times are in seconds (Prometheus convention).
//! Label values are bounded sets: routes are the router's patterns (never raw paths), refusal
//! reasons come from [`refusal_reason`], app ids and peer wallets are those the node stores or
//! has on chain. No key, value, secret or nonce ever becomes a label.

use std::fmt::Write as _;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

use std::collections::BTreeMap;

use crate::storage::AppUsage;

/// Labels of one HTTP request: the matched route pattern (`/kms/data/{*key}`, or `unmatched`),
/// the method and the status code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// Route pattern as registered in the router.
    pub route: String,
    /// HTTP method.
    pub method: String,
    /// Status code, e.g. `200`.
    pub status: String,
}

/// Labels of the request-latency histogram (status left out to bound the series count).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// Route pattern.
    pub route: String,
    /// HTTP method.
    pub method: String,
}

/// Labels of an authentication/authorization refusal.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RefusalLabels {
    /// `app` (`/kms/*`, PoP §2.3) or `peer` (`/sync`, §2.4).
    pub caller: String,
    /// One of the fixed reasons of [`refusal_reason`].
    pub reason: String,
}

/// Per-app labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AppLabels {
    /// Registry app id (decimal).
    pub app_id: String,
}

/// Per-peer labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PeerLabels {
    /// Canonical peer wallet.
    pub peer: String,
}

/// Labels of a replication exchange with one peer.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ExchangeLabels {
    /// Canonical peer wallet.
    pub peer: String,
    /// `ok` or `failed`.
    pub result: String,
}

/// Labels of a snapshot pull.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PullLabels {
    /// Why the pull ran: `initial`, `reconnected` or `anti_entropy`.
    pub reason: String,
    /// `ok` or `failed`.
    pub result: String,
}

/// Labels of the digest check before an anti-entropy pull.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CheckLabels {
    /// `agreed` (no pull), `differed` (pulled), `unavailable` (no comparison: pulled),
    /// `peer_catching_up` or `peer_busy` (no pull; another peer is tried).
    pub outcome: String,
}

fn result_label(ok: bool) -> String {
    if ok { "ok" } else { "failed" }.to_string()
}

/// Master-secret state label (`none`, `generated`, `synced`), as in `/status`
/// `master_secret.state` (protocol.md §8.1).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SecretLabels {
    /// State name.
    pub state: String,
}

/// Labels of a connection the listener closed on its own (`server`, issue 10).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConnCloseLabels {
    /// `over_capacity` (all `http_max_connections` slots taken), `over_ip_share` (the
    /// address holds `http_max_connections_per_ip`), `idle_timeout`, `header_timeout`,
    /// `body_timeout`; on a TLS listener also `tls_handshake_timeout` (the handshake did not
    /// finish within the idle + header-read limits), `tls_handshake_failed` (not TLS, or a
    /// handshake rustls refused) and `tls_plain_http` (plain HTTP on the TLS port: answered
    /// 400 and closed).
    pub reason: String,
}

/// Labels of `novakms_tls_reloads_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TlsReloadLabels {
    /// `ok` (new certificate in use) or `error` (files did not load; the old one is kept).
    pub result: String,
}

/// Labels of `novakms_odyn_requests_total` (identity = odyn, `identity::odyn`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OdynCallLabels {
    /// `address`, `public_key`, `sign`, `sign_tx`, `random`, `encrypt` or `decrypt`.
    pub call: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

fn latency_histogram() -> Histogram {
    // 0.25 ms .. ~4 s, doubling.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

/// All metric families of one node. Cheap to update from any thread; one per running node.
pub struct Metrics {
    registry: Registry,
    /// `novakms_http_requests_total{route,method,status}`.
    pub requests: Family<RequestLabels, Counter>,
    /// `novakms_http_request_duration_seconds{route,method}`.
    pub request_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    /// `novakms_auth_refusals_total{caller,reason}`.
    pub auth_refusals: Family<RefusalLabels, Counter>,
    /// `novakms_commit_duration_seconds`: one durable write transaction of the committer (a
    /// group-commit batch of app writes, or a chunk of records merged from a peer),
    /// from begin to commit returned.
    pub commit_duration: Histogram,
    /// `novakms_commit_batch_writes`: writes in one commit (app writes, or merged records).
    pub commit_batch: Histogram,
    /// `novakms_commit_failures_total`: commits that failed (nothing of them acknowledged).
    pub commit_failures: Counter,
    /// `novakms_node_tick_duration_seconds`: one node tick (protocol.md §7).
    pub tick_duration: Histogram,
    /// `novakms_replication_pushes_total{peer,result}`: delta pushes (`/sync` delta exchanges).
    pub pushes: Family<ExchangeLabels, Counter>,
    /// `novakms_snapshot_pulls_total{reason,result}`: snapshot pulls of the replicator.
    pub pulls: Family<PullLabels, Counter>,
    /// `novakms_anti_entropy_checks_total{outcome}`: digest comparisons with a peer before an
    /// anti-entropy pull (`node::replicator::pull`).
    pub anti_entropy_checks: Family<CheckLabels, Counter>,
    app_records: Family<AppLabels, Gauge>,
    app_bytes: Family<AppLabels, Gauge>,
    app_tombstones: Family<AppLabels, Gauge>,
    repl_lag: Family<PeerLabels, Gauge>,
    repl_last_success: Family<PeerLabels, FloatGauge>,
    repl_failing: Family<PeerLabels, Gauge>,
    ready: Gauge,
    secret_state: Family<SecretLabels, Gauge>,
    secret_verified: Gauge,
    peers_known: Gauge,
    nonces_held: Gauge,
    envelope_replay_entries: Gauge,
    auth_cache_instances: Gauge,
    scrape_errors: Counter,
    scrape_lock: std::sync::Mutex<()>,
    // --- HTTP listener (issue 10, `server`) ---
    /// `novakms_http_connections_open`: client connections the listener holds now.
    pub http_connections_open: Gauge,
    /// `novakms_http_connections_closed_total{reason}`: connections the listener closed on its
    /// own (refused over a cap, or timed out); see [`ConnCloseLabels`].
    pub http_connections_closed: Family<ConnCloseLabels, Counter>,
    // --- TLS listener (issue 10, `tls::server`) ---
    /// `novakms_tls_reloads_total{result}`: certificate reloads (SIGHUP), see
    /// [`TlsReloadLabels`].
    pub tls_reloads: Family<TlsReloadLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Export the Odyn client's call counters as `novakms_odyn_requests_total{call}` (only
    /// nodes on `identity = "odyn"` have them).
    pub fn register_odyn_calls(&mut self, calls: Family<OdynCallLabels, Counter>) {
        self.registry.register(
            "odyn_requests",
            "Calls to the Odyn API by call (identity = odyn)",
            calls,
        );
    }

    /// Register every family in a fresh registry.
    pub fn new() -> Metrics {
        let mut r = Registry::with_prefix("novakms");
        let requests = Family::<RequestLabels, Counter>::default();
        r.register(
            "http_requests",
            "HTTP requests by route pattern, method and status",
            requests.clone(),
        );
        let request_duration =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        r.register_with_unit(
            "http_request_duration",
            "HTTP request latency by route pattern and method, until the response head",
            Unit::Seconds,
            request_duration.clone(),
        );
        let auth_refusals = Family::<RefusalLabels, Counter>::default();
        r.register(
            "auth_refusals",
            "Requests refused by authentication or authorization, by caller kind and reason",
            auth_refusals.clone(),
        );
        let commit_duration = latency_histogram();
        r.register_with_unit(
            "commit_duration",
            "Durable write transactions of the committer: a group-commit batch of app writes, or a chunk of records merged from a peer",
            Unit::Seconds,
            commit_duration.clone(),
        );
        let commit_batch = Histogram::new(exponential_buckets(1.0, 2.0, 10));
        r.register(
            "commit_batch_writes",
            "Writes in one durable commit: app writes of a batch, or merged records of a chunk",
            commit_batch.clone(),
        );
        let commit_failures = Counter::default();
        r.register(
            "commit_failures",
            "Commits that failed (no app write of the batch acknowledged, no record of the chunk merged)",
            commit_failures.clone(),
        );
        let tick_duration = latency_histogram();
        r.register_with_unit(
            "node_tick_duration",
            "Node tick (membership, readiness, master secret; protocol.md §7)",
            Unit::Seconds,
            tick_duration.clone(),
        );
        let pushes = Family::<ExchangeLabels, Counter>::default();
        r.register(
            "replication_pushes",
            "Delta pushes to a peer by result (a failed push is retried with backoff)",
            pushes.clone(),
        );
        let pulls = Family::<PullLabels, Counter>::default();
        r.register(
            "snapshot_pulls",
            "Snapshot pulls by reason (initial, reconnected, anti_entropy) and result",
            pulls.clone(),
        );
        let anti_entropy_checks = Family::<CheckLabels, Counter>::default();
        r.register(
            "anti_entropy_checks",
            "Digest comparisons with a peer before an anti-entropy pull, by outcome (agreed, peer_catching_up, peer_busy: no pull; differed, unavailable: pulled)",
            anti_entropy_checks.clone(),
        );
        let app_records = Family::<AppLabels, Gauge>::default();
        r.register(
            "app_records",
            "Stored non-tombstone records per app (expired but unpurged included)",
            app_records.clone(),
        );
        let app_bytes = Family::<AppLabels, Gauge>::default();
        r.register_with_unit(
            "app_stored",
            "Accounted bytes per app (key + ciphertext; the quota measure)",
            Unit::Bytes,
            app_bytes.clone(),
        );
        let app_tombstones = Family::<AppLabels, Gauge>::default();
        r.register(
            "app_tombstones",
            "Stored tombstones per app",
            app_tombstones.clone(),
        );
        let repl_lag = Family::<PeerLabels, Gauge>::default();
        r.register(
            "replication_lag_records",
            "Local changes not yet acknowledged by the peer",
            repl_lag.clone(),
        );
        let repl_last_success = Family::<PeerLabels, FloatGauge>::default();
        r.register_with_unit(
            "replication_last_success_timestamp",
            "Unix time of the last successful replication exchange with the peer (0 = never)",
            Unit::Seconds,
            repl_last_success.clone(),
        );
        let repl_failing = Family::<PeerLabels, Gauge>::default();
        r.register(
            "replication_failing",
            "1 if the last replication attempt to the peer failed",
            repl_failing.clone(),
        );
        let ready = Gauge::default();
        r.register(
            "ready",
            "1 when the node serves /kms/* (readiness, protocol.md §7)",
            ready.clone(),
        );
        let secret_state = Family::<SecretLabels, Gauge>::default();
        r.register(
            "master_secret_state",
            "1 for the current master-secret state (none, generated, synced)",
            secret_state.clone(),
        );
        let secret_verified = Gauge::default();
        r.register(
            "master_secret_verified",
            "1 once the loaded master secret matched the on-chain masterSecretHash",
            secret_verified.clone(),
        );
        let peers_known = Gauge::default();
        r.register(
            "peers",
            "KMS members in the peer cache, this node included",
            peers_known.clone(),
        );
        let nonces_held = Gauge::default();
        r.register(
            "nonces_held",
            "Used PoP nonces still inside their window (the used-set; bounded by max_nonces)",
            nonces_held.clone(),
        );
        let envelope_replay_entries = Gauge::default();
        r.register(
            "envelope_replay_entries",
            "Envelope nonces remembered against replay and reflection (bounded by envelope_replay_capacity)",
            envelope_replay_entries.clone(),
        );
        let auth_cache_instances = Gauge::default();
        r.register(
            "app_auth_cache_instances",
            "Wallets held by the app-auth cache (bounded by registry_cache_capacity)",
            auth_cache_instances.clone(),
        );
        let scrape_errors = Counter::default();
        r.register(
            "metrics_scrape_errors",
            "Scrapes that could not read storage statistics",
            scrape_errors.clone(),
        );
        let http_connections_open = Gauge::default();
        r.register(
            "http_connections_open",
            "Client connections the HTTP listener holds (bounded by http_max_connections)",
            http_connections_open.clone(),
        );
        let http_connections_closed = Family::<ConnCloseLabels, Counter>::default();
        r.register(
            "http_connections_closed",
            "Connections the listener closed on its own: over a cap, or past a read timeout",
            http_connections_closed.clone(),
        );
        let tls_reloads = Family::<TlsReloadLabels, Counter>::default();
        r.register(
            "tls_reloads",
            "TLS certificate reloads (SIGHUP) by result: ok, or error (old certificate kept)",
            tls_reloads.clone(),
        );
        Metrics {
            registry: r,
            requests,
            request_duration,
            auth_refusals,
            commit_duration,
            commit_batch,
            commit_failures,
            tick_duration,
            pushes,
            pulls,
            anti_entropy_checks,
            app_records,
            app_bytes,
            app_tombstones,
            repl_lag,
            repl_last_success,
            repl_failing,
            ready,
            secret_state,
            secret_verified,
            peers_known,
            nonces_held,
            envelope_replay_entries,
            auth_cache_instances,
            scrape_errors,
            scrape_lock: std::sync::Mutex::new(()),
            http_connections_open,
            http_connections_closed,
            tls_reloads,
        }
    }

    /// The registry holding every family (for encoding).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Count one connection the listener closed on its own, by reason (see
    /// [`ConnCloseLabels`]).
    pub fn observe_conn_closed(&self, reason: &str) {
        self.http_connections_closed
            .get_or_create(&ConnCloseLabels {
                reason: reason.to_string(),
            })
            .inc();
    }

    /// Count one TLS certificate reload with its result (`ok` or `error`).
    pub fn observe_tls_reload(&self, result: &str) {
        self.tls_reloads
            .get_or_create(&TlsReloadLabels {
                result: result.to_string(),
            })
            .inc();
    }

    /// Count one HTTP request that took `elapsed` and answered `status`.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                status: status.to_string(),
            })
            .inc();
        self.request_duration
            .get_or_create(&RouteLabels {
                route: route.to_string(),
                method: method.to_string(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Count one refusal of `caller` (`app` or `peer`) with the error message `message`
    /// (classified by [`refusal_reason`]).
    pub fn observe_refusal(&self, caller: &str, message: &str) {
        self.auth_refusals
            .get_or_create(&RefusalLabels {
                caller: caller.to_string(),
                reason: refusal_reason(message).to_string(),
            })
            .inc();
    }

    /// Count one delta push to `peer` (canonical wallet) that succeeded or failed.
    pub fn observe_push(&self, peer: &str, ok: bool) {
        self.pushes
            .get_or_create(&ExchangeLabels {
                peer: peer.to_string(),
                result: result_label(ok),
            })
            .inc();
    }

    /// Count one snapshot pull for `reason` (`initial`, `reconnected`, `anti_entropy`).
    pub fn observe_pull(&self, reason: &str, ok: bool) {
        self.pulls
            .get_or_create(&PullLabels {
                reason: reason.to_string(),
                result: result_label(ok),
            })
            .inc();
    }

    /// Count one digest check before an anti-entropy pull (`agreed`, `differed`,
    /// `unavailable`, `peer_catching_up`, `peer_busy`:
    /// [`crate::node::replicator::DigestCheck::label`]).
    pub fn observe_anti_entropy_check(&self, outcome: &str) {
        self.anti_entropy_checks
            .get_or_create(&CheckLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// Record one group-commit batch of `writes` app writes that took `elapsed`.
    pub fn observe_commit(&self, writes: usize, elapsed: Duration, ok: bool) {
        self.commit_duration.observe(elapsed.as_secs_f64());
        self.commit_batch.observe(writes as f64);
        if !ok {
            self.commit_failures.inc();
        }
    }
}

/// The fixed refusal reasons (label values of `novakms_auth_refusals_total`), from the
/// messages of the PoP (protocol.md §2.3/§2.4), registry (§2.7), envelope (§3) and `/sync`
/// (§6) checks. Unknown messages map to `other`, so the label set stays bounded.
pub fn refusal_reason(message: &str) -> &'static str {
    const TABLE: &[(&str, &str)] = &[
        ("Missing", "missing_headers"),
        ("Stale timestamp", "stale_timestamp"),
        ("timestamp", "bad_timestamp"),
        ("nonce", "bad_nonce"),
        ("HMAC", "bad_hmac"),
        ("does not match signature", "wallet_mismatch"),
        ("does not match PoP signature", "wallet_mismatch"),
        ("Invalid wallet address", "bad_wallet"),
        ("sender_tee_pubkey", "tee_pubkey_mismatch"),
        ("teePubkey", "tee_pubkey_mismatch"),
        ("signature", "bad_signature"),
        ("Signature", "bad_signature"),
        ("not found", "not_registered"),
        ("not active", "inactive"),
        ("not ACTIVE", "inactive"),
        ("zkVerified", "not_zk_verified"),
        ("Version revoked", "version_revoked"),
        ("Version not enrolled", "version_not_enrolled"),
        ("App id 0", "app_id_zero"),
        ("app_id mismatch", "app_id_mismatch"),
    ];
    TABLE
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map_or("other", |(_, reason)| reason)
}

/// Master-secret state as exported by `novakms_master_secret_state{state}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretGauge {
    /// No secret loaded.
    None,
    /// Generated locally (bootstrap) or reloaded from the sealed copy.
    Generated,
    /// Obtained from a peer.
    Synced,
}

impl SecretGauge {
    fn label(self) -> &'static str {
        match self {
            SecretGauge::None => "none",
            SecretGauge::Generated => "generated",
            SecretGauge::Synced => "synced",
        }
    }
}

/// Outbound replication state of one peer as exported per `peer` label.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerGauge {
    /// Local changes the peer has not acknowledged (records).
    pub lag_records: u64,
    /// Unix ms of the last successful exchange (`None`: never).
    pub last_success_ms: Option<u64>,
    /// The last attempt failed.
    pub failing: bool,
}

/// The node state that the state metrics show, read by the node at scrape time
/// (`NodeState::metrics_snapshot`), so this module depends on no node type.
#[derive(Clone, Debug)]
pub struct StateSnapshot {
    /// Per-app usage counters, or the error that kept them from being read (the per-app
    /// families are then left out and `novakms_metrics_scrape_errors_total` counts it).
    /// Empty unless `per_app_metrics` is on (issue 10: they leak write sizes).
    pub usage: crate::Result<BTreeMap<u64, AppUsage>>,
    /// Per peer wallet: outbound replication.
    pub peers: BTreeMap<String, PeerGauge>,
    /// `/kms/*` served.
    pub ready: bool,
    /// Master-secret origin.
    pub secret: SecretGauge,
    /// The loaded secret was seen equal to the on-chain hash.
    pub secret_verified: bool,
    /// KMS members in the PeerCache, self included.
    pub peers_known: usize,
    /// Used PoP nonces inside their window (bounded by `max_nonces`).
    pub nonces_held: usize,
    /// Entries of the envelope replay record (bounded by `envelope_replay_capacity`).
    pub envelope_replay_entries: usize,
    /// Wallets in the app-auth cache (bounded by `registry_cache_capacity`).
    pub auth_cache_instances: usize,
}

fn gauge(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Metrics {
    /// Refresh the state metrics from `snap` and encode every family in the Prometheus text
    /// format (ends with `# EOF`).
    pub fn render(&self, snap: &StateSnapshot) -> String {
        let m = self;
        let _guard = m.scrape_lock.lock().unwrap_or_else(|p| p.into_inner());
        m.app_records.clear();
        m.app_bytes.clear();
        m.app_tombstones.clear();
        match &snap.usage {
            Ok(all) => {
                for (app, u) in all {
                    let l = AppLabels {
                        app_id: app.to_string(),
                    };
                    m.app_records.get_or_create(&l).set(gauge(u.live_keys));
                    m.app_bytes.get_or_create(&l).set(gauge(u.bytes));
                    m.app_tombstones.get_or_create(&l).set(gauge(u.tombstones));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "metrics: cannot read storage usage");
                m.scrape_errors.inc();
            }
        }
        m.repl_lag.clear();
        m.repl_last_success.clear();
        m.repl_failing.clear();
        for (peer, r) in &snap.peers {
            let l = PeerLabels { peer: peer.clone() };
            m.repl_lag.get_or_create(&l).set(gauge(r.lag_records));
            m.repl_last_success
                .get_or_create(&l)
                .set(r.last_success_ms.unwrap_or(0) as f64 / 1000.0);
            m.repl_failing.get_or_create(&l).set(i64::from(r.failing));
        }
        m.ready.set(i64::from(snap.ready));
        for s in [
            SecretGauge::None,
            SecretGauge::Generated,
            SecretGauge::Synced,
        ] {
            m.secret_state
                .get_or_create(&SecretLabels {
                    state: s.label().to_string(),
                })
                .set(i64::from(s == snap.secret));
        }
        m.secret_verified.set(i64::from(snap.secret_verified));
        m.peers_known.set(gauge(snap.peers_known as u64));
        m.nonces_held.set(gauge(snap.nonces_held as u64));
        m.envelope_replay_entries
            .set(gauge(snap.envelope_replay_entries as u64));
        m.auth_cache_instances
            .set(gauge(snap.auth_cache_instances as u64));
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &m.registry).is_err() {
            // Writing to a String cannot fail; keep the scrape well-formed anyway.
            out.clear();
            let _ = writeln!(out, "# EOF");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_reasons_are_classified() {
        assert_eq!(
            refusal_reason("Missing PoP authentication headers"),
            "missing_headers"
        );
        assert_eq!(refusal_reason("Stale timestamp"), "stale_timestamp");
        assert_eq!(refusal_reason("Invalid x-app-timestamp"), "bad_timestamp");
        assert_eq!(refusal_reason("Invalid or expired nonce"), "bad_nonce");
        assert_eq!(
            refusal_reason("App wallet header does not match signature"),
            "wallet_mismatch"
        );
        assert_eq!(
            refusal_reason("sender_tee_pubkey does not match on-chain registration"),
            "tee_pubkey_mismatch"
        );
        assert_eq!(refusal_reason("Instance not active"), "inactive");
        assert_eq!(refusal_reason("Peer 0xab is not ACTIVE"), "inactive");
        assert_eq!(refusal_reason("Version revoked"), "version_revoked");
        assert_eq!(refusal_reason("Invalid HMAC signature"), "bad_hmac");
        assert_eq!(refusal_reason("Missing x-kms-nonce"), "missing_headers");
        assert_eq!(refusal_reason("something new"), "other");
    }

    #[test]
    fn events_appear_in_the_exposition() {
        let m = Metrics::new();
        m.observe_request("/kms/data", "PUT", 200, Duration::from_millis(3));
        m.observe_refusal("app", "Stale timestamp");
        m.observe_commit(7, Duration::from_millis(2), true);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &m.registry).unwrap();
        assert!(out.contains(
            "novakms_http_requests_total{route=\"/kms/data\",method=\"PUT\",status=\"200\"} 1"
        ));
        assert!(out
            .contains("novakms_auth_refusals_total{caller=\"app\",reason=\"stale_timestamp\"} 1"));
        assert!(out.contains("novakms_commit_batch_writes_sum 7.0"));
        assert!(out.contains(
            "novakms_http_request_duration_seconds_count{route=\"/kms/data\",method=\"PUT\"} 1"
        ));
        assert!(out.ends_with("# EOF\n"));
    }
}
