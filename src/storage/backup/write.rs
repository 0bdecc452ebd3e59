//! Writing a backup file: the [`ExportSink`] a storage backend streams its point-in-time export
//! into, and [`BackupWriter`], the sink that turns it into a signed `.nksnap` stream.

use std::collections::BTreeMap;
use std::io::Write;

use sha2::{Digest, Sha256};

use super::format::{
    encode_header, AppManifest, BackupMode, HashSource, Manifest, SealedInfo, Totals, DIGEST_LEN,
    MAX_KEY_LEN, MAX_MANIFEST_LEN, MAX_RECORD_LEN, MAX_SEALED_LEN, RECORD_ENTRY_OVERHEAD,
    SIGNATURE_LEN, TAG_RECORD, TAG_SEALED, TRAILER_LEN,
};
use super::signed_message;
use crate::error::{Error, Result};
use crate::identity::BlockingSigner;
use crate::storage::codec::decode_record;
use crate::storage::export::{AppCounts, ExportBegin, ExportSink};
use crate::storage::Storage;

/// What the caller of [`BackupWriter`] adds to the manifest (the rest comes from the database
/// and the signing identity).
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

/// Result of writing a backup file.
#[derive(Clone, Debug)]
pub struct WriteSummary {
    /// The manifest written.
    pub manifest: Manifest,
    /// SHA-256 over everything before the trailer.
    pub digest: [u8; DIGEST_LEN],
    /// Total bytes written.
    pub bytes: u64,
}

/// Progress callback: (bytes done, bytes total), called every ~1 MiB and at the end.
pub type Progress<'a> = Box<dyn FnMut(u64, u64) + Send + 'a>;

struct WriteState {
    manifest: Manifest,
    data_end: u64,
    total: u64,
    expected: BTreeMap<u64, AppCounts>,
    tally: BTreeMap<u64, AppCounts>,
    last: Option<(u64, String)>,
}

/// Streams a backup file to `out` as an [`ExportSink`]: header and manifest at `begin`, one entry
/// per record, trailer at [`BackupWriter::finish`]. Every record is decoded (CRC checked) and
/// counted on the way, so a corrupt record or a count that disagrees with the database's
/// accounting fails the backup instead of producing a file that cannot be restored.
pub struct BackupWriter<'a, W: Write> {
    out: W,
    hasher: Sha256,
    pos: u64,
    identity: &'a dyn BlockingSigner,
    ctx: ManifestContext,
    state: Option<WriteState>,
    progress: Option<Progress<'a>>,
    reported: u64,
}

impl<'a, W: Write> BackupWriter<'a, W> {
    /// A writer signing with `identity`. `out` should be buffered.
    pub fn new(out: W, identity: &'a dyn BlockingSigner, ctx: ManifestContext) -> Self {
        BackupWriter {
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
        let sig_hex = self.identity.sign_blocking(&signed_message(&digest))?;
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

impl<W: Write> ExportSink for BackupWriter<'_, W> {
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
            node_wallet: self.identity.signer_address(),
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
        self.put(&encode_header(mlen))?;
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

/// Write a complete backup file of `storage` to `out` from one point-in-time export
/// ([`Storage::export`]), signed by `identity`. Returns the summary and `out` (flushed,
/// not synced).
///
/// Errors: as [`BackupWriter::finish`] and the sink methods: Local (no cluster binding, I/O),
/// Integrity (a corrupt record, counts that disagree with the database's accounting).
pub fn write_backup<'a, W: Write>(
    storage: &dyn Storage,
    out: W,
    identity: &'a dyn BlockingSigner,
    ctx: ManifestContext,
    progress: Option<Progress<'a>>,
) -> Result<(WriteSummary, W)> {
    let mut w = BackupWriter::new(out, identity, ctx);
    if let Some(p) = progress {
        w = w.with_progress(p);
    }
    storage.export(&mut w)?;
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;
    use crate::storage::backup::fixtures::*;
    use crate::storage::backup::{BackupReader, Entry};
    use crate::storage::{MemoryStorage, RedbStorage};
    use crate::store::Limits;

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
        let e = write_backup(&mem, Vec::new(), &id, ctx(), None).unwrap_err();
        assert!(e.message().contains("no cluster binding"), "{e}");
    }

    #[test]
    fn point_in_time_while_writing() {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        use std::sync::Arc;
        let t = tempfile::tempdir().unwrap();
        let s = Arc::new(RedbStorage::open(&t.path().join("d")).unwrap());
        s.set_binding(&binding(31337)).unwrap();
        let l = Limits {
            max_app_storage_bytes: u64::MAX,
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
        let mut rd = BackupReader::open(&bytes[..]).unwrap();
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
