//! Crash suite (docs/reliability.md "Crash suite"): 16 concurrent app clients write and delete
//! over real HTTP against a 1-node devnet (`novakms serve` on a real redb file, real anvil),
//! while the node is killed with SIGKILL at random (seeded, logged) moments and restarted on
//! the same data dir, over and over.
//!
//! Each client owns its keys and remembers, per key, the last ACKNOWLEDGED state (a value or
//! "absent" after an acknowledged delete) and the operations that were in flight or failed
//! since (they may or may not have been applied). After every restart the node must become
//! ready by itself within a bounded wait, and every key must hold its acknowledged state or
//! one of the later un-acknowledged ones. Some cycles also kill the node while it is still
//! starting (redb open / repair, before readiness). After the last kill the data dir is opened
//! offline with `RedbStorage::open` (full verification) and its key set compared too.
//!
//! Env: `NOVAKMS_CRASH_CYCLES` (default 20), `NOVAKMS_CRASH_SEED` (default: from the clock;
//! always printed so a failing run can be replayed).

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Devnet;
use novakms::client::app::AppClient;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const CLIENTS: usize = 16;
const KEYS_PER_CLIENT: usize = 8;
/// Bound on restart-to-ready (the node is on a loaded 2-core machine next to builds).
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// State of one key as the node should hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum V {
    Absent,
    Val(Vec<u8>),
}

impl std::fmt::Display for V {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            V::Absent => write!(f, "<absent>"),
            V::Val(v) => write!(f, "{:?}", String::from_utf8_lossy(v)),
        }
    }
}

#[derive(Clone, Debug)]
struct KeyState {
    key: String,
    /// Last acknowledged state.
    acked: V,
    /// States written after `acked` whose outcome is unknown (error / kill mid-request).
    maybe: Vec<V>,
}

impl KeyState {
    fn allowed(&self, v: &V) -> bool {
        *v == self.acked || self.maybe.contains(v)
    }
}

#[derive(Default)]
struct Counters {
    acked_puts: AtomicU64,
    acked_deletes: AtomicU64,
    failed_ops: AtomicU64,
}

/// One client: random puts (80 %) and deletes on its own keys until `run` turns false.
async fn client_loop(
    c: Arc<AppClient>,
    id: usize,
    mut keys: Vec<KeyState>,
    mut rng: StdRng,
    run: Arc<AtomicBool>,
    counters: Arc<Counters>,
    seq_base: u64,
) -> Vec<KeyState> {
    let mut seq = seq_base;
    while run.load(Ordering::Acquire) {
        let k = rng.gen_range(0..keys.len());
        let ks = &mut keys[k];
        seq += 1;
        if rng.gen_bool(0.2) && ks.acked != V::Absent {
            match c.delete(&ks.key).await {
                Ok(_) => {
                    // true: we deleted it; false: it was already absent. Either way it is
                    // absent now and nothing older can come back.
                    ks.acked = V::Absent;
                    ks.maybe.clear();
                    counters.acked_deletes.fetch_add(1, Ordering::Relaxed);
                }
                Err(_) => {
                    ks.maybe.push(V::Absent);
                    counters.failed_ops.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        } else {
            let len = rng.gen_range(8..200);
            let mut v = format!("c{id}-s{seq}-").into_bytes();
            v.resize(len.max(v.len()), b'x');
            match c.put(&ks.key, &v, 0).await {
                Ok(_) => {
                    ks.acked = V::Val(v);
                    ks.maybe.clear();
                    counters.acked_puts.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    if std::env::var_os("NOVAKMS_CRASH_DEBUG").is_some() {
                        eprintln!("client {id}: put failed: {e}");
                    }
                    ks.maybe.push(V::Val(v));
                    counters.failed_ops.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }
    keys
}

/// Read every key of one client; returns the violations (and tightens the model to what was
/// read: it is on disk now). A read error is retried a few times, then reported.
async fn verify_client(c: &AppClient, keys: &mut [KeyState]) -> Vec<String> {
    let mut bad = Vec::new();
    for ks in keys.iter_mut() {
        let mut got = None;
        let mut last_err = String::new();
        for _ in 0..5 {
            match c.get(&ks.key).await {
                Ok(v) => {
                    got = Some(v.map_or(V::Absent, |(b, _)| V::Val(b)));
                    break;
                }
                Err(e) => {
                    last_err = e.to_string();
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        let Some(got) = got else {
            bad.push(format!("{}: read failed: {last_err}", ks.key));
            continue;
        };
        if !ks.allowed(&got) {
            bad.push(format!(
                "{}: found {got}, acknowledged {} (in flight: {})",
                ks.key,
                ks.acked,
                ks.maybe
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        ks.acked = got;
        ks.maybe.clear();
    }
    bad
}

#[test]
fn acknowledged_writes_survive_random_sigkill() {
    let cycles: usize = common::wait::env_num("NOVAKMS_CRASH_CYCLES", 20);
    let seed = common::wait::env_seed("NOVAKMS_CRASH_SEED");
    eprintln!("crash suite: cycles={cycles} seed={seed} (replay with NOVAKMS_CRASH_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);

    let started = Instant::now();
    let d = Devnet::up(1);
    let rt = common::wait::rt();
    let app = d.identity(&d.info.apps[0].keystore);
    let node = d.identity(&d.node(0).keystore);
    let url = d.node(0).url.clone();
    let clients: Vec<Arc<AppClient>> = (0..CLIENTS)
        .map(|_| Arc::new(d.client_with(&app, &node, 0, Duration::from_secs(10))))
        .collect();
    let mut model: Vec<Vec<KeyState>> = (0..CLIENTS)
        .map(|c| {
            (0..KEYS_PER_CLIENT)
                .map(|k| KeyState {
                    key: format!("crash/c{c}/k{k}"),
                    acked: V::Absent,
                    maybe: Vec::new(),
                })
                .collect()
        })
        .collect();
    let counters = Arc::new(Counters::default());
    let mut verified_keys = 0u64;
    let mut verified_present = 0u64;
    let mut max_ready = Duration::ZERO;
    let mut total_ready = Duration::ZERO;
    let mut early_kills = 0usize;
    let mut kills_before_ready = 0usize;

    for cycle in 0..cycles {
        // 1. Write with CLIENTS concurrent clients, then SIGKILL at a random moment.
        let delay = write_then_kill(
            &rt,
            &d,
            (&clients, &counters),
            &mut model,
            &mut rng,
            (cycle as u64) << 32,
            200..1500,
        );

        // 2. Sometimes kill it again while it is starting up (open / repair, before ready):
        //    always in cycle 1, else with probability 1/4, at a random moment before the
        //    mean restart-to-ready time seen so far. Whether it really was before ready is
        //    checked (`/readyz` just before the kill) and counted.
        if cycle == 1 || rng.gen_bool(0.25) {
            let mean_ready_ms = if cycle == 0 {
                100
            } else {
                (total_ready.as_millis() as u64 / cycle as u64).max(20)
            };
            d.spawn_node(0, &[]);
            let early = Duration::from_millis(rng.gen_range(0..mean_ready_ms));
            std::thread::sleep(early);
            let was_ready = rt.block_on(async {
                novakms::tls::client::builder()
                    .build()
                    .unwrap()
                    .get(format!("{url}/readyz"))
                    .timeout(Duration::from_millis(100))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200)
            });
            d.signal_node(0, libc::SIGKILL);
            early_kills += 1;
            if !was_ready {
                kills_before_ready += 1;
            }
            eprintln!("cycle {cycle}: extra kill {early:?} after spawn (ready: {was_ready})");
        }

        // 3. Restart on the same data dir; it must get ready by itself.
        let t0 = Instant::now();
        d.spawn_node(0, &[]);
        let ready = rt
            .block_on(common::wait_ready_async(&url, READY_TIMEOUT))
            .unwrap_or_else(|e| {
                panic!(
                    "cycle {cycle} (seed {seed}): node did not recover: {e}\n{}",
                    tail_log(&d)
                )
            });
        let ready = ready.max(t0.elapsed());
        max_ready = max_ready.max(ready);
        total_ready += ready;

        // 4. Every acknowledged write is there (or a later in-flight one).
        let mut violations = Vec::new();
        rt.block_on(async {
            let checks = clients
                .iter()
                .zip(model.iter_mut())
                .map(|(c, keys)| async move { verify_client(c, keys).await });
            for v in futures_util::future::join_all(checks).await {
                violations.extend(v);
            }
        });
        verified_keys += (CLIENTS * KEYS_PER_CLIENT) as u64;
        verified_present += model
            .iter()
            .flatten()
            .filter(|k| k.acked != V::Absent)
            .count() as u64;
        assert!(
            violations.is_empty(),
            "cycle {cycle} (seed {seed}, kill after {delay:?}): {} violations:\n{}",
            violations.len(),
            violations.join("\n")
        );
        eprintln!(
            "cycle {cycle}: kill after {delay:?}, ready in {ready:?}, acked puts {} deletes {} failed {}",
            counters.acked_puts.load(Ordering::Relaxed),
            counters.acked_deletes.load(Ordering::Relaxed),
            counters.failed_ops.load(Ordering::Relaxed)
        );
    }

    // 5. Final kill mid-write, then the file itself: opens offline, verifies, holds the keys.
    write_then_kill(
        &rt,
        &d,
        (&clients, &counters),
        &mut model,
        &mut rng,
        (cycles as u64) << 32,
        200..1000,
    );
    let storage = novakms::storage::RedbStorage::open(&d.node(0).data_dir)
        .unwrap_or_else(|e| panic!("offline open after SIGKILL (seed {seed}): {e}"));
    use novakms::storage::Storage;
    let live: BTreeSet<String> = storage
        .list_live_keys(
            d.info.apps[0].app_id,
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as u64,
        )
        .unwrap()
        .into_iter()
        .collect();
    for ks in model.iter().flatten() {
        let present = live.contains(&ks.key);
        let may_be_present = ks.acked != V::Absent || ks.maybe.iter().any(|v| *v != V::Absent);
        let may_be_absent = ks.acked == V::Absent || ks.maybe.contains(&V::Absent);
        assert!(
            (present && may_be_present) || (!present && may_be_absent),
            "offline check (seed {seed}): {} present={present}, acknowledged {}",
            ks.key,
            ks.acked
        );
    }
    drop(storage);

    let log = std::fs::read_to_string(&d.node(0).log).unwrap_or_default();
    assert!(
        !log.contains("panicked at"),
        "the node panicked (seed {seed}):\n{}",
        tail_log(&d)
    );
    // The startup kills the suite promises happened (cycle 1 always makes one).
    if cycles > 1 {
        assert!(
            kills_before_ready >= 1,
            "no kill landed before the node was ready ({early_kills} early kills; seed {seed})"
        );
    }
    let repairs = log.matches("redb is repairing").count();
    eprintln!(
        "crash suite summary: seed={seed} cycles={cycles} (+{early_kills} kills soon after \
         start, {kills_before_ready} of them before ready) \
         redb_repairs_logged={repairs} \
         acked_puts={} acked_deletes={} failed_or_inflight={} key_checks={verified_keys} \
         present_values_verified={verified_present} max_restart_to_ready={max_ready:?} \
         mean_restart_to_ready={:?} total={:?}",
        counters.acked_puts.load(Ordering::Relaxed),
        counters.acked_deletes.load(Ordering::Relaxed),
        counters.failed_ops.load(Ordering::Relaxed),
        total_ready / cycles.max(1) as u32,
        started.elapsed()
    );
    assert!(
        counters.acked_puts.load(Ordering::Relaxed) > cycles as u64,
        "too few acknowledged writes to mean anything"
    );
}

/// Run the CLIENTS writers (client `c` on its keys `model[c]`, op ids tagged with `tag`)
/// against node 0, SIGKILL the node after a random delay of `delay_ms`, stop the writers and
/// take their updated keys back. Returns the delay.
fn write_then_kill(
    rt: &tokio::runtime::Runtime,
    d: &Devnet,
    (clients, counters): (&[Arc<AppClient>], &Arc<Counters>),
    model: &mut [Vec<KeyState>],
    rng: &mut StdRng,
    tag: u64,
    delay_ms: std::ops::Range<u64>,
) -> Duration {
    let run = Arc::new(AtomicBool::new(true));
    let handles: Vec<_> = (0..CLIENTS)
        .map(|c| {
            rt.spawn(client_loop(
                clients[c].clone(),
                c,
                std::mem::take(&mut model[c]),
                StdRng::seed_from_u64(rng.gen()),
                run.clone(),
                counters.clone(),
                tag,
            ))
        })
        .collect();
    let delay = Duration::from_millis(rng.gen_range(delay_ms));
    std::thread::sleep(delay);
    kill_now(d);
    run.store(false, Ordering::Release);
    common::wait_gone(d.node_pid(0), Duration::from_secs(20));
    for (c, h) in handles.into_iter().enumerate() {
        model[c] = rt.block_on(h).expect("client task panicked");
    }
    delay
}

/// SIGKILL the node without waiting (the writers are stopped right after, so their failed
/// operations are the ones in flight at the kill).
fn kill_now(d: &Devnet) {
    d.signal_node_nowait(0, libc::SIGKILL);
}

fn tail_log(d: &Devnet) -> String {
    let log = std::fs::read_to_string(&d.node(0).log).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
