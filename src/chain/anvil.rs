//! A spawned local anvil chain for integration tests and `novakms devnet`.
//!
//! Binary lookup order: `$NOVAKMS_ANVIL`; `<crate root>/tools/devchain/node_modules/.bin/anvil`
//! (crate root = `CARGO_MANIFEST_DIR` at build time); the same relative path under every
//! ancestor of the current executable; `anvil` on `PATH`. When the found file is the npm
//! wrapper script of `@foundry-rs/anvil`, the native platform binary next to it is preferred
//! (so no `node` process sits in between).
//!
//! The child runs in its own process group; dropping [`Anvil`] kills the whole group, so a
//! wrapper and its native child both go away.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::error::{Error, Result};

/// Environment variable naming the anvil binary to use.
pub const ANVIL_ENV: &str = "NOVAKMS_ANVIL";

/// How long [`Anvil::spawn`] waits for `eth_chainId` to answer.
pub const ANVIL_START_TIMEOUT: Duration = Duration::from_secs(20);

/// Chain id of a default anvil chain.
pub const ANVIL_CHAIN_ID: u64 = 31337;

const NOT_FOUND: &str =
    "anvil not found: run `make devchain` (npm install in tools/devchain) or set NOVAKMS_ANVIL";

const NPM_BIN: &str = "tools/devchain/node_modules/.bin/anvil";

/// A running anvil child process listening on `127.0.0.1:<port>` (auto-mining, chain id
/// 31337, the standard funded dev accounts). Killed (with its process group) on drop.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    /// JSON-RPC URL, `http://127.0.0.1:<port>`.
    pub rpc_url: String,
    /// TCP port on 127.0.0.1.
    pub port: u16,
}

impl Anvil {
    /// Start anvil on `127.0.0.1:port` (a free port is picked when `None`) with `--silent`,
    /// auto-mining (no block time), and wait until `eth_chainId` answers (at most
    /// [`ANVIL_START_TIMEOUT`]).
    ///
    /// Errors (all [`crate::ErrorKind::Local`]): no binary found (message says how to install
    /// one), spawn failure, the process exiting early (its stderr is included), or not
    /// answering in time.
    pub async fn spawn(port: Option<u16>) -> Result<Anvil> {
        let bin = find_anvil()?;
        let attempts = if port.is_some() { 1 } else { 3 };
        let mut last = None;
        for _ in 0..attempts {
            let p = match port {
                Some(p) => p,
                None => free_port()?,
            };
            match Self::spawn_at(&bin, p).await {
                Ok(a) => return Ok(a),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::local("anvil did not start")))
    }

    async fn spawn_at(bin: &Path, port: u16) -> Result<Anvil> {
        let mut cmd = Command::new(bin);
        cmd.arg("--host")
            .arg("127.0.0.1")
            .arg("--port")
            .arg(port.to_string())
            .arg("--silent")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let child = cmd
            .spawn()
            .map_err(|e| Error::local(format!("cannot start anvil {}: {e}", bin.display())))?;
        let mut anvil = Anvil {
            child,
            rpc_url: format!("http://127.0.0.1:{port}"),
            port,
        };
        let deadline = tokio::time::Instant::now() + ANVIL_START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = anvil.child.try_wait() {
                let mut err = String::new();
                if let Some(mut s) = anvil.child.stderr.take() {
                    let _ = s.read_to_string(&mut err);
                }
                return Err(Error::local(format!(
                    "anvil exited early ({status}) on port {port}: {}",
                    err.trim()
                )));
            }
            if probe_chain_id(port).await {
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(Error::local(format!(
                    "anvil on port {port} did not answer eth_chainId within {} s",
                    ANVIL_START_TIMEOUT.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Keep draining stderr so the child can never block on a full pipe.
        if let Some(mut s) = anvil.child.stderr.take() {
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s, &mut std::io::sink());
            });
        }
        Ok(anvil)
    }

    /// OS process id of the spawned anvil (or of its wrapper).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            if let Ok(pgid) = i32::try_from(self.child.id()) {
                // SAFETY: plain syscall on the process group we created for this child.
                unsafe {
                    libc::killpg(pgid, libc::SIGKILL);
                }
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `eth_chainId` round trip over a raw TCP connection (no dependency on the HTTP stack).
async fn probe_chain_id(port: u16) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let attempt = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#;
        let req = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.ok()?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.ok()?;
        let text = String::from_utf8_lossy(&buf);
        (text.starts_with("HTTP/1.1 200") && text.contains("\"result\"")).then_some(())
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), attempt).await,
        Ok(Some(()))
    )
}

/// A port that was free on 127.0.0.1 a moment ago.
fn free_port() -> Result<u16> {
    let l = TcpListener::bind(("127.0.0.1", 0))?;
    Ok(l.local_addr()?.port())
}

/// Locate the anvil binary (order in the module docs). Errors: Local with install hint.
pub fn find_anvil() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os(ANVIL_ENV) {
        if !p.is_empty() {
            let p = PathBuf::from(p);
            if p.is_file() {
                return Ok(prefer_native(&p));
            }
            return Err(Error::local(format!(
                "{ANVIL_ENV}={} is not a file; {NOT_FOUND}",
                p.display()
            )));
        }
    }
    let mut candidates = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join(NPM_BIN)];
    if let Ok(exe) = std::env::current_exe() {
        candidates.extend(exe.ancestors().skip(1).map(|a| a.join(NPM_BIN)));
    }
    for c in candidates {
        if c.is_file() {
            return Ok(prefer_native(&c));
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let c = dir.join("anvil");
            if c.is_file() {
                return Ok(c);
            }
        }
    }
    Err(Error::local(NOT_FOUND))
}

/// For `…/node_modules/.bin/anvil` (npm wrapper), the platform package's native binary
/// `…/node_modules/@foundry-rs/anvil-<os>-<arch>/bin/anvil` if present; else `p` itself.
fn prefer_native(p: &Path) -> PathBuf {
    let Some(bin_dir) = p.parent() else {
        return p.to_path_buf();
    };
    if bin_dir.file_name().and_then(|n| n.to_str()) != Some(".bin") {
        return p.to_path_buf();
    }
    let Some(scope) = bin_dir.parent().map(|nm| nm.join("@foundry-rs")) else {
        return p.to_path_buf();
    };
    let Ok(entries) = std::fs::read_dir(&scope) else {
        return p.to_path_buf();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with("anvil-") && n.contains(platform_os()))
        })
        .map(|e| e.path().join("bin").join("anvil"))
        .filter(|b| b.is_file())
        .collect();
    found.sort();
    found.into_iter().next().unwrap_or_else(|| p.to_path_buf())
}

fn platform_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_port_is_nonzero() {
        assert_ne!(free_port().unwrap(), 0);
    }

    #[test]
    fn prefer_native_keeps_plain_paths() {
        let p = Path::new("/usr/local/bin/anvil");
        assert_eq!(prefer_native(p), p.to_path_buf());
    }

    #[test]
    fn prefer_native_finds_platform_binary() {
        let d = tempfile::tempdir().unwrap();
        let nm = d.path().join("node_modules");
        std::fs::create_dir_all(nm.join(".bin")).unwrap();
        let native_dir = nm
            .join("@foundry-rs")
            .join(format!("anvil-{}-amd64", platform_os()))
            .join("bin");
        std::fs::create_dir_all(&native_dir).unwrap();
        std::fs::write(native_dir.join("anvil"), b"").unwrap();
        std::fs::write(nm.join(".bin").join("anvil"), b"#!/usr/bin/env node").unwrap();
        assert_eq!(
            prefer_native(&nm.join(".bin").join("anvil")),
            native_dir.join("anvil")
        );
    }
}
