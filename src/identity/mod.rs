//! Node / app identity: a secp256k1 wallet plus a P-384 encryption key (design.md §2).
//!
//! * The **wallet** (`alloy` [`PrivateKeySigner`]) signs PoP and response messages (EIP-191,
//!   protocol.md §2.2); its canonical address is the node's `node_wallet` / registry
//!   `teeWalletAddress`.
//! * The **P-384 key** is the node's envelope key; its DER SPKI is the registry `teePubkey`
//!   (protocol.md §3.4).
//!
//! # Decision: the P-384 key is derived from the wallet key
//!
//! So that one Ethereum V3 keystore file is the whole identity, the P-384 scalar is derived
//! deterministically from the 32-byte secp256k1 secret:
//!
//! ```text
//! okm_i  = HKDF-SHA256(IKM = wallet secret (32 bytes), salt = "novakms:identity:v1",
//!                      info = "p384-tee-key" (i = 0) | "p384-tee-key" ‖ byte(i) (i ≥ 1),
//!                      L = 48)
//! scalar = okm_i for the first i where okm_i, read big-endian, is in [1, n − 1]
//! ```
//!
//! (`i = 0` succeeds except with probability ≈ 2⁻¹⁹⁰.) The at-rest seal key for the master
//! secret is derived the same way with info `"master-secret-seal"` and L = 32
//! ([`Identity::seal_key`]). Changing either derivation changes every node's on-chain
//! `teePubkey`, so they are fixed forever as "v1".
//!
//! Keystore I/O lives in [`keystore`] and password input in [`password`]; the main entry points
//! are re-exported here: [`create_keystore`], [`load_keystore`], [`read_password`].
//!
//! [`Identity`] is the local key material of the `keystore` backend. Everything that signs or
//! seals for a node or an app goes through [`IdentityHandle`] ([`handle`]), which also covers
//! `identity = "odyn"`: the keys live in the enclave's Odyn runtime ([`odyn`], protocol.md
//! §3.2) and novakms asks it over HTTP.

pub mod handle;
pub mod keystore;
pub mod odyn;
pub mod password;

use std::fmt;

use alloy::signers::local::PrivateKeySigner;
use zeroize::Zeroizing;

use crate::crypto::keys::spki_der;
use crate::crypto::pop;
use crate::error::{Error, Result};

pub use handle::{EnvelopeError, IdentityHandle};
pub use keystore::{
    create_keystore, create_keystore_for, load_keystore, write_keystore, write_keystore_for,
    KeystoreKind,
};
pub use password::{read_password, PASSWORD_FILE_ENV};

/// HKDF salt of every identity derivation (see the module docs).
pub const IDENTITY_SALT: &str = "novakms:identity:v1";
/// HKDF info of the P-384 key derivation.
pub const P384_INFO: &str = "p384-tee-key";
/// HKDF info of the master-secret at-rest seal key.
pub const SEAL_KEY_INFO: &str = "master-secret-seal";

/// A node's or app's identity: secp256k1 wallet + derived P-384 encryption key.
///
/// `Debug` prints only the address; secrets never appear in formatting.
#[derive(Clone)]
pub struct Identity {
    wallet: PrivateKeySigner,
    tee: p384::SecretKey,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("address", &self.address())
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// Identity from a 32-byte secp256k1 private key (big-endian scalar).
    /// Errors: [`crate::ErrorKind::Local`] if the scalar is zero or ≥ the curve order.
    pub fn from_private_key(bytes: &[u8; 32]) -> Result<Identity> {
        let wallet = PrivateKeySigner::from_slice(bytes)
            .map_err(|_| Error::local("invalid secp256k1 private key"))?;
        Ok(Self::from_signer(wallet))
    }

    /// Identity from a hex private key (64 hex digits, optional `0x`, any case; surrounding
    /// whitespace trimmed), e.g. a dev-mode `node_private_key`.
    /// Errors: [`crate::ErrorKind::Local`] for bad hex, wrong length or an invalid scalar.
    pub fn from_private_key_hex(s: &str) -> Result<Identity> {
        let bytes = Zeroizing::new(
            crate::crypto::keys::decode_hex_lenient(s.trim())
                .map_err(|_| Error::local("invalid private key hex"))?,
        );
        let arr: Zeroizing<[u8; 32]> = Zeroizing::new(
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| Error::local("private key must be 32 bytes"))?,
        );
        Self::from_private_key(&arr)
    }

    /// Identity wrapping an existing wallet signer (P-384 key derived as in the module docs).
    pub fn from_signer(wallet: PrivateKeySigner) -> Identity {
        let secret = secret_bytes(&wallet);
        let tee = derive_p384(&secret);
        Identity { wallet, tee }
    }

    /// A fresh random identity (OS CSPRNG).
    pub fn generate() -> Identity {
        Self::from_signer(PrivateKeySigner::random())
    }

    /// The wallet signer (EIP-191 messages, transactions).
    pub fn wallet(&self) -> &PrivateKeySigner {
        &self.wallet
    }

    /// Canonical wallet address: `0x` + 40 lowercase hex (protocol.md §2.6).
    pub fn address(&self) -> String {
        pop::address_string(&self.wallet.address())
    }

    /// The P-384 private key used for envelopes (protocol.md §3.3).
    pub fn tee_secret(&self) -> &p384::SecretKey {
        &self.tee
    }

    /// The P-384 public key.
    pub fn tee_public(&self) -> p384::PublicKey {
        self.tee.public_key()
    }

    /// `teePubkey`: DER SPKI of the P-384 public key, 120 bytes (protocol.md §3.4).
    pub fn tee_pubkey_der(&self) -> Vec<u8> {
        spki_der(&self.tee.public_key())
    }

    /// [`Identity::tee_pubkey_der`] as lowercase hex without `0x` (240 chars), as in `/status`
    /// and envelopes (protocol.md §3.1, §3.4).
    pub fn tee_pubkey_hex(&self) -> String {
        hex::encode(self.tee_pubkey_der())
    }

    /// Key for [`crate::crypto::master::MasterSecret::seal_at_rest`]: HKDF-SHA256(IKM = wallet
    /// secret, salt = [`IDENTITY_SALT`], info = [`SEAL_KEY_INFO`], L = 32). Treat as secret.
    pub fn seal_key(&self) -> [u8; 32] {
        let secret = secret_bytes(&self.wallet);
        let mut out = [0u8; 32];
        hkdf_expand(&secret[..], SEAL_KEY_INFO.as_bytes(), &mut out);
        out
    }

    /// EIP-191 signature of `msg`: `0x` + 130 hex, v ∈ {27, 28} (protocol.md §2.2); see
    /// [`pop::sign_message`].
    pub fn sign(&self, msg: &str) -> String {
        pop::sign_message(&self.wallet, msg)
    }

    /// The 32-byte secp256k1 private key (for writing a keystore). Zeroized on drop.
    pub fn private_key_bytes(&self) -> Zeroizing<[u8; 32]> {
        secret_bytes(&self.wallet)
    }
}

/// The wallet's 32-byte secret scalar in a zeroizing buffer.
fn secret_bytes(wallet: &PrivateKeySigner) -> Zeroizing<[u8; 32]> {
    let mut fb = wallet.credential().to_bytes();
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&fb[..]);
    zeroize::Zeroize::zeroize(&mut fb[..]);
    out
}

fn hkdf_expand(ikm: &[u8], info: &[u8], out: &mut [u8]) {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(IDENTITY_SALT.as_bytes()), ikm);
    // Outputs used here are ≤ 48 bytes, far below the 8160-byte HKDF limit.
    let _ = hk.expand(info, out);
}

/// Derive the P-384 key from the wallet secret (see the module docs).
fn derive_p384(wallet_secret: &[u8; 32]) -> p384::SecretKey {
    let mut okm = Zeroizing::new([0u8; 48]);
    let mut counter: u8 = 0;
    loop {
        let mut info = P384_INFO.as_bytes().to_vec();
        if counter > 0 {
            info.push(counter);
        }
        hkdf_expand(wallet_secret, &info, &mut okm[..]);
        if let Ok(sk) = p384::SecretKey::from_slice(&okm[..]) {
            return sk;
        }
        // Probability ≈ 2^-190 per attempt; 255 consecutive failures are impossible in
        // practice, but wrap rather than overflow to stay panic-free.
        counter = counter.wrapping_add(1);
    }
}

/// Signs EIP-191 messages from synchronous code (the backup writer runs on a blocking
/// thread): an [`Identity`] locally, an [`IdentityHandle`] locally or through Odyn
/// ([`IdentityHandle::sign_blocking`]).
pub trait BlockingSigner: Sync {
    /// `0x` + 130 hex, v ∈ {27, 28} (protocol.md §2.2). Errors: the backend's (Odyn: Remote).
    fn sign_blocking(&self, msg: &str) -> Result<String>;
    /// The signing wallet, canonical (`0x` + 40 lowercase hex).
    fn signer_address(&self) -> String;
}

impl BlockingSigner for Identity {
    fn sign_blocking(&self, msg: &str) -> Result<String> {
        Ok(self.sign(msg))
    }
    fn signer_address(&self) -> String {
        self.address()
    }
}

impl BlockingSigner for IdentityHandle {
    fn sign_blocking(&self, msg: &str) -> Result<String> {
        IdentityHandle::sign_blocking(self, msg)
    }
    fn signer_address(&self) -> String {
        self.address().to_string()
    }
}

/// Load the identity the settings name: `keystore`, with its password from `password_file`,
/// `NOVAKMS_PASSWORD_FILE` or a terminal prompt (design.md §6: secrets never in argv).
///
/// Errors: Local (no keystore configured, unreadable file), Auth (wrong password).
pub fn load_configured(s: &crate::config::Settings) -> crate::Result<Identity> {
    let path = s.require_keystore()?;
    let pw = read_password(
        s.password_file.as_deref(),
        &format!("Password for {}: ", path.display()),
        false,
    )?;
    load_keystore(path, &pw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::envelope;

    const PK: &str = "4f3edf983ac636a65a842ce7c78d9aa706d3b113bce036f90c23f2d25f4f53f8";

    fn pk() -> [u8; 32] {
        hex::decode(PK).unwrap().try_into().unwrap()
    }

    #[test]
    fn deterministic_derivation() {
        let a = Identity::from_private_key(&pk()).unwrap();
        let b = Identity::from_private_key(&pk()).unwrap();
        assert_eq!(a.address(), "0x41fd156ab5c61926a407547122f7b64d202a1938");
        assert_eq!(a.tee_pubkey_der(), b.tee_pubkey_der());
        assert_eq!(a.seal_key(), b.seal_key());
        assert_eq!(a.tee_pubkey_der().len(), 120);
        assert_eq!(a.tee_pubkey_hex().len(), 240);
        assert_ne!(a.seal_key()[..], a.tee_secret().to_bytes()[..32]);
        assert_eq!(*a.private_key_bytes(), pk());
        assert_eq!(
            Identity::from_private_key_hex(&format!(" 0x{}\n", PK.to_uppercase()))
                .unwrap()
                .tee_pubkey_hex(),
            a.tee_pubkey_hex()
        );

        // Pin the derivation itself (independently: HKDF-SHA256 with the documented inputs).
        let mut okm = [0u8; 48];
        hkdf::Hkdf::<sha2::Sha256>::new(Some(b"novakms:identity:v1"), &pk())
            .expand(b"p384-tee-key", &mut okm)
            .unwrap();
        assert_eq!(a.tee_secret().to_bytes()[..], okm[..]);
        let mut seal = [0u8; 32];
        hkdf::Hkdf::<sha2::Sha256>::new(Some(b"novakms:identity:v1"), &pk())
            .expand(b"master-secret-seal", &mut seal)
            .unwrap();
        assert_eq!(a.seal_key(), seal);

        let c = Identity::generate();
        assert_ne!(c.address(), a.address());
        assert_ne!(c.tee_pubkey_der(), a.tee_pubkey_der());
        let c2 = Identity::from_private_key(&c.private_key_bytes()).unwrap();
        assert_eq!(c2.tee_pubkey_hex(), c.tee_pubkey_hex());
    }

    #[test]
    fn invalid_keys() {
        assert!(Identity::from_private_key(&[0u8; 32]).is_err());
        assert!(Identity::from_private_key(&[0xffu8; 32]).is_err());
        assert!(Identity::from_private_key_hex("abcd").is_err());
        assert!(Identity::from_private_key_hex("zz").is_err());
    }

    #[test]
    fn sign_and_envelope() {
        let a = Identity::from_private_key(&pk()).unwrap();
        let sig = a.sign("hello");
        assert_eq!(pop::recover_signer("hello", &sig).unwrap(), a.address());
        let b = Identity::generate();
        let env = envelope::seal(
            a.tee_secret(),
            &b.tee_pubkey_der(),
            b"x",
            envelope::DEFAULT_INFO_LABEL,
        )
        .unwrap();
        assert_eq!(env.sender_tee_pubkey, a.tee_pubkey_hex());
        assert_eq!(
            envelope::open(b.tee_secret(), &env, envelope::DEFAULT_INFO_LABEL).unwrap(),
            b"x"
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let a = Identity::from_private_key(&pk()).unwrap();
        let d = format!("{a:?}");
        assert!(d.contains("0x41fd156ab5c61926a407547122f7b64d202a1938"));
        assert!(!d.contains(PK));
        assert!(!d.to_lowercase().contains(&PK[..16]));
    }
}
