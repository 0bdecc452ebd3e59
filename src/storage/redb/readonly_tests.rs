//! Tests of the read-only open (`readonly`): the database file is never written, whichever way
//! it is read (in place, or from a private copy for a file needing a repair or written by redb
//! 2.x), writes are refused, and the locks keep a node from starting meanwhile.

use std::fs;
use std::path::Path;

use super::upgrade_tests::{legacy_dir, names, populate, state, Legacy};
use super::*;
use crate::storage::Storage;
use crate::store::Limits;

/// The database file's bytes.
fn bytes(dir: &Path) -> Vec<u8> {
    fs::read(dir.join(DB_FILE_NAME)).unwrap()
}

/// Every write is refused on a view and leaves the file alone.
fn assert_writes_refused(v: &ReadOnlyStorage) {
    let e = v
        .put_local(49, "w", vec![1; 8], 0, "0x11", 5000, &Limits::default())
        .unwrap_err();
    let crate::storage::WriteError::Storage(e) = e else {
        panic!("{e:?}")
    };
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    assert!(e.message().contains("read-only"), "{e}");
    let e = v.store_sealed_master_secret(&[1; 8]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
}

#[test]
fn a_clean_current_file_is_read_in_place_and_never_written() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("data");
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    let want = state(&s);
    drop(s);
    let before = bytes(&dir);
    let v = RedbStorage::open_read_only(&dir).unwrap();
    assert_eq!(v.copied_because(), None);
    assert_eq!(state(&v), want);
    assert_writes_refused(&v);
    // Two views share the file; a node cannot start while one is open.
    let v2 = RedbStorage::open_read_only(&dir).unwrap();
    assert_eq!(state(&v2), want);
    let e = RedbStorage::open(&dir).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InUse, "{e}");
    drop((v, v2));
    assert_eq!(bytes(&dir), before, "a read-only open wrote the file");
    assert_eq!(names(&dir), vec![DB_FILE_NAME]);
    // After the views are gone the node opens it.
    drop(RedbStorage::open(&dir).unwrap());
}

#[test]
fn a_running_node_makes_a_read_only_open_in_use() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("data");
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    let e = RedbStorage::open_read_only(&dir).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InUse, "{e}");
    let e = RedbStorage::open_read_only(&t.path().join("none")).unwrap_err();
    assert!(e.message().contains("no database in"), "{e}");
    assert!(!t.path().join("none").exists());
}

#[test]
fn a_file_needing_repair_is_read_in_place_through_an_in_memory_view() {
    let t = tempfile::tempdir().unwrap();
    let live = t.path().join("live");
    let s = RedbStorage::open(&live).unwrap();
    populate(&s);
    let want = state(&s);
    // The bytes on disk while a node holds the file: what `kill -9` leaves.
    let dir = t.path().join("data");
    fs::create_dir(&dir).unwrap();
    fs::copy(live.join(DB_FILE_NAME), dir.join(DB_FILE_NAME)).unwrap();
    drop(s);
    // A copy abandoned by a killed process (no lock held) is cleared on the way.
    fs::create_dir(dir.join(format!("{VIEW_PREFIX}1-0"))).unwrap();
    let before = bytes(&dir);
    let v = RedbStorage::open_read_only(&dir).unwrap();
    assert_eq!(v.copied_because(), None, "read in place, not from a copy");
    assert_eq!(state(&v), want);
    assert_writes_refused(&v);
    // No copy made, and the lock on the original: no node starts meanwhile; a second view
    // reads it too.
    assert_eq!(names(&dir), vec![DB_FILE_NAME]);
    let e = RedbStorage::open(&dir).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InUse, "{e}");
    let v2 = RedbStorage::open_read_only(&dir).unwrap();
    assert_eq!(state(&v2), want);
    drop((v, v2));
    assert_eq!(bytes(&dir), before, "the file needing repair was written");
    assert_eq!(names(&dir), vec![DB_FILE_NAME]);
}

/// A redb 2.x (novakms 0.1.0) file is read from an upgraded private copy, never upgraded.
fn legacy_read_only(kind: Legacy) {
    let (_t, dir, want) = legacy_dir(kind);
    let before = bytes(&dir);
    let v = RedbStorage::open_read_only(&dir).unwrap();
    let why = v.copied_because().expect("read from a copy").to_string();
    assert!(why.contains("redb 2.x") || why.contains("repair"), "{why}");
    assert_eq!(state(&v), want);
    assert_writes_refused(&v);
    drop(v);
    assert_eq!(bytes(&dir), before, "the redb 2.x file was written");
    assert_eq!(names(&dir), vec![DB_FILE_NAME]);
}

#[test]
fn a_redb2_file_is_read_from_a_private_copy_and_left_as_it_was() {
    legacy_read_only(Legacy::V3);
    legacy_read_only(Legacy::V2);
    legacy_read_only(Legacy::V3Crashed);
}

#[test]
fn the_node_start_removes_abandoned_copies() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("data");
    drop(RedbStorage::open(&dir).unwrap());
    let stale = dir.join(format!("{VIEW_PREFIX}1-0"));
    fs::create_dir(&stale).unwrap();
    fs::write(stale.join(DB_FILE_NAME), b"x").unwrap();
    drop(RedbStorage::open(&dir).unwrap());
    assert_eq!(names(&dir), vec![DB_FILE_NAME]);
}
