//! Shared harness for end-to-end tests: a real devnet (anvil + deployed
//! contracts + `novakms serve` processes over HTTP) started through the
//! `novakms` binary itself, torn down on drop.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use novakms::chain::devchain::RegistryAdmin;
use novakms::chain::devnet::{DevnetInfo, DevnetNode};
use novakms::chain::registry::RegistryClient;
use novakms::client::app::AppClient;
use novakms::identity::Identity;

/// Path of the binary under test.
pub fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_novakms"))
}

/// A running devnet in a temporary directory.
pub struct Devnet {
    pub dir: tempfile::TempDir,
    pub info: DevnetInfo,
}

impl Devnet {
    /// `novakms devnet up --nodes n --dir <tmp> -o json`.
    pub fn up(nodes: u16) -> Devnet {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new(exe())
            .args([
                "devnet",
                "up",
                "--nodes",
                &nodes.to_string(),
                "-o",
                "json",
                "--dir",
            ])
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

    /// App client with an arbitrary identity against node `i` (the node's
    /// wallet and teePubkey taken from the node's keystore).
    pub fn client_for(&self, id: Identity, i: usize) -> AppClient {
        let node = self.identity(&self.info.nodes[i].keystore);
        AppClient::new(
            &self.info.nodes[i].url,
            id,
            &node.address(),
            node.tee_pubkey_der(),
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

    /// Start node `i` in the background without waiting.
    pub fn spawn_node(&self, i: usize, env: &[(&str, &str)]) -> u32 {
        let n = &self.info.nodes[i];
        let log = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&n.log)
            .unwrap();
        let mut c = Command::new(exe());
        c.arg("serve")
            .arg("--config")
            .arg(&n.config)
            .env_remove("NOVAKMS_CONFIG")
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (k, v) in env {
            c.env(k, v);
        }
        let child = c.spawn().unwrap();
        let pid = child.id();
        std::mem::forget(child); // reaped by wait_gone / devnet down
        std::fs::write(
            self.path().join(format!("node-{}.pid", i + 1)),
            pid.to_string(),
        )
        .unwrap();
        pid
    }
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
        unsafe {
            libc::kill(self.info.anvil_pid as i32, libc::SIGKILL);
        }
        reap(self.info.anvil_pid);
    }
}

fn reap(pid: u32) {
    unsafe {
        libc::waitpid(pid as i32, std::ptr::null_mut(), libc::WNOHANG);
    }
}

/// True while `pid` exists (and is not a zombie we can reap).
pub fn alive(pid: u32) -> bool {
    reap(pid);
    unsafe { libc::kill(pid as i32, 0) == 0 }
}

/// Wait until `pid` has exited.
pub fn wait_gone(pid: u32, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while alive(pid) {
        assert!(Instant::now() < deadline, "process {pid} did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Wait until `<url>/readyz` answers 200.
pub fn wait_ready(url: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    loop {
        let ok = rt.block_on(async {
            novakms::client::node::probe(url, Duration::from_secs(2))
                .await
                .map(|p| p.ready)
                .unwrap_or(false)
        });
        if ok {
            return;
        }
        assert!(Instant::now() < deadline, "{url} not ready in time");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// stdout of a successful command (panics with stderr otherwise).
pub fn ok_stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "command failed ({:?}): {}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Poll `<url>/readyz` until it answers 200; `Ok(time taken)`, or `Err` with the last
/// not-ready reason / transport error once `timeout` has passed (no panic, so callers can
/// report it with their own context).
pub async fn wait_ready_async(url: &str, timeout: Duration) -> Result<Duration, String> {
    let start = Instant::now();
    loop {
        let last = match novakms::client::node::probe(url, Duration::from_secs(2)).await {
            Ok(p) if p.ready => return Ok(start.elapsed()),
            Ok(p) => format!("not ready: {}", p.reason),
            Err(e) => e.to_string(),
        };
        if start.elapsed() >= timeout {
            return Err(format!("{url} not ready after {timeout:?}: {last}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Devnet {
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
}
