//! A local cluster (`novakms devnet up|down`): anvil, the deployed contracts, registered node
//! and app identities, background `serve` processes and ready-to-use TOML configs, described
//! by `DIR/devnet.json` ([`DevnetInfo`]). Used by the CLI and the integration tests.
//!
//! With `--odyn-nodes K` the last K nodes hold their identity in a test Odyn process each
//! ([`odyn`]); the generated files are [`config`]'s.

mod config;
pub mod odyn;

pub use config::{AppConfig, NodeConfig};

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::devchain::{self, RegistryAdmin};
use crate::error::{Error, ErrorKind, Result};
use config::write_config;
use odyn::DevnetOdyn;

/// App id of the KMS cluster on a devnet (upstream default).
pub const DEVNET_KMS_APP_ID: u64 = 49;
/// App id of the demo app on a devnet.
pub const DEVNET_DEMO_APP_ID: u64 = 1000;

/// Most distinct app ids (namespaces) `devnet up --apps N` spreads its app
/// identities over: identity `i` (0-based) is an instance of app
/// `DEVNET_DEMO_APP_ID + i % DEVNET_APP_IDS`.
pub const DEVNET_APP_IDS: u16 = 3;

/// What `devnet up` starts.
#[derive(Debug, Clone)]
pub struct UpOptions {
    /// Number of KMS nodes (1–16).
    pub nodes: u16,
    /// Directory for keystores, configs, data and logs.
    pub dir: PathBuf,
    /// How long to wait for the nodes to become ready.
    pub timeout: Duration,
    /// Number of registered app identities (1–64), spread over up to [`DEVNET_APP_IDS`] app
    /// ids: identity `i` is an instance of app `DEVNET_DEMO_APP_ID + i % DEVNET_APP_IDS`.
    pub apps: u16,
    /// https only (issue 11 "Done means"): a private CA in `DIR/tls/`, nodes serving and
    /// registered with `https://` URLs, chain RPC behind a TLS terminator
    /// ([`crate::tls::proxy`]), and `ca_file` in every generated config.
    pub tls: bool,
    /// The last `odyn_nodes` nodes (0..=`nodes`) run on Odyn identity, each with its own test
    /// Odyn process ([`odyn`]); their configs say `identity = "odyn"` and `odyn_url`.
    pub odyn_nodes: u16,
}

/// `DIR/devnet.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevnetInfo {
    /// Chain JSON-RPC URL.
    pub rpc_url: String,
    /// anvil process id.
    pub anvil_pid: u32,
    /// Chain id.
    pub chain_id: u64,
    /// NovaAppRegistry (mock) address.
    pub nova_app_registry: String,
    /// KMSRegistry address.
    pub kms_registry: String,
    /// KMS app id.
    pub kms_app_id: u64,
    /// Registry owner key (anvil dev account 0; public knowledge, devnet only).
    pub owner_key: String,
    /// Keystore password file (shared by every devnet identity).
    pub password_file: PathBuf,
    /// The nodes.
    pub nodes: Vec<DevnetNode>,
    /// The apps.
    pub apps: Vec<DevnetApp>,
    /// `--tls`: the devnet CA certificate (PEM), to trust as `ca_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// `--tls`: process id of the TLS terminator in front of anvil (`devnet rpc-proxy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpc_proxy_pid: Option<u32>,
}

/// One devnet node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevnetNode {
    /// Base URL.
    pub url: String,
    /// Canonical wallet.
    pub wallet: String,
    /// Registry instance id.
    pub instance_id: u64,
    /// Data dir.
    pub data_dir: PathBuf,
    /// Config file (`serve --config` it).
    pub config: PathBuf,
    /// Keystore; empty (and absent from the JSON) for a node on Odyn identity.
    #[serde(default, skip_serializing_if = "path_is_empty")]
    pub keystore: PathBuf,
    /// Log file.
    pub log: PathBuf,
    /// Process id of the background `serve`.
    pub pid: u32,
    /// `--odyn-nodes`: the test Odyn holding this node's identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub odyn: Option<DevnetOdyn>,
}

fn path_is_empty(p: &Path) -> bool {
    p.as_os_str().is_empty()
}

impl DevnetInfo {
    /// Every helper process of the devnet besides the nodes and anvil: the `--tls` terminator
    /// and the test Odyns.
    pub fn helper_pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = self.rpc_proxy_pid.into_iter().collect();
        pids.extend(
            self.nodes
                .iter()
                .filter_map(|n| n.odyn.as_ref().map(|o| o.pid)),
        );
        pids
    }
}

/// One devnet app.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevnetApp {
    /// App id.
    pub app_id: u64,
    /// Wallet.
    pub wallet: String,
    /// Registry instance id.
    pub instance_id: u64,
    /// Keystore.
    pub keystore: PathBuf,
    /// Config file (`--config` it for `store` / `derive`).
    pub config: PathBuf,
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

fn pid_alive(pid: u32) -> bool {
    // SAFETY: kill with signal 0 only checks for existence.
    unsafe { libc::kill(pid as i32, 0) == 0 }
}

fn write_private(path: &Path, content: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::local(format!("cannot write {}: {e}", path.display())))?;
    f.write_all(content.as_bytes())?;
    Ok(())
}

fn spawn_detached(cmd: &mut std::process::Command, log: &Path) -> Result<u32> {
    use std::os::unix::process::CommandExt;
    let out = std::fs::File::create(log)
        .map_err(|e| Error::local(format!("cannot create {}: {e}", log.display())))?;
    let err = out.try_clone()?;
    let child = cmd
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| Error::local(format!("cannot start {:?}: {e}", cmd.get_program())))?;
    Ok(child.id())
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Start a devnet in `a.dir`: anvil, the contracts, `a.nodes` registered nodes started as
/// background `serve` processes (this executable), `a.apps` registered app identities, and
/// `devnet.json` describing them. Returns once every node is ready. Nothing is left running
/// when it fails.
///
/// Errors: Refused (a devnet already runs in `a.dir`), Local (anvil missing, I/O, a node
/// exited), Remote (chain), NotReady (nodes not ready within `a.timeout` seconds).
pub async fn up(a: &UpOptions) -> Result<DevnetInfo> {
    let dir = std::path::absolute(&a.dir)?;
    if let Ok(text) = std::fs::read_to_string(dir.join("devnet.json")) {
        if let Ok(old) = serde_json::from_str::<DevnetInfo>(&text) {
            if pid_alive(old.anvil_pid)
                || old.helper_pids().into_iter().any(pid_alive)
                || old.nodes.iter().any(|n| pid_alive(n.pid))
            {
                return Err(Error::new(
                    ErrorKind::Refused,
                    format!(
                        "a devnet is already running in {} (run `novakms devnet down --dir {}` first)",
                        dir.display(),
                        dir.display()
                    ),
                ));
            }
        }
    }
    if a.odyn_nodes > a.nodes {
        return Err(Error::new(
            ErrorKind::Usage,
            format!(
                "--odyn-nodes {} exceeds --nodes {}: the last K of the nodes run on Odyn identity",
                a.odyn_nodes, a.nodes
            ),
        ));
    }
    std::fs::create_dir_all(&dir)?;
    let anvil_bin = devchain::find_anvil()?;
    // anvil binds its port itself, so the port is chosen, released, then bound by anvil:
    // another process may take it in between. anvil then exits at once: try another port.
    let mut started = None;
    for _ in 0..3 {
        let port = free_port()?;
        let pid = spawn_detached(
            std::process::Command::new(&anvil_bin).args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ]),
            &dir.join("anvil.log"),
        )?;
        let url = format!("http://127.0.0.1:{port}");
        if anvil_came_up(pid, &url).await {
            started = Some((pid, url));
            break;
        }
        kill(pid);
    }
    let Some((anvil_pid, rpc_url)) = started else {
        return Err(Error::local(format!(
            "anvil did not start (3 ports tried):\n{}",
            tail(&dir.join("anvil.log"))
        )));
    };
    let mut proxy_pid = None;
    let mut odyn_pids = Vec::new();
    let result = match start_tls(a, &dir, &rpc_url, &mut proxy_pid).await {
        Ok(tls) => provision(a, &dir, tls, &rpc_url, anvil_pid, &mut odyn_pids).await,
        Err(e) => Err(e),
    };
    if result.is_err() {
        for pid in proxy_pid.into_iter().chain(odyn_pids) {
            kill(pid);
        }
        // Leave nothing running behind a failed `up`.
        if let Ok(text) = std::fs::read_to_string(dir.join("devnet.json")) {
            if let Ok(info) = serde_json::from_str::<DevnetInfo>(&text) {
                for n in &info.nodes {
                    kill(n.pid);
                }
            }
        }
        kill(anvil_pid);
    }
    result
}

/// anvil `pid` answers `eth_chainId` at `url` within 30 s, and is still the process that
/// answers (it did not exit because its port was taken).
async fn anvil_came_up(pid: u32, url: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if child_exited(pid) {
            return false;
        }
        if devchain::chain_id(url).await.is_ok() {
            return !child_exited(pid);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Our child `pid` has exited (reaped here; `kill(pid, 0)` would still see the zombie).
fn child_exited(pid: u32) -> bool {
    let mut status = 0;
    // SAFETY: non-blocking wait on a child we started.
    unsafe { libc::waitpid(pid as i32, &mut status, libc::WNOHANG) == pid as i32 }
}

fn kill(pid: u32) {
    if pid > 0 {
        // SAFETY: sending a signal to a pid we started.
        unsafe {
            libc::kill(pid as i32, libc::SIGKILL);
        }
    }
}

/// What `--tls` adds to a devnet: the CA, the https RPC URL in front of anvil, the terminator.
struct DevnetTls {
    ca: crate::tls::devca::DevCa,
    tls_dir: PathBuf,
    rpc_url: String,
    proxy_pid: u32,
}

/// With `a.tls`: make the devnet CA in `DIR/tls/`, trust it in this process, and start the TLS
/// terminator in front of anvil (`anvil_url`) on a port bound here and handed to it; `Ok` once
/// `eth_chainId` answers over https. `proxy_pid` is set as soon as the terminator runs (the
/// caller stops it on failure). `Ok(None)` without `a.tls`.
async fn start_tls(
    a: &UpOptions,
    dir: &Path,
    anvil_url: &str,
    proxy_pid: &mut Option<u32>,
) -> Result<Option<DevnetTls>> {
    if !a.tls {
        return Ok(None);
    }
    let tls_dir = dir.join("tls");
    std::fs::create_dir_all(&tls_dir)?;
    let ca = crate::tls::devca::DevCa::create(&tls_dir, "novakms devnet CA")?;
    crate::tls::client::set_ca_file(Some(&ca.ca_file))?;
    let leaf = ca.leaf(&tls_dir, "rpc")?;
    let upstream = anvil_url.trim_start_matches("http://").to_string();
    let listener = crate::activation::bind_reusable("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let log = dir.join("rpc-proxy.log");
    let _ = std::fs::remove_file(&log);
    let pid = crate::activation::spawn_with_listener(
        &std::env::current_exe()?,
        &[
            "devnet".as_ref(),
            "rpc-proxy".as_ref(),
            "--upstream".as_ref(),
            upstream.as_ref(),
            "--cert".as_ref(),
            leaf.cert_file.as_os_str(),
            "--key".as_ref(),
            leaf.key_file.as_os_str(),
        ],
        &[],
        &["NOVAKMS_CONFIG"],
        &listener,
        &log,
    )?;
    *proxy_pid = Some(pid);
    drop(listener);
    let rpc_url = format!("https://127.0.0.1:{port}");
    if let Err(e) = devchain::wait_for_rpc(&rpc_url, Duration::from_secs(30)).await {
        return Err(Error::local(format!(
            "the TLS terminator in front of anvil did not answer at {rpc_url}: {e}\n{}",
            tail(&log)
        )));
    }
    Ok(Some(DevnetTls {
        ca,
        tls_dir,
        rpc_url,
        proxy_pid: pid,
    }))
}

/// Deploy, register and start everything of `a` on a running chain; `odyn_pids` collects the
/// test Odyns as they start (the caller stops them on failure).
async fn provision(
    a: &UpOptions,
    dir: &Path,
    tls: Option<DevnetTls>,
    anvil_url: &str,
    anvil_pid: u32,
    odyn_pids: &mut Vec<u32>,
) -> Result<DevnetInfo> {
    // With --tls, everything (deploying included) goes through the https terminator.
    let rpc_url = tls.as_ref().map_or(anvil_url, |t| t.rpc_url.as_str());
    let ca_file = tls.as_ref().map(|t| t.ca.ca_file.display().to_string());
    let scheme = if tls.is_some() { "https" } else { "http" };
    devchain::wait_for_rpc(rpc_url, Duration::from_secs(30)).await?;
    let owner = devchain::dev_signer()?;
    eprintln!("deploying contracts to {rpc_url} ...");
    let deployed = devchain::deploy_contracts(rpc_url, &owner, DEVNET_KMS_APP_ID).await?;
    let admin = RegistryAdmin::new(rpc_url, &deployed.nova_app_registry, owner.clone())?;
    let chain_id = devchain::chain_id(rpc_url).await?;

    let password_file = dir.join("password");
    let password = hex::encode(rand::random::<[u8; 16]>());
    write_private(&password_file, &password)?;

    // Nodes.
    // Each node's port is bound here, registered on chain, and the bound socket handed to the
    // node (crate::activation): it is never released for another process to take.
    let mut nodes = Vec::new();
    let mut listeners = Vec::new();
    for i in 1..=a.nodes {
        let listener = crate::activation::bind_reusable("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        listeners.push(listener);
        let url = format!("{scheme}://127.0.0.1:{port}");
        let keystore = dir.join(format!("node-{i}.keystore.json"));
        let _ = std::fs::remove_file(&keystore);
        // A fresh devnet gets fresh identities: keystore or Odyn keys.
        let (wallet, tee_pubkey_der, keystore, odyn) = if i > a.nodes - a.odyn_nodes {
            let key_file = dir.join(format!("node-{i}.odyn-key.json"));
            let _ = std::fs::remove_file(&key_file);
            let log = dir.join(format!("node-{i}.odyn.log"));
            let _ = std::fs::remove_file(&log);
            let (o, id) = odyn::start_odyn(&key_file, &log).await?;
            odyn_pids.push(o.pid);
            (id.wallet, id.tee_pubkey_der, PathBuf::new(), Some(o))
        } else {
            let id = crate::identity::create_keystore(&keystore, &password)?;
            (id.address(), id.tee_pubkey_der(), keystore, None)
        };
        let instance_id = odyn::register_node(
            rpc_url,
            &owner,
            &admin,
            DEVNET_KMS_APP_ID,
            &wallet,
            &url,
            &tee_pubkey_der,
        )
        .await?;
        let data_dir = dir.join(format!("node-{i}"));
        let config = dir.join(format!("node-{i}.toml"));
        let leaf = match &tls {
            Some(t) => Some(t.ca.leaf(&t.tls_dir, &format!("node-{i}"))?),
            None => None,
        };
        let node_config = NodeConfig {
            rpc_url: rpc_url.to_string(),
            nova_app_registry: deployed.nova_app_registry.clone(),
            kms_registry: deployed.kms_registry.clone(),
            kms_app_id: DEVNET_KMS_APP_ID,
            password_file: Some(password_file.display().to_string()),
            keystore: Some(keystore.display().to_string()),
            identity: None,
            odyn_url: None,
            bind_addr: format!("127.0.0.1:{port}"),
            node_url: url.clone(),
            data_dir: data_dir.display().to_string(),
            node_tick_seconds: 1,
            nonce_rate_limit_per_minute: 0,
            addr: url.clone(),
            tls_cert_file: leaf.as_ref().map(|l| l.cert_file.display().to_string()),
            tls_key_file: leaf.as_ref().map(|l| l.key_file.display().to_string()),
            ca_file: ca_file.clone(),
        };
        let node_config = match &odyn {
            Some(o) => node_config.on_odyn(&o.url),
            None => node_config,
        };
        write_config(
            &config,
            &format!(
                "# novakms devnet node {i}: novakms serve --config {}\n\
                 # local cluster: no /nonce rate limit so load tests from 127.0.0.1 work\n{}",
                config.display(),
                match &odyn {
                    Some(o) => format!(
                        "# identity in a test Odyn: novakms devnet odyn --key-file {}\n",
                        o.key_file.display()
                    ),
                    None => String::new(),
                }
            ),
            &node_config,
        )?;
        nodes.push(DevnetNode {
            url,
            wallet,
            instance_id,
            data_dir,
            config,
            keystore,
            log: dir.join(format!("node-{i}.log")),
            pid: 0,
            odyn,
        });
    }

    // Demo apps: ACTIVE apps, ENROLLED versions, ACTIVE zkVerified instances.
    // Identity 0 keeps the historical file names app.keystore.json / app.toml.
    let app_ids = a.apps.min(DEVNET_APP_IDS);
    let mut versions = Vec::new();
    for k in 0..app_ids {
        let app = DEVNET_DEMO_APP_ID + u64::from(k);
        admin
            .create_app(
                app,
                "0x0000000000000000000000000000000000000000",
                &if k == 0 {
                    "novakms devnet demo app".to_string()
                } else {
                    format!("novakms devnet demo app {}", k + 1)
                },
            )
            .await?;
        versions.push(admin.add_version(app, "demo-v1", [0u8; 32]).await?);
    }
    let mut apps = Vec::new();
    for i in 0..a.apps {
        let app = DEVNET_DEMO_APP_ID + u64::from(i % app_ids);
        let version = versions[usize::from(i % app_ids)];
        let stem = if i == 0 {
            "app".to_string()
        } else {
            format!("app-{}", i + 1)
        };
        let app_keystore = dir.join(format!("{stem}.keystore.json"));
        let _ = std::fs::remove_file(&app_keystore);
        let app_identity = crate::identity::create_keystore_for(
            &app_keystore,
            &password,
            crate::identity::KeystoreKind::App,
        )?;
        let app_instance = admin
            .register_instance(
                app,
                version,
                &app_identity.address(),
                &format!("http://127.0.0.1/demo-{stem}"),
                &app_identity.tee_pubkey_der(),
                &app_identity.address(),
                true,
            )
            .await?;
        let app_config = dir.join(format!("{stem}.toml"));
        let config = AppConfig {
            rpc_url: rpc_url.to_string(),
            nova_app_registry: deployed.nova_app_registry.clone(),
            kms_registry: deployed.kms_registry.clone(),
            kms_app_id: DEVNET_KMS_APP_ID,
            password_file: password_file.display().to_string(),
            keystore: app_keystore.display().to_string(),
            addr: nodes[0].url.clone(),
            ca_file: ca_file.clone(),
        };
        write_config(
            &app_config,
            &format!(
                "# novakms devnet demo app {app}: novakms --config {} store put greeting hello\n",
                app_config.display()
            ),
            &config,
        )?;
        apps.push(DevnetApp {
            app_id: app,
            wallet: app_identity.address(),
            instance_id: app_instance,
            keystore: app_keystore,
            config: app_config,
        });
    }
    let mut info = DevnetInfo {
        rpc_url: rpc_url.to_string(),
        anvil_pid,
        chain_id,
        nova_app_registry: deployed.nova_app_registry.clone(),
        kms_registry: deployed.kms_registry.clone(),
        kms_app_id: DEVNET_KMS_APP_ID,
        owner_key: devchain::ANVIL_DEV_KEY_0.to_string(),
        password_file,
        nodes,
        apps,
        ca_file: tls.as_ref().map(|t| t.ca.ca_file.clone()),
        rpc_proxy_pid: tls.as_ref().map(|t| t.proxy_pid),
    };

    // Start the nodes.
    let exe = std::env::current_exe()?;
    let log_level = std::env::var("NOVAKMS_LOG").unwrap_or_else(|_| "info".into());
    for (n, listener) in info.nodes.iter_mut().zip(&listeners) {
        let _ = std::fs::remove_file(&n.log);
        n.pid = crate::activation::spawn_with_listener(
            &exe,
            &["serve".as_ref(), "--config".as_ref(), n.config.as_os_str()],
            &[("NOVAKMS_LOG", &log_level)],
            &["NOVAKMS_CONFIG"],
            listener,
            &n.log,
        )?;
    }
    drop(listeners);
    write_private(
        &dir.join("devnet.json"),
        &serde_json::to_string_pretty(&info).unwrap_or_default(),
    )?;

    // Wait for readiness.
    let deadline = Instant::now() + a.timeout;
    for (i, n) in info.nodes.iter().enumerate() {
        eprintln!("waiting for node-{} ({}) ...", i + 1, n.url);
        loop {
            if !pid_alive(n.pid) {
                return Err(Error::local(format!(
                    "node-{} exited during start; last log lines of {}:\n{}",
                    i + 1,
                    n.log.display(),
                    tail(&n.log)
                )));
            }
            if ready(&n.url).await {
                break;
            }
            if Instant::now() > deadline {
                return Err(Error::new(
                    ErrorKind::NotReady,
                    format!(
                        "node-{} not ready after {} s; last log lines of {}:\n{}",
                        i + 1,
                        a.timeout.as_secs(),
                        n.log.display(),
                        tail(&n.log)
                    ),
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    Ok(info)
}

/// Stop a devnet: SIGTERM the nodes (SIGKILL after 10 s), then the `--tls` RPC terminator and
/// the test Odyns (after the nodes, which use them until they exit), then anvil.
/// Returns how many processes were stopped. Errors: Local (no devnet.json).
pub async fn down(dir: &Path) -> Result<usize> {
    let path = dir.join("devnet.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::local(format!("no devnet in {}: {e}", dir.display())))?;
    let info: DevnetInfo = serde_json::from_str(&text)
        .map_err(|e| Error::local(format!("invalid {}: {e}", path.display())))?;
    let mut pids: Vec<u32> = info.nodes.iter().map(|n| n.pid).collect();
    pids.extend(info.helper_pids());
    pids.push(info.anvil_pid);
    let mut stopped = 0;
    for pid in pids {
        if pid == 0 || !pid_alive(pid) {
            continue;
        }
        // SAFETY: signalling a process this devnet started.
        unsafe {
            libc::kill(pid as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while pid_alive(pid) && Instant::now() < deadline {
            reap(pid);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if pid_alive(pid) {
            kill(pid);
        }
        stopped += 1;
    }
    Ok(stopped)
}

fn reap(pid: u32) {
    // Reap the child if it is ours (devnet up and down in one process, tests).
    // SAFETY: waitpid with WNOHANG on a specific pid.
    unsafe {
        libc::waitpid(pid as i32, std::ptr::null_mut(), libc::WNOHANG);
    }
}

/// The node at `url` answers `GET /readyz` with 200 within 2 s (protocol-independent: the
/// devnet only waits for the processes it started, without the node client above `chain`).
async fn ready(url: &str) -> bool {
    let Ok(http) = crate::tls::client::builder()
        .timeout(Duration::from_secs(2))
        .build()
    else {
        return false;
    };
    http.get(format!("{}/readyz", url.trim_end_matches('/')))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}
