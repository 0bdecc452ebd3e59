//! The `/sync` body HMAC, header `x-sync-signature` (protocol.md §6.3).
//!
//! `x-sync-signature = hex(HMAC-SHA256(sync_key, UTF-8(canonical_json(outer body))))`, 64
//! lowercase hex chars without `0x`. Every key of the outer object is covered.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::canonical::canonical_json;

type HmacSha256 = Hmac<Sha256>;

fn mac_for(sync_key: &[u8; 32], canonical_body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; a 32-byte key cannot fail.
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(sync_key).expect("HMAC accepts any key length");
    mac.update(canonical_body);
    mac
}

/// Header value for `body` (protocol.md §6.3): 64 lowercase hex chars, no `0x`.
///
/// `sync_key` = [`super::kdf::sync_key`]; `body` = the outer request JSON (the envelope, plus
/// any extra keys, which are covered too).
pub fn sync_hmac_hex(sync_key: &[u8; 32], body: &serde_json::Value) -> String {
    sync_hmac_hex_canonical(sync_key, canonical_json(body).as_bytes())
}

/// [`sync_hmac_hex`] of a body the caller already holds as canonical JSON bytes (e.g.
/// `Envelope::to_canonical_string`, the exact request body), without serialising it again.
pub fn sync_hmac_hex_canonical(sync_key: &[u8; 32], canonical_body: &[u8]) -> String {
    hex::encode(mac_for(sync_key, canonical_body).finalize().into_bytes())
}

/// Verify an `x-sync-signature` header against a request body received as `raw` bytes and
/// parsed to `body` (protocol.md §6.3), in constant time per comparison.
///
/// The tag is checked over `raw` first: a novakms sender's body is its canonical JSON, so this
/// spares re-serialising a body of up to `max_sync_body_bytes` (issue 12: a fifth of a delta
/// receiver's handler time). Only a holder of the sync key can produce a tag over any bytes,
/// and honest nodes tag canonical text only, so a match over `raw` admits nothing a match over
/// `canonical_json(body)` would refuse from an honest sender. When it does not match (an
/// upstream sender's non-canonical body, or a wrong tag), the §6.3 rule decides:
/// [`verify_sync_hmac`].
pub fn verify_sync_hmac_raw(
    sync_key: &[u8; 32],
    raw: &[u8],
    body: &serde_json::Value,
    header: &str,
) -> bool {
    parse_tag(header).is_some_and(|tag| mac_for(sync_key, raw).verify_slice(&tag).is_ok())
        || verify_sync_hmac(sync_key, body, header)
}

/// The 32-byte tag of a header: exactly 64 hex digits in any case, else `None`.
fn parse_tag(header: &str) -> Option<Vec<u8>> {
    if header.len() != 64 {
        return None;
    }
    hex::decode(header).ok()
}

/// Verify an `x-sync-signature` header against `body` (protocol.md §6.3), in constant time.
///
/// Accepts exactly 64 hex digits in any case; anything else — including a `0x` prefix,
/// surrounding whitespace or a wrong length — is `false`.
pub fn verify_sync_hmac(sync_key: &[u8; 32], body: &serde_json::Value, header: &str) -> bool {
    let Some(tag) = parse_tag(header) else {
        return false;
    };
    mac_for(sync_key, canonical_json(body).as_bytes())
        .verify_slice(&tag)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::kdf::sync_key;
    use serde_json::json;

    const SIG: &str = "c04fb4077109590d4e1695cdf7a6cc17d71446f014ecc4276405c17e8f69e143";

    fn key() -> [u8; 32] {
        let ms: [u8; 32] =
            hex::decode("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
                .unwrap()
                .try_into()
                .unwrap();
        sync_key(&ms)
    }

    fn body() -> serde_json::Value {
        json!({"sender_tee_pubkey":"3076aa","nonce":"00112233445566778899aabb",
               "encrypted_data":"deadbeef"})
    }

    #[test]
    fn vector_sync_hmac() {
        // protocol.md §10
        assert_eq!(sync_hmac_hex(&key(), &body()), SIG);
        assert!(verify_sync_hmac(&key(), &body(), SIG));
        let env = crate::crypto::envelope::Envelope::from_json(&body()).unwrap();
        assert_eq!(
            sync_hmac_hex_canonical(&key(), env.to_canonical_string().as_bytes()),
            SIG
        );
    }

    #[test]
    fn header_forms() {
        assert!(verify_sync_hmac(&key(), &body(), &SIG.to_uppercase()));
        assert!(!verify_sync_hmac(&key(), &body(), &format!("0x{SIG}")));
        assert!(!verify_sync_hmac(&key(), &body(), &SIG[..62]));
        assert!(!verify_sync_hmac(&key(), &body(), &format!(" {SIG}")));
        assert!(!verify_sync_hmac(&key(), &body(), ""));
        let mut wrong = SIG.to_owned();
        wrong.replace_range(0..1, "d");
        assert!(!verify_sync_hmac(&key(), &body(), &wrong));
    }

    #[test]
    fn raw_bodies_verify_over_their_bytes_or_their_canonical_form() {
        let canonical = br#"{"encrypted_data":"deadbeef","nonce":"00112233445566778899aabb","sender_tee_pubkey":"3076aa"}"#;
        // A canonical body: the tag over its bytes.
        assert!(verify_sync_hmac_raw(&key(), canonical, &body(), SIG));
        // An upstream-style body (spaces, other key order): the tag is over its canonical form.
        let spaced = br#"{"sender_tee_pubkey": "3076aa", "nonce": "00112233445566778899aabb", "encrypted_data": "deadbeef"}"#;
        let parsed: serde_json::Value = serde_json::from_slice(spaced).unwrap();
        assert!(verify_sync_hmac_raw(&key(), spaced, &parsed, SIG));
        // A key holder's tag over exactly these (non-canonical) bytes verifies too.
        let raw_tag = sync_hmac_hex_canonical(&key(), spaced);
        assert_ne!(raw_tag, SIG);
        assert!(verify_sync_hmac_raw(&key(), spaced, &parsed, &raw_tag));
        // Wrong key, wrong tag, other bytes, malformed headers: refused.
        assert!(!verify_sync_hmac_raw(&[0u8; 32], canonical, &body(), SIG));
        let mut wrong = SIG.to_owned();
        wrong.replace_range(0..1, "d");
        assert!(!verify_sync_hmac_raw(&key(), canonical, &body(), &wrong));
        let mut b = body();
        b["extra"] = json!(1);
        let extra = crate::crypto::canonical::canonical_json(&b);
        assert!(!verify_sync_hmac_raw(&key(), extra.as_bytes(), &b, SIG));
        assert!(!verify_sync_hmac_raw(
            &key(),
            canonical,
            &body(),
            &format!("0x{SIG}")
        ));
        assert!(verify_sync_hmac_raw(
            &key(),
            canonical,
            &body(),
            &SIG.to_uppercase()
        ));
    }

    #[test]
    fn extra_keys_are_covered() {
        let mut b = body();
        b["extra"] = json!(1);
        assert!(!verify_sync_hmac(&key(), &b, SIG));
        assert!(!verify_sync_hmac(&[0u8; 32], &body(), SIG));
    }
}
