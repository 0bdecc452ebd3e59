//! Proof of possession: EIP-191 signatures, the signed message formats and wallet
//! canonicalization (protocol.md §2.2–§2.6).

use std::sync::OnceLock;

use alloy::primitives::{eip191_hash_message, keccak256, Address, Signature};
use alloy::signers::local::PrivateKeySigner;
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::{All, Message, PublicKey, Secp256k1, SecretKey};

use super::CryptoError;

/// Canonical wallet (protocol.md §2.6): trim whitespace; if the text does not start with `0x`
/// or `0X`, prepend `0x`; parse as a 20-byte address (no EIP-55 checksum check); output `0x` +
/// 40 lowercase hex.
///
/// Quirk kept from the reference node: a `0X` (capital X) prefix is **rejected**.
/// Errors: [`CryptoError::InvalidWallet`] (wire text `Invalid wallet address`).
pub fn canonical_wallet(s: &str) -> Result<String, CryptoError> {
    let t = s.trim();
    if t.starts_with("0X") {
        return Err(CryptoError::InvalidWallet);
    }
    let digits = t.strip_prefix("0x").unwrap_or(t);
    if digits.len() != 40 || !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(CryptoError::InvalidWallet);
    }
    Ok(format!("0x{}", digits.to_ascii_lowercase()))
}

/// Canonical text of an alloy [`Address`]: `0x` + 40 lowercase hex (protocol.md §2.6).
pub fn address_string(a: &Address) -> String {
    format!("0x{}", hex::encode(a.as_slice()))
}

/// App PoP message (protocol.md §2.3): `NovaKMS:AppAuth:<nonce>:<kms_wallet>:<ts>`.
///
/// `nonce` verbatim as issued by `/nonce`; `kms_wallet` must already be canonical (lowercase,
/// `0x`) — it is inserted as given; `ts` = Unix seconds, plain decimal.
pub fn app_auth_message(nonce: &str, kms_wallet: &str, ts: u64) -> String {
    format!("NovaKMS:AppAuth:{nonce}:{kms_wallet}:{ts}")
}

/// KMS-peer PoP message (protocol.md §2.4): `NovaKMS:Auth:<nonce>:<recipient_wallet>:<ts>`.
/// `recipient_wallet` must already be canonical; `ts` = Unix seconds.
pub fn peer_auth_message(nonce: &str, recipient_wallet: &str, ts: u64) -> String {
    format!("NovaKMS:Auth:{nonce}:{recipient_wallet}:{ts}")
}

/// Response-signature message (protocol.md §2.5):
/// `NovaKMS:Response:<caller_signature>:<node_wallet>`, with the caller's signature header
/// value **exactly as received** and the node's canonical wallet.
pub fn response_message(caller_signature: &str, node_wallet: &str) -> String {
    format!("NovaKMS:Response:{caller_signature}:{node_wallet}")
}

/// EIP-191 `personal_sign` digest (protocol.md §2.2): keccak256(`0x19` ‖
/// `"Ethereum Signed Message:\n"` ‖ decimal byte length ‖ message bytes).
pub fn eip191_digest(msg: &str) -> [u8; 32] {
    eip191_hash_message(msg.as_bytes()).0
}

/// The process-wide libsecp256k1 context (signing + verification), created once and
/// randomized with OS entropy (side-channel blinding of signing).
fn secp() -> &'static Secp256k1<All> {
    static CTX: OnceLock<Secp256k1<All>> = OnceLock::new();
    CTX.get_or_init(|| {
        let mut ctx = Secp256k1::new();
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, seed.as_mut());
        ctx.seeded_randomize(&seed);
        ctx
    })
}

/// Canonical wallet of a secp256k1 public key: last 20 bytes of keccak256 of the 64-byte
/// uncompressed point (Ethereum address rule).
fn wallet_of(pk: &PublicKey) -> String {
    let uncompressed = pk.serialize_uncompressed();
    let hash = keccak256(&uncompressed[1..]);
    format!("0x{}", hex::encode(&hash[12..]))
}

/// Sign `msg` with EIP-191 (protocol.md §2.2, dev-mode convention): returns `0x` + 130
/// lowercase hex chars = `r(32) ‖ s(32) ‖ v(1)` with `v ∈ {27, 28}`. Deterministic (RFC 6979),
/// low-s, so byte-identical to what alloy/k256 or eth_account produce for the same key and
/// message. Synchronous; uses libsecp256k1 (about 3x faster than k256 here, see
/// docs/performance.md).
///
/// Never panics: if the key cannot be used (impossible for a valid local key), the result is
/// an empty string, which every verifier rejects.
pub fn sign_message(signer: &PrivateKeySigner, msg: &str) -> String {
    let bytes = zeroize::Zeroizing::new(<[u8; 32]>::from(signer.credential().to_bytes()));
    let Ok(sk) = SecretKey::from_byte_array(*bytes) else {
        return String::new();
    };
    let sig = secp().sign_ecdsa_recoverable(Message::from_digest(eip191_digest(msg)), &sk);
    let (recid, rs) = sig.serialize_compact();
    let mut out = [0u8; 65];
    out[..64].copy_from_slice(&rs);
    out[64] = 27 + u8::from(recid == RecoveryId::One || recid == RecoveryId::Three);
    format!("0x{}", hex::encode(out))
}

/// Parse a 65-byte hex signature as the reference verifier does (protocol.md §2.2): optional
/// lowercase `0x` prefix, hex digits in any case, `v ∈ {0, 1, 27, 28}` or EIP-155 style `v ≥ 35`
/// (parity = (v − 35) mod 2). 64-byte (EIP-2098) signatures and any other `v` are rejected with
/// [`CryptoError::InvalidSignatureFormat`] (wire text `Invalid signature format`).
pub fn parse_signature(sig_hex: &str) -> Result<Signature, CryptoError> {
    let digits = sig_hex.strip_prefix("0x").unwrap_or(sig_hex);
    let bytes = hex::decode(digits).map_err(|_| CryptoError::InvalidSignatureFormat)?;
    let raw: [u8; 65] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::InvalidSignatureFormat)?;
    let v = raw[64];
    let parity = match v {
        0 | 1 => v == 1,
        27 | 28 => v == 28,
        35.. => (v - 35) % 2 == 1,
        _ => return Err(CryptoError::InvalidSignatureFormat),
    };
    Ok(Signature::from_bytes_and_parity(&raw[..64], parity))
}

/// Recover the signer of an EIP-191 signature over `msg` (protocol.md §2.2) and return its
/// canonical wallet (`0x` + 40 lowercase hex).
///
/// Parsing rules as in [`parse_signature`]; high-s signatures are accepted (no low-s rule).
/// Errors: [`CryptoError::InvalidSignatureFormat`] (unparsable) or
/// [`CryptoError::InvalidSignature`] (r/s out of range, no recoverable key).
pub fn recover_signer(msg: &str, sig_hex: &str) -> Result<String, CryptoError> {
    Ok(wallet_of(&recover_key(msg, sig_hex)?))
}

/// Public key recovery behind [`recover_signer`] (libsecp256k1 `ecdsa_recover`, which
/// accepts high-s like the reference verifier).
fn recover_key(msg: &str, sig_hex: &str) -> Result<PublicKey, CryptoError> {
    let sig = parse_signature(sig_hex)?;
    let recid = if sig.v() {
        RecoveryId::One
    } else {
        RecoveryId::Zero
    };
    let mut rs = [0u8; 64];
    rs[..32].copy_from_slice(&sig.r().to_be_bytes::<32>());
    rs[32..].copy_from_slice(&sig.s().to_be_bytes::<32>());
    let rec = RecoverableSignature::from_compact(&rs, recid)
        .map_err(|_| CryptoError::InvalidSignature)?;
    secp()
        .recover_ecdsa(Message::from_digest(eip191_digest(msg)), &rec)
        .map_err(|_| CryptoError::InvalidSignature)
}

/// True iff `sig_hex` is a valid EIP-191 signature of `msg` by `wallet` (any case, `0x`
/// optional per [`canonical_wallet`]; protocol.md §2.5 response verification).
pub fn verify_signer(msg: &str, sig_hex: &str, wallet: &str) -> bool {
    match (recover_signer(msg, sig_hex), canonical_wallet(wallet)) {
        (Ok(got), Ok(want)) => got == want,
        _ => false,
    }
}

/// A signer's public key learnt from one recovered signature, to verify its later signatures
/// with one ECDSA verification instead of a public-key recovery (a little cheaper). Used by
/// clients that check many response signatures of the same node (protocol.md §2.5).
#[derive(Clone, Debug)]
pub struct KnownSigner {
    key: PublicKey,
    wallet: String,
}

impl KnownSigner {
    /// Recover the signer of `sig_hex` over `msg` as [`recover_signer`] does and keep its key.
    /// Errors as [`recover_signer`].
    pub fn recover(msg: &str, sig_hex: &str) -> Result<KnownSigner, CryptoError> {
        let key = recover_key(msg, sig_hex)?;
        let wallet = wallet_of(&key);
        Ok(KnownSigner { key, wallet })
    }

    /// Canonical wallet of the key.
    pub fn wallet(&self) -> &str {
        &self.wallet
    }

    /// True iff `sig_hex` (parsed as in [`parse_signature`], high-s accepted as there) is a
    /// valid EIP-191 signature of `msg` by this key. Same answer as
    /// `recover_signer(msg, sig_hex) == Ok(self.wallet())` for every signature, except that
    /// the recovery id `v` is not used: an `(r, s)` valid under this key is accepted whatever
    /// its `v` (only the key holder can produce one).
    pub fn verifies(&self, msg: &str, sig_hex: &str) -> bool {
        let Ok(sig) = parse_signature(sig_hex) else {
            return false;
        };
        let mut rs = [0u8; 64];
        rs[..32].copy_from_slice(&sig.r().to_be_bytes::<32>());
        rs[32..].copy_from_slice(&sig.s().to_be_bytes::<32>());
        let Ok(mut sig) = secp256k1::ecdsa::Signature::from_compact(&rs) else {
            return false;
        };
        // libsecp256k1 verification requires low-s; recovery accepts both forms.
        sig.normalize_s();
        secp()
            .verify_ecdsa(Message::from_digest(eip191_digest(msg)), &sig, &self.key)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The libsecp256k1 path must be byte-identical to alloy/k256 signing and agree with k256
    /// recovery on valid, high-s, wrong-parity and random signatures.
    #[test]
    fn libsecp256k1_matches_alloy_k256() {
        use alloy::primitives::B256;
        use alloy::signers::SignerSync;
        use rand::RngCore;
        let n = alloy::primitives::U256::from_str_radix(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
            16,
        )
        .unwrap();
        let mut rng = rand::thread_rng();
        for i in 0..64 {
            let signer = PrivateKeySigner::random();
            let msg = format!("NovaKMS:AppAuth:{i}:0x{:040x}:{}", i * 7, 1_700_000_000 + i);
            let ours = sign_message(&signer, &msg);
            let theirs = signer.sign_message_sync(msg.as_bytes()).unwrap();
            assert_eq!(ours, format!("0x{}", hex::encode(theirs.as_bytes())));
            let k256_recover = |sig_hex: &str| -> Option<String> {
                let sig = parse_signature(sig_hex).ok()?;
                sig.recover_address_from_prehash(&B256::from(eip191_digest(&msg)))
                    .ok()
                    .map(|a| address_string(&a))
            };
            let high = Signature::new(theirs.r(), n - theirs.s(), !theirs.v());
            let flipped = Signature::new(theirs.r(), theirs.s(), !theirs.v());
            let mut junk = [0u8; 65];
            rng.fill_bytes(&mut junk);
            junk[64] = 27 + (junk[64] & 1);
            for sig_hex in [
                ours.clone(),
                format!("0x{}", hex::encode(high.as_bytes())),
                format!("0x{}", hex::encode(flipped.as_bytes())),
                format!("0x{}", hex::encode(junk)),
            ] {
                assert_eq!(
                    recover_signer(&msg, &sig_hex).ok(),
                    k256_recover(&sig_hex),
                    "{sig_hex}"
                );
            }
            assert_eq!(
                recover_signer(&msg, &ours).unwrap(),
                address_string(&signer.address())
            );
        }
    }

    #[test]
    fn known_signer_agrees_with_recovery() {
        let signer = PrivateKeySigner::random();
        let other = PrivateKeySigner::random();
        let first = sign_message(&signer, "NovaKMS:Response:0xaa:0x11");
        let known = KnownSigner::recover("NovaKMS:Response:0xaa:0x11", &first).unwrap();
        assert_eq!(known.wallet(), address_string(&signer.address()));
        for i in 0..20 {
            let msg = format!("NovaKMS:Response:0x{i:02x}:0x11");
            let good = sign_message(&signer, &msg);
            assert!(known.verifies(&msg, &good));
            assert_eq!(recover_signer(&msg, &good).unwrap(), known.wallet());
            // Another message, another signer, garbage: refused like recovery refuses them.
            assert!(!known.verifies(&format!("{msg}x"), &good));
            let bad = sign_message(&other, &msg);
            assert!(!known.verifies(&msg, &bad));
            assert_ne!(recover_signer(&msg, &bad).unwrap(), known.wallet());
            assert!(!known.verifies(&msg, "0x1234"));
            assert!(!known.verifies(&msg, ""));
        }
        // High-s form of a valid signature: accepted, as recover_signer accepts it.
        let msg = "NovaKMS:Response:0xbb:0x11";
        let sig = parse_signature(&sign_message(&signer, msg)).unwrap();
        let n = alloy::primitives::U256::from_str_radix(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
            16,
        )
        .unwrap();
        let high = Signature::new(sig.r(), n - sig.s(), !sig.v());
        let high_hex = format!("0x{}", hex::encode(high.as_bytes()));
        assert_eq!(recover_signer(msg, &high_hex).unwrap(), known.wallet());
        assert!(known.verifies(msg, &high_hex));
    }

    const MSG: &str =
        "NovaKMS:AppAuth:AAECAwQFBgcICQoLDA0ODw==:0x1111111111111111111111111111111111111111:1700000000";
    const PK: &str = "4f3edf983ac636a65a842ce7c78d9aa706d3b113bce036f90c23f2d25f4f53f8";
    const ADDR: &str = "0x41fd156ab5c61926a407547122f7b64d202a1938";
    const SIG28: &str = "0xf4a61d8df8fa989856caf9f7392893096cd368aa29888d4b9c65a5241023ca80638e63c8dc8e9e82cbd1e60768b37a46eb04e0e3dcb6bfaf9ad53ca9e94d87831c";
    const NODE: &str = "0x1111111111111111111111111111111111111111";

    fn signer() -> PrivateKeySigner {
        PK.parse().unwrap()
    }

    fn with_v(sig: &str, v: u8) -> String {
        format!("{}{:02x}", &sig[..sig.len() - 2], v)
    }

    #[test]
    fn vector_eip191() {
        // protocol.md §10
        let msg = app_auth_message("AAECAwQFBgcICQoLDA0ODw==", NODE, 1_700_000_000);
        assert_eq!(msg, MSG);
        assert_eq!(msg.len(), 94);
        assert_eq!(
            hex::encode(eip191_digest(&msg)),
            "f8dca921bc52c9a2c5ddebb63d1b61d250c5bc9c28e502983cc27c6ca7c54fb9"
        );
        assert_eq!(address_string(&signer().address()), ADDR);
        assert_eq!(recover_signer(MSG, SIG28).unwrap(), ADDR);
        // Odyn-style v=1.
        assert_eq!(recover_signer(MSG, &with_v(SIG28, 1)).unwrap(), ADDR);
        // Our own signature recovers too (RFC 6979 may or may not match eth-account bytes).
        let ours = sign_message(&signer(), MSG);
        assert_eq!(ours.len(), 132);
        assert!(ours.starts_with("0x"));
        assert!(ours.ends_with("1b") || ours.ends_with("1c"));
        assert_eq!(recover_signer(MSG, &ours).unwrap(), ADDR);
        assert_eq!(ours, SIG28);
    }

    #[test]
    fn vector_response_message() {
        let m = response_message(SIG28, NODE);
        assert_eq!(m, format!("NovaKMS:Response:{SIG28}:{NODE}"));
        assert_eq!(
            hex::encode(eip191_digest(&m)),
            "fef6b047a64dd5a0b5e0ffe387f72c644d657ce180c152f3b8823ab49339e36e"
        );
    }

    #[test]
    fn signature_encodings() {
        let no_prefix = &SIG28[2..];
        assert_eq!(recover_signer(MSG, no_prefix).unwrap(), ADDR);
        assert_eq!(
            recover_signer(MSG, &SIG28.to_uppercase().replacen("0X", "0x", 1)).unwrap(),
            ADDR
        );
        // v = 0 is the other parity: recovers some other address (or fails), never ADDR.
        assert_ne!(
            recover_signer(MSG, &with_v(SIG28, 0)).ok().as_deref(),
            Some(ADDR)
        );
        // EIP-155 style v: parity 1 ↔ v = 36, 38, …
        assert_eq!(recover_signer(MSG, &with_v(SIG28, 36)).unwrap(), ADDR);
        assert_eq!(recover_signer(MSG, &with_v(SIG28, 254)).unwrap(), ADDR);
        assert_ne!(
            recover_signer(MSG, &with_v(SIG28, 35)).ok().as_deref(),
            Some(ADDR)
        );
        assert_ne!(
            recover_signer(MSG, &with_v(SIG28, 255)).ok().as_deref(),
            Some(ADDR)
        );
        // Wrong message → different address.
        assert_ne!(recover_signer("other", SIG28).unwrap(), ADDR);
    }

    #[test]
    fn bad_signatures_rejected() {
        for v in [2u8, 26, 29, 34] {
            assert_eq!(
                recover_signer(MSG, &with_v(SIG28, v)),
                Err(CryptoError::InvalidSignatureFormat),
                "v={v}"
            );
        }
        // 64-byte (EIP-2098) signature.
        assert_eq!(
            recover_signer(MSG, &SIG28[..SIG28.len() - 2]),
            Err(CryptoError::InvalidSignatureFormat)
        );
        assert_eq!(
            recover_signer(MSG, "0x"),
            Err(CryptoError::InvalidSignatureFormat)
        );
        assert_eq!(
            recover_signer(MSG, "zz"),
            Err(CryptoError::InvalidSignatureFormat)
        );
        assert_eq!(
            recover_signer(MSG, &format!("0X{}", &SIG28[2..])),
            Err(CryptoError::InvalidSignatureFormat)
        );
        assert_eq!(
            recover_signer(MSG, &format!("{SIG28}00")),
            Err(CryptoError::InvalidSignatureFormat)
        );
        // r = 0 → unrecoverable.
        let zero_r = format!("0x{}{}", "00".repeat(32), &SIG28[66..]);
        assert_eq!(
            recover_signer(MSG, &zero_r),
            Err(CryptoError::InvalidSignature)
        );
        assert_eq!(
            CryptoError::InvalidSignatureFormat.to_string(),
            "Invalid signature format"
        );
    }

    #[test]
    fn high_s_accepted() {
        // Flip s to n − s and the parity: same signer, high-s form.
        use alloy::primitives::U256;
        let n = U256::from_str_radix(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
            16,
        )
        .unwrap();
        let raw = hex::decode(&SIG28[2..]).unwrap();
        let s = U256::from_be_slice(&raw[32..64]);
        let high = n - s;
        let mut out = raw[..32].to_vec();
        out.extend_from_slice(&high.to_be_bytes::<32>());
        out.push(27); // parity flips
        let sig = format!("0x{}", hex::encode(out));
        assert_eq!(recover_signer(MSG, &sig).unwrap(), ADDR);
    }

    #[test]
    fn canonical_wallets() {
        let w = "0x41fd156ab5c61926a407547122f7b64d202a1938";
        assert_eq!(canonical_wallet(w).unwrap(), w);
        assert_eq!(
            canonical_wallet("  0x41FD156AB5C61926A407547122F7B64D202A1938\n").unwrap(),
            w
        );
        assert_eq!(
            canonical_wallet("41fd156ab5c61926a407547122f7b64d202a1938").unwrap(),
            w
        );
        // EIP-55 checksum is not validated (bad checksum still accepted).
        assert_eq!(
            canonical_wallet("0x41Fd156ab5c61926a407547122f7b64d202a1938").unwrap(),
            w
        );
        // Quirk: capital X prefix rejected.
        assert_eq!(
            canonical_wallet("0X41fd156ab5c61926a407547122f7b64d202a1938"),
            Err(CryptoError::InvalidWallet)
        );
        for bad in [
            "",
            "0x",
            "0x1234",
            "0x41fd156ab5c61926a407547122f7b64d202a193",
            "0x41fd156ab5c61926a407547122f7b64d202a19380",
            "0xg1fd156ab5c61926a407547122f7b64d202a1938",
            "0x0x41fd156ab5c61926a407547122f7b64d202a19",
        ] {
            assert_eq!(
                canonical_wallet(bad),
                Err(CryptoError::InvalidWallet),
                "{bad:?}"
            );
        }
        assert_eq!(
            CryptoError::InvalidWallet.to_string(),
            "Invalid wallet address"
        );
    }

    #[test]
    fn messages() {
        assert_eq!(
            peer_auth_message("n", NODE, 5),
            format!("NovaKMS:Auth:n:{NODE}:5")
        );
        assert_eq!(
            app_auth_message("n", NODE, 0),
            format!("NovaKMS:AppAuth:n:{NODE}:0")
        );
    }

    #[test]
    fn verify_helper() {
        assert!(verify_signer(
            MSG,
            SIG28,
            &ADDR.to_uppercase().replacen("0X", "0x", 1)
        ));
        assert!(!verify_signer(MSG, SIG28, NODE));
        assert!(!verify_signer(MSG, "bad", ADDR));
    }
}
