//! A real devnet (anvil + deployed contracts + `novakms serve` processes over HTTP) started
//! through the `novakms` binary itself and torn down on drop, and the chain setup tests do on
//! it (registering instances, refused apps, new nodes).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use novakms::chain::devchain::RegistryAdmin;
use novakms::chain::devnet::{DevnetInfo, DevnetNode, NodeConfig};
use novakms::chain::registry::RegistryClient;
use novakms::client::app::AppClient;
use novakms::identity::Identity;
use novakms::node::peers::PeerInfo;

use super::exe;
use super::process::{reap, wait_gone};
use super::wait::wait_ready;

/// A running devnet in a temporary directory.
pub struct Devnet {
    pub dir: tempfile::TempDir,
    pub info: DevnetInfo,
}

impl Devnet {
    /// `novakms devnet up --nodes n --dir <tmp> -o json`.
    pub fn up(nodes: u16) -> Devnet {
        Devnet::up_with(nodes, &[])
    }

    /// [`Devnet::up`] with extra `devnet up` arguments (e.g. `["--apps", "2"]`).
    pub fn up_with(nodes: u16, extra: &[&str]) -> Devnet {
        Devnet::up_env(nodes, extra, &[])
    }

    /// [`Devnet::up_with`] with environment variables for `devnet up`, which its nodes inherit
    /// (e.g. `NOVAKMS_ANTI_ENTROPY_INTERVAL_SECONDS`). Restarted nodes need them again
    /// ([`Devnet::spawn_node`]'s `env`).
    pub fn up_env(nodes: u16, extra: &[&str], env: &[(&str, &str)]) -> Devnet {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new(exe())
            .args(["devnet", "up", "--nodes", &nodes.to_string()])
            .args(extra)
            .envs(env.iter().copied())
            .args(["-o", "json", "--dir"])
            .arg(dir.path())
            .env_remove("NOVAKMS_CONFIG")
            .output()
            .expect("run devnet up");
        assert!(
            out.status.success(),
            "devnet up failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let info: DevnetInfo = serde_json::from_slice(&out.stdout).expect("devnet json");
        Devnet { dir, info }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn app_config(&self) -> PathBuf {
        self.info.apps[0].config.clone()
    }

    pub fn node(&self, i: usize) -> &DevnetNode {
        &self.info.nodes[i]
    }

    pub fn password(&self) -> String {
        std::fs::read_to_string(&self.info.password_file).unwrap()
    }

    /// Run the CLI with `--config app.toml` plus `args`.
    pub fn app_cli(&self, args: &[&str]) -> Output {
        let mut c = Command::new(exe());
        c.arg("--config").arg(self.app_config()).args(args);
        c.env_remove("NOVAKMS_CONFIG");
        c.output().expect("run novakms")
    }

    /// Registry owner for test setup.
    pub fn admin(&self) -> RegistryAdmin {
        let owner = novakms::chain::devchain::dev_signer().unwrap();
        RegistryAdmin::new(&self.info.rpc_url, &self.info.nova_app_registry, owner).unwrap()
    }

    pub fn registry(&self) -> RegistryClient {
        RegistryClient::new(
            &self.info.rpc_url,
            &self.info.nova_app_registry,
            &self.info.kms_registry,
            Duration::from_secs(10),
        )
        .unwrap()
    }

    /// Load an identity from a devnet keystore.
    pub fn identity(&self, keystore: &Path) -> Identity {
        novakms::identity::load_keystore(keystore, &self.password()).unwrap()
    }

    /// App client of the demo app against node `i`.
    pub fn app_client(&self, i: usize) -> AppClient {
        let id = self.identity(&self.info.apps[0].keystore);
        self.client_for(id, i)
    }

    /// Node `i`'s wallet and teePubkey (DER): from its keystore, or from its test Odyn's key
    /// file on a `--odyn-nodes` node.
    pub fn node_keys(&self, i: usize) -> (String, Vec<u8>) {
        match &self.info.nodes[i].odyn {
            Some(o) => {
                let k = novakms::devnet_odyn::OdynKeys::load_or_create(&o.key_file).unwrap();
                (k.address(), k.tee_pubkey_der())
            }
            None => {
                let node = self.identity(&self.info.nodes[i].keystore);
                (node.address(), node.tee_pubkey_der())
            }
        }
    }

    /// App client with an arbitrary identity against node `i` (the node's
    /// wallet and teePubkey from [`Devnet::node_keys`]).
    pub fn client_for(&self, id: Identity, i: usize) -> AppClient {
        let (wallet, tee) = self.node_keys(i);
        AppClient::new(
            &self.info.nodes[i].url,
            id,
            &wallet,
            tee,
            novakms::crypto::envelope::DEFAULT_INFO_LABEL,
            Duration::from_secs(30),
        )
        .unwrap()
    }

    /// Send a signal to node `i`'s process and wait until it is gone.
    pub fn signal_node(&self, i: usize, sig: i32) {
        let pid = self.node_pid(i);
        unsafe {
            libc::kill(pid as i32, sig);
        }
        wait_gone(pid, Duration::from_secs(20));
    }

    /// Current pid of node `i` (updated by [`Devnet::restart_node`]).
    pub fn node_pid(&self, i: usize) -> u32 {
        let path = self.path().join(format!("node-{}.pid", i + 1));
        std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(self.info.nodes[i].pid)
    }

    /// Start `novakms serve --config node-<i>.toml` again (background,
    /// appending to its log) with extra env, and wait until ready.
    pub fn restart_node(&self, i: usize, env: &[(&str, &str)]) -> u32 {
        let pid = self.spawn_node(i, env);
        wait_ready(&self.info.nodes[i].url, Duration::from_secs(60));
        pid
    }

    /// Start node `i` in the background without waiting. Its registered port is bound here
    /// (retrying while a killed predecessor's socket or another process still holds it) and
    /// the bound socket handed to the node (`novakms::activation`), so the port cannot be
    /// lost between the check and the node's start.
    pub fn spawn_node(&self, i: usize, env: &[(&str, &str)]) -> u32 {
        let n = &self.info.nodes[i];
        let port = url::Url::parse(&n.url).unwrap().port().unwrap();
        let listener = super::process::bind_with_retry(&format!("127.0.0.1:{port}"));
        let pid = novakms::activation::spawn_with_listener(
            &exe(),
            &["serve".as_ref(), "--config".as_ref(), n.config.as_os_str()],
            env,
            &["NOVAKMS_CONFIG"],
            &listener,
            &n.log,
        )
        .unwrap();
        std::fs::write(
            self.path().join(format!("node-{}.pid", i + 1)),
            pid.to_string(),
        )
        .unwrap();
        pid
    }

    /// An app client of the demo app against node `i` built from already loaded identities
    /// (keystore decryption is slow; load once, clone per client). `timeout` bounds each call.
    pub fn client_with(
        &self,
        app: &Identity,
        node: &Identity,
        i: usize,
        timeout: Duration,
    ) -> AppClient {
        AppClient::new(
            &self.info.nodes[i].url,
            app.clone(),
            &node.address(),
            node.tee_pubkey_der(),
            novakms::crypto::envelope::DEFAULT_INFO_LABEL,
            timeout,
        )
        .unwrap()
    }

    /// Send `sig` to node `i` without waiting for it to exit (SIGSTOP / SIGCONT).
    pub fn signal_node_nowait(&self, i: usize, sig: i32) {
        let pid = self.node_pid(i);
        unsafe {
            libc::kill(pid as i32, sig);
        }
    }

    /// Register a new KMS node identity `name` in the devnet's cluster (funded, active,
    /// zkVerified, on a free port) and write its config: a copy of node 1's with its own
    /// keystore `<name>.keystore.json`, address, `addr` and data dir `<name>-data`, as
    /// `<name>.toml`. The node is not started (see [`super::process::spawn_serve`]).
    pub fn add_node(&self, rt: &tokio::runtime::Runtime, name: &str) -> NewNode {
        self.add_node_at(rt, name, "http")
    }

    /// [`Devnet::add_node`] registered (and configured) with a `scheme://127.0.0.1:<port>` URL,
    /// e.g. `https` for a node that serves TLS (its certificate settings are the caller's).
    pub fn add_node_at(&self, rt: &tokio::runtime::Runtime, name: &str, scheme: &str) -> NewNode {
        let keystore = self.path().join(format!("{name}.keystore.json"));
        let id = novakms::identity::create_keystore(&keystore, &self.password()).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("{scheme}://127.0.0.1:{port}");
        rt.block_on(async {
            let owner = novakms::chain::devchain::dev_signer().unwrap();
            novakms::chain::devnet::odyn::register_node(
                &self.info.rpc_url,
                &owner,
                &self.admin(),
                self.info.kms_app_id,
                &id.address(),
                &url,
                &id.tee_pubkey_der(),
            )
            .await
            .unwrap();
        });
        let data_dir = self.path().join(format!("{name}-data"));
        let base = std::fs::read_to_string(&self.node(0).config).unwrap();
        let mut cfg = String::new();
        for line in base.lines() {
            let k = line.split('=').next().unwrap_or("").trim();
            if !["keystore", "bind_addr", "node_url", "data_dir", "addr"].contains(&k) {
                cfg.push_str(line);
                cfg.push('\n');
            }
        }
        cfg.push_str(&format!(
            "keystore = {:?}\nbind_addr = \"127.0.0.1:{port}\"\nnode_url = \"{url}\"\ndata_dir = {:?}\naddr = \"{url}\"\n",
            keystore.display().to_string(),
            data_dir.display().to_string()
        ));
        let config = self.path().join(format!("{name}.toml"));
        std::fs::write(&config, cfg).unwrap();
        NewNode {
            id,
            config,
            url,
            data_dir,
        }
    }

    /// Register a KMS node whose identity lives in an Odyn at `odyn_url` (wallet `wallet`,
    /// teePubkey `tee_der`): funded (it may send `setMasterSecretHash`), active, zkVerified,
    /// on a free port (`chain::devnet::odyn::register_node`, as `devnet up --odyn-nodes`
    /// does), with node 1's config switched to `identity = "odyn"` and `odyn_url`
    /// (`NodeConfig::on_odyn`). Returns the config, URL, data dir and
    /// the registry instance id. Reusing `port` keeps the node's URL (a new enclave identity
    /// on the same host).
    pub fn add_odyn_node(
        &self,
        rt: &tokio::runtime::Runtime,
        name: &str,
        odyn_url: &str,
        wallet: &str,
        tee_der: &[u8],
        port: Option<u16>,
    ) -> (PathBuf, String, PathBuf, u64) {
        let port = port.unwrap_or_else(|| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        });
        let url = format!("http://127.0.0.1:{port}");
        let iid = rt.block_on(async {
            let owner = novakms::chain::devchain::dev_signer().unwrap();
            novakms::chain::devnet::odyn::register_node(
                &self.info.rpc_url,
                &owner,
                &self.admin(),
                self.info.kms_app_id,
                wallet,
                &url,
                tee_der,
            )
            .await
            .unwrap()
        });
        let data_dir = self.path().join(format!("{name}-data"));
        let base: NodeConfig =
            toml::from_str(&std::fs::read_to_string(&self.node(0).config).unwrap()).unwrap();
        let cfg = NodeConfig {
            bind_addr: format!("127.0.0.1:{port}"),
            node_url: url.clone(),
            data_dir: data_dir.display().to_string(),
            addr: url.clone(),
            ..base
        }
        .on_odyn(odyn_url);
        let config = self.path().join(format!("{name}.toml"));
        std::fs::write(&config, toml::to_string(&cfg).unwrap()).unwrap();
        (config, url, data_dir, iid)
    }

    /// Node `i` as a peer, from the registry (wallet, URL, teePubkey).
    pub async fn node_peer(&self, i: usize) -> PeerInfo {
        let inst = self
            .registry()
            .get_instance_by_wallet(&self.node(i).wallet)
            .await
            .unwrap();
        PeerInfo::from_instance(inst)
    }

    /// Register a fresh identity as a KMS instance (app `kms_app_id`, version 1, operator the
    /// registry owner) with an unreachable URL. Returns the identity and its instance id.
    pub async fn register_kms(&self, zk_verified: bool) -> (Identity, u64) {
        let id = Identity::generate();
        let admin = self.admin();
        let iid = admin
            .register_instance(
                self.info.kms_app_id,
                1,
                &admin.owner(),
                "http://127.0.0.1:9",
                &id.tee_pubkey_der(),
                &id.address(),
                zk_verified,
            )
            .await
            .unwrap();
        (id, iid)
    }
}

/// A node registered by [`Devnet::add_node`], not started yet.
pub struct NewNode {
    pub id: Identity,
    /// `<name>.toml`: `novakms serve --config` starts it, client commands talk to it.
    pub config: PathBuf,
    pub url: String,
    pub data_dir: PathBuf,
}

/// Register `id` as an instance of `app_id` / `version` (operator = its own wallet, an
/// unreachable URL); returns the instance id.
pub async fn register_instance(
    admin: &RegistryAdmin,
    id: &Identity,
    app_id: u64,
    version: u64,
    zk_verified: bool,
) -> u64 {
    let w = id.address();
    admin
        .register_instance(
            app_id,
            version,
            &w,
            "http://127.0.0.1:9",
            &id.tee_pubkey_der(),
            &w,
            zk_verified,
        )
        .await
        .unwrap()
}

/// App identities registered in each state the node must refuse (protocol.md §2.7).
pub struct RefusedApps {
    /// Instance of `app` whose status was set to stopped.
    pub stopped: Identity,
    /// Instance of `app` that is not zkVerified.
    pub not_zk: Identity,
    /// Instance of app 2001, which is inactive.
    pub inactive_app: Identity,
    /// Instance on version 1 of app 2002, which is revoked.
    pub revoked: Identity,
}

/// Register [`RefusedApps`]: two instances of `app` (stopped, not zkVerified) and apps 2001
/// (inactive) and 2002 (its version revoked) with one instance each.
pub async fn register_refused_apps(admin: &RegistryAdmin, app: u64) -> RefusedApps {
    let zero = "0x0000000000000000000000000000000000000000";
    let ids = RefusedApps {
        stopped: Identity::generate(),
        not_zk: Identity::generate(),
        inactive_app: Identity::generate(),
        revoked: Identity::generate(),
    };
    let sid = register_instance(admin, &ids.stopped, app, 1, true).await;
    admin.set_instance_status(sid, 1).await.unwrap();
    register_instance(admin, &ids.not_zk, app, 1, false).await;
    admin.create_app(2001, zero, "inactive").await.unwrap();
    let v = admin.add_version(2001, "v1", [0u8; 32]).await.unwrap();
    register_instance(admin, &ids.inactive_app, 2001, v, true).await;
    admin.set_app_status(2001, 1).await.unwrap();
    admin.create_app(2002, zero, "revoked").await.unwrap();
    let v = admin.add_version(2002, "v1", [0u8; 32]).await.unwrap();
    register_instance(admin, &ids.revoked, 2002, v, true).await;
    admin.set_version_status(2002, v, 2).await.unwrap();
    ids
}

impl Drop for Devnet {
    fn drop(&mut self) {
        for i in 0..self.info.nodes.len() {
            let pid = self.node_pid(i);
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
            }
            reap(pid);
        }
        for pid in self.info.helper_pids() {
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
            }
            reap(pid);
        }
        unsafe {
            libc::kill(self.info.anvil_pid as i32, libc::SIGKILL);
        }
        reap(self.info.anvil_pid);
    }
}
