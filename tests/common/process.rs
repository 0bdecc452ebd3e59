//! Child processes of the tests: pid liveness and reaping, waiting for an exit, [`Proc`]
//! (killed and reaped on drop), starting `novakms serve` and running the CLI with a config.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use super::exe;

/// Reap `pid` if it is our exited child (no-op otherwise).
pub fn reap(pid: u32) {
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

/// A child process killed (SIGKILL) and reaped when dropped.
pub struct Proc(pub std::process::Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `novakms serve --config <config>` in the background, stdout and stderr to `log`
/// (created or truncated). The config's `bind_addr` is bound here (retrying while it is busy)
/// and the bound socket handed to the node (`novakms::activation`): a port chosen earlier and
/// registered on chain cannot be lost to another process at start.
pub fn spawn_serve(config: &Path, log: &Path) -> Proc {
    let text = std::fs::read_to_string(config).unwrap();
    let bind = text
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("bind_addr")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "127.0.0.1:8000".to_string());
    let listener = bind_with_retry(&bind);
    let log = std::fs::File::create(log).unwrap();
    let child = novakms::activation::command_with_listener(&exe(), &listener)
        .args(["serve", "--config"])
        .arg(config)
        .env_remove("NOVAKMS_CONFIG")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    Proc(child)
}

/// Bind `addr` for a node to inherit, retrying for up to 30 s while it is in use.
pub fn bind_with_retry(addr: &str) -> std::net::TcpListener {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match novakms::activation::bind_reusable(addr) {
            Ok(l) => return l,
            Err(e) if std::time::Instant::now() < deadline => {
                eprintln!("{addr} busy ({e}); retrying");
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            Err(e) => panic!("cannot bind {addr}: {e}"),
        }
    }
}

/// Run `novakms --config <config> <args>` to completion.
pub fn with_config(config: &Path, args: &[&str]) -> Output {
    Command::new(exe())
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("NOVAKMS_CONFIG")
        .output()
        .unwrap()
}
