//! `GET /admin/backup` on the admin socket (`api::admin`): the online half of
//! `novakms backup create` (design.md §5).
//!
//! The node exports its storage from ONE read transaction ([`crate::storage::Storage::
//! export`]) into a signed `.nksnap` stream ([`crate::storage::backup`]): a
//! point-in-time copy while writers continue. The answer is `200` with
//! `content-type: application/octet-stream` and a `content-length` equal to the snapshot's size
//! (known once the export began), or, if the export fails before its first byte, a non-2xx
//! `{"error","kind"}` as every admin route. A failure after the first byte breaks the connection
//! off (the client sees a short body and the node logs the error). While the stream is read the
//! read transaction stays open: redb cannot reuse pages freed by later writes until it ends.
//!
//! `masterSecretHash` in the manifest: the node's own secret once verified against the chain,
//! else the chain's value when readable, else unknown. The sealed master secret is included
//! (sealed for this node's wallet) when `master_secret_storage = "sealed"`.

use std::io::{self, Write};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use crate::admin_wire::error_json;
use crate::config::MasterSecretStorage;
use crate::error::{Error, ErrorKind};
use crate::node::state::NodeState;
use crate::storage::backup::{self, BackupMode, HashSource, ManifestContext};

/// Chunk size of the streamed snapshot.
const CHUNK: usize = 256 * 1024;

enum Msg {
    /// Total snapshot length (sent once, before any data).
    Length(u64),
    Data(Bytes),
    Fail(Error),
}

/// A [`Write`] that sends `CHUNK`-sized pieces to the response stream; fails with `BrokenPipe`
/// once the client has gone (which aborts the export and ends the read transaction).
struct ChannelWriter {
    tx: mpsc::Sender<Msg>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let data = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Msg::Data(data))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

fn error_response(status: StatusCode, e: &Error) -> Response {
    let body = error_json(e.kind(), e.message());
    (status, axum::Json(body)).into_response()
}

/// `masterSecretHash` for the manifest (module docs).
async fn master_secret_hash(st: &NodeState) -> (Option<String>, HashSource) {
    let own = {
        let g = st.master.read().unwrap_or_else(|p| p.into_inner());
        g.as_ref()
            .filter(|l| l.verified)
            .map(|l| l.secret.hash_hex())
    };
    if let Some(h) = own {
        return (Some(h), HashSource::Node);
    }
    match st.registry.master_secret_hash().await {
        Ok(h) if h != [0u8; 32] => (Some(format!("0x{}", hex::encode(h))), HashSource::Chain),
        Ok(_) => (None, HashSource::Unknown),
        Err(e) => {
            tracing::warn!(error = %e, "admin backup: masterSecretHash unknown (chain not readable)");
            (None, HashSource::Unknown)
        }
    }
}

/// `GET /admin/backup` (module docs).
pub async fn backup(State(st): State<Arc<NodeState>>) -> Response {
    let (hash, source) = master_secret_hash(&st).await;
    let ctx = ManifestContext {
        mode: BackupMode::Online,
        created_at_ms: st.clock.now_ms(),
        master_secret_hash: hash,
        master_secret_hash_source: source,
        include_sealed_master_secret: st.settings.master_secret_storage
            == MasterSecretStorage::Sealed,
        sealed_for: Some(st.wallet.clone()),
    };
    tracing::info!("admin: online backup requested");
    let (tx, mut rx) = mpsc::channel::<Msg>(16);
    let export_state = st.clone();
    tokio::task::spawn_blocking(move || {
        let len_tx = tx.clone();
        let mut announced = false;
        let progress: backup::Progress<'static> = Box::new(move |_, total| {
            if !announced {
                announced = true;
                let _ = len_tx.blocking_send(Msg::Length(total));
            }
        });
        let out = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let st = export_state;
        match backup::write_backup(st.storage.as_ref(), out, &st.identity, ctx, Some(progress)) {
            Ok((summary, _)) => tracing::info!(
                bytes = summary.bytes,
                records = summary.manifest.totals.records,
                tombstones = summary.manifest.totals.tombstones,
                "admin: online backup sent"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "admin: online backup failed");
                let _ = tx.blocking_send(Msg::Fail(e));
            }
        }
    });
    let total = match rx.recv().await {
        Some(Msg::Length(n)) => n,
        Some(Msg::Fail(e)) => {
            let status = match e.kind() {
                ErrorKind::Integrity => StatusCode::INTERNAL_SERVER_ERROR,
                ErrorKind::Local => StatusCode::CONFLICT,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            return error_response(status, &e);
        }
        _ => {
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &Error::local("the backup export ended before it began"),
            )
        }
    };
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Some(Msg::Data(b)) => Some((Ok::<Bytes, io::Error>(b), rx)),
            Some(Msg::Fail(e)) => Some((Err(io::Error::other(e.to_string())), rx)),
            Some(Msg::Length(_)) => Some((Ok(Bytes::new()), rx)),
            None => None,
        }
    });
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_LENGTH, total.to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}
