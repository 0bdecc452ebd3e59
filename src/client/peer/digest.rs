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
        let payload = json!({
            "type": DIGEST_REQUEST,
            "sender_wallet": self.wallet,
            "now_ms": now_ms,
            "keys_for": keys_for,
        });
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
