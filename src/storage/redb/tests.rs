//! Unit tests of the redb backend: persistence across reopen, file modes, the file lock (also
//! across processes), disk full, and refusal of damaged, foreign or newer files. The shared
//! behaviour suite runs in `storage::suite`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::Ordering;

use ::redb::{Database, TableDefinition};

use super::tables::{CHANGE_INDEX, CHANGE_ORIGIN, META, META_SCHEMA, USAGE};
use super::*;
use crate::storage::{ClusterBinding, PeerCursor, PushFilter, Storage, WriteError};
use crate::store::{Limits, Record, VectorClock};

const N1: &str = "0x1111111111111111111111111111111111111111";
const CHILD_ENV: &str = "NOVAKMS_TEST_LOCK_CHILD_DIR";

fn data_dir() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("data");
    (t, d)
}

fn populate(s: &RedbStorage) {
    let l = Limits::default();
    s.put_local(49, "a", vec![1; 40], 0, N1, 1000, &l).unwrap();
    s.put_local(49, "b", vec![2; 40], 60_000, N1, 1000, &l)
        .unwrap();
    s.delete_local(49, "a", N1, 1001).unwrap().unwrap();
    let r = Record {
        key: "m".into(),
        value: b"NOVAKMS-MARKER-0123456789-NOVAKMS-MARKER".to_vec(),
        version: VectorClock::from([("0x22", 3)]),
        updated_at_ms: 999,
        tombstone: false,
        ttl_ms: 0,
    };
    s.merge_remote(50, vec![r], &l).unwrap();
    s.set_peer_cursor(
        "0x22",
        &PeerCursor {
            acked_seq: 2,
            last_success_ms: 5,
        },
    )
    .unwrap();
    s.store_sealed_master_secret(&[7; 80]).unwrap();
    let small = Limits {
        max_app_storage_bytes: 70,
        ..Limits::default()
    };
    s.put_local(60, "old", vec![0; 30], 0, N1, 1, &small)
        .unwrap();
    let out = s
        .put_local(60, "new", vec![0; 40], 0, N1, 2, &small)
        .unwrap();
    assert_eq!(out.evicted, vec!["old"]);
    s.set_binding(&ClusterBinding {
        chain_id: 31337,
        nova_app_registry: "0xaa".into(),
        kms_registry: "0xbb".into(),
        kms_app_id: 49,
        node_wallet: N1.into(),
    })
    .unwrap();
}

#[test]
fn data_persists_across_reopen() {
    let (_t, dir) = data_dir();
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    let snap = s.snapshot(2000).unwrap();
    let seq = s.last_seq().unwrap();
    let changes = s.changes_since(0, 100).unwrap();
    let binding = s.binding().unwrap();
    let stats = s.stats(2000).unwrap();
    drop(s);
    let s = RedbStorage::open(&dir).unwrap();
    assert_eq!(s.snapshot(2000).unwrap(), snap);
    assert_eq!(s.last_seq().unwrap(), seq);
    assert_eq!(s.changes_since(0, 100).unwrap(), changes);
    assert_eq!(s.binding().unwrap(), binding);
    assert_eq!(s.stats(2000).unwrap(), stats);
    assert_eq!(s.load_sealed_master_secret().unwrap(), Some(vec![7; 80]));
    assert_eq!(s.peer_cursor("0x22").unwrap().unwrap().acked_seq, 2);
    assert_eq!(s.path(), dir.join(DB_FILE_NAME));
    // clocks continue after reopen
    let r = s
        .put_local(49, "b", vec![3], 0, N1, 3000, &Limits::default())
        .unwrap();
    assert_eq!(r.record.version, VectorClock::from([(N1, 2)]));
    assert_eq!(s.last_seq().unwrap(), seq + 1);
}

#[test]
fn creates_private_dir_and_file_without_leftovers() {
    let (_t, dir) = data_dir();
    let nested = dir.join("deeper");
    let s = RedbStorage::open(&nested).unwrap();
    let dmode = fs::metadata(&nested).unwrap().permissions().mode() & 0o777;
    let fmode = fs::metadata(s.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!((dmode, fmode), (0o700, 0o600));
    let names: Vec<String> = fs::read_dir(&nested)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![DB_FILE_NAME.to_string()]);
    drop(s);
    // an existing file with a loose mode is tightened
    let file = nested.join(DB_FILE_NAME);
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    let _s = RedbStorage::open(&nested).unwrap();
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn second_open_in_same_process_is_in_use() {
    let (_t, dir) = data_dir();
    let first = RedbStorage::open(&dir).unwrap();
    let e = RedbStorage::open(&dir).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InUse, "{e}");
    assert_eq!(
        e.message(),
        format!(
            "data dir {} is in use by another process (is a novakms node running?)",
            dir.display()
        )
    );
    drop(first);
    RedbStorage::open(&dir).unwrap();
}

/// Run the ignored test `name` of this module alone in a child process (this test binary with
/// `--ignored --exact`) with `env_key` set to `dir`; returns its output. The child helpers are
/// `#[ignore]`d so a normal run does not count them as passed tests (they check nothing
/// without the parent).
fn run_child_test(name: &str, env_key: &str, dir: &Path) -> Output {
    let test = format!("{}::{name}", module_path!());
    let test = test
        .split_once("::")
        .map_or(test.as_str(), |(_, rest)| rest);
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            test,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(env_key, dir)
        .output()
        .unwrap()
}

/// The line `CHILD-RESULT:<result>` the child printed (panics with its output if none).
fn child_result(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    stdout
        .lines()
        .find_map(|l| l.split_once("CHILD-RESULT:").map(|(_, r)| r.to_string()))
        .unwrap_or_else(|| {
            panic!(
                "child did not report:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// Child process of `second_process_is_in_use` (run through [`run_child_test`]); does nothing
/// without its env var.
#[test]
#[ignore = "child process of second_process_is_in_use"]
fn lock_child_helper() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    match RedbStorage::open(Path::new(&dir)) {
        Ok(_) => println!("CHILD-RESULT:opened"),
        Err(e) if e.kind() == ErrorKind::InUse => println!("CHILD-RESULT:in-use"),
        Err(e) => println!("CHILD-RESULT:error:{e}"),
    }
}

fn run_child(dir: &Path) -> String {
    child_result(&run_child_test("lock_child_helper", CHILD_ENV, dir))
}

const DISK_FULL_ENV: &str = "NOVAKMS_TEST_DISK_FULL_DIR";

fn set_fsize_limit(cur: libc::rlim_t) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain libc calls on a valid, initialized struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_FSIZE, &mut lim), 0);
        lim.rlim_cur = cur.min(lim.rlim_max);
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &lim), 0);
    }
}

/// Child process of `disk_full_fails_writes_then_recovers` (run through [`run_child_test`]):
/// the file-size limit makes every write beyond the current size fail (EFBIG), like a full
/// disk. Does nothing without its env var.
#[test]
#[ignore = "child process of disk_full_fails_writes_then_recovers"]
fn disk_full_child_helper() {
    let Ok(dir) = std::env::var(DISK_FULL_ENV) else {
        return;
    };
    // SAFETY: ignoring SIGXFSZ so the write fails with EFBIG instead of killing us.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let dir = PathBuf::from(dir);
    let l = Limits {
        max_app_storage_bytes: u64::MAX,
        ..Limits::default()
    };
    let s = RedbStorage::open(&dir).unwrap();
    s.put_local(1, "first", vec![1; 100], 0, N1, 1, &l).unwrap();
    let size = fs::metadata(s.path()).unwrap().len();
    set_fsize_limit(size as libc::rlim_t);
    let mut acked = vec!["first".to_string()];
    let mut failure = None;
    for i in 0..200 {
        let key = format!("k{i}");
        match s.put_local(1, &key, vec![i as u8; 200_000], 0, N1, 2, &l) {
            Ok(_) => acked.push(key),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let failure = failure.expect("writes never failed under the file-size limit");
    let WriteError::Storage(e) = failure else {
        panic!("unexpected error {failure:?}");
    };
    assert_eq!(e.kind(), ErrorKind::Local, "{e}");
    // Still full: further writes fail cleanly, nothing panics.
    assert!(s
        .put_local(1, "more", vec![0; 200_000], 0, N1, 3, &l)
        .is_err());
    // Space returns: the handle reopens itself and writes succeed again.
    set_fsize_limit(libc::RLIM_INFINITY);
    s.put_local(1, "after", vec![2; 100], 0, N1, 4, &l).unwrap();
    acked.push("after".into());
    for k in &acked {
        assert!(s.get(1, k).unwrap().is_some(), "acknowledged {k} lost");
    }
    drop(s);
    let s = RedbStorage::open(&dir).unwrap();
    for k in &acked {
        assert!(
            s.get(1, k).unwrap().is_some(),
            "acknowledged {k} lost after reopen"
        );
    }
    println!("CHILD-RESULT:ok {} acked, failure: {e}", acked.len());
}

#[test]
fn disk_full_fails_writes_then_recovers() {
    let (_t, dir) = data_dir();
    let out = run_child_test("disk_full_child_helper", DISK_FULL_ENV, &dir);
    let result = child_result(&out);
    assert!(
        result.starts_with("ok ") && out.status.success(),
        "child failed ({:?}): {result}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn recovers_after_the_handle_is_flagged_broken() {
    let (_t, dir) = data_dir();
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    let snap = s.snapshot(0).unwrap();
    s.broken.store(true, Ordering::Release);
    assert_eq!(s.snapshot(0).unwrap(), snap);
    assert!(!s.broken.load(Ordering::Acquire));
    s.put_local(49, "z", vec![1], 0, N1, 5, &Limits::default())
        .unwrap();
}

#[test]
fn second_process_is_in_use() {
    let (_t, dir) = data_dir();
    let s = RedbStorage::open(&dir).unwrap();
    assert_eq!(run_child(&dir), "in-use");
    drop(s);
    assert_eq!(run_child(&dir), "opened");
}

fn assert_integrity(dir: &Path, why: &str) -> Error {
    let e = RedbStorage::open(dir).expect_err(why);
    assert_eq!(e.kind(), ErrorKind::Integrity, "{why}: {e}");
    assert!(e.message().contains("is corrupt"), "{why}: {e}");
    e
}

#[test]
fn empty_and_garbage_files_are_refused() {
    let (_t, dir) = data_dir();
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join(DB_FILE_NAME);
    fs::write(&file, b"").unwrap();
    assert_integrity(&dir, "empty file");
    let mut x: u32 = 12345;
    let garbage: Vec<u8> = (0..65536)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    fs::write(&file, &garbage).unwrap();
    assert_integrity(&dir, "garbage file");
    fs::write(&file, b"redb").unwrap();
    assert_integrity(&dir, "tiny file");
}

#[test]
fn truncated_files_are_refused() {
    let (_t, dir) = data_dir();
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    drop(s);
    let file = dir.join(DB_FILE_NAME);
    let full = fs::read(&file).unwrap();
    for len in [full.len() / 2, 4096, 1000, 100] {
        fs::write(&file, &full[..len]).unwrap();
        let r = RedbStorage::open(&dir);
        let e = r.expect_err("truncated file opened");
        assert!(
            matches!(e.kind(), ErrorKind::Integrity),
            "truncated to {len}: {e}"
        );
    }
}

fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect()
}

#[test]
fn valid_header_with_garbage_pages_is_refused_without_panic() {
    for (start, seed) in [(4096usize, 1u32), (9, 2), (64, 3), (512, 4)] {
        let (_t, dir) = data_dir();
        let s = RedbStorage::open(&dir).unwrap();
        populate(&s);
        drop(s);
        let file = dir.join(DB_FILE_NAME);
        let mut bytes = fs::read(&file).unwrap();
        let n = bytes.len() - start;
        bytes[start..].copy_from_slice(&noise(n, seed));
        fs::write(&file, &bytes).unwrap();
        let e = RedbStorage::open(&dir).expect_err("garbage pages opened");
        assert!(
            matches!(e.kind(), ErrorKind::Integrity),
            "garbage from {start}: {e}"
        );
    }
}

#[test]
fn flipped_record_bytes_are_refused() {
    let (_t, dir) = data_dir();
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    drop(s);
    let file = dir.join(DB_FILE_NAME);
    let mut bytes = fs::read(&file).unwrap();
    let marker = b"NOVAKMS-MARKER-0123456789-NOVAKMS-MARKER";
    let mut hits = 0;
    let mut i = 0;
    while i + marker.len() <= bytes.len() {
        if &bytes[i..i + marker.len()] == marker {
            bytes[i + 10] ^= 0x01;
            hits += 1;
        }
        i += 1;
    }
    assert!(hits > 0, "marker not found in file");
    fs::write(&file, &bytes).unwrap();
    let e = assert_integrity(&dir, "flipped value byte");
    assert!(e.message().contains("checksum"), "{e}");
}

#[test]
fn foreign_redb_file_is_refused() {
    let (_t, dir) = data_dir();
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join(DB_FILE_NAME);
    {
        let db = Database::create(&file).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: TableDefinition<u64, u64> = TableDefinition::new("other");
            txn.open_table(def).unwrap().insert(1, 2).unwrap();
        }
        txn.commit().unwrap();
    }
    assert_integrity(&dir, "foreign redb file");
}

#[test]
fn newer_schema_is_refused() {
    let (_t, dir) = data_dir();
    let s = RedbStorage::open(&dir).unwrap();
    s.write(|txn| {
        let mut meta = txn.open_table(META).unwrap();
        meta.insert(META_SCHEMA, 2u32.to_le_bytes().as_slice())
            .unwrap();
        Ok::<(), Error>(())
    })
    .unwrap();
    drop(s);
    let e = RedbStorage::open(&dir).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Refused, "{e}");
    assert!(e.message().contains("created by a newer novakms"), "{e}");
}

#[test]
fn inconsistent_counters_or_indexes_are_refused() {
    let (_t, dir) = data_dir();
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    s.write(|txn| {
        let mut usage = txn.open_table(USAGE).unwrap();
        usage.insert(49, (1, 1, 1)).unwrap();
        Ok::<(), Error>(())
    })
    .unwrap();
    drop(s);
    let e = assert_integrity(&dir, "usage tampered");
    assert!(e.message().contains("usage counters"), "{e}");

    let (_t2, dir) = data_dir();
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    s.write(|txn| {
        let mut changes = txn.open_table(CHANGE_INDEX).unwrap();
        changes.remove((49, "b")).unwrap();
        Ok::<(), Error>(())
    })
    .unwrap();
    drop(s);
    assert_integrity(&dir, "change index entry missing");
}

/// `Storage::log_id`: kept across reopen (quick and full open), new in another database, and
/// given on the first read-write open to a file written before log ids (which a read-only
/// view leaves without).
#[test]
fn log_id_persists_and_old_files_gain_one() {
    let (_t, dir) = data_dir();
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    let id = s.log_id().unwrap().unwrap();
    s.close().unwrap();
    drop(s);
    let s = RedbStorage::open(&dir).unwrap(); // clean: quick open
    assert_eq!(s.log_id().unwrap().as_deref(), Some(id.as_str()));
    drop(s); // no close: full open next
    let s = RedbStorage::open(&dir).unwrap();
    assert_eq!(s.log_id().unwrap().as_deref(), Some(id.as_str()));
    let (_t2, dir2) = data_dir();
    let other = RedbStorage::open(&dir2).unwrap();
    assert_ne!(
        other.log_id().unwrap().unwrap(),
        id,
        "another database, another log"
    );
    drop(other);

    // A file from before log ids.
    s.write(|txn| {
        let mut meta = txn.open_table(META).unwrap();
        meta.remove(super::tables::META_LOG_ID).unwrap();
        Ok::<(), Error>(())
    })
    .unwrap();
    assert_eq!(s.log_id().unwrap(), None);
    s.close().unwrap(); // clean: the read-only view opens in place
    drop(s);
    let ro = RedbStorage::open_read_only(&dir).unwrap();
    assert_eq!(
        ro.log_id().unwrap(),
        None,
        "a read-only open writes nothing"
    );
    drop(ro);
    let s = RedbStorage::open(&dir).unwrap();
    let given = s.log_id().unwrap().expect("given on a read-write open");
    assert!(crate::storage::valid_log_id(&given));
    assert_ne!(given, id);
    assert_eq!(
        s.snapshot_page(0, 1, 1 << 20, 0, &[])
            .unwrap()
            .log_id
            .as_deref(),
        Some(given.as_str())
    );
}

#[test]
fn change_origins_persist_and_old_files_gain_the_table() {
    let (_t, dir) = data_dir();
    let s = RedbStorage::open(&dir).unwrap();
    populate(&s);
    let r = Record {
        key: "from-peer".into(),
        value: vec![5; 40],
        version: VectorClock::from([("0x33", 1)]),
        updated_at_ms: 1500,
        tombstone: false,
        ttl_ms: 0,
    };
    s.merge_remote_from(49, vec![r], &Limits::default(), Some("0x33"))
        .unwrap();
    let for_33 = s
        .changes_since_excluding(0, 100, PushFilter::relaying("0x33"))
        .unwrap();
    let for_44 = s
        .changes_since_excluding(0, 100, PushFilter::relaying("0x44"))
        .unwrap();
    assert_eq!(for_44.changes.len(), for_33.changes.len() + 1);
    drop(s);
    let s = RedbStorage::open(&dir).unwrap();
    assert_eq!(
        s.changes_since_excluding(0, 100, PushFilter::relaying("0x33"))
            .unwrap(),
        for_33
    );
    assert_eq!(
        s.changes_since_excluding(0, 100, PushFilter::relaying("0x44"))
            .unwrap(),
        for_44
    );
    // A schema-1 file written before change_origin existed: the table is added at open and
    // every origin is unknown (nothing excluded).
    s.write(|txn| {
        txn.delete_table(CHANGE_ORIGIN).unwrap();
        Ok::<(), Error>(())
    })
    .unwrap();
    drop(s);
    let s = RedbStorage::open(&dir).unwrap();
    assert_eq!(
        s.changes_since_excluding(0, 100, PushFilter::relaying("0x33"))
            .unwrap(),
        for_44
    );
    // An origin without its change-log entry is an inconsistency.
    s.write(|txn| {
        txn.open_table(CHANGE_ORIGIN)
            .unwrap()
            .insert(999_999, "0x33")
            .unwrap();
        Ok::<(), Error>(())
    })
    .unwrap();
    drop(s);
    let e = assert_integrity(&dir, "orphan change origin");
    assert!(e.message().contains("change origin"), "{e}");
}

#[test]
fn data_dir_that_is_a_file_is_a_local_error() {
    let (_t, dir) = data_dir();
    fs::write(&dir, b"x").unwrap();
    let e = RedbStorage::open(&dir).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Local, "{e}");
}
