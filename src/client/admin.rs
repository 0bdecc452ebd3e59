//! Client of a running node's admin socket (`<data_dir>/admin.sock`, see `api::admin`; wire
//! format in [`crate::admin_wire`]): HTTP/1.1 over a unix socket (hyper client connection).
//! `POST /admin/sync` answers are NDJSON lines ([`AdminClient::sync`]); `GET /admin/backup`
//! answers a `.nksnap` byte stream ([`AdminClient::backup`]).
//!
//! Connection errors map to exit codes (design.md §6): no socket, or a stale socket nobody
//! listens on → [`ErrorKind::NotReady`] (4, "no running node with data dir D"); permission
//! denied → [`ErrorKind::Auth`] (8, run as the node's user); anything else → `Local` (1).
//! A non-2xx answer becomes the error it carries (`{"error","kind"}`, kind as sent).

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{header, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::admin_wire::{error_from_json, parse_sync_line, socket_path, SyncEvent, SyncResult};
use crate::error::{Error, ErrorKind, Result};
use crate::storage::backup::online::BackupSource;

/// Longest wait for the next piece of an answer (NDJSON line or backup bytes) before giving up
/// (the node bounds every peer call by its own timeout, so a silent stream means a stuck node).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// Longest NDJSON line accepted, bytes.
const MAX_LINE: usize = 1024 * 1024;

/// Largest cluster-check report accepted, bytes (a report lists every app of every node).
const MAX_REPORT: usize = 64 * 1024 * 1024;

/// Largest error body read from a failed backup request, bytes.
const MAX_BACKUP_ERROR_BODY: usize = 64 * 1024;

/// Longest wait for a piece of a failed backup request's error body.
const BACKUP_ERROR_TIMEOUT: Duration = Duration::from_secs(30);

/// Client of one node's admin socket.
#[derive(Debug, Clone)]
pub struct AdminClient {
    /// The node's data dir when known (named in "no running node" errors).
    data_dir: Option<PathBuf>,
    socket: PathBuf,
}

/// An answer whose status and headers arrived; the connection task ends when it is dropped.
struct Answer {
    status: StatusCode,
    length: Option<u64>,
    body: Incoming,
    driver: JoinHandle<()>,
}

impl Drop for Answer {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// Why a request got no answer: the socket refused the connection, or anything later.
enum SendError {
    Connect(io::Error),
    Other(Error),
}

impl AdminClient {
    /// Client for the node whose data dir is `data_dir` (socket `<data_dir>/admin.sock`).
    pub fn new(data_dir: &Path) -> Self {
        AdminClient {
            data_dir: Some(data_dir.to_path_buf()),
            socket: socket_path(data_dir),
        }
    }

    /// Client of the socket at `socket` (`backup create --admin-socket`).
    pub fn at_socket(socket: &Path) -> Self {
        AdminClient {
            data_dir: None,
            socket: socket.to_path_buf(),
        }
    }

    /// Path of the socket this client connects to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// The error for a failed connection (module docs); `hint` ends "no running node" errors.
    fn connect_error(&self, e: io::Error, hint: &str) -> Error {
        let sock = self.socket.display();
        match (e.kind(), &self.data_dir) {
            (io::ErrorKind::NotFound, Some(dir)) => Error::new(
                ErrorKind::NotReady,
                format!(
                    "no running node with data dir {} (no admin socket at {sock}){hint}",
                    dir.display()
                ),
            ),
            (io::ErrorKind::ConnectionRefused, Some(dir)) => Error::new(
                ErrorKind::NotReady,
                format!(
                    "no running node with data dir {} (stale admin socket at {sock}){hint}",
                    dir.display()
                ),
            ),
            (io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused, None) => Error::new(
                ErrorKind::NotReady,
                format!("no running node answers on {sock} ({e}){hint}"),
            ),
            (io::ErrorKind::PermissionDenied, _) => Error::auth(format!(
                "permission denied on admin socket {sock}: run as the user that runs the node"
            )),
            _ => Error::local(format!("cannot connect to admin socket {sock}: {e}")),
        }
    }

    /// Connect, send `method path` (with a JSON body if given) and wait for the status line.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> std::result::Result<Answer, SendError> {
        let stream = tokio::net::UnixStream::connect(&self.socket)
            .await
            .map_err(SendError::Connect)?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| {
                SendError::Other(Error::remote(format!("admin socket handshake failed: {e}")))
            })?;
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let bytes = body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string()));
        let req = match req.body(Full::new(bytes)) {
            Ok(r) => r,
            Err(e) => {
                driver.abort();
                return Err(SendError::Other(Error::local(format!(
                    "cannot build admin request: {e}"
                ))));
            }
        };
        let resp = match sender.send_request(req).await {
            Ok(r) => r,
            Err(e) => {
                driver.abort();
                return Err(SendError::Other(Error::remote(format!(
                    "admin request failed: {e}"
                ))));
            }
        };
        let status = resp.status();
        let length = resp
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        Ok(Answer {
            status,
            length,
            body: resp.into_body(),
            driver,
        })
    }

    /// `POST path` with a JSON body; calls `on_line` for every NDJSON line of a 2xx answer.
    /// A non-2xx answer becomes the error it carries (`{"error","kind"}`).
    async fn post_ndjson(
        &self,
        path: &str,
        body: &Value,
        on_line: impl FnMut(&str) -> Result<()>,
    ) -> Result<()> {
        self.post_ndjson_capped(path, body, MAX_LINE, on_line).await
    }

    /// [`AdminClient::post_ndjson`] accepting lines of at most `max_line` bytes.
    async fn post_ndjson_capped(
        &self,
        path: &str,
        body: &Value,
        max_line: usize,
        mut on_line: impl FnMut(&str) -> Result<()>,
    ) -> Result<()> {
        let mut answer = match self.send(Method::POST, path, Some(body)).await {
            Ok(a) => a,
            Err(SendError::Connect(e)) => return Err(self.connect_error(e, "")),
            Err(SendError::Other(e)) => return Err(e),
        };
        let status = answer.status;
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let frame = tokio::time::timeout(IDLE_TIMEOUT, answer.body.frame())
                .await
                .map_err(|_| Error::remote("the node stopped answering on the admin socket"))?;
            let Some(frame) = frame else { break };
            let frame =
                frame.map_err(|e| Error::remote(format!("admin answer broken off: {e}")))?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            buf.extend_from_slice(&data);
            if !status.is_success() {
                if buf.len() > max_line {
                    break;
                }
                continue;
            }
            while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = buf.drain(..=pos).collect();
                let line = String::from_utf8_lossy(&line);
                let line = line.trim();
                if !line.is_empty() {
                    on_line(line)?;
                }
            }
            if buf.len() > max_line {
                return Err(Error::remote("admin answer line too long"));
            }
        }
        if !status.is_success() {
            return Err(status_error(status, &buf));
        }
        let rest = String::from_utf8_lossy(&buf);
        if !rest.trim().is_empty() {
            on_line(rest.trim())?;
        }
        Ok(())
    }

    /// Ask the node to compare its digests with its peers' (`POST /admin/cluster-check`,
    /// issue 13); `diff` asks for the differing keys of disagreeing apps.
    ///
    /// Errors: connection errors (module docs); the node's refusal with its kind (`NotReady`:
    /// no master secret); `Remote` when the answer is not a report.
    pub async fn cluster_check(&self, diff: bool) -> Result<crate::wire::cluster::CheckReport> {
        let mut report = None;
        let body = json!({"diff": diff});
        self.post_ndjson_capped("/admin/cluster-check", &body, MAX_REPORT, |line| {
            let r = serde_json::from_str(line)
                .map_err(|e| Error::remote(format!("bad cluster-check answer: {e}")))?;
            report = Some(r);
            Ok(())
        })
        .await?;
        report.ok_or_else(|| Error::remote("the node sent no cluster-check report"))
    }

    /// Ask the node to pull a snapshot from the peer `from` (its URL or wallet) now
    /// (`POST /admin/sync`). `on_event` sees every progress line; the final line is returned.
    ///
    /// Errors: connection errors (module docs); the node's refusal or failure with its kind
    /// (`Local` unknown peer, `NotReady` secret not loaded or peer blacklisted, `Remote` the
    /// peer failed); `Remote` when the answer ends without a final line.
    pub async fn sync(
        &self,
        from: &str,
        mut on_event: impl FnMut(&SyncEvent),
    ) -> Result<SyncResult> {
        let mut outcome: Option<Result<SyncResult>> = None;
        self.post_ndjson("/admin/sync", &json!({"from": from}), |line| {
            let ev = parse_sync_line(line)?;
            on_event(&ev);
            match ev {
                SyncEvent::Done(r) => outcome = Some(Ok(r)),
                SyncEvent::Failed(e) => outcome = Some(Err(e)),
                _ => {}
            }
            Ok(())
        })
        .await?;
        outcome.unwrap_or_else(|| {
            Err(Error::remote(
                "the node closed the admin answer without a result (did it stop?)",
            ))
        })
    }

    /// Ask the node for an online backup (`GET /admin/backup`, `api::backup`) and start
    /// receiving it. Must be called inside a Tokio runtime; read the returned stream from a
    /// blocking thread (`spawn_blocking`).
    ///
    /// Errors: connection errors (module docs; "no running node" ends with a hint to back up a
    /// stopped node with `--data-dir`); the node's error with its kind (`Integrity` corrupt
    /// database, `Local`, `NotReady`); `Remote` when the node does not offer backups (HTTP 404
    /// without an error body: an older novakms) or failed otherwise.
    pub async fn backup(&self) -> Result<BackupDownload> {
        let mut answer =
            match self.send(Method::GET, "/admin/backup", None).await {
                Ok(a) => a,
                Err(SendError::Connect(e)) => return Err(self.connect_error(
                    e,
                    "; to back up a stopped node use `novakms backup create FILE --data-dir DIR`",
                )),
                Err(SendError::Other(e)) => return Err(e),
            };
        let status = answer.status;
        if !status.is_success() {
            let mut buf = Vec::new();
            while let Ok(Some(Ok(frame))) =
                tokio::time::timeout(BACKUP_ERROR_TIMEOUT, answer.body.frame()).await
            {
                if let Ok(d) = frame.into_data() {
                    buf.extend_from_slice(&d);
                }
                if buf.len() > MAX_BACKUP_ERROR_BODY {
                    break;
                }
            }
            let e = match serde_json::from_slice::<Value>(&buf)
                .ok()
                .and_then(|v| error_from_json(&v))
            {
                Some(e) => e,
                None if status == StatusCode::NOT_FOUND => Error::remote(
                    "the running node does not offer online backups (older novakms?); stop it \
                     and use --data-dir",
                ),
                None => Error::remote(format!("admin backup request failed with HTTP {status}")),
            };
            return Err(e);
        }
        let length = answer.length;
        let (tx, rx) = mpsc::channel(64);
        let state = Arc::new(PumpState::default());
        let pump_state = state.clone();
        tokio::spawn(async move {
            let mut answer = answer;
            let broken = loop {
                let frame = match tokio::time::timeout(IDLE_TIMEOUT, answer.body.frame()).await {
                    Err(_) => break Some("the node stopped sending the snapshot".to_string()),
                    Ok(None) => break None,
                    Ok(Some(Err(e))) => {
                        break Some(format!("the node broke off the snapshot: {e}"))
                    }
                    Ok(Some(Ok(f))) => f,
                };
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                pump_state
                    .received
                    .fetch_add(data.len() as u64, Ordering::Relaxed);
                if tx.send(Ok(data)).await.is_err() {
                    break None; // the reader stopped (it reports its own error)
                }
            };
            if let Some(m) = broken {
                *pump_state.broken.lock().unwrap_or_else(|p| p.into_inner()) = Some(m.clone());
                let _ = tx.send(Err(m)).await;
            }
            drop(answer);
        });
        Ok(BackupDownload {
            length,
            rx,
            cur: Bytes::new(),
            off: 0,
            state,
        })
    }
}

/// What the task receiving a backup shares with its [`BackupDownload`].
#[derive(Default)]
struct PumpState {
    /// Bytes received from the node so far.
    received: AtomicU64,
    /// Why the node's stream ended early, if it did.
    broken: Mutex<Option<String>>,
}

/// An online backup being received ([`AdminClient::backup`]): a blocking [`Read`] of the
/// `.nksnap` bytes as they arrive (a background task reads the socket). A read fails when the
/// node breaks the stream off or stays silent for [`IDLE_TIMEOUT`]; [`BackupSource::
/// broken_off`] then tells why. Dropping it closes the connection.
pub struct BackupDownload {
    /// `content-length` announced by the node (the snapshot's size), if any.
    pub length: Option<u64>,
    rx: mpsc::Receiver<std::result::Result<Bytes, String>>,
    cur: Bytes,
    off: usize,
    state: Arc<PumpState>,
}

impl BackupSource for BackupDownload {
    /// `Some(Remote error)` when the node broke the stream off or stopped sending it, naming
    /// the bytes received ("… after N bytes (see the node's log)"); `None` while it did not.
    fn broken_off(&self) -> Option<Error> {
        let m = self
            .state
            .broken
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()?;
        let received = self.state.received.load(Ordering::Relaxed);
        Some(Error::remote(format!(
            "{m} after {received} bytes (see the node's log)"
        )))
    }
}

impl Read for BackupDownload {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.off >= self.cur.len() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => {
                    self.cur = b;
                    self.off = 0;
                }
                Some(Err(m)) => return Err(io::Error::other(m)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len() - self.off);
        buf[..n].copy_from_slice(&self.cur[self.off..self.off + n]);
        self.off += n;
        Ok(n)
    }
}

/// The error of a non-2xx admin answer (`{"error","kind"}` or the status alone).
fn status_error(status: StatusCode, body: &[u8]) -> Error {
    match serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| error_from_json(&v))
    {
        Some(e) => e,
        None => Error::remote(format!(
            "admin request failed with HTTP {status}: {}",
            String::from_utf8_lossy(body)
                .chars()
                .take(200)
                .collect::<String>()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_2xx_bodies_become_errors() {
        let e = status_error(
            StatusCode::NOT_FOUND,
            br#"{"error":"x is not a KMS member","kind":"local"}"#,
        );
        assert_eq!(
            (e.kind(), e.message()),
            (ErrorKind::Local, "x is not a KMS member")
        );
        let e = status_error(StatusCode::BAD_GATEWAY, b"oops");
        assert_eq!(e.kind(), ErrorKind::Remote);
        assert!(e.message().contains("502"), "{e}");
    }

    #[tokio::test]
    async fn missing_socket_means_no_running_node() {
        let dir = tempfile::tempdir().unwrap();
        let c = AdminClient::new(dir.path());
        let e = c.sync("http://x", |_| {}).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotReady, "{e}");
        assert!(e.message().contains("no running node with data dir"), "{e}");
        // a stale socket file nobody listens on
        let l = std::os::unix::net::UnixListener::bind(c.socket()).unwrap();
        drop(l);
        let e = c.sync("http://x", |_| {}).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotReady, "{e}");
        assert!(e.message().contains("stale admin socket"), "{e}");
        // backup through an explicit socket path: same kind, with the offline hint
        let e = AdminClient::at_socket(c.socket())
            .backup()
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::NotReady, "{e}");
        assert!(e.message().starts_with("no running node answers on"), "{e}");
        assert!(e.message().contains("--data-dir DIR"), "{e}");
    }
}
