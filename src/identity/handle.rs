//! [`IdentityHandle`]: the one identity interface the node, its peer client and the app-side
//! commands use, over two backends chosen by `identity` (issue 11 item 2):
//!
//! | operation | `keystore` | `odyn` (protocol.md §3.2) |
//! |---|---|---|
//! | wallet address, teePubkey | derived locally, cached | fetched once at start-up, cached |
//! | EIP-191 sign (v = 27/28) | local secp256k1 | `POST /v1/eth/sign` (v 0/1 → 27/28) |
//! | envelope seal / open (§3.1–3.3) | local, ECDH cached per peer | `/v1/encryption/encrypt` / `decrypt` |
//! | 32 random bytes | OS CSPRNG | `GET /v1/random` |
//! | `setMasterSecretHash` tx | local signer via alloy fillers | `POST /v1/eth/sign-tx` (`structured`, §9.5) |
//! | master secret at rest | AES-GCM under the wallet-derived seal key | Odyn envelope to the own teePubkey |
//!
//! Guarantees (tests below and in `identity::odyn_server`): the keystore backend makes no I/O
//! per operation; the Odyn backend makes exactly one Odyn call per sign, seal or open and none
//! for the address or teePubkey after start-up; a signature from Odyn is verified once at
//! start-up to recover to the address Odyn reports.
//!
//! # Master secret at rest with `identity = "odyn"`
//!
//! There is no wallet secret to derive a seal key from, so the secret is sealed as an Odyn
//! envelope from the node's own P-384 key to itself: blob = `0x02` ‖ nonce length (1 byte) ‖
//! nonce ‖ `encrypted_data` (the plaintext is the secret as 64 lowercase hex characters,
//! because Odyn's API carries text). v1 Odyn refuses a (`client_public_key`, nonce) pair it
//! has already decrypted, so after every successful unseal the caller re-seals with a fresh
//! nonce ([`IdentityHandle::seal_master_secret`]) and stores that: the stored nonce is never
//! one Odyn has seen. Real Odyn generates new keys whenever the enclave starts, so the blob
//! only opens while the same enclave runs (novakms restarted inside it); after an enclave
//! restart it does not open, and the node discards it and obtains the secret from its peers
//! (`node::build_state`).

use std::sync::Arc;
use std::time::Duration;

use crate::chain::registry::RegistryClient;
use crate::config::{IdentityKind, Settings};
use crate::crypto::envelope::{aes_nonce_under, Envelope, EnvelopeCipher, EnvelopeScheme};
use crate::crypto::master::MasterSecret;
use crate::crypto::{pop, CryptoError};
use crate::error::{Error, ErrorKind, Result};

use super::odyn::{OdynClient, OdynError};
use super::Identity;

/// Version byte of an Odyn-sealed master secret blob (module docs); keystore blobs use
/// [`crate::crypto::master::AT_REST_VERSION`] (1).
pub const ODYN_AT_REST_VERSION: u8 = 2;

/// How many times start-up tries to reach Odyn (backoff 0.5 s doubling to 4 s: about 15 s).
const ODYN_CONNECT_ATTEMPTS: u32 = 6;

/// Why an envelope could not be sealed or opened.
#[derive(Debug)]
pub enum EnvelopeError {
    /// Local crypto refused (bad key, bad hex, failed authentication).
    Crypto(CryptoError),
    /// Odyn refused (HTTP 400: undecryptable, replayed nonce, unusable key).
    OdynRefused(String),
    /// Odyn unreachable or its answer unusable: not the caller's fault.
    OdynFailed(String),
}

impl std::fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnvelopeError::Crypto(e) => write!(f, "{e}"),
            EnvelopeError::OdynRefused(m) | EnvelopeError::OdynFailed(m) => f.write_str(m),
        }
    }
}

impl From<OdynError> for EnvelopeError {
    fn from(e: OdynError) -> Self {
        match e {
            OdynError::Refused { .. } => EnvelopeError::OdynRefused(e.to_string()),
            _ => EnvelopeError::OdynFailed(e.to_string()),
        }
    }
}

// One `Backend` lives behind the handle's `Arc`; the size difference does not matter.
#[allow(clippy::large_enum_variant)]
enum Backend {
    Keystore {
        id: Identity,
        cipher: EnvelopeCipher,
    },
    Odyn {
        client: OdynClient,
        scheme: EnvelopeScheme,
    },
}

struct Inner {
    address: String,
    tee_pubkey_der: Vec<u8>,
    tee_pubkey_hex: String,
    backend: Backend,
}

/// A node's or app's identity over either backend (module docs). Cheap to clone (one `Arc`).
/// `Debug` prints the backend and address only.
#[derive(Clone)]
pub struct IdentityHandle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for IdentityHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityHandle")
            .field("kind", &self.kind())
            .field("address", &self.inner.address)
            .finish_non_exhaustive()
    }
}

impl IdentityHandle {
    /// A keystore-backed handle: envelopes with `info_label` (§3.3, `envelope_info_label`),
    /// caching the ECDH secret of up to `cache_capacity` peer keys.
    pub fn keystore(id: Identity, info_label: &str, cache_capacity: usize) -> IdentityHandle {
        let cipher = EnvelopeCipher::new(
            id.tee_secret().clone(),
            EnvelopeScheme::parse(info_label),
            cache_capacity,
        );
        IdentityHandle {
            inner: Arc::new(Inner {
                address: id.address(),
                tee_pubkey_der: id.tee_pubkey_der(),
                tee_pubkey_hex: id.tee_pubkey_hex(),
                backend: Backend::Keystore { id, cipher },
            }),
        }
    }

    /// An Odyn-backed handle for `client`: reads the wallet address and the teePubkey once
    /// (retrying for about 15 s while Odyn is unreachable, as at enclave start-up), then signs
    /// a probe message and checks that it recovers to that address (§2.2).
    ///
    /// Errors: Remote naming the Odyn URL (unreachable after the retries, refusals, bad
    /// answers), Integrity when Odyn's signature does not recover to its own address.
    pub async fn connect_odyn(client: OdynClient) -> Result<IdentityHandle> {
        let mut backoff =
            crate::node::backoff::Backoff::new(Duration::from_millis(500), Duration::from_secs(4));
        let mut attempt = 0;
        let address = loop {
            attempt += 1;
            match client.address().await {
                Ok(a) => break a,
                Err(OdynError::Unreachable(m)) if attempt < ODYN_CONNECT_ATTEMPTS => {
                    tracing::warn!(attempt, odyn_url = %client.url(), error = %m, "Odyn not reachable yet");
                    tokio::time::sleep(backoff.fail()).await;
                }
                Err(e) => {
                    return Err(Error::remote(format!(
                        "identity = odyn: cannot read the wallet from odyn_url {}: {e}",
                        client.url()
                    )))
                }
            }
        };
        let der = client.public_key_der().await.map_err(|e| {
            Error::remote(format!(
                "identity = odyn: cannot read the P-384 key from odyn_url {}: {e}",
                client.url()
            ))
        })?;
        let probe = format!("novakms:odyn-identity-check:{address}");
        let sig = client.sign(&probe).await.map_err(|e| {
            Error::remote(format!(
                "identity = odyn: Odyn at {} cannot sign: {e}",
                client.url()
            ))
        })?;
        match pop::recover_signer(&probe, &sig) {
            Ok(w) if w == address => {}
            other => {
                return Err(Error::integrity(format!(
                    "identity = odyn: Odyn at {} signs as {:?}, but reports wallet {address}",
                    client.url(),
                    other.ok()
                )))
            }
        }
        tracing::info!(odyn_url = %client.url(), wallet = %address, "identity from Odyn");
        Ok(IdentityHandle {
            inner: Arc::new(Inner {
                address,
                tee_pubkey_hex: hex::encode(&der),
                tee_pubkey_der: der,
                backend: Backend::Odyn {
                    client,
                    scheme: EnvelopeScheme::default(),
                },
            }),
        })
    }

    /// The identity the settings name: `identity = "keystore"` loads `keystore` with its
    /// password (`super::load_configured`); `identity = "odyn"` connects to `odyn_url`
    /// ([`IdentityHandle::connect_odyn`], per-call timeout `client_timeout_seconds`).
    /// `cache_capacity`: peer keys whose ECDH secret the keystore backend caches.
    ///
    /// Errors: those of `load_configured` and `connect_odyn`.
    pub async fn from_settings(s: &Settings, cache_capacity: usize) -> Result<IdentityHandle> {
        match s.identity {
            IdentityKind::Keystore => {
                // The keystore's KDF (scrypt, about 0.75 s at N = 2^18 here) runs off the async
                // workers, so a node start overlaps it with opening its database
                // (`node::build_state`).
                let s2 = s.clone();
                let id = tokio::task::spawn_blocking(move || super::load_configured(&s2))
                    .await
                    .map_err(|e| crate::Error::local(format!("keystore task failed: {e}")))??;
                Ok(IdentityHandle::keystore(
                    id,
                    &s.envelope_info_label,
                    cache_capacity,
                ))
            }
            IdentityKind::Odyn => {
                let client = OdynClient::new(
                    &s.odyn_url,
                    Duration::from_secs(s.client_timeout_seconds.max(1)),
                )?;
                Self::connect_odyn(client).await
            }
        }
    }

    /// Which backend this is.
    pub fn kind(&self) -> IdentityKind {
        match self.inner.backend {
            Backend::Keystore { .. } => IdentityKind::Keystore,
            Backend::Odyn { .. } => IdentityKind::Odyn,
        }
    }

    /// Canonical wallet address: `0x` + 40 lowercase hex (§2.6).
    pub fn address(&self) -> &str {
        &self.inner.address
    }

    /// `teePubkey`: DER SPKI of the P-384 key, 120 bytes (§3.4).
    pub fn tee_pubkey_der(&self) -> &[u8] {
        &self.inner.tee_pubkey_der
    }

    /// [`IdentityHandle::tee_pubkey_der`] as lowercase hex without `0x` (240 characters).
    pub fn tee_pubkey_hex(&self) -> &str {
        &self.inner.tee_pubkey_hex
    }

    /// The local key material of a keystore handle (`None` on Odyn).
    pub fn local(&self) -> Option<&Identity> {
        match &self.inner.backend {
            Backend::Keystore { id, .. } => Some(id),
            Backend::Odyn { .. } => None,
        }
    }

    /// The Odyn client of an Odyn handle (`None` on keystore).
    pub fn odyn(&self) -> Option<&OdynClient> {
        match &self.inner.backend {
            Backend::Keystore { .. } => None,
            Backend::Odyn { client, .. } => Some(client),
        }
    }

    /// EIP-191 signature of `msg`: `0x` + 130 hex, v ∈ {27, 28} (§2.2).
    /// Errors: Remote when Odyn fails (keystore: never).
    pub async fn sign(&self, msg: &str) -> Result<String> {
        match &self.inner.backend {
            Backend::Keystore { id, .. } => Ok(id.sign(msg)),
            Backend::Odyn { client, .. } => Ok(client.sign(msg).await?),
        }
    }

    /// [`IdentityHandle::sign`] for synchronous code. On Odyn it blocks the current thread on
    /// the call, so call it only from a blocking thread of the tokio runtime
    /// (`spawn_blocking`), as the online backup writer does. Errors: as `sign`, and Local
    /// when called outside a tokio runtime with the Odyn backend.
    pub fn sign_blocking(&self, msg: &str) -> Result<String> {
        match &self.inner.backend {
            Backend::Keystore { id, .. } => Ok(id.sign(msg)),
            Backend::Odyn { client, .. } => {
                let rt = tokio::runtime::Handle::try_current()
                    .map_err(|_| Error::local("Odyn signing needs a tokio runtime"))?;
                Ok(rt.block_on(client.sign(msg))?)
            }
        }
    }

    /// Seal `plaintext` (UTF-8 JSON in every use) to `recipient` (a teePubkey, DER SPKI or
    /// SEC1) as an envelope from our teePubkey (§3.1, §3.3).
    /// Errors: [`EnvelopeError`].
    pub async fn seal(
        &self,
        recipient: &[u8],
        plaintext: &[u8],
    ) -> Result<Envelope, EnvelopeError> {
        match &self.inner.backend {
            Backend::Keystore { cipher, .. } => cipher
                .seal(recipient, plaintext)
                .map_err(EnvelopeError::Crypto),
            Backend::Odyn { client, .. } => Ok(client.encrypt(plaintext, recipient).await?),
        }
    }

    /// Open an envelope addressed to us (its `sender_tee_pubkey` is the peer key).
    /// Errors: [`EnvelopeError`] (Odyn refuses a replayed nonce too, §3.3).
    pub async fn open(&self, env: &Envelope) -> Result<Vec<u8>, EnvelopeError> {
        match &self.inner.backend {
            Backend::Keystore { cipher, .. } => cipher.open(env).map_err(EnvelopeError::Crypto),
            Backend::Odyn { client, .. } => Ok(client.decrypt(env).await?),
        }
    }

    /// The AES-GCM nonce of `env` (the envelope's identity for `crypto::replay`); local on
    /// both backends (Odyn speaks v1). Errors: bad hex or length.
    pub fn aes_nonce_of(&self, env: &Envelope) -> std::result::Result<[u8; 12], CryptoError> {
        match &self.inner.backend {
            Backend::Keystore { cipher, .. } => cipher.aes_nonce_of(env),
            Backend::Odyn { scheme, .. } => aes_nonce_under(env, scheme),
        }
    }

    /// A fresh master secret: 32 bytes from the OS CSPRNG (keystore) or from Odyn's
    /// `/v1/random` (the enclave's NSM). Errors: Remote when Odyn fails.
    pub async fn generate_master_secret(&self) -> Result<MasterSecret> {
        match &self.inner.backend {
            Backend::Keystore { .. } => Ok(MasterSecret::generate()),
            Backend::Odyn { client, .. } => {
                let b = zeroize::Zeroizing::new(client.random32().await?);
                Ok(MasterSecret::from_bytes(*b))
            }
        }
    }

    /// Send `KMSRegistry.setMasterSecretHash(hash)` from our wallet and wait for the receipt
    /// (§9.4): keystore signs locally ([`RegistryClient::set_master_secret_hash`]); Odyn signs
    /// the `structured` payload of §9.5 ([`RegistryClient::set_master_secret_hash_via`]).
    /// Returns the transaction hash. Errors: as those two functions.
    pub async fn set_master_secret_hash(
        &self,
        registry: &RegistryClient,
        hash: [u8; 32],
    ) -> Result<String> {
        match &self.inner.backend {
            Backend::Keystore { id, .. } => {
                registry.set_master_secret_hash(id.wallet(), hash).await
            }
            Backend::Odyn { client, .. } => {
                registry
                    .set_master_secret_hash_via(&self.inner.address, hash, |tx| async move {
                        Ok(client.sign_tx(tx.payload()).await?)
                    })
                    .await
            }
        }
    }

    /// Seal `secret` for storage (module docs: keystore = AES-GCM under the seal key, 61
    /// bytes; Odyn = an envelope to our own teePubkey). Errors: Remote when Odyn fails.
    pub async fn seal_master_secret(&self, secret: &MasterSecret) -> Result<Vec<u8>> {
        match &self.inner.backend {
            Backend::Keystore { id, .. } => Ok(secret.seal_at_rest(&id.seal_key())),
            Backend::Odyn { client, .. } => {
                let text = zeroize::Zeroizing::new(hex::encode(secret.as_bytes()));
                let env = client
                    .encrypt(text.as_bytes(), &self.inner.tee_pubkey_der)
                    .await?;
                let nonce = hex::decode(&env.nonce)
                    .map_err(|_| Error::remote("bad Odyn answer: nonce is not hex"))?;
                let ct = hex::decode(&env.encrypted_data)
                    .map_err(|_| Error::remote("bad Odyn answer: encrypted_data is not hex"))?;
                let len = u8::try_from(nonce.len())
                    .map_err(|_| Error::remote("bad Odyn answer: nonce too long"))?;
                let mut blob = Vec::with_capacity(2 + nonce.len() + ct.len());
                blob.push(ODYN_AT_REST_VERSION);
                blob.push(len);
                blob.extend_from_slice(&nonce);
                blob.extend_from_slice(&ct);
                Ok(blob)
            }
        }
    }

    /// Open a blob made by [`IdentityHandle::seal_master_secret`] of this backend.
    ///
    /// Errors: Integrity when the blob does not open with this identity (another keystore,
    /// another enclave's Odyn keys, a blob of the other backend, corruption); Remote when Odyn
    /// is unreachable (not a verdict on the blob).
    pub async fn unseal_master_secret(&self, blob: &[u8]) -> Result<MasterSecret> {
        let integrity = |why: String| Error::new(ErrorKind::Integrity, why);
        match &self.inner.backend {
            Backend::Keystore { id, .. } => MasterSecret::unseal_at_rest(&id.seal_key(), blob)
                .map_err(|e| integrity(format!("sealed master secret does not open: {e}"))),
            Backend::Odyn { client, .. } => {
                let (nonce, ct) = match blob {
                    [ODYN_AT_REST_VERSION, len, rest @ ..] if rest.len() > *len as usize => {
                        rest.split_at(*len as usize)
                    }
                    _ => {
                        return Err(integrity(
                            "sealed master secret was not sealed through Odyn (another identity backend, or corrupt)".into(),
                        ))
                    }
                };
                let env = Envelope {
                    encrypted_data: hex::encode(ct),
                    nonce: hex::encode(nonce),
                    sender_tee_pubkey: self.inner.tee_pubkey_hex.clone(),
                };
                let text = match client.decrypt(&env).await {
                    Ok(t) => zeroize::Zeroizing::new(t),
                    Err(e @ OdynError::Refused { .. }) => {
                        return Err(integrity(format!(
                            "sealed master secret does not open with this Odyn's key: {e}"
                        )))
                    }
                    Err(e) => return Err(e.into()),
                };
                let s = std::str::from_utf8(&text)
                    .map_err(|_| integrity("sealed master secret is not hex text".into()))?;
                MasterSecret::from_hex(s)
                    .map_err(|_| integrity("sealed master secret is not 32 bytes of hex".into()))
            }
        }
    }
}

impl From<Identity> for IdentityHandle {
    /// A keystore handle with the default envelope label and a 1024-key ECDH cache.
    fn from(id: Identity) -> Self {
        IdentityHandle::keystore(id, crate::crypto::envelope::DEFAULT_INFO_LABEL, 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keystore_handle_matches_its_identity() {
        let id = Identity::generate();
        let h = IdentityHandle::from(id.clone());
        assert_eq!(h.kind(), IdentityKind::Keystore);
        assert_eq!(h.address(), id.address());
        assert_eq!(h.tee_pubkey_hex(), id.tee_pubkey_hex());
        let sig = h.sign("m").await.unwrap();
        assert_eq!(sig, id.sign("m"));
        assert_eq!(h.sign_blocking("m").unwrap(), sig);
        let other = IdentityHandle::from(Identity::generate());
        let env = h.seal(other.tee_pubkey_der(), b"{\"a\":1}").await.unwrap();
        assert_eq!(env.sender_tee_pubkey, h.tee_pubkey_hex());
        assert_eq!(other.open(&env).await.unwrap(), b"{\"a\":1}");
        assert!(h.open(&env).await.is_err(), "sealed to the other key");
        let secret = h.generate_master_secret().await.unwrap();
        let blob = h.seal_master_secret(&secret).await.unwrap();
        assert_eq!(blob[0], crate::crypto::master::AT_REST_VERSION);
        assert_eq!(h.unseal_master_secret(&blob).await.unwrap(), secret);
        let e = other.unseal_master_secret(&blob).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Integrity);
    }
}
