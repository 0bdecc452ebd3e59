//! Storage fault injection (docs/reliability.md "Storage faults"): a real redb file behind
//! `novakms::storage::fault::FaultyBackend`, whose writes / fsyncs fail with ENOSPC or EIO on
//! demand.
//!
//! * `faulted_writes_fail_cleanly_and_nothing_acknowledged_is_lost`: random local puts,
//!   deletes and replicated merges; faults are switched on and off in rounds. While on, the
//!   operations return errors (never panic); a read while the store is faulted is a storage
//!   error or an allowed value (acknowledged, or of an operation whose outcome is unknown), and
//!   is what the store serves after the faults stop (no poisoned in-memory state); when they stop the
//!   store reopens itself and takes writes again; every acknowledged state is present and a
//!   failed operation is either absent or present (never acknowledged). Finally the file is
//!   reopened with the plain `RedbStorage::open` (full verification) and checked again.
//! * `a_node_on_a_failing_disk_refuses_then_catches_up`: two in-process nodes (real router on
//!   127.0.0.1, replicator); the receiver's disk fails: its pushes are refused (500 `Storage
//!   error`, no path) and the sender keeps its cursor; a failed app write makes its node tick
//!   report not ready (`storage failing`); once the disk heals the probe passes, everything
//!   arrives and the reopened file matches.
//!
//! Why the nodes run in-process without a chain (issue 14 asks): the faults are injected by a
//! Rust object wrapped around the node's redb file (`FaultyBackend`), which only exists inside
//! the process that owns the storage; a `novakms serve` process has no fault switch and must
//! not grow one. So the nodes are in-process `NodeState`s, and their membership is the
//! hand-filled PeerCache (peer requests still carry real PoP, envelopes and HMACs). The registry
//! client points at 127.0.0.1:1: the node tick's membership read fails and the cached
//! membership is kept (as on a real chain outage), so the storage probe and readiness
//! (`storage failing`) run through the real tick. Membership from a real chain is covered by
//! `e2e_cluster` and `partition`.
//!
//! Env: `NOVAKMS_FAULT_ROUNDS` (rounds per scenario, default 8), `NOVAKMS_FAULT_SEED`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::inproc::{mesh, settings, Node, APP as NODE_APP};
use novakms::crypto::value::encrypt_value;
use novakms::storage::fault::{FaultKind, FaultSwitch, FaultyBackend};
use novakms::storage::{ClusterBinding, LocalWrite, RedbStorage, Storage, WriteError};
use novakms::store::vclock::VectorClock;
use novakms::store::{Limits, Record};
use novakms::ErrorKind;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const APP: u64 = 49;
const ME: &str = "0x1111111111111111111111111111111111111111";
const PEER: &str = "0x2222222222222222222222222222222222222222";

#[derive(Clone, Debug, PartialEq, Eq)]
enum V {
    Absent,
    Val(Vec<u8>),
}

#[derive(Clone, Debug)]
struct KeyState {
    acked: V,
    maybe: Vec<V>,
}

fn read(s: &dyn Storage, key: &str) -> novakms::Result<V> {
    Ok(match s.get(APP, key)? {
        Some(r) if !r.tombstone => V::Val(r.value),
        _ => V::Absent,
    })
}

/// The model: per key the acknowledged state and the unknown outcomes since.
struct Model {
    keys: BTreeMap<String, KeyState>,
    /// Per merged key: the peer clock counter of the last record offered.
    peer_clock: BTreeMap<String, u64>,
    seq: u64,
    now: u64,
}

#[derive(Default, Debug)]
struct Tally {
    ok: u64,
    failed: u64,
}

impl Model {
    fn new(n_local: usize, n_merged: usize) -> Model {
        let mut keys = BTreeMap::new();
        for i in 0..n_local {
            keys.insert(
                format!("local/{i}"),
                KeyState {
                    acked: V::Absent,
                    maybe: vec![],
                },
            );
        }
        for i in 0..n_merged {
            keys.insert(
                format!("merged/{i}"),
                KeyState {
                    acked: V::Absent,
                    maybe: vec![],
                },
            );
        }
        Model {
            keys,
            peer_clock: BTreeMap::new(),
            seq: 0,
            now: 1_700_000_000_000,
        }
    }

    fn ack(&mut self, key: &str, v: V) {
        let k = self.keys.get_mut(key).unwrap();
        k.acked = v;
        k.maybe.clear();
    }

    fn unknown(&mut self, key: &str, v: V) {
        self.keys.get_mut(key).unwrap().maybe.push(v);
    }

    /// One random operation; returns whether it succeeded. Errors must be storage errors of
    /// kind `Local` (I/O), never quota or integrity.
    fn step(&mut self, s: &dyn Storage, rng: &mut StdRng, limits: &Limits) -> bool {
        self.seq += 1;
        self.now += 1;
        let merged = rng.gen_bool(0.3);
        let n = self.keys.len() / 2;
        let key = if merged {
            format!("merged/{}", rng.gen_range(0..n))
        } else {
            format!("local/{}", rng.gen_range(0..n))
        };
        let value = format!("{key}#{}", self.seq)
            .into_bytes()
            .into_iter()
            .chain(std::iter::repeat_n(b'.', rng.gen_range(0..3000)))
            .collect::<Vec<u8>>();
        if merged {
            let c = self.peer_clock.entry(key.clone()).or_insert(0);
            *c += 1;
            let tombstone = rng.gen_bool(0.2);
            let mut version = VectorClock::new();
            version.0.insert(PEER.to_string(), *c);
            let rec = Record {
                key: key.clone(),
                value: if tombstone { vec![] } else { value.clone() },
                version,
                updated_at_ms: self.now,
                tombstone,
                ttl_ms: 0,
            };
            let v = if tombstone { V::Absent } else { V::Val(value) };
            match s.merge_remote_from(APP, vec![rec], limits, Some(PEER)) {
                Ok(r) => {
                    assert_eq!(r.merged, 1, "{r:?}");
                    self.ack(&key, v);
                    true
                }
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Local, "merge: {e}");
                    self.unknown(&key, v);
                    false
                }
            }
        } else if rng.gen_bool(0.25) {
            match s.delete_local(APP, &key, ME, self.now) {
                Ok(_) => {
                    self.ack(&key, V::Absent);
                    true
                }
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Local, "delete: {e}");
                    self.unknown(&key, V::Absent);
                    false
                }
            }
        } else {
            match s.put_local(APP, &key, value.clone(), 0, ME, self.now, limits) {
                Ok(_) => {
                    self.ack(&key, V::Val(value));
                    true
                }
                Err(WriteError::Storage(e)) => {
                    assert_eq!(e.kind(), ErrorKind::Local, "put: {e}");
                    self.unknown(&key, V::Val(value));
                    false
                }
                Err(other) => panic!("put: unexpected {other:?}"),
            }
        }
    }

    /// Every key holds its acknowledged state or a later unknown one; then the model adopts
    /// what was read (it is the store's state now). Returns the number of keys checked.
    fn check(&mut self, s: &dyn Storage, what: &str) -> usize {
        let mut bad = vec![];
        for (key, ks) in self.keys.iter_mut() {
            let got = read(s, key).unwrap_or_else(|e| panic!("{what}: read {key}: {e}"));
            if got != ks.acked && !ks.maybe.contains(&got) {
                bad.push(format!(
                    "{key}: found {got:?}, acknowledged {:?}, unknown {:?}",
                    ks.acked, ks.maybe
                ));
            }
            ks.acked = got;
            ks.maybe.clear();
        }
        assert!(bad.is_empty(), "{what}:\n{}", bad.join("\n"));
        self.keys.len()
    }
}

/// Everything a read serves right now (`None` for keys whose read failed; such a failure must
/// be a `Local` I/O error, not a false corruption report).
fn served(s: &dyn Storage, keys: &BTreeMap<String, KeyState>) -> BTreeMap<String, Option<V>> {
    keys.keys()
        .map(|k| {
            let v = match read(s, k) {
                Ok(v) => Some(v),
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Local, "read {k}: {e}");
                    None
                }
            };
            (k.clone(), v)
        })
        .collect()
}

struct Scenario {
    name: &'static str,
    arm: fn(&FaultSwitch),
    /// Upper bound (exclusive) of the random number of calls let through before failing.
    max_delay: u64,
}

fn open_faulty(dir: &Path, switch: &FaultSwitch) -> RedbStorage {
    let sw = switch.clone();
    RedbStorage::open_with_backend(dir, move |p| FaultyBackend::open(p, sw.clone())).unwrap()
}

#[test]
fn faulted_writes_fail_cleanly_and_nothing_acknowledged_is_lost() {
    let rounds = common::wait::env_num("NOVAKMS_FAULT_ROUNDS", 8u64);
    let seed = common::wait::env_seed("NOVAKMS_FAULT_SEED");
    eprintln!("storage faults: rounds={rounds} seed={seed} (replay: NOVAKMS_FAULT_SEED={seed})");
    let scenarios = [
        Scenario {
            name: "fsync fails (EIO)",
            arm: |s| s.fail_sync(FaultKind::Io),
            max_delay: 1,
        },
        Scenario {
            name: "fsync fails mid-commit (EIO after 1-2 good fsyncs)",
            arm: |s| s.fail_sync(FaultKind::Io),
            max_delay: 3,
        },
        Scenario {
            name: "disk full (write/set_len ENOSPC)",
            arm: |s| s.fail_writes(FaultKind::DiskFull),
            max_delay: 1,
        },
        Scenario {
            name: "disk full mid-commit (ENOSPC after 1-7 good writes)",
            arm: |s| s.fail_writes(FaultKind::DiskFull),
            max_delay: 8,
        },
        Scenario {
            name: "everything fails (EIO)",
            arm: |s| s.fail_all(FaultKind::Io),
            max_delay: 1,
        },
    ];
    let limits = Limits {
        max_app_storage_bytes: u64::MAX,
        ..Limits::default()
    };
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut summary = Vec::new();
    for sc in &scenarios {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let switch = FaultSwitch::new();
        let store = open_faulty(&dir, &switch);
        let mut m = Model::new(12, 12);
        let mut healthy = Tally::default();
        let mut faulted = Tally::default();
        let mut checks = 0usize;
        let mut reads_while_faulted = 0usize;
        let mut served_while_faulted = 0usize;
        for round in 0..rounds {
            for _ in 0..rng.gen_range(5..30) {
                assert!(
                    m.step(&store, &mut rng, &limits),
                    "{}: round {round}: healthy write failed",
                    sc.name
                );
                healthy.ok += 1;
            }
            let delay = rng.gen_range(0..sc.max_delay);
            switch.delay(delay);
            (sc.arm)(&switch);
            let mut round_failed = 0;
            // A random number of operations, and more if none has failed yet: an operation that
            // does not commit (a delete of a missing key) uses no fsync, so with a delay of one
            // or two good fsyncs a short round could end before the fault fires (a flaky
            // "no operation failed" before). 64 operations always reach it.
            let planned = rng.gen_range(3..10);
            let mut done = 0;
            while done < planned || (round_failed == 0 && done < 64) {
                done += 1;
                if m.step(&store, &mut rng, &limits) {
                    faulted.ok += 1;
                } else {
                    faulted.failed += 1;
                    round_failed += 1;
                }
                // Reads while the faults are armed: each is a storage error (`served` checks
                // its kind) or a value the model allows (acknowledged, or of an operation
                // whose outcome is unknown), never a wrong one. Until a write has failed the
                // handle is intact and every read must be served.
                for (k, v) in served(&store, &m.keys) {
                    reads_while_faulted += 1;
                    let Some(v) = v else {
                        assert!(
                            round_failed > 0,
                            "{}: round {round}: read of {k} failed before any write did",
                            sc.name
                        );
                        continue;
                    };
                    let ks = &m.keys[&k];
                    assert!(
                        v == ks.acked || ks.maybe.contains(&v),
                        "{}: round {round}: {k} served {v:?} while faulted; acknowledged {:?}, \
                         unknown outcomes {:?}",
                        sc.name,
                        ks.acked,
                        ks.maybe
                    );
                    served_while_faulted += 1;
                }
            }
            assert!(
                round_failed > 0,
                "{}: round {round}: no operation failed with faults armed",
                sc.name
            );
            // What the faulted store serves now must be what it serves once healed.
            let during = served(&store, &m.keys);
            switch.heal();
            let after = served(&store, &m.keys);
            for (k, v) in &during {
                if let Some(v) = v {
                    assert_eq!(
                        Some(v),
                        after[k].as_ref(),
                        "{}: round {round}: {k} served {v:?} while faulted, {:?} after healing",
                        sc.name,
                        after[k]
                    );
                }
            }
            checks += m.check(&store, &format!("{}: round {round} healed", sc.name));
            // It takes writes again right away.
            assert!(
                m.step(&store, &mut rng, &limits),
                "{}: round {round}: write after healing failed",
                sc.name
            );
            healthy.ok += 1;
        }
        assert!(
            reads_while_faulted > 0,
            "{}: no read was issued while faulted",
            sc.name
        );
        // End on a failed commit, then reopen from disk with the plain file backend.
        (sc.arm)(&switch);
        for _ in 0..3 {
            if !m.step(&store, &mut rng, &limits) {
                faulted.failed += 1;
            }
        }
        drop(store);
        switch.heal();
        let plain = RedbStorage::open(&dir)
            .unwrap_or_else(|e| panic!("{}: reopen after faults: {e}", sc.name));
        checks += m.check(&plain, &format!("{}: reopened", sc.name));
        let line = format!(
            "{}: {rounds} rounds, {} healthy ops, {} ops under faults ({} failed, {} ok), \
             {} faults injected, {checks} key checks, {reads_while_faulted} reads while \
             faulted ({served_while_faulted} served a value, all allowed)",
            sc.name,
            healthy.ok,
            faulted.ok + faulted.failed,
            faulted.failed,
            faulted.ok,
            switch.injected()
        );
        eprintln!("{line}");
        summary.push(line);
    }
    eprintln!(
        "storage faults summary (seed {seed}, {:?}):\n{}",
        started.elapsed(),
        summary.join("\n")
    );
}

/// Several threads write while fsyncs start failing: every call returns (an error or Ok),
/// none panics, and what was acknowledged is on disk afterwards. (A commit attempted on the
/// redb handle after another writer's commit failed used to hit an assertion inside redb.)
#[test]
fn concurrent_writers_on_a_failing_disk_get_errors_not_panics() {
    let rounds = common::wait::env_num("NOVAKMS_FAULT_ROUNDS", 8u64);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let switch = FaultSwitch::new();
    let store = Arc::new(open_faulty(&dir, &switch));
    let limits = Limits {
        max_app_storage_bytes: u64::MAX,
        ..Limits::default()
    };
    let mut acked: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let (mut ok, mut failed) = (0u64, 0u64);
    for round in 0..rounds {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let threads: Vec<_> = (0..6)
            .map(|t| {
                let store = store.clone();
                let limits = limits.clone();
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut mine = Vec::new();
                    let mut failed = 0u64;
                    let mut i = 0u64;
                    while !stop.load(std::sync::atomic::Ordering::Acquire) {
                        i += 1;
                        let key = format!("r{round}/t{t}/{i}");
                        let value = format!("{key}=v").into_bytes();
                        match store.put_local(APP, &key, value.clone(), 0, ME, 1 + i, &limits) {
                            Ok(_) => mine.push((key, value)),
                            Err(WriteError::Storage(e)) => {
                                assert_eq!(e.kind(), ErrorKind::Local, "{e}");
                                failed += 1;
                            }
                            Err(other) => panic!("unexpected {other:?}"),
                        }
                    }
                    (mine, failed)
                })
            })
            .collect();
        // Healthy, then fsyncs fail for a while, then healthy again; writers never pause.
        std::thread::sleep(Duration::from_millis(30));
        switch.fail_sync(FaultKind::Io);
        std::thread::sleep(Duration::from_millis(20 + round * 5));
        switch.heal();
        std::thread::sleep(Duration::from_millis(30));
        stop.store(true, std::sync::atomic::Ordering::Release);
        for t in threads {
            let (mine, f) = t.join().expect("a writer thread panicked");
            ok += mine.len() as u64;
            failed += f;
            acked.extend(mine);
        }
    }
    drop(Arc::try_unwrap(store).expect("store still shared"));
    let plain = RedbStorage::open(&dir).unwrap();
    for (k, v) in &acked {
        let got = plain.get(APP, k).unwrap().map(|r| r.value);
        assert_eq!(got.as_ref(), Some(v), "acknowledged {k} lost");
    }
    eprintln!(
        "concurrent writers: {rounds} rounds x 6 threads: {ok} puts acknowledged (all \
         present after reopen), {failed} failed, {} faults injected",
        switch.injected()
    );
    assert!(failed > 0, "the fault window never hit a commit");
}

// ---------------------------------------------------------------------------------------------
// In-process node on a failing disk.

async fn wait_for(what: &str, secs: u64, f: impl FnMut() -> bool) -> Duration {
    common::wait::wait_for(what, Duration::from_secs(secs), f).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_on_a_failing_disk_refuses_then_catches_up() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    let switch = FaultSwitch::new();
    let b_store: Arc<dyn Storage> = Arc::new(open_faulty(&dir, &switch));
    // As in a node's database: the node tick's storage probe rewrites the cluster binding.
    b_store
        .set_binding(&ClusterBinding {
            chain_id: 31337,
            nova_app_registry: "0xaa".into(),
            kms_registry: "0xbb".into(),
            kms_app_id: 49,
            node_wallet: ME.into(),
        })
        .unwrap();
    let mut a = Node::start(settings(|_| {})).await;
    a.replicate();
    let mut b = Node::start_on(settings(|_| {}), b_store).await;
    b.replicate();
    mesh(&[&a, &b]);

    for i in 0..20 {
        a.put(&format!("before-{i}"), b"v");
    }
    wait_for("initial records on b", 15, || {
        (0..20).all(|i| b.serves(&format!("before-{i}")))
    })
    .await;

    // b's disk fails: its own writes fail cleanly, a's pushes are refused, a keeps its cursor.
    switch.fail_sync(FaultKind::Io);
    let e = b.try_put("b-local", b"x").unwrap_err();
    assert!(matches!(e, WriteError::Storage(_)), "{e:?}");
    let cursor_before = a.cursor_for(&b);
    for i in 0..30 {
        a.put(&format!("during-{i}"), &[i as u8; 500]);
    }
    let bw = b.st.wallet.clone();
    wait_for("a records the push failure", 20, || {
        a.st.replication
            .peers
            .read()
            .unwrap()
            .get(&bw)
            .is_some_and(|p| p.last_error.is_some())
    })
    .await;
    let err = a.st.replication.peers.read().unwrap()[&bw]
        .last_error
        .clone()
        .unwrap_or_default();
    assert_eq!(
        a.cursor_for(&b),
        cursor_before,
        "a advanced its cursor for b although b could not store the records ({err})"
    );
    assert!(switch.injected() > 0);
    // b's answer to the push: 500 with the fixed message, nothing about its storage.
    assert!(
        err.contains("(500)") && err.contains("Storage error"),
        "push error seen by the sender: {err}"
    );
    assert!(
        !err.contains(&dir.display().to_string()) && !err.contains("novakms.redb"),
        "the 500 answer leaks the database path: {err}"
    );
    // An app write through the group committer (as the app API does it) fails; the next node
    // tick probes the storage, which still fails, and takes b out of readiness.
    let dk = b.st.data_key(NODE_APP).unwrap();
    let app_write = LocalWrite::Put {
        app_id: NODE_APP,
        key: "b-app".into(),
        value: encrypt_value(&dk, b"z"),
        ttl_ms: 0,
    };
    let r = b.st.committer.submit(app_write, None).await;
    assert!(matches!(r, Err(WriteError::Storage(_))), "{r:?}");
    assert!(b.st.committer.failing());
    novakms::node::tick::tick(&b.st).await;
    let readiness = b.st.readiness();
    assert!(
        !readiness.ready && readiness.reason == "storage failing",
        "{readiness:?}"
    );
    // Nothing b serves while failing may be ahead of what it will serve once healed.
    let during: Vec<bool> = (0..30).map(|i| b.serves(&format!("during-{i}"))).collect();

    // The disk heals: b reopens itself, takes writes again and receives everything.
    switch.heal();
    for (i, had) in during.iter().enumerate() {
        if *had {
            assert!(b.serves(&format!("during-{i}")), "during-{i} vanished");
        }
    }
    // The next tick's probe passes and clears the failure. (This node has no chain, so the
    // rest of the tick cannot make it ready; readiness is set by hand as at its start.)
    novakms::node::tick::tick(&b.st).await;
    assert!(
        !b.st.committer.failing(),
        "storage probe still failing after healing"
    );
    assert_ne!(b.st.readiness().reason, "storage failing");
    b.st.set_ready();
    let took = wait_for("b catches up after healing", 30, || {
        (0..30).all(|i| b.serves(&format!("during-{i}")))
    })
    .await;
    b.put("b-after", b"y");
    wait_for("b's write reaches a", 15, || a.has("b-after")).await;
    let last = a.st.storage.last_seq().unwrap();
    wait_for("a's cursor for b catches up", 15, || {
        a.cursor_for(&b) >= last
    })
    .await;
    wait_for("same contents", 15, || {
        a.st.storage.snapshot(0).ok() == b.st.storage.snapshot(0).ok()
    })
    .await;
    let want = a.st.storage.snapshot(0).unwrap();
    eprintln!(
        "failing-disk node: {} faults injected, not ready while failing ({}), push error seen \
         by the sender: {err}; caught up {took:?} after healing",
        switch.injected(),
        readiness.reason
    );
    a.shutdown().await;
    let b_st = b.st.clone();
    b.shutdown().await;
    // Close b's database, then reopen the file with the plain backend: verified, same data.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut b_st = Some(b_st);
    loop {
        match Arc::try_unwrap(b_st.take().unwrap()) {
            Ok(st) => {
                drop(st);
                break;
            }
            Err(again) => {
                assert!(Instant::now() < deadline, "b's state is still referenced");
                b_st = Some(again);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    // A blocking storage call started by an aborted task (replicator, /sync handler) may still
    // hold the store for a moment: wait for the file lock, not only for the state.
    let reopened = loop {
        match RedbStorage::open(&dir) {
            Ok(s) => break s,
            Err(e) if e.kind() == ErrorKind::InUse && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("reopening b's database: {e}"),
        }
    };
    assert_eq!(reopened.snapshot(0).unwrap(), want);
}
