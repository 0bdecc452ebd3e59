//! The operations core of `POST /sync` (protocol.md §1.9, §2.4, §6), in two calls so that a
//! caller is authenticated before its body is read (issue 10): [`admit`] takes the PoP
//! headers alone and returns the authenticated peer or a [`Refusal`]; only then does the HTTP
//! handler (`api::peer::sync`) read and parse the body, and [`handle`] takes the HMAC header
//! and the outer body and returns the sealed reply or a [`Refusal`].
//!
//! Processing order (§1.9 with our hardening):
//!
//! 1. `Content-Type` and declared `Content-Length` (headers only; 415 / 413 with the
//!    framework's texts, in `api`);
//! 2. no master secret loaded → 503 `master secret not initialized`;
//! 3. KMS-peer PoP (§2.4) → 403 `unauthorized`; the nonce is peeked, the
//!    signer recovered, and the nonce consumed only once the signer is a
//!    valid cached peer (a bystander cannot burn nonces);
//! 4. PeerCache membership: present and not blacklisted, instance ACTIVE,
//!    zkVerified, `app_id == kms_app_id`, non-empty teePubkey → 403 `forbidden`;
//! 5. only now the body is read (at most `sync_max_concurrent_body_reads` at once, real
//!    bytes capped by `max_sync_body_bytes`) and parsed with the framework's extractor: 413 /
//!    400 with the framework's texts, as before (upstream reads the body first, §1.9 step 1,
//!    so an unauthenticated caller with a bad body now gets the 403 of steps 3–4 instead);
//! 6. envelope required (400), `sender_tee_pubkey` == cached teePubkey (403),
//!    decryption (400 `Envelope decryption failed`; upstream: 500);
//! 7. payload must be a JSON object (400 `Invalid sync payload`);
//! 8. `sender_wallet`, if present, canonical and equal to the PoP signer (403);
//! 9. unless `type == master_secret_request`, `x-sync-signature` verified
//!    with the local sync key over the canonical outer body (403; checked over the body's
//!    bytes as received first, which are canonical from a novakms sender);
//! 10. dispatch: `delta` (validated and merged through the committer,
//!     `node::ingest`), `snapshot_request`, `snapshot_page` (novakms only: one bounded page
//!     of the change log, `node::replicator::paged`), `master_secret_request` (only when
//!     the local secret is verified against the chain, else 503), the
//!     novakms-only `digest_request` (`node::cluster_check`, issue 13), otherwise
//!     400 `Unknown sync type: <type>`;
//! 11. `X-KMS-Peer-Signature` and the result sealed to the peer's key.
//!
//! Refusals never change state (except consuming the PoP nonce from step 4
//! on, as upstream) and bad input never yields a 5xx.

use std::sync::Arc;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::crypto::keys::{decode_hex_strict, parse_p384_public, spki_der};
use crate::crypto::mac::verify_sync_hmac_raw;
use crate::crypto::pop;
use crate::crypto::sealed::seal_master_secret;
use crate::node::auth::{authenticate_peer, PeerCaller};
use crate::node::catch_up::CATCHING_UP;
use crate::node::ingest;
use crate::node::kv::{read, ReadKind};
use crate::node::refusal::Refusal;
use crate::node::reply::{self, SealedReply};
use crate::node::state::NodeState;
use crate::wire::headers::PopHeaders;
use crate::wire::sync::{
    DeltaReply, MasterSecretReply, SnapshotPageReply, SnapshotReply, SyncPayload, DELTA,
    MASTER_SECRET_REQUEST, SNAPSHOT_PAGE, SNAPSHOT_REQUEST,
};

/// Steps 2–4 of the module docs: the caller's PoP headers alone (no body) turned into an
/// authenticated, authorized KMS peer. Errors: 503 `master secret not initialized` (nonce
/// untouched); 403 `unauthorized` (PoP) or `forbidden` (membership), the nonce consumed only
/// when the signer is an authorized member (`node::auth`).
pub fn admit(st: &NodeState, h: &PopHeaders) -> Result<PeerCaller, Refusal> {
    // 2.
    if st.with_secret(|_| ()).is_none() {
        return Err(Refusal::unavailable("master secret not initialized"));
    }
    // 3–4.
    authenticate_peer(st, h)
}

/// Steps 6–11 of the module docs for a caller [`admit`] let in: `hmac` is the
/// `x-sync-signature` header; `raw` the outer body as received (dropped once the HMAC is
/// checked) and `body` the same parsed (the envelope). The HMAC is checked over `raw` first, then over `canonical_json(body)` (§6.3;
/// `crypto::mac::verify_sync_hmac_raw`).
///
/// Success replies (sealed, canonical JSON): [`DeltaReply`], [`SnapshotReply`],
/// [`MasterSecretReply`]. Errors: 503 `master secret not initialized` / `not verified`;
/// 403 `unauthorized` (HMAC) or `forbidden` (key, wallet); 400 `bad_request` (envelope,
/// payload, type, `ecdh_pubkey`); 500 only for storage failures.
pub async fn handle(
    st: &Arc<NodeState>,
    caller: &PeerCaller,
    hmac: Option<&str>,
    raw: impl AsRef<[u8]>,
    body: &Value,
) -> Result<SealedReply, Refusal> {
    // 6–7.
    let plain = reply::open_bytes(st, &caller.peer.tee_pubkey, body).await?;
    let payload: SyncPayload = match serde_json::from_slice::<Value>(&plain) {
        Ok(v @ Value::Object(_)) => {
            serde_json::from_value(v).map_err(|_| Refusal::bad_request("Invalid sync payload"))?
        }
        _ => return Err(Refusal::bad_request("Invalid sync payload")),
    };
    // 8.
    if let Some(sw) = &payload.sender_wallet {
        let sw = sw
            .as_str()
            .and_then(|s| pop::canonical_wallet(s).ok())
            .ok_or_else(|| Refusal::forbidden("Invalid wallet address"))?;
        if sw != caller.wallet {
            return Err(Refusal::forbidden(
                "sender_wallet does not match PoP signature",
            ));
        }
    }
    // 9.
    let kind = payload.kind.clone().unwrap_or_default();
    if kind != MASTER_SECRET_REQUEST {
        let mac = hmac.ok_or_else(|| Refusal::unauthorized("Missing HMAC signature"))?;
        let key = st
            .with_secret(|s| Zeroizing::new(s.sync_key()))
            .ok_or_else(|| Refusal::unavailable("master secret not initialized"))?;
        if !verify_sync_hmac_raw(&key, raw.as_ref(), body, mac) {
            return Err(Refusal::unauthorized("Invalid HMAC signature"));
        }
    }
    // The body as received is not needed past the HMAC (up to `max_sync_body_bytes`).
    drop(raw);
    // 10–11.
    let sealed = match kind.as_str() {
        DELTA => {
            let r = delta(st, caller, payload).await?;
            seal(st, caller, &r).await
        }
        SNAPSHOT_REQUEST | SNAPSHOT_PAGE => {
            if st.rejoin.holding() {
                // Restored, not reconciled yet: its records may include keys the cluster has
                // deleted since (`node::rejoin`).
                return Err(Refusal::unavailable(
                    "restored from a backup, reconciling with peers",
                ));
            }
            if kind == SNAPSHOT_PAGE {
                let plain = snapshot_page(st, caller, &payload).await?;
                seal_canonical(st, caller, plain).await
            } else {
                let r = snapshot(st).await?;
                seal(st, caller, &r).await
            }
        }
        MASTER_SECRET_REQUEST => {
            let r = master_secret(st, caller, &payload)?;
            seal(st, caller, &r).await
        }
        crate::wire::cluster::DIGEST_REQUEST => {
            // novakms only (issue 13): digests for `cluster check`, `node::cluster_check`.
            // A node still catching up holds part of the store: its digests would only send
            // an anti-entropy round pulling from it (`replicator::check_digests`) after nothing.
            if st.catch_up.holding(st.clock.now_ms()) {
                return Err(Refusal::unavailable(crate::node::catch_up::CATCHING_UP));
            }
            let r = crate::node::cluster_check::answer(
                st,
                payload.now_ms,
                payload.settled_before_ms,
                &payload.keys_for,
            )
            .await?;
            seal(st, caller, &r).await
        }
        other => Err(Refusal::bad_request(format!(
            "Unknown sync type: {}",
            other.chars().take(64).collect::<String>()
        ))),
    };
    sealed
}

/// Step 10: sign (§2.5) and seal the result to the peer's cached teePubkey.
async fn seal<R: serde::Serialize>(
    st: &NodeState,
    caller: &PeerCaller,
    r: &R,
) -> Result<SealedReply, Refusal> {
    reply::seal(st, &caller.peer.tee_pubkey, Some(&caller.signature), r)
        .await
        .map_err(peer_seal_refusal)
}

/// [`seal`] for a reply already written as canonical JSON (`snapshot_page`).
async fn seal_canonical(
    st: &NodeState,
    caller: &PeerCaller,
    plain: Zeroizing<String>,
) -> Result<SealedReply, Refusal> {
    reply::seal_canonical(st, &caller.peer.tee_pubkey, Some(&caller.signature), plain)
        .await
        .map_err(peer_seal_refusal)
}

/// A peer whose registered teePubkey cannot take an envelope gets this 400.
fn peer_seal_refusal(e: Refusal) -> Refusal {
    if e.status == 400 {
        Refusal::bad_request("cannot encrypt response to the peer's teePubkey")
    } else {
        e
    }
}

/// `delta` (§6.4–§6.6): validate and merge the records, origin = the sending peer.
///
/// Errors: 503 `catching up` (nothing merged) while this node's start-up catch-up holds it not
/// ready and the sender marked the delta `retry_if_catching_up` (a novakms pusher, which
/// retries within a second); deltas without the mark (upstream peers do not retry) are
/// merged as always. Storage refusals as [`Refusal::from_storage_error`].
async fn delta(
    st: &Arc<NodeState>,
    caller: &PeerCaller,
    payload: SyncPayload,
) -> Result<DeltaReply, Refusal> {
    if payload.retry_if_catching_up == Value::Bool(true) && st.catch_up.holding(st.clock.now_ms()) {
        // The sender retries, and our catch-up pulls its log meanwhile: merging its backlog
        // now would receive the same records twice (issue 12, join).
        return Err(Refusal::unavailable(CATCHING_UP));
    }
    let records = ingest::parse_data(&payload.data);
    let report = ingest::ingest(st, records, Some(&caller.wallet))
        .await
        .map_err(|e| {
            if e.kind() != crate::ErrorKind::NotReady {
                tracing::error!(peer = %caller.wallet, error = %e, "merging a delta failed");
            }
            Refusal::from_storage_error(&e)
        })?;
    tracing::debug!(
        peer = %caller.wallet,
        total = report.total,
        merged = report.merged,
        skipped = report.skipped,
        rejected = report.rejected,
        "delta received"
    );
    Ok(DeltaReply {
        status: "ok",
        report,
    })
}

/// `snapshot_request` (§6.7): every namespace with its records, tombstones included, records
/// expired now left out.
async fn snapshot(st: &Arc<NodeState>) -> Result<SnapshotReply, Refusal> {
    let now = st.clock.now_ms();
    let snap = read(st, ReadKind::Scan, move |s| s.snapshot(now)).await?;
    let mut data = Map::new();
    for (app, recs) in snap {
        data.insert(
            app.to_string(),
            Value::Array(recs.iter().map(|r| r.to_wire()).collect()),
        );
    }
    Ok(SnapshotReply { status: "ok", data })
}

/// `snapshot_page` (novakms only, `node::replicator::paged`): one page of the change log after
/// `after_seq` (default 0), from one bounded storage read ([`crate::storage::Storage::snapshot_page`]).
/// `max_records` defaults to and is capped at [`crate::node::replicator::PAGE_MAX_RECORDS`],
/// `max_bytes` at [`crate::node::replicator::PAGE_MAX_BYTES`] (record bytes), so the donor's
/// memory per request is bounded whatever the requester asks. `exclude_origins` leaves out
/// records stored exactly as those wallets sent them (`SyncPayload::excluded_origins`).
///
/// When the request starts at 0 or names our change log (`log_id`), the caller holds our log
/// up to the page's end once it has it, so our push cursor for the caller moves there (forward only;
/// `node::replicator::paged`, "Push cursors"); a failure to store it is logged, the page is
/// still served. Returns the reply's canonical JSON ([`SnapshotPageReply::to_canonical`]).
async fn snapshot_page(
    st: &Arc<NodeState>,
    caller: &PeerCaller,
    payload: &SyncPayload,
) -> Result<Zeroizing<String>, Refusal> {
    use crate::node::replicator::{PAGE_MAX_BYTES, PAGE_MAX_RECORDS};
    let now = st.clock.now_ms();
    let after = payload.after_seq.unwrap_or(0);
    let max_records = payload
        .max_records
        .map_or(PAGE_MAX_RECORDS, |n| (n as usize).min(PAGE_MAX_RECORDS));
    let max_bytes = payload
        .max_bytes
        .map_or(PAGE_MAX_BYTES, |n| (n as usize).min(PAGE_MAX_BYTES));
    let exclude = payload.excluded_origins();
    let page = read(st, ReadKind::Scan, move |s| {
        s.snapshot_page(after, max_records, max_bytes, now, &exclude)
    })
    .await?;
    let in_our_log = after == 0
        || payload
            .page_log_id()
            .is_some_and(|l| Some(l) == page.log_id.as_deref());
    if in_our_log && page.scanned_to > 0 && caller.wallet != st.wallet {
        let (s, w) = (st.storage.clone(), caller.wallet.clone());
        let to = crate::storage::PeerCursor {
            acked_seq: page.scanned_to,
            last_success_ms: 0,
        };
        match tokio::task::spawn_blocking(move || s.advance_peer_cursor(&w, &to)).await {
            Ok(Ok(now)) => crate::node::replicator::update_peer_state(st, &caller.wallet, |r| {
                r.acked_seq = now.acked_seq
            }),
            Ok(Err(e)) => {
                tracing::warn!(peer = %caller.wallet, error = %e, "cannot advance the push cursor after a served page")
            }
            Err(e) => tracing::warn!(error = %e, "push cursor task failed"),
        }
    }
    let reply = SnapshotPageReply {
        changes: page.changes.iter().map(|c| (c.app_id, &c.record)).collect(),
        next_seq: page.scanned_to,
        last_seq: page.last_seq,
        log_id: page.log_id.as_deref(),
    };
    Ok(Zeroizing::new(reply.to_canonical()))
}

/// `master_secret_request` (§6.8): seal the verified master secret to the requester's
/// ephemeral P-384 key.
fn master_secret(
    st: &NodeState,
    caller: &PeerCaller,
    payload: &SyncPayload,
) -> Result<MasterSecretReply, Refusal> {
    let pk_hex = payload.ecdh_pubkey.as_deref().ok_or_else(|| {
        Refusal::bad_request("Sealed ECDH pubkey required for master secret exchange")
    })?;
    let pk =
        decode_hex_strict(pk_hex).map_err(|_| Refusal::bad_request("Invalid ecdh_pubkey hex"))?;
    let pk =
        parse_p384_public(&pk).map_err(|_| Refusal::bad_request("Invalid peer ECDH public key"))?;
    let pk = spki_der(&pk);
    let g = st.master.read().unwrap_or_else(|p| p.into_inner());
    let loaded = g
        .as_ref()
        .ok_or_else(|| Refusal::unavailable("master secret not initialized"))?;
    if !loaded.verified {
        return Err(Refusal::unavailable("master secret not verified"));
    }
    let sealed = seal_master_secret(&pk, loaded.secret.as_bytes())
        .map_err(|_| Refusal::bad_request("Invalid peer ECDH public key"))?;
    drop(g);
    tracing::info!(peer = %caller.wallet, "served the master secret by sealed exchange");
    Ok(MasterSecretReply {
        status: "ok",
        sealed,
    })
}
