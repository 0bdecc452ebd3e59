//! The E2E encrypted envelope (protocol.md §3.1, §3.3), done locally instead of through Odyn.
//!
//! ```json
//! {"encrypted_data":"<hex ct‖tag16>","nonce":"<hex>","sender_tee_pubkey":"<hex DER SPKI>"}
//! ```
//!
//! Crypto (static-static, no ephemeral key): `Z` = x-coordinate (48 bytes) of ECDH between the
//! sender's and the receiver's long-lived P-384 keys; `K` = HKDF-SHA256(IKM = Z, salt, info,
//! L = 32); `encrypted_data` = AES-256-GCM(K, nonce12, plaintext, no AAD) = `ct ‖ tag`.
//!
//! | scheme | salt | info | envelope nonce |
//! |---|---|---|---|
//! | [`EnvelopeScheme::V1`] | `min(P_a,P_b) ‖ max(P_a,P_b) ‖ nonce12` (uncompressed SEC1, 206 bytes) | the label, default [`DEFAULT_INFO_LABEL`] | 12 bytes (32 accepted on open, first 12 used) |
//! | [`EnvelopeScheme::Legacy`] | none (RFC 5869 default) | `encryption data` | 32 bytes produced, first 12 are the AES nonce (12..=64 bytes accepted on open) |
//!
//! The schemes are mutually incompatible (protocol.md §3.3, §11.18). Replay protection
//! (single-use `(sender, nonce)` pairs) is the caller's business, not this module's.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::keys::{decode_hex_lenient, ecdh_x, parse_p384_public, sec1_uncompressed, spki_der};
use super::{aes_gcm_decrypt, aes_gcm_encrypt, hkdf_sha256, os_random, CryptoError};

/// Default v1 HKDF info label: the current Nova runtime (`capsule-ecdh-aes256gcm-v1`,
/// protocol.md §3.3, nova-enclave-capsule `3ea8811` onward).
pub const DEFAULT_INFO_LABEL: &str = "capsule-ecdh-aes256gcm-v1";

/// v1 label of the Odyn builds nova-kms HEAD was developed against (protocol.md §3.3).
pub const ENCLAVER_INFO_LABEL: &str = "enclaver-ecdh-aes256gcm-v1";

/// v1 label of the one-day `capsule-api` Odyn build (protocol.md §3.3).
pub const CAPSULE_API_INFO_LABEL: &str = "capsule-api-ecdh-aes256gcm-v1";

/// HKDF info of the legacy scheme (protocol.md §3.3).
pub const LEGACY_INFO: &str = "encryption data";

/// Configuration value selecting [`EnvelopeScheme::Legacy`] in [`EnvelopeScheme::parse`].
pub const LEGACY_SCHEME_NAME: &str = "legacy";

/// Length of the nonce produced by the legacy scheme (protocol.md §3.3).
pub const LEGACY_NONCE_LEN: usize = 32;

/// Longest nonce accepted by [`open_with_scheme`] for the legacy scheme (defensive bound).
const LEGACY_MAX_NONCE_LEN: usize = 64;

/// The envelope JSON object (protocol.md §3.1). All three fields are hex strings; this crate
/// emits them lowercase without `0x`, and accepts `0x` and any case on input.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// Hex of AES-256-GCM `ciphertext ‖ tag(16)`.
    pub encrypted_data: String,
    /// Hex of the envelope nonce (12 bytes in v1; 32 in legacy).
    pub nonce: String,
    /// Hex of the sender's P-384 public key, DER SPKI (120 bytes, protocol.md §3.4).
    pub sender_tee_pubkey: String,
}

impl Envelope {
    /// Detect an envelope in a JSON value (protocol.md §3.1): `Some` iff `v` is an object whose
    /// `encrypted_data`, `nonce` and `sender_tee_pubkey` are all strings; other keys are ignored.
    /// The hex content is not validated here.
    pub fn from_json(v: &serde_json::Value) -> Option<Envelope> {
        let obj = v.as_object()?;
        let field = |k: &str| obj.get(k)?.as_str().map(str::to_owned);
        Some(Envelope {
            encrypted_data: field("encrypted_data")?,
            nonce: field("nonce")?,
            sender_tee_pubkey: field("sender_tee_pubkey")?,
        })
    }

    /// The envelope as a JSON object with exactly the three keys (protocol.md §3.1).
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("encrypted_data".into(), self.encrypted_data.clone().into());
        m.insert("nonce".into(), self.nonce.clone().into());
        m.insert(
            "sender_tee_pubkey".into(),
            self.sender_tee_pubkey.clone().into(),
        );
        serde_json::Value::Object(m)
    }

    /// Canonical JSON text of [`Envelope::to_json`] (protocol.md §6.3): the wire body and the
    /// `/sync` HMAC input. Written directly (no copy of the hex through a JSON value; a page's
    /// envelope is up to ~10 MB of hex).
    pub fn to_canonical_string(&self) -> String {
        use super::canonical::write_string;
        let mut out = String::with_capacity(
            self.encrypted_data.len() + self.nonce.len() + self.sender_tee_pubkey.len() + 64,
        );
        out.push_str("{\"encrypted_data\":");
        write_string(&mut out, &self.encrypted_data);
        out.push_str(",\"nonce\":");
        write_string(&mut out, &self.nonce);
        out.push_str(",\"sender_tee_pubkey\":");
        write_string(&mut out, &self.sender_tee_pubkey);
        out.push('}');
        out
    }
}

/// Which Odyn key-derivation scheme to speak (protocol.md §3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvelopeScheme {
    /// v1: salt = sorted SEC1 keys ‖ nonce12, info = `info_label`.
    V1 {
        /// HKDF info label, e.g. [`DEFAULT_INFO_LABEL`] or [`ENCLAVER_INFO_LABEL`].
        info_label: String,
    },
    /// Legacy: no salt, info `encryption data`, 32-byte envelope nonce.
    Legacy,
}

impl Default for EnvelopeScheme {
    /// v1 with [`DEFAULT_INFO_LABEL`] (protocol.md §3.3 recommendation).
    fn default() -> Self {
        EnvelopeScheme::V1 {
            info_label: DEFAULT_INFO_LABEL.to_owned(),
        }
    }
}

impl EnvelopeScheme {
    /// v1 with the given label.
    pub fn v1(info_label: &str) -> Self {
        EnvelopeScheme::V1 {
            info_label: info_label.to_owned(),
        }
    }

    /// Scheme from a configuration string: `"legacy"` (exactly) selects
    /// [`EnvelopeScheme::Legacy`], anything else is a v1 info label.
    pub fn parse(config_value: &str) -> Self {
        if config_value == LEGACY_SCHEME_NAME {
            EnvelopeScheme::Legacy
        } else {
            EnvelopeScheme::v1(config_value)
        }
    }
}

/// The 32-byte AES key of an envelope between `own` and `peer` for the given 12-byte AES nonce
/// (protocol.md §3.3). Exposed for test vectors; symmetric in the two parties.
pub fn envelope_key(
    own: &p384::SecretKey,
    peer: &p384::PublicKey,
    nonce12: &[u8; 12],
    scheme: &EnvelopeScheme,
) -> Zeroizing<[u8; 32]> {
    let z = ecdh_x(own, peer);
    key_from_shared(
        &z,
        &sec1_uncompressed(&own.public_key()),
        &sec1_uncompressed(peer),
        nonce12,
        scheme,
    )
}

/// The AES key of one envelope from the static ECDH x-coordinate `z` and both
/// public keys in uncompressed SEC1 form (protocol.md §3.3): HKDF-SHA256 with
/// salt `min(a, b) ‖ max(a, b) ‖ nonce` and the scheme's info (v1), or no salt
/// and info `encryption data` (legacy).
fn key_from_shared(
    z: &[u8; 48],
    own_sec1: &[u8; 97],
    peer_sec1: &[u8; 97],
    nonce12: &[u8; 12],
    scheme: &EnvelopeScheme,
) -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new([0u8; 32]);
    // 32-byte output cannot exceed the HKDF limit.
    let _ = match scheme {
        EnvelopeScheme::Legacy => hkdf_sha256(None, &z[..], LEGACY_INFO.as_bytes(), &mut key[..]),
        EnvelopeScheme::V1 { info_label } => {
            let (lo, hi) = if own_sec1 <= peer_sec1 {
                (own_sec1, peer_sec1)
            } else {
                (peer_sec1, own_sec1)
            };
            let mut salt = Vec::with_capacity(2 * lo.len() + 12);
            salt.extend_from_slice(lo);
            salt.extend_from_slice(hi);
            salt.extend_from_slice(nonce12);
            hkdf_sha256(Some(&salt), &z[..], info_label.as_bytes(), &mut key[..])
        }
    };
    key
}

/// A long-lived P-384 key that seals and opens envelopes (protocol.md §3.3)
/// without repeating scalar multiplications: its own public key encodings are
/// computed once, and the static ECDH shared secret with each peer key is kept
/// in a bounded LRU cache (security-checklist.md: every map that grows with
/// client input is bounded). A P-384 multiplication costs milliseconds; with
/// the cache, a request from a known peer costs only HKDF and AES-GCM.
pub struct EnvelopeCipher {
    own: p384::SecretKey,
    own_sec1: [u8; 97],
    own_spki_hex: String,
    scheme: EnvelopeScheme,
    shared: std::sync::Mutex<lru::LruCache<[u8; 97], SharedSecret>>,
}

/// A cached static ECDH x-coordinate (48 bytes), zeroized when dropped.
type SharedSecret = std::sync::Arc<Zeroizing<[u8; 48]>>;

impl std::fmt::Debug for EnvelopeCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvelopeCipher")
            .field("own_spki_hex", &self.own_spki_hex)
            .finish_non_exhaustive()
    }
}

impl EnvelopeCipher {
    /// Cipher for `own` with `scheme`, caching up to `capacity` peer keys
    /// (at least 1).
    pub fn new(own: p384::SecretKey, scheme: EnvelopeScheme, capacity: usize) -> Self {
        let public = own.public_key();
        let cap =
            std::num::NonZeroUsize::new(capacity.max(1)).unwrap_or(std::num::NonZeroUsize::MIN);
        EnvelopeCipher {
            own_sec1: sec1_uncompressed(&public),
            own_spki_hex: hex::encode(spki_der(&public)),
            own,
            scheme,
            shared: std::sync::Mutex::new(lru::LruCache::new(cap)),
        }
    }

    /// Our teePubkey as lowercase hex DER SPKI (the `sender_tee_pubkey` we send).
    pub fn own_spki_hex(&self) -> &str {
        &self.own_spki_hex
    }

    /// Shared x-coordinate with `peer` (cached) and the peer's SEC1 bytes.
    fn shared_with(
        &self,
        peer: &p384::PublicKey,
    ) -> (std::sync::Arc<Zeroizing<[u8; 48]>>, [u8; 97]) {
        let peer_sec1 = sec1_uncompressed(peer);
        let mut cache = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(z) = cache.get(&peer_sec1) {
            return (z.clone(), peer_sec1);
        }
        drop(cache);
        let z = std::sync::Arc::new(ecdh_x(&self.own, peer));
        self.shared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(peer_sec1, z.clone());
        (z, peer_sec1)
    }

    /// Seal `plaintext` to the peer key (DER SPKI or SEC1 bytes) with a fresh
    /// random nonce. Errors: [`CryptoError::InvalidPublicKey`].
    pub fn seal(
        &self,
        peer_spki_or_sec1: &[u8],
        plaintext: &[u8],
    ) -> Result<Envelope, CryptoError> {
        let mut nonce = [0u8; 12];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
        self.seal_with_nonce(peer_spki_or_sec1, plaintext, &nonce)
    }

    /// [`EnvelopeCipher::seal`] with a caller-chosen nonce (tests, vectors).
    pub fn seal_with_nonce(
        &self,
        peer_spki_or_sec1: &[u8],
        plaintext: &[u8],
        nonce: &[u8],
    ) -> Result<Envelope, CryptoError> {
        let nonce12 = aes_nonce(nonce, &self.scheme)?;
        let peer = parse_p384_public(peer_spki_or_sec1)?;
        let (z, peer_sec1) = self.shared_with(&peer);
        let key = key_from_shared(&z, &self.own_sec1, &peer_sec1, &nonce12, &self.scheme);
        let ct = aes_gcm_encrypt(&key, &nonce12, plaintext, b"");
        Ok(Envelope {
            encrypted_data: super::keys::encode_hex(&ct),
            nonce: hex::encode(nonce),
            sender_tee_pubkey: self.own_spki_hex.clone(),
        })
    }

    /// Open an envelope addressed to us; the peer key is its
    /// `sender_tee_pubkey`. Errors as [`open`].
    pub fn open(&self, env: &Envelope) -> Result<Vec<u8>, CryptoError> {
        let peer = parse_p384_public(&decode_hex_lenient(&env.sender_tee_pubkey)?)?;
        let nonce = decode_hex_lenient(&env.nonce)?;
        let nonce12 = aes_nonce(&nonce, &self.scheme)?;
        let ct = decode_hex_lenient(&env.encrypted_data)?;
        if ct.len() < 16 {
            return Err(CryptoError::CiphertextTooShort);
        }
        let (z, peer_sec1) = self.shared_with(&peer);
        let key = key_from_shared(&z, &self.own_sec1, &peer_sec1, &nonce12, &self.scheme);
        aes_gcm_decrypt(&key, &nonce12, &ct, b"")
    }

    /// The AES-GCM nonce of `env` under this cipher's scheme: the first 12 bytes of its
    /// `nonce` (§3.3), so the two accepted lengths and any hex case map to the nonce the
    /// cipher actually uses (the identity of an envelope for `crypto::replay`).
    /// Errors: [`CryptoError`] for bad hex or a length the scheme refuses.
    pub fn aes_nonce_of(&self, env: &Envelope) -> Result<[u8; 12], CryptoError> {
        aes_nonce_under(env, &self.scheme)
    }

    /// Number of cached peer keys (bounded by the capacity).
    pub fn cached_peers(&self) -> usize {
        self.shared.lock().map(|c| c.len()).unwrap_or(0)
    }
}

/// The AES-GCM nonce of `env` under `scheme` (see [`EnvelopeCipher::aes_nonce_of`]); needs no
/// key, so an identity whose envelope crypto runs in Odyn uses it too.
/// Errors: [`CryptoError`] for bad hex or a length the scheme refuses.
pub fn aes_nonce_under(env: &Envelope, scheme: &EnvelopeScheme) -> Result<[u8; 12], CryptoError> {
    aes_nonce(&decode_hex_lenient(&env.nonce)?, scheme)
}

/// Encrypt `plaintext` to the peer with the v1 scheme and label `info_label` and a fresh random
/// 12-byte nonce (protocol.md §3.3).
///
/// * `own`: the sender's long-lived P-384 key (its teePubkey goes into `sender_tee_pubkey`).
/// * `peer_spki_or_sec1`: receiver's public key bytes, DER SPKI or SEC1.
///
/// Output fields are lowercase hex without `0x`. Errors: [`CryptoError::InvalidPublicKey`].
pub fn seal(
    own: &p384::SecretKey,
    peer_spki_or_sec1: &[u8],
    plaintext: &[u8],
    info_label: &str,
) -> Result<Envelope, CryptoError> {
    seal_with_scheme(
        own,
        peer_spki_or_sec1,
        plaintext,
        &EnvelopeScheme::v1(info_label),
    )
}

/// Deterministic form of [`seal`] with a caller-chosen 12-byte nonce (tests / vectors only;
/// a nonce must never be reused with the same key pair).
pub fn seal_with_nonce(
    own: &p384::SecretKey,
    peer_spki_or_sec1: &[u8],
    plaintext: &[u8],
    info_label: &str,
    nonce: &[u8; 12],
) -> Result<Envelope, CryptoError> {
    seal_with_scheme_and_nonce(
        own,
        peer_spki_or_sec1,
        plaintext,
        &EnvelopeScheme::v1(info_label),
        nonce,
    )
}

/// [`seal`] for any [`EnvelopeScheme`], with a fresh random nonce of the scheme's length
/// (12 bytes for v1, 32 for legacy).
pub fn seal_with_scheme(
    own: &p384::SecretKey,
    peer_spki_or_sec1: &[u8],
    plaintext: &[u8],
    scheme: &EnvelopeScheme,
) -> Result<Envelope, CryptoError> {
    let mut nonce = [0u8; LEGACY_NONCE_LEN];
    let n = match scheme {
        EnvelopeScheme::V1 { .. } => 12,
        EnvelopeScheme::Legacy => LEGACY_NONCE_LEN,
    };
    os_random(&mut nonce[..n]);
    seal_with_scheme_and_nonce(own, peer_spki_or_sec1, plaintext, scheme, &nonce[..n])
}

/// Deterministic [`seal_with_scheme`]: `nonce` is the envelope nonce as it will appear on the
/// wire (12 bytes for v1; at least 12 for legacy, where the first 12 are the AES nonce).
/// Errors: [`CryptoError::InvalidNonce`] for a wrong nonce length,
/// [`CryptoError::InvalidPublicKey`] for an unparsable peer key.
pub fn seal_with_scheme_and_nonce(
    own: &p384::SecretKey,
    peer_spki_or_sec1: &[u8],
    plaintext: &[u8],
    scheme: &EnvelopeScheme,
    nonce: &[u8],
) -> Result<Envelope, CryptoError> {
    let nonce12 = aes_nonce(nonce, scheme)?;
    let peer = parse_p384_public(peer_spki_or_sec1)?;
    let key = envelope_key(own, &peer, &nonce12, scheme);
    let ct = aes_gcm_encrypt(&key, &nonce12, plaintext, b"");
    Ok(Envelope {
        encrypted_data: super::keys::encode_hex(&ct),
        nonce: hex::encode(nonce),
        sender_tee_pubkey: hex::encode(spki_der(&own.public_key())),
    })
}

/// Decrypt an envelope addressed to `own` with the v1 scheme and label `info_label`
/// (protocol.md §3.3). The peer key is `env.sender_tee_pubkey` (DER SPKI or SEC1 hex); all
/// fields accept an optional `0x`/`0X` and any case. The nonce must be 12 bytes, or 32 bytes of
/// which the first 12 are used.
///
/// Errors: [`CryptoError::InvalidHex`], [`CryptoError::InvalidPublicKey`],
/// [`CryptoError::InvalidNonce`], [`CryptoError::CiphertextTooShort`] (< 16 bytes),
/// [`CryptoError::DecryptionFailed`] (wrong keys, label, nonce or tampering).
pub fn open(
    own: &p384::SecretKey,
    env: &Envelope,
    info_label: &str,
) -> Result<Vec<u8>, CryptoError> {
    open_with_scheme(own, env, &EnvelopeScheme::v1(info_label))
}

/// [`open`] for any [`EnvelopeScheme`]; legacy accepts nonces of 12..=64 bytes (first 12 used).
pub fn open_with_scheme(
    own: &p384::SecretKey,
    env: &Envelope,
    scheme: &EnvelopeScheme,
) -> Result<Vec<u8>, CryptoError> {
    let peer = parse_p384_public(&decode_hex_lenient(&env.sender_tee_pubkey)?)?;
    let nonce = decode_hex_lenient(&env.nonce)?;
    let nonce12 = aes_nonce(&nonce, scheme)?;
    let ct = decode_hex_lenient(&env.encrypted_data)?;
    if ct.len() < 16 {
        return Err(CryptoError::CiphertextTooShort);
    }
    let key = envelope_key(own, &peer, &nonce12, scheme);
    aes_gcm_decrypt(&key, &nonce12, &ct, b"")
}

/// The AES nonce (first 12 bytes) of an envelope nonce, enforcing the scheme's allowed lengths.
fn aes_nonce(nonce: &[u8], scheme: &EnvelopeScheme) -> Result<[u8; 12], CryptoError> {
    let ok = match scheme {
        EnvelopeScheme::V1 { .. } => nonce.len() == 12 || nonce.len() == LEGACY_NONCE_LEN,
        EnvelopeScheme::Legacy => (12..=LEGACY_MAX_NONCE_LEN).contains(&nonce.len()),
    };
    if !ok {
        return Err(CryptoError::InvalidNonce);
    }
    let mut out = [0u8; 12];
    out.copy_from_slice(&nonce[..12]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::p384_secret_from_u64;

    #[test]
    fn cipher_matches_the_free_functions_and_the_vectors() {
        let (a, b) = ab();
        let b_spki = spki_der(&b.public_key());
        let n = nonce();
        for label in [DEFAULT_INFO_LABEL, ENCLAVER_INFO_LABEL] {
            let c = EnvelopeCipher::new(a.clone(), EnvelopeScheme::v1(label), 4);
            let via_cipher = c.seal_with_nonce(&b_spki, PT, &n).unwrap();
            let via_fn = seal_with_nonce(&a, &b_spki, PT, label, &n).unwrap();
            assert_eq!(via_cipher, via_fn);
            // B opens what A's cipher sealed, both ways.
            let cb = EnvelopeCipher::new(b.clone(), EnvelopeScheme::v1(label), 4);
            assert_eq!(cb.open(&via_cipher).unwrap(), PT);
            assert_eq!(open(&b, &via_cipher, label).unwrap(), PT);
        }
        let c = EnvelopeCipher::new(a.clone(), EnvelopeScheme::default(), 4);
        let env = c.seal_with_nonce(&b_spki, PT, &n).unwrap();
        assert_eq!(
            env.encrypted_data,
            "09ce19b281e44c31ba85c26d1bdef84a353090cc6a3de100eb7f77219266e1609422831953a0"
        );
    }

    #[test]
    fn cipher_open_bounds_and_own_identity() {
        let (a, b) = ab();
        let ca = EnvelopeCipher::new(a.clone(), EnvelopeScheme::default(), 4);
        let cb = EnvelopeCipher::new(b.clone(), EnvelopeScheme::default(), 4);
        // our teePubkey is the hex SPKI of our own key, and every sealed envelope carries it
        assert_eq!(ca.own_spki_hex(), hex::encode(spki_der(&a.public_key())));
        let env = ca.seal(&spki_der(&b.public_key()), b"").unwrap();
        assert_eq!(env.sender_tee_pubkey, ca.own_spki_hex());
        // an empty plaintext is exactly one 16-byte tag, and opens
        assert_eq!(env.encrypted_data.len(), 32);
        assert_eq!(cb.open(&env).unwrap(), b"");
        // anything shorter than a tag is refused as too short, before any decryption
        for n in [0, 1, 15] {
            let short = Envelope {
                encrypted_data: "ab".repeat(n),
                ..env.clone()
            };
            assert!(
                matches!(cb.open(&short), Err(CryptoError::CiphertextTooShort)),
                "{n} bytes"
            );
        }
        // Debug names the public key only
        let dbg = format!("{ca:?}");
        assert!(dbg.starts_with("EnvelopeCipher"), "{dbg}");
        assert!(dbg.contains(ca.own_spki_hex()), "{dbg}");
    }

    #[test]
    fn aes_nonce_of_an_envelope_is_its_first_twelve_nonce_bytes() {
        let (a, _) = ab();
        let c = EnvelopeCipher::new(a, EnvelopeScheme::default(), 4);
        let env = |nonce: String| Envelope {
            encrypted_data: "00".repeat(16),
            nonce,
            sender_tee_pubkey: String::new(),
        };
        let n12: Vec<u8> = (1..=12).collect();
        let want: [u8; 12] = n12.clone().try_into().unwrap();
        assert_eq!(c.aes_nonce_of(&env(hex::encode(&n12))).unwrap(), want);
        // the 32-byte form and upper-case hex name the same AES nonce
        let n32: Vec<u8> = (1..=32).collect();
        assert_eq!(c.aes_nonce_of(&env(hex::encode(&n32))).unwrap(), want);
        assert_eq!(c.aes_nonce_of(&env(hex::encode_upper(&n12))).unwrap(), want);
        assert_eq!(
            aes_nonce_under(&env(hex::encode(&n32)), &EnvelopeScheme::Legacy).unwrap(),
            want
        );
        // lengths the scheme refuses, and bad hex
        assert!(matches!(
            c.aes_nonce_of(&env(hex::encode([7u8; 16]))),
            Err(CryptoError::InvalidNonce)
        ));
        assert!(c.aes_nonce_of(&env("zz".into())).is_err());
    }

    #[test]
    fn cipher_cache_is_bounded() {
        let (a, _) = ab();
        let c = EnvelopeCipher::new(a, EnvelopeScheme::default(), 3);
        for k in 1..=10u64 {
            let peer = p384_secret_from_u64(0x1000 + k).unwrap();
            c.seal(&spki_der(&peer.public_key()), b"x").unwrap();
        }
        assert_eq!(c.cached_peers(), 3);
    }

    const PT: &[u8] = br#"{"path":"wallet/root"}"#;
    const NONCE: &str = "b0b1b2b3b4b5b6b7b8b9babb";

    fn ab() -> (p384::SecretKey, p384::SecretKey) {
        (
            p384_secret_from_u64(0x1111).unwrap(),
            p384_secret_from_u64(0x2222).unwrap(),
        )
    }

    fn nonce() -> [u8; 12] {
        hex::decode(NONCE).unwrap().try_into().unwrap()
    }

    fn check_vector(scheme: EnvelopeScheme, key_hex: &str, ct_hex: &str) {
        let (a, b) = ab();
        let k = envelope_key(&a, &b.public_key(), &nonce(), &scheme);
        assert_eq!(hex::encode(*k), key_hex, "{scheme:?}");
        assert_eq!(*envelope_key(&b, &a.public_key(), &nonce(), &scheme), *k);
        let b_der = spki_der(&b.public_key());
        let env = seal_with_scheme_and_nonce(&a, &b_der, PT, &scheme, &nonce()).unwrap();
        assert_eq!(env.encrypted_data, ct_hex, "{scheme:?}");
        assert_eq!(env.nonce, NONCE);
        assert_eq!(
            env.sender_tee_pubkey,
            hex::encode(spki_der(&a.public_key()))
        );
        assert_eq!(open_with_scheme(&b, &env, &scheme).unwrap(), PT);
    }

    #[test]
    fn vector_legacy() {
        // protocol.md §10 (legacy computed with the 12-byte AES nonce b0..bb)
        check_vector(
            EnvelopeScheme::Legacy,
            "d6c76f39698fcda477810f3b683e4c5efdb9bd8c3265318ce944f725352826dc",
            "3a868e8b5929006d16bbd6f5f78bf4e3f0faf9d7ed1a02b9590713406f939801128b6777845f",
        );
    }

    #[test]
    fn vector_v1_enclaver() {
        check_vector(
            EnvelopeScheme::v1(ENCLAVER_INFO_LABEL),
            "65fad623d54924deee0cea75051638519b540ef6d5f88c8bb28c0ea638fa0b75",
            "ddcf53f8d4ad034455fe740b9f4ab6192b182d969547addafeb842bd0432a674986f56546b22",
        );
    }

    #[test]
    fn vector_v1_capsule() {
        check_vector(
            EnvelopeScheme::default(),
            "11d993c83a63c883001efd01a461e2254c04b4e9bfd8741a9ab6bca692c227cc",
            "09ce19b281e44c31ba85c26d1bdef84a353090cc6a3de100eb7f77219266e1609422831953a0",
        );
        let (a, b) = ab();
        let env = seal_with_nonce(
            &a,
            &spki_der(&b.public_key()),
            PT,
            DEFAULT_INFO_LABEL,
            &nonce(),
        )
        .unwrap();
        assert_eq!(
            env.encrypted_data,
            "09ce19b281e44c31ba85c26d1bdef84a353090cc6a3de100eb7f77219266e1609422831953a0"
        );
    }

    #[test]
    fn round_trip_a_to_b() {
        let (a, b) = ab();
        let b_der = spki_der(&b.public_key());
        let env = seal(&a, &b_der, b"secret text", DEFAULT_INFO_LABEL).unwrap();
        assert_eq!(hex::decode(&env.nonce).unwrap().len(), 12);
        assert_eq!(open(&b, &env, DEFAULT_INFO_LABEL).unwrap(), b"secret text");
        // The sender can also open it (ECDH is symmetric) only when using the receiver as peer;
        // with sender_tee_pubkey = own key the derived key differs.
        assert!(open(&a, &env, DEFAULT_INFO_LABEL).is_err());
        // SEC1 peer key works too.
        let env2 = seal(
            &a,
            &sec1_uncompressed(&b.public_key()),
            b"x",
            DEFAULT_INFO_LABEL,
        )
        .unwrap();
        assert_eq!(open(&b, &env2, DEFAULT_INFO_LABEL).unwrap(), b"x");
        // Random keys.
        let c = p384::SecretKey::random(&mut rand::rngs::OsRng);
        let env3 = seal(&c, &b_der, b"", "custom-label").unwrap();
        assert_eq!(open(&b, &env3, "custom-label").unwrap(), b"");
        // Legacy random.
        let env4 = seal_with_scheme(&a, &b_der, b"l", &EnvelopeScheme::Legacy).unwrap();
        assert_eq!(hex::decode(&env4.nonce).unwrap().len(), 32);
        assert_eq!(
            open_with_scheme(&b, &env4, &EnvelopeScheme::Legacy).unwrap(),
            b"l"
        );
    }

    #[test]
    fn lenient_input_and_32_byte_nonce() {
        let (a, b) = ab();
        let env = seal_with_nonce(
            &a,
            &spki_der(&b.public_key()),
            PT,
            DEFAULT_INFO_LABEL,
            &nonce(),
        )
        .unwrap();
        let loud = Envelope {
            encrypted_data: format!("0x{}", env.encrypted_data.to_uppercase()),
            nonce: format!("0X{}", env.nonce.to_uppercase()),
            sender_tee_pubkey: format!("0x{}", env.sender_tee_pubkey),
        };
        assert_eq!(open(&b, &loud, DEFAULT_INFO_LABEL).unwrap(), PT);
        // 32-byte nonce: first 12 used.
        let long = Envelope {
            nonce: format!("{}{}", env.nonce, "00".repeat(20)),
            ..env.clone()
        };
        assert_eq!(open(&b, &long, DEFAULT_INFO_LABEL).unwrap(), PT);
        let bad = Envelope {
            nonce: "00".repeat(16),
            ..env.clone()
        };
        assert_eq!(
            open(&b, &bad, DEFAULT_INFO_LABEL),
            Err(CryptoError::InvalidNonce)
        );
        let bad = Envelope {
            sender_tee_pubkey: "3076".into(),
            ..env.clone()
        };
        assert_eq!(
            open(&b, &bad, DEFAULT_INFO_LABEL),
            Err(CryptoError::InvalidPublicKey)
        );
        let bad = Envelope {
            encrypted_data: "zz".into(),
            ..env.clone()
        };
        assert_eq!(
            open(&b, &bad, DEFAULT_INFO_LABEL),
            Err(CryptoError::InvalidHex)
        );
        let bad = Envelope {
            encrypted_data: "00".into(),
            ..env
        };
        assert_eq!(
            open(&b, &bad, DEFAULT_INFO_LABEL),
            Err(CryptoError::CiphertextTooShort)
        );
    }

    #[test]
    fn tamper_and_wrong_label_fail() {
        let (a, b) = ab();
        let env = seal(&a, &spki_der(&b.public_key()), PT, DEFAULT_INFO_LABEL).unwrap();
        let mut ct = hex::decode(&env.encrypted_data).unwrap();
        ct[0] ^= 0x80;
        let tampered = Envelope {
            encrypted_data: hex::encode(&ct),
            ..env.clone()
        };
        assert_eq!(
            open(&b, &tampered, DEFAULT_INFO_LABEL),
            Err(CryptoError::DecryptionFailed)
        );
        assert_eq!(
            open(&b, &env, ENCLAVER_INFO_LABEL),
            Err(CryptoError::DecryptionFailed)
        );
        assert_eq!(
            open_with_scheme(&b, &env, &EnvelopeScheme::Legacy),
            Err(CryptoError::DecryptionFailed)
        );
        let mut n = hex::decode(&env.nonce).unwrap();
        n[11] ^= 1;
        let renonced = Envelope {
            nonce: hex::encode(n),
            ..env
        };
        assert_eq!(
            open(&b, &renonced, DEFAULT_INFO_LABEL),
            Err(CryptoError::DecryptionFailed)
        );
    }

    #[test]
    fn seal_rejects_bad_inputs() {
        let (a, _) = ab();
        assert_eq!(
            seal(&a, b"not a key", PT, DEFAULT_INFO_LABEL),
            Err(CryptoError::InvalidPublicKey)
        );
        let b_der = spki_der(&p384_secret_from_u64(0x2222).unwrap().public_key());
        assert_eq!(
            seal_with_scheme_and_nonce(&a, &b_der, PT, &EnvelopeScheme::default(), &[0u8; 11]),
            Err(CryptoError::InvalidNonce)
        );
    }

    #[test]
    fn json_detection() {
        let v = serde_json::json!({
            "encrypted_data": "aa", "nonce": "bb", "sender_tee_pubkey": "cc", "extra": 1
        });
        let env = Envelope::from_json(&v).unwrap();
        assert_eq!(env.encrypted_data, "aa");
        assert_eq!(
            env.to_json(),
            serde_json::json!({"encrypted_data": "aa", "nonce": "bb", "sender_tee_pubkey": "cc"})
        );
        assert_eq!(
            env.to_canonical_string(),
            r#"{"encrypted_data":"aa","nonce":"bb","sender_tee_pubkey":"cc"}"#
        );
        let odd = Envelope {
            encrypted_data: "q\"\\\n\u{1}é".into(),
            nonce: String::new(),
            sender_tee_pubkey: "0xAB/".into(),
        };
        assert_eq!(
            odd.to_canonical_string(),
            crate::crypto::canonical::canonical_json(&odd.to_json())
        );
        assert!(
            Envelope::from_json(&serde_json::json!({"encrypted_data": "aa", "nonce": "bb"}))
                .is_none()
        );
        assert!(Envelope::from_json(
            &serde_json::json!({"encrypted_data": 1, "nonce": "bb", "sender_tee_pubkey": "cc"})
        )
        .is_none());
        assert!(Envelope::from_json(&serde_json::json!(["x"])).is_none());
    }

    #[test]
    fn scheme_parse() {
        assert_eq!(EnvelopeScheme::parse("legacy"), EnvelopeScheme::Legacy);
        assert_eq!(
            EnvelopeScheme::parse(ENCLAVER_INFO_LABEL),
            EnvelopeScheme::v1(ENCLAVER_INFO_LABEL)
        );
    }
}
