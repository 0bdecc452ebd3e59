//! Criterion micro-benchmarks of the hot primitives of one app request
//! (protocol.md §1.3): PoP verification, response signature, envelope
//! open/seal (warm and cold ECDH), value encryption, canonical JSON, durable
//! redb writes/reads, a replication merge batch, the nonce store and the `cluster check`
//! digest at 100k records.
//!
//! `cargo bench --bench primitives` measures (about a minute); `cargo test
//! --all-targets` runs each benchmark once as a smoke test (a few seconds).
//! Filter with e.g. `cargo bench --bench primitives -- envelope`.

use std::hint::black_box;
use std::time::Duration;

use base64::Engine;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde_json::json;

use novakms::crypto::canonical::canonical_json;
use novakms::crypto::envelope::{self, EnvelopeCipher, EnvelopeScheme, DEFAULT_INFO_LABEL};
use novakms::crypto::{pop, value};
use novakms::identity::Identity;
use novakms::node::nonce::NonceStore;
use novakms::storage::{RedbStorage, Storage};
use novakms::store::{Limits, Record, VectorClock};

/// A PoP signature of an app over a realistic message, and the pieces to verify it.
fn pop_fixture() -> (String, String) {
    let app = Identity::generate();
    let node = Identity::generate();
    let msg = pop::app_auth_message("q8vR0f0m3m1oC7s1mQ2x9A==", &node.address(), 1_763_700_000);
    let sig = app.sign(&msg);
    (msg, sig)
}

fn bench_pop(c: &mut Criterion) {
    let mut g = c.benchmark_group("pop");
    let (msg, sig) = pop_fixture();
    g.bench_function("verify_app_auth", |b| {
        b.iter(|| pop::recover_signer(black_box(&msg), black_box(&sig)).unwrap())
    });
    let node = Identity::generate();
    let resp_msg = pop::response_message(&sig, &node.address());
    g.bench_function("sign_response", |b| {
        b.iter(|| node.sign(black_box(&resp_msg)))
    });
    // Client side of §2.5: recovery (first answer) vs verification with the learnt key.
    let resp_sig = node.sign(&resp_msg);
    g.bench_function("recover_response", |b| {
        b.iter(|| pop::recover_signer(black_box(&resp_msg), black_box(&resp_sig)).unwrap())
    });
    let known = pop::KnownSigner::recover(&resp_msg, &resp_sig).unwrap();
    g.bench_function("verify_response_known_key", |b| {
        b.iter(|| assert!(known.verifies(black_box(&resp_msg), black_box(&resp_sig))))
    });
    g.finish();
}

fn bench_envelope(c: &mut Criterion) {
    let mut g = c.benchmark_group("envelope");
    let node = Identity::generate();
    let app = Identity::generate();
    let scheme = EnvelopeScheme::default();
    let node_cipher = EnvelopeCipher::new(node.tee_secret().clone(), scheme.clone(), 64);
    let app_cipher = EnvelopeCipher::new(app.tee_secret().clone(), scheme, 4);
    let plain = canonical_json(&json!({
        "key": "bench/00000042",
        "value": base64::engine::general_purpose::STANDARD.encode([7u8; 256]),
    }));
    let node_pk = node.tee_pubkey_der();
    let request = app_cipher.seal(&node_pk, plain.as_bytes()).unwrap();
    // Warm: the static ECDH secret with the peer is cached (EnvelopeCipher).
    node_cipher.open(&request).unwrap();
    g.bench_function("open_warm", |b| {
        b.iter(|| node_cipher.open(black_box(&request)).unwrap())
    });
    let app_pk = app.tee_pubkey_der();
    g.bench_function("seal_warm", |b| {
        b.iter(|| {
            node_cipher
                .seal(black_box(&app_pk), plain.as_bytes())
                .unwrap()
        })
    });
    // Cold: one P-384 scalar multiplication per envelope (no cache).
    g.bench_function("open_cold", |b| {
        b.iter(|| {
            envelope::open(node.tee_secret(), black_box(&request), DEFAULT_INFO_LABEL).unwrap()
        })
    });
    g.bench_function("seal_cold", |b| {
        b.iter(|| {
            envelope::seal(
                node.tee_secret(),
                black_box(&app_pk),
                plain.as_bytes(),
                DEFAULT_INFO_LABEL,
            )
            .unwrap()
        })
    });
    g.finish();
}

fn bench_value(c: &mut Criterion) {
    let mut g = c.benchmark_group("value");
    let key = [9u8; 32];
    for size in [256usize, 4096] {
        let plain = vec![5u8; size];
        let blob = value::encrypt_value(&key, &plain);
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function(format!("encrypt/{size}"), |b| {
            b.iter(|| value::encrypt_value(&key, black_box(&plain)))
        });
        g.bench_function(format!("decrypt/{size}"), |b| {
            b.iter(|| value::decrypt_value(&key, black_box(&blob)).unwrap())
        });
    }
    g.finish();
}

fn bench_canonical(c: &mut Criterion) {
    let mut g = c.benchmark_group("json");
    let response = json!({
        "key": "bench/00000042",
        "value": base64::engine::general_purpose::STANDARD.encode([7u8; 256]),
        "updated_at_ms": 1_763_700_000_123u64,
        "ttl_ms": 0,
    });
    g.bench_function("canonical_response_256", |b| {
        b.iter(|| canonical_json(black_box(&response)))
    });
    g.finish();
}

const NODE: &str = "0x1111111111111111111111111111111111111111";
const PEER: &str = "0x2222222222222222222222222222222222222222";

fn bench_redb(c: &mut Criterion) {
    let mut g = c.benchmark_group("redb");
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStorage::open(dir.path()).unwrap();
    let limits = Limits::default();
    let blob = value::encrypt_value(&[3u8; 32], &[1u8; 256]);
    let keys: Vec<String> = (0..200).map(|i| format!("bench/{i:08}")).collect();
    for k in &keys {
        store
            .put_local(1000, k, blob.clone(), 0, NODE, 1_000, &limits)
            .unwrap();
    }
    let mut i = 0usize;
    // One durable transaction (fsync) per PUT, as the node does today.
    g.bench_function("put_local_commit_256", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            store
                .put_local(1000, &keys[i], blob.clone(), 0, NODE, 2_000, &limits)
                .unwrap()
        })
    });
    g.bench_function("get", |b| {
        b.iter(|| {
            i = (i + 7) % keys.len();
            store.get(1000, black_box(&keys[i])).unwrap()
        })
    });
    // 100 replicated records that all win (clock of the peer grows every batch).
    let mut round = 0u64;
    g.throughput(Throughput::Elements(100));
    g.bench_function("merge_remote_100", |b| {
        b.iter_batched(
            || {
                round += 1;
                (0..100)
                    .map(|j| Record {
                        key: format!("sync/{j:04}"),
                        value: blob.clone(),
                        version: VectorClock([(PEER.to_string(), round)].into_iter().collect()),
                        updated_at_ms: 3_000 + round,
                        tombstone: false,
                        ttl_ms: 0,
                    })
                    .collect::<Vec<_>>()
            },
            |records| {
                let r = store.merge_remote(1001, records, &limits).unwrap();
                assert_eq!(r.merged, 100, "every record of the batch wins");
                r
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn bench_nonce(c: &mut Criterion) {
    let mut g = c.benchmark_group("nonce");
    let store = NonceStore::new(100_000, 60);
    g.bench_function("issue_consume", |b| {
        b.iter(|| {
            let n = store.issue(1_000);
            store.consume(black_box(&n), 1_001)
        })
    });
    g.finish();
}

/// The envelope replay record on the request path (issue 10): one request admitted and one
/// reply noted per operation, at 2,500 operations per simulated second, so the default-size
/// record (1,048,576) is full and evicts entries past the 120 s window (steady state under
/// load). Prints the resident memory the filled record added (Linux: `VmRSS` of this
/// process, KiB), the figure docs/performance.md quotes for donor memory (issue 12).
fn bench_replay(c: &mut Criterion) {
    use novakms::crypto::replay::{Admission, ReplayRecord};
    let mut g = c.benchmark_group("replay");
    let rec = ReplayRecord::new(1 << 20, 120);
    let sender = Identity::generate().tee_pubkey_der();
    let mut i: u64 = 0;
    let mut next = || {
        i += 1;
        let mut n = [0u8; 12];
        n[..8].copy_from_slice(&i.to_be_bytes());
        (n, 1_000 + i / 5_000)
    };
    let rss_kib = || {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .unwrap_or(0)
    };
    let before = rss_kib();
    for _ in 0..600_000 {
        let (n, t) = next();
        rec.admit_request(&sender, &n, t);
        let (n, t) = next();
        rec.note_sealed(&n, t);
    }
    eprintln!(
        "replay record: {} entries, resident memory +{} KiB",
        rec.len(),
        rss_kib().saturating_sub(before)
    );
    g.bench_function("admit_request_and_note_sealed", |b| {
        b.iter(|| {
            let (n, t) = next();
            assert_eq!(rec.admit_request(&sender, &n, t), Admission::Fresh);
            let (n, t) = next();
            rec.note_sealed(&n, t);
        })
    });
    g.finish();
}

/// `cluster check` digests (issue 13) at 100,000 records of one app (256-byte values, every
/// tenth a tombstone, two-entry clocks): the pure digest over records in memory, and the work
/// of one `digest_request` on a node: one redb snapshot read plus the digest.
fn bench_digest(c: &mut Criterion) {
    use novakms::store::digest;
    const N: u64 = 100_000;
    let mut g = c.benchmark_group("digest");
    let blob = value::encrypt_value(&[3u8; 32], &[1u8; 256]);
    let records: Vec<Record> = (0..N)
        .map(|i| Record {
            key: format!("app/key/{i:08}"),
            value: if i % 10 == 0 {
                Vec::new()
            } else {
                blob.clone()
            },
            version: VectorClock(
                [(NODE.to_string(), 1 + i % 5), (PEER.to_string(), i % 3)]
                    .into_iter()
                    .collect(),
            ),
            updated_at_ms: 1_000 + i,
            tombstone: i % 10 == 0,
            ttl_ms: 0,
        })
        .collect();
    g.throughput(Throughput::Elements(N));
    g.bench_function("app_digest_100k", |b| {
        b.iter(|| digest::app_digest(black_box(&records), 1_000_000))
    });
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStorage::open(dir.path()).unwrap();
    // A namespace budget that holds all of them (the default 10 MiB would evict).
    let limits = Limits {
        max_app_storage_bytes: u64::MAX,
        ..Limits::default()
    };
    for chunk in records.chunks(5_000) {
        store.merge_remote(1002, chunk.to_vec(), &limits).unwrap();
    }
    g.bench_function("redb_snapshot_and_digest_100k", |b| {
        b.iter(|| {
            let snap = store.snapshot(1_000_000).unwrap();
            let d = digest::digests(&snap, 1_000_000);
            assert_eq!(d[&1002].records + d[&1002].tombstones, N);
            d
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
}

criterion_group! {
    name = primitives;
    config = config();
    targets = bench_pop, bench_envelope, bench_value, bench_canonical, bench_redb, bench_nonce,
        bench_replay, bench_digest
}
criterion_main!(primitives);
