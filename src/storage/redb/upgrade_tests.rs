//! Tests of the redb 2.x -> 4.x upgrade (`upgrade`): legacy files are built here by copying a
//! populated current database table by table into a redb 2.x file (file format v3 as novakms
//! 0.1.0 wrote it, or v2), optionally as the image an unclean shutdown leaves. The committed
//! 0.1.0 fixture is tested in `tests/fixtures_compat.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ::redb::{ReadableDatabase, ReadableTable};

use super::tables::RECORDS;
use super::upgrade::{
    probe, probe_overlay, Format, FAIL_BEFORE_SWAP, PROBE_PREFIX, UPGRADE_PREFIX,
};
use super::*;
use crate::storage::{PeerCursor, Storage};
use crate::store::{Limits, Record, VectorClock};

const N1: &str = "0x1111111111111111111111111111111111111111";

/// How the legacy file is left.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Legacy {
    /// File format v3, closed cleanly (what novakms 0.1.0 left after a clean stop).
    V3,
    /// File format v2 (redb 2.x without `create_with_file_format_v3`).
    V2,
    /// File format v3, copied while redb 2.x still had it open (an unclean shutdown), last
    /// commit without quick repair (so redb 4.x cannot open it read-only: the probe runs on a
    /// copy).
    V3Crashed,
}

pub(super) fn populate(s: &RedbStorage) {
    let l = Limits::default();
    s.put_local(49, "a", vec![1; 40], 0, N1, 1000, &l).unwrap();
    s.put_local(49, "b", vec![2; 40], 60_000, N1, 1000, &l)
        .unwrap();
    s.delete_local(49, "a", N1, 1001).unwrap().unwrap();
    let r = Record {
        key: "m".into(),
        value: vec![3; 33],
        version: VectorClock::from([("0x22", 3)]),
        updated_at_ms: 999,
        tombstone: false,
        ttl_ms: 0,
    };
    s.merge_remote_from(50, vec![r], &l, Some("0x22")).unwrap();
    s.set_peer_cursor(
        "0x22",
        &PeerCursor {
            acked_seq: 2,
            last_success_ms: 5,
        },
    )
    .unwrap();
    s.store_sealed_master_secret(&[7; 80]).unwrap();
}

/// Everything a store holds that the tests compare before and after.
pub(super) type State = (
    BTreeMap<u64, Vec<Record>>,
    u64,
    Option<Vec<u8>>,
    Option<u64>,
);

pub(super) fn state(s: &RedbStorage) -> State {
    (
        s.snapshot(0).unwrap(),
        s.last_seq().unwrap(),
        s.load_sealed_master_secret().unwrap(),
        s.peer_cursor("0x22").unwrap().map(|c| c.acked_seq),
    )
}

/// Copy table `$name` from the redb 4.x read transaction `$r` into the redb 2.x write
/// transaction `$w`.
macro_rules! down {
    ($r:expr, $w:expr, $name:expr, $k:ty, $v:ty) => {{
        let src = $r
            .open_table(::redb::TableDefinition::<$k, $v>::new($name))
            .unwrap();
        let mut dst = $w
            .open_table(redb2::TableDefinition::<$k, $v>::new($name))
            .unwrap();
        for item in src.iter().unwrap() {
            let (k, v) = item.unwrap();
            dst.insert(k.value(), v.value()).unwrap();
        }
    }};
}

/// Rewrite the current database in `dir` as a redb 2.x file of the given kind (in place).
fn make_legacy(dir: &Path, kind: Legacy) {
    let path = dir.join(DB_FILE_NAME);
    let tmp = dir.join("legacy.tmp");
    let _ = fs::remove_file(&tmp);
    let src = ::redb::Database::open(&path).unwrap();
    let r = src.begin_read().unwrap();
    let dst = redb2::Builder::new()
        .create_with_file_format_v3(kind != Legacy::V2)
        .create(&tmp)
        .unwrap();
    let mut w = dst.begin_write().unwrap();
    w.set_two_phase_commit(kind != Legacy::V3Crashed);
    w.set_quick_repair(kind != Legacy::V3Crashed);
    down!(r, w, "meta", &str, &[u8]);
    down!(r, w, "records", (u64, &str), &[u8]);
    down!(r, w, "changes", u64, (u64, &str));
    down!(r, w, "change_index", (u64, &str), u64);
    down!(r, w, "change_origin", u64, &str);
    down!(r, w, "usage", u64, (u64, u64, u64));
    down!(r, w, "by_age", (u64, u8, u64, &str), (u64, u64));
    down!(r, w, "expiry", (u64, u64, &str), u8);
    down!(r, w, "peers", &str, (u64, u64));
    down!(r, w, "master_secret", &str, &[u8]);
    w.commit().unwrap();
    drop(r);
    drop(src);
    if kind == Legacy::V3Crashed {
        // The bytes on disk while redb 2.x holds the file: no clean-shutdown mark.
        fs::copy(&tmp, &path).unwrap();
        drop(dst);
        fs::remove_file(&tmp).unwrap();
    } else {
        drop(dst);
        fs::rename(&tmp, &path).unwrap();
    }
}

/// A populated store in `<tmp>/data` turned into a legacy file; returns its state.
pub(super) fn legacy_dir(kind: Legacy) -> (tempfile::TempDir, PathBuf, State) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("data");
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    let want = state(&s);
    drop(s);
    make_legacy(&dir, kind);
    (t, dir, want)
}

pub(super) fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The file opens with redb 4.x and its tuple-keyed table has the current encoding.
fn assert_current(dir: &Path) {
    let db = ::redb::Database::open(dir.join(DB_FILE_NAME)).unwrap();
    let r = db.begin_read().unwrap();
    let t = r
        .open_table(RECORDS)
        .expect("records in the redb 4.x encoding");
    assert!(t.iter().unwrap().count() > 0);
}

fn upgraded_in_place(kind: Legacy) {
    let (_t, dir, want) = legacy_dir(kind);
    let path = dir.join(DB_FILE_NAME);
    assert!(matches!(probe(&dir, &path).unwrap(), Format::Legacy(_)));
    let s = RedbStorage::open(&dir).expect("a redb 2.x file is upgraded and opens");
    assert_eq!(state(&s), want);
    // Writable afterwards, and the write survives a reopen.
    s.put_local(49, "new", vec![9; 20], 0, N1, 2000, &Limits::default())
        .unwrap();
    drop(s);
    let s = RedbStorage::open(&dir).unwrap();
    assert!(s.get(49, "new").unwrap().is_some());
    drop(s);
    assert_current(&dir);
    // The old file is kept once (like a forced restore keeps it), nothing else is left over,
    // and the second open did not upgrade again.
    let n = names(&dir);
    assert_eq!(n.len(), 2, "{n:?}");
    assert_eq!(n[0], DB_FILE_NAME);
    assert!(
        n[1].starts_with(crate::storage::backup::plan::OLD_PREFIX),
        "{n:?}"
    );
    assert_eq!(
        fs::metadata(dir.join(&n[0])).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn legacy_v3_file_is_upgraded_in_place_with_every_entry() {
    upgraded_in_place(Legacy::V3);
}

#[test]
fn legacy_v2_format_file_is_upgraded_in_place() {
    upgraded_in_place(Legacy::V2);
}

#[test]
fn legacy_file_left_by_an_unclean_shutdown_is_upgraded() {
    upgraded_in_place(Legacy::V3Crashed);
}

#[test]
fn current_file_is_left_alone_even_after_an_unclean_shutdown() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("data");
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    let want = state(&s);
    // The bytes on disk while the node holds the file.
    let image = fs::read(s.path()).unwrap();
    drop(s);
    let path = dir.join(DB_FILE_NAME);
    fs::write(&path, &image).unwrap();
    assert_eq!(probe(&dir, &path).unwrap(), Format::Current);
    assert_eq!(fs::read(&path).unwrap(), image, "the probe wrote the file");
    let s = RedbStorage::open(&dir).unwrap();
    assert_eq!(state(&s), want);
    drop(s);
    assert_eq!(names(&dir), vec![DB_FILE_NAME.to_string()]);
}

#[test]
fn files_needing_repair_are_probed_in_place_without_a_write() {
    // A current file as a killed node leaves it.
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("data");
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    let image = fs::read(s.path()).unwrap();
    drop(s);
    let path = dir.join(DB_FILE_NAME);
    fs::write(&path, &image).unwrap();
    assert!(matches!(
        super::readonly::try_open_read_only(&path).unwrap(),
        Err(::redb::DatabaseError::RepairAborted)
    ));
    assert_eq!(probe_overlay(&path).unwrap(), Format::Current);
    assert_eq!(fs::read(&path).unwrap(), image, "the view wrote the file");
    assert_eq!(names(&dir), vec![DB_FILE_NAME.to_string()]);
    // A redb 2.x file left by an unclean shutdown, without quick-repair state (a full repair).
    let (_t, dir, _) = legacy_dir(Legacy::V3Crashed);
    let path = dir.join(DB_FILE_NAME);
    let image = fs::read(&path).unwrap();
    assert!(matches!(probe_overlay(&path).unwrap(), Format::Legacy(_)));
    assert_eq!(fs::read(&path).unwrap(), image, "the view wrote a 2.x file");
}

#[test]
fn interrupted_upgrade_keeps_the_old_file_and_is_redone() {
    let (_t, dir, want) = legacy_dir(Legacy::V3);
    let path = dir.join(DB_FILE_NAME);
    let before = fs::read(&path).unwrap();
    // Fails after the new file is built and synced, before the swap: like a kill there.
    FAIL_BEFORE_SWAP.with(|f| f.set(true));
    let e = RedbStorage::open(&dir).expect_err("failing upgrade");
    FAIL_BEFORE_SWAP.with(|f| f.set(false));
    assert_eq!(e.kind(), ErrorKind::Local, "{e}");
    assert_eq!(fs::read(&path).unwrap(), before, "old file changed");
    assert_eq!(names(&dir), vec![DB_FILE_NAME.to_string()]);
    // A kill leaves the half-built copies behind: the next upgrade removes them.
    fs::write(dir.join(format!("{UPGRADE_PREFIX}999999")), b"partial").unwrap();
    fs::write(dir.join(format!("{PROBE_PREFIX}999999")), b"partial").unwrap();
    let s = RedbStorage::open(&dir).unwrap();
    assert_eq!(state(&s), want);
    drop(s);
    let n = names(&dir);
    assert_eq!(n.len(), 2, "{n:?}");
    assert!(n
        .iter()
        .all(|n| !n.starts_with(UPGRADE_PREFIX) && !n.starts_with(PROBE_PREFIX)));
}

#[test]
fn legacy_file_with_an_unknown_table_is_refused_unchanged() {
    let (_t, dir, _) = legacy_dir(Legacy::V3);
    let path = dir.join(DB_FILE_NAME);
    {
        let db = redb2::Database::open(&path).unwrap();
        let w = db.begin_write().unwrap();
        w.open_table(redb2::TableDefinition::<u64, u64>::new("other"))
            .unwrap()
            .insert(1, 2)
            .unwrap();
        w.commit().unwrap();
    }
    let before = fs::read(&path).unwrap();
    let e = RedbStorage::open(&dir).expect_err("unknown table");
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    assert!(e.message().contains("\"other\""), "{e}");
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(names(&dir), vec![DB_FILE_NAME.to_string()]);
}

#[test]
fn upgrade_refuses_while_another_handle_holds_the_legacy_file() {
    let (_t, dir, _) = legacy_dir(Legacy::V3);
    let held = redb2::Database::open(dir.join(DB_FILE_NAME)).unwrap();
    let e = RedbStorage::open(&dir).expect_err("file held by redb 2.x");
    assert_eq!(e.kind(), ErrorKind::InUse, "{e}");
    drop(held);
    RedbStorage::open(&dir).unwrap();
}

/// Measures the upgrade of a ~100 MB database (docs/reliability.md "redb 4 upgrade"). Run on
/// purpose: `cargo test --release --lib upgrade_timing -- --ignored --nocapture`.
#[test]
#[ignore = "builds a 100 MB database; run on purpose for the figure in docs/reliability.md"]
fn upgrade_timing_100mb() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("data");
    let s = RedbStorage::open(&dir).unwrap();
    let l = Limits {
        max_app_storage_bytes: u64::MAX / 4,
        ..Limits::default()
    };
    let value = vec![0x5a; 4000];
    for batch in 0..25u64 {
        let recs: Vec<Record> = (0..1000u64)
            .map(|i| Record {
                key: format!("key-{batch}-{i}"),
                value: value.clone(),
                version: VectorClock::from([("0x22", batch * 1000 + i + 1)]),
                updated_at_ms: 1_000 + i,
                tombstone: false,
                ttl_ms: 0,
            })
            .collect();
        s.merge_remote(batch % 5, recs, &l).unwrap();
    }
    let want = s.snapshot(0).unwrap().values().map(Vec::len).sum::<usize>();
    drop(s);
    make_legacy(&dir, Legacy::V3);
    let bytes = fs::metadata(dir.join(DB_FILE_NAME)).unwrap().len();
    let start = Instant::now();
    let s = RedbStorage::open(&dir).unwrap();
    let upgraded = start.elapsed();
    drop(s);
    let start = Instant::now();
    let s = RedbStorage::open(&dir).unwrap();
    let plain = start.elapsed();
    assert_eq!(
        s.snapshot(0).unwrap().values().map(Vec::len).sum::<usize>(),
        want
    );
    let after = fs::metadata(dir.join(DB_FILE_NAME)).unwrap().len();
    eprintln!(
        "legacy file {bytes} bytes, {want} records: first open (upgrade + verify) {upgraded:?}, \
         next open (verify only) {plain:?}, new file {after} bytes"
    );
}
