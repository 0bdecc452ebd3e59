//! The node's HTTP listener: our own accept loop on hyper 1 serving the axum router (issue 10,
//! "Own accept loop"). Imported by `daemon` only.
//!
//! Guarantees (each proven by a test below or in `tests/adversarial/connections.rs`):
//! * **connection cap** — at most `http_max_connections` client connections are held, at
//!   most `http_max_connections_per_ip` from one address ([`slots`]); a connection over either
//!   is closed right after `accept`, before a byte is read or a task is spawned, and counted
//!   in `novakms_http_connections_closed_total{reason}`. `novakms_http_connections_open` is
//!   the number held;
//! * **timeouts** — idle, header-read and body-read limits per connection ([`conn`]);
//! * **TLS** (optional, `tls_cert_file` / `tls_key_file`) — each connection's TLS handshake runs
//!   in its task under the same slot and clock as a request head ([`tls_accept`]): a stalled
//!   handshake is closed (`tls_handshake_timeout`), plain HTTP gets a 400 and is closed
//!   (`tls_plain_http`), a refused handshake is closed (`tls_handshake_failed`); the
//!   certificate in use is the one current at accept time (reloads swap it, `tls::server`);
//! * **bounded heads** — a request head longer than `http_max_header_bytes` gets 431 and the
//!   connection is closed: one connection buffers at most that much of an unfinished head
//!   (hyper's default was ~400 KiB);
//! * **handlers unchanged** — every request reaches the router with
//!   `ConnectInfo<SocketAddr>` (the `/nonce` limiter keys on it), its body wrapped in the
//!   body-read deadline;
//! * **graceful shutdown** — when `shutdown` resolves the listener is closed (new
//!   connections are refused by the kernel), idle connections are closed, requests in
//!   progress run to completion, and [`serve`] returns once every connection has ended. The
//!   caller bounds that wait (`daemon`: `shutdown_drain_seconds`).

pub mod conn;
pub mod slots;
pub mod tls_accept;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::metrics::Metrics;
use crate::tls::server::ServerTls;
use conn::{TimedBody, Timeouts, TrackedBody, Watch, WatchedIo};
use slots::Slots;

/// hyper's smallest read buffer, bytes: `http_max_header_bytes` is raised to it.
pub const MIN_HEADER_BYTES: usize = 8192;

/// Listener limits, from the `http_*` settings (see `config::Settings` for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Idle, header-read and body-read limits of one connection.
    pub timeouts: Timeouts,
    /// Largest request head buffered, bytes (≥ [`MIN_HEADER_BYTES`]).
    pub max_header_bytes: usize,
    /// Connections held at once (≥ 1).
    pub max_connections: usize,
    /// Connections one address holds at once (≥ 1).
    pub max_connections_per_ip: usize,
}

impl Limits {
    /// The limits the settings give, raised to their minimums (timeouts 100 ms, head
    /// [`MIN_HEADER_BYTES`], caps 1).
    pub fn from_settings(s: &Settings) -> Limits {
        let ms = |v: u64| Duration::from_millis(v.max(100));
        Limits {
            timeouts: Timeouts {
                header_read: ms(s.http_header_read_timeout_ms),
                idle: ms(s.http_idle_timeout_ms),
                body_read: ms(s.http_body_read_timeout_ms),
            },
            max_header_bytes: s.http_max_header_bytes.max(MIN_HEADER_BYTES),
            max_connections: s.http_max_connections.max(1),
            max_connections_per_ip: s.http_max_connections_per_ip.max(1),
        }
    }
}

/// Serve `router` on `listener` until `shutdown` resolves, then drain (see the module docs).
/// With `tls`, every connection is a TLS connection ([`tls_accept`]). Accept errors are logged
/// and retried (after 50 ms, so that running out of file descriptors does not spin); nothing a
/// client sends ends the loop.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    tls: Option<Arc<ServerTls>>,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Slots::new(
        limits.max_connections,
        limits.max_connections_per_ip,
        metrics.http_connections_open.clone(),
    );
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .max_buf_size(limits.max_header_bytes)
        .header_read_timeout(None)
        .keep_alive(true);
    let service = TowerToHyperService::new(router);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    if !is_per_connection_error(&e) {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
        };
        let slot = match slots.try_acquire(peer.ip()) {
            Ok(s) => s,
            Err(refused) => {
                metrics.observe_conn_closed(refused.reason());
                drop(stream);
                continue;
            }
        };
        let client = Client {
            peer,
            builder: builder.clone(),
            service: service.clone(),
            timeouts: limits.timeouts,
            metrics: metrics.clone(),
            watch: Watch::new(limits.timeouts),
        };
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let _ = stream.set_nodelay(true);
            // Set once the TLS handshake is done (at once without TLS): a clock expiry before
            // it is a handshake timeout.
            let session = AtomicBool::new(tls.is_none());
            let work = async {
                match &tls {
                    None => {
                        let io = WatchedIo::new(stream, client.watch.clone());
                        client.serve_http(io, watcher).await;
                    }
                    Some(tls) => match tls_accept::handshake(stream, &client.watch, tls).await {
                        Ok(io) => {
                            session.store(true, Ordering::Release);
                            client.serve_http(io, watcher).await;
                        }
                        Err(no) => {
                            if let Some(reason) = no.reason() {
                                client.metrics.observe_conn_closed(reason);
                            }
                        }
                    },
                }
            };
            tokio::select! {
                () = work => {}
                why = client.watch.expired() => {
                    // Dropping the connection closes the socket.
                    let reason = if session.load(Ordering::Acquire) {
                        why.reason()
                    } else {
                        "tls_handshake_timeout"
                    };
                    client.metrics.observe_conn_closed(reason);
                    tracing::debug!(peer = %client.peer, reason, "connection closed");
                }
            }
        });
    }
    // Closing the listener makes the kernel refuse new connections.
    drop(listener);
    graceful.shutdown().await;
}

/// Errors of one accepted connection (the listener itself is fine).
fn is_per_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// What serving one accepted client needs.
struct Client {
    peer: SocketAddr,
    builder: http1::Builder,
    service: TowerToHyperService<Router>,
    timeouts: Timeouts,
    metrics: Arc<Metrics>,
    watch: Arc<Watch>,
}

impl Client {
    /// Serve HTTP/1.1 on `io` (the plain socket or the TLS session) until the connection
    /// ends, under graceful shutdown.
    async fn serve_http<I>(&self, io: I, watcher: Watcher)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let w = self.watch.clone();
        let peer = self.peer;
        let service = self.service.clone();
        let timeouts = self.timeouts;
        let metrics = self.metrics.clone();
        let svc = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            let in_flight = w.request_started();
            req.extensions_mut().insert(ConnectInfo(peer));
            let req = req.map(|b| {
                axum::body::Body::new(TimedBody::new(b, timeouts.body_read, metrics.clone()))
            });
            let fut = hyper::service::Service::call(&service, req);
            async move {
                let resp = fut.await?;
                Ok::<_, Infallible>(resp.map(|b| TrackedBody::new(b, in_flight)))
            }
        });
        let conn = self.builder.serve_connection(TokioIo::new(io), svc);
        if watcher.watch(conn).await.is_err() {
            tracing::debug!(peer = %peer, "connection ended with an I/O or protocol error");
        }
    }
}
