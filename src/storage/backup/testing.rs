//! Test support, not used by novakms itself: what a forger holding some key can do to a
//! backup file, for the tests that prove such files are refused on trust (who signed), since
//! their integrity checks pass.

use sha2::{Digest, Sha256};

use super::format::{Manifest, TRAILER_LEN};
use super::signed_message;
use crate::identity::Identity;

/// Rewrite the manifest of the backup file bytes `good` with `edit`, recompute the SHA-256
/// trailer and sign it with `signer`. The data section is kept as is.
///
/// Panics on input that is not a well-formed backup file (test support only).
pub fn resign(good: &[u8], signer: &Identity, edit: impl Fn(&mut Manifest)) -> Vec<u8> {
    let mlen = u32::from_le_bytes(good[12..16].try_into().expect("4 bytes")) as usize;
    let mut m: Manifest = serde_json::from_slice(&good[16..16 + mlen]).expect("a manifest");
    edit(&mut m);
    let json = serde_json::to_vec(&m).expect("manifest encodes");
    let data = &good[16 + mlen..good.len() - TRAILER_LEN as usize];
    let mut out = good[..12].to_vec();
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(data);
    let digest: [u8; 32] = Sha256::digest(&out).into();
    out.extend_from_slice(&digest);
    let sig = signer.sign(&signed_message(&digest));
    out.extend_from_slice(&hex::decode(&sig[2..]).expect("0x-hex signature"));
    out
}
