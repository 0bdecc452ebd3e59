//! The `.nksnap` snapshot file of `novakms backup` / `novakms restore` (design.md §5).
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
//! [`SnapshotReader`] parses a stream once, front to back, hashing as it reads; every problem is
//! an [`ErrorKind::Integrity`] error naming the offset: bad magic, unknown version or flags,
//! a manifest that is not valid JSON or is inconsistent (totals, ordering), truncation anywhere,
//! a malformed or out-of-order entry, a record whose CRC fails, per-app counts that differ from
//! the manifest, bytes after the trailer, a digest mismatch, a signature that does not recover
//! to `manifest.node_wallet`. Nothing of a snapshot is trusted before [`SnapshotReader::finish`]
//! returned `Ok`; `restore` therefore reads the file twice (verify, then import) and requires
//! the second pass to end on the same digest.
//!
//! A valid signature proves that the holder of `node_wallet`'s key made the file. Whether that
//! wallet is trusted is the caller's decision (`--signer`, the chain, or the identity of the
//! restoring node): a forger can re-sign an edited file with their own key, but cannot make it
//! recover to a wallet they do not hold.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::identity::Identity;
use crate::store::{Limits, QuotaPolicy, Record};

use super::codec::decode_record;
use super::{ClusterBinding, Storage};

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

const TAG_RECORD: u8 = 0x01;
const TAG_SEALED: u8 = 0x02;
/// Fixed bytes of a record entry besides key and record: tag, app id, two lengths.
const RECORD_ENTRY_OVERHEAD: u64 = 1 + 8 + 4 + 4;
/// Reads and writes go through buffers of this size.
const IO_BUFFER: usize = 1 << 20;

/// The EIP-191 text signed for a snapshot with SHA-256 `digest`.
pub fn signed_message(digest: &[u8; DIGEST_LEN]) -> String {
    format!("{SIGNED_PREFIX}0x{}", hex::encode(digest))
}

/// Record counts of one app (or of a whole snapshot).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppCounts {
    /// Records that are not tombstones (expired-but-unpurged ones included).
    pub records: u64,
    /// Tombstones.
    pub tombstones: u64,
    /// Accounted bytes (`Record::cost`: key + ciphertext; tombstones key only).
    pub bytes: u64,
}

impl AppCounts {
    fn add(&mut self, rec: &Record) {
        if rec.tombstone {
            self.tombstones += 1;
        } else {
            self.records += 1;
        }
        self.bytes = self.bytes.saturating_add(rec.cost());
    }
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

/// The JSON manifest (stable shape; `backup inspect -o json` prints it under `"manifest"`).
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
    fn validate(&self) -> std::result::Result<(), String> {
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

/// What a backend reports at the start of a point-in-time export, read in the same transaction
/// as the records that follow (see [`Storage::export_snapshot`]).
#[derive(Clone, Debug, Default)]
pub struct ExportBegin {
    /// Schema version of the database.
    pub schema_version: u32,
    /// Stored cluster binding.
    pub binding: Option<ClusterBinding>,
    /// Highest change-log sequence.
    pub last_seq: u64,
    /// The sealed master-secret blob, if stored.
    pub sealed_master_secret: Option<Vec<u8>>,
    /// Per-app counts from the database's own accounting (must equal what the records say).
    pub apps: BTreeMap<u64, AppCounts>,
    /// Number of records that will be passed to [`ExportSink::record`].
    pub entries: u64,
    /// Sum of their key lengths.
    pub key_bytes: u64,
    /// Sum of their encoded lengths.
    pub encoded_bytes: u64,
}

/// Receiver of a point-in-time export ([`Storage::export_snapshot`]): `begin` once, then
/// `record` for every record in ascending (app id, key bytes) order. An error aborts the export.
pub trait ExportSink {
    /// Called once before any record.
    fn begin(&mut self, begin: &ExportBegin) -> Result<()>;
    /// One stored record: its app, key, and bytes in the storage codec format.
    fn record(&mut self, app_id: u64, key: &str, encoded: &[u8]) -> Result<()>;
}

/// What the caller of [`SnapshotWriter`] adds to the manifest.
#[derive(Clone, Debug)]
pub struct ManifestContext {
    /// Online or offline.
    pub mode: BackupMode,
    /// Creation time, Unix ms.
    pub created_at_ms: u64,
    /// `masterSecretHash` at backup time (`0x` + 64 hex), if known.
    pub master_secret_hash: Option<String>,
    /// Where it came from.
    pub master_secret_hash_source: HashSource,
    /// Include the sealed master-secret blob (if the database has one).
    pub include_sealed_master_secret: bool,
    /// Whose seal key opens it; `None`: the database binding's node wallet.
    pub sealed_for: Option<String>,
}

/// Result of writing a snapshot.
#[derive(Clone, Debug)]
pub struct WriteSummary {
    /// The manifest written.
    pub manifest: Manifest,
    /// SHA-256 over everything before the trailer.
    pub digest: [u8; DIGEST_LEN],
    /// Total bytes written.
    pub bytes: u64,
}

/// Progress callback: (bytes done, bytes total).
pub type Progress<'a> = Box<dyn FnMut(u64, u64) + Send + 'a>;

struct WriteState {
    manifest: Manifest,
    data_end: u64,
    total: u64,
    expected: BTreeMap<u64, AppCounts>,
    tally: BTreeMap<u64, AppCounts>,
    last: Option<(u64, String)>,
}

/// Streams a snapshot to `out` as an [`ExportSink`]: header and manifest at `begin`, one entry
/// per record, trailer at [`SnapshotWriter::finish`]. Every record is decoded (CRC checked) and
/// counted on the way, so a corrupt record or a count that disagrees with the database's
/// accounting fails the backup instead of producing a file that cannot be restored.
pub struct SnapshotWriter<'a, W: Write> {
    out: W,
    hasher: Sha256,
    pos: u64,
    identity: &'a Identity,
    ctx: ManifestContext,
    state: Option<WriteState>,
    progress: Option<Progress<'a>>,
    reported: u64,
}

impl<'a, W: Write> SnapshotWriter<'a, W> {
    /// A writer signing with `identity`. `out` should be buffered.
    pub fn new(out: W, identity: &'a Identity, ctx: ManifestContext) -> Self {
        SnapshotWriter {
            out,
            hasher: Sha256::new(),
            pos: 0,
            identity,
            ctx,
            state: None,
            progress: None,
            reported: 0,
        }
    }

    /// Report progress (bytes written, total bytes) every ~1 MiB and at the end.
    pub fn with_progress(mut self, progress: Progress<'a>) -> Self {
        self.progress = Some(progress);
        self
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| Error::local(format!("cannot write snapshot: {e}")))?;
        self.hasher.update(bytes);
        self.pos += bytes.len() as u64;
        Ok(())
    }

    fn report(&mut self, force: bool) {
        if let (Some(p), Some(st)) = (self.progress.as_mut(), self.state.as_ref()) {
            if force || self.pos - self.reported >= 1 << 20 {
                self.reported = self.pos;
                p(self.pos, st.total);
            }
        }
    }

    /// Write the trailer and flush. Errors: `begin` never called, fewer records than announced
    /// or counts that differ from the database's accounting (Integrity), I/O (Local).
    pub fn finish(mut self) -> Result<(WriteSummary, W)> {
        let st = self
            .state
            .take()
            .ok_or_else(|| Error::local("snapshot export ended before it began"))?;
        if self.pos != st.data_end {
            return Err(Error::integrity(format!(
                "snapshot export wrote {} data bytes, announced {}",
                self.pos
                    .saturating_sub(st.data_end - st.manifest.data_length),
                st.manifest.data_length
            )));
        }
        if st.tally != st.expected {
            return Err(Error::integrity(
                "database accounting (usage counters) disagrees with its records; refusing to \
                 write an inconsistent snapshot",
            ));
        }
        let digest: [u8; DIGEST_LEN] = self.hasher.clone().finalize().into();
        let sig_hex = self.identity.sign(&signed_message(&digest));
        let sig = hex::decode(sig_hex.trim_start_matches("0x"))
            .ok()
            .filter(|s| s.len() == SIGNATURE_LEN)
            .ok_or_else(|| Error::local("cannot sign the snapshot"))?;
        for part in [&digest[..], &sig[..]] {
            self.out
                .write_all(part)
                .map_err(|e| Error::local(format!("cannot write snapshot: {e}")))?;
        }
        self.pos += TRAILER_LEN;
        self.out
            .flush()
            .map_err(|e| Error::local(format!("cannot write snapshot: {e}")))?;
        if let Some(p) = self.progress.as_mut() {
            p(self.pos, st.total);
        }
        Ok((
            WriteSummary {
                manifest: st.manifest,
                digest,
                bytes: self.pos,
            },
            self.out,
        ))
    }
}

impl<W: Write> ExportSink for SnapshotWriter<'_, W> {
    fn begin(&mut self, b: &ExportBegin) -> Result<()> {
        if self.state.is_some() {
            return Err(Error::local("snapshot export began twice"));
        }
        let cluster = b.binding.clone().ok_or_else(|| {
            Error::local(
                "the database has no cluster binding (no node ever served from it): nothing \
                 identifies its cluster, refusing to back it up",
            )
        })?;
        let sealed = match (
            &b.sealed_master_secret,
            self.ctx.include_sealed_master_secret,
        ) {
            (Some(blob), true) => {
                if blob.is_empty() || blob.len() > MAX_SEALED_LEN as usize {
                    return Err(Error::integrity(format!(
                        "stored sealed master secret has {} bytes",
                        blob.len()
                    )));
                }
                Some(blob.clone())
            }
            _ => None,
        };
        let mut data_length = b
            .entries
            .saturating_mul(RECORD_ENTRY_OVERHEAD)
            .saturating_add(b.key_bytes)
            .saturating_add(b.encoded_bytes);
        if let Some(blob) = &sealed {
            data_length += 1 + 4 + blob.len() as u64;
        }
        let apps: Vec<AppManifest> = b
            .apps
            .iter()
            .filter(|(_, c)| c.records + c.tombstones > 0)
            .map(|(&app_id, c)| AppManifest {
                app_id,
                records: c.records,
                tombstones: c.tombstones,
                bytes: c.bytes,
            })
            .collect();
        let totals = apps.iter().fold(Totals::default(), |mut t, a| {
            t.apps += 1;
            t.records += a.records;
            t.tombstones += a.tombstones;
            t.bytes = t.bytes.saturating_add(a.bytes);
            t
        });
        let manifest = Manifest {
            created_at: crate::clock::rfc3339_ms(self.ctx.created_at_ms),
            created_at_ms: self.ctx.created_at_ms,
            novakms_version: env!("CARGO_PKG_VERSION").to_string(),
            schema_version: b.schema_version,
            mode: self.ctx.mode,
            node_wallet: self.identity.address(),
            sealed_master_secret: sealed.as_ref().map(|blob| SealedInfo {
                sealed_for: self
                    .ctx
                    .sealed_for
                    .clone()
                    .unwrap_or_else(|| cluster.node_wallet.to_ascii_lowercase()),
                bytes: blob.len() as u64,
            }),
            cluster,
            master_secret_hash: self.ctx.master_secret_hash.clone(),
            master_secret_hash_source: self.ctx.master_secret_hash_source,
            last_seq: b.last_seq,
            apps,
            totals,
            data_length,
        };
        manifest
            .validate()
            .map_err(|m| Error::local(format!("cannot build the snapshot manifest: {m}")))?;
        let json = serde_json::to_vec(&manifest)
            .map_err(|e| Error::local(format!("cannot encode the snapshot manifest: {e}")))?;
        let mlen = u32::try_from(json.len())
            .ok()
            .filter(|&l| l <= MAX_MANIFEST_LEN)
            .ok_or_else(|| Error::local("snapshot manifest too large"))?;
        let mut header = Vec::with_capacity(HEADER_LEN as usize);
        header.extend_from_slice(&MAGIC);
        header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(&mlen.to_le_bytes());
        self.put(&header)?;
        self.put(&json)?;
        let data_end = self.pos + data_length;
        self.state = Some(WriteState {
            total: data_end + TRAILER_LEN,
            data_end,
            expected: manifest.app_counts(),
            manifest,
            tally: BTreeMap::new(),
            last: None,
        });
        if let Some(blob) = sealed {
            self.put(&[TAG_SEALED])?;
            self.put(&(blob.len() as u32).to_le_bytes())?;
            self.put(&blob)?;
        }
        self.report(true);
        Ok(())
    }

    fn record(&mut self, app_id: u64, key: &str, encoded: &[u8]) -> Result<()> {
        let rec = decode_record(app_id, key, encoded).map_err(|m| {
            Error::integrity(format!(
                "database record (app {app_id}, key {key:?}) is corrupt: {m}"
            ))
        })?;
        let st = self
            .state
            .as_mut()
            .ok_or_else(|| Error::local("snapshot export sent a record before it began"))?;
        if let Some((la, lk)) = &st.last {
            if (*la, lk.as_bytes()) >= (app_id, key.as_bytes()) {
                return Err(Error::local(
                    "snapshot export sent records out of order (storage backend bug)",
                ));
            }
        }
        st.last = Some((app_id, key.to_string()));
        st.tally.entry(app_id).or_default().add(&rec);
        let key_len = u32::try_from(key.len())
            .ok()
            .filter(|&l| l <= MAX_KEY_LEN)
            .ok_or_else(|| Error::local(format!("key of {} bytes is too long", key.len())))?;
        let rec_len = u32::try_from(encoded.len())
            .ok()
            .filter(|&l| l <= MAX_RECORD_LEN)
            .ok_or_else(|| Error::local(format!("record of {} bytes", encoded.len())))?;
        if self.pos + RECORD_ENTRY_OVERHEAD + key.len() as u64 + encoded.len() as u64 > st.data_end
        {
            return Err(Error::local(
                "snapshot export sent more record bytes than announced (storage backend bug)",
            ));
        }
        let mut head = [0u8; 13];
        head[0] = TAG_RECORD;
        head[1..9].copy_from_slice(&app_id.to_le_bytes());
        head[9..13].copy_from_slice(&key_len.to_le_bytes());
        self.put(&head)?;
        self.put(key.as_bytes())?;
        self.put(&rec_len.to_le_bytes())?;
        self.put(encoded)?;
        self.report(false);
        Ok(())
    }
}

/// Write a complete snapshot of `storage` to `out` from one point-in-time export, signed by
/// `identity`. Returns the summary and `out` (flushed, not synced).
pub fn write_snapshot<'a, W: Write>(
    storage: &dyn Storage,
    out: W,
    identity: &'a Identity,
    ctx: ManifestContext,
    progress: Option<Progress<'a>>,
) -> Result<(WriteSummary, W)> {
    let mut w = SnapshotWriter::new(out, identity, ctx);
    if let Some(p) = progress {
        w = w.with_progress(p);
    }
    storage.export_snapshot(&mut w)?;
    w.finish()
}

/// One entry of the data section.
#[derive(Debug)]
pub enum Entry {
    /// The sealed master-secret blob.
    SealedMasterSecret(Vec<u8>),
    /// One record of app `app_id`.
    Record {
        /// App id.
        app_id: u64,
        /// The record (CRC checked).
        record: Record,
    },
}

/// A snapshot whose every check passed.
#[derive(Clone, Debug)]
pub struct Verified {
    /// The manifest.
    pub manifest: Manifest,
    /// SHA-256 over everything before the trailer (= the signed digest).
    pub digest: [u8; DIGEST_LEN],
    /// The recovered signer (= `manifest.node_wallet`).
    pub signer: String,
    /// Total file length.
    pub bytes: u64,
}

fn bad(what: impl std::fmt::Display) -> Error {
    Error::integrity(format!("snapshot is invalid: {what}"))
}

/// Streaming, verifying parser of a snapshot (see the module docs for every check).
pub struct SnapshotReader<R: Read> {
    r: R,
    hasher: Sha256,
    pos: u64,
    manifest: Manifest,
    manifest_len: u64,
    data_end: u64,
    tally: BTreeMap<u64, AppCounts>,
    last: Option<(u64, Vec<u8>)>,
    seen_record: bool,
    seen_sealed: bool,
}

impl<R: Read> SnapshotReader<R> {
    /// Read and check the header and the manifest. `r` should be buffered.
    ///
    /// Errors: Integrity (bad magic, unknown format version or flags, truncated or invalid
    /// manifest), Local (I/O).
    pub fn open(r: R) -> Result<Self> {
        let mut me = SnapshotReader {
            r,
            hasher: Sha256::new(),
            pos: 0,
            manifest: placeholder_manifest(),
            manifest_len: 0,
            data_end: 0,
            tally: BTreeMap::new(),
            last: None,
            seen_record: false,
            seen_sealed: false,
        };
        let (manifest, mlen) = read_head(&mut |buf, what| me.exact(buf, what))?;
        me.manifest_len = mlen;
        me.data_end = HEADER_LEN + mlen + manifest.data_length;
        me.manifest = manifest;
        Ok(me)
    }

    /// The manifest (not yet verified: trust it only after [`SnapshotReader::finish`]).
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// File length the manifest announces.
    pub fn total_len(&self) -> u64 {
        self.manifest.file_length(self.manifest_len)
    }

    fn exact(&mut self, buf: &mut [u8], what: &str) -> Result<()> {
        read_exact(&mut self.r, buf, what, self.pos)?;
        self.hasher.update(&*buf);
        self.pos += buf.len() as u64;
        Ok(())
    }

    fn take(&mut self, n: u64, what: &str) -> Result<Vec<u8>> {
        if self.pos.saturating_add(n) > self.data_end {
            return Err(bad(format!(
                "{what} at offset {} runs past the end of the data section",
                self.pos
            )));
        }
        let mut v = vec![0u8; n as usize];
        self.exact(&mut v, what)?;
        Ok(v)
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The next data entry, or `None` at the end of the data section.
    pub fn next_entry(&mut self) -> Result<Option<Entry>> {
        if self.pos == self.data_end {
            return Ok(None);
        }
        let at = self.pos;
        let tag = self.take(1, "entry tag")?[0];
        match tag {
            TAG_SEALED => {
                if self.seen_record || self.seen_sealed {
                    return Err(bad(format!(
                        "sealed master secret entry at offset {at} is not the first entry"
                    )));
                }
                self.seen_sealed = true;
                let len = self.u32("sealed master secret length")?;
                if len == 0 || len > MAX_SEALED_LEN {
                    return Err(bad(format!("sealed master secret of {len} bytes")));
                }
                if self.manifest.sealed_master_secret.as_ref().map(|s| s.bytes) != Some(len as u64)
                {
                    return Err(bad(
                        "sealed master secret entry disagrees with the manifest",
                    ));
                }
                let blob = self.take(len as u64, "sealed master secret")?;
                Ok(Some(Entry::SealedMasterSecret(blob)))
            }
            TAG_RECORD => {
                self.seen_record = true;
                let b = self.take(12, "record header")?;
                let app_id = u64::from_le_bytes(b[0..8].try_into().unwrap_or([0; 8]));
                let key_len = u32::from_le_bytes(b[8..12].try_into().unwrap_or([0; 4]));
                if key_len > MAX_KEY_LEN {
                    return Err(bad(format!("key of {key_len} bytes at offset {at}")));
                }
                let key = self.take(key_len as u64, "key")?;
                let rec_len = self.u32("record length")?;
                if rec_len > MAX_RECORD_LEN {
                    return Err(bad(format!("record of {rec_len} bytes at offset {at}")));
                }
                let enc = self.take(rec_len as u64, "record")?;
                if let Some((la, lk)) = &self.last {
                    if (*la, lk.as_slice()) >= (app_id, key.as_slice()) {
                        return Err(bad(format!(
                            "record at offset {at} is out of order or duplicated"
                        )));
                    }
                }
                let key_str = std::str::from_utf8(&key)
                    .map_err(|_| bad(format!("key at offset {at} is not UTF-8")))?;
                let record = decode_record(app_id, key_str, &enc)
                    .map_err(|m| bad(format!("record at offset {at} (app {app_id}): {m}")))?;
                self.tally.entry(app_id).or_default().add(&record);
                self.last = Some((app_id, key));
                Ok(Some(Entry::Record { app_id, record }))
            }
            other => Err(bad(format!(
                "unknown entry tag {other:#04x} at offset {at}"
            ))),
        }
    }

    /// Read the rest of the data, the trailer and the end of the file, and check everything:
    /// digest, signature (recovers to `manifest.node_wallet`), counts per app, sealed entry,
    /// no byte after the trailer.
    pub fn finish(mut self) -> Result<Verified> {
        while self.next_entry()?.is_some() {}
        let mut trailer = [0u8; TRAILER_LEN as usize];
        read_exact(&mut self.r, &mut trailer, "trailer", self.pos)?;
        let mut extra = [0u8; 1];
        loop {
            match self.r.read(&mut extra) {
                Ok(0) => break,
                Ok(_) => {
                    return Err(bad(format!(
                        "unexpected bytes after the trailer (the file is longer than the {} \
                         bytes its manifest announces)",
                        self.total_len()
                    )))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::local(format!("cannot read snapshot: {e}"))),
            }
        }
        let digest: [u8; DIGEST_LEN] = self.hasher.finalize().into();
        if trailer[..DIGEST_LEN] != digest {
            return Err(bad(
                "SHA-256 digest mismatch (the file was modified or damaged)",
            ));
        }
        // Strict encoding (the writer's): v ∈ {27, 28} and low s, so no second byte string
        // carries the same signature (the PoP parser also accepts v ∈ {0, 1, ≥ 35} and high s).
        let v = trailer[DIGEST_LEN + 64];
        if v != 27 && v != 28 {
            return Err(bad(format!("bad signature: v = {v}, expected 27 or 28")));
        }
        let sig = format!("0x{}", hex::encode(&trailer[DIGEST_LEN..]));
        let parsed = crate::crypto::pop::parse_signature(&sig)
            .map_err(|e| bad(format!("bad signature: {e}")))?;
        if parsed.normalize_s().is_some() {
            return Err(bad(
                "bad signature: s is not in the lower half of the curve order",
            ));
        }
        let signer = crate::crypto::pop::recover_signer(&signed_message(&digest), &sig)
            .map_err(|e| bad(format!("bad signature: {e}")))?;
        if signer != self.manifest.node_wallet {
            return Err(bad(format!(
                "bad signature: signed by {signer}, the manifest names {}",
                self.manifest.node_wallet
            )));
        }
        if self.tally != self.manifest.app_counts() {
            return Err(bad("record counts differ from the manifest"));
        }
        if self.manifest.sealed_master_secret.is_some() != self.seen_sealed {
            return Err(bad(
                "sealed master secret entry disagrees with the manifest",
            ));
        }
        let bytes = self.pos + TRAILER_LEN;
        Ok(Verified {
            manifest: self.manifest,
            digest,
            signer,
            bytes,
        })
    }
}

fn read_exact<R: Read>(r: &mut R, buf: &mut [u8], what: &str, at: u64) -> Result<()> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            bad(format!("file is truncated (reading {what} at offset {at})"))
        } else {
            Error::local(format!("cannot read snapshot: {e}"))
        }
    })
}

fn placeholder_manifest() -> Manifest {
    Manifest {
        created_at: String::new(),
        created_at_ms: 0,
        novakms_version: String::new(),
        schema_version: 0,
        mode: BackupMode::Offline,
        node_wallet: String::new(),
        cluster: ClusterBinding {
            chain_id: 0,
            nova_app_registry: String::new(),
            kms_registry: String::new(),
            kms_app_id: 0,
            node_wallet: String::new(),
        },
        master_secret_hash: None,
        master_secret_hash_source: HashSource::Unknown,
        sealed_master_secret: None,
        last_seq: 0,
        apps: Vec::new(),
        totals: Totals::default(),
        data_length: 0,
    }
}

/// Parse header and manifest through `exact` (which reads exactly `buf.len()` bytes).
fn read_head(exact: &mut dyn FnMut(&mut [u8], &str) -> Result<()>) -> Result<(Manifest, u64)> {
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

/// Header and manifest of the snapshot at `path`, without reading the data (`backup inspect`;
/// nothing is verified). Returns the manifest, the file length and the length the manifest
/// announces.
pub fn read_manifest(path: &Path) -> Result<(Manifest, u64, u64)> {
    let f = open_file(path)?;
    let len = f
        .metadata()
        .map_err(|e| Error::local(format!("cannot stat {}: {e}", path.display())))?
        .len();
    let mut r = BufReader::new(f);
    let mut pos = 0u64;
    let (manifest, mlen) = read_head(&mut |buf, what| {
        read_exact(&mut r, buf, what, pos)?;
        pos += buf.len() as u64;
        Ok(())
    })?;
    let expected = manifest.file_length(mlen);
    Ok((manifest, len, expected))
}

/// Open `path` for reading (Local error naming it).
pub fn open_file(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| Error::local(format!("cannot open {}: {e}", path.display())))
}

/// A buffered reader of `path` for [`SnapshotReader::open`].
pub fn buffered(f: File) -> BufReader<File> {
    BufReader::with_capacity(IO_BUFFER, f)
}

/// Verify the snapshot at `path` completely ([`SnapshotReader::finish`]), reporting
/// (bytes read, total) to `progress` every ~1 MiB.
pub fn verify_file(path: &Path, mut progress: Option<Progress<'_>>) -> Result<Verified> {
    let mut rd = SnapshotReader::open(buffered(open_file(path)?))?;
    let total = rd.total_len();
    let mut reported = 0u64;
    while rd.next_entry()?.is_some() {
        if let Some(p) = progress.as_mut() {
            if rd.position() - reported >= 1 << 20 {
                reported = rd.position();
                p(reported, total);
            }
        }
    }
    let v = rd.finish()?;
    if let Some(p) = progress.as_mut() {
        p(v.bytes, total);
    }
    Ok(v)
}

/// Result of [`import`].
#[derive(Clone, Debug)]
pub struct ImportReport {
    /// The snapshot, verified by this (second) pass.
    pub verified: Verified,
    /// Whether the sealed master secret was stored.
    pub sealed_master_secret_restored: bool,
}

/// Write every record of the snapshot read by `rd` into `storage` (an empty database), set its
/// cluster binding from the manifest and, if `keep_sealed`, store the sealed master secret.
/// Records go in through [`Storage::merge_remote`] in batches (≤ 8 MiB or 10,000 records, one
/// durable transaction each, no origin, no quota eviction), so every record gets a fresh
/// change-log entry and the restored node offers all of them to its peers.
///
/// The snapshot is verified to the end ([`SnapshotReader::finish`]); on any error the
/// database holds a partial import and must be discarded.
pub fn import<R: Read>(
    mut rd: SnapshotReader<R>,
    storage: &dyn Storage,
    keep_sealed: bool,
    mut progress: Option<Progress<'_>>,
) -> Result<ImportReport> {
    let limits = Limits {
        max_value_bytes: usize::MAX,
        max_app_bytes: u64::MAX,
        quota_policy: QuotaPolicy::Evict,
        tombstone_retention_ms: 0,
        max_tombstones_per_app: 0,
    };
    const BATCH_BYTES: u64 = 8 << 20;
    const BATCH_RECORDS: usize = 10_000;
    let total = rd.total_len();
    let mut batch: Vec<Record> = Vec::new();
    let mut batch_app = 0u64;
    let mut batch_bytes = 0u64;
    let mut sealed: Option<Vec<u8>> = None;
    let mut reported = 0u64;
    let flush = |app: u64, batch: &mut Vec<Record>| -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let n = batch.len() as u64;
        let report = storage.merge_remote(app, std::mem::take(batch), &limits)?;
        if report.merged != n {
            return Err(Error::integrity(format!(
                "restore: {} of {n} records of app {app} were not stored (target not empty?)",
                n - report.merged
            )));
        }
        Ok(())
    };
    while let Some(entry) = rd.next_entry()? {
        match entry {
            Entry::SealedMasterSecret(blob) => sealed = Some(blob),
            Entry::Record { app_id, record } => {
                if app_id != batch_app || batch.len() >= BATCH_RECORDS || batch_bytes >= BATCH_BYTES
                {
                    flush(batch_app, &mut batch)?;
                    batch_app = app_id;
                    batch_bytes = 0;
                }
                batch_bytes += record.cost() + 64;
                batch.push(record);
            }
        }
        if let Some(p) = progress.as_mut() {
            if rd.position() - reported >= 1 << 20 {
                reported = rd.position();
                p(reported, total);
            }
        }
    }
    flush(batch_app, &mut batch)?;
    let verified = rd.finish()?;
    storage.set_binding(&verified.manifest.cluster)?;
    let restored = match (keep_sealed, sealed) {
        (true, Some(blob)) => {
            storage.store_sealed_master_secret(&blob)?;
            true
        }
        _ => false,
    };
    if let Some(p) = progress.as_mut() {
        p(verified.bytes, total);
    }
    Ok(ImportReport {
        verified,
        sealed_master_secret_restored: restored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{MemoryStorage, RedbStorage};
    use crate::store::VectorClock;

    const N1: &str = "0x1111111111111111111111111111111111111111";

    fn binding(chain_id: u64) -> ClusterBinding {
        ClusterBinding {
            chain_id,
            nova_app_registry: "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
            kms_registry: "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into(),
            kms_app_id: 49,
            node_wallet: N1.into(),
        }
    }

    fn populate(s: &dyn Storage) {
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

    fn ctx() -> ManifestContext {
        ManifestContext {
            mode: BackupMode::Offline,
            created_at_ms: 1_714_564_800_123,
            master_secret_hash: Some(format!("0x{}", "ab".repeat(32))),
            master_secret_hash_source: HashSource::Chain,
            include_sealed_master_secret: true,
            sealed_for: None,
        }
    }

    fn snap(s: &dyn Storage, id: &Identity) -> Vec<u8> {
        write_snapshot(s, Vec::new(), id, ctx(), None).unwrap().1
    }

    fn verify(bytes: &[u8]) -> Result<Verified> {
        SnapshotReader::open(bytes)?.finish()
    }

    fn contents(s: &dyn Storage) -> BTreeMap<u64, Vec<Record>> {
        s.snapshot(0).unwrap()
    }

    #[test]
    fn round_trip_both_backends_identical_bytes() {
        let id = Identity::generate();
        let mem = MemoryStorage::new();
        populate(&mem);
        let t = tempfile::tempdir().unwrap();
        let redb = RedbStorage::open(&t.path().join("d")).unwrap();
        populate(&redb);
        let a = snap(&mem, &id);
        let b = snap(&redb, &id);
        assert_eq!(a, b, "both backends export the same bytes");
        assert_eq!(&a[..8], &MAGIC);

        let v = verify(&a).unwrap();
        assert_eq!(v.signer, id.address());
        assert_eq!(v.bytes, a.len() as u64);
        let m = &v.manifest;
        assert_eq!(m.cluster, binding(31337));
        assert_eq!(m.created_at, "2024-05-01T12:00:00.123Z");
        assert_eq!(m.totals.apps, 3);
        assert_eq!(m.totals.records, 49 + 2 + 1);
        assert_eq!(m.totals.tombstones, 1);
        assert_eq!(m.schema_version, crate::storage::redb::SCHEMA_VERSION);
        assert_eq!(m.sealed_master_secret.as_ref().unwrap().sealed_for, N1);
        assert_eq!(m.app_counts()[&7].tombstones, 1);

        // Import into a fresh database: same records, binding, sealed blob.
        let t2 = tempfile::tempdir().unwrap();
        let fresh = RedbStorage::open(&t2.path().join("d")).unwrap();
        let rep = import(SnapshotReader::open(&a[..]).unwrap(), &fresh, true, None).unwrap();
        assert!(rep.sealed_master_secret_restored);
        assert_eq!(contents(&fresh), contents(&redb));
        assert_eq!(fresh.binding().unwrap(), Some(binding(31337)));
        assert_eq!(
            fresh.load_sealed_master_secret().unwrap(),
            Some(vec![7; 61])
        );
        assert_eq!(fresh.app_usage(7).unwrap(), redb.app_usage(7).unwrap());
        // Every record is in the new change log, no peer cursors.
        assert_eq!(fresh.changes_since(0, 1000).unwrap().len(), 53);
        assert_eq!(fresh.peer_cursor("0x22").unwrap(), None);
        drop(fresh);
        // The imported database passes the full verification at open.
        let fresh = RedbStorage::open(&t2.path().join("d")).unwrap();
        // And its own snapshot is the same apart from last_seq.
        let again = snap(&fresh, &id);
        let v2 = verify(&again).unwrap();
        assert_eq!(v2.manifest.apps, m.apps);

        // Without keep_sealed the blob is dropped.
        let mem2 = MemoryStorage::new();
        let rep = import(SnapshotReader::open(&a[..]).unwrap(), &mem2, false, None).unwrap();
        assert!(!rep.sealed_master_secret_restored);
        assert_eq!(mem2.load_sealed_master_secret().unwrap(), None);
    }

    #[test]
    fn empty_database_and_no_sealed_secret() {
        let id = Identity::generate();
        let mem = MemoryStorage::new();
        mem.set_binding(&binding(1)).unwrap();
        let bytes = snap(&mem, &id);
        let v = verify(&bytes).unwrap();
        assert_eq!(v.manifest.totals, Totals::default());
        assert_eq!(v.manifest.data_length, 0);
        assert!(v.manifest.sealed_master_secret.is_none());
        assert_eq!(bytes.len() as u64, v.bytes);
    }

    #[test]
    fn unbound_database_is_refused() {
        let id = Identity::generate();
        let mem = MemoryStorage::new();
        let e = write_snapshot(&mem, Vec::new(), &id, ctx(), None).unwrap_err();
        assert!(e.message().contains("no cluster binding"), "{e}");
    }

    #[test]
    fn every_bit_flip_truncation_and_extension_is_detected() {
        let id = Identity::generate();
        let mem = MemoryStorage::new();
        populate(&mem);
        let good = snap(&mem, &id);
        verify(&good).unwrap();
        // One bit of every byte, every bit of the header and the trailer.
        let trailer_start = good.len() - TRAILER_LEN as usize;
        for i in 0..good.len() {
            let bits = if i < HEADER_LEN as usize || i >= trailer_start {
                0..8
            } else {
                i % 8..i % 8 + 1
            };
            for bit in bits {
                let mut b = good.clone();
                b[i] ^= 1 << bit;
                let e = verify(&b).expect_err(&format!("flip byte {i} bit {bit}"));
                assert_eq!(e.kind(), ErrorKind::Integrity, "byte {i}: {e}");
            }
        }
        for len in 0..good.len() {
            let e = verify(&good[..len]).expect_err(&format!("truncated to {len}"));
            assert_eq!(e.kind(), ErrorKind::Integrity);
        }
        for extra in [&[0u8][..], b"x", &[0u8; 4096][..]] {
            let mut b = good.clone();
            b.extend_from_slice(extra);
            let e = verify(&b).unwrap_err();
            assert!(e.message().contains("after the trailer"), "{e}");
        }
    }

    /// Rewrite the manifest of `good` with `edit`, fix the digest, sign with `signer`.
    fn forge(good: &[u8], signer: &Identity, edit: impl Fn(&mut Manifest)) -> Vec<u8> {
        let mlen = u32::from_le_bytes(good[12..16].try_into().unwrap()) as usize;
        let mut m: Manifest = serde_json::from_slice(&good[16..16 + mlen]).unwrap();
        edit(&mut m);
        let json = serde_json::to_vec(&m).unwrap();
        let data = &good[16 + mlen..good.len() - TRAILER_LEN as usize];
        let mut out = good[..12].to_vec();
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        out.extend_from_slice(data);
        let digest: [u8; 32] = Sha256::digest(&out).into();
        out.extend_from_slice(&digest);
        let sig = signer.sign(&signed_message(&digest));
        out.extend_from_slice(&hex::decode(&sig[2..]).unwrap());
        out
    }

    #[test]
    fn forged_manifests() {
        let id = Identity::generate();
        let mem = MemoryStorage::new();
        populate(&mem);
        let good = snap(&mem, &id);
        // Same edit-free re-encoding with the right key verifies (the forge helper is sound).
        verify(&forge(&good, &id, |_| {})).unwrap();
        // Another cluster, re-signed by another key: signature does not recover to node_wallet.
        let other = Identity::generate();
        let e = verify(&forge(&good, &other, |m| m.cluster.chain_id = 1)).unwrap_err();
        assert!(e.message().contains("bad signature"), "{e}");
        // Re-signed by the same key: valid (the caller compares the cluster).
        let v = verify(&forge(&good, &id, |m| m.cluster.chain_id = 1)).unwrap();
        assert_eq!(v.manifest.cluster.chain_id, 1);
        // Counts that lie, even correctly signed.
        let e = verify(&forge(&good, &id, |m| {
            m.apps[0].records += 1;
            m.totals.records += 1;
        }))
        .unwrap_err();
        assert!(e.message().contains("counts"), "{e}");
        // Inconsistent totals.
        let e = verify(&forge(&good, &id, |m| m.totals.bytes += 1)).unwrap_err();
        assert!(e.message().contains("totals"), "{e}");
        // Sealed entry the manifest does not announce.
        let e = verify(&forge(&good, &id, |m| m.sealed_master_secret = None)).unwrap_err();
        assert!(e.message().contains("sealed"), "{e}");
    }

    #[test]
    fn point_in_time_while_writing() {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        use std::sync::Arc;
        let t = tempfile::tempdir().unwrap();
        let s = Arc::new(RedbStorage::open(&t.path().join("d")).unwrap());
        s.set_binding(&binding(31337)).unwrap();
        let l = Limits {
            max_app_bytes: u64::MAX,
            ..Limits::default()
        };
        for i in 0..2000u64 {
            s.put_local(1, &format!("k{i:08}"), vec![0; 64], 0, N1, i, &l)
                .unwrap();
        }
        let acked = Arc::new(AtomicU64::new(2000));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (s, acked, stop) = (s.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = acked.load(Ordering::SeqCst);
                while !stop.load(Ordering::SeqCst) {
                    // The counter (app 2, exported after app 1) is written just before key i.
                    s.put_local(2, "counter", i.to_le_bytes().to_vec(), 0, N1, i, &l)
                        .unwrap();
                    s.put_local(1, &format!("k{i:08}"), vec![0; 64], 0, N1, i, &l)
                        .unwrap();
                    i += 1;
                    acked.store(i, Ordering::SeqCst);
                }
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(100));
        let before = acked.load(Ordering::SeqCst);
        let id = Identity::generate();
        let bytes = snap(s.as_ref(), &id);
        let after = acked.load(Ordering::SeqCst);
        stop.store(true, Ordering::SeqCst);
        writer.join().unwrap();
        let mut rd = SnapshotReader::open(&bytes[..]).unwrap();
        let mut keys = Vec::new();
        let mut counter = None;
        while let Some(e) = rd.next_entry().unwrap() {
            if let Entry::Record { app_id, record } = e {
                if app_id == 1 {
                    keys.push(record.key);
                } else {
                    counter = Some(u64::from_le_bytes(record.value[..8].try_into().unwrap()));
                }
            }
        }
        rd.finish().unwrap();
        let n = keys.len() as u64;
        assert!(n >= before && n <= after, "{before} <= {n} <= {after}");
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(k, &format!("k{i:08}"));
        }
        // Point in time: the counter names the last key in the snapshot or the one being
        // written after it; an export that read app 2 later than app 1 would see a larger one.
        let c = counter.unwrap();
        assert!(c == n - 1 || c == n, "counter {c}, {n} keys");
    }
}
