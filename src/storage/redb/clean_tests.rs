//! The clean-shutdown marker (`clean`): what it skips, and that a file changed after the clean
//! close, or a crash, still gets the full verification before anything is served.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::*;
use crate::storage::Storage;
use crate::store::{Limits, Record, VectorClock};

const PATTERN: &[u8] = b"CLEAN-MARKER-TEST-VALUE-0123456789";

fn filled() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("data");
    let s = RedbStorage::open(&d).unwrap();
    let r = Record {
        key: "victim".into(),
        value: PATTERN.to_vec(),
        version: VectorClock::from([("0x22", 1)]),
        updated_at_ms: 5,
        tombstone: false,
        ttl_ms: 0,
    };
    s.merge_remote(7, vec![r], &Limits::default()).unwrap();
    s.put_local(7, "other", vec![1; 40], 0, "0x11", 6, &Limits::default())
        .unwrap();
    s.close_clean().unwrap();
    (t, d)
}

/// Flip one byte of every stored copy of [`PATTERN`] (the record's value); `keep_mtime` puts
/// the file's modification time back, as silent media corruption would leave it.
fn damage(dir: &Path, keep_mtime: bool) {
    let db = dir.join(DB_FILE_NAME);
    let before = fs::metadata(&db).unwrap();
    let mut bytes = fs::read(&db).unwrap();
    let mut hits = 0;
    for i in 0..bytes.len().saturating_sub(PATTERN.len()) {
        if &bytes[i..i + PATTERN.len()] == PATTERN {
            bytes[i + 3] ^= 0x20;
            hits += 1;
        }
    }
    assert!(hits > 0, "the value is stored in the file");
    fs::write(&db, &bytes).unwrap();
    if keep_mtime {
        let c = std::ffi::CString::new(db.as_os_str().as_encoded_bytes()).unwrap();
        let t = libc::timespec {
            tv_sec: before.mtime() as libc::time_t,
            tv_nsec: before.mtime_nsec() as libc::c_long,
        };
        let times = [t, t];
        assert_eq!(
            unsafe { libc::utimensat(libc::AT_FDCWD, c.as_ptr(), times.as_ptr(), 0) },
            0
        );
    }
}

#[test]
fn clean_close_leaves_a_marker_that_the_next_open_consumes() {
    let (_t, d) = filled();
    let marker = d.join(CLEAN_MARKER_NAME);
    assert!(marker.exists(), "orderly close leaves the marker");
    let s = RedbStorage::open(&d).unwrap();
    assert!(!marker.exists(), "the open removes it before serving");
    assert_eq!(s.get(7, "victim").unwrap().unwrap().value, PATTERN);
    assert_eq!(s.last_seq().unwrap(), 2);
    // After close_clean every call fails instead of reopening behind the caller's back.
    s.close_clean().unwrap();
    assert!(s.get(7, "victim").is_err());
    s.close_clean().unwrap(); // idempotent
}

#[test]
fn a_file_changed_after_the_clean_close_is_fully_verified() {
    let (_t, d) = filled();
    damage(&d, false);
    let e = RedbStorage::open(&d).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Integrity, "{e}");
}

#[test]
fn a_file_changed_after_a_clean_close_is_not_deferred() {
    let (_t, d) = filled();
    damage(&d, false); // the marker no longer names the file: suspect
    let e = RedbStorage::open_deferring_check(&d, super::file::DEFAULT_CACHE_BYTES).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Integrity, "{e}");
}

#[test]
fn the_quick_open_skips_the_scan_and_a_damaged_record_fails_its_read() {
    let (_t, d) = filled();
    damage(&d, true); // same length, mtime and inode: the marker cannot see it
    let s = RedbStorage::open(&d).expect("quick open after a clean close");
    let e = s.get(7, "victim").unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Integrity, "{e}");
    assert!(
        s.get(7, "other").unwrap().is_some(),
        "other records still read"
    );
    drop(s); // not an orderly close: no marker
    let e = RedbStorage::open(&d).unwrap_err();
    assert_eq!(
        e.kind(),
        crate::ErrorKind::Integrity,
        "full verification: {e}"
    );
}

#[test]
fn without_a_marker_or_with_a_stale_one_the_open_verifies_fully() {
    let (_t, d) = filled();
    // A marker copied from another moment (the inode and mtime differ) is not believed.
    fs::write(d.join(CLEAN_MARKER_NAME), "v1 1 2 3").unwrap();
    damage(&d, true);
    let e = RedbStorage::open(&d).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Integrity, "{e}");
    assert!(
        !d.join(CLEAN_MARKER_NAME).exists(),
        "removed even when stale"
    );
}

#[test]
fn a_deferred_check_opens_quickly_and_finds_damage_later() {
    let (_t, d) = filled();
    fs::remove_file(d.join(CLEAN_MARKER_NAME)).unwrap(); // as after a kill
                                                         // An undamaged file: quick open, the check due, and it passes.
    let (s, due) = RedbStorage::open_deferring_check(&d, super::file::DEFAULT_CACHE_BYTES).unwrap();
    assert!(due);
    s.verify_full().unwrap();
    s.close_clean().unwrap();
    assert!(
        d.join(CLEAN_MARKER_NAME).exists(),
        "verified: the marker is left"
    );
    // After a clean close nothing is due.
    let (s, due) = RedbStorage::open_deferring_check(&d, super::file::DEFAULT_CACHE_BYTES).unwrap();
    assert!(!due);
    drop(s);
    // A damaged record after an unclean stop: the open still succeeds (the cheap checks), the
    // damaged record fails its read, and the deferred check finds the damage.
    damage(&d, false);
    let (s, due) = RedbStorage::open_deferring_check(&d, super::file::DEFAULT_CACHE_BYTES).unwrap();
    assert!(due);
    assert_eq!(
        s.get(7, "victim").unwrap_err().kind(),
        crate::ErrorKind::Integrity
    );
    let e = s.verify_full().unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Integrity, "{e}");
    // Closed without a passed check: no marker, so the next open verifies fully.
    s.close_clean().unwrap();
    assert!(!d.join(CLEAN_MARKER_NAME).exists(), "unverified: no marker");
    let e = RedbStorage::open(&d).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Integrity, "{e}");
}
