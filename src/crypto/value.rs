//! Stored value encryption (protocol.md §4.1, §4.2).
//!
//! Blob layout: `nonce (12 bytes) ‖ AES-256-GCM ciphertext ‖ tag (16 bytes)`, empty AAD, key =
//! the app's data key ([`super::kdf::data_key`]). A blob is `plaintext.len() + 28` bytes.

use super::{aes_gcm_decrypt, aes_gcm_encrypt, os_random, CryptoError};

/// AES-GCM nonce length in bytes (96 bits).
pub const NONCE_LEN: usize = 12;
/// AES-GCM tag length in bytes.
pub const TAG_LEN: usize = 16;
/// Smallest valid blob: nonce + tag, i.e. an empty plaintext (protocol.md §4.2: "≥ 28 bytes").
pub const MIN_BLOB_LEN: usize = NONCE_LEN + TAG_LEN;

/// Encrypt `plaintext` under the 32-byte `key` with a fresh random 12-byte nonce from the OS
/// CSPRNG (protocol.md §4.2). Returns `nonce ‖ ct ‖ tag`, `plaintext.len() + 28` bytes.
pub fn encrypt_value(key: &[u8; 32], plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    os_random(&mut nonce);
    encrypt_value_with_nonce(key, &nonce, plaintext)
}

/// Deterministic form of [`encrypt_value`] with a caller-chosen nonce (tests and test vectors,
/// protocol.md §10). Never reuse a nonce with the same key in production.
pub fn encrypt_value_with_nonce(key: &[u8; 32], nonce: &[u8; 12], plaintext: &[u8]) -> Vec<u8> {
    let ct = aes_gcm_encrypt(key, nonce, plaintext, b"");
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(nonce);
    out.extend_from_slice(&ct);
    out
}

/// Decrypt a `nonce ‖ ct ‖ tag` blob (protocol.md §4.2).
///
/// Errors: fewer than 28 bytes → [`CryptoError::CiphertextTooShort`] ("Ciphertext too short");
/// authentication failure (wrong key/app, tampering) → [`CryptoError::DecryptionFailed`]
/// ("Decryption failed").
pub fn decrypt_value(key: &[u8; 32], blob: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if blob.len() < MIN_BLOB_LEN {
        return Err(CryptoError::CiphertextTooShort);
    }
    let (nonce, ct) = blob.split_at(NONCE_LEN);
    let nonce: &[u8; 12] = nonce
        .try_into()
        .map_err(|_| CryptoError::CiphertextTooShort)?;
    aes_gcm_decrypt(key, nonce, ct, b"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::kdf::data_key;

    fn ms() -> [u8; 32] {
        hex::decode("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
            .unwrap()
            .try_into()
            .unwrap()
    }

    #[test]
    fn vector_value_blob() {
        // protocol.md §10
        let key = data_key(&ms(), 49);
        let nonce: [u8; 12] = hex::decode("000102030405060708090a0b")
            .unwrap()
            .try_into()
            .unwrap();
        let blob = encrypt_value_with_nonce(&key, &nonce, b"hello nova");
        assert_eq!(
            hex::encode(&blob),
            "000102030405060708090a0bc9dd0ac68c0d8ea05e0cc755e1e3ae0bb9cbb720e419c280c827"
        );
        assert_eq!(decrypt_value(&key, &blob).unwrap(), b"hello nova");
    }

    #[test]
    fn round_trip_and_errors() {
        let key = data_key(&ms(), 3);
        let blob = encrypt_value(&key, b"x");
        assert_eq!(blob.len(), 1 + 28);
        assert_eq!(decrypt_value(&key, &blob).unwrap(), b"x");
        let empty = encrypt_value(&key, b"");
        assert_eq!(empty.len(), 28);
        assert_eq!(decrypt_value(&key, &empty).unwrap(), b"");

        assert_eq!(
            decrypt_value(&key, &blob[..27]),
            Err(CryptoError::CiphertextTooShort)
        );
        assert_eq!(
            decrypt_value(&key, &[]).unwrap_err().to_string(),
            "Ciphertext too short"
        );
        let mut bad = blob.clone();
        bad[13] ^= 1;
        assert_eq!(
            decrypt_value(&key, &bad).unwrap_err().to_string(),
            "Decryption failed"
        );
        assert_eq!(
            decrypt_value(&data_key(&ms(), 4), &blob),
            Err(CryptoError::DecryptionFailed)
        );
        // Two encryptions of the same plaintext differ (fresh nonce).
        assert_ne!(encrypt_value(&key, b"x"), encrypt_value(&key, b"x"));
    }
}
