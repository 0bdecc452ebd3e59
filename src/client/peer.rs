//! Outbound `/sync` client (protocol.md §6.2–§6.8): KMS-peer PoP (§2.4),
//! envelope sealed to the peer's on-chain teePubkey (§3), sync HMAC (§6.3),
//! response signature check (§2.5) and response-envelope binding to the
//! peer's registry key (our hardening of §11.8).
//!
//! Every call is bounded by the client's timeout (upstream has none, §11.22)
//! and every response body by [`MAX_RESPONSE_BYTES`].

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::clock::Clock;
use crate::crypto::canonical::canonical_json;
use crate::crypto::envelope::Envelope;
use crate::crypto::keys::{normalize_hex, spki_der};
use crate::crypto::mac::sync_hmac_hex_canonical;
use crate::crypto::pop;
use crate::crypto::sealed::{unseal_master_secret, SealedSecret};
use crate::error::{Error, Result};
use crate::identity::{Identity, IdentityHandle};
use crate::store::{MergeReport, Record};
use crate::wire::headers;
use crate::wire::sync::delta_payload_canonical;

/// What the `/sync` client needs to know of a peer: where it listens, who it is, and the key
/// that receives the request envelope. The node's PeerCache entry (`node::peers::PeerInfo`)
/// implements it, so this module does not depend on the node.
pub trait SyncPeer {
    /// Base URL without a trailing `/` (the registry's `instanceUrl`).
    fn url(&self) -> &str;
    /// Wallet as registered (`teeWalletAddress`); canonicalized before use.
    fn wallet(&self) -> &str;
    /// DER SPKI P-384 teePubkey bytes (protocol.md §3.4); empty if none is registered.
    fn tee_pubkey(&self) -> &[u8];
}

/// Largest `/sync` response body accepted, bytes (512 MiB). A snapshot of a
/// full cluster fits comfortably; anything larger is refused as a protocol
/// error before it is buffered (Content-Length check, then a running count
/// while reading chunks).
pub const MAX_RESPONSE_BYTES: usize = 512 * 1024 * 1024;

/// Largest `/nonce` or error-response body read, bytes (64 KiB).
pub const MAX_SMALL_BODY_BYTES: usize = 64 * 1024;

/// Fixed bytes of a `/sync` request body besides the hex ciphertext: the
/// canonical envelope `{"encrypted_data":"<2·(P+16)>","nonce":"<24>",
/// "sender_tee_pubkey":"<240>"}` is `2·P + 351` bytes for a plaintext of `P`
/// bytes (v1 envelope, 12-byte nonce, 120-byte DER key; §3.1, §6.3).
pub const ENVELOPE_BODY_OVERHEAD_BYTES: usize = 351;

/// Plaintext bytes of an empty delta payload
/// `{"data":{},"retry_if_catching_up":true,"sender_wallet":"0x<40 hex>","type":"delta"}`
/// (canonical JSON with a 42-character canonical wallet): 115.
pub const DELTA_PAYLOAD_BASE_BYTES: usize =
    r#"{"data":{},"retry_if_catching_up":true,"sender_wallet":"","type":"delta"}"#.len() + 42;

/// An error talking to a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerError {
    /// The peer could not be reached, timed out, or the connection broke.
    Transport(String),
    /// The peer answered non-2xx; `message` is the JSON `message` of the
    /// error body (§1.1) or its text.
    Refused {
        /// HTTP status.
        status: u16,
        /// Error message as sent by the peer (truncated to 512 characters).
        message: String,
    },
    /// The peer answered 2xx but the answer is unacceptable: missing or
    /// invalid `X-KMS-Peer-Signature`, not an envelope, envelope not from the
    /// peer's registry teePubkey, undecryptable, not JSON, wrong shape, too
    /// large; or the request could not be built (bad peer key or wallet).
    Protocol(String),
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerError::Transport(m) => write!(f, "peer unreachable: {m}"),
            PeerError::Refused { status, message } => {
                write!(f, "peer refused ({status}): {message}")
            }
            PeerError::Protocol(m) => write!(f, "bad peer answer: {m}"),
        }
    }
}

impl std::error::Error for PeerError {}

impl From<PeerError> for Error {
    /// Every peer error is [`crate::ErrorKind::Remote`] (exit code 3).
    fn from(e: PeerError) -> Self {
        Error::remote(e.to_string())
    }
}

/// A node's client for talking to its KMS peers.
pub struct PeerClient {
    /// HTTP client with the per-call timeout (no redirects followed).
    pub http: reqwest::Client,
    /// Our identity (signs PoP, seals and opens envelopes; keystore or Odyn).
    pub identity: IdentityHandle,
    /// Our canonical wallet.
    pub wallet: String,
    /// Time source for PoP timestamps.
    pub clock: Clock,
    /// The node's envelope replay record: every request envelope this client seals is noted,
    /// so it is refused if it comes back to the node as a request (`crypto::replay`).
    /// `None` outside a node (CLI, tests).
    pub sealed_record: Option<std::sync::Arc<crate::crypto::replay::ReplayRecord>>,
}

fn transport(e: reqwest::Error) -> PeerError {
    PeerError::Transport(crate::client::describe(&e))
}

fn protocol(m: impl Into<String>) -> PeerError {
    PeerError::Protocol(m.into())
}

/// Read a response body of at most `cap` bytes: refused up front when the
/// announced Content-Length exceeds it, and while reading when the real bytes
/// do (chunked bodies). Errors: Transport (broken read), Protocol (too large).
async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, PeerError> {
    if let Some(len) = resp.content_length() {
        if len > cap as u64 {
            return Err(protocol(format!(
                "response body of {len} bytes exceeds the {cap}-byte limit"
            )));
        }
    }
    let mut buf = Vec::with_capacity(resp.content_length().unwrap_or(0).min(1 << 20) as usize);
    while let Some(chunk) = resp.chunk().await.map_err(transport)? {
        if buf.len() + chunk.len() > cap {
            return Err(protocol(format!(
                "response body exceeds the {cap}-byte limit"
            )));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// The message of an error body: JSON `message` (§1.1) or the text itself,
/// truncated to 512 characters.
fn refusal_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let msg = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(o)) => match o.get("message").and_then(Value::as_str) {
            Some(m) => m.to_string(),
            None => text.into_owned(),
        },
        _ => text.into_owned(),
    };
    msg.chars().take(512).collect()
}

/// Canonical-JSON length of one record's wire form (§6.4), bytes.
pub fn record_wire_len(r: &Record) -> usize {
    let mut out = String::new();
    r.write_wire(&mut out);
    out.len()
}

/// Request-body bytes one record adds to a delta (§6.7): its canonical wire
/// form plus a separating comma, doubled by the hex of the envelope:
/// `2 · (record_wire_len(r) + 1)`. Exact for every record but the first of
/// each app (which has no comma, so this over-counts by 2).
pub fn estimate_record_wire_bytes(r: &Record) -> usize {
    2 * (record_wire_len(r) + 1)
}

/// Request-body bytes one app group adds to a delta besides its records:
/// `"<app_id>":[]` plus a separating comma, doubled by the hex:
/// `2 · (digits(app_id) + 6)`. Over-counts the first group by 2.
pub fn delta_app_overhead_bytes(app_id: u64) -> usize {
    2 * (app_id.to_string().len() + 6)
}

/// Body bytes of a delta with no records:
/// `2 · DELTA_PAYLOAD_BASE_BYTES + ENVELOPE_BODY_OVERHEAD_BYTES` (= 581).
pub const DELTA_BODY_BASE_BYTES: usize =
    2 * DELTA_PAYLOAD_BASE_BYTES + ENVELOPE_BODY_OVERHEAD_BYTES;

/// Exact size in bytes of the HTTP request body [`PeerClient::delta`] sends
/// for `data` (v1 envelope):
///
/// `size = 2 · P + 351`, where `P` = length of the canonical JSON payload
/// `{"data":{"<app>":[<record>,…],…},"retry_if_catching_up":true,"sender_wallet":"0x<40 hex>",
/// "type":"delta"}`.
///
/// Equivalently `P = 115 + Σ_apps (digits(app) + 5) + Σ_records (wire_len + 1)
/// − (#apps > 0) − #non-empty apps` (commas between items). For budgeting a
/// batch incrementally, [`DELTA_BODY_BASE_BYTES`] +
/// Σ [`delta_app_overhead_bytes`] + Σ [`estimate_record_wire_bytes`] is an
/// upper bound that exceeds the exact size by at most `2 · (1 + #apps)`.
pub fn delta_body_size(data: &BTreeMap<u64, Vec<Record>>) -> usize {
    let mut p = DELTA_PAYLOAD_BASE_BYTES;
    for (i, (app, recs)) in data.iter().enumerate() {
        if i > 0 {
            p += 1; // comma between app groups
        }
        p += app.to_string().len() + 5; // "<app>":[]
        for (j, r) in recs.iter().enumerate() {
            if j > 0 {
                p += 1;
            }
            p += record_wire_len(r);
        }
    }
    2 * p + ENVELOPE_BODY_OVERHEAD_BYTES
}

fn count(v: &Value, name: &str) -> Result<u64, PeerError> {
    v.get(name)
        .and_then(Value::as_u64)
        .ok_or_else(|| protocol(format!("delta answer has no numeric '{name}'")))
}

/// Parse a §6.7 delta response into a [`MergeReport`]. Errors: Protocol when
/// `status != "ok"` or a count is missing.
fn parse_delta_report(v: &Value) -> Result<MergeReport, PeerError> {
    if v.get("status").and_then(Value::as_str) != Some("ok") {
        return Err(protocol("delta answer status is not \"ok\""));
    }
    let mut skip_reasons = BTreeMap::new();
    if let Some(o) = v.get("skip_reasons").and_then(Value::as_object) {
        for (k, n) in o {
            if let Some(n) = n.as_u64() {
                skip_reasons.insert(k.clone(), n);
            }
        }
    }
    Ok(MergeReport {
        total: count(v, "total")?,
        merged: count(v, "merged")?,
        skipped: count(v, "skipped")?,
        rejected: count(v, "rejected")?,
        skip_reasons,
    })
}

impl PeerClient {
    /// New client; `timeout` bounds every outbound call (connect to last body
    /// byte). Redirects are not followed. Errors: Local.
    pub fn new(identity: Identity, label: &str, timeout: Duration, clock: Clock) -> Result<Self> {
        Self::with_identity(
            IdentityHandle::keystore(identity, label, 1024),
            timeout,
            clock,
        )
    }

    /// [`PeerClient::new`] for an identity of either backend (the node passes its own
    /// handle, so sealing and signing go where the node's keys are). Errors: Local.
    pub fn with_identity(
        identity: IdentityHandle,
        timeout: Duration,
        clock: Clock,
    ) -> Result<Self> {
        let http = crate::tls::client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::local(format!("cannot build HTTP client: {e}")))?;
        Ok(PeerClient {
            wallet: identity.address().to_string(),
            sealed_record: None,
            http,
            identity,
            clock,
        })
    }

    /// `GET <peer url>/nonce` → the nonce string (must be standard b64, at
    /// most 256 characters). Errors: Transport, Refused (non-2xx, e.g. 429),
    /// Protocol (not JSON, no nonce, bad encoding).
    pub async fn nonce(&self, peer: &impl SyncPeer) -> Result<String, PeerError> {
        let resp = self
            .http
            .get(format!("{}/nonce", peer.url()))
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status().as_u16();
        let body = read_capped(resp, MAX_SMALL_BODY_BYTES).await?;
        if !(200..300).contains(&status) {
            return Err(PeerError::Refused {
                status,
                message: refusal_message(&body),
            });
        }
        let v: Value =
            serde_json::from_slice(&body).map_err(|_| protocol("/nonce answer is not JSON"))?;
        let nonce = v
            .get("nonce")
            .and_then(Value::as_str)
            .ok_or_else(|| protocol("/nonce answer has no nonce"))?;
        if nonce.len() > 256
            || base64::engine::general_purpose::STANDARD
                .decode(nonce)
                .is_err()
        {
            return Err(protocol("/nonce answer is not valid base64"));
        }
        Ok(nonce.to_string())
    }

    /// One `/sync` exchange with `peer` (protocol.md §6.2):
    ///
    /// 1. `GET <url>/nonce`; `ts` = now (Unix s);
    /// 2. sign `NovaKMS:Auth:<nonce>:<peer canonical wallet>:<ts>` (§2.4);
    /// 3. seal `canonical_json(payload)` to the peer's teePubkey (v1 envelope,
    ///    our label); the body is the canonical envelope JSON;
    /// 4. `x-sync-signature` = HMAC-SHA256 hex over the canonical body when
    ///    `sync_key` is given (§6.3);
    /// 5. `POST <url>/sync` with `content-type: application/json`,
    ///    `x-kms-signature`, `x-kms-wallet` (ours), `x-kms-timestamp`,
    ///    `x-kms-nonce` (and `x-sync-signature`);
    /// 6. non-2xx → [`PeerError::Refused`]; 2xx requires
    ///    `X-KMS-Peer-Signature` recovering to the peer wallet over
    ///    `NovaKMS:Response:<our x-kms-signature>:<peer wallet>` (v 0/1 or
    ///    27/28), a body that is an envelope whose `sender_tee_pubkey` equals
    ///    the peer's teePubkey (hardening of §11.8), and decrypted JSON.
    ///
    /// Returns the decrypted inner JSON. Bounded by the client's timeout and
    /// [`MAX_RESPONSE_BYTES`].
    pub async fn request(
        &self,
        peer: &impl SyncPeer,
        payload: &Value,
        sync_key: Option<&[u8; 32]>,
    ) -> Result<Value, PeerError> {
        self.request_canonical(peer, &canonical_json(payload), sync_key)
            .await
    }

    /// [`PeerClient::request`] for a payload the caller already wrote as canonical JSON
    /// (`wire::sync::delta_payload_canonical`), so it is not built as a JSON value first.
    pub async fn request_canonical(
        &self,
        peer: &impl SyncPeer,
        payload: &str,
        sync_key: Option<&[u8; 32]>,
    ) -> Result<Value, PeerError> {
        let peer_wallet = pop::canonical_wallet(peer.wallet())
            .map_err(|_| protocol(format!("peer wallet {:?} is invalid", peer.wallet())))?;
        if peer.tee_pubkey().is_empty() {
            return Err(protocol(format!(
                "peer {peer_wallet} has no teePubkey registered"
            )));
        }
        let env = self
            .identity
            .seal(peer.tee_pubkey(), payload.as_bytes())
            .await
            .map_err(|e| protocol(format!("cannot encrypt to peer {peer_wallet}: {e}")))?;
        if let (Some(rec), Ok(n)) = (&self.sealed_record, self.identity.aes_nonce_of(&env)) {
            rec.note_sealed(&n, self.clock.now_secs());
        }
        let body = env.to_canonical_string();
        drop(env);
        let hmac = sync_key.map(|k| sync_hmac_hex_canonical(k, body.as_bytes()));

        let nonce = self.nonce(peer).await?;
        let ts = self.clock.now_secs();
        let sig = self
            .identity
            .sign(&pop::peer_auth_message(&nonce, &peer_wallet, ts))
            .await
            .map_err(|e| protocol(format!("cannot sign the PoP: {e}")))?;
        let mut req = self
            .http
            .post(format!("{}/sync", peer.url()))
            .header("content-type", "application/json")
            .header(headers::KMS_SIGNATURE, &sig)
            .header(headers::KMS_WALLET, &self.wallet)
            .header(headers::KMS_TIMESTAMP, ts.to_string())
            .header(headers::KMS_NONCE, &nonce);
        if let Some(h) = &hmac {
            req = req.header(headers::SYNC_SIGNATURE, h);
        }
        let resp = req.body(body).send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let body = read_capped(resp, MAX_SMALL_BODY_BYTES)
                .await
                .unwrap_or_default();
            return Err(PeerError::Refused {
                status,
                message: refusal_message(&body),
            });
        }
        let resp_sig = resp
            .headers()
            .get(headers::KMS_PEER_SIGNATURE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| protocol("answer has no X-KMS-Peer-Signature"))?;
        let signer = pop::recover_signer(&pop::response_message(&sig, &peer_wallet), &resp_sig)
            .map_err(|e| protocol(format!("invalid X-KMS-Peer-Signature: {e}")))?;
        if signer != peer_wallet {
            return Err(protocol(format!(
                "answer signed by {signer}, expected the peer's registry wallet {peer_wallet}"
            )));
        }
        let bytes = read_capped(resp, MAX_RESPONSE_BYTES).await?;
        let v: Value =
            serde_json::from_slice(&bytes).map_err(|_| protocol("answer is not JSON"))?;
        drop(bytes);
        let env = Envelope::from_json(&v).ok_or_else(|| protocol("answer is not an envelope"))?;
        if normalize_hex(&env.sender_tee_pubkey) != hex::encode(peer.tee_pubkey()) {
            return Err(protocol(
                "answer envelope is not from the peer's registry teePubkey",
            ));
        }
        let plain = self
            .identity
            .open(&env)
            .await
            .map_err(|e| protocol(format!("cannot decrypt answer: {e}")))?;
        serde_json::from_slice(&plain).map_err(|_| protocol("decrypted answer is not JSON"))
    }

    /// Push `data` (app id → records) as one `delta` (§6.7):
    /// `{"type":"delta","sender_wallet":<ours>,"data":{"<app>":[<wire record>…]},
    /// "retry_if_catching_up":true}` with the mandatory HMAC. Returns the peer's counts
    /// (`total`, `merged`, `skipped`, `rejected`, `skip_reasons`).
    ///
    /// `retry_if_catching_up` (novakms only; upstream nodes ignore fields they do not read):
    /// a novakms peer that is still catching up may answer 503 `catching up` instead of
    /// merging, because we retry (`node::replicator::push`) and its catch-up pulls our log.
    ///
    /// The request body is exactly [`delta_body_size`]`(data)` bytes; keep it
    /// below the peer's body limit (2 MiB, `max_sync_batch_bytes`).
    /// Errors: as [`PeerClient::request`]; Protocol when the answer is not a
    /// §6.7 delta answer.
    pub async fn delta(
        &self,
        peer: &impl SyncPeer,
        sync_key: &[u8; 32],
        data: &BTreeMap<u64, Vec<Record>>,
    ) -> Result<MergeReport, PeerError> {
        let payload = delta_payload_canonical(&self.wallet, data.iter().map(|(a, r)| (*a, r)));
        let v = self
            .request_canonical(peer, &payload, Some(sync_key))
            .await?;
        parse_delta_report(&v)
    }

    /// Ask `peer` for a full snapshot (§6.7 `snapshot_request`, HMAC
    /// required). Returns the answer's `data` object (decimal app id → array
    /// of wire records, tombstones included); feed it to
    /// `node::ingest::parse_data`. Errors: as [`PeerClient::request`];
    /// Protocol when `data` is missing or not an object.
    pub async fn snapshot(
        &self,
        peer: &impl SyncPeer,
        sync_key: &[u8; 32],
    ) -> Result<Value, PeerError> {
        let payload = json!({"type": "snapshot_request", "sender_wallet": self.wallet});
        let mut v = self.request(peer, &payload, Some(sync_key)).await?;
        match v.get_mut("data").map(Value::take) {
            Some(d @ Value::Object(_)) => Ok(d),
            _ => Err(protocol("snapshot answer has no 'data' object")),
        }
    }

    /// Obtain the master secret from `peer` by sealed exchange (§6.7, §6.8):
    /// a fresh ephemeral P-384 key per call, `ecdh_pubkey` = its DER SPKI as
    /// plain lowercase hex; the answer's `sealed` (or `data.sealed`) object is
    /// opened with the ephemeral key. `sync_key`: sent as HMAC if given
    /// (optional for this type).
    ///
    /// The caller must check keccak256 of the result against the chain's
    /// `masterSecretHash` before installing it (§7.2, security-checklist.md).
    /// Errors: as [`PeerClient::request`]; Protocol when `sealed` is missing,
    /// malformed or does not open.
    pub async fn master_secret(
        &self,
        peer: &impl SyncPeer,
        sync_key: Option<&[u8; 32]>,
    ) -> Result<[u8; 32], PeerError> {
        let eph = p384::SecretKey::random(&mut rand::rngs::OsRng);
        let payload = json!({
            "type": "master_secret_request",
            "sender_wallet": self.wallet,
            "ecdh_pubkey": hex::encode(spki_der(&eph.public_key())),
        });
        let v = self.request(peer, &payload, sync_key).await?;
        let sealed = v
            .get("sealed")
            .or_else(|| v.get("data").and_then(|d| d.get("sealed")))
            .ok_or_else(|| protocol("master secret answer has no 'sealed' object"))?;
        let sealed: SealedSecret = serde_json::from_value(sealed.clone())
            .map_err(|_| protocol("master secret answer 'sealed' is malformed"))?;
        unseal_master_secret(&eph, &sealed)
            .map_err(|e| protocol(format!("cannot open sealed master secret: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::envelope;
    use crate::store::VectorClock;

    fn rec(key: &str, value: Vec<u8>, tombstone: bool) -> Record {
        Record {
            key: key.into(),
            value,
            version: VectorClock::from([("0x1111111111111111111111111111111111111111", 3)]),
            updated_at_ms: 1_730_000_000_123,
            tombstone,
            ttl_ms: 0,
        }
    }

    /// The body a real delta sends, built exactly as [`PeerClient::request`] does.
    fn real_body(wallet: &str, data: &BTreeMap<u64, Vec<Record>>) -> String {
        let a = Identity::generate();
        let b = Identity::generate();
        let payload = delta_payload_canonical(wallet, data.iter().map(|(a, r)| (*a, r)));
        envelope::seal(
            a.tee_secret(),
            &b.tee_pubkey_der(),
            payload.as_bytes(),
            envelope::DEFAULT_INFO_LABEL,
        )
        .unwrap()
        .to_canonical_string()
    }

    #[test]
    fn delta_body_size_is_exact_and_incremental_bound_holds() {
        let wallet = Identity::generate().address();
        let mut data: BTreeMap<u64, Vec<Record>> = BTreeMap::new();
        assert_eq!(delta_body_size(&data), real_body(&wallet, &data).len());
        assert_eq!(delta_body_size(&data), DELTA_BODY_BASE_BYTES);
        data.insert(7, vec![rec("a", vec![1; 40], false)]);
        data.insert(
            123456,
            vec![
                rec("b\"\\\n\u{1}é", vec![0xab; 300], false),
                rec("c", vec![], true),
            ],
        );
        data.insert(9, vec![]);
        let exact = delta_body_size(&data);
        assert_eq!(exact, real_body(&wallet, &data).len());
        let bound: usize = DELTA_BODY_BASE_BYTES
            + data
                .iter()
                .map(|(app, recs)| {
                    delta_app_overhead_bytes(*app)
                        + recs.iter().map(estimate_record_wire_bytes).sum::<usize>()
                })
                .sum::<usize>();
        assert!(bound >= exact, "{bound} < {exact}");
        assert!(bound - exact <= 2 * (1 + data.len()), "{bound} vs {exact}");
    }

    #[test]
    fn delta_report_parsing() {
        let v = json!({"status":"ok","total":4,"merged":2,"skipped":1,"rejected":1,
            "skip_reasons":{"ignored_equal_version":1}});
        let r = parse_delta_report(&v).unwrap();
        assert_eq!((r.total, r.merged, r.skipped, r.rejected), (4, 2, 1, 1));
        assert_eq!(r.skip_reasons.get("ignored_equal_version"), Some(&1));
        assert!(parse_delta_report(&json!({"status":"error"})).is_err());
        assert!(parse_delta_report(&json!({"status":"ok","total":1})).is_err());
    }

    #[test]
    fn refusal_messages() {
        assert_eq!(
            refusal_message(br#"{"code":"forbidden","message":"nope"}"#),
            "nope"
        );
        assert_eq!(refusal_message(b"plain text"), "plain text");
        assert_eq!(refusal_message(&[b'x'; 2000]).len(), 512);
    }

    #[test]
    fn errors_map_to_remote() {
        let e: Error = PeerError::Refused {
            status: 403,
            message: "m".into(),
        }
        .into();
        assert_eq!(e.kind(), crate::ErrorKind::Remote);
        assert_eq!(e.message(), "peer refused (403): m");
    }
}

mod digest;

#[cfg(test)]
mod fake_peer_tests;

mod page;
pub use page::{is_unknown_type, PageAnswer, PageRequest};
