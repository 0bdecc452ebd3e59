//! systemd readiness notification (`Type=notify`, sd_notify(3) protocol):
//! one datagram `READY=1` / `STOPPING=1` / `STATUS=…` to `$NOTIFY_SOCKET`.
//! Without `NOTIFY_SOCKET` (not under systemd) every call is a no-op.

use std::os::unix::net::UnixDatagram;

/// Send `state` (e.g. `"READY=1\nSTATUS=serving"`) to `$NOTIFY_SOCKET`.
/// Returns false when not running under systemd or the send failed (logged
/// at debug level; readiness notification is best effort).
pub fn notify(state: &str) -> bool {
    match std::env::var_os("NOTIFY_SOCKET") {
        Some(path) => notify_to(&path, state),
        None => false,
    }
}

/// Send `state` to the notification socket `path` (a filesystem path, or `@name` for the
/// abstract namespace). Returns false when the send failed (logged at debug level).
pub fn notify_to(path: &std::ffi::OsStr, state: &str) -> bool {
    let sock = match UnixDatagram::unbound() {
        Ok(s) => s,
        Err(_) => return false,
    };
    let bytes = path.as_encoded_bytes();
    let sent = if let Some(name) = bytes.strip_prefix(b"@") {
        // Abstract socket namespace (Linux).
        use std::os::linux::net::SocketAddrExt;
        match std::os::unix::net::SocketAddr::from_abstract_name(name) {
            Ok(addr) => sock.send_to_addr(state.as_bytes(), &addr),
            Err(e) => Err(e),
        }
    } else {
        sock.send_to(state.as_bytes(), path)
    };
    match sent {
        Ok(_) => true,
        Err(e) => {
            tracing::debug!(error = %e, "sd_notify failed");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_to_a_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify.sock");
        let server = UnixDatagram::bind(&path).unwrap();
        // No process-global environment is touched: the test binary is multi-threaded.
        assert!(notify_to(path.as_os_str(), "READY=1"));
        let mut buf = [0u8; 64];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");
        drop(server);
        assert!(
            !notify_to(path.as_os_str(), "READY=1"),
            "nobody listens any more"
        );
    }
}
