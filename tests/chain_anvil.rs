//! Integration tests of `novakms::chain` against a real anvil (tools/devchain) with the
//! MockNovaAppRegistry + KMSRegistry artifacts deployed: registry reads, app authorization
//! (protocol.md §2.7) with its cache, `setMasterSecretHash` (§9.2), and RPC timeouts.
//!
//! Needs anvil: `npm --prefix tools/devchain ci` (or `NOVAKMS_ANVIL=/path/to/anvil`).

use std::time::{Duration, Instant};

use alloy::primitives::keccak256;
use alloy::signers::local::PrivateKeySigner;
use novakms::chain::auth::{
    MSG_APP_NOT_ACTIVE, MSG_INSTANCE_NOT_ACTIVE, MSG_INSTANCE_NOT_FOUND, MSG_INSTANCE_NOT_ZK,
    MSG_VERSION_NOT_ENROLLED, MSG_VERSION_REVOKED,
};
use novakms::chain::{
    anvil_dev_signer, canonical_address, deploy_contracts, devchain, fund, Anvil, AppAuthCache,
    AuthError, Deployed, RegistryAdmin, RegistryClient, APP_ACTIVE, APP_INACTIVE, INSTANCE_ACTIVE,
    INSTANCE_FAILED, INSTANCE_STOPPED, VERSION_DEPRECATED, VERSION_ENROLLED, VERSION_REVOKED,
};
use novakms::ErrorKind;

const KMS_APP_ID: u64 = 49;
const TIMEOUT: Duration = Duration::from_secs(10);

struct Env {
    anvil: Anvil,
    deployed: Deployed,
    client: RegistryClient,
    admin: RegistryAdmin,
}

async fn setup() -> Env {
    let anvil = Anvil::spawn(None).await.expect("spawn anvil");
    let owner = anvil_dev_signer();
    let deployed = deploy_contracts(&anvil.rpc_url, &owner, KMS_APP_ID)
        .await
        .expect("deploy contracts");
    let client = RegistryClient::new(
        &anvil.rpc_url,
        &deployed.nova_app_registry,
        &deployed.kms_registry,
        TIMEOUT,
    )
    .unwrap();
    let admin = RegistryAdmin::new(&anvil.rpc_url, &deployed.nova_app_registry, owner)
        .unwrap()
        .with_timeout(TIMEOUT);
    Env {
        anvil,
        deployed,
        client,
        admin,
    }
}

/// A deterministic test wallet.
fn signer(label: &str) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&keccak256(label.as_bytes())).unwrap()
}

fn wallet(label: &str) -> String {
    canonical_address(&signer(label).address())
}

struct NewInstance {
    app_id: u64,
    version_id: u64,
    operator: String,
    instance_url: String,
    tee_pubkey: Vec<u8>,
    tee_wallet: String,
    zk_verified: bool,
}

async fn register(a: &RegistryAdmin, i: &NewInstance) -> novakms::Result<u64> {
    a.register_instance(
        i.app_id,
        i.version_id,
        &i.operator,
        &i.instance_url,
        &i.tee_pubkey,
        &i.tee_wallet,
        i.zk_verified,
    )
    .await
}

fn instance(app_id: u64, version_id: u64, label: &str, zk: bool) -> NewInstance {
    NewInstance {
        app_id,
        version_id,
        operator: wallet(&format!("{label}-operator")),
        instance_url: format!("http://{label}.invalid:8000"),
        tee_pubkey: vec![0x30, 0x76, label.len() as u8],
        tee_wallet: wallet(label),
        zk_verified: zk,
    }
}

fn forbidden(r: Result<novakms::chain::AuthorizedApp, AuthError>) -> String {
    match r {
        Err(AuthError::Refused(m)) => m,
        other => panic!("expected Refused, got {other:?}"),
    }
}

#[tokio::test]
async fn deploy_register_and_read_back() {
    let env = setup().await;
    let c = &env.client;
    assert_eq!(c.chain_id().await.unwrap(), 31337);
    let url = &env.anvil.rpc_url;
    assert_eq!(devchain::wait_for_rpc(url, TIMEOUT).await.unwrap(), 31337);
    assert_eq!(devchain::chain_id(url).await.unwrap(), 31337);
    assert_eq!(
        devchain::dev_signer().unwrap().address(),
        anvil_dev_signer().address()
    );
    assert_eq!(c.kms_app_id().await.unwrap(), KMS_APP_ID);
    assert_eq!(c.master_secret_hash().await.unwrap(), [0u8; 32]);

    let app = c.get_app(KMS_APP_ID).await.unwrap();
    assert_eq!(app.id, KMS_APP_ID);
    assert_eq!(app.status, APP_ACTIVE);
    assert_eq!(app.dapp_contract, env.deployed.kms_registry);
    assert_eq!(app.metadata_uri, "novakms devnet KMS");
    assert_eq!(app.latest_version_id, 1);
    assert_eq!(app.owner, canonical_address(&anvil_dev_signer().address()));
    let v = c.get_version(KMS_APP_ID, 1).await.unwrap();
    assert_eq!((v.id, v.status), (1, VERSION_ENROLLED));
    assert_eq!(v.version_name, "v1");
    assert_eq!(v.code_measurement, [0u8; 32]);

    let n1 = instance(KMS_APP_ID, 1, "node-1", true);
    let id1 = register(&env.admin, &n1).await.unwrap();
    let n2 = instance(KMS_APP_ID, 1, "node-2", true);
    let id2 = register(&env.admin, &n2).await.unwrap();
    assert_eq!((id1, id2), (1, 2));

    // Read back; the wallet may be given in any case / without 0x.
    let upper = n1.tee_wallet.trim_start_matches("0x").to_ascii_uppercase();
    let i = c.get_instance_by_wallet(&upper).await.unwrap();
    assert_eq!(i.id, id1);
    assert_eq!(i.app_id, KMS_APP_ID);
    assert_eq!(i.version_id, 1);
    assert_eq!(i.operator, n1.operator);
    assert_eq!(i.instance_url, n1.instance_url);
    assert_eq!(i.tee_pubkey, n1.tee_pubkey);
    assert_eq!(i.tee_wallet, n1.tee_wallet);
    assert!(i.zk_verified);
    assert_eq!(i.status, INSTANCE_ACTIVE);
    assert!(i.registered_at > 0);
    assert_eq!(c.get_instance(id2).await.unwrap().tee_wallet, n2.tee_wallet);

    assert_eq!(
        c.get_active_instances(KMS_APP_ID).await.unwrap(),
        vec![n1.tee_wallet.clone(), n2.tee_wallet.clone()]
    );
    assert_eq!(
        c.get_instances_for_version(KMS_APP_ID, 1).await.unwrap(),
        vec![id1, id2]
    );
    // The mock called KMSRegistry.addOperator for both.
    assert_eq!(
        c.kms_operators().await.unwrap(),
        vec![n1.tee_wallet.clone(), n2.tee_wallet.clone()]
    );

    // Unknown wallet: zeroed struct, returned as is.
    let none = c.get_instance_by_wallet(&wallet("nobody")).await.unwrap();
    assert_eq!(none.id, 0);
    assert!(none.is_not_found());

    // Unknown app / version: the mock reverts → NotReady with the reason.
    let e = c.get_app(999).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotReady, "{e}");
    assert!(e.message().contains("App not found"), "{e}");
    let e = c.get_version(KMS_APP_ID, 9).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotReady, "{e}");
    assert!(e.message().contains("Version not found"), "{e}");
    // Bad wallet input → Local, no RPC.
    let e = c.get_instance_by_wallet("0x1234").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Local);

    // Admin setters are visible.
    env.admin
        .set_instance_status(id1, INSTANCE_STOPPED)
        .await
        .unwrap();
    assert_eq!(
        c.get_active_instances(KMS_APP_ID).await.unwrap(),
        vec![n2.tee_wallet.clone()]
    );
    env.admin
        .set_instance_url(id2, "https://n2.example")
        .await
        .unwrap();
    env.admin
        .set_instance_tee_pubkey(id2, &[9, 9, 9])
        .await
        .unwrap();
    env.admin
        .set_instance_zk_verified(id2, false)
        .await
        .unwrap();
    let i2 = c.get_instance_by_wallet(&n2.tee_wallet).await.unwrap();
    assert_eq!(i2.instance_url, "https://n2.example");
    assert_eq!(i2.tee_pubkey, vec![9, 9, 9]);
    assert!(!i2.zk_verified);
    env.admin.remove_instance(id2).await.unwrap();
    assert_eq!(
        c.get_instance_by_wallet(&n2.tee_wallet).await.unwrap().id,
        0
    );
    assert_eq!(
        c.kms_operators().await.unwrap(),
        vec![n1.tee_wallet.clone()]
    );

    // A revert of an admin tx is reported with its reason.
    let e = register(&env.admin, &instance(KMS_APP_ID, 1, "node-1", true))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotReady, "{e}");
    assert!(e.message().contains("wallet has instance"), "{e}");
    drop(env.anvil);
}

#[tokio::test]
async fn app_auth_allow_and_refusals() {
    let env = setup().await;
    let a = &env.admin;
    // App 7: v1 ENROLLED, v2 DEPRECATED, v3 REVOKED, v4 unknown status 5.
    a.create_app(7, &canonical_address(&Default::default()), "app7")
        .await
        .unwrap();
    for name in ["v1", "v2", "v3", "v4"] {
        a.add_version(7, name, [7u8; 32]).await.unwrap();
    }
    a.set_version_status(7, 2, VERSION_DEPRECATED)
        .await
        .unwrap();
    a.set_version_status(7, 3, VERSION_REVOKED).await.unwrap();
    a.set_version_status(7, 4, 5).await.unwrap();
    // App 8: INACTIVE.
    a.create_app(8, &canonical_address(&Default::default()), "app8")
        .await
        .unwrap();
    assert_eq!(a.add_version(8, "v1", [8u8; 32]).await.unwrap(), 1);

    let ok = register(a, &instance(7, 1, "ok", true)).await.unwrap();
    register(a, &instance(7, 2, "deprecated", true))
        .await
        .unwrap();
    let stopped = register(a, &instance(7, 1, "stopped", true)).await.unwrap();
    a.set_instance_status(stopped, INSTANCE_STOPPED)
        .await
        .unwrap();
    let failed = register(a, &instance(7, 1, "failed", true)).await.unwrap();
    a.set_instance_status(failed, INSTANCE_FAILED)
        .await
        .unwrap();
    register(a, &instance(7, 1, "nozk", false)).await.unwrap();
    register(a, &instance(7, 3, "revoked", true)).await.unwrap();
    register(a, &instance(7, 4, "weird", true)).await.unwrap();
    register(a, &instance(8, 1, "inactive-app", true))
        .await
        .unwrap();
    a.set_app_status(8, APP_INACTIVE).await.unwrap();

    let cache = AppAuthCache::new(
        env.client.clone(),
        Duration::from_secs(180),
        Duration::from_secs(10),
        10_000,
    );
    let got = cache.authorize(&wallet("ok")).await.unwrap();
    assert_eq!(got.app_id, 7);
    assert_eq!(got.instance.id, ok);
    assert_eq!(got.instance.tee_wallet, wallet("ok"));
    // Non-canonical spelling is canonicalized.
    let upper = wallet("ok").to_ascii_uppercase().replacen("0X", "0x", 1);
    assert_eq!(cache.authorize(&upper).await.unwrap().app_id, 7);
    assert_eq!(
        cache.authorize(&wallet("deprecated")).await.unwrap().app_id,
        7
    );
    // The KMS nodes themselves may call (namespace = kms_app_id).
    register(a, &instance(KMS_APP_ID, 1, "kms-node", true))
        .await
        .unwrap();
    assert_eq!(
        cache.authorize(&wallet("kms-node")).await.unwrap().app_id,
        KMS_APP_ID
    );

    assert_eq!(
        forbidden(cache.authorize(&wallet("unknown")).await),
        MSG_INSTANCE_NOT_FOUND
    );
    assert_eq!(
        forbidden(cache.authorize(&wallet("stopped")).await),
        MSG_INSTANCE_NOT_ACTIVE
    );
    assert_eq!(
        forbidden(cache.authorize(&wallet("failed")).await),
        MSG_INSTANCE_NOT_ACTIVE
    );
    assert_eq!(
        forbidden(cache.authorize(&wallet("nozk")).await),
        MSG_INSTANCE_NOT_ZK
    );
    assert_eq!(
        forbidden(cache.authorize(&wallet("inactive-app")).await),
        MSG_APP_NOT_ACTIVE
    );
    assert_eq!(
        forbidden(cache.authorize(&wallet("revoked")).await),
        MSG_VERSION_REVOKED
    );
    assert_eq!(
        forbidden(cache.authorize(&wallet("weird")).await),
        MSG_VERSION_NOT_ENROLLED
    );
    assert_eq!(
        forbidden(cache.authorize("not-a-wallet").await),
        "Invalid wallet address"
    );
    // Repeated answers come from the cache and stay identical.
    assert_eq!(
        forbidden(cache.authorize(&wallet("revoked")).await),
        MSG_VERSION_REVOKED
    );
    let (instances, apps, versions) = cache.cached_entries();
    assert!(
        instances >= 9 && apps >= 2 && versions >= 4,
        "{instances} {apps} {versions}"
    );
}

#[tokio::test]
async fn app_auth_cache_ttl_and_invalidate() {
    let env = setup().await;
    let a = &env.admin;
    a.create_app(7, &canonical_address(&Default::default()), "app7")
        .await
        .unwrap();
    a.add_version(7, "v1", [0u8; 32]).await.unwrap();
    let id = register(a, &instance(7, 1, "app", true)).await.unwrap();

    // Long TTL: a change is invisible until invalidate_all().
    let long = AppAuthCache::new(
        env.client.clone(),
        Duration::from_secs(180),
        Duration::from_secs(10),
        100,
    );
    long.authorize(&wallet("app")).await.unwrap();
    a.set_instance_status(id, INSTANCE_STOPPED).await.unwrap();
    long.authorize(&wallet("app"))
        .await
        .expect("still cached as ACTIVE");
    long.invalidate_all();
    assert_eq!(
        forbidden(long.authorize(&wallet("app")).await),
        MSG_INSTANCE_NOT_ACTIVE
    );
    a.set_instance_status(id, INSTANCE_ACTIVE).await.unwrap();

    // Short TTL: changes (revocation, a late registration) show up after the TTL.
    let ttl = Duration::from_millis(1500);
    let short = AppAuthCache::new(env.client.clone(), ttl, ttl, 100);
    short.authorize(&wallet("app")).await.unwrap();
    a.set_version_status(7, 1, VERSION_REVOKED).await.unwrap();
    short
        .authorize(&wallet("app"))
        .await
        .expect("version still cached as ENROLLED");
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    assert_eq!(
        forbidden(short.authorize(&wallet("app")).await),
        MSG_VERSION_REVOKED
    );
    a.set_version_status(7, 1, VERSION_ENROLLED).await.unwrap();

    // Not-found results are cached for not_found_ttl only.
    let nf = AppAuthCache::new(
        env.client.clone(),
        Duration::from_secs(180),
        Duration::from_millis(1500),
        100,
    );
    assert_eq!(
        forbidden(nf.authorize(&wallet("late")).await),
        MSG_INSTANCE_NOT_FOUND
    );
    register(a, &instance(7, 1, "late", true)).await.unwrap();
    assert_eq!(
        forbidden(nf.authorize(&wallet("late")).await),
        MSG_INSTANCE_NOT_FOUND,
        "not-found still cached"
    );
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(nf.authorize(&wallet("late")).await.unwrap().app_id, 7);

    // A bounded cache keeps working past its capacity.
    let tiny = AppAuthCache::new(
        env.client.clone(),
        Duration::from_secs(180),
        Duration::from_secs(10),
        2,
    );
    for i in 0..5 {
        let _ = tiny.authorize(&wallet(&format!("x{i}"))).await;
    }
    assert!(tiny.cached_entries().0 <= 2);
    assert_eq!(tiny.authorize(&wallet("app")).await.unwrap().app_id, 7);
}

#[tokio::test]
async fn set_master_secret_hash_once() {
    let env = setup().await;
    let owner = anvil_dev_signer();
    let node = signer("kms-node-1");
    let stranger = signer("stranger");
    for s in [&node, &stranger] {
        fund(
            &env.anvil.rpc_url,
            &owner,
            &canonical_address(&s.address()),
            10u128.pow(18),
        )
        .await
        .unwrap();
    }
    let mut n = instance(KMS_APP_ID, 1, "kms-node-1", true);
    n.tee_wallet = canonical_address(&node.address());
    register(&env.admin, &n).await.unwrap();

    let h = keccak256(b"master secret");
    // Not a registered KMS instance → NotAuthorizedToSetHash.
    let e = env
        .client
        .set_master_secret_hash(&stranger, h.0)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotReady, "{e}");
    assert!(e.message().contains("NotAuthorizedToSetHash"), "{e}");
    assert_eq!(env.client.master_secret_hash().await.unwrap(), [0u8; 32]);

    let tx = env.client.set_master_secret_hash(&node, h.0).await.unwrap();
    assert!(tx.starts_with("0x") && tx.len() == 66, "{tx}");
    assert_eq!(env.client.master_secret_hash().await.unwrap(), h.0);

    let e = env
        .client
        .set_master_secret_hash(&node, [1u8; 32])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotReady, "{e}");
    assert!(e.message().contains("MasterSecretHashAlreadySet"), "{e}");
    assert_eq!(env.client.master_secret_hash().await.unwrap(), h.0);
}

/// A server that accepts TCP connections and never answers: every call must fail with
/// ErrorKind::Remote within (about) the configured timeout.
#[tokio::test]
async fn rpc_timeout_on_silent_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s); // keep the connection open, never respond
        }
    });
    let addr = "0x0f68e6e699f2e972998a1ecc000c7ce103e64cc8";
    let timeout = Duration::from_millis(500);
    let client = RegistryClient::new(&url, addr, addr, timeout).unwrap();

    let t0 = Instant::now();
    let e = client
        .get_instance_by_wallet(&wallet("x"))
        .await
        .unwrap_err();
    let took = t0.elapsed();
    assert_eq!(e.kind(), ErrorKind::Remote, "{e}");
    assert!(
        e.message().starts_with("chain RPC http://127.0.0.1:"),
        "{e}"
    );
    // Bounded (a client without a timeout would wait forever); the margin absorbs a loaded
    // machine's scheduling delays.
    assert!(took < timeout * 10, "took {took:?}");
    assert!(took >= timeout - Duration::from_millis(50), "took {took:?}");

    let t0 = Instant::now();
    let e = client.master_secret_hash().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Remote, "{e}");
    let e2 = client.chain_id().await.unwrap_err();
    assert_eq!(e2.kind(), ErrorKind::Remote, "{e2}");
    assert!(t0.elapsed() < 2 * timeout * 10);

    // The transaction path is bounded as well.
    let e = client
        .set_master_secret_hash(&signer("n"), [1u8; 32])
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Remote, "{e}");

    // Through the auth cache: an Rpc error (→ 500), not cached.
    let cache = AppAuthCache::new(
        client,
        Duration::from_secs(180),
        Duration::from_secs(10),
        10,
    );
    match cache.authorize(&wallet("x")).await {
        Err(AuthError::Rpc(m)) => {
            assert!(
                m.starts_with("Registry getInstanceByWallet error: chain RPC"),
                "{m}"
            )
        }
        other => panic!("expected Rpc, got {other:?}"),
    }
    assert_eq!(cache.cached_entries(), (0, 0, 0));
    holder.abort();
}

/// Nothing listening: a fast Remote error, never a hang.
#[tokio::test]
async fn rpc_connection_refused_is_remote() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr = "0x0f68e6e699f2e972998a1ecc000c7ce103e64cc8";
    let client = RegistryClient::new(
        &format!("http://127.0.0.1:{port}"),
        addr,
        addr,
        Duration::from_secs(5),
    )
    .unwrap();
    let t0 = Instant::now();
    let e = client.get_active_instances(49).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Remote, "{e}");
    assert!(t0.elapsed() < Duration::from_secs(4));

    let url = format!("http://127.0.0.1:{port}");
    let t0 = Instant::now();
    let e = devchain::wait_for_rpc(&url, Duration::from_millis(600))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Remote, "{e}");
    assert!(t0.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn anvil_is_killed_on_drop() {
    let anvil = Anvil::spawn(None).await.unwrap();
    let port = anvil.port;
    assert_eq!(anvil.rpc_url, format!("http://127.0.0.1:{port}"));
    let second = Anvil::spawn(None).await.unwrap();
    assert_ne!(second.port, port);
    drop(second);
    drop(anvil);
    // The port no longer accepts connections.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            break;
        }
        assert!(Instant::now() < deadline, "anvil still listening on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
