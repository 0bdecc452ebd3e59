//! The admin channel (design.md §1 `sync`, `backup`): HTTP/1.1 on the unix socket
//! `<data_dir>/admin.sock`, reachable only by the node's owner (socket mode 0600 inside the 0700
//! data dir). Started by `serve` for the redb storage only; removed at shutdown and replaced if
//! stale at start (the redb file lock already guarantees that no other node uses the data dir).
//!
//! Routes:
//!
//! * `POST /admin/sync` with `{"from": "<peer url or wallet>"}`: pull a snapshot from that
//!   KMS peer now ([`crate::node::replicator::pull_snapshot`]). Errors before the pull starts
//!   are a non-2xx answer with `{"error": "<message>", "kind": "<kind>"}` (`kind` as in
//!   [`crate::admin_wire::kind_to_wire`]): 400 bad request or the node itself, 404 peer
//!   unknown, 409 peer blacklisted, 503 master secret not loaded. Otherwise `200` with
//!   `application/x-ndjson`, one JSON object per line:
//!   `{"phase":"fetching","peer":"<url>"}`, then `{"phase":"merging","done":n,"total":m}`
//!   (after every merged chunk; intermediate lines may be dropped for a slow reader), then
//!   exactly one of `{"result":{"peer":"<url>","peer_wallet":"0x…","total":…,"merged":…,
//!   "skipped":…,"rejected":…,"skip_reasons":{…}}}` or `{"error":"<message>","kind":"<kind>"}`.
//!   The pull completes even if the client goes away. Line shapes: [`crate::admin_wire`].
//! * `GET /admin/backup`: a signed `.nksnap` snapshot of the node's database from one read
//!   transaction, streamed as `application/octet-stream` ([`crate::api::backup`]).
//! * `POST /admin/cluster-check` with `{"diff": bool}` (body optional, `diff` default false):
//!   compare this node's per-app digests with every peer's (`node::cluster_check`); `200` with
//!   the report as one JSON object ([`crate::wire::cluster::CheckReport`]), `503` not_ready
//!   without a master secret, `400` for a body that is not a JSON object.

use std::convert::Infallible;
use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use tokio::net::UnixListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::admin_wire::{encode_sync_event, error_json, socket_path, SyncEvent, SyncResult};
use crate::config::StorageKind;
use crate::crypto::pop::canonical_wallet;
use crate::error::{Error, ErrorKind, Result};
use crate::node::peers::PeerInfo;
use crate::node::replicator::pull_snapshot;
use crate::node::state::NodeState;

/// Largest admin request body, bytes.
const MAX_ADMIN_BODY: usize = 64 * 1024;

/// How long shutdown waits for in-flight admin requests before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// The admin router (routes in the module docs).
pub fn router(st: Arc<NodeState>) -> Router {
    Router::new()
        .route("/admin/sync", post(sync))
        .route("/admin/backup", get(super::backup::backup))
        .route("/admin/cluster-check", post(cluster_check))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_ADMIN_BODY))
        .with_state(st)
}

/// A running admin server; [`AdminServer::shutdown`] stops it and removes the socket file.
pub struct AdminServer {
    path: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl AdminServer {
    /// Path of the socket.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stop accepting, give in-flight requests 2 s to finish, then cut them off
    /// and remove the socket file.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
            let _ = (&mut self.task).await;
        }
        match fs::remove_file(&self.path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot remove admin socket")
            }
        }
    }
}

/// Bind the admin socket at `path`: a leftover socket file is removed first (stale: the caller
/// holds the data dir's lock); anything else at that path is refused. The socket gets mode 0600.
///
/// Errors (Local): another kind of file at `path`, bind failure (path too long for a unix
/// socket, permissions), chmod failure.
pub fn bind(path: &Path) -> Result<UnixListener> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_socket() => {
            tracing::info!(path = %path.display(), "removing stale admin socket");
            fs::remove_file(path).map_err(|e| {
                Error::local(format!(
                    "cannot remove stale admin socket {}: {e}",
                    path.display()
                ))
            })?;
        }
        Ok(_) => {
            return Err(Error::local(format!(
                "{} exists and is not a socket; remove it to enable the admin socket",
                path.display()
            )))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Error::local(format!(
                "cannot inspect {}: {e}",
                path.display()
            )))
        }
    }
    let listener = UnixListener::bind(path).map_err(|e| {
        Error::local(format!(
            "cannot listen on admin socket {}: {e}",
            path.display()
        ))
    })?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(|e| {
        Error::local(format!(
            "cannot set mode of admin socket {}: {e}",
            path.display()
        ))
    })?;
    Ok(listener)
}

/// Serve [`router`] on a socket at `path` (see [`bind`]). Must be called inside a Tokio runtime.
pub fn start_at(st: Arc<NodeState>, path: &Path) -> Result<AdminServer> {
    let listener = bind(path)?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = router(st);
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "admin socket server failed");
        }
    });
    Ok(AdminServer {
        path: path.to_path_buf(),
        stop: Some(tx),
        task,
    })
}

/// Start the admin server of a node: `Ok(None)` unless the storage is redb (only a redb node
/// has a data dir to hold the socket). Errors: as [`bind`].
pub fn start(st: Arc<NodeState>) -> Result<Option<AdminServer>> {
    if st.settings.storage != StorageKind::Redb {
        return Ok(None);
    }
    let path = socket_path(&st.settings.data_dir);
    let server = start_at(st, &path)?;
    tracing::info!(path = %server.path().display(), "admin socket listening");
    Ok(Some(server))
}

/// A non-streamed error answer `{"error","kind"}`.
fn error_response(status: StatusCode, kind: ErrorKind, message: impl Into<String>) -> Response {
    let body = error_json(kind, &message.into());
    (status, axum::Json(body)).into_response()
}

/// Find the peer named by `from` (a canonical-able wallet, or a URL compared without trailing
/// `/`, case-insensitively) among the PeerCache members.
fn resolve_peer(st: &NodeState, from: &str) -> std::result::Result<PeerInfo, Box<Response>> {
    let from = from.trim();
    if from.is_empty() {
        return Err(Box::new(error_response(
            StatusCode::BAD_REQUEST,
            ErrorKind::Local,
            "'from' is empty: give a peer URL or wallet",
        )));
    }
    let members = st.peer_cache.all();
    let found = match canonical_wallet(from) {
        Ok(w) => members.into_iter().find(|p| p.wallet == w),
        Err(_) => {
            let url = from.trim_end_matches('/');
            members
                .into_iter()
                .find(|p| p.url.eq_ignore_ascii_case(url))
        }
    };
    let Some(peer) = found else {
        return Err(Box::new(error_response(
            StatusCode::NOT_FOUND,
            ErrorKind::Local,
            format!("{from} is not a KMS member known to this node (see GET /nodes)"),
        )));
    };
    if peer.wallet == st.wallet {
        return Err(Box::new(error_response(
            StatusCode::BAD_REQUEST,
            ErrorKind::Local,
            format!("{from} is this node itself"),
        )));
    }
    if st
        .peer_cache
        .is_blacklisted(&peer.wallet, st.clock.now_ms())
    {
        return Err(Box::new(error_response(
            StatusCode::CONFLICT,
            ErrorKind::NotReady,
            format!(
                "peer {} is blacklisted (it sent a master secret that does not match the chain)",
                peer.url
            ),
        )));
    }
    Ok(peer)
}

fn ndjson_line(ev: &SyncEvent) -> Bytes {
    Bytes::from(encode_sync_event(ev))
}

/// `POST /admin/sync` (module docs).
async fn sync(State(st): State<Arc<NodeState>>, body: Bytes) -> Response {
    let from = match serde_json::from_slice::<Value>(&body) {
        Ok(v) => match v.get("from").and_then(Value::as_str) {
            Some(f) => f.to_string(),
            None => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    ErrorKind::Local,
                    "request needs a string field 'from'",
                )
            }
        },
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorKind::Local,
                format!("request is not JSON: {e}"),
            )
        }
    };
    let peer = match resolve_peer(&st, &from) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    if st.with_secret(|_| ()).is_none() {
        let reason = st.readiness().reason;
        return error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::NotReady,
            format!("master secret not loaded (node not ready: {reason})"),
        );
    }
    tracing::info!(peer = %peer.url, "admin: snapshot pull requested");
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    tokio::spawn(async move {
        let _ = tx
            .send(ndjson_line(&SyncEvent::Fetching {
                peer: peer.url.clone(),
            }))
            .await;
        let progress_tx = tx.clone();
        let result = pull_snapshot(&st, &peer, move |done, total| {
            let line = SyncEvent::Merging { done, total };
            let _ = progress_tx.try_send(ndjson_line(&line));
        })
        .await;
        let last = match result {
            Ok(r) => {
                tracing::info!(
                    peer = %peer.url,
                    total = r.total,
                    merged = r.merged,
                    skipped = r.skipped,
                    rejected = r.rejected,
                    "admin: snapshot pulled"
                );
                SyncEvent::Done(SyncResult {
                    peer: peer.url.clone(),
                    peer_wallet: peer.wallet.clone(),
                    total: r.total,
                    merged: r.merged,
                    skipped: r.skipped,
                    rejected: r.rejected,
                    skip_reasons: r.skip_reasons,
                })
            }
            Err(e) => {
                tracing::warn!(peer = %peer.url, error = %e, "admin: snapshot pull failed");
                SyncEvent::Failed(e)
            }
        };
        let _ = tx.send(ndjson_line(&last)).await;
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<Bytes, Infallible>(b), rx))
    });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response()
}

/// `POST /admin/cluster-check` (module docs).
async fn cluster_check(State(st): State<Arc<NodeState>>, body: Bytes) -> Response {
    let diff = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(o)) => o.get("diff").and_then(Value::as_bool).unwrap_or(false),
            _ => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    ErrorKind::Local,
                    "request must be a JSON object like {\"diff\": true}",
                )
            }
        }
    };
    match crate::node::cluster_check::run(&st, diff).await {
        Ok(report) => axum::Json(report).into_response(),
        Err(r) => {
            let kind = if r.status == 503 {
                ErrorKind::NotReady
            } else {
                ErrorKind::Local
            };
            let status =
                StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error_response(status, kind, r.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::admin::AdminClient;
    use crate::node::ingest::tests::test_state;

    fn member(w: &str, url: &str) -> PeerInfo {
        PeerInfo::for_test(w, vec![1], url, 0, true, 49)
    }

    #[tokio::test]
    async fn bind_replaces_stale_sockets_and_refuses_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = socket_path(dir.path());
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        let l = bind(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        drop(l);
        fs::remove_file(&path).unwrap();
        fs::write(&path, b"x").unwrap();
        let e = bind(&path).unwrap_err();
        assert!(e.message().contains("is not a socket"), "{e}");
        assert_eq!(fs::read(&path).unwrap(), b"x");
    }

    #[tokio::test]
    async fn refusals_before_the_pull_carry_their_kind() {
        let dir = tempfile::tempdir().unwrap();
        let peer_w = "0x00000000000000000000000000000000000000b2";
        let bad_w = "0x00000000000000000000000000000000000000b3";
        let st = test_state(Some([3; 32]));
        st.peer_cache.replace(
            vec![
                member(&st.wallet, "http://me:1"),
                member(peer_w, "http://peer:2"),
                member(bad_w, "http://bad:3"),
            ],
            1,
        );
        st.peer_cache.blacklist(bad_w, u64::MAX);
        let server = start_at(st.clone(), &socket_path(dir.path())).unwrap();
        let c = AdminClient::new(dir.path());
        let kind = |from: &'static str| {
            let c = c.clone();
            async move { c.sync(from, |_| {}).await.unwrap_err() }
        };
        let e = kind("http://unknown:9").await;
        assert_eq!(e.kind(), ErrorKind::Local, "{e}");
        assert!(e.message().contains("not a KMS member"), "{e}");
        let e = kind("").await;
        assert_eq!(e.kind(), ErrorKind::Local, "{e}");
        let e = c.sync(&st.wallet, |_| {}).await.unwrap_err();
        assert!(e.message().contains("this node itself"), "{e}");
        let e = kind("http://BAD:3/").await;
        assert_eq!(e.kind(), ErrorKind::NotReady, "{e}");
        assert!(e.message().contains("blacklisted"), "{e}");
        // the peer is found by URL or wallet; its /sync is unreachable: the stream says so
        let mut events = Vec::new();
        let e = c
            .sync("http://peer:2/", |ev| events.push(format!("{ev:?}")))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Remote, "{e}");
        assert!(events[0].contains("Fetching"), "{events:?}");
        let e = kind("0x00000000000000000000000000000000000000B2").await;
        assert_eq!(e.kind(), ErrorKind::Remote, "{e}");
        // without a master secret nothing starts
        *st.master.write().unwrap() = None;
        let e = kind("http://peer:2").await;
        assert_eq!(e.kind(), ErrorKind::NotReady, "{e}");
        let path = server.path().to_path_buf();
        server.shutdown().await;
        assert!(!path.exists(), "socket removed at shutdown");
    }
}
