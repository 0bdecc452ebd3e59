//! P-384 key encodings and hex helpers (protocol.md §3.1, §3.4).
//!
//! `teePubkey` = DER SubjectPublicKeyInfo, 120 bytes:
//! `3076301006072a8648ce3d020106052b81040022036200 ‖ 04 ‖ X(48) ‖ Y(48)`
//! (id-ecPublicKey 1.2.840.10045.2.1, namedCurve secp384r1 1.3.132.0.34, uncompressed point).

use p384::elliptic_curve::sec1::ToEncodedPoint;
use p384::pkcs8::DecodePublicKey;

use super::CryptoError;

/// The fixed 23-byte DER header of a P-384 SPKI with an uncompressed point (protocol.md §3.4).
pub const SPKI_PREFIX: [u8; 23] = [
    0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
    0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
];

/// Length of a P-384 DER SPKI (protocol.md §3.4).
pub const SPKI_LEN: usize = 120;

/// Length of an uncompressed SEC1 P-384 point `04 ‖ X ‖ Y`.
pub const SEC1_UNCOMPRESSED_LEN: usize = 97;

/// DER SPKI of `pk`: exactly 120 bytes, [`SPKI_PREFIX`] ‖ uncompressed SEC1 point
/// (protocol.md §3.4; byte-identical to Odyn and to `p384`'s `to_public_key_der`).
pub fn spki_der(pk: &p384::PublicKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(SPKI_LEN);
    out.extend_from_slice(&SPKI_PREFIX);
    out.extend_from_slice(&sec1_uncompressed(pk));
    out
}

/// Uncompressed SEC1 encoding `04 ‖ X(48) ‖ Y(48)` (97 bytes) of `pk`, as used in the v1
/// envelope HKDF salt (protocol.md §3.3).
pub fn sec1_uncompressed(pk: &p384::PublicKey) -> [u8; SEC1_UNCOMPRESSED_LEN] {
    let ep = pk.to_encoded_point(false);
    let mut out = [0u8; SEC1_UNCOMPRESSED_LEN];
    out.copy_from_slice(ep.as_bytes());
    out
}

/// Parse a P-384 public key: DER SPKI first, then SEC1 (compressed 49 bytes or uncompressed 97
/// bytes), as the node does for the sealed exchange (protocol.md §3.4, §6.8).
///
/// Errors: [`CryptoError::InvalidPublicKey`] if neither encoding parses or the point is not on
/// the curve / is the identity.
pub fn parse_p384_public(bytes: &[u8]) -> Result<p384::PublicKey, CryptoError> {
    if let Ok(pk) = p384::PublicKey::from_public_key_der(bytes) {
        return Ok(pk);
    }
    p384::PublicKey::from_sec1_bytes(bytes).map_err(|_| CryptoError::InvalidPublicKey)
}

/// Normalize a hex string for comparison (protocol.md §3.4 "compared as hex strings,
/// case-insensitive, `0x` stripped"): trim surrounding whitespace, strip one leading `0x` or
/// `0X`, lowercase. Does not validate the digits.
pub fn normalize_hex(s: &str) -> String {
    let t = s.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    t.to_ascii_lowercase()
}

/// Decode hex leniently, as the node does for envelope fields (protocol.md §3.1): an optional
/// leading `0x` or `0X`, digits in any case. No whitespace is trimmed.
///
/// Errors: [`CryptoError::InvalidHex`] for odd length or a non-hex character.
pub fn decode_hex_lenient(s: &str) -> Result<Vec<u8>, CryptoError> {
    let t = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    decode_hex_digits(t)
}

/// Lowercase hex of `bytes` (2 × `bytes.len()` characters, no prefix), as every hex field
/// of the wire carries it (protocol.md §3.1, §6.4). Vectorised (`const-hex`): record values
/// and envelopes of replication pages go through here (issue 12).
pub fn encode_hex(bytes: &[u8]) -> String {
    const_hex::encode(bytes)
}

/// Decode hex digits only (any case; no prefix, no whitespace). `const-hex` would strip a
/// `0x` / `0X` prefix itself, so one left after the caller's own prefix rule is refused here.
fn decode_hex_digits(t: &str) -> Result<Vec<u8>, CryptoError> {
    if t.starts_with("0x") || t.starts_with("0X") {
        return Err(CryptoError::InvalidHex);
    }
    const_hex::decode(t).map_err(|_| CryptoError::InvalidHex)
}

/// Decode hex strictly: no prefix allowed, digits in any case (protocol.md §6.7/§6.8 fields
/// "plain hex without `0x`"). Errors: [`CryptoError::InvalidHex`].
pub fn decode_hex_strict(s: &str) -> Result<Vec<u8>, CryptoError> {
    decode_hex_digits(s)
}

/// P-384 secret key from a big-endian scalar given as an integer `k` (test helper for the
/// fixed keys A = 0x1111, B = 0x2222 of protocol.md §10). Errors on `k == 0`.
pub fn p384_secret_from_u64(k: u64) -> Result<p384::SecretKey, CryptoError> {
    let mut bytes = [0u8; 48];
    bytes[40..].copy_from_slice(&k.to_be_bytes());
    p384::SecretKey::from_slice(&bytes).map_err(|_| CryptoError::InvalidSecret)
}

/// ECDH shared secret: the 48-byte big-endian x-coordinate of `own · peer` (protocol.md §3.3,
/// §6.8). Returned in a zeroizing buffer.
pub fn ecdh_x(own: &p384::SecretKey, peer: &p384::PublicKey) -> zeroize::Zeroizing<[u8; 48]> {
    let shared = p384::ecdh::diffie_hellman(own.to_nonzero_scalar(), peer.as_affine());
    let mut out = zeroize::Zeroizing::new([0u8; 48]);
    out.copy_from_slice(&shared.raw_secret_bytes()[..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use p384::pkcs8::EncodePublicKey;

    pub(crate) const A_SPKI: &str = "3076301006072a8648ce3d020106052b8104002203620004f7bb31f516983c179376ff08f9ce89b933c8d2f22358a6ffd9053544fe2a21c88d3e9f053fe85f49b661b9614fda9eba968d4a55c68e66550339cb42e754f7139a6410f7d904efc5758df5e4a5a9b115a4c12e12744e50afdc2b8e156067faca";
    pub(crate) const B_SPKI: &str = "3076301006072a8648ce3d020106052b8104002203620004dc576a7ee040fd2278624b268532ce6c7eaac7dc82b81dee3923412a5a0c3711754abc8cd746042edcd44f7725f65dd6cc6a2dbab9b2b5a1df435d9fca856812ef9286be50db0b62abd2af821a0a4701aaa2e7016efd92f6604f49eb1043d301";

    #[test]
    fn vector_spki_a_b() {
        // protocol.md §10
        let a = p384_secret_from_u64(0x1111).unwrap();
        let b = p384_secret_from_u64(0x2222).unwrap();
        let a_der = spki_der(&a.public_key());
        assert_eq!(a_der.len(), SPKI_LEN);
        assert_eq!(hex::encode(&a_der), A_SPKI);
        assert_eq!(hex::encode(spki_der(&b.public_key())), B_SPKI);
        // Same bytes as the pkcs8 encoder.
        assert_eq!(
            a.public_key().to_public_key_der().unwrap().as_bytes(),
            &a_der[..]
        );
    }

    #[test]
    fn vector_ecdh() {
        let a = p384_secret_from_u64(0x1111).unwrap();
        let b = p384_secret_from_u64(0x2222).unwrap();
        let x = ecdh_x(&a, &b.public_key());
        assert_eq!(
            hex::encode(*x),
            "533cc21ab6bce2d1e70c3336c26d7a697ac245e432f596d64a223ae4f0b548245d496b0da1714fb208d11ed28a6547c0"
        );
        assert_eq!(*x, *ecdh_x(&b, &a.public_key()));
    }

    #[test]
    fn parse_encodings() {
        let a = p384_secret_from_u64(0x1111).unwrap().public_key();
        let der = hex::decode(A_SPKI).unwrap();
        assert_eq!(parse_p384_public(&der).unwrap(), a);
        assert_eq!(parse_p384_public(&sec1_uncompressed(&a)).unwrap(), a);
        let compressed = a.to_encoded_point(true);
        assert_eq!(compressed.as_bytes().len(), 49);
        assert_eq!(parse_p384_public(compressed.as_bytes()).unwrap(), a);
        assert_eq!(
            parse_p384_public(&der[..119]),
            Err(CryptoError::InvalidPublicKey)
        );
        assert_eq!(parse_p384_public(b""), Err(CryptoError::InvalidPublicKey));
        let mut off_curve = sec1_uncompressed(&a);
        off_curve[96] ^= 1;
        assert_eq!(
            parse_p384_public(&off_curve),
            Err(CryptoError::InvalidPublicKey)
        );
    }

    #[test]
    fn hex_helpers() {
        assert_eq!(normalize_hex("  0xABcd \n"), "abcd");
        assert_eq!(normalize_hex("0XAB"), "ab");
        assert_eq!(normalize_hex("AB"), "ab");
        assert_eq!(decode_hex_lenient("0xABcd").unwrap(), vec![0xab, 0xcd]);
        assert_eq!(decode_hex_lenient("0XAB").unwrap(), vec![0xab]);
        assert_eq!(decode_hex_lenient("ab").unwrap(), vec![0xab]);
        assert_eq!(decode_hex_lenient("").unwrap(), Vec::<u8>::new());
        assert_eq!(decode_hex_lenient("abc"), Err(CryptoError::InvalidHex));
        assert_eq!(decode_hex_lenient("zz"), Err(CryptoError::InvalidHex));
        assert_eq!(decode_hex_lenient(" ab"), Err(CryptoError::InvalidHex));
        assert_eq!(decode_hex_strict("0xab"), Err(CryptoError::InvalidHex));
        assert_eq!(decode_hex_strict("AB").unwrap(), vec![0xab]);
        // One prefix at most (const-hex would strip a second one itself).
        assert_eq!(decode_hex_lenient("0x0xab"), Err(CryptoError::InvalidHex));
        assert_eq!(decode_hex_lenient("0X0xab"), Err(CryptoError::InvalidHex));
        assert_eq!(decode_hex_strict("0X"), Err(CryptoError::InvalidHex));
        let all: Vec<u8> = (0..=255).collect();
        let hex = encode_hex(&all);
        assert_eq!(hex, hex.to_ascii_lowercase());
        assert_eq!(decode_hex_strict(&hex).unwrap(), all);
        assert_eq!(decode_hex_strict(&hex.to_ascii_uppercase()).unwrap(), all);
    }

    #[test]
    fn zero_scalar_rejected() {
        assert_eq!(p384_secret_from_u64(0), Err(CryptoError::InvalidSecret));
    }
}
