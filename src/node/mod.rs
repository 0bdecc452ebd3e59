//! The running node: shared state, node tick, startup checks and graceful
//! shutdown (design.md §3, §6 "Daemon").

pub mod commit;
pub mod ingest;
pub mod nonce;
pub mod notify;
pub mod peers;
pub mod purge;
pub mod replicator;
pub mod state;
pub mod tick;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::chain::auth::AppAuthCache;
use crate::chain::registry::RegistryClient;
use crate::clock::Clock;
use crate::config::{MasterSecretStorage, Settings, StorageKind};
use crate::crypto::master::MasterSecret;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::Identity;
use crate::storage::memory::MemoryStorage;
use crate::storage::redb::RedbStorage;
use crate::storage::{check_binding, ClusterBinding, Storage};

use state::{LoadedSecret, NodeState, Readiness, SecretOrigin};

/// Open the configured storage backend (design.md §4). redb: the file lock is
/// the single-instance guard (kind InUse), corruption fails closed (kind
/// Integrity). memory: warns loudly that nothing survives a restart.
pub fn open_storage(settings: &Settings) -> Result<Arc<dyn Storage>> {
    match settings.storage {
        StorageKind::Redb => Ok(Arc::new(RedbStorage::open(&settings.data_dir)?)),
        StorageKind::Memory => {
            tracing::warn!(
                "!!! storage = memory: every record and the master secret are lost when this process exits !!!"
            );
            Ok(Arc::new(MemoryStorage::new()))
        }
    }
}

/// Read the chain id, retrying for up to ~30 s so a node started alongside
/// its RPC endpoint does not fail needlessly. Errors: kind Remote.
async fn chain_id_with_retry(registry: &RegistryClient) -> Result<u64> {
    let mut last = None;
    for attempt in 0..6 {
        match registry.chain_id().await {
            Ok(id) => return Ok(id),
            Err(e) => {
                tracing::warn!(attempt, error = %e, "chain RPC not reachable yet");
                last = Some(e);
            }
        }
        tokio::time::sleep(Duration::from_millis(500 * (1 << attempt.min(3)))).await;
    }
    Err(last.unwrap_or_else(|| Error::remote("chain RPC unreachable")))
}

/// Build the node state: storage health and cluster binding checked, sealed
/// master secret reloaded (design.md §4). Does not start any task.
pub async fn build_state(settings: Settings, identity: Identity) -> Result<Arc<NodeState>> {
    settings.require_registries()?;
    let registry = RegistryClient::new(
        &settings.rpc_url,
        &settings.nova_app_registry,
        &settings.kms_registry,
        settings.rpc_timeout(),
    )?;
    let storage = open_storage(&settings)?;
    let chain_id = chain_id_with_retry(&registry).await?;
    let wallet = identity.address();
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
            Some(blob) => {
                let secret = MasterSecret::unseal_at_rest(&identity.seal_key(), &blob).map_err(|e| {
                    Error::new(
                        ErrorKind::Integrity,
                        format!("sealed master secret cannot be opened with this identity: {e} (restored onto a new identity? the node will obtain the secret from peers after `novakms restore`)"),
                    )
                })?;
                tracing::info!("reloaded sealed master secret; will verify against the chain");
                Some(LoadedSecret {
                    secret,
                    origin: SecretOrigin::Generated,
                    synced_from: None,
                    verified: false,
                })
            }
            None => None,
        }
    } else {
        None
    };
    let st = assemble(settings, identity, storage, registry, master)?;
    Ok(Arc::new(st))
}

/// Put a [`NodeState`] together from its parts (no I/O): caches, nonce
/// store, envelope cipher, peer client; readiness starts as `initializing`.
/// Used by [`build_state`] and by tests that run a node in-process.
///
/// Errors: Local (HTTP client construction).
pub fn assemble(
    settings: Settings,
    identity: Identity,
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
    let cipher = crate::crypto::envelope::EnvelopeCipher::new(
        identity.tee_secret().clone(),
        crate::crypto::envelope::EnvelopeScheme::parse(&settings.envelope_info_label),
        settings.registry_cache_capacity,
    );
    let metrics = Arc::new(crate::metrics::Metrics::new());
    let committer = commit::Committer::start(
        storage.clone(),
        clock.clone(),
        identity.address(),
        settings.limits(),
        metrics.clone(),
    )?;
    let node_url = settings
        .node_url
        .clone()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    Ok(NodeState {
        nonces: nonce::NonceStore::new(settings.max_nonces, settings.pop_timeout_seconds),
        nonce_limiter: nonce::RateLimiter::new(settings.nonce_rate_limit_per_minute, 65_536),
        limits: settings.limits(),
        readiness: RwLock::new(Readiness {
            ready: false,
            reason: tick::reason::INITIALIZING.to_string(),
            is_operator: false,
            node_url,
        }),
        master: RwLock::new(master),
        peer_cache: peers::PeerCache::new(),
        peer_client: crate::client::peer::PeerClient::new(
            identity.clone(),
            &settings.envelope_info_label,
            Duration::from_secs(settings.peer_request_timeout_seconds.max(1)),
            clock.clone(),
        )?,
        replication: state::ReplicationState::default(),
        shutting_down: AtomicBool::new(false),
        metrics,
        committer,
        wallet: identity.address(),
        tee_pubkey_hex: identity.tee_pubkey_hex(),
        cipher,
        storage,
        registry,
        auth,
        clock,
        identity,
        settings,
    })
}

/// Run the node until SIGTERM/SIGINT: bind, start the node tick, serve; at a
/// signal: readiness off, drain in-flight requests (deadline
/// `shutdown_drain_seconds`), stop the tick, close the database, return Ok.
///
/// Errors: bind failure (Local), storage open (InUse / Integrity / Local),
/// chain unreachable at start (Remote), cluster binding mismatch (Refused).
pub async fn serve(settings: Settings, identity: Identity) -> Result<()> {
    let bind = settings.bind_addr.clone();
    let drain = Duration::from_secs(settings.shutdown_drain_seconds);
    let tick_every = Duration::from_secs(settings.node_tick_seconds.max(1));
    let st = build_state(settings, identity).await?;
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .map_err(|e| Error::local(format!("cannot listen on {bind}: {e}")))?;
    // systemd Type=notify: the process is up and answering /livez, /readyz
    // and /status; readiness for apps is reported through STATUS= lines.
    notify::notify("READY=1\nSTATUS=starting");
    tracing::info!(
        addr = %bind,
        wallet = %st.wallet,
        storage = ?st.settings.storage,
        "novakms node listening"
    );

    let tick_state = st.clone();
    let ticker = tokio::spawn(async move {
        loop {
            let started = std::time::Instant::now();
            tick::tick(&tick_state).await;
            tick_state
                .metrics
                .tick_duration
                .observe(started.elapsed().as_secs_f64());
            tokio::time::sleep(tick_every).await;
        }
    });

    // Replication (push per peer, snapshot pulls), cleanup and the admin socket.
    let replicator = replicator::spawn(st.clone());
    let purger = purge::spawn(st.clone());
    let admin = match crate::api::admin::start(st.clone()) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "admin socket unavailable: `novakms sync` cannot reach this node");
            None
        }
    };

    let app = crate::api::router(st.clone());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let sig_state = st.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested: readiness off, draining");
        sig_state.begin_shutdown();
        let _ = stop_tx.send(());
    });
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = stop_rx.await;
    });
    let mut server = Box::pin(server.into_future());
    let shutdown_started = st.clone();
    tokio::select! {
        r = &mut server => r.map_err(|e| Error::local(format!("server error: {e}")))?,
        _ = async {
            while !shutdown_started.is_shutting_down() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            tokio::time::sleep(drain).await;
        } => {
            tracing::warn!("drain deadline reached; closing remaining connections");
        }
    }
    ticker.abort();
    let _ = ticker.await;
    replicator.shutdown().await;
    purger.abort();
    let _ = purger.await;
    if let Some(admin) = admin {
        admin.shutdown().await;
    }
    drop(server);
    // Last reference to the storage goes here: redb closes cleanly.
    match Arc::try_unwrap(st) {
        Ok(state) => drop(state),
        Err(_) => tracing::warn!("state still referenced at exit; database closes at process exit"),
    }
    tracing::info!("novakms node stopped");
    Ok(())
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
