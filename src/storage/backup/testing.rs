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

/// Rewrite the records of the backup file bytes `good` with `edit` (app id, record; each
/// re-encoded with a valid storage-codec CRC), keep the sealed entry and the manifest (its
/// `data_length` recomputed, then `edit_manifest` applied), and either keep the original
/// trailer (`signer = None`: the edit is left for the reader's digest to find) or recompute
/// the SHA-256 and sign with `signer`.
///
/// Panics on input that is not a valid backup file (test support only).
pub fn rewrite_records(
    good: &[u8],
    signer: Option<&Identity>,
    edit: impl Fn(&mut Vec<(u64, crate::store::Record)>),
    edit_manifest: impl Fn(&mut Manifest),
) -> Vec<u8> {
    use super::format::{TAG_RECORD, TAG_SEALED};
    use super::read::{BackupReader, Entry};
    let mut rd = BackupReader::open(good).expect("a backup file");
    let mut m = rd.manifest().clone();
    let mut sealed = None;
    let mut records = Vec::new();
    while let Some(e) = rd.next_entry().expect("valid entries") {
        match e {
            Entry::SealedMasterSecret(b) => sealed = Some(b),
            Entry::Record { app_id, record } => records.push((app_id, record)),
        }
    }
    edit(&mut records);
    let mut data = Vec::new();
    if let Some(b) = &sealed {
        data.push(TAG_SEALED);
        data.extend_from_slice(&(b.len() as u32).to_le_bytes());
        data.extend_from_slice(b);
    }
    for (app, r) in &records {
        let enc = crate::storage::codec::encode_record(*app, r).expect("encodable record");
        data.push(TAG_RECORD);
        data.extend_from_slice(&app.to_le_bytes());
        data.extend_from_slice(&(r.key.len() as u32).to_le_bytes());
        data.extend_from_slice(r.key.as_bytes());
        data.extend_from_slice(&(enc.len() as u32).to_le_bytes());
        data.extend_from_slice(&enc);
    }
    m.data_length = data.len() as u64;
    edit_manifest(&mut m);
    let json = serde_json::to_vec(&m).expect("manifest encodes");
    let mut out = good[..12].to_vec();
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&data);
    match signer {
        None => out.extend_from_slice(&good[good.len() - TRAILER_LEN as usize..]),
        Some(id) => {
            let digest: [u8; 32] = Sha256::digest(&out).into();
            out.extend_from_slice(&digest);
            let sig = id.sign(&signed_message(&digest));
            out.extend_from_slice(&hex::decode(&sig[2..]).expect("0x-hex signature"));
        }
    }
    out
}
