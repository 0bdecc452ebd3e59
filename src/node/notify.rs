//! systemd readiness notification (`Type=notify`, sd_notify(3) protocol):
//! one datagram `READY=1` / `STOPPING=1` / `STATUS=…` to `$NOTIFY_SOCKET`.
//! Without `NOTIFY_SOCKET` (not under systemd) every call is a no-op.

use std::os::unix::net::UnixDatagram;

/// Send `state` (e.g. `"READY=1\nSTATUS=serving"`) to `$NOTIFY_SOCKET`.
/// Returns false when not running under systemd or the send failed (logged
/// at debug level; readiness notification is best effort).
pub fn notify(state: &str) -> bool {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return false;
    };
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
        sock.send_to(state.as_bytes(), &path)
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
        // SAFETY-free: tests in this module are the only users of NOTIFY_SOCKET.
        std::env::set_var("NOTIFY_SOCKET", &path);
        assert!(notify("READY=1"));
        std::env::remove_var("NOTIFY_SOCKET");
        let mut buf = [0u8; 64];
        let n = server.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");
        assert!(!notify("READY=1"));
    }
}
