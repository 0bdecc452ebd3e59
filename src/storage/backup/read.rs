//! Reading a backup file: [`BackupReader`] (streaming, verifying parser), [`verify_file`] and
//! [`read_manifest`] (`backup inspect`, nothing verified).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::format::{
    bad, read_head, BackupMode, HashSource, Manifest, Totals, DIGEST_LEN, HEADER_LEN, IO_BUFFER,
    MAX_KEY_LEN, MAX_RECORD_LEN, MAX_SEALED_LEN, TAG_RECORD, TAG_SEALED, TRAILER_LEN,
};
use super::signed_message;
use super::write::Progress;
use crate::error::{Error, Result};
use crate::storage::codec::decode_record;
use crate::storage::export::AppCounts;
use crate::storage::ClusterBinding;
use crate::store::Record;

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

impl Verified {
    /// Check that the file was signed by `expected` (a wallet, any case), when given.
    ///
    /// Errors: Local (`expected` is not a wallet), Integrity (signed by another wallet).
    pub fn require_signer(&self, expected: Option<&str>) -> Result<()> {
        if let Some(w) = expected {
            let w = canonical_signer(w)?;
            if self.signer != w {
                return Err(Error::integrity(format!(
                    "snapshot is signed by {}, not by the expected signer {w}",
                    self.signer
                )));
            }
        }
        Ok(())
    }
}

/// Canonical form of a `--signer` wallet. Errors: Local when it is not a wallet address.
pub fn canonical_signer(w: &str) -> Result<String> {
    crate::crypto::pop::canonical_wallet(w)
        .map_err(|_| Error::local(format!("--signer {w:?} is not a wallet address")))
}

/// Streaming, verifying parser of a backup file (every check is listed in the module docs of
/// [`super`]).
pub struct BackupReader<R: Read> {
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

impl<R: Read> BackupReader<R> {
    /// Read and check the header and the manifest. `r` should be buffered.
    ///
    /// Errors: Integrity (bad magic, unknown format version or flags, truncated or invalid
    /// manifest), Local (I/O).
    pub fn open(r: R) -> Result<Self> {
        let mut me = BackupReader {
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

    /// The manifest (not yet verified: trust it only after [`BackupReader::finish`]).
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

/// `read_exact` with the file's errors: truncation is Integrity (naming `what` and offset
/// `at`), anything else Local.
fn read_exact<R: Read>(r: &mut R, buf: &mut [u8], what: &str, at: u64) -> Result<()> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            bad(format!("file is truncated (reading {what} at offset {at})"))
        } else {
            Error::local(format!("cannot read snapshot: {e}"))
        }
    })
}

/// An empty manifest, replaced by the real one before [`BackupReader::open`] returns.
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

/// Header and manifest of the backup file at `path`, without reading the data (`backup inspect`;
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

/// A buffered reader of `f` for [`BackupReader::open`] (1 MiB buffer).
pub fn buffered(f: File) -> BufReader<File> {
    BufReader::with_capacity(IO_BUFFER, f)
}

/// Verify the backup file at `path` completely ([`BackupReader::finish`]), reporting
/// (bytes read, total) to `progress` every ~1 MiB.
pub fn verify_file(path: &Path, mut progress: Option<Progress<'_>>) -> Result<Verified> {
    let mut rd = BackupReader::open(buffered(open_file(path)?))?;
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

#[cfg(test)]
mod tests {
    use super::super::testing::resign;
    use super::*;
    use crate::error::ErrorKind;
    use crate::identity::Identity;
    use crate::storage::backup::fixtures::*;
    use crate::storage::MemoryStorage;

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

    #[test]
    fn forged_manifests() {
        let id = Identity::generate();
        let mem = MemoryStorage::new();
        populate(&mem);
        let good = snap(&mem, &id);
        // Same edit-free re-encoding with the right key verifies (the forge helper is sound).
        verify(&resign(&good, &id, |_| {})).unwrap();
        // Another cluster, re-signed by another key: signature does not recover to node_wallet.
        let other = Identity::generate();
        let e = verify(&resign(&good, &other, |m| m.cluster.chain_id = 1)).unwrap_err();
        assert!(e.message().contains("bad signature"), "{e}");
        // Re-signed by the same key: valid (the caller compares the cluster).
        let v = verify(&resign(&good, &id, |m| m.cluster.chain_id = 1)).unwrap();
        assert_eq!(v.manifest.cluster.chain_id, 1);
        // Counts that lie, even correctly signed.
        let e = verify(&resign(&good, &id, |m| {
            m.apps[0].records += 1;
            m.totals.records += 1;
        }))
        .unwrap_err();
        assert!(e.message().contains("counts"), "{e}");
        // Inconsistent totals.
        let e = verify(&resign(&good, &id, |m| m.totals.bytes += 1)).unwrap_err();
        assert!(e.message().contains("totals"), "{e}");
        // Sealed entry the manifest does not announce.
        let e = verify(&resign(&good, &id, |m| m.sealed_master_secret = None)).unwrap_err();
        assert!(e.message().contains("sealed"), "{e}");
    }
}
