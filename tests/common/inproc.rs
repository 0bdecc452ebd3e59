//! In-process nodes without a chain: a real `NodeState` (`node::assemble`, ready, holding one
//! verified master secret) serving the real router on 127.0.0.1, with the PeerCache filled by
//! hand. The registry client points at an unreachable address, so nothing that needs the chain
//! (app auth, the node tick's membership refresh) works; peer traffic and the replicator do.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use novakms::chain::registry::RegistryClient;
use novakms::config::{Settings, StorageKind};
use novakms::crypto::master::MasterSecret;
use novakms::crypto::value::encrypt_value;
use novakms::identity::Identity;
use novakms::node::peers::PeerInfo;
use novakms::node::replicator::{self, ReplicatorHandle};
use novakms::node::state::{LoadedSecret, NodeState, SecretOrigin};
use novakms::storage::{Storage, WriteError};
use tokio::task::JoinHandle;

/// The master secret every in-process node holds.
pub const SECRET: [u8; 32] = [42; 32];

/// The app namespace [`Node::put`] writes to.
pub const APP: u64 = 77;

/// Settings for fast replication tests (memory storage, 1 s sync interval, 20 ms push
/// debounce, 2 s peer timeout, no anti-entropy, no /nonce limit), then `tweak`.
pub fn settings(tweak: impl Fn(&mut Settings)) -> Settings {
    let mut s = Settings {
        storage: StorageKind::Memory,
        sync_interval_seconds: 1,
        push_debounce_ms: 20,
        peer_request_timeout_seconds: 2,
        anti_entropy_interval_seconds: 0,
        nonce_rate_limit_per_minute: 0,
        ..Settings::default()
    };
    tweak(&mut s);
    s
}

/// The loaded, verified [`SECRET`].
pub fn loaded_secret() -> Option<LoadedSecret> {
    Some(LoadedSecret {
        secret: MasterSecret::from_bytes(SECRET),
        origin: SecretOrigin::Generated,
        synced_from: None,
        verified: true,
        awaiting_chain: false,
    })
}

/// A registry client for an unreachable chain.
pub fn no_chain() -> RegistryClient {
    let zero = "0x0000000000000000000000000000000000000001";
    RegistryClient::new("http://127.0.0.1:1", zero, zero, Duration::from_secs(1)).unwrap()
}

/// `node::assemble` with [`loaded_secret`], marked ready. Starts no task.
pub fn ready_state(
    settings: Settings,
    identity: Identity,
    storage: Arc<dyn Storage>,
    registry: RegistryClient,
) -> Arc<NodeState> {
    let st = novakms::node::assemble(
        settings,
        identity.into(),
        storage,
        registry,
        loaded_secret(),
    )
    .unwrap();
    st.set_ready();
    Arc::new(st)
}

/// Serve the real router for `st` on `listener` (a background task).
pub fn serve(st: Arc<NodeState>, listener: tokio::net::TcpListener) -> JoinHandle<()> {
    let app = novakms::api::router(st);
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    })
}

/// Serve the real router for `st` on `addr`.
pub async fn serve_on(st: Arc<NodeState>, addr: SocketAddr) -> JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    serve(st, listener)
}

/// One in-process node: its state, its HTTP server task, its address and (once
/// [`Node::replicate`] was called) its replicator.
pub struct Node {
    pub st: Arc<NodeState>,
    pub addr: SocketAddr,
    pub server: Option<JoinHandle<()>>,
    pub replicator: Option<ReplicatorHandle>,
}

impl Node {
    /// A node on memory storage with a fresh identity, serving on a free port.
    pub async fn start(settings: Settings) -> Node {
        Node::start_on(settings, Arc::new(novakms::storage::MemoryStorage::new())).await
    }

    /// A node on memory storage whose start-up catch-up still holds it (`node::catch_up`,
    /// bound 300 s): finish it with `novakms::node::catch_up::finish`.
    #[allow(dead_code)]
    pub async fn start_catching_up(settings: Settings) -> Node {
        let mut st = novakms::node::assemble(
            settings,
            Identity::generate().into(),
            Arc::new(novakms::storage::MemoryStorage::new()),
            no_chain(),
            loaded_secret(),
        )
        .unwrap();
        st.catch_up = novakms::node::catch_up::CatchUpGate::armed(st.clock.now_ms(), 300);
        st.set_ready();
        Node::serving(Arc::new(st)).await
    }

    /// A node on `storage` with a fresh identity, serving on a free port.
    pub async fn start_on(settings: Settings, storage: Arc<dyn Storage>) -> Node {
        let st = ready_state(settings, Identity::generate(), storage, no_chain());
        Node::serving(st).await
    }

    async fn serving(st: Arc<NodeState>) -> Node {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let server = serve_on(st.clone(), addr).await;
        Node {
            st,
            addr,
            server: Some(server),
            replicator: None,
        }
    }

    /// The node as a KMS member (active, zkVerified, app 49).
    pub fn info(&self) -> PeerInfo {
        PeerInfo::for_test(
            &self.st.wallet,
            self.st.identity.tee_pubkey_der().to_vec(),
            &format!("http://{}", self.addr),
            0,
            true,
            49,
        )
    }

    /// Start the replicator.
    pub fn replicate(&mut self) {
        self.replicator = Some(replicator::spawn(self.st.clone()));
    }

    pub async fn stop_server(&mut self) {
        if let Some(s) = self.server.take() {
            s.abort();
            let _ = s.await;
        }
    }

    pub async fn restart_server(&mut self) {
        self.server = Some(serve_on(self.st.clone(), self.addr).await);
    }

    /// A local write of `plain` under `key` in [`APP`] as the app API does it (durable put,
    /// then wake the replicator).
    pub fn try_put(&self, key: &str, plain: &[u8]) -> Result<(), WriteError> {
        let dk = self.st.data_key(APP).unwrap();
        self.st.storage.put_local(
            APP,
            key,
            encrypt_value(&dk, plain),
            0,
            &self.st.wallet,
            self.st.clock.now_ms(),
            &self.st.limits,
        )?;
        self.st.replication.wake.notify_one();
        Ok(())
    }

    /// [`Node::try_put`] that must succeed.
    pub fn put(&self, key: &str, plain: &[u8]) {
        self.try_put(key, plain).unwrap();
    }

    /// True when the node stores `key` in [`APP`] (panics on a storage error).
    pub fn has(&self, key: &str) -> bool {
        self.st.storage.get(APP, key).unwrap().is_some()
    }

    /// True when a read of `key` in [`APP`] succeeds and finds it (a storage error reads as
    /// false: for stores with injected faults).
    pub fn serves(&self, key: &str) -> bool {
        matches!(self.st.storage.get(APP, key), Ok(Some(_)))
    }

    /// This node's replication cursor for `other` (0 if none).
    pub fn cursor_for(&self, other: &Node) -> u64 {
        self.st
            .storage
            .peer_cursor(&other.st.wallet)
            .unwrap()
            .map_or(0, |c| c.acked_seq)
    }

    /// Stop the replicator (if any) and the server.
    pub async fn shutdown(mut self) {
        if let Some(r) = self.replicator.take() {
            r.shutdown().await;
        }
        self.stop_server().await;
    }
}

/// Make every node's PeerCache list all of them.
pub fn mesh(nodes: &[&Node]) {
    let members: Vec<PeerInfo> = nodes.iter().map(|n| n.info()).collect();
    for n in nodes {
        n.st.peer_cache.replace(members.clone(), 1);
    }
}
