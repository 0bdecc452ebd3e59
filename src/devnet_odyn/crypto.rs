//! The test Odyn's envelope crypto, written from protocol.md §3.3 (v1 schemes) independently of
//! `crypto::envelope`, so the unit tests interoperating the two check our local code against a
//! second implementation: `Z` = ECDH x-coordinate (48 bytes); `K` = HKDF-SHA256(IKM = Z,
//! salt = min(P_a, P_b) ‖ max(P_a, P_b) ‖ nonce12 (uncompressed SEC1, 206 bytes), info =
//! label, L = 32); AES-256-GCM(K, nonce12, no AAD) → `ct ‖ tag`.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use p384::elliptic_curve::sec1::ToEncodedPoint;
use sha2::Sha256;

fn key(own: &p384::SecretKey, peer: &p384::PublicKey, nonce12: &[u8; 12], label: &str) -> [u8; 32] {
    let shared = p384::ecdh::diffie_hellman(own.to_nonzero_scalar(), peer.as_affine());
    let a = own.public_key().to_encoded_point(false);
    let b = peer.to_encoded_point(false);
    let (lo, hi) = if a.as_bytes() <= b.as_bytes() {
        (a.as_bytes(), b.as_bytes())
    } else {
        (b.as_bytes(), a.as_bytes())
    };
    let mut salt = Vec::with_capacity(lo.len() + hi.len() + 12);
    salt.extend_from_slice(lo);
    salt.extend_from_slice(hi);
    salt.extend_from_slice(nonce12);
    let mut k = [0u8; 32];
    // 32 bytes is far below the HKDF output limit.
    let _ = hkdf::Hkdf::<Sha256>::new(Some(&salt), &shared.raw_secret_bytes()[..])
        .expand(label.as_bytes(), &mut k);
    k
}

/// Encrypt to `peer`. Errors: never in practice (AES-GCM on a bounded plaintext).
pub fn encrypt(
    own: &p384::SecretKey,
    peer: &p384::PublicKey,
    nonce12: &[u8; 12],
    label: &str,
    plaintext: &[u8],
) -> Result<Vec<u8>, String> {
    let k = key(own, peer, nonce12, label);
    Aes256Gcm::new((&k).into())
        .encrypt(&Nonce::from(*nonce12), plaintext)
        .map_err(|_| "Encryption failed".to_string())
}

/// Decrypt from `peer`. Errors: authentication failed (wrong key, nonce, label or data).
pub fn decrypt(
    own: &p384::SecretKey,
    peer: &p384::PublicKey,
    nonce12: &[u8; 12],
    label: &str,
    ct: &[u8],
) -> Result<Vec<u8>, String> {
    let k = key(own, peer, nonce12, label);
    Aes256Gcm::new((&k).into())
        .decrypt(&Nonce::from(*nonce12), ct)
        .map_err(|_| "Decryption failed: aead::Error".to_string())
}
