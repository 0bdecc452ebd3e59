//! One client connection's clock (issue 10): which phase it is in and when that phase must
//! end. hyper 1 offers a header-read timeout that also runs while a keep-alive connection
//! waits for its next request, so the two limits could not be set apart; they are kept here.
//!
//! Phases and their limits:
//! * **idle** — no request in progress and no byte of the next one received (a fresh
//!   connection, or keep-alive after a response was fully written): closed after
//!   `idle` without a byte;
//! * **head** — the first byte of a request head arrived while idle: the head must be
//!   complete (the request handed to the router) within `header_read` of that byte, however
//!   slowly the rest trickles in;
//! * **request** — from the complete head until the response body is fully written (or
//!   dropped): no connection timer runs (a slow handler, a long snapshot download are not
//!   cut), but the request body must arrive within `body_read` of the head ([`TimedBody`]),
//!   else its read fails and the connection is closed after the answer.
//!
//! On a TLS listener the clock watches the raw socket: the handshake's first byte starts a head
//! phase, so the handshake and the first request head together must finish within
//! `header_read` of it; a finished handshake ([`Watch::handshake_done`]) makes the connection
//! idle again.
//!
//! Guarantees: a connection is never closed by its clock while a request is in progress; a
//! connection that never completes a head (or a TLS handshake) is closed at the latest
//! `idle + header_read` after it opened; the timers cost one sleep per connection, re-armed only at phase changes.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::{Instant, Sleep};

use crate::metrics::Metrics;

/// The three time limits of a connection (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Longest time from the first byte of a request head to its end.
    pub header_read: Duration,
    /// Longest time without a request in progress and without a received byte.
    pub idle: Duration,
    /// Longest time from the end of a request head to the end of its body.
    pub body_read: Duration,
}

/// Why a connection's clock closed it (the metric reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expired {
    /// Idle past [`Timeouts::idle`] (`idle_timeout`).
    Idle,
    /// Head not complete within [`Timeouts::header_read`] (`header_timeout`).
    Header,
}

impl Expired {
    /// The metric label.
    pub fn reason(self) -> &'static str {
        match self {
            Expired::Idle => "idle_timeout",
            Expired::Header => "header_timeout",
        }
    }
}

/// The phase state of one connection, shared by its reader ([`WatchedIo`]), its requests
/// ([`InFlight`]) and its clock ([`Watch::expired`]).
pub struct Watch {
    base: Instant,
    timeouts: Timeouts,
    in_flight: AtomicU32,
    reading_head: AtomicBool,
    /// Start of the current idle or head phase, ms since `base`.
    since_ms: AtomicU64,
    changed: Notify,
}

impl Watch {
    /// A fresh connection: idle since now.
    pub fn new(timeouts: Timeouts) -> Arc<Watch> {
        Arc::new(Watch {
            base: Instant::now(),
            timeouts,
            in_flight: AtomicU32::new(0),
            reading_head: AtomicBool::new(false),
            since_ms: AtomicU64::new(0),
            changed: Notify::new(),
        })
    }

    fn now_ms(&self) -> u64 {
        self.base.elapsed().as_millis() as u64
    }

    /// Bytes arrived: while idle, this starts a head.
    fn on_bytes(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0
            && !self.reading_head.swap(true, Ordering::AcqRel)
        {
            self.since_ms.store(self.now_ms(), Ordering::Release);
            self.changed.notify_one();
        }
    }

    /// The TLS handshake finished: the connection is idle (waiting for its first request)
    /// from now, unless a request already started.
    pub fn handshake_done(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0 {
            self.reading_head.store(false, Ordering::Release);
            self.since_ms.store(self.now_ms(), Ordering::Release);
            self.changed.notify_one();
        }
    }

    /// A complete head was handed to the router: the request phase starts.
    pub fn request_started(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.reading_head.store(false, Ordering::Release);
        self.changed.notify_one();
        InFlight(self.clone())
    }

    /// The end of the current phase and what it would be, or `None` while a request is in
    /// progress (no connection limit runs then).
    pub fn deadline(&self) -> Option<(Instant, Expired)> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let since = Duration::from_millis(self.since_ms.load(Ordering::Acquire));
        let (limit, why) = if self.reading_head.load(Ordering::Acquire) {
            (self.timeouts.header_read, Expired::Header)
        } else {
            (self.timeouts.idle, Expired::Idle)
        };
        Some((self.base + since + limit, why))
    }

    /// Resolves when the connection has passed a limit of its current phase; never while a
    /// request is in progress. Re-armed at every phase change.
    pub async fn expired(&self) -> Expired {
        loop {
            let notified = self.changed.notified();
            match self.deadline() {
                Some((at, why)) => {
                    if Instant::now() >= at {
                        return why;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = notified => {}
                    }
                }
                None => notified.await,
            }
        }
    }
}

/// A request in progress; when dropped (response fully written, or abandoned) the connection
/// is idle again.
pub struct InFlight(Arc<Watch>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let w = &self.0;
        w.since_ms.store(w.now_ms(), Ordering::Release);
        if w.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            w.changed.notify_one();
        }
    }
}

/// The socket as hyper sees it: reads are reported to the connection's [`Watch`].
pub struct WatchedIo<T> {
    inner: T,
    watch: Arc<Watch>,
}

impl<T> WatchedIo<T> {
    /// Wrap `inner`, reporting to `watch`.
    pub fn new(inner: T, watch: Arc<Watch>) -> Self {
        WatchedIo { inner, watch }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WatchedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watch.on_bytes();
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WatchedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The error a request body read gets past [`Timeouts::body_read`]; the extractor answers
/// 400 `Failed to buffer the request body: request body not received within <n> ms`.
#[derive(Debug)]
pub struct BodyTimeout(u128);

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "request body not received within {} ms", self.0)
    }
}

impl std::error::Error for BodyTimeout {}

/// A request body that must be complete by a deadline (see the module docs).
pub struct TimedBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    limit: Duration,
    metrics: Arc<Metrics>,
    failed: bool,
}

impl TimedBody {
    /// `inner` must end within `limit` from now.
    pub fn new(inner: Incoming, limit: Duration, metrics: Arc<Metrics>) -> TimedBody {
        TimedBody {
            inner,
            deadline: Box::pin(tokio::time::sleep(limit)),
            limit,
            metrics,
            failed: false,
        }
    }
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.failed {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(f) => Poll::Ready(f.map(|r| r.map_err(Into::into))),
            Poll::Pending => {
                if self.deadline.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.failed = true;
                self.metrics.observe_conn_closed("body_timeout");
                Poll::Ready(Some(Err(Box::new(BodyTimeout(self.limit.as_millis())))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body holding its request's [`InFlight`] until written or dropped.
pub struct TrackedBody {
    inner: axum::body::Body,
    _in_flight: InFlight,
}

impl TrackedBody {
    /// `inner`, keeping `in_flight` alive as long as it.
    pub fn new(inner: axum::body::Body, in_flight: InFlight) -> TrackedBody {
        TrackedBody {
            inner,
            _in_flight: in_flight,
        }
    }
}

impl Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch() -> Arc<Watch> {
        Watch::new(Timeouts {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(30),
            body_read: Duration::from_secs(60),
        })
    }

    fn at(w: &Watch, d: Option<(Instant, Expired)>) -> Option<(Duration, Expired)> {
        d.map(|(i, e)| (i - w.base, e))
    }

    #[test]
    fn a_fresh_connection_has_the_idle_limit() {
        let w = watch();
        assert_eq!(
            at(&w, w.deadline()),
            Some((Duration::from_secs(30), Expired::Idle))
        );
    }

    #[test]
    fn a_started_head_has_the_header_limit_from_its_first_byte_only() {
        let w = watch();
        w.since_ms.store(1_000, Ordering::Release); // idle since 1 s
        w.on_bytes();
        let first = at(&w, w.deadline()).unwrap();
        assert_eq!(first.1, Expired::Header);
        // The head began at its first byte (now), not when the idle phase began.
        let began = Duration::from_millis(w.since_ms.load(Ordering::Acquire));
        assert_eq!(first.0, began + Duration::from_secs(10));
        // More bytes of the same head do not move the deadline (trickling does not help).
        w.since_ms.fetch_add(5_000, Ordering::AcqRel);
        let moved = at(&w, w.deadline()).unwrap();
        w.on_bytes();
        assert_eq!(at(&w, w.deadline()).unwrap(), moved);
    }

    #[test]
    fn no_limit_runs_while_a_request_is_in_progress_then_idle_restarts() {
        let w = watch();
        w.on_bytes();
        let req = w.request_started();
        // Bytes of the body while the request runs start no head.
        w.on_bytes();
        assert_eq!(w.deadline(), None);
        drop(req);
        let (until, why) = at(&w, w.deadline()).unwrap();
        assert_eq!(why, Expired::Idle);
        let ended = Duration::from_millis(w.since_ms.load(Ordering::Acquire));
        assert_eq!(until, ended + Duration::from_secs(30));
    }

    #[test]
    fn a_finished_handshake_makes_the_connection_idle_again() {
        let w = watch();
        w.on_bytes(); // ClientHello
        assert_eq!(at(&w, w.deadline()).unwrap().1, Expired::Header);
        w.since_ms.store(2_000, Ordering::Release);
        w.handshake_done();
        let (until, why) = at(&w, w.deadline()).unwrap();
        assert_eq!(why, Expired::Idle);
        let done = Duration::from_millis(w.since_ms.load(Ordering::Acquire));
        assert_eq!(until, done + Duration::from_secs(30));
        // The next bytes start the first head.
        w.on_bytes();
        assert_eq!(at(&w, w.deadline()).unwrap().1, Expired::Header);
    }

    #[tokio::test]
    async fn expired_resolves_at_once_past_the_deadline() {
        let w = watch();
        // Pretend the connection has been idle far longer than the limit.
        let w = Arc::new(Watch {
            base: Instant::now() - Duration::from_secs(31),
            ..Arc::try_unwrap(w).ok().unwrap()
        });
        assert_eq!(w.expired().await, Expired::Idle);
    }
}
