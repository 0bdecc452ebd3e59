//! The running node: shared state and its assembly with startup checks, the
//! operations core (`auth`, `kv`, `peer_ops`, `ingest`, `commit`), the node
//! tick, replication and cleanup (design.md §3). The HTTP layer (`api`) sits
//! above this module and `daemon` composes both; nothing here imports `api`.

pub mod auth;
pub mod backoff;
pub mod catch_up;
pub mod client_addr;
pub mod cluster_check;
pub mod commit;
pub mod deferred_check;
pub mod ingest;
pub mod kv;
pub mod nonce;
pub mod notify;
pub mod peer_ops;
pub mod peers;
pub mod purge;
pub mod refusal;
pub mod rejoin;
pub mod replicator;
pub mod reply;
pub mod state;
pub mod tick;
pub mod tick_pace;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::chain::auth::AppAuthCache;
use crate::chain::registry::RegistryClient;
use crate::clock::Clock;
use crate::config::IdentityKind;
use crate::config::{MasterSecretStorage, Settings, StorageKind};
use crate::crypto::master::MasterSecret;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::IdentityHandle;
use crate::storage::memory::MemoryStorage;
use crate::storage::redb::RedbStorage;
use crate::storage::{check_binding, ClusterBinding, Storage};

use state::{LoadedSecret, NodeState, Readiness, SecretOrigin};

/// Open the configured storage backend (design.md §4). redb: the file lock is
/// the single-instance guard (kind InUse), corruption fails closed (kind
/// Integrity). memory: warns loudly that nothing survives a restart.
///
/// Returns the store and whether its full verification was deferred (redb after an unclean
/// stop: `RedbStorage::open_deferring_check`; the node runs it in the background,
/// `node::deferred_check`).
pub fn open_storage(settings: &Settings) -> Result<(Arc<dyn Storage>, bool)> {
    match settings.storage {
        StorageKind::Redb => {
            let (s, due) = RedbStorage::open_deferring_check(
                &settings.data_dir,
                settings.storage_cache_bytes,
            )?;
            Ok((Arc::new(s), due))
        }
        StorageKind::Memory => {
            tracing::warn!(
                "!!! storage = memory: every record and the master secret are lost when this process exits !!!"
            );
            Ok((Arc::new(MemoryStorage::new()), false))
        }
    }
}

/// Read the chain id, retrying for up to ~30 s so a node started alongside
/// its RPC endpoint does not fail needlessly. Errors: kind Remote.
async fn chain_id_with_retry(registry: &RegistryClient) -> Result<u64> {
    let mut backoff = backoff::Backoff::new(Duration::from_millis(500), Duration::from_secs(4));
    let mut last = None;
    for attempt in 0..6 {
        match registry.chain_id().await {
            Ok(id) => return Ok(id),
            Err(e) => {
                tracing::warn!(attempt, error = %e, "chain RPC not reachable yet");
                last = Some(e);
            }
        }
        tokio::time::sleep(backoff.fail()).await;
    }
    Err(last.unwrap_or_else(|| Error::remote("chain RPC unreachable")))
}

/// Build the node state: storage health and cluster binding checked, sealed
/// master secret reloaded (design.md §4). Does not start any task.
///
/// The sealed master secret (`master_secret_storage = "sealed"`) is opened with the identity
/// ([`IdentityHandle::unseal_master_secret`]):
/// * keystore: a blob that does not open is an Integrity error (exit 5): the data dir was
///   moved to another keystore;
/// * odyn: a blob that does not open (Odyn's keys are new after every enclave start) is
///   logged, discarded, and the secret is obtained from peers like after a restore; a blob
///   that opens is re-sealed at once with a fresh nonce, because Odyn refuses to decrypt the
///   same (key, nonce) twice (`identity::handle` module docs).
///
/// `identity` (unlocking the keystore, or connecting to Odyn) is awaited while the database
/// opens and the chain id is read; the first of the three to fail is the error.
///
/// Errors: storage (InUse, Integrity, Local), those of `identity`, chain id (Remote), binding
/// (Refused), the keystore blob above (Integrity), Odyn unreachable while opening the blob
/// (Remote).
pub async fn build_state(
    settings: Settings,
    identity: impl std::future::Future<Output = Result<IdentityHandle>>,
) -> Result<Arc<NodeState>> {
    settings.require_registries()?;
    let registry = RegistryClient::new(
        &settings.rpc_url,
        &settings.nova_app_registry,
        &settings.kms_registry,
        settings.rpc_timeout(),
    )?;
    // The database opens (cheap checks; after an unclean stop the full verification follows in
    // the background, `deferred_check`) and the chain id is read
    // while the identity unlocks (the keystore's scrypt): a restart costs the longest of the
    // three, not their sum (issue 12, restart time). The first of them to fail is the error
    // (a data dir in use is reported at once, not after the KDF or the chain retries).
    let for_storage = settings.clone();
    let storage = async move {
        tokio::task::spawn_blocking(move || open_storage(&for_storage))
            .await
            .map_err(|e| Error::local(format!("storage open task failed: {e}")))?
    };
    let ((storage, check_due), identity, chain_id) =
        tokio::try_join!(storage, identity, chain_id_with_retry(&registry))?;
    let wallet = identity.address().to_string();
    let binding = ClusterBinding {
        chain_id,
        nova_app_registry: settings.nova_app_registry.to_ascii_lowercase(),
        kms_registry: settings.kms_registry.to_ascii_lowercase(),
        kms_app_id: settings.kms_app_id,
        node_wallet: wallet.clone(),
    };
    check_binding(storage.as_ref(), &binding)?;
    let master = if settings.master_secret_storage == MasterSecretStorage::Sealed {
        match storage.load_sealed_master_secret()? {
            Some(blob) => match identity.unseal_master_secret(&blob).await {
                Ok(secret) => {
                    tracing::info!("reloaded sealed master secret; will verify against the chain");
                    if identity.kind() == IdentityKind::Odyn {
                        reseal(&identity, storage.as_ref(), &secret).await;
                    }
                    Some(LoadedSecret {
                        secret,
                        origin: SecretOrigin::Generated,
                        synced_from: None,
                        verified: false,
                        awaiting_chain: false,
                    })
                }
                Err(e)
                    if e.kind() == ErrorKind::Integrity && identity.kind() == IdentityKind::Odyn =>
                {
                    tracing::warn!(
                        error = %e,
                        "sealed master secret does not open with this Odyn's keys (a new enclave \
                         identity): discarding it; the node obtains the secret from its peers"
                    );
                    storage.clear_sealed_master_secret()?;
                    None
                }
                Err(e) if e.kind() == ErrorKind::Integrity => {
                    return Err(Error::new(
                        ErrorKind::Integrity,
                        format!("sealed master secret cannot be opened with this identity: {} (restored onto a new identity? the node will obtain the secret from peers after `novakms restore`)", e.message()),
                    ))
                }
                Err(e) => return Err(e),
            },
            None => None,
        }
    } else {
        None
    };
    let bound = settings.catch_up_timeout_seconds;
    let mut st = assemble(settings, identity, storage, registry, master)?;
    // A serving node catches up with its peers before it reports ready (`node::catch_up`).
    st.catch_up = catch_up::CatchUpGate::armed(st.clock.now_ms(), bound);
    if check_due {
        st.deferred_check = deferred_check::DeferredCheck::due();
    }
    Ok(Arc::new(st))
}

/// Odyn identity: store the just-opened secret again under a fresh Odyn nonce (the old nonce
/// is now one Odyn has seen and would refuse). A failure is logged: the secret stays in
/// memory, and at the next start the stale blob is discarded and the secret fetched from
/// peers.
async fn reseal(identity: &IdentityHandle, storage: &dyn Storage, secret: &MasterSecret) {
    let res = match identity.seal_master_secret(secret).await {
        Ok(blob) => storage.store_sealed_master_secret(&blob),
        Err(e) => Err(e),
    };
    match res {
        Ok(()) => tracing::info!("re-sealed the master secret through Odyn with a fresh nonce"),
        Err(e) => tracing::warn!(error = %e, "cannot re-seal the master secret through Odyn"),
    }
}

/// Put a [`NodeState`] together from its parts (no I/O): caches, nonce
/// store, envelope cipher, peer client; readiness starts as `initializing`.
/// Used by [`build_state`] and by tests that run a node in-process.
///
/// Reads one thing from `storage`: the restore marker (`node::rejoin`).
///
/// Errors: Local (HTTP client construction), the storage read.
pub fn assemble(
    settings: Settings,
    identity: IdentityHandle,
    storage: Arc<dyn Storage>,
    registry: RegistryClient,
    master: Option<LoadedSecret>,
) -> Result<NodeState> {
    let auth = AppAuthCache::new(
        registry.clone(),
        Duration::from_secs(settings.registry_cache_ttl_seconds),
        Duration::from_secs(settings.registry_not_found_ttl_seconds),
        settings.registry_cache_capacity,
    );
    let clock = Clock::with_offset_ms(settings.clock_offset_ms);
    let mut metrics = crate::metrics::Metrics::new();
    if let Some(odyn) = identity.odyn() {
        metrics.register_odyn_calls(odyn.calls());
    }
    let metrics = Arc::new(metrics);
    let committer = commit::Committer::start(
        storage.clone(),
        clock.clone(),
        identity.address().to_string(),
        settings.limits(),
        metrics.clone(),
    )?;
    let node_url = settings
        .node_url
        .clone()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    let trusted_proxies =
        client_addr::parse_trusted(&settings.trusted_proxies).map_err(Error::local)?;
    let replay = Arc::new(crate::crypto::replay::ReplayRecord::new(
        settings.envelope_replay_capacity,
        settings.pop_timeout_seconds,
    ));
    let mut peer_client = crate::client::peer::PeerClient::with_identity(
        identity.clone(),
        Duration::from_secs(settings.peer_request_timeout_seconds.max(1)),
        clock.clone(),
    )?;
    peer_client.sealed_record = Some(replay.clone());
    Ok(NodeState {
        nonces: nonce::NonceStore::new(settings.max_nonces, settings.pop_timeout_seconds),
        nonce_limiter: nonce::RateLimiter::new(settings.nonce_rate_limit_per_minute, 65_536),
        trusted_proxies,
        replay,
        limits: settings.limits(),
        readiness: RwLock::new(Readiness {
            ready: false,
            reason: tick::reason::INITIALIZING.to_string(),
            is_operator: false,
            node_url,
        }),
        master: RwLock::new(master),
        peer_cache: peers::PeerCache::new(),
        peer_client,
        replication: state::ReplicationState::default(),
        rejoin: rejoin::RejoinGate::load(storage.as_ref())?,
        catch_up: catch_up::CatchUpGate::off(),
        tick_wake: tick_pace::TickWake::new(),
        deferred_check: deferred_check::DeferredCheck::none(),
        shutting_down: AtomicBool::new(false),
        metrics,
        committer,
        digest_gate: Arc::new(tokio::sync::Semaphore::new(1)),
        wallet: identity.address().to_string(),
        tee_pubkey_hex: identity.tee_pubkey_hex().to_string(),
        storage,
        registry,
        auth,
        clock,
        identity,
        settings,
    })
}
