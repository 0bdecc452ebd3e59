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
/// (created or truncated).
pub fn spawn_serve(config: &Path, log: &Path) -> Proc {
    let log = std::fs::File::create(log).unwrap();
    Proc(
        Command::new(exe())
            .args(["serve", "--config"])
            .arg(config)
            .env_remove("NOVAKMS_CONFIG")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap(),
    )
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
