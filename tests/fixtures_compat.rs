//! Files written by an earlier release stay readable (issue 14 "Fixtures"): a redb data dir and a
//! `.nksnap` backup written by novakms 0.1.0 (commit `2bbb5e6` layout, schema version 1, backup
//! format version 1) are committed under `tests/fixtures/v0.1.0/`. Later versions must open
//! them (upgrading the database in place if the schema or the redb version moves on) or refuse
//! them as documented; these tests say which, against the exact content the generator below
//! wrote. The 0.1.0 database was written with redb 2.6: since the move to redb 4.x (issue 10 item
//! 11) the first open upgrades it in place and keeps the old file as `novakms.redb.old-<time>`.
//! Issue 10 kept backup format version 1 (it already signs a SHA-256 over every record): a 0.1.0
//! `.nksnap` verifies and imports, and `restore` takes it only with `--signer` (or the chain) and,
//! being older than the tombstone retention, `--force`.
//!
//! Regenerate only on purpose, for a new release's fixtures (never to make a test pass):
//! `NOVAKMS_WRITE_FIXTURES=tests/fixtures/vX.Y.Z cargo test --test fixtures_compat -- --ignored`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::keyed::{expect_code, stderr, KeyedNode};

use novakms::identity::Identity;
use novakms::storage::backup::{
    import, verify_file, write_backup, BackupMode, BackupReader, HashSource, ManifestContext,
};
use novakms::storage::{ClusterBinding, MemoryStorage, PushFilter, RedbStorage, Storage};
use novakms::store::{Limits, Record, VectorClock};

/// The fixed identity that signed the fixture backup (a test key, never a real node's).
const SIGNER_KEY: [u8; 32] = [0x42; 32];
const PEER: &str = "0x2222222222222222222222222222222222222222";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v0.1.0")
}

fn signer() -> Identity {
    Identity::from_private_key(&SIGNER_KEY).unwrap()
}

fn binding(node: &str) -> ClusterBinding {
    ClusterBinding {
        chain_id: 31337,
        nova_app_registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3".into(),
        kms_registry: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512".into(),
        kms_app_id: 49,
        node_wallet: node.to_string(),
    }
}

/// What the fixture holds: app 7 with five values (one with a TTL), one deleted key (a
/// tombstone) and one record merged from a peer; app 9 with one value; a sealed secret blob.
fn populate(s: &dyn Storage, node: &str) {
    let l = Limits::default();
    s.set_binding(&binding(node)).unwrap();
    for i in 0..5u64 {
        let ttl = if i == 4 { 4_102_444_800_000 } else { 0 };
        s.put_local(
            7,
            &format!("k{i}"),
            vec![i as u8; 40],
            ttl,
            node,
            1_700_000_000_000 + i,
            &l,
        )
        .unwrap();
    }
    s.delete_local(7, "k1", node, 1_700_000_000_100).unwrap();
    let merged = Record {
        key: "from-peer".into(),
        value: vec![0xee; 33],
        version: VectorClock::from([(PEER, 3)]),
        updated_at_ms: 1_700_000_000_200,
        tombstone: false,
        ttl_ms: 0,
    };
    s.merge_remote_from(7, vec![merged], &l, Some(PEER))
        .unwrap();
    s.put_local(9, "other-app", vec![9; 30], 0, node, 1_700_000_000_300, &l)
        .unwrap();
    s.store_sealed_master_secret(&[0x5e; 61]).unwrap();
}

/// Every record of every app, tombstones included (`now = 0`: nothing expired).
fn content(s: &dyn Storage) -> BTreeMap<u64, Vec<Record>> {
    s.snapshot(0).unwrap()
}

#[test]
#[ignore = "writes fixtures; run on purpose with NOVAKMS_WRITE_FIXTURES=<dir>"]
fn write_fixtures() {
    let Some(out) = std::env::var_os("NOVAKMS_WRITE_FIXTURES") else {
        panic!("set NOVAKMS_WRITE_FIXTURES to the fixture directory to write");
    };
    let out = PathBuf::from(out);
    let node = signer().address();
    let data = out.join("data");
    std::fs::create_dir_all(&data).unwrap();
    {
        let s = RedbStorage::open(&data).unwrap();
        populate(&s, &node);
    }
    let mem = MemoryStorage::new();
    populate(&mem, &node);
    let ctx = ManifestContext {
        mode: BackupMode::Offline,
        created_at_ms: 1_700_000_001_000,
        master_secret_hash: Some(format!("0x{}", "ab".repeat(32))),
        master_secret_hash_source: HashSource::Chain,
        include_sealed_master_secret: true,
        sealed_for: None,
    };
    let (_, bytes) = write_backup(&mem, Vec::new(), &signer(), ctx, None).unwrap();
    std::fs::write(out.join("backup.nksnap"), bytes).unwrap();
}

/// A private copy of the fixture data dir (opening may upgrade it in place).
fn data_copy() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(dir().join("data")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), t.path().join(e.file_name())).unwrap();
    }
    t
}

#[test]
fn redb_data_dir_from_v0_1_0_opens_with_all_its_data() {
    let t = data_copy();
    let started = std::time::Instant::now();
    let s = RedbStorage::open(t.path()).expect("a 0.1.0 database opens (verified at open)");
    eprintln!(
        "first open of the 0.1.0 fixture (upgrade + verify): {:?}",
        started.elapsed()
    );
    // Upgraded from redb 2.x in place, the old file kept aside once (as a forced restore keeps it).
    let mut names: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names[0], "novakms.redb");
    assert!(names[1].starts_with("novakms.redb.old-"), "{names:?}");
    let node = signer().address();
    assert_eq!(s.binding().unwrap(), Some(binding(&node)));
    let want = MemoryStorage::new();
    populate(&want, &node);
    assert_eq!(content(&s), content(&want));
    assert_eq!(s.load_sealed_master_secret().unwrap(), Some(vec![0x5e; 61]));
    assert_eq!(s.last_seq().unwrap(), want.last_seq().unwrap());
    // Replication state survives too: the merged record is not offered back to its sender.
    let page = s
        .changes_since_excluding(0, 100, PushFilter::relaying(PEER))
        .unwrap();
    assert!(page.changes.iter().all(|c| c.record.key != "from-peer"));
    // 0.1.0 had no change-log id: the read-write open gave it one, kept from then on.
    let log_id = s
        .log_id()
        .unwrap()
        .expect("an upgraded database gets a log id");
    // And it stays writable.
    s.put_local(
        7,
        "new",
        vec![1; 30],
        0,
        &node,
        1_800_000_000_000,
        &Limits::default(),
    )
    .unwrap();
    drop(s);
    let s = RedbStorage::open(t.path()).unwrap();
    assert!(s.get(7, "new").unwrap().is_some());
    assert_eq!(content(&s).values().map(Vec::len).sum::<usize>(), 8);
    assert_eq!(s.log_id().unwrap(), Some(log_id));
    drop(s);
    // Upgraded once: the second open found the current format.
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 2);
}

#[test]
fn nksnap_from_v0_1_0_verifies_and_imports() {
    let path = dir().join("backup.nksnap");
    let v = verify_file(&path, None).expect("a 0.1.0 backup verifies");
    assert_eq!(v.signer, signer().address());
    assert_eq!(v.manifest.mode, BackupMode::Offline);
    assert_eq!(v.manifest.created_at_ms, 1_700_000_001_000);
    let rd =
        BackupReader::open(std::io::BufReader::new(std::fs::File::open(&path).unwrap())).unwrap();
    let got = MemoryStorage::new();
    import(rd, &got, true, None).unwrap();
    let want = MemoryStorage::new();
    populate(&want, &signer().address());
    assert_eq!(content(&got), content(&want));
    assert_eq!(
        got.load_sealed_master_secret().unwrap(),
        Some(vec![0x5e; 61])
    );
}

/// Issue 10: a 0.1.0 snapshot still verifies (the format did not change), but `restore`
/// refuses it as stale without `--force` (taken in 2023, older than any finite
/// `tombstone_retention_ms`), and as an unvouched signer without `--signer` or the chain.
#[test]
fn nksnap_from_v0_1_0_restores_only_with_signer_and_force() {
    use novakms::storage::backup::plan::{plan_restore, PlanInputs, SecretStorage, TargetState};
    let v = verify_file(&dir().join("backup.nksnap"), None).unwrap();
    let signer = signer().address();
    let inputs = |pinned: bool, force: bool| PlanInputs {
        file: Path::new("backup.nksnap"),
        data_dir: Path::new("/d"),
        manifest: &v.manifest,
        target: &TargetState::Absent,
        foreign: &[],
        configured: None,
        chain: None,
        secret_storage: SecretStorage::Sealed,
        keystore_wallet: Some(&signer),
        signer_pinned: pinned,
        no_chain_check: false,
        now_ms: 1_800_000_000_000,
        tombstone_retention_ms: 86_400_000,
        force,
    };
    let e = plan_restore(&inputs(false, false)).unwrap_err();
    assert!(e.message().contains("nothing vouches"), "{e}");
    assert!(e.message().contains("tombstone_retention_ms"), "{e}");
    let e = plan_restore(&inputs(true, false)).unwrap_err();
    assert!(!e.message().contains("nothing vouches"), "{e}");
    assert!(
        e.message()
            .contains("longer ago than tombstone_retention_ms"),
        "{e}"
    );
    let plan = plan_restore(&inputs(true, true)).unwrap();
    assert!(plan.keep_sealed);
    assert_eq!(plan.notes.len(), 1, "{:?}", plan.notes);
}

/// The database file's bytes and the data dir's entries.
fn dir_state(d: &Path) -> (Vec<u8>, Vec<String>) {
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    (std::fs::read(d.join("novakms.redb")).unwrap(), names)
}

fn json_ok(out: &std::process::Output) -> serde_json::Value {
    expect_code(out, 0, "command");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Issue 10 item 11: a 0.1.0 (redb 2.x) data dir is only read by a refused `restore` and by an
/// offline `backup create`: both read it (from a private copy) and leave it byte for byte as it
/// was; only the node's own start upgrades it. `restore --force` keeps it aside intact.
#[test]
fn v0_1_0_data_dir_is_left_unchanged_by_a_refused_restore_and_an_offline_backup() {
    let t = data_copy();
    let d = t.path();
    let before = dir_state(d);
    assert_eq!(before.1, vec!["novakms.redb"]);
    let keys = tempfile::tempdir().unwrap();
    let node = KeyedNode::new(keys.path(), "a", "fixture test password");
    let snap = dir().join("backup.nksnap");
    let (snap, data) = (snap.to_str().unwrap(), d.to_str().unwrap());
    let signer = signer().address();

    let out = node.cli(&["restore", snap, "--data-dir", data, "--signer", &signer]);
    expect_code(&out, 7, "restore into a 0.1.0 data dir without --force");
    // Refused for what the old database holds (so it was read), not because it could not be.
    assert!(stderr(&out).contains("holds 2 apps"), "{}", stderr(&out));
    assert!(
        dir_state(d) == before,
        "a refused restore changed the 0.1.0 data dir"
    );

    let copy = keys.path().join("old.nksnap");
    let created = json_ok(&node.cli(&[
        "-o",
        "json",
        "backup",
        "create",
        copy.to_str().unwrap(),
        "--data-dir",
        data,
    ]));
    assert_eq!(created["apps"], 2);
    assert!(
        dir_state(d) == before,
        "an offline backup changed the 0.1.0 data dir"
    );

    let r = json_ok(&node.cli(&[
        "-o",
        "json",
        "restore",
        snap,
        "--data-dir",
        data,
        "--signer",
        &signer,
        "--force",
    ]));
    let aside = PathBuf::from(r["old_database"].as_str().unwrap());
    assert!(std::fs::read(aside).unwrap() == before.0);
    let s = RedbStorage::open(d).unwrap();
    let want = MemoryStorage::new();
    populate(&want, &signer);
    assert_eq!(content(&s), content(&want));
}
