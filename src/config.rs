//! Layered configuration (design.md §6): defaults < TOML file (`--config`) <
//! `NOVAKMS_*` environment variables < command-line flags.
//!
//! Every key of [`Settings`] can be set in the TOML file (lower snake case, flat
//! table) or through the environment as `NOVAKMS_` + the key in upper case, e.g.
//! `kms_app_id` ↔ `NOVAKMS_KMS_APP_ID`. Flags given on the command line win over
//! both. Unknown keys in the file are an error (typos should not be silent).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::store::limits::{Limits, QuotaPolicy};

/// Which storage backend a node uses (design.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    /// Durable redb file `novakms.redb` in the data dir.
    Redb,
    /// In-memory only: nothing survives a restart (warned loudly at start).
    Memory,
}

/// Where the master secret lives between restarts (design.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MasterSecretStorage {
    /// Sealed under a key derived from the node identity, in the database.
    Sealed,
    /// Memory only; re-synced from peers at start (as inside a TEE).
    None,
}

/// Which backend holds the node's (or app's) identity: wallet, teePubkey, envelope crypto
/// (issue 11 item 2, `identity` module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum IdentityKind {
    /// An encrypted V3 keystore file (`keystore`, `password_file`); crypto done locally.
    Keystore,
    /// The enclave's Odyn runtime at `odyn_url` (protocol.md §3.2): keys never leave it.
    Odyn,
}

/// Default `odyn_url`: the Odyn API port inside a Nova enclave.
pub const DEFAULT_ODYN_URL: &str = "http://127.0.0.1:18000";

/// All configuration keys with their defaults. Units are in the key names.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Chain JSON-RPC URL. Default `http://127.0.0.1:8545`.
    pub rpc_url: String,
    /// NovaAppRegistry contract address (protocol.md §9.1).
    pub nova_app_registry: String,
    /// KMSRegistry contract address (protocol.md §9.2).
    pub kms_registry: String,
    /// App id of the KMS cluster in NovaAppRegistry. Default 49 (upstream).
    pub kms_app_id: u64,
    /// Timeout of every chain RPC call, seconds. Default 10 (upstream).
    pub rpc_timeout_seconds: u64,
    /// Identity backend: `keystore` (default) or `odyn` (issue 11 item 2).
    pub identity: IdentityKind,
    /// Base URL of the Odyn API used when `identity = "odyn"`. Default
    /// `http://127.0.0.1:18000`.
    pub odyn_url: String,
    /// Path of the V3 keystore holding this node's (or app's) identity.
    pub keystore: Option<PathBuf>,
    /// File holding the keystore password (first line).
    pub password_file: Option<PathBuf>,

    /// Node address used by client commands (`store`, `derive`, `health`).
    pub addr: String,
    /// Wallet of the target node for client commands; looked up on chain by
    /// `addr` when unset.
    pub node_wallet: Option<String>,
    /// HTTP timeout of client commands, seconds. Default 30.
    pub client_timeout_seconds: u64,

    /// Listen address of `serve`. Default `127.0.0.1:8000`.
    pub bind_addr: String,
    /// This node's public URL; back-filled from its registry `instanceUrl`.
    pub node_url: Option<String>,
    /// Data directory (mode 0700) holding `novakms.redb`.
    pub data_dir: PathBuf,
    /// Storage backend: `redb` (default) or `memory`.
    pub storage: StorageKind,
    /// redb's page cache, bytes: memory the database may keep of its file, whatever the store
    /// size (pages not cached are read through the kernel's page cache). redb's own default,
    /// 1 GiB, made a node's RSS grow with its store (issue 12). Default 33554432 (32 MiB);
    /// values below 1 MiB are raised to 1 MiB.
    pub storage_cache_bytes: usize,
    /// `sealed` (default) or `none` (memory only).
    pub master_secret_storage: MasterSecretStorage,
    /// Node tick period, seconds (readiness loop, protocol.md §7). Default 5
    /// (seeds say 5 / 60; 5 makes a fresh cluster ready quickly).
    pub node_tick_seconds: u64,
    /// App-auth registry cache TTL, seconds (protocol.md §2.7). Default 180.
    pub registry_cache_ttl_seconds: u64,
    /// TTL of "instance not found" cache entries, seconds. Default 10.
    pub registry_not_found_ttl_seconds: u64,
    /// Bound on app-auth cache entries. Default 10000.
    pub registry_cache_capacity: usize,
    /// A PUT/DELETE is applied only within this many seconds of the moment this node issued
    /// the request's PoP nonce and of the request's arrival (node clocks only); later it is
    /// refused with 503 and never applied (issue 10 "request deadlines").
    /// Keep it below the clients' timeout (the novakms client's default is 30 s). 0 = off.
    /// Default 20.
    pub write_deadline_seconds: u64,
    /// Registry lookups per node tick that re-read cached app authorizations, so a revoked
    /// instance, app or version is refused after the next tick instead of after the cache
    /// TTL (issue 10; `chain::auth` "Revocation"). 0 = upstream behaviour (TTL only).
    /// Default 1000.
    pub registry_revalidate_per_tick: usize,
    /// PoP timestamp window and nonce lifetime, seconds (§2.1). Default 120.
    pub pop_timeout_seconds: u64,
    /// Capacity of the used-nonce set, entries (§2.1, `node::nonce`): nonces consumed whose
    /// window has not ended. Issued nonces hold no state (MACed, issue 10). When full, a
    /// request is refused with 503 rather than a used nonce forgotten. Default 1048576
    /// (about 8,700 authentications per second sustained at a 120 s window; 12 bytes of key
    /// per entry in a B-tree, about 20 MB when full). Upstream: 4096 issued nonces (LRU).
    pub max_nonces: usize,
    /// Nonces handed to one client address per minute (token bucket, burst =
    /// rate). Default 1200 (upstream: 30, which caps one app host at one
    /// request every 2 s). 0 = off. The client address is the socket peer, or
    /// behind a proxy listed in `trusted_proxies` the rightmost untrusted
    /// `X-Forwarded-For` hop.
    pub nonce_rate_limit_per_minute: u64,
    /// Per-app namespace budget, bytes (seed 000). Default 10485760 (10 MiB).
    pub max_app_storage_bytes: u64,
    /// Largest plaintext value, bytes (seed 000). Default 1048576 (1 MiB).
    pub max_kv_value_size_bytes: usize,
    /// `evict` (least-recently-updated records go) or `reject` (4xx on write).
    pub quota_policy: QuotaPolicy,
    /// Tombstone retention, ms (§4.5). Default 86400000 (24 h).
    pub tombstone_retention_ms: u64,
    /// Tombstone cap per namespace (§4.5). Default 10000.
    pub max_tombstones_per_app: u64,
    /// Inbound record future-timestamp bound, ms (§4.8). Default 15000.
    pub max_clock_skew_ms: u64,
    /// Request body limit of the app routes, bytes (§1.1). Default 2097152 (2 MiB).
    pub max_request_body_bytes: usize,
    /// Request body limit of `/sync`, bytes. Default 8388608 (8 MiB): a
    /// delta carrying one maximal value (~786 KB plaintext, ~3.2 MB as a hex
    /// envelope) must fit, or that record could never replicate
    /// (protocol.md §11.3).
    pub max_sync_body_bytes: usize,
    /// HKDF info label of the envelope scheme (§3.3).
    pub envelope_info_label: String,
    /// Deadline for draining in-flight requests at shutdown, seconds. Default 10.
    pub shutdown_drain_seconds: u64,
    /// Accept the unauthenticated `x-tee-wallet` dev header (§2.8). Default false.
    pub allow_dev_wallet_header: bool,
    /// Debug: shift this node's clock by this many ms (skew tests). Default 0.
    pub clock_offset_ms: i64,

    /// Periodic delta push interval, seconds (protocol.md §6.9; seeds say
    /// 10 / 60). Default 5; pushes also follow every local write.
    pub sync_interval_seconds: u64,
    /// Delay that batches a burst of local writes into one push, ms. Default 50.
    pub push_debounce_ms: u64,
    /// Timeout of every outbound peer call (`/nonce`, `/sync`), seconds. Default 10.
    pub peer_request_timeout_seconds: u64,
    /// Timeout of a peer `/status` probe, ms (§7.5). Default 3000.
    pub peer_probe_timeout_ms: u64,
    /// How long a peer that sent a wrong master secret is ignored, seconds (§7.4). Default 600.
    pub peer_blacklist_duration_seconds: u64,
    /// Period of the anti-entropy snapshot pull from a random peer, seconds. Default 60. 0 = off.
    pub anti_entropy_interval_seconds: u64,
    /// Largest `/sync` request body we send, bytes: a delta is split into
    /// batches below it (the receiver's limit is 2 MiB, §1.1). Default 1900000.
    pub max_sync_batch_bytes: usize,
    /// Period of the tombstone/expiry purge, seconds. Default 60.
    pub purge_interval_seconds: u64,

    // --- HTTP listener: own accept loop (issue 10; `server`, docs/security.md) ---
    /// Time a client has to complete a request head (request line and headers), ms, counted
    /// from the first byte of that head. Past it the connection is closed. Default 10000.
    /// Values under 100 are raised to 100.
    pub http_header_read_timeout_ms: u64,
    /// Time a connection may stay open with no request in progress and no byte received
    /// (a fresh connection that sends nothing, or keep-alive between requests), ms. Past it
    /// the connection is closed. Default 30000. Values under 100 are raised to 100.
    pub http_idle_timeout_ms: u64,
    /// Time a client has to send a whole request body, ms, counted from the end of the
    /// request head; past it the read fails (400) and the connection is closed. Default
    /// 60000 (an 8 MiB `/sync` body at ~140 KB/s). Values under 100 are raised to 100.
    pub http_body_read_timeout_ms: u64,
    /// Largest request head (request line + headers) buffered per connection, bytes; a longer
    /// head gets 431 and the connection is closed. Default 16384; values under 8192 are
    /// raised to 8192 (hyper's minimum read buffer).
    pub http_max_header_bytes: usize,
    /// Open client connections the listener holds at once; connections accepted over it
    /// are closed at once, before any byte is read. Default 2048. 0 is raised to 1.
    pub http_max_connections: usize,
    /// Share of `http_max_connections` one client address may hold (IPv4 address, or IPv6
    /// /64 prefix); its connections over the share are closed at once. Default 256. Behind
    /// a reverse proxy every client has the proxy's address: raise it to
    /// `http_max_connections` there. 0 is raised to 1.
    pub http_max_connections_per_ip: usize,
    /// `/sync` bodies read at once (each up to `max_sync_body_bytes`, read only after the
    /// caller's PoP and membership were checked); further authenticated requests wait for a
    /// slot. Default 4. 0 is raised to 1.
    pub sync_max_concurrent_body_reads: usize,
    // --- Restore (issue 10, `node::rejoin`, docs/disaster-recovery.md) ---
    /// After `novakms restore`, how long the node waits for a live peer to reconcile with
    /// before it gives up and serves the restored snapshot as is (full-cluster recovery),
    /// seconds. Until then it offers nothing to peers (no pushes, no snapshot answers).
    /// Default 120.
    pub restore_rejoin_timeout_seconds: u64,
    // --- Catch-up (issue 12, `node::catch_up`) ---
    /// At start, how long the node stays not ready (reason `catching up`) while it pulls from
    /// each live peer what that peer holds (its change log after our pull cursor), seconds.
    /// Past it the node serves anyway and `/status` `catch_up.state` is `timed_out`; the pull
    /// goes on. 0 = no catch-up gate (ready as soon as the tick says so). Default 300.
    pub catch_up_timeout_seconds: u64,
    // --- Nonces, envelopes and small leaks (issue 10; docs/security.md) ---
    /// Reverse proxies whose `X-Forwarded-For` is believed for the `/nonce` rate limit
    /// (`node::client_addr`): CIDRs or addresses, as a TOML list or a comma-separated string
    /// (`NOVAKMS_TRUSTED_PROXIES=127.0.0.1/32,10.0.0.0/8`). Only when the socket peer is in
    /// it is the client taken from the rightmost untrusted hop. Default empty (never).
    #[serde(deserialize_with = "string_or_list")]
    pub trusted_proxies: Vec<String>,
    /// Capacity of the envelope replay record, entries (`crypto::replay`, issue 10 item 5):
    /// request-envelope nonces seen per sender key and the nonces of the envelopes this node
    /// sealed, kept at least `pop_timeout_seconds` and then as long as space allows. A
    /// second use of a request envelope, or a reflected reply, is refused with 400. When full
    /// of entries younger than the window, new requests are refused with 503. Default
    /// 1048576 (~36 MiB when full; two entries per app request, so it carries ~4,370 requests/s
    /// sustained with the default window); 0 turns the record off (not recommended).
    pub envelope_replay_capacity: usize,
    /// Export per-app record counts and bytes (`novakms_app_*`) on the anonymous
    /// `/metrics`. Default false: they reveal each write's plaintext length (issue 10).
    pub per_app_metrics: bool,
    /// Longest KV key, bytes of UTF-8 (issue 10). A longer key in PUT, GET or DELETE is
    /// refused with 400 `Key exceeds <n> bytes`. Default 1024.
    pub max_key_bytes: usize,
    // --- TLS (issue 10 listener, issue 11 item 1 outbound; `tls`, docs/security.md) ---
    /// PEM certificate chain (leaf first) served by `serve`'s listener. Set together with
    /// `tls_key_file` to serve HTTPS on `bind_addr`; neither = plain HTTP (default). Re-read
    /// on SIGHUP (a bad file keeps the old certificate).
    pub tls_cert_file: Option<PathBuf>,
    /// PEM private key of `tls_cert_file` (PKCS#8, RSA or SEC1). Keep it mode 0600.
    pub tls_key_file: Option<PathBuf>,
    /// PEM bundle of extra CA certificates trusted by every outbound HTTPS call (chain RPC,
    /// peers, `store`/`derive`/`health`/`bench`), in addition to the platform's trust store:
    /// for a private CA. Unset = platform roots only (default).
    pub ca_file: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        let limits = Limits::default();
        Settings {
            rpc_url: "http://127.0.0.1:8545".into(),
            nova_app_registry: String::new(),
            kms_registry: String::new(),
            kms_app_id: 49,
            rpc_timeout_seconds: 10,
            identity: IdentityKind::Keystore,
            odyn_url: DEFAULT_ODYN_URL.into(),
            keystore: None,
            password_file: None,
            addr: "http://127.0.0.1:8000".into(),
            node_wallet: None,
            client_timeout_seconds: 30,
            bind_addr: "127.0.0.1:8000".into(),
            node_url: None,
            data_dir: PathBuf::from("/var/lib/novakms"),
            storage: StorageKind::Redb,
            storage_cache_bytes: crate::storage::redb::DEFAULT_CACHE_BYTES,
            master_secret_storage: MasterSecretStorage::Sealed,
            node_tick_seconds: 5,
            registry_cache_ttl_seconds: 180,
            registry_not_found_ttl_seconds: 10,
            registry_cache_capacity: 10_000,
            write_deadline_seconds: 20,
            registry_revalidate_per_tick: 1_000,
            pop_timeout_seconds: 120,
            max_nonces: 1 << 20,
            nonce_rate_limit_per_minute: 1200,
            max_app_storage_bytes: limits.max_app_storage_bytes,
            max_kv_value_size_bytes: limits.max_kv_value_size_bytes,
            quota_policy: limits.quota_policy,
            tombstone_retention_ms: limits.tombstone_retention_ms,
            max_tombstones_per_app: limits.max_tombstones_per_app,
            max_clock_skew_ms: 15_000,
            max_request_body_bytes: 2 * 1024 * 1024,
            max_sync_body_bytes: 8 * 1024 * 1024,
            envelope_info_label: crate::crypto::envelope::DEFAULT_INFO_LABEL.into(),
            shutdown_drain_seconds: 10,
            allow_dev_wallet_header: false,
            clock_offset_ms: 0,
            sync_interval_seconds: 5,
            push_debounce_ms: 50,
            peer_request_timeout_seconds: 10,
            peer_probe_timeout_ms: 3000,
            peer_blacklist_duration_seconds: 600,
            anti_entropy_interval_seconds: 60,
            max_sync_batch_bytes: 1_900_000,
            purge_interval_seconds: 60,
            http_header_read_timeout_ms: 10_000,
            http_idle_timeout_ms: 30_000,
            http_body_read_timeout_ms: 60_000,
            http_max_header_bytes: 16 * 1024,
            http_max_connections: 2048,
            http_max_connections_per_ip: 256,
            sync_max_concurrent_body_reads: 4,
            restore_rejoin_timeout_seconds: 120,
            catch_up_timeout_seconds: 300,
            trusted_proxies: Vec::new(),
            envelope_replay_capacity: 1 << 20,
            per_app_metrics: false,
            max_key_bytes: 1024,
            tls_cert_file: None,
            tls_key_file: None,
            ca_file: None,
        }
    }
}

/// Environment variable prefix for configuration keys.
pub const ENV_PREFIX: &str = "NOVAKMS_";

impl Settings {
    /// Load settings: defaults, then the TOML file at `file` (if any), then
    /// `NOVAKMS_*` variables from `env`. Flags are applied by the caller with
    /// [`Settings::set`].
    ///
    /// Errors (kind Local): unreadable file, invalid TOML, unknown key, a value
    /// of the wrong type (the message names the key and its source).
    pub fn load(file: Option<&Path>, env: &[(String, String)]) -> Result<Settings> {
        let mut table = toml::Table::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::local(format!("cannot read config {}: {e}", path.display())))?;
            table = text
                .parse::<toml::Table>()
                .map_err(|e| Error::local(format!("invalid config {}: {e}", path.display())))?;
            // Validate the file alone first so errors name the file.
            toml::Value::Table(table.clone())
                .try_into::<Settings>()
                .map_err(|e| Error::local(format!("invalid config {}: {e}", path.display())))?;
        }
        let known = Self::keys();
        for (name, value) in env {
            let Some(key) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let key = key.to_ascii_lowercase();
            if !known.contains(&key) {
                continue; // NOVAKMS_LOG, NOVAKMS_CONFIG, NOVAKMS_ANVIL ... are not settings
            }
            // Typed first (numbers, booleans), then as a plain string, so that
            // e.g. a numeric file name still works for a path key.
            table.insert(key.clone(), env_value(value));
            if toml::Value::Table(table.clone())
                .try_into::<Settings>()
                .is_err()
            {
                table.insert(key.clone(), toml::Value::String(value.clone()));
                toml::Value::Table(table.clone())
                    .try_into::<Settings>()
                    .map_err(|e| Error::local(format!("invalid value in {name}: {e}")))?;
            }
        }
        toml::Value::Table(table)
            .try_into::<Settings>()
            .map_err(|e| Error::local(format!("invalid configuration: {e}")))
    }

    /// Load using the process environment.
    pub fn load_from_process(file: Option<&Path>) -> Result<Settings> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::load(file, &env)
    }

    /// Names of every configuration key (lower snake case).
    pub fn keys() -> Vec<String> {
        match toml::Value::try_from(Settings::default()) {
            Ok(toml::Value::Table(t)) => {
                let mut keys: Vec<String> = t.keys().cloned().collect();
                // Option fields that default to None are absent from the serialization.
                for k in [
                    "keystore",
                    "password_file",
                    "node_wallet",
                    "node_url",
                    "tls_cert_file",
                    "tls_key_file",
                    "ca_file",
                ] {
                    if !keys.iter().any(|x| x == k) {
                        keys.push(k.to_string());
                    }
                }
                keys
            }
            _ => Vec::new(),
        }
    }

    /// Per-namespace limits derived from the settings.
    pub fn limits(&self) -> Limits {
        Limits {
            max_kv_value_size_bytes: self.max_kv_value_size_bytes,
            max_app_storage_bytes: self.max_app_storage_bytes,
            quota_policy: self.quota_policy,
            tombstone_retention_ms: self.tombstone_retention_ms,
            max_tombstones_per_app: self.max_tombstones_per_app,
        }
    }

    /// Chain RPC timeout as a [`Duration`].
    pub fn rpc_timeout(&self) -> Duration {
        Duration::from_secs(self.rpc_timeout_seconds.max(1))
    }

    /// Require the contract addresses to be configured (kind Local otherwise).
    pub fn require_registries(&self) -> Result<()> {
        if self.nova_app_registry.is_empty() || self.kms_registry.is_empty() {
            return Err(Error::new(
                ErrorKind::Local,
                "nova_app_registry and kms_registry must be configured (config file, NOVAKMS_NOVA_APP_REGISTRY / NOVAKMS_KMS_REGISTRY, or flags)",
            ));
        }
        Ok(())
    }

    /// The keystore path, or a Local error explaining how to set it.
    pub fn require_keystore(&self) -> Result<&Path> {
        self.keystore.as_deref().ok_or_else(|| {
            Error::local("no keystore configured: pass --keystore or set NOVAKMS_KEYSTORE")
        })
    }
}

/// `trusted_proxies` from a TOML list of strings or one comma-separated string (the form an
/// environment variable gives). Empty items are dropped.
fn string_or_list<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        One(String),
        Many(Vec<String>),
    }
    let items = match Either::deserialize(d)? {
        Either::One(s) => s.split(',').map(str::to_owned).collect(),
        Either::Many(v) => v,
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

/// Interpret an environment string as a TOML value: integers and booleans are
/// typed, everything else is a string.
fn env_value(raw: &str) -> toml::Value {
    if let Ok(i) = raw.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    match raw {
        "true" => toml::Value::Boolean(true),
        "false" => toml::Value::Boolean(false),
        _ => toml::Value::String(raw.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn defaults_then_file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "kms_app_id = 7\nrpc_url = \"http://file\"\n").unwrap();
        let s = Settings::load(Some(&f), &env(&[("NOVAKMS_RPC_URL", "http://env")])).unwrap();
        assert_eq!(s.kms_app_id, 7);
        assert_eq!(s.rpc_url, "http://env");
        assert_eq!(s.pop_timeout_seconds, 120);
    }

    #[test]
    fn unknown_key_and_bad_type_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "kms_app_idd = 7\n").unwrap();
        let e = Settings::load(Some(&f), &[]).unwrap_err();
        assert!(e.message().contains("kms_app_idd"), "{e}");
        let e = Settings::load(None, &env(&[("NOVAKMS_KMS_APP_ID", "abc")])).unwrap_err();
        assert!(e.message().contains("NOVAKMS_KMS_APP_ID"), "{e}");
    }

    #[test]
    fn env_parses_enums_and_paths() {
        let s = Settings::load(
            None,
            &env(&[
                ("NOVAKMS_STORAGE", "memory"),
                ("NOVAKMS_QUOTA_POLICY", "reject"),
                ("NOVAKMS_KEYSTORE", "/tmp/k.json"),
                ("NOVAKMS_LOG", "debug"),
            ]),
        )
        .unwrap();
        assert_eq!(s.storage, StorageKind::Memory);
        assert_eq!(s.quota_policy, QuotaPolicy::Reject);
        assert_eq!(s.keystore.as_deref(), Some(Path::new("/tmp/k.json")));
        assert!(Settings::keys().contains(&"password_file".to_string()));
    }

    #[test]
    fn identity_backend_from_file_env_and_default() {
        let d = Settings::default();
        assert_eq!(d.identity, IdentityKind::Keystore);
        assert_eq!(d.odyn_url, "http://127.0.0.1:18000");
        let s = Settings::load(
            None,
            &env(&[
                ("NOVAKMS_IDENTITY", "odyn"),
                ("NOVAKMS_ODYN_URL", "http://127.0.0.1:19000"),
            ]),
        )
        .unwrap();
        assert_eq!(s.identity, IdentityKind::Odyn);
        assert_eq!(s.odyn_url, "http://127.0.0.1:19000");
        let e = Settings::load(None, &env(&[("NOVAKMS_IDENTITY", "hsm")])).unwrap_err();
        assert!(e.message().contains("NOVAKMS_IDENTITY"), "{e}");
    }

    #[test]
    fn trusted_proxies_from_a_list_or_a_comma_string() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "trusted_proxies = [\"10.0.0.0/8\", \"::1/128\"]\n").unwrap();
        let s = Settings::load(Some(&f), &[]).unwrap();
        assert_eq!(s.trusted_proxies, ["10.0.0.0/8", "::1/128"]);
        let s = Settings::load(
            None,
            &env(&[("NOVAKMS_TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8,")]),
        )
        .unwrap();
        assert_eq!(s.trusted_proxies, ["127.0.0.1/32", "10.0.0.0/8"]);
        assert!(Settings::default().trusted_proxies.is_empty());
        assert!(Settings::keys().contains(&"trusted_proxies".to_string()));
    }
}

#[cfg(test)]
mod doc_tests {
    /// The operator guide's configuration reference names every key and its
    /// environment variable.
    #[test]
    fn operator_guide_lists_every_key() {
        let guide = include_str!("../docs/operator-guide.md");
        for key in super::Settings::keys() {
            assert!(
                guide.contains(&format!("`{key}`")),
                "docs/operator-guide.md lacks `{key}`"
            );
            let env = format!("`NOVAKMS_{}`", key.to_ascii_uppercase());
            assert!(guide.contains(&env), "docs/operator-guide.md lacks {env}");
        }
    }
}
