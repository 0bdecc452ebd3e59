//! Opening request envelopes and sealing replies for an authenticated caller (protocol.md §3,
//! §2.5): the envelope half of every app and peer operation.
//!
//! Guarantees (issue 10 item 5, `crypto::replay`):
//! * an envelope is used at most once per sender key: a second request carrying the same
//!   envelope (same sender, same AES nonce), even with fresh valid PoP headers, is refused
//!   with 400 `Envelope already used` before the operation runs, so it changes nothing;
//! * a reply (or an outbound peer request) this node sealed is refused when it comes back as
//!   a request body: 400 `Envelope was sealed by this node`;
//! * only an envelope that decrypted is recorded: a malformed one changes no state;
//! * when the record is full of entries younger than the PoP window, 503 (nothing recorded).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::crypto::canonical::canonical_json;
use crate::crypto::envelope::Envelope;
use crate::crypto::keys::normalize_hex;
use crate::crypto::pop;
use crate::crypto::replay::Admission;
use crate::identity::EnvelopeError;
use crate::node::refusal::Refusal;
use crate::node::state::NodeState;
use crate::wire::lenient;

/// A reply ready for the wire: the envelope JSON (`{"sender_tee_pubkey","nonce",
/// "encrypted_data"}`, §3.3) and, when the caller used PoP, the node's signature over the
/// caller's PoP signature (§2.5) for `x-kms-response-signature` / `x-kms-peer-signature`.
#[derive(Clone, Debug)]
pub struct SealedReply {
    /// The envelope's canonical JSON text (`Envelope::to_canonical_string`): the HTTP body.
    pub body: String,
    /// EIP-191 signature (`0x` + 130 hex) of `NovaKMS:Response:<caller sig>:<node wallet>`.
    pub signature: Option<String>,
}

/// Open a request envelope whose sender key must be `expected_sender` (the caller's
/// registered teePubkey, DER), and decrypt it to plaintext bytes (zeroized on drop).
///
/// Errors: 400 `Request must be E2E encrypted…` (not an envelope), 403 `forbidden` (empty
/// registered key, or `sender_tee_pubkey` differs), 400 `Envelope decryption failed`, 400
/// `Envelope already used …` / `Envelope was sealed by this node …` (replay, reflection), 503
/// replay record full.
pub async fn open_bytes(
    st: &NodeState,
    expected_sender: &[u8],
    body: &Value,
) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    let env = Envelope::from_json(body).ok_or_else(|| {
        Refusal::bad_request("Request must be E2E encrypted. Plaintext fallback is disabled.")
    })?;
    if expected_sender.is_empty() {
        // An empty on-chain key is a refusal, not a skipped check.
        return Err(Refusal::forbidden(
            "caller has no teePubkey registered on chain",
        ));
    }
    if normalize_hex(&env.sender_tee_pubkey) != hex::encode(expected_sender) {
        return Err(Refusal::forbidden(
            "sender_tee_pubkey does not match on-chain registration",
        ));
    }
    let plain = st
        .identity
        .open(&env)
        .await
        .map(Zeroizing::new)
        .map_err(|e| match e {
            EnvelopeError::OdynFailed(m) => {
                tracing::warn!(error = %m, "Odyn could not open a request envelope");
                Refusal::internal("identity backend (Odyn) failed")
            }
            _ => Refusal::bad_request("Envelope decryption failed"),
        })?;
    // It opened, so the nonce has a valid length for the scheme.
    let nonce = st
        .identity
        .aes_nonce_of(&env)
        .map_err(|_| Refusal::bad_request("Envelope decryption failed"))?;
    match st
        .replay
        .admit_request(expected_sender, &nonce, st.clock.now_secs())
    {
        Admission::Fresh => Ok(plain),
        Admission::Replayed => Err(Refusal::bad_request(
            "Envelope already used (replayed request body)",
        )),
        Admission::Reflected => Err(Refusal::bad_request(
            "Envelope was sealed by this node (reflected reply)",
        )),
        Admission::Full => {
            tracing::warn!(
                "envelope replay record full: request refused (raise envelope_replay_capacity)"
            );
            Err(Refusal::unavailable(
                "Too many requests in the replay window; retry shortly",
            ))
        }
    }
}

/// Open an app request envelope ([`open_bytes`]) and parse the plaintext as the typed body
/// `T`. A JSON value that is not an object reads as `{}` (every field absent).
///
/// Errors: those of [`open_bytes`]; 400 `Invalid decrypted JSON: …`.
pub async fn open_app<T: DeserializeOwned>(
    st: &NodeState,
    expected_sender: &[u8],
    body: &Value,
) -> Result<T, Refusal> {
    let plain = open_bytes(st, expected_sender, body).await?;
    let v: Value = serde_json::from_slice(&plain)
        .map_err(|e| Refusal::bad_request(format!("Invalid decrypted JSON: {e}")))?;
    serde_json::from_value(lenient::object(v))
        .map_err(|e| Refusal::bad_request(format!("Invalid decrypted JSON: {e}")))
}

/// Seal `reply` (as canonical JSON, §3.3) to `recipient` (a teePubkey, DER) and sign the
/// caller's PoP signature `caller_sig` if given (§2.5): [`seal_canonical`] of the reply's
/// canonical JSON.
///
/// Errors: 400 when the recipient key cannot be used for ECDH; 500 when `reply` does not
/// serialize (a bug) or Odyn (identity = odyn) fails.
pub async fn seal<R: Serialize>(
    st: &NodeState,
    recipient: &[u8],
    caller_sig: Option<&str>,
    reply: &R,
) -> Result<SealedReply, Refusal> {
    let plain = {
        let v = serde_json::to_value(reply)
            .map_err(|e| Refusal::internal(format!("cannot encode reply: {e}")))?;
        Zeroizing::new(canonical_json(&v))
    };
    seal_canonical(st, recipient, caller_sig, plain).await
}

/// Seal `plain`, a reply already in canonical JSON (§6.3; e.g.
/// `wire::sync::SnapshotPageReply::to_canonical`), to `recipient` and sign `caller_sig` if
/// given (§2.5). `plain` is zeroized and dropped once sealed, before the body is written.
///
/// Errors: 400 when the recipient key cannot be used for ECDH; 500 when Odyn fails.
pub async fn seal_canonical(
    st: &NodeState,
    recipient: &[u8],
    caller_sig: Option<&str>,
    plain: Zeroizing<String>,
) -> Result<SealedReply, Refusal> {
    let env = st
        .identity
        .seal(recipient, plain.as_bytes())
        .await
        .map_err(|e| match e {
            EnvelopeError::OdynFailed(m) => {
                tracing::warn!(error = %m, "Odyn could not seal a reply");
                Refusal::internal("identity backend (Odyn) failed")
            }
            e => Refusal::bad_request(format!("cannot encrypt response: {e}")),
        })?;
    drop(plain);
    if let Ok(n) = st.identity.aes_nonce_of(&env) {
        st.replay.note_sealed(&n, st.clock.now_secs());
    }
    let signature = match caller_sig {
        Some(sig) => Some(
            st.identity
                .sign(&pop::response_message(sig, &st.wallet))
                .await
                .map_err(|e| {
                    tracing::warn!(error = %e, "cannot sign a reply");
                    Refusal::internal("identity backend (Odyn) failed")
                })?,
        ),
        None => None,
    };
    Ok(SealedReply {
        body: env.to_canonical_string(),
        signature,
    })
}
