//! `snapshot_page` (novakms-only `/sync` type; see `node::replicator::paged`): one page of the
//! peer's change log per request, so neither side ever holds a whole snapshot.

use serde_json::{json, Value};

use super::{protocol, PeerClient, PeerError, SyncPeer};

/// One page as answered by the peer.
#[derive(Debug, Clone)]
pub struct PageAnswer {
    /// `{"<app_id>": [<wire record>…]}` (§6.4 shape); feed it to `node::ingest::parse_data`.
    pub data: Value,
    /// Every entry of the peer's change log up to this sequence was considered: ask the next
    /// page with `after_seq = next_seq`.
    pub next_seq: u64,
    /// The peer's `last_seq` as of the page's read.
    pub last_seq: u64,
    /// The identity of the peer's change log (`"log_id"`), when the peer sent one of the
    /// right shape ([`crate::storage::valid_log_id`]; an older novakms sends none).
    pub log_id: Option<String>,
}

impl PageAnswer {
    /// True when the page reached the end of the peer's log (`next_seq >= last_seq`).
    pub fn is_last(&self) -> bool {
        self.next_seq >= self.last_seq
    }
}

/// What a `snapshot_page` request asks for ([`PeerClient::snapshot_page`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct PageRequest<'a> {
    /// The peer's change-log sequence to continue after (0 = from the start).
    pub after_seq: u64,
    /// Most records wanted (the peer caps it).
    pub max_records: usize,
    /// Record bytes (key + ciphertext) after which the page ends (the peer caps it).
    pub max_bytes: usize,
    /// Canonical wallets whose records, stored by the peer exactly as they sent them, are not
    /// wanted (`node::replicator::paged`, "Origin exclusion").
    pub exclude_origins: &'a [String],
    /// The peer's change log `after_seq` belongs to, from an earlier page
    /// (`node::replicator::paged`, "Push cursors").
    pub log_id: Option<&'a str>,
}

/// True when `e` is the answer of a peer that does not know `snapshot_page` (an upstream node:
/// 400 `Unknown sync type: snapshot_page`, protocol.md §6.7 lists only its three types).
pub fn is_unknown_type(e: &PeerError) -> bool {
    matches!(e, PeerError::Refused { status: 400, message } if message.starts_with("Unknown sync type"))
}

impl PeerClient {
    /// Ask `peer` for the page of its change log after `req.after_seq`
    /// (`{"type":"snapshot_page","sender_wallet","after_seq","max_records","max_bytes"}`, plus
    /// `"exclude_origins": ["0x…"]` when `exclude_origins` is not empty; HMAC required). The
    /// peer caps both bounds (records; bytes of key + ciphertext) and leaves out records it
    /// stored exactly as one of `exclude_origins` sent them. `log_id` (sent as `"log_id"` when
    /// given): the peer's change log `after_seq` belongs to, from an earlier page; a peer
    /// whose log it is moves its push cursor for us to the page's end.
    ///
    /// Errors: as [`PeerClient::request`] (an upstream peer's refusal is
    /// [`PeerError::Refused`] 400, see [`is_unknown_type`]); Protocol when the answer lacks
    /// `data` (object), `next_seq` or `last_seq`, or when `next_seq` is below `after_seq` (a page
    /// that goes back would never end). A `log_id` of another shape reads as absent.
    pub async fn snapshot_page(
        &self,
        peer: &impl SyncPeer,
        sync_key: &[u8; 32],
        req: &PageRequest<'_>,
    ) -> Result<PageAnswer, PeerError> {
        let PageRequest {
            after_seq,
            max_records,
            max_bytes,
            exclude_origins,
            log_id,
        } = *req;
        let mut payload = json!({
            "type": crate::wire::sync::SNAPSHOT_PAGE,
            "sender_wallet": self.wallet,
            "after_seq": after_seq,
            "max_records": max_records,
            "max_bytes": max_bytes,
        });
        if !exclude_origins.is_empty() {
            payload["exclude_origins"] = json!(exclude_origins);
        }
        if let Some(l) = log_id {
            payload["log_id"] = json!(l);
        }
        let mut v = self.request(peer, &payload, Some(sync_key)).await?;
        let num = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_u64)
                .ok_or_else(|| protocol(format!("snapshot page answer has no numeric '{k}'")))
        };
        let next_seq = num(&v, "next_seq")?;
        let last_seq = num(&v, "last_seq")?;
        if next_seq < after_seq {
            return Err(protocol(format!(
                "snapshot page answer goes back: next_seq {next_seq} < after_seq {after_seq}"
            )));
        }
        let log_id = v
            .get("log_id")
            .and_then(Value::as_str)
            .filter(|l| crate::storage::valid_log_id(l))
            .map(str::to_string);
        match v.get_mut("data").map(Value::take) {
            Some(data @ Value::Object(_)) => Ok(PageAnswer {
                data,
                next_seq,
                last_seq,
                log_id,
            }),
            _ => Err(protocol("snapshot page answer has no 'data' object")),
        }
    }
}
