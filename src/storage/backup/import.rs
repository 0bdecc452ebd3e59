//! Importing a verified backup file into a storage: every record, the cluster binding and
//! (optionally) the sealed master secret, verified to the end on the way.

use std::io::Read;

use super::read::{BackupReader, Entry, Verified};
use super::write::Progress;
use crate::error::{Error, Result};
use crate::storage::Storage;
use crate::store::{Limits, QuotaPolicy, Record};

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
/// The snapshot is verified to the end ([`BackupReader::finish`]); on any error the
/// database holds a partial import and must be discarded.
pub fn import<R: Read>(
    mut rd: BackupReader<R>,
    storage: &dyn Storage,
    keep_sealed: bool,
    mut progress: Option<Progress<'_>>,
) -> Result<ImportReport> {
    let limits = Limits {
        max_kv_value_size_bytes: usize::MAX,
        max_app_storage_bytes: u64::MAX,
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
    use crate::identity::Identity;
    use crate::storage::backup::fixtures::*;
    use crate::storage::backup::MAGIC;
    use crate::storage::{MemoryStorage, RedbStorage};

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
        let rep = import(BackupReader::open(&a[..]).unwrap(), &fresh, true, None).unwrap();
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
        let rep = import(BackupReader::open(&a[..]).unwrap(), &mem2, false, None).unwrap();
        assert!(!rep.sealed_master_secret_restored);
        assert_eq!(mem2.load_sealed_master_secret().unwrap(), None);
    }
}
