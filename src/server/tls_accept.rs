//! The TLS side of one accepted connection (issue 10 "optional TLS listener"): tell TLS from
//! plain HTTP, then run the handshake under the connection's clock ([`super::conn::Watch`]).
//!
//! Guarantees:
//! * the handshake reads through [`WatchedIo`], so it counts against the connection's idle and
//!   header-read limits and its slot like a request head does (the caller races it against
//!   [`super::conn::Watch::expired`]); a stalled handshake cannot hold a slot longer than
//!   `idle + header_read`;
//! * a client that speaks plain HTTP to the TLS port (first byte is not a TLS handshake
//!   record, 0x16) gets a short plain-text `400` saying the port expects HTTPS, and the
//!   connection is closed — no hang, no TLS alert a browser cannot show;
//! * a handshake rustls refuses ends the connection; nothing about it reaches the router.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use super::conn::{Watch, WatchedIo};
use crate::tls::server::ServerTls;

/// First byte of a TLS record carrying a handshake message (RFC 8446 §5.1, ContentType 22).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// Bytes of a plain-HTTP request read and discarded before the connection is closed (so the
/// close does not turn into a reset that hides the 400 from the client).
const PLAIN_DRAIN_BYTES: usize = 64 * 1024;

/// Why no TLS session came out of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSession {
    /// The client closed before sending a byte (not counted).
    Closed,
    /// Plain HTTP on the TLS port: answered 400 and closed (`tls_plain_http`).
    PlainHttp,
    /// rustls refused the handshake, or the socket failed during it (`tls_handshake_failed`).
    Failed,
}

impl NoSession {
    /// The `novakms_http_connections_closed_total` reason, if this is counted.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            NoSession::Closed => None,
            NoSession::PlainHttp => Some("tls_plain_http"),
            NoSession::Failed => Some("tls_handshake_failed"),
        }
    }
}

/// The plain-HTTP refusal: status line, headers and body.
fn plain_http_answer() -> Vec<u8> {
    let body = "This port serves HTTPS (TLS) only: use an https:// URL.\n";
    format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Run the server side of a TLS handshake on `stream` with the current certificate of `tls`
/// (see the module docs). On success the connection's clock is idle again.
pub async fn handshake(
    mut stream: TcpStream,
    watch: &Arc<Watch>,
    tls: &ServerTls,
) -> Result<TlsStream<WatchedIo<TcpStream>>, NoSession> {
    let mut first = [0u8; 1];
    match stream.peek(&mut first).await {
        Ok(0) | Err(_) => return Err(NoSession::Closed),
        Ok(_) => {}
    }
    if first[0] != TLS_HANDSHAKE_RECORD {
        refuse_plain_http(&mut stream).await;
        return Err(NoSession::PlainHttp);
    }
    let acceptor = tls.acceptor();
    match acceptor.accept(WatchedIo::new(stream, watch.clone())).await {
        Ok(s) => {
            watch.handshake_done();
            Ok(s)
        }
        Err(e) => {
            tracing::debug!(error = %e, "TLS handshake failed");
            Err(NoSession::Failed)
        }
    }
}

/// Answer 400 in plain text, close our side, and read what the client still sends (bounded)
/// until it closes.
async fn refuse_plain_http(stream: &mut TcpStream) {
    let mut buf = vec![0u8; 4096];
    // What already arrived (the request head, usually).
    let _ = stream.try_read(&mut buf);
    if stream.write_all(&plain_http_answer()).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    let mut drained = 0;
    while drained < PLAIN_DRAIN_BYTES {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_http_answer_is_a_complete_400() {
        let a = String::from_utf8(plain_http_answer()).unwrap();
        let (head, body) = a.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert!(body.contains("https://"));
    }
}
