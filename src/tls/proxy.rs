//! A TLS terminator (`novakms devnet rpc-proxy`, hidden): anvil speaks only HTTP, so an
//! https-only devnet (`devnet up --tls`, issue 11 "Done means") puts this in front of it.
//! Each accepted connection's TLS handshake is done here with the given certificate, then its
//! bytes are copied both ways to a plain TCP upstream.
//!
//! Guarantees (end to end in `tests/tls_outbound.rs`, `devnet_up_tls_…`):
//! * **TLS only** — a client that does not complete a TLS handshake (plain HTTP, a wrong
//!   CA on its side) is dropped and never reaches the upstream;
//! * **one connection never stops the others** — a failed handshake, an unreachable upstream
//!   or a reset connection ends that connection only; the listener keeps accepting;
//! * **checked at start** — the certificate and key are loaded (and matched) before the first
//!   accept, with the errors of [`super::server::server_config`].

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};

use crate::error::{Error, Result};

/// Serve TLS on `listener` with `cert_file` / `key_file` and forward every connection to
/// `upstream` (plain TCP). Runs until the process ends.
///
/// Errors (Local): the certificate or key does not load (before accepting anything).
pub async fn run(
    listener: TcpListener,
    upstream: SocketAddr,
    cert_file: &Path,
    key_file: &Path,
) -> Result<()> {
    let cfg = super::server::server_config(cert_file, key_file)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    loop {
        let tcp = match listener.accept().await {
            Ok((tcp, _)) => tcp,
            Err(e) => {
                // EMFILE and the like: back off a little instead of spinning.
                tracing::warn!("rpc-proxy accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                return;
            };
            let Ok(mut up) = TcpStream::connect(upstream).await else {
                return;
            };
            let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
        });
    }
}

/// Take `listener` (std, e.g. from socket activation) for [`run`].
///
/// Errors (Local): the socket cannot be made non-blocking or registered with tokio.
pub fn tokio_listener(listener: std::net::TcpListener) -> Result<TcpListener> {
    listener
        .set_nonblocking(true)
        .and_then(|()| TcpListener::from_std(listener))
        .map_err(|e| Error::local(format!("rpc-proxy listener: {e}")))
}
