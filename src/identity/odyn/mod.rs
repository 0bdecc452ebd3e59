//! Client of the enclave's Odyn API (protocol.md §3.2): the node's (or app's) identity when
//! `identity = "odyn"`. The wallet key and the P-384 key live inside Odyn; novakms only
//! asks it to sign, encrypt, decrypt, draw random bytes and sign one transaction.
//!
//! Calls and what they are used for:
//!
//! | call | when |
//! |---|---|
//! | `GET /v1/eth/address` | once at start-up ([`super::IdentityHandle::connect`]) |
//! | `GET /v1/encryption/public_key` | once at start-up |
//! | `POST /v1/eth/sign` | PoP and response signatures (one per request answered) |
//! | `POST /v1/encryption/encrypt` | every envelope sealed (one per reply) |
//! | `POST /v1/encryption/decrypt` | every envelope opened (one per request with a body) |
//! | `GET /v1/random` | master-secret generation (bootstrap) |
//! | `POST /v1/eth/sign-tx` | `setMasterSecretHash` (§9.5 `structured` shape) |
//!
//! Every call is counted in `novakms_odyn_requests_total{call}` (the family given to
//! [`OdynClient::new`]), so "one decrypt + one encrypt + one sign per request" can be
//! observed. Errors: Odyn unreachable or timed out → [`crate::ErrorKind::Remote`] naming
//! `odyn_url`; an Odyn refusal (HTTP 400 with a text body, §3.2) → [`OdynError::Refused`];
//! an answer of the wrong shape → [`OdynError::BadAnswer`].

pub mod tx;

use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use serde_json::{json, Value};

use crate::crypto::envelope::Envelope;
use crate::crypto::keys::{decode_hex_lenient, normalize_hex};
use crate::error::Error;
use crate::metrics::OdynCallLabels;

/// Largest Odyn answer read, bytes: the `/sync` answer limit (a decrypted snapshot answer
/// comes back through Odyn as one JSON string).
const MAX_ANSWER_BYTES: usize = crate::client::peer::MAX_RESPONSE_BYTES;

/// One Odyn call that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OdynError {
    /// Odyn could not be reached, timed out, or the connection broke.
    Unreachable(String),
    /// Odyn answered non-2xx (real Odyn: 400 with a text body).
    Refused {
        /// HTTP status.
        status: u16,
        /// The body text (truncated to 512 characters).
        message: String,
    },
    /// Odyn answered 2xx with a body of the wrong shape.
    BadAnswer(String),
}

impl std::fmt::Display for OdynError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OdynError::Unreachable(m) => write!(f, "Odyn unreachable: {m}"),
            OdynError::Refused { status, message } => {
                write!(f, "Odyn refused ({status}): {message}")
            }
            OdynError::BadAnswer(m) => write!(f, "bad Odyn answer: {m}"),
        }
    }
}

impl std::error::Error for OdynError {}

impl From<OdynError> for Error {
    /// Every Odyn failure is [`crate::ErrorKind::Remote`] (exit code 3).
    fn from(e: OdynError) -> Self {
        Error::remote(e.to_string())
    }
}

/// The call names used as the `call` label (and by the test Odyn's counters).
pub mod call {
    /// `GET /v1/eth/address`.
    pub const ADDRESS: &str = "address";
    /// `POST /v1/eth/sign`.
    pub const SIGN: &str = "sign";
    /// `POST /v1/eth/sign-tx`.
    pub const SIGN_TX: &str = "sign_tx";
    /// `GET /v1/random`.
    pub const RANDOM: &str = "random";
    /// `GET /v1/encryption/public_key`.
    pub const PUBLIC_KEY: &str = "public_key";
    /// `POST /v1/encryption/encrypt`.
    pub const ENCRYPT: &str = "encrypt";
    /// `POST /v1/encryption/decrypt`.
    pub const DECRYPT: &str = "decrypt";
}

/// HTTP client of one Odyn API. Cheap to clone (shares the connection pool and counters).
#[derive(Clone, Debug)]
pub struct OdynClient {
    http: reqwest::Client,
    base: String,
    calls: Family<OdynCallLabels, Counter>,
}

fn str_field<'a>(v: &'a Value, name: &str) -> Result<&'a str, OdynError> {
    v.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| OdynError::BadAnswer(format!("no string '{name}'")))
}

impl OdynClient {
    /// Client for the Odyn API at `base_url` (`http://host:port`, no trailing path needed);
    /// `timeout` bounds every call. No I/O. Errors: Local (HTTP client construction).
    pub fn new(base_url: &str, timeout: Duration) -> crate::Result<OdynClient> {
        let http = crate::tls::client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::local(format!("cannot build HTTP client: {e}")))?;
        Ok(OdynClient {
            http,
            base: base_url.trim().trim_end_matches('/').to_string(),
            calls: Family::default(),
        })
    }

    /// The base URL (as configured in `odyn_url`, without a trailing `/`).
    pub fn url(&self) -> &str {
        &self.base
    }

    /// The per-call counters (`novakms_odyn_requests_total{call}`), for the node's metrics.
    pub fn calls(&self) -> Family<OdynCallLabels, Counter> {
        self.calls.clone()
    }

    /// Calls made so far for `call` (one of [`call`]'s names).
    pub fn count(&self, name: &str) -> u64 {
        self.calls
            .get_or_create(&OdynCallLabels {
                call: name.to_string(),
            })
            .get()
    }

    async fn exchange(
        &self,
        name: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, OdynError> {
        self.calls
            .get_or_create(&OdynCallLabels {
                call: name.to_string(),
            })
            .inc();
        let url = format!("{}{path}", self.base);
        let req = match body {
            Some(b) => self.http.post(&url).json(b),
            None => self.http.get(&url),
        };
        let mut resp = req.send().await.map_err(|e| {
            OdynError::Unreachable(format!("{}: {}", self.base, crate::client::describe(&e)))
        })?;
        let status = resp.status().as_u16();
        let mut buf = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| {
            OdynError::Unreachable(format!("{}: {}", self.base, crate::client::describe(&e)))
        })? {
            if buf.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(OdynError::BadAnswer(format!(
                    "{path} answer exceeds {MAX_ANSWER_BYTES} bytes"
                )));
            }
            buf.extend_from_slice(&chunk);
        }
        if !(200..300).contains(&status) {
            let message: String = String::from_utf8_lossy(&buf).chars().take(512).collect();
            return Err(OdynError::Refused { status, message });
        }
        serde_json::from_slice(&buf)
            .map_err(|_| OdynError::BadAnswer(format!("{path} answer is not JSON")))
    }

    /// `GET /v1/eth/address` → the wallet, canonical (`0x` + 40 lowercase hex, §2.6).
    /// Errors: as the module docs; BadAnswer when `address` is not a 20-byte hex address.
    pub async fn address(&self) -> Result<String, OdynError> {
        let v = self
            .exchange(call::ADDRESS, "/v1/eth/address", None)
            .await?;
        crate::crypto::pop::canonical_wallet(str_field(&v, "address")?)
            .map_err(|_| OdynError::BadAnswer("'address' is not a wallet address".into()))
    }

    /// `GET /v1/encryption/public_key` → the P-384 teePubkey, DER SPKI bytes (120 bytes, §3.4).
    /// Errors: BadAnswer when `public_key_der` is not hex of a P-384 DER SPKI key.
    pub async fn public_key_der(&self) -> Result<Vec<u8>, OdynError> {
        let v = self
            .exchange(call::PUBLIC_KEY, "/v1/encryption/public_key", None)
            .await?;
        let der = decode_hex_lenient(str_field(&v, "public_key_der")?)
            .map_err(|_| OdynError::BadAnswer("'public_key_der' is not hex".into()))?;
        crate::crypto::keys::parse_p384_public(&der)
            .map_err(|_| OdynError::BadAnswer("'public_key_der' is not a P-384 key".into()))?;
        Ok(der)
    }

    /// `POST /v1/eth/sign` with `{"message", "include_attestation": false}` → the EIP-191
    /// signature as `0x` + 130 lowercase hex with **v normalised to 27/28** (Odyn returns
    /// 0/1; protocol.md §2.2). Errors: BadAnswer when the signature is not 65 bytes or its v
    /// is not 0, 1, 27 or 28.
    pub async fn sign(&self, message: &str) -> Result<String, OdynError> {
        let v = self
            .exchange(
                call::SIGN,
                "/v1/eth/sign",
                Some(&json!({"message": message, "include_attestation": false})),
            )
            .await?;
        normalize_signature(str_field(&v, "signature")?)
    }

    /// `GET /v1/random` → 32 random bytes (Odyn draws them from the enclave's NSM).
    /// Errors: BadAnswer when `random_bytes` is not hex of exactly 32 bytes.
    pub async fn random32(&self) -> Result<[u8; 32], OdynError> {
        let v = self.exchange(call::RANDOM, "/v1/random", None).await?;
        decode_hex_lenient(str_field(&v, "random_bytes")?)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
            .ok_or_else(|| OdynError::BadAnswer("'random_bytes' is not 32 bytes of hex".into()))
    }

    /// `POST /v1/encryption/encrypt`: seal `plaintext` (UTF-8 text; Odyn's API takes a
    /// string) to `receiver_der` (the receiver's teePubkey, DER SPKI). Returns the envelope
    /// with Odyn's `enclave_public_key` as `sender_tee_pubkey`, all lowercase hex without
    /// `0x` (§3.1). Errors: Refused (Odyn cannot use the key), BadAnswer (fields missing or
    /// not hex), and BadAnswer when `plaintext` is not UTF-8.
    pub async fn encrypt(
        &self,
        plaintext: &[u8],
        receiver_der: &[u8],
    ) -> Result<Envelope, OdynError> {
        let text = std::str::from_utf8(plaintext)
            .map_err(|_| OdynError::BadAnswer("plaintext for Odyn is not UTF-8".into()))?;
        let v = self
            .exchange(
                call::ENCRYPT,
                "/v1/encryption/encrypt",
                Some(&json!({
                    "plaintext": text,
                    "client_public_key": format!("0x{}", hex::encode(receiver_der)),
                })),
            )
            .await?;
        let field = |name: &str| -> Result<String, OdynError> {
            let s = str_field(&v, name)?;
            decode_hex_lenient(s)
                .map_err(|_| OdynError::BadAnswer(format!("'{name}' is not hex")))?;
            Ok(normalize_hex(s))
        };
        Ok(Envelope {
            encrypted_data: field("encrypted_data")?,
            nonce: field("nonce")?,
            sender_tee_pubkey: field("enclave_public_key")?,
        })
    }

    /// `POST /v1/encryption/decrypt` of `env` (its `sender_tee_pubkey` is the peer key):
    /// the plaintext bytes. Odyn refuses (400) a (sender key, nonce) pair it has seen
    /// before (§3.3). Errors: Refused (not decryptable, replayed nonce), BadAnswer.
    pub async fn decrypt(&self, env: &Envelope) -> Result<Vec<u8>, OdynError> {
        let with_0x = |s: &str| format!("0x{}", normalize_hex(s));
        let v = self
            .exchange(
                call::DECRYPT,
                "/v1/encryption/decrypt",
                Some(&json!({
                    "nonce": with_0x(&env.nonce),
                    "client_public_key": with_0x(&env.sender_tee_pubkey),
                    "encrypted_data": with_0x(&env.encrypted_data),
                })),
            )
            .await?;
        Ok(str_field(&v, "plaintext")?.as_bytes().to_vec())
    }

    /// `POST /v1/eth/sign-tx` with `{"payload": <payload>}` (build it with
    /// [`tx::StructuredTx::payload`]) → the signed raw transaction bytes (EIP-2718).
    /// Errors: Refused (e.g. 400 ``missing field `kind` `` for a non-`structured` shape),
    /// BadAnswer when `raw_transaction` is missing or not `0x` hex.
    pub async fn sign_tx(&self, payload: Value) -> Result<Vec<u8>, OdynError> {
        let v = self
            .exchange(
                call::SIGN_TX,
                "/v1/eth/sign-tx",
                Some(&json!({"payload": payload, "include_attestation": false})),
            )
            .await?;
        let raw = str_field(&v, "raw_transaction")?;
        if !raw.starts_with("0x") {
            return Err(OdynError::BadAnswer(
                "'raw_transaction' does not start with 0x".into(),
            ));
        }
        decode_hex_lenient(raw)
            .map_err(|_| OdynError::BadAnswer("'raw_transaction' is not hex".into()))
    }
}

/// An Odyn EIP-191 signature with v ∈ {0, 1} (or already 27/28) as `0x` + 130 lowercase hex
/// with v ∈ {27, 28} (protocol.md §2.2). Errors: BadAnswer for another length or v.
pub fn normalize_signature(sig: &str) -> Result<String, OdynError> {
    let mut b = decode_hex_lenient(sig)
        .map_err(|_| OdynError::BadAnswer("'signature' is not hex".into()))?;
    if b.len() != 65 {
        return Err(OdynError::BadAnswer(format!(
            "'signature' is {} bytes, expected 65",
            b.len()
        )));
    }
    b[64] = match b[64] {
        0 | 27 => 27,
        1 | 28 => 28,
        v => {
            return Err(OdynError::BadAnswer(format!(
                "'signature' has v = {v}, expected 0/1 or 27/28"
            )))
        }
    };
    Ok(format!("0x{}", hex::encode(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_v_is_normalised() {
        let rs = "11".repeat(64);
        assert_eq!(
            normalize_signature(&format!("0x{rs}00")).unwrap(),
            format!("0x{rs}1b")
        );
        assert_eq!(
            normalize_signature(&format!("{rs}01")).unwrap(),
            format!("0x{rs}1c")
        );
        assert_eq!(
            normalize_signature(&format!("0x{rs}1C")).unwrap(),
            format!("0x{rs}1c")
        );
        assert!(normalize_signature(&format!("0x{rs}02")).is_err());
        assert!(normalize_signature(&format!("0x{rs}")).is_err());
        assert!(normalize_signature("0xzz").is_err());
    }

    #[test]
    fn errors_are_remote_and_name_the_failure() {
        let e: Error = OdynError::Refused {
            status: 400,
            message: "missing field `kind`".into(),
        }
        .into();
        assert_eq!(e.kind(), crate::ErrorKind::Remote);
        assert_eq!(e.message(), "Odyn refused (400): missing field `kind`");
    }
}
