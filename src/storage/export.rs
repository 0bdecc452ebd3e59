//! Point-in-time export of a whole database ([`crate::storage::Storage::export`]): what a
//! backend reports first ([`ExportBegin`]) and the receiver of the records ([`ExportSink`]).
//! The backup file writer (`storage::backup`) is one such receiver; the export itself knows
//! nothing of the file format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::storage::ClusterBinding;
use crate::store::Record;

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
    /// Count `rec` (a record or a tombstone) and its accounted bytes.
    pub fn add(&mut self, rec: &Record) {
        if rec.tombstone {
            self.tombstones += 1;
        } else {
            self.records += 1;
        }
        self.bytes = self.bytes.saturating_add(rec.cost());
    }
}

/// What a backend reports at the start of a point-in-time export, read in the same transaction
/// as the records that follow (see [`crate::storage::Storage::export`]).
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

/// Receiver of a point-in-time export ([`crate::storage::Storage::export`]): `begin` once, then
/// `record` for every record in ascending (app id, key bytes) order. An error aborts the export.
pub trait ExportSink {
    /// Called once before any record.
    fn begin(&mut self, begin: &ExportBegin) -> Result<()>;
    /// One stored record: its app, key, and bytes in the storage codec format.
    fn record(&mut self, app_id: u64, key: &str, encoded: &[u8]) -> Result<()>;
}
