//! Clean-shutdown marker (issue 12 item 5): start-up in O(changed), not O(records).
//!
//! The full verification at open (`verify`: every record's checksum, every index and counter)
//! costs O(records). It is needed when the last process may have stopped mid-write or the file
//! may have been changed while no node held it; it is wasted after an orderly stop of a file
//! nobody touched since. So:
//!
//! * [`RedbStorage::close_clean`] (called by `novakms serve` at the end of an orderly
//!   shutdown, after every task that writes has stopped) closes the database and then writes
//!   `novakms.redb.clean` next to it: the file's length, modification time (ns) and inode as
//!   they are after the close, written to a temporary name, fsynced, renamed, directory
//!   fsynced.
//! * At open, [`take`] reads and **removes** the marker (durably, before redb opens the file);
//!   the open skips the full verification only if the marker names exactly the file's current
//!   length, mtime and inode. Any other case — no marker (kill -9, crash, power loss, an older
//!   build), an unreadable marker, a file written, truncated, copied or replaced since — runs
//!   the full verification as before.
//!
//! The guarantee: a file torn by a crash is always fully verified before serving (a crash
//! leaves no marker, and a marker is removed at every open, so a crash after an open leaves
//! none either); a file altered while the node was stopped through the file system (which
//! updates mtime) is fully verified too. What the marker cannot see is a change that keeps
//! length, mtime and inode (media bit rot under an unchanged file): that is still found by the
//! per-record checksum (`codec`) when the record is read (an `Integrity` error, never a wrong
//! answer), and by `backup verify` / a full open after an unclean stop. The cheap checks (schema
//! version, `last_seq`, binding) run on every open.

use std::fs;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::file::fsync_dir;
use super::RedbStorage;

/// Name of the marker inside the data dir.
pub const CLEAN_MARKER_NAME: &str = "novakms.redb.clean";

fn marker_path(db: &Path) -> PathBuf {
    db.with_file_name(CLEAN_MARKER_NAME)
}

/// `v1 <len> <mtime ns> <inode>` of the file at `db`.
fn fingerprint(db: &Path) -> std::io::Result<String> {
    let m = fs::metadata(db)?;
    let mtime_ns = m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128;
    Ok(format!("v1 {} {} {}", m.len(), mtime_ns, m.ino()))
}

/// What [`take`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    /// A marker naming the file as it is now: closed cleanly, untouched since.
    Clean,
    /// No marker: the last process was killed or crashed (or an older build ran).
    Absent,
    /// A marker that does not name the file (changed, copied or replaced since the clean
    /// close) or cannot be read: the file is suspect.
    Stale,
}

/// Read and remove the marker of the database at `db` (module docs). Errors: `Local` when a
/// present marker cannot be removed (the open must not proceed with a marker that would
/// outlive it).
pub(super) fn take(db: &Path) -> Result<Marker> {
    let path = marker_path(db);
    let content = match fs::read_to_string(&path) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Marker::Absent),
        Err(_) => String::new(), // unreadable: remove it and verify fully
    };
    fs::remove_file(&path).map_err(|e| {
        Error::local(format!(
            "cannot remove the clean-shutdown marker {}: {e}",
            path.display()
        ))
    })?;
    if let Some(dir) = path.parent() {
        fsync_dir(dir)
            .map_err(|e| Error::local(format!("cannot sync data dir {}: {e}", dir.display())))?;
    }
    Ok(
        if fingerprint(db).is_ok_and(|fp| fp == content.trim_end()) {
            Marker::Clean
        } else {
            Marker::Stale
        },
    )
}

impl RedbStorage {
    /// Orderly close (module docs): close the database (every later call fails with the
    /// "closed" error) and leave the clean-shutdown marker, so the next open skips the full
    /// verification if nothing touches the file meanwhile. A read-only or custom-backend store
    /// is only closed. Call only once nothing writes anymore. Errors: `Local` (writing the
    /// marker; the database is closed anyway and the next open verifies fully).
    pub fn close_clean(&self) -> Result<()> {
        let _serial = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut slot = self.db.write().unwrap_or_else(|p| p.into_inner());
        let Some(db) = slot.take() else {
            return Ok(());
        };
        drop(db);
        if self.read_only || self.reopen.is_some() {
            return Ok(());
        }
        if !self.verified.load(std::sync::atomic::Ordering::SeqCst) {
            tracing::warn!("the deferred full verification did not complete: no clean-shutdown marker (the next open verifies fully)");
            return Ok(());
        }
        let path = marker_path(&self.path);
        let tmp = path.with_extension("clean.tmp");
        let write = || -> std::io::Result<()> {
            let fp = fingerprint(&self.path)?;
            let mut f = fs::File::create(&tmp)?;
            f.write_all(fp.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            if let Some(dir) = path.parent() {
                fsync_dir(dir)?;
            }
            Ok(())
        };
        write().map_err(|e| {
            Error::local(format!(
                "cannot write the clean-shutdown marker {}: {e}",
                path.display()
            ))
        })
    }
}
