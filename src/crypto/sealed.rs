//! Sealed master-secret exchange (protocol.md §6.8).
//!
//! Responder: fresh ephemeral P-384 key `e`; `Z` = ECDH(e, requester key) x-coordinate (48
//! bytes); `K = HKDF-SHA256(IKM = Z, salt = "nova-kms:sealed-master-secret", info =
//! "aes-gcm-key", L = 32)`; 12-byte random nonce; `encrypted_data = AES-256-GCM(K, nonce,
//! master_secret, no AAD)` (32-byte ciphertext ‖ 16-byte tag). All fields lowercase hex, no `0x`;
//! `ephemeral_pubkey` is the DER SPKI of `e`.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::keys::{decode_hex_strict, ecdh_x, parse_p384_public, spki_der};
use super::{aes_gcm_decrypt, aes_gcm_encrypt, hkdf_sha256, os_random, CryptoError};

/// HKDF salt of the exchange key (protocol.md §6.8).
pub const SEALED_SALT: &str = "nova-kms:sealed-master-secret";
/// HKDF info of the exchange key (protocol.md §6.8).
pub const SEALED_INFO: &str = "aes-gcm-key";

/// The `sealed` object of a `master_secret_request` response (protocol.md §6.7, §6.8).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SealedSecret {
    /// Hex of `ct(32) ‖ tag(16)` (96 hex chars).
    pub encrypted_data: String,
    /// Hex of the responder's ephemeral public key, DER SPKI (240 hex chars).
    pub ephemeral_pubkey: String,
    /// Hex of the 12-byte AES-GCM nonce (24 hex chars).
    pub nonce: String,
}

/// The 32-byte exchange key `K` between a private key and the other party's public key
/// (protocol.md §6.8). Symmetric: `K(e, R) == K(r, E)`.
pub fn exchange_key(own: &p384::SecretKey, peer: &p384::PublicKey) -> Zeroizing<[u8; 32]> {
    let z = ecdh_x(own, peer);
    let mut k = Zeroizing::new([0u8; 32]);
    // 32 bytes is within the HKDF output limit.
    let _ = hkdf_sha256(
        Some(SEALED_SALT.as_bytes()),
        &z[..],
        SEALED_INFO.as_bytes(),
        &mut k[..],
    );
    k
}

/// Seal `secret` to `requester_pubkey` (its `ecdh_pubkey`, DER SPKI or SEC1 bytes) with a fresh
/// ephemeral key and a fresh random nonce (protocol.md §6.8).
/// Errors: [`CryptoError::InvalidPublicKey`].
pub fn seal_master_secret(
    requester_pubkey: &[u8],
    secret: &[u8; 32],
) -> Result<SealedSecret, CryptoError> {
    let ephemeral = p384::SecretKey::random(&mut rand::rngs::OsRng);
    let mut nonce = [0u8; 12];
    os_random(&mut nonce);
    seal_master_secret_with(&ephemeral, &nonce, requester_pubkey, secret)
}

/// Deterministic [`seal_master_secret`] with a caller-chosen ephemeral key and nonce (tests and
/// the protocol.md §10 vector). Errors: [`CryptoError::InvalidPublicKey`].
pub fn seal_master_secret_with(
    ephemeral: &p384::SecretKey,
    nonce: &[u8; 12],
    requester_pubkey: &[u8],
    secret: &[u8; 32],
) -> Result<SealedSecret, CryptoError> {
    let requester = parse_p384_public(requester_pubkey)?;
    let key = exchange_key(ephemeral, &requester);
    let ct = aes_gcm_encrypt(&key, nonce, secret, b"");
    Ok(SealedSecret {
        encrypted_data: hex::encode(ct),
        ephemeral_pubkey: hex::encode(spki_der(&ephemeral.public_key())),
        nonce: hex::encode(nonce),
    })
}

/// Open a [`SealedSecret`] with the requester's private key `own` (protocol.md §6.8).
///
/// Fields must be plain hex (no `0x`; any case); the nonce must be 12 bytes; the ephemeral key
/// may be DER SPKI or SEC1; the plaintext must be at least 32 bytes and its first 32 are the
/// secret. The decrypted buffer is zeroized; the returned array is the caller's to protect
/// (wrap it at once, e.g. with [`super::master::MasterSecret::from_bytes`]).
///
/// Errors: [`CryptoError::InvalidHex`], [`CryptoError::InvalidNonce`],
/// [`CryptoError::InvalidPublicKey`], [`CryptoError::DecryptionFailed`],
/// [`CryptoError::CiphertextTooShort`] (plaintext shorter than 32 bytes).
pub fn unseal_master_secret(
    own: &p384::SecretKey,
    s: &SealedSecret,
) -> Result<[u8; 32], CryptoError> {
    let ct = decode_hex_strict(&s.encrypted_data)?;
    let eph = decode_hex_strict(&s.ephemeral_pubkey)?;
    let nonce: [u8; 12] = decode_hex_strict(&s.nonce)?
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::InvalidNonce)?;
    let eph = parse_p384_public(&eph)?;
    let key = exchange_key(own, &eph);
    let pt = Zeroizing::new(aes_gcm_decrypt(&key, &nonce, &ct, b"")?);
    if pt.len() < 32 {
        return Err(CryptoError::CiphertextTooShort);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&pt[..32]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::p384_secret_from_u64;

    const MS: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const A_SPKI: &str = "3076301006072a8648ce3d020106052b8104002203620004f7bb31f516983c179376ff08f9ce89b933c8d2f22358a6ffd9053544fe2a21c88d3e9f053fe85f49b661b9614fda9eba968d4a55c68e66550339cb42e754f7139a6410f7d904efc5758df5e4a5a9b115a4c12e12744e50afdc2b8e156067faca";

    fn ms() -> [u8; 32] {
        hex::decode(MS).unwrap().try_into().unwrap()
    }

    fn fixed() -> (p384::SecretKey, p384::SecretKey, [u8; 12]) {
        (
            p384_secret_from_u64(0x1111).unwrap(),
            p384_secret_from_u64(0x2222).unwrap(),
            hex::decode("a0a1a2a3a4a5a6a7a8a9aaab")
                .unwrap()
                .try_into()
                .unwrap(),
        )
    }

    #[test]
    fn vector_sealed_exchange() {
        // protocol.md §10: ephemeral = A, requester = B.
        let (a, b, nonce) = fixed();
        assert_eq!(
            hex::encode(*exchange_key(&a, &b.public_key())),
            "a30826ee57484abd5cac25662a2aed0c468d72c2957ac58df979c6ecc5418e7b"
        );
        let b_der = spki_der(&b.public_key());
        let s = seal_master_secret_with(&a, &nonce, &b_der, &ms()).unwrap();
        assert_eq!(s.ephemeral_pubkey, A_SPKI);
        assert_eq!(
            s.encrypted_data,
            "e4b8567a3e98150e4e635c326bf6618216dbfde15c1d073c2b7d81c18964e1075c0a560f696c1517c051b06b4a3097d3"
        );
        assert_eq!(s.nonce, "a0a1a2a3a4a5a6a7a8a9aaab");
        assert_eq!(unseal_master_secret(&b, &s).unwrap(), ms());
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["ephemeral_pubkey"], A_SPKI);
    }

    #[test]
    fn random_round_trip_and_errors() {
        let (_, b, _) = fixed();
        let s = seal_master_secret(&spki_der(&b.public_key()), &ms()).unwrap();
        assert_eq!(s.encrypted_data.len(), 96);
        assert_eq!(s.nonce.len(), 24);
        assert_eq!(s.ephemeral_pubkey.len(), 240);
        assert_eq!(unseal_master_secret(&b, &s).unwrap(), ms());
        // Wrong recipient.
        let c = p384_secret_from_u64(0x3333).unwrap();
        assert_eq!(
            unseal_master_secret(&c, &s),
            Err(CryptoError::DecryptionFailed)
        );
        // 0x not allowed.
        let bad = SealedSecret {
            nonce: format!("0x{}", s.nonce),
            ..s.clone()
        };
        assert_eq!(unseal_master_secret(&b, &bad), Err(CryptoError::InvalidHex));
        let bad = SealedSecret {
            encrypted_data: format!("0x{}", s.encrypted_data),
            ..s.clone()
        };
        assert_eq!(unseal_master_secret(&b, &bad), Err(CryptoError::InvalidHex));
        // Upper case is fine.
        let upper = SealedSecret {
            encrypted_data: s.encrypted_data.to_uppercase(),
            ephemeral_pubkey: s.ephemeral_pubkey.to_uppercase(),
            nonce: s.nonce.to_uppercase(),
        };
        assert_eq!(unseal_master_secret(&b, &upper).unwrap(), ms());
        // Nonce must be 12 bytes.
        let bad = SealedSecret {
            nonce: format!("{}{}", s.nonce, "00".repeat(20)),
            ..s.clone()
        };
        assert_eq!(
            unseal_master_secret(&b, &bad),
            Err(CryptoError::InvalidNonce)
        );
        let bad = SealedSecret {
            ephemeral_pubkey: "04".into(),
            ..s.clone()
        };
        assert_eq!(
            unseal_master_secret(&b, &bad),
            Err(CryptoError::InvalidPublicKey)
        );
        // Requester key may be SEC1.
        let sec1 = crate::crypto::keys::sec1_uncompressed(&b.public_key());
        let s2 = seal_master_secret(&sec1, &ms()).unwrap();
        assert_eq!(unseal_master_secret(&b, &s2).unwrap(), ms());
        assert_eq!(
            seal_master_secret(b"junk", &ms()),
            Err(CryptoError::InvalidPublicKey)
        );
    }

    #[test]
    fn short_and_long_plaintexts() {
        let (a, b, nonce) = fixed();
        let key = exchange_key(&a, &b.public_key());
        let a_der = hex::encode(spki_der(&a.public_key()));
        // 16-byte plaintext → too short.
        let s = SealedSecret {
            encrypted_data: hex::encode(aes_gcm_encrypt(&key, &nonce, &[7u8; 16], b"")),
            ephemeral_pubkey: a_der.clone(),
            nonce: hex::encode(nonce),
        };
        assert_eq!(
            unseal_master_secret(&b, &s),
            Err(CryptoError::CiphertextTooShort)
        );
        // 40-byte plaintext → first 32 used.
        let mut long = ms().to_vec();
        long.extend_from_slice(&[9u8; 8]);
        let s = SealedSecret {
            encrypted_data: hex::encode(aes_gcm_encrypt(&key, &nonce, &long, b"")),
            ephemeral_pubkey: a_der,
            nonce: hex::encode(nonce),
        };
        assert_eq!(unseal_master_secret(&b, &s).unwrap(), ms());
    }
}
