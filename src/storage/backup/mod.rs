//! The backup file (`.nksnap`) of `novakms backup` / `novakms restore` (design.md §5): format,
//! writer, reader, import, and restore into a data dir.
//!
//! "Snapshot" names three things in novakms; this module is only the third: the peer `/sync`
//! dump ([`crate::storage::Storage::snapshot`]), a storage backend's point-in-time export
//! ([`crate::storage::Storage::export`] into an [`ExportSink`]), and the signed backup
//! file written from such an export. User-visible text still calls the file a "snapshot".
//!
//! | file | job |
//! |---|---|
//! | `format` | constants, [`Manifest`] and its parts, header parsing |
//! | `write` | [`ExportSink`], [`BackupWriter`], [`write_backup`] |
//! | `dest` | [`BackupDest`]: the atomic `FILE.part` destination (or stdout) |
//! | `read` | [`BackupReader`], [`verify_file`], [`read_manifest`] |
//! | `import` | [`import`] into an empty storage |
//! | `create` | offline backup of a data dir: open, choose `masterSecretHash`, write |
//! | `online` | receiving an online backup: verify as it arrives, then commit |
//! | `plan` | the restore refusal rules, a pure function ([`plan::plan_restore`]) |
//! | `restore` | restore into a data dir: inspect, lock, build beside, swap |
//!
//! # Layout (format version 1; integers little-endian)
//!
//! ```text
//! off       size  field
//!   0          8  magic 89 4e 4b 53 4e 41 50 0a ("\x89NKSNAP\n": a high byte and a newline catch
//!                 7-bit and text-mode transfers)
//!   8          2  format version (u16) = 1; a reader refuses any other
//!  10          2  flags (u16) = 0; a reader refuses any other
//!  12          4  manifest length m (u32), 2 ≤ m ≤ 16 MiB
//!  16          m  manifest: one UTF-8 JSON object, see [`Manifest`]
//!  16+m        d  data, d = manifest.data_length bytes: a sequence of entries, each starting with a
//!                 tag byte:
//!                   0x02 sealed master secret: len (u32) ‖ blob (len ≤ 4 KiB)
//!                        at most once, before every record; present iff the manifest says so
//!                   0x01 record: app_id (u64) ‖ key_len (u32) ‖ key (UTF-8) ‖ rec_len (u32) ‖
//!                        record in the storage codec format (`storage::codec`, which carries its
//!                        own CRC-32 over app id, key and body)
//!                 records strictly ascending by (app_id, key bytes): no duplicates
//!  16+m+d     32  SHA-256 of bytes [0, 16+m+d)
//!  48+m+d     65  signature r ‖ s ‖ v (v ∈ {27, 28}): EIP-191 (protocol.md §2.2) by
//!                 manifest.node_wallet over the text "NovaKMS:Snapshot:v1:0x<digest, 64 hex>"
//! 113+m+d         end of file: any further byte is an error
//! ```
//!
//! What is **not** in a snapshot: change-log sequence numbers and origins, peer cursors (a
//! restored node starts with an empty change log holding every record, and replicates from
//! scratch), the master secret in clear. The sealed master-secret blob is included as stored
//! (encrypted under the seal key of the node identity named `sealed_for`, `crypto::master`):
//! useless without that node's keystore, and the only way a single-node cluster survives the
//! loss of its disk. `restore` keeps it only when the restoring node is that identity.
//!
//! # Checks
//!
//! [`BackupReader`] parses a stream once, front to back, hashing as it reads; every problem is
//! an [`ErrorKind::Integrity`] error naming the offset: bad magic, unknown version or flags,
//! a manifest that is not valid JSON or is inconsistent (totals, ordering), truncation anywhere,
//! a malformed or out-of-order entry, a record whose CRC fails, per-app counts that differ from
//! the manifest, bytes after the trailer, a digest mismatch, a signature that does not recover
//! to `manifest.node_wallet`. Nothing of a snapshot is trusted before [`BackupReader::finish`]
//! returned `Ok`; `restore` therefore reads the file twice (verify, then import) and requires
//! the second pass to end on the same digest.
//!
//! What authenticates the records (issue 10): the SHA-256 of the trailer covers every byte
//! before it — header, manifest and every entry of the data section — and the signature covers
//! that digest. Swapping two records' ciphertexts, bumping a vector-clock counter or dropping a
//! record therefore breaks the digest unless the file is re-signed; the per-record CRC-32 of
//! the storage codec is only a corruption check and authenticates nothing. (Values themselves
//! are AES-GCM with empty AAD, protocol.md §4.2, so within one app a ciphertext does not name
//! its key: the file-wide digest is what binds them.) Format version 1 already had this shape,
//! so 0.1.0 files need no conversion and the version was not bumped.
//!
//! A valid signature proves that the holder of `node_wallet`'s key made the file. Whether that
//! wallet is trusted is the caller's decision, and `restore` requires one (`plan`, rule 5): a
//! registered KMS node of the same cluster on chain, or the wallet the operator names with
//! `--signer`. A forger can re-sign an edited file with their own key, but cannot make it
//! recover to a wallet they do not hold.

pub mod create;
pub mod dest;
pub mod format;
pub mod import;
pub mod online;
pub mod plan;
pub mod read;
pub mod restore;
#[doc(hidden)]
pub mod testing;
pub mod write;

pub use self::dest::BackupDest;
pub use self::format::{
    signed_message, AppManifest, BackupMode, HashSource, Manifest, SealedInfo, Totals, DIGEST_LEN,
    FILE_EXTENSION, FORMAT_VERSION, HEADER_LEN, MAGIC, SIGNATURE_LEN, SIGNED_PREFIX, TRAILER_LEN,
};
pub use self::import::{import, ImportReport};
pub use self::read::{
    buffered, canonical_signer, open_file, read_manifest, verify_file, BackupReader, Entry,
    Verified,
};
pub use self::write::{write_backup, BackupWriter, ManifestContext, Progress, WriteSummary};
pub use crate::storage::export::{AppCounts, ExportBegin, ExportSink};

/// Shared fixtures of the unit tests of this module.
#[cfg(test)]
pub(crate) mod fixtures {
    use std::collections::BTreeMap;

    use super::*;
    use crate::error::Result;
    use crate::identity::Identity;
    use crate::storage::{ClusterBinding, Storage};
    use crate::store::{Limits, Record, VectorClock};

    pub const N1: &str = "0x1111111111111111111111111111111111111111";

    pub fn binding(chain_id: u64) -> ClusterBinding {
        ClusterBinding {
            chain_id,
            nova_app_registry: "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
            kms_registry: "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into(),
            kms_app_id: 49,
            node_wallet: N1.into(),
        }
    }

    /// Three apps (one tombstone, an expiring record, a merged record) and a sealed secret.
    pub fn populate(s: &dyn Storage) {
        let l = Limits::default();
        s.set_binding(&binding(31337)).unwrap();
        for i in 0..50u32 {
            s.put_local(
                7,
                &format!("k{i:03}"),
                vec![i as u8; 40],
                0,
                N1,
                1000 + i as u64,
                &l,
            )
            .unwrap();
        }
        s.delete_local(7, "k010", N1, 5000).unwrap().unwrap();
        s.put_local(9, "", vec![1; 28], 60_000, N1, 10, &l).unwrap();
        s.put_local(9, "κey", vec![2; 28], 0, N1, 10, &l).unwrap();
        let r = Record {
            key: "m".into(),
            value: vec![3; 30],
            version: VectorClock::from([("0x22", 3), (N1, 1)]),
            updated_at_ms: 999,
            tombstone: false,
            ttl_ms: 0,
        };
        s.merge_remote(3, vec![r], &l).unwrap();
        s.store_sealed_master_secret(&[7; 61]).unwrap();
    }

    pub fn ctx() -> ManifestContext {
        ManifestContext {
            mode: BackupMode::Offline,
            created_at_ms: 1_714_564_800_123,
            master_secret_hash: Some(format!("0x{}", "ab".repeat(32))),
            master_secret_hash_source: HashSource::Chain,
            include_sealed_master_secret: true,
            sealed_for: None,
        }
    }

    /// The backup file of `s`, signed by `id`.
    pub fn snap(s: &dyn Storage, id: &Identity) -> Vec<u8> {
        write_backup(s, Vec::new(), id, ctx(), None).unwrap().1
    }

    /// Verify `bytes` completely.
    pub fn verify(bytes: &[u8]) -> Result<Verified> {
        BackupReader::open(bytes)?.finish()
    }

    pub fn contents(s: &dyn Storage) -> BTreeMap<u64, Vec<Record>> {
        s.snapshot(0).unwrap()
    }
}
