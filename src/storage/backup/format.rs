//! Format constants and the manifest of a backup file (`.nksnap`, layout in the module docs of
//! [`super`]): what every field means, and the manifest's own consistency rules.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::storage::export::AppCounts;
use crate::storage::ClusterBinding;

/// File magic: `"\x89NKSNAP\n"`.
pub const MAGIC: [u8; 8] = *b"\x89NKSNAP\n";
/// Format version written by this build (and the only one it reads).
pub const FORMAT_VERSION: u16 = 1;
/// Conventional file extension.
pub const FILE_EXTENSION: &str = "nksnap";
/// Bytes before the manifest.
pub const HEADER_LEN: u64 = 16;
/// SHA-256 digest length.
pub const DIGEST_LEN: usize = 32;
/// Signature length (r ‖ s ‖ v).
pub const SIGNATURE_LEN: usize = 65;
/// Bytes after the data: digest + signature.
pub const TRAILER_LEN: u64 = (DIGEST_LEN + SIGNATURE_LEN) as u64;
/// Largest manifest accepted.
pub const MAX_MANIFEST_LEN: u32 = 16 << 20;
/// Largest key accepted in a record entry.
pub const MAX_KEY_LEN: u32 = 16 << 20;
/// Largest encoded record accepted in a record entry.
pub const MAX_RECORD_LEN: u32 = 64 << 20;
/// Largest sealed master-secret blob accepted.
pub const MAX_SEALED_LEN: u32 = 4096;
/// Prefix of the signed text; the digest follows as `0x` + 64 lowercase hex.
pub const SIGNED_PREFIX: &str = "NovaKMS:Snapshot:v1:";

/// Tag byte of a record entry.
pub(super) const TAG_RECORD: u8 = 0x01;
/// Tag byte of the sealed master-secret entry.
pub(super) const TAG_SEALED: u8 = 0x02;
/// Fixed bytes of a record entry besides key and record: tag, app id, two lengths.
pub(super) const RECORD_ENTRY_OVERHEAD: u64 = 1 + 8 + 4 + 4;
/// Reads and writes go through buffers of this size.
pub(super) const IO_BUFFER: usize = 1 << 20;

/// The EIP-191 text signed for a snapshot with SHA-256 `digest`.
pub fn signed_message(digest: &[u8; DIGEST_LEN]) -> String {
    format!("{SIGNED_PREFIX}0x{}", hex::encode(digest))
}

/// One app's line of the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppManifest {
    /// App id (namespace).
    pub app_id: u64,
    /// Non-tombstone records.
    pub records: u64,
    /// Tombstones.
    pub tombstones: u64,
    /// Accounted bytes.
    pub bytes: u64,
}

/// Snapshot totals over every app.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Number of apps (namespaces).
    pub apps: u64,
    /// Non-tombstone records.
    pub records: u64,
    /// Tombstones.
    pub tombstones: u64,
    /// Accounted bytes.
    pub bytes: u64,
}

/// How a snapshot was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackupMode {
    /// By the running node from one read transaction (admin socket).
    Online,
    /// From a data dir no node held (`--data-dir`).
    Offline,
}

/// Where the manifest's `master_secret_hash` came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HashSource {
    /// The running node's master secret, verified against the chain.
    Node,
    /// `KMSRegistry.masterSecretHash()` read at backup time.
    Chain,
    /// keccak256 of the sealed master secret in the database (opened with the node identity):
    /// the secret the records are encrypted under, not checked against the chain.
    Sealed,
    /// Not known (no chain reachable, no sealed secret): `master_secret_hash` is null.
    Unknown,
}

/// The sealed master-secret entry, as described in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedInfo {
    /// Wallet of the node identity whose seal key opens the blob.
    pub sealed_for: String,
    /// Blob length in bytes.
    pub bytes: u64,
}

/// The JSON manifest of a backup file (stable shape; `backup inspect -o json` prints it under
/// `"manifest"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Creation time, RFC 3339 UTC with milliseconds.
    pub created_at: String,
    /// Creation time, Unix ms.
    pub created_at_ms: u64,
    /// `novakms` version that wrote the file.
    pub novakms_version: String,
    /// Schema version of the database the snapshot was taken from (`storage::redb`).
    pub schema_version: u32,
    /// Online or offline backup.
    pub mode: BackupMode,
    /// Signer: the wallet of the node identity that made the snapshot (canonical).
    pub node_wallet: String,
    /// The database's cluster binding (chain id, registries, KMS app id, and the node wallet the
    /// database belonged to). A restore writes it into the new database.
    pub cluster: ClusterBinding,
    /// On-chain `masterSecretHash` (`0x` + 64 hex) at backup time, if known.
    pub master_secret_hash: Option<String>,
    /// Where `master_secret_hash` came from.
    pub master_secret_hash_source: HashSource,
    /// The sealed master-secret entry, if the data section has one.
    pub sealed_master_secret: Option<SealedInfo>,
    /// Highest change-log sequence of the database at backup time (informational).
    pub last_seq: u64,
    /// Per-app counts, ascending by app id, one line per namespace.
    pub apps: Vec<AppManifest>,
    /// Sums over `apps`.
    pub totals: Totals,
    /// Length of the data section in bytes.
    pub data_length: u64,
}

impl Manifest {
    /// Per-app counts as a map.
    pub fn app_counts(&self) -> BTreeMap<u64, AppCounts> {
        self.apps
            .iter()
            .map(|a| {
                (
                    a.app_id,
                    AppCounts {
                        records: a.records,
                        tombstones: a.tombstones,
                        bytes: a.bytes,
                    },
                )
            })
            .collect()
    }

    /// Total file length implied by the manifest (header, manifest, data, trailer).
    pub fn file_length(&self, manifest_len: u64) -> u64 {
        HEADER_LEN
            .saturating_add(manifest_len)
            .saturating_add(self.data_length)
            .saturating_add(TRAILER_LEN)
    }

    /// Check the manifest's own consistency (wallets canonical, apps ascending, totals).
    pub(super) fn validate(&self) -> std::result::Result<(), String> {
        let canonical =
            |w: &str| crate::crypto::pop::canonical_wallet(w).ok().as_deref() == Some(w);
        if !canonical(&self.node_wallet) {
            return Err(format!(
                "node_wallet {:?} is not canonical",
                self.node_wallet
            ));
        }
        if let Some(s) = &self.sealed_master_secret {
            if !canonical(&s.sealed_for) {
                return Err(format!("sealed_for {:?} is not canonical", s.sealed_for));
            }
            if s.bytes == 0 || s.bytes > MAX_SEALED_LEN as u64 {
                return Err(format!("sealed master secret of {} bytes", s.bytes));
            }
        }
        if let Some(h) = &self.master_secret_hash {
            let ok = h.len() == 66
                && h.starts_with("0x")
                && h[2..].bytes().all(|c| c.is_ascii_hexdigit());
            if !ok {
                return Err(format!("master_secret_hash {h:?} is not 0x + 64 hex"));
            }
        }
        let mut t = Totals::default();
        let mut prev: Option<u64> = None;
        for a in &self.apps {
            if prev.is_some_and(|p| p >= a.app_id) {
                return Err("apps are not strictly ascending".into());
            }
            prev = Some(a.app_id);
            if a.records == 0 && a.tombstones == 0 {
                return Err(format!("app {} is listed without records", a.app_id));
            }
            t.apps += 1;
            t.records = t.records.saturating_add(a.records);
            t.tombstones = t.tombstones.saturating_add(a.tombstones);
            t.bytes = t.bytes.saturating_add(a.bytes);
        }
        if t != self.totals {
            return Err("totals do not match the per-app counts".into());
        }
        Ok(())
    }
}

/// The 16 header bytes for a manifest of `manifest_len` bytes (magic, version, flags = 0).
pub(super) fn encode_header(manifest_len: u32) -> [u8; HEADER_LEN as usize] {
    let mut h = [0u8; HEADER_LEN as usize];
    h[..8].copy_from_slice(&MAGIC);
    h[8..10].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[10..12].copy_from_slice(&0u16.to_le_bytes());
    h[12..16].copy_from_slice(&manifest_len.to_le_bytes());
    h
}

/// The Integrity error of an invalid backup file: `snapshot is invalid: <what>`.
pub(super) fn bad(what: impl std::fmt::Display) -> Error {
    Error::integrity(format!("snapshot is invalid: {what}"))
}

/// Parse header and manifest through `exact` (which reads exactly `buf.len()` bytes): returns
/// the validated manifest and its length in bytes.
///
/// Errors: Integrity (bad magic, unknown format version or flags, manifest length out of
/// range, invalid JSON or inconsistent manifest), or whatever `exact` returns (truncation).
pub(super) fn read_head(
    exact: &mut dyn FnMut(&mut [u8], &str) -> Result<()>,
) -> Result<(Manifest, u64)> {
    let mut h = [0u8; HEADER_LEN as usize];
    exact(&mut h, "header")?;
    if h[..8] != MAGIC {
        return Err(bad("not a novakms snapshot (bad magic)"));
    }
    let version = u16::from_le_bytes([h[8], h[9]]);
    if version != FORMAT_VERSION {
        return Err(Error::new(
            ErrorKind::Integrity,
            format!(
                "snapshot format version {version} is not supported (this build reads version \
                 {FORMAT_VERSION})"
            ),
        ));
    }
    let flags = u16::from_le_bytes([h[10], h[11]]);
    if flags != 0 {
        return Err(bad(format!("unknown header flags {flags:#06x}")));
    }
    let mlen = u32::from_le_bytes([h[12], h[13], h[14], h[15]]);
    if !(2..=MAX_MANIFEST_LEN).contains(&mlen) {
        return Err(bad(format!("manifest length {mlen}")));
    }
    let mut m = vec![0u8; mlen as usize];
    exact(&mut m, "manifest")?;
    let manifest: Manifest =
        serde_json::from_slice(&m).map_err(|e| bad(format!("manifest: {e}")))?;
    manifest
        .validate()
        .map_err(|e| bad(format!("manifest: {e}")))?;
    Ok((manifest, mlen as u64))
}
