//! Client of a running node's admin socket (`<data_dir>/admin.sock`, see `api::admin`):
//! HTTP/1.1 over a unix socket (hyper client connection), answers streamed as NDJSON.
//!
//! Connection errors map to exit codes (design.md §6): no socket, or a stale socket nobody
//! listens on → [`ErrorKind::NotReady`] (4, "no running node with data dir D"); permission
//! denied → [`ErrorKind::Auth`] (8, run as the node's user); anything else → `Local` (1).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{header, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{Error, ErrorKind, Result};

/// Longest wait for the next NDJSON line before giving up (the node bounds every peer call by
/// its own timeout, so a silent stream means a stuck node).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// Longest NDJSON line accepted, bytes.
const MAX_LINE: usize = 1024 * 1024;

/// Wire name of an error kind in admin answers (`{"error","kind"}`).
pub fn kind_to_wire(k: ErrorKind) -> &'static str {
    match k {
        ErrorKind::Local => "local",
        ErrorKind::Usage => "usage",
        ErrorKind::Remote => "remote",
        ErrorKind::NotReady => "not_ready",
        ErrorKind::Integrity => "integrity",
        ErrorKind::InUse => "in_use",
        ErrorKind::Refused => "refused",
        ErrorKind::Auth => "auth",
    }
}

/// Inverse of [`kind_to_wire`]; unknown or missing names are `Remote` (the node failed).
pub fn kind_from_wire(s: Option<&str>) -> ErrorKind {
    match s {
        Some("local") => ErrorKind::Local,
        Some("usage") => ErrorKind::Usage,
        Some("not_ready") => ErrorKind::NotReady,
        Some("integrity") => ErrorKind::Integrity,
        Some("in_use") => ErrorKind::InUse,
        Some("refused") => ErrorKind::Refused,
        Some("auth") => ErrorKind::Auth,
        _ => ErrorKind::Remote,
    }
}

/// Result of `POST /admin/sync`: the counters of the merged snapshot (protocol.md §6.7 delta
/// counters). JSON shape (stable): `{"peer","peer_wallet","total","merged","skipped",
/// "rejected","skip_reasons":{reason: count}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResult {
    /// URL of the peer pulled from.
    pub peer: String,
    /// Canonical wallet of that peer.
    #[serde(default)]
    pub peer_wallet: String,
    /// Records in the snapshot.
    pub total: u64,
    /// Records stored.
    pub merged: u64,
    /// Records ignored by the merge rule (already present or older).
    pub skipped: u64,
    /// Records that failed validation.
    pub rejected: u64,
    /// `skipped` by reason (protocol.md §6.6 strings).
    #[serde(default)]
    pub skip_reasons: BTreeMap<String, u64>,
}

/// One NDJSON line of `POST /admin/sync`.
#[derive(Debug, Clone)]
pub enum SyncEvent {
    /// The node is fetching the snapshot from `peer` (URL).
    Fetching {
        /// Peer URL.
        peer: String,
    },
    /// `done` of `total` records merged so far.
    Merging {
        /// Records merged so far.
        done: u64,
        /// Records in the snapshot.
        total: u64,
    },
    /// Final line: success.
    Done(SyncResult),
    /// Final line: failure, with the node's error kind.
    Failed(Error),
}

/// Parse one NDJSON line of `POST /admin/sync` (shapes in `api::admin`). Unknown `phase`
/// values and unknown fields are tolerated only where harmless; errors (Remote) for lines that
/// are not JSON objects of a known shape.
pub fn parse_sync_line(line: &str) -> Result<SyncEvent> {
    let bad = || Error::remote(format!("unexpected line from the node: {line:.200}"));
    let v: Value = serde_json::from_str(line).map_err(|_| bad())?;
    if let Some(r) = v.get("result") {
        let r: SyncResult = serde_json::from_value(r.clone()).map_err(|_| bad())?;
        return Ok(SyncEvent::Done(r));
    }
    if let Some(e) = v.get("error") {
        let msg = e.as_str().map_or_else(|| e.to_string(), str::to_string);
        let kind = kind_from_wire(v.get("kind").and_then(Value::as_str));
        return Ok(SyncEvent::Failed(Error::new(kind, msg)));
    }
    match v.get("phase").and_then(Value::as_str) {
        Some("fetching") => Ok(SyncEvent::Fetching {
            peer: v
                .get("peer")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        }),
        Some("merging") => Ok(SyncEvent::Merging {
            done: v.get("done").and_then(Value::as_u64).ok_or_else(bad)?,
            total: v.get("total").and_then(Value::as_u64).ok_or_else(bad)?,
        }),
        _ => Err(bad()),
    }
}

/// Client of one node's admin socket.
#[derive(Debug, Clone)]
pub struct AdminClient {
    data_dir: PathBuf,
    socket: PathBuf,
}

impl AdminClient {
    /// Client for the node whose data dir is `data_dir` (socket `<data_dir>/admin.sock`).
    pub fn new(data_dir: &Path) -> Self {
        AdminClient {
            data_dir: data_dir.to_path_buf(),
            socket: crate::api::admin::socket_path(data_dir),
        }
    }

    /// Path of the socket this client connects to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    fn connect_error(&self, e: io::Error) -> Error {
        let (dir, sock) = (self.data_dir.display(), self.socket.display());
        match e.kind() {
            io::ErrorKind::NotFound => Error::new(
                ErrorKind::NotReady,
                format!("no running node with data dir {dir} (no admin socket at {sock})"),
            ),
            io::ErrorKind::ConnectionRefused => Error::new(
                ErrorKind::NotReady,
                format!("no running node with data dir {dir} (stale admin socket at {sock})"),
            ),
            io::ErrorKind::PermissionDenied => Error::auth(format!(
                "permission denied on admin socket {sock}: run as the user that runs the node"
            )),
            _ => Error::local(format!("cannot connect to admin socket {sock}: {e}")),
        }
    }

    /// `POST path` with a JSON body; calls `on_line` for every NDJSON line of a 2xx answer.
    /// A non-2xx answer becomes the error it carries (`{"error","kind"}`).
    async fn post_ndjson(
        &self,
        path: &str,
        body: &Value,
        mut on_line: impl FnMut(&str) -> Result<()>,
    ) -> Result<()> {
        let stream = tokio::net::UnixStream::connect(&self.socket)
            .await
            .map_err(|e| self.connect_error(e))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| Error::remote(format!("admin socket handshake failed: {e}")))?;
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        let req = Request::post(path)
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| Error::local(format!("cannot build admin request: {e}")))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| Error::remote(format!("admin request failed: {e}")))?;
        let status = resp.status();
        let mut body = resp.into_body();
        let mut buf: Vec<u8> = Vec::new();
        let result = async {
            loop {
                let frame = tokio::time::timeout(IDLE_TIMEOUT, body.frame())
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
                    if buf.len() > MAX_LINE {
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
                if buf.len() > MAX_LINE {
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
        .await;
        driver.abort();
        result
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
}

/// The error of a non-2xx admin answer (`{"error","kind"}` or the status alone).
fn status_error(status: StatusCode, body: &[u8]) -> Error {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.get("error").is_some() => {
            let msg = v["error"]
                .as_str()
                .map_or_else(|| v["error"].to_string(), str::to_string);
            Error::new(kind_from_wire(v.get("kind").and_then(Value::as_str)), msg)
        }
        _ => Error::remote(format!(
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
    fn ndjson_lines_parse() {
        match parse_sync_line(r#"{"phase":"fetching","peer":"http://a"}"#).unwrap() {
            SyncEvent::Fetching { peer } => assert_eq!(peer, "http://a"),
            e => panic!("{e:?}"),
        }
        match parse_sync_line(r#"{"phase":"merging","done":500,"total":1200}"#).unwrap() {
            SyncEvent::Merging { done, total } => assert_eq!((done, total), (500, 1200)),
            e => panic!("{e:?}"),
        }
        let line = r#"{"result":{"peer":"http://a","peer_wallet":"0xab","total":3,"merged":2,"skipped":1,"rejected":0,"skip_reasons":{"ignored_equal_version":1}}}"#;
        match parse_sync_line(line).unwrap() {
            SyncEvent::Done(r) => {
                assert_eq!((r.total, r.merged, r.skipped, r.rejected), (3, 2, 1, 0));
                assert_eq!(r.skip_reasons["ignored_equal_version"], 1);
                assert_eq!(r.peer_wallet, "0xab");
            }
            e => panic!("{e:?}"),
        }
        match parse_sync_line(r#"{"error":"peer down","kind":"remote"}"#).unwrap() {
            SyncEvent::Failed(e) => {
                assert_eq!((e.kind(), e.message()), (ErrorKind::Remote, "peer down"))
            }
            e => panic!("{e:?}"),
        }
        match parse_sync_line(r#"{"error":"x"}"#).unwrap() {
            SyncEvent::Failed(e) => assert_eq!(e.kind(), ErrorKind::Remote),
            e => panic!("{e:?}"),
        }
        for bad in [
            "",
            "nope",
            "[]",
            r#"{"phase":"merging","done":1}"#,
            r#"{"phase":"other"}"#,
            r#"{"result":{"peer":"a"}}"#,
        ] {
            let e = parse_sync_line(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Remote, "{bad}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in [
            ErrorKind::Local,
            ErrorKind::Usage,
            ErrorKind::Remote,
            ErrorKind::NotReady,
            ErrorKind::Integrity,
            ErrorKind::InUse,
            ErrorKind::Refused,
            ErrorKind::Auth,
        ] {
            assert_eq!(kind_from_wire(Some(kind_to_wire(k))), k);
        }
        assert_eq!(kind_from_wire(Some("weird")), ErrorKind::Remote);
        assert_eq!(kind_from_wire(None), ErrorKind::Remote);
    }

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
    }
}
