//! Cryptography of the Nova KMS protocol, implemented locally (no Odyn).
//!
//! Every function here is pure (no I/O besides the OS CSPRNG) and follows a rule of
//! `docs/protocol.md`; each item names its section. Submodules:
//!
//! | module | what | source |
//! |---|---|---|
//! | [`kdf`] | HKDF-SHA256 derivations: `/kms/derive`, per-app data key, sync key | protocol.md §5, §4.2, §6.3 |
//! | [`value`] | AES-256-GCM value blobs `nonce ‖ ct ‖ tag` | §4.2 |
//! | [`keys`] | P-384 key encodings (DER SPKI, SEC1) and hex helpers | §3.4 |
//! | [`envelope`] | the E2E envelope `{encrypted_data, nonce, sender_tee_pubkey}` | §3.1, §3.3 |
//! | [`pop`] | EIP-191 signatures, PoP/response messages, wallet canonicalization | §2.2–§2.6 |
//! | [`canonical`] | canonical JSON | §6.3 |
//! | [`mac`] | `/sync` HMAC | §6.3 |
//! | [`sealed`] | sealed master-secret exchange | §6.8 |
//! | [`master`] | the master secret and its at-rest sealing | §4.2, §6.8, design.md §4 |
//!
//! Fallible functions return [`CryptoError`], whose messages never contain secret material
//! (several are the exact wire error texts of the protocol, e.g. `Invalid signature format`).

pub mod canonical;
pub mod envelope;
pub mod kdf;
pub mod keys;
pub mod mac;
pub mod master;
pub mod pop;
pub mod replay;
pub mod sealed;
pub mod value;

use crate::error::{Error, ErrorKind};

/// Errors of the crypto layer.
///
/// `Display` texts are short, fixed and secret-free; where the protocol prescribes an error
/// text (protocol.md §2.2, §2.6, §4.2) the message is exactly that text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A value blob or sealed ciphertext is shorter than nonce + tag (28 bytes, protocol.md §4.2).
    #[error("Ciphertext too short")]
    CiphertextTooShort,
    /// AES-GCM authentication failed (wrong key, wrong nonce, tampered data, wrong label).
    #[error("Decryption failed")]
    DecryptionFailed,
    /// A field that must be hex is not valid hex (odd length, bad digit, forbidden `0x`).
    #[error("Invalid hex")]
    InvalidHex,
    /// Bytes that are neither a DER SPKI nor a SEC1 encoding of a P-384 point (protocol.md §3.4).
    #[error("Invalid public key")]
    InvalidPublicKey,
    /// A nonce of the wrong length (protocol.md §3.3, §6.8).
    #[error("Invalid nonce")]
    InvalidNonce,
    /// A wallet that does not canonicalize (protocol.md §2.6, wire text `Invalid wallet address`).
    #[error("Invalid wallet address")]
    InvalidWallet,
    /// A signature that does not parse: not hex, not 65 bytes, or bad `v` (protocol.md §2.2).
    #[error("Invalid signature format")]
    InvalidSignatureFormat,
    /// A well-formed signature from which no public key can be recovered (protocol.md §2.2).
    #[error("Invalid signature")]
    InvalidSignature,
    /// A requested output length outside the allowed range (e.g. derive length not in 1..=1024).
    #[error("Invalid length")]
    InvalidLength,
    /// Key material that is not a valid secret (wrong length, zero or out-of-range scalar).
    #[error("Invalid secret")]
    InvalidSecret,
    /// A sealed blob whose format version byte is unknown.
    #[error("Unsupported format version")]
    UnsupportedVersion,
}

impl CryptoError {
    /// Exit-code class of this error when it surfaces as a [`crate::Error`] (design.md §6):
    /// signature problems are [`ErrorKind::Auth`]; failed decryption and unknown sealed-blob
    /// versions are [`ErrorKind::Integrity`]; malformed inputs are [`ErrorKind::Local`].
    pub fn kind(&self) -> ErrorKind {
        match self {
            CryptoError::InvalidSignature | CryptoError::InvalidSignatureFormat => ErrorKind::Auth,
            CryptoError::DecryptionFailed
            | CryptoError::CiphertextTooShort
            | CryptoError::UnsupportedVersion => ErrorKind::Integrity,
            _ => ErrorKind::Local,
        }
    }
}

impl From<CryptoError> for Error {
    /// Wraps with the kind given by [`CryptoError::kind`] and the same (secret-free) message.
    fn from(e: CryptoError) -> Self {
        Error::new(e.kind(), e.to_string())
    }
}

/// Fill `buf` from the operating system CSPRNG (`getrandom`).
pub(crate) fn os_random(buf: &mut [u8]) {
    use rand::RngCore;
    rand::rngs::OsRng.fill_bytes(buf);
}

/// HKDF-SHA256 (RFC 5869) extract-then-expand into `out`.
///
/// `salt = None` means the RFC default (HashLen zero bytes). Returns `Err(InvalidLength)` only
/// when `out.len() > 255 * 32`.
pub(crate) fn hkdf_sha256(
    salt: Option<&[u8]>,
    ikm: &[u8],
    info: &[u8],
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(salt, ikm);
    hk.expand(info, out).map_err(|_| CryptoError::InvalidLength)
}

/// AES-256-GCM encryption with an empty AAD unless `aad` is given; returns `ct ‖ tag16`.
///
/// Panics only if `plaintext` exceeds the AES-GCM limit of 2^36 − 32 bytes (64 GiB), which no
/// caller can reach (request bodies are bounded far below that).
pub(crate) fn aes_gcm_encrypt(
    key: &[u8; 32],
    nonce: &[u8; 12],
    plaintext: &[u8],
    aad: &[u8],
) -> Vec<u8> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let cipher = aes_gcm::Aes256Gcm::new(key.into());
    cipher
        .encrypt(
            &aes_gcm::Nonce::from(*nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("AES-GCM plaintext larger than 64 GiB")
}

/// AES-256-GCM decryption of `ct ‖ tag16`; `Err(DecryptionFailed)` on any authentication failure.
pub(crate) fn aes_gcm_decrypt(
    key: &[u8; 32],
    nonce: &[u8; 12],
    ciphertext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    let cipher = aes_gcm::Aes256Gcm::new(key.into());
    cipher
        .decrypt(
            &aes_gcm::Nonce::from(*nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map_err(|_| CryptoError::DecryptionFailed)
}

/// Constant-time equality of two byte slices (length is not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // black_box keeps the optimizer from short-circuiting the fold.
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds_and_messages() {
        assert_eq!(
            CryptoError::InvalidSignatureFormat.to_string(),
            "Invalid signature format"
        );
        assert_eq!(
            CryptoError::CiphertextTooShort.to_string(),
            "Ciphertext too short"
        );
        let e: Error = CryptoError::InvalidSignature.into();
        assert_eq!(e.kind(), ErrorKind::Auth);
        let e: Error = CryptoError::DecryptionFailed.into();
        assert_eq!(e.kind(), ErrorKind::Integrity);
        let e: Error = CryptoError::InvalidHex.into();
        assert_eq!(e.kind(), ErrorKind::Local);
    }

    #[test]
    fn ct_eq_works() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
        // two differences that would cancel out if they were xored instead of or-ed
        assert!(!ct_eq(&[0, 0], &[1, 1]));
        assert!(!ct_eq(&[0xf0, 0x0f, 7], &[0x0f, 0xf0, 7]));
    }
}
