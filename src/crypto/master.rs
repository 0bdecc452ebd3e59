//! The cluster master secret (protocol.md §4.2, §5, §6.8, §9; design.md §4).
//!
//! 32 bytes from the OS CSPRNG at bootstrap; its keccak256 is the on-chain `masterSecretHash`.
//! Held in zeroizing memory; `Debug` never prints it.
//!
//! At-rest sealing (design.md §4, "stored sealed under a key derived from the node identity";
//! novakms-specific, not on the wire):
//!
//! ```text
//! blob = 0x01 (format version) ‖ nonce (12, random) ‖ AES-256-GCM(seal_key, nonce, secret,
//!        AAD = "novakms:master-secret:v1") (32 ‖ tag 16)           # 61 bytes
//! ```
//!
//! `seal_key` comes from [`crate::identity::Identity::seal_key`].

use std::fmt;

use zeroize::Zeroizing;

use super::keys::decode_hex_lenient;
use super::{aes_gcm_decrypt, aes_gcm_encrypt, ct_eq, kdf, os_random, CryptoError};

/// Format version byte of [`MasterSecret::seal_at_rest`] blobs.
pub const AT_REST_VERSION: u8 = 1;
/// AAD binding at-rest blobs to their purpose and format.
pub const AT_REST_AAD: &[u8] = b"novakms:master-secret:v1";
/// Length of an at-rest blob: version (1) + nonce (12) + ciphertext (32) + tag (16).
pub const AT_REST_LEN: usize = 1 + 12 + 32 + 16;

/// The 32-byte cluster master secret, zeroized on drop.
///
/// Equality is constant-time. `Debug` prints `MasterSecret(<redacted>)`.
#[derive(Clone)]
pub struct MasterSecret(Zeroizing<[u8; 32]>);

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecret(<redacted>)")
    }
}

impl PartialEq for MasterSecret {
    fn eq(&self, other: &Self) -> bool {
        ct_eq(&self.0[..], &other.0[..])
    }
}

impl Eq for MasterSecret {}

impl MasterSecret {
    /// Wrap 32 secret bytes (the caller should zeroize its own copy).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        MasterSecret(Zeroizing::new(bytes))
    }

    /// A fresh secret from the OS CSPRNG (bootstrap, design.md §3 "Node tick").
    pub fn generate() -> Self {
        let mut s = Zeroizing::new([0u8; 32]);
        os_random(&mut s[..]);
        MasterSecret(s)
    }

    /// Parse 64 hex digits (optional `0x`/`0X`, any case) into a secret.
    /// Errors: [`CryptoError::InvalidHex`] for bad hex, [`CryptoError::InvalidSecret`] if the
    /// decoded length is not 32 bytes.
    pub fn from_hex(s: &str) -> Result<Self, CryptoError> {
        let bytes = Zeroizing::new(decode_hex_lenient(s.trim())?);
        let arr: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::InvalidSecret)?;
        Ok(Self::from_bytes(arr))
    }

    /// The raw 32 bytes (HKDF IKM). Do not log or copy carelessly.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// keccak256 of the 32 bytes = on-chain `masterSecretHash` (protocol.md §9, §10 vector
    /// `0xf5e0be5e…`).
    pub fn hash(&self) -> [u8; 32] {
        alloy::primitives::keccak256(&self.0[..]).0
    }

    /// [`MasterSecret::hash`] as `0x` + 64 lowercase hex (display form of `masterSecretHash`).
    pub fn hash_hex(&self) -> String {
        format!("0x{}", hex::encode(self.hash()))
    }

    /// Per-app data key (protocol.md §4.2), see [`kdf::data_key`].
    pub fn data_key(&self, app_id: u64) -> [u8; 32] {
        kdf::data_key(&self.0, app_id)
    }

    /// `/sync` HMAC key (protocol.md §6.3), see [`kdf::sync_key`].
    pub fn sync_key(&self) -> [u8; 32] {
        kdf::sync_key(&self.0)
    }

    /// `/kms/derive` output (protocol.md §5), see [`kdf::derive`]: `len` bytes, or an empty
    /// vector when `len` is not in `1..=1024`.
    pub fn derive(&self, app_id: u64, path: &str, context: &str, len: usize) -> Vec<u8> {
        kdf::derive(&self.0, app_id, path, context, len)
    }

    /// Seal for storage under `seal_key` (see the module docs for the 61-byte format); a fresh
    /// random nonce each call.
    pub fn seal_at_rest(&self, seal_key: &[u8; 32]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        os_random(&mut nonce);
        let ct = aes_gcm_encrypt(seal_key, &nonce, &self.0[..], AT_REST_AAD);
        let mut out = Vec::with_capacity(AT_REST_LEN);
        out.push(AT_REST_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Open a blob made by [`MasterSecret::seal_at_rest`].
    ///
    /// Errors: empty blob or wrong total length → [`CryptoError::CiphertextTooShort`]; unknown
    /// version byte → [`CryptoError::UnsupportedVersion`]; wrong key (another identity) or
    /// corruption → [`CryptoError::DecryptionFailed`].
    pub fn unseal_at_rest(seal_key: &[u8; 32], blob: &[u8]) -> Result<MasterSecret, CryptoError> {
        match blob.first() {
            None => return Err(CryptoError::CiphertextTooShort),
            Some(&AT_REST_VERSION) => {}
            Some(_) => return Err(CryptoError::UnsupportedVersion),
        }
        if blob.len() != AT_REST_LEN {
            return Err(CryptoError::CiphertextTooShort);
        }
        let nonce: [u8; 12] = blob[1..13]
            .try_into()
            .map_err(|_| CryptoError::CiphertextTooShort)?;
        let pt = Zeroizing::new(aes_gcm_decrypt(seal_key, &nonce, &blob[13..], AT_REST_AAD)?);
        let arr: [u8; 32] = pt
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::DecryptionFailed)?;
        Ok(MasterSecret::from_bytes(arr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn vector_hash_and_keys() {
        // protocol.md §10
        let ms = MasterSecret::from_hex(MS).unwrap();
        assert_eq!(
            ms.hash_hex(),
            "0xf5e0be5ec5f0820f83decedf083468519a4e3c1c7568ab0a5f4ed56a2d5037a4"
        );
        assert_eq!(
            hex::encode(ms.data_key(49)),
            "c7d80c3fc62fa064b49b23ce196df63aa4c8f553a01defa8d15d8c62cf67e0ae"
        );
        assert_eq!(
            hex::encode(ms.sync_key()),
            "1de4b98a3626d8551945cf0064bb73a3a63164f034f8f5c1aa3aca6208085a95"
        );
        assert_eq!(
            hex::encode(ms.derive(49, "wallet/root", "", 32)),
            "d6ae9235328dd39e31e96085b1f32195653c3247004ca65b65073022a0d4fe6a"
        );
    }

    #[test]
    fn from_hex_forms() {
        let a = MasterSecret::from_hex(MS).unwrap();
        assert_eq!(
            MasterSecret::from_hex(&format!("0x{}", MS.to_uppercase())).unwrap(),
            a
        );
        assert_eq!(
            MasterSecret::from_hex(&MS[..62]).unwrap_err(),
            CryptoError::InvalidSecret
        );
        assert_eq!(
            MasterSecret::from_hex("zz").unwrap_err(),
            CryptoError::InvalidHex
        );
        assert_eq!(hex::encode(a.as_bytes()), MS);
    }

    #[test]
    fn debug_is_redacted() {
        let ms = MasterSecret::from_hex(MS).unwrap();
        let d = format!("{ms:?}");
        assert_eq!(d, "MasterSecret(<redacted>)");
        assert!(!d.contains("0123"));
    }

    #[test]
    fn generate_differs() {
        assert_ne!(MasterSecret::generate(), MasterSecret::generate());
    }

    #[test]
    fn at_rest_round_trip() {
        let ms = MasterSecret::generate();
        let key = [7u8; 32];
        let blob = ms.seal_at_rest(&key);
        assert_eq!(blob.len(), AT_REST_LEN);
        assert_eq!(blob[0], AT_REST_VERSION);
        assert_eq!(MasterSecret::unseal_at_rest(&key, &blob).unwrap(), ms);
        assert_ne!(ms.seal_at_rest(&key), blob);

        assert_eq!(
            MasterSecret::unseal_at_rest(&[8u8; 32], &blob),
            Err(CryptoError::DecryptionFailed)
        );
        let mut bad = blob.clone();
        bad[20] ^= 1;
        assert_eq!(
            MasterSecret::unseal_at_rest(&key, &bad),
            Err(CryptoError::DecryptionFailed)
        );
        let mut bad = blob.clone();
        bad[0] = 2;
        assert_eq!(
            MasterSecret::unseal_at_rest(&key, &bad),
            Err(CryptoError::UnsupportedVersion)
        );
        assert_eq!(
            MasterSecret::unseal_at_rest(&key, &blob[..60]),
            Err(CryptoError::CiphertextTooShort)
        );
        assert_eq!(
            MasterSecret::unseal_at_rest(&key, &[]),
            Err(CryptoError::CiphertextTooShort)
        );
        // AAD binds the purpose: a value blob with the same key does not open.
        let mut plain = vec![AT_REST_VERSION];
        plain.extend(crate::crypto::value::encrypt_value(&key, ms.as_bytes()));
        assert_eq!(
            MasterSecret::unseal_at_rest(&key, &plain),
            Err(CryptoError::DecryptionFailed)
        );
    }
}
