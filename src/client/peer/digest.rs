//! `digest_request` (issue 13, `wire::cluster`): ask a novakms peer for its per-app digests
//! over the authenticated `/sync` channel (PoP, envelope and HMAC as every request).

use serde_json::json;

use super::{PeerClient, PeerError, SyncPeer};
use crate::wire::cluster::{DigestReply, DIGEST_REQUEST};

impl PeerClient {
    /// Ask `peer` for its digests at the expiry cut-off `now_ms` (Unix ms), with per-key
    /// summaries of the apps in `keys_for` (capped by the peer, `wire::cluster`).
    ///
    /// Errors: as [`PeerClient::request`] (an upstream peer answers `Refused` 400
    /// `Unknown sync type: digest_request`); Protocol when the answer is not a
    /// [`DigestReply`] with status `ok`.
    pub async fn digests(
        &self,
        peer: &impl SyncPeer,
        sync_key: &[u8; 32],
        now_ms: u64,
        keys_for: &[u64],
    ) -> Result<DigestReply, PeerError> {
        self.digest_exchange(peer, sync_key, now_ms, Some(keys_for), None)
            .await
    }

    /// Ask `peer` for its "settled" digests at `now_ms`: records written after
    /// `settled_before_ms` (Unix ms) left out (`wire::cluster`; anti-entropy,
    /// `node::replicator::pull`). An older novakms ignores the cut: its reply then has no
    /// `settled_before_ms` and its digests cover every record.
    ///
    /// Errors: as [`PeerClient::digests`].
    pub async fn settled_digests(
        &self,
        peer: &impl SyncPeer,
        sync_key: &[u8; 32],
        now_ms: u64,
        settled_before_ms: u64,
    ) -> Result<DigestReply, PeerError> {
        self.digest_exchange(peer, sync_key, now_ms, None, Some(settled_before_ms))
            .await
    }

    /// One `digest_request` (fields present only when given) and its checked reply.
    async fn digest_exchange(
        &self,
        peer: &impl SyncPeer,
        sync_key: &[u8; 32],
        now_ms: u64,
        keys_for: Option<&[u64]>,
        settled_before_ms: Option<u64>,
    ) -> Result<DigestReply, PeerError> {
        let mut payload = json!({
            "type": DIGEST_REQUEST,
            "sender_wallet": self.wallet,
            "now_ms": now_ms,
        });
        if let Some(k) = keys_for {
            payload["keys_for"] = json!(k);
        }
        if let Some(c) = settled_before_ms {
            payload["settled_before_ms"] = json!(c);
        }
        let v = self.request(peer, &payload, Some(sync_key)).await?;
        let r: DigestReply = serde_json::from_value(v)
            .map_err(|e| PeerError::Protocol(format!("digest answer is malformed: {e}")))?;
        if r.status != "ok" {
            return Err(PeerError::Protocol(
                "digest answer status is not \"ok\"".into(),
            ));
        }
        Ok(r)
    }
}
