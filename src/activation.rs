//! Socket activation: `serve` takes its listening socket from whoever started it instead of
//! binding `bind_addr` itself, following the `sd_listen_fds(3)` convention (systemd socket
//! units; the variables are `LISTEN_PID` and `LISTEN_FDS`, the first passed descriptor is 3).
//!
//! Two users:
//! * operators: a systemd `.socket` unit owns the port (privileged ports, zero-downtime
//!   restarts: connections queue in the kernel while the node restarts);
//! * the devnet and the tests: the port is bound once, registered on chain as the node's URL,
//!   and the bound socket handed to the node. No port is ever "chosen, released, then bound
//!   again", so another process cannot take it in between ([`spawn_with_listener`]).
//!
//! Rules (as `sd_listen_fds`): the socket is used only when `LISTEN_PID` equals our pid (so a
//! child that merely inherited the environment ignores it) and `LISTEN_FDS` is at least 1;
//! descriptor 3 must then be a listening TCP socket, else `serve` refuses to start. Only the
//! first descriptor is used.

use std::net::TcpListener;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// First descriptor passed by socket activation (`SD_LISTEN_FDS_START`).
pub const LISTEN_FDS_START: RawFd = 3;

/// The listening socket passed to this process, if any (module doc). `Ok(None)`: not
/// socket-activated (`LISTEN_PID` unset or another process's, `LISTEN_FDS` unset or 0).
///
/// Call at most once per process: the descriptor is owned by the returned listener.
///
/// Errors (Local): `LISTEN_FDS` not a number, or descriptor 3 not a listening TCP socket.
pub fn inherited_listener() -> Result<Option<TcpListener>> {
    let for_us = std::env::var("LISTEN_PID")
        .ok()
        .and_then(|p| p.trim().parse::<u32>().ok())
        == Some(std::process::id());
    if !for_us {
        return Ok(None);
    }
    let n: u32 = match std::env::var("LISTEN_FDS") {
        Ok(v) => v.trim().parse().map_err(|_| {
            Error::local(format!(
                "socket activation: LISTEN_FDS is not a number: {v:?}"
            ))
        })?,
        Err(_) => return Ok(None),
    };
    if n == 0 {
        return Ok(None);
    }
    let fd = LISTEN_FDS_START;
    if !is_listening_socket(fd) {
        return Err(Error::local(
            "socket activation: descriptor 3 is not a listening socket",
        ));
    }
    // SAFETY: fd 3 was handed to us by the starter for exactly this purpose, is open (checked
    // above) and nothing else in this process owns it.
    let l = unsafe { TcpListener::from_raw_fd(fd) };
    let addr = l.local_addr().map_err(|e| {
        Error::local(format!(
            "socket activation: descriptor 3 is not a TCP socket: {e}"
        ))
    })?;
    // Keep it out of any process we might start later, and make it usable by Tokio.
    // SAFETY: plain fcntl on a descriptor we own.
    unsafe {
        libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
    }
    l.set_nonblocking(true)
        .map_err(|e| Error::local(format!("socket activation: {addr}: {e}")))?;
    Ok(Some(l))
}

fn is_listening_socket(fd: RawFd) -> bool {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `v`; an invalid fd just fails.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ACCEPTCONN,
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    rc == 0 && v != 0
}

/// Bind a listening socket on `addr` (e.g. `127.0.0.1:0`) with `SO_REUSEADDR` (so a port whose
/// previous owner was killed can be bound again while its old connections sit in TIME_WAIT),
/// to hand over with [`spawn_with_listener`]. The port is `local_addr()`.
///
/// Errors (Local): the address does not parse or cannot be bound (e.g. EADDRINUSE).
pub fn bind_reusable(addr: &str) -> Result<TcpListener> {
    let sa: std::net::SocketAddr = addr
        .parse()
        .map_err(|e| Error::local(format!("bad listen address {addr}: {e}")))?;
    let s = socket2::Socket::new(
        socket2::Domain::for_address(sa),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )
    .map_err(|e| Error::local(format!("cannot create a socket: {e}")))?;
    s.set_reuse_address(true)
        .and_then(|()| s.bind(&sa.into()))
        .and_then(|()| s.listen(1024))
        .map_err(|e| Error::local(format!("cannot listen on {addr}: {e}")))?;
    Ok(s.into())
}

/// A command that runs `program` (add its arguments with `.arg`) with `listener` passed as
/// descriptor 3, `LISTEN_FDS=1` and `LISTEN_PID` set to the new process's pid (through
/// `/bin/sh -c 'LISTEN_PID=$$ … exec …'`, which keeps the pid). The caller sets stdio and
/// environment and spawns it while `listener` is still open; afterwards it may drop its
/// `listener`: the child holds its own copy.
pub fn command_with_listener(program: &Path, listener: &TcpListener) -> Command {
    use std::os::unix::process::CommandExt;
    let fd = listener.as_raw_fd();
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg("LISTEN_PID=$$ LISTEN_FDS=1 exec \"$0\" \"$@\"")
        .arg(program);
    // SAFETY: only async-signal-safe calls (dup2, fcntl) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if fd == LISTEN_FDS_START {
                if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
            } else if libc::dup2(fd, LISTEN_FDS_START) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd
}

/// Start `program args…` ([`command_with_listener`]) in its own process group with stdin
/// closed and stdout/stderr appended to `log`; `env` is added to the child's environment and
/// `env_remove` taken out of it. Returns the pid (the child is not waited for).
///
/// Errors (Local): the log cannot be opened, the process cannot be started.
pub fn spawn_with_listener(
    program: &Path,
    args: &[&std::ffi::OsStr],
    env: &[(&str, &str)],
    env_remove: &[&str],
    listener: &TcpListener,
    log: &Path,
) -> Result<u32> {
    use std::os::unix::process::CommandExt;
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| Error::local(format!("cannot open {}: {e}", log.display())))?;
    let err = out.try_clone()?;
    let mut cmd = command_with_listener(program, listener);
    for k in env_remove {
        cmd.env_remove(k);
    }
    cmd.args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0);
    let child = cmd
        .spawn()
        .map_err(|e| Error::local(format!("cannot start {}: {e}", program.display())))?;
    Ok(child.id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_activated_without_our_pid() {
        // The test process was not socket-activated: LISTEN_PID is unset or not ours.
        assert!(inherited_listener().unwrap().is_none());
        assert!(!is_listening_socket(-1));
    }

    #[test]
    fn a_handed_over_socket_is_used_by_the_child() {
        // The child (a shell) sees fd 3 as a listening socket with its own pid in LISTEN_PID.
        let l = bind_reusable("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("out.log");
        let script = dir.path().join("probe.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\n[ \"$LISTEN_PID\" = \"$$\" ] && [ \"$LISTEN_FDS\" = 1 ] && \
             [ -e /proc/$$/fd/3 ] && readlink /proc/$$/fd/3\n",
        )
        .unwrap();
        let pid = spawn_with_listener(
            Path::new("/bin/sh"),
            &[script.as_os_str()],
            &[],
            &[],
            &l,
            &log,
        )
        .unwrap();
        // Wait for the child to finish writing (it exits right away).
        for _ in 0..200 {
            if !std::path::Path::new(&format!("/proc/{pid}")).exists()
                || std::fs::read_to_string(&log).is_ok_and(|s| s.contains("socket:"))
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = std::fs::read_to_string(&log).unwrap();
        assert!(out.starts_with("socket:["), "child saw: {out:?}");
        // The port stays bound by us the whole time: nobody else could take it.
        assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_err());
    }
}
