//! Authentication of the node's callers: app PoP with registry authorization (protocol.md
//! §2.3, §2.7) and KMS-peer PoP with PeerCache membership (§2.4, §6.1). One call per caller
//! kind turns the received PoP headers into an authenticated caller or a [`Refusal`]; nonce
//! handling, signature recovery, registry lookup and the sender checks stay inside.
//!
//! Order of checks, shared by both flavours: timestamp parses and lies within
//! ±`pop_timeout_seconds` of now → nonce is base64 and currently issued (peeked, not consumed)
//! → signature recovers to a wallet → the optional claimed-wallet header equals it → the
//! wallet is authorized (registry or PeerCache) → only then is the nonce consumed, so a
//! bystander cannot burn other clients' nonces (security-checklist.md).

use base64::Engine;

use crate::chain::auth::AuthError;
use crate::chain::types::{InstanceInfo, INSTANCE_ACTIVE};
use crate::crypto::pop;
use crate::node::nonce::NonceCheck;
use crate::node::peers::PeerInfo;
use crate::node::refusal::Refusal;
use crate::node::state::NodeState;
use crate::wire::headers::PopHeaders;

/// An authenticated, authorized app caller (§2.3, §2.7).
#[derive(Clone, Debug)]
pub struct AppCaller {
    /// Namespace = the instance's registry `appId` (never from the request).
    pub app_id: u64,
    /// Canonical wallet recovered from the PoP signature.
    pub wallet: String,
    /// The caller's on-chain instance (its `teePubkey` receives the response).
    pub instance: InstanceInfo,
    /// `x-app-signature` exactly as received, for the response signature (§2.5);
    /// `None` with the dev `x-tee-wallet` shortcut.
    pub signature: Option<String>,
    /// When this node issued the request's PoP nonce (Unix seconds, the node's own clock, read
    /// from the stateless nonce); `None` with the dev shortcut. Bounds the request's write
    /// deadline (`node::kv`, issue 10) without trusting the client's clock.
    pub nonce_issued_secs: Option<u64>,
    /// When authentication of this request started (node's monotonic clock).
    pub received: std::time::Instant,
}

/// An authenticated, authorized KMS peer (§2.4, §6.1).
#[derive(Clone, Debug)]
pub struct PeerCaller {
    /// Canonical wallet recovered from the PoP signature.
    pub wallet: String,
    /// The peer as cached (its teePubkey receives the response).
    pub peer: PeerInfo,
    /// `x-kms-signature` exactly as received, for the response signature (§2.5).
    pub signature: String,
}

/// Messages of one PoP flavour (app §2.3 or KMS peer §2.4).
struct PopKind {
    /// Invalid timestamp message, e.g. `Invalid x-app-timestamp`.
    bad_timestamp: &'static str,
    /// Message when the claimed wallet differs from the signer.
    wallet_mismatch: &'static str,
    /// Signed message builder: (nonce, recipient wallet, timestamp).
    message: fn(&str, &str, u64) -> String,
}

const APP_POP: PopKind = PopKind {
    bad_timestamp: "Invalid x-app-timestamp",
    wallet_mismatch: "App wallet header does not match signature",
    message: pop::app_auth_message,
};

const PEER_POP: PopKind = PopKind {
    bad_timestamp: "Invalid x-kms-timestamp",
    wallet_mismatch: "KMS wallet header does not match signature",
    message: pop::peer_auth_message,
};

/// The checks shared by app and peer PoP, up to (not including) authorization: returns the
/// canonical signer wallet and `now` (Unix seconds). The caller authorizes the signer and
/// then consumes the nonce.
fn verify_pop(
    st: &NodeState,
    kind: &PopKind,
    sig: &str,
    nonce: &str,
    ts: &str,
    claimed: Option<&str>,
) -> Result<(String, u64), Refusal> {
    let ts_val: u64 = ts
        .parse()
        .map_err(|_| Refusal::unauthorized(kind.bad_timestamp))?;
    let now = st.clock.now_secs();
    if now.abs_diff(ts_val) > st.settings.pop_timeout_seconds {
        return Err(Refusal::unauthorized("Stale timestamp"));
    }
    if base64::engine::general_purpose::STANDARD
        .decode(nonce)
        .is_err()
    {
        return Err(Refusal::unauthorized("Invalid nonce encoding"));
    }
    if !st.nonces.peek(nonce, now) {
        return Err(Refusal::unauthorized("Invalid or expired nonce"));
    }
    let msg = (kind.message)(nonce, &st.wallet, ts_val);
    let wallet =
        pop::recover_signer(&msg, sig).map_err(|e| Refusal::unauthorized(e.to_string()))?;
    if let Some(claimed) = claimed {
        let claimed = pop::canonical_wallet(claimed)
            .map_err(|_| Refusal::forbidden("Invalid wallet address"))?;
        if claimed != wallet {
            return Err(Refusal::unauthorized(kind.wallet_mismatch));
        }
    }
    Ok((wallet, now))
}

/// Consume the PoP nonce once the signer is authorized. Errors: 403 `Invalid or expired
/// nonce` (used meanwhile), 503 when the used-nonce set is full (`node::nonce`: refusing
/// keeps single use; evicting would not).
fn consume_nonce(st: &NodeState, nonce: &str, now: u64) -> Result<(), Refusal> {
    match st.nonces.consume(nonce, now) {
        NonceCheck::Valid => Ok(()),
        NonceCheck::Invalid => Err(Refusal::unauthorized("Invalid or expired nonce")),
        NonceCheck::Full => {
            tracing::warn!(
                capacity = st.nonces.capacity(),
                "used-nonce set full: authentication refused (raise max_nonces)"
            );
            Err(Refusal::unavailable(
                "Too many authentications in the nonce window; retry shortly",
            ))
        }
    }
}

/// App authentication (§2.3) and registry authorization (§2.7): the one call an app route
/// makes before anything else (after the readiness gate).
///
/// Without the three PoP headers the dev `x-tee-wallet` shortcut is honoured only when
/// `allow_dev_wallet_header` is set; otherwise 403 `unauthorized` `Missing PoP
/// authentication headers`. Errors: 403 `unauthorized` (timestamp, nonce, signature, wallet
/// header, registry refusal such as `Instance not found`), 403 `forbidden` (malformed wallet),
/// 500 (registry RPC failure).
pub async fn authenticate_app(st: &NodeState, h: &PopHeaders) -> Result<AppCaller, Refusal> {
    let received = std::time::Instant::now();
    let (Some(sig), Some(nonce), Some(ts)) = (&h.signature, &h.nonce, &h.timestamp) else {
        if st.settings.allow_dev_wallet_header {
            if let Some(w) = &h.dev_wallet {
                let wallet = pop::canonical_wallet(w)
                    .map_err(|_| Refusal::forbidden("Invalid wallet address"))?;
                let app = authorize_app(st, &wallet).await?;
                return Ok(AppCaller {
                    app_id: app.app_id,
                    wallet,
                    instance: app.instance,
                    signature: None,
                    nonce_issued_secs: None,
                    received,
                });
            }
        }
        return Err(Refusal::unauthorized("Missing PoP authentication headers"));
    };
    let (wallet, now) = verify_pop(st, &APP_POP, sig, nonce, ts, h.wallet.as_deref())?;
    let app = authorize_app(st, &wallet).await?;
    consume_nonce(st, nonce, now)?;
    Ok(AppCaller {
        app_id: app.app_id,
        wallet,
        instance: app.instance,
        signature: Some(sig.clone()),
        nonce_issued_secs: st.nonces.issued_at(nonce, now),
        received,
    })
}

async fn authorize_app(
    st: &NodeState,
    wallet: &str,
) -> Result<crate::chain::auth::AuthorizedApp, Refusal> {
    match st.auth.authorize(wallet).await {
        Ok(a) => Ok(a),
        // Upstream answers registry refusals with `unauthorized` (issue 11 item 4).
        Err(AuthError::Refused(m)) => Err(Refusal::unauthorized(m)),
        Err(AuthError::Rpc(m)) => Err(Refusal::internal(m)),
    }
}

/// KMS-peer authentication (§2.4) and PeerCache authorization (§6.1).
///
/// Message `NovaKMS:Auth:<nonce>:<own wallet>:<ts>`; the nonce is consumed only after the
/// signer was found to be a usable member. Errors: 403 `unauthorized` (`Missing
/// x-kms-signature` / `-timestamp` / `-nonce` in that order, timestamp, nonce, signature,
/// wallet header), 403 `forbidden` (see [`authorize_peer`]).
pub fn authenticate_peer(st: &NodeState, h: &PopHeaders) -> Result<PeerCaller, Refusal> {
    let sig = h
        .signature
        .as_deref()
        .ok_or_else(|| Refusal::unauthorized("Missing x-kms-signature"))?;
    let ts = h
        .timestamp
        .as_deref()
        .ok_or_else(|| Refusal::unauthorized("Missing x-kms-timestamp"))?;
    let nonce = h
        .nonce
        .as_deref()
        .ok_or_else(|| Refusal::unauthorized("Missing x-kms-nonce"))?;
    let (wallet, now) = verify_pop(st, &PEER_POP, sig, nonce, ts, h.wallet.as_deref())?;
    let peer = authorize_peer(st, &wallet, st.clock.now_ms())?;
    consume_nonce(st, nonce, now)?;
    Ok(PeerCaller {
        wallet,
        peer,
        signature: sig.to_string(),
    })
}

/// The recovered wallet must be a usable KMS member (§6.1): in the PeerCache and not
/// blacklisted, instance ACTIVE, zkVerified, `app_id == kms_app_id`, non-empty teePubkey.
/// A wallet not in the PeerCache also asks for an early membership refresh
/// (`node::tick_pace`). Errors: 403 `forbidden` naming the failed rule.
pub fn authorize_peer(st: &NodeState, wallet: &str, now_ms: u64) -> Result<PeerInfo, Refusal> {
    let Some(peer) = st.peer_cache.get(wallet, now_ms) else {
        // Perhaps registered since our last membership refresh: refresh soon, still refuse
        // (§6.1 cache-first; `node::tick_pace`).
        if st.tick_wake.request(now_ms) {
            tracing::info!(wallet = %wallet, "signed /sync request from a wallet not in the PeerCache; refreshing the membership early");
        }
        return Err(Refusal::forbidden(format!(
            "Peer {wallet} not found in PeerCache"
        )));
    };
    let inst = &peer.instance;
    if inst.status != INSTANCE_ACTIVE {
        return Err(Refusal::forbidden(format!("Peer {wallet} is not ACTIVE")));
    }
    if !inst.zk_verified {
        return Err(Refusal::forbidden(format!(
            "Peer {wallet} is not zkVerified"
        )));
    }
    if inst.app_id != st.settings.kms_app_id {
        return Err(Refusal::forbidden("Peer app_id mismatch"));
    }
    if peer.tee_pubkey.is_empty() {
        return Err(Refusal::forbidden(format!(
            "Peer {wallet} has no teePubkey registered"
        )));
    }
    Ok(peer)
}
