//! Replication between in-process nodes, without a chain: each node is a real `NodeState`
//! (memory storage, ready, sharing one verified master secret) serving the real router on
//! 127.0.0.1, with a hand-filled PeerCache naming the others. Exercises the replicator (push on
//! wake-up, batching under a small body budget, echo suppression, retry after a peer outage),
//! `pull_snapshot` and the admin socket's `sync`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use novakms::admin_wire::SyncEvent;
use novakms::chain::registry::RegistryClient;
use novakms::chain::types::InstanceInfo;
use novakms::client::admin::AdminClient;
use novakms::config::{Settings, StorageKind};
use novakms::crypto::master::MasterSecret;
use novakms::crypto::value::encrypt_value;
use novakms::identity::Identity;
use novakms::node::peers::PeerInfo;
use novakms::node::replicator::{self, ReplicatorHandle};
use novakms::node::state::{LoadedSecret, NodeState, SecretOrigin};
use novakms::storage::MemoryStorage;
use novakms::store::Limits;
use tokio::task::JoinHandle;

const SECRET: [u8; 32] = [42; 32];
const APP: u64 = 77;

/// One in-process node: its state, its HTTP server task and its address.
struct Node {
    st: Arc<NodeState>,
    addr: SocketAddr,
    server: Option<JoinHandle<()>>,
    replicator: Option<ReplicatorHandle>,
}

fn settings(tweak: impl Fn(&mut Settings)) -> Settings {
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

fn state(settings: Settings) -> Arc<NodeState> {
    let identity = Identity::generate();
    let zero = "0x0000000000000000000000000000000000000001";
    let registry =
        RegistryClient::new("http://127.0.0.1:1", zero, zero, Duration::from_secs(1)).unwrap();
    let master = Some(LoadedSecret {
        secret: MasterSecret::from_bytes(SECRET),
        origin: SecretOrigin::Generated,
        synced_from: None,
        verified: true,
    });
    let st = novakms::node::assemble(
        settings,
        identity,
        Arc::new(MemoryStorage::new()),
        registry,
        master,
    )
    .unwrap();
    st.set_ready();
    Arc::new(st)
}

async fn serve_on(st: Arc<NodeState>, addr: SocketAddr) -> JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let app = novakms::api::router(st);
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    })
}

impl Node {
    async fn start(settings: Settings) -> Node {
        let st = state(settings);
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

    fn info(&self) -> PeerInfo {
        PeerInfo::from_instance(InstanceInfo {
            id: 1,
            app_id: 49,
            version_id: 1,
            operator: String::new(),
            instance_url: format!("http://{}", self.addr),
            tee_pubkey: self.st.identity.tee_pubkey_der(),
            tee_wallet: self.st.wallet.clone(),
            zk_verified: true,
            status: 0,
            registered_at: 0,
        })
    }

    fn replicate(&mut self) {
        self.replicator = Some(replicator::spawn(self.st.clone()));
    }

    async fn stop_server(&mut self) {
        if let Some(s) = self.server.take() {
            s.abort();
            let _ = s.await;
        }
    }

    async fn restart_server(&mut self) {
        self.server = Some(serve_on(self.st.clone(), self.addr).await);
    }

    /// A local write as the app API does it: durable put, then wake the replicator.
    fn put(&self, key: &str, plain: &[u8]) {
        let dk = self.st.data_key(APP).unwrap();
        self.st
            .storage
            .put_local(
                APP,
                key,
                encrypt_value(&dk, plain),
                0,
                &self.st.wallet,
                self.st.clock.now_ms(),
                &self.st.limits,
            )
            .unwrap();
        self.st.replication.wake.notify_one();
    }

    fn has(&self, key: &str) -> bool {
        self.st.storage.get(APP, key).unwrap().is_some()
    }

    fn cursor_for(&self, other: &Node) -> u64 {
        self.st
            .storage
            .peer_cursor(&other.st.wallet)
            .unwrap()
            .map_or(0, |c| c.acked_seq)
    }

    async fn shutdown(mut self) {
        if let Some(r) = self.replicator.take() {
            r.shutdown().await;
        }
        self.stop_server().await;
    }
}

/// Make every node's PeerCache list all of them.
fn mesh(nodes: &[&Node]) {
    let members: Vec<PeerInfo> = nodes.iter().map(|n| n.info()).collect();
    for n in nodes {
        n.st.peer_cache.replace(members.clone(), 1);
    }
}

async fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pushes_batches_suppresses_echoes_and_retries() {
    // A small body budget forces many delta requests.
    let mut a = Node::start(settings(|s| s.max_sync_batch_bytes = 32 * 1024)).await;
    let mut b = Node::start(settings(|_| {})).await;
    mesh(&[&a, &b]);
    a.replicate();
    b.replicate();

    // One write reaches the peer promptly (wake-up, not the interval).
    let t = Instant::now();
    a.put("first", b"hello");
    wait_for("first record on b", 10, || b.has("first")).await;
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );

    // A burst of 300 records of ~1 KB goes out in budget-sized batches.
    for i in 0..300 {
        a.put(&format!("k{i:03}"), &[i as u8; 1000]);
    }
    wait_for("300 records on b", 20, || {
        (0..300).all(|i| b.has(&format!("k{i:03}")))
    })
    .await;
    let last = a.st.storage.last_seq().unwrap();
    wait_for("a's cursor for b", 10, || a.cursor_for(&b) == last).await;
    let repl = a.st.replication.peers.read().unwrap()[&b.st.wallet].clone();
    assert_eq!(repl.acked_seq, last);
    assert_eq!(repl.lag_records, 0);
    assert!(repl.last_error.is_none(), "{repl:?}");
    assert!(repl.last_success_ms.is_some());

    // b received them from a: b's cursor for a passes them without sending them back.
    let b_last = b.st.storage.last_seq().unwrap();
    assert_eq!(
        b.st.storage
            .count_changes_since(0, Some(&a.st.wallet))
            .unwrap(),
        0
    );
    wait_for("b's cursor for a", 10, || b.cursor_for(&a) == b_last).await;

    // b's own writes flow back to a.
    b.put("from-b", b"x");
    wait_for("b's record on a", 10, || a.has("from-b")).await;

    // Peer outage: pushes fail (error recorded, cursor kept), then resume.
    b.stop_server().await;
    let before = a.cursor_for(&b);
    a.put("during-outage", b"y");
    let bw = b.st.wallet.clone();
    wait_for("error recorded", 15, || {
        a.st.replication.peers.read().unwrap()[&bw]
            .last_error
            .is_some()
    })
    .await;
    assert_eq!(a.cursor_for(&b), before, "no cursor advance without an ack");
    assert!(a.st.replication.peers.read().unwrap()[&bw].lag_records >= 1);
    b.restart_server().await;
    wait_for("record after the outage", 30, || b.has("during-outage")).await;
    wait_for("error cleared", 10, || {
        a.st.replication.peers.read().unwrap()[&bw]
            .last_error
            .is_none()
    })
    .await;

    // Both converge on the same content.
    assert_eq!(
        a.st.storage.snapshot(0).unwrap(),
        b.st.storage.snapshot(0).unwrap()
    );
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn snapshot_pulls_and_the_admin_sync_command() {
    let a = Node::start(settings(|_| {})).await;
    let c = Node::start(settings(|_| {})).await;
    mesh(&[&a, &c]);
    for i in 0..1200 {
        a.put(&format!("s{i:04}"), b"v");
    }
    let dk = a.st.data_key(APP).unwrap();
    a.st.storage
        .delete_local(APP, "s0000", &a.st.wallet, a.st.clock.now_ms())
        .unwrap()
        .unwrap();
    // a record of an app whose data key does not match is rejected by probe decryption
    a.st.storage
        .put_local(
            APP + 1,
            "bad",
            encrypt_value(&dk, b"wrong key"),
            0,
            &a.st.wallet,
            a.st.clock.now_ms(),
            &Limits::default(),
        )
        .unwrap();

    // pull_snapshot with progress, in chunks
    let steps = Arc::new(Mutex::new(Vec::new()));
    let s2 = steps.clone();
    let r = replicator::pull_snapshot(&c.st, &a.info(), move |done, total| {
        s2.lock().unwrap().push((done, total))
    })
    .await
    .unwrap();
    assert_eq!(
        (r.total, r.merged, r.skipped, r.rejected),
        (1201, 1200, 0, 1)
    );
    let steps = steps.lock().unwrap().clone();
    assert_eq!(steps.first(), Some(&(0, 1201)));
    assert_eq!(steps.last(), Some(&(1201, 1201)));
    assert!(steps.len() >= 4, "{steps:?}");
    assert!(c.st.storage.get(APP, "s0000").unwrap().unwrap().tombstone);
    // pulled records carry a as origin: nothing to push back to a
    assert_eq!(
        c.st.storage
            .count_changes_since(0, Some(&a.st.wallet))
            .unwrap(),
        0
    );

    // The same through the admin socket: a second pull merges nothing new.
    let dir = tempfile::tempdir().unwrap();
    let server =
        novakms::api::admin::start_at(c.st.clone(), &novakms::admin_wire::socket_path(dir.path()))
            .unwrap();
    let client = AdminClient::new(dir.path());
    let mut events = Vec::new();
    let res = client
        .sync(&format!("http://{}/", a.addr), |e| {
            events.push(match e {
                SyncEvent::Fetching { .. } => "fetching".to_string(),
                SyncEvent::Merging { done, total } => format!("merging {done}/{total}"),
                SyncEvent::Done(_) => "done".into(),
                SyncEvent::Failed(e) => format!("failed {e}"),
            })
        })
        .await
        .unwrap();
    assert_eq!(
        (res.total, res.merged, res.skipped, res.rejected),
        (1201, 0, 1200, 1)
    );
    assert_eq!(res.skip_reasons.get("ignored_equal_version"), Some(&1200));
    assert_eq!(res.peer_wallet, a.st.wallet);
    assert_eq!(events.first().map(String::as_str), Some("fetching"));
    assert_eq!(events.last().map(String::as_str), Some("done"));
    assert!(
        events.iter().any(|e| e == "merging 1201/1201"),
        "{events:?}"
    );
    // by wallet, and an unknown peer
    let res = client.sync(&a.st.wallet, |_| {}).await.unwrap();
    assert_eq!(res.merged, 0);
    let e = client.sync("http://127.0.0.1:1", |_| {}).await.unwrap_err();
    assert_eq!(e.kind(), novakms::ErrorKind::Local, "{e}");
    server.shutdown().await;
    a.shutdown().await;
    c.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_that_becomes_ready_pulls_from_a_peer() {
    // a holds data but does not push (no replicator): only d's initial pull can bring it.
    let a = Node::start(settings(|_| {})).await;
    let mut d = Node::start(settings(|_| {})).await;
    for i in 0..50 {
        a.put(&format!("old{i}"), b"v");
    }
    d.st.set_unready("initializing");
    mesh(&[&a, &d]);
    d.replicate();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!d.has("old0"), "no pull before readiness");
    d.st.set_ready();
    wait_for("initial pull on readiness", 15, || {
        (0..50).all(|i| d.has(&format!("old{i}")))
    })
    .await;
    a.shutdown().await;
    d.shutdown().await;
}
