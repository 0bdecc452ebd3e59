//! Property-based fuzzing of the parsers that read untrusted bytes: the
//! storage record codec (`storage::codec::decode_record`), the `.nksnap`
//! backup-file reader (`storage::backup::BackupReader`), the `/sync` record
//! parsing (`node::ingest::parse_data`, `Record::from_wire`, protocol.md
//! §6.4), envelope detection and opening (`crypto::envelope`, §3) and vector
//! clocks (serde form of `store::VectorClock`).
//!
//! Property for every parser: arbitrary input and mutations of a valid input
//! never panic; mutated inputs are either refused with an error or (where a
//! mutation can be harmless, e.g. a flipped bit inside a JSON string) parse
//! to something that re-encodes consistently.
//!
//! Case counts: see `common::prop::cases`; the default total is 21,600 cases (about
//! 10 s; the envelope properties dominate: P-384 ECDH per case).
//! `PROPTEST_CASES=<n>` raises every property to at least `n` cases.

mod common;

use common::prop::cases;
use novakms::crypto::envelope::{self, Envelope, DEFAULT_INFO_LABEL};
use novakms::identity::Identity;
use novakms::node::ingest::parse_data;
use novakms::storage::backup::{
    write_backup, BackupMode, BackupReader, HashSource, ManifestContext,
};
use novakms::storage::codec::{decode_record, encode_record};
use novakms::storage::{ClusterBinding, MemoryStorage, Storage};
use novakms::store::{Limits, Record, VectorClock};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A byte-level mutation of a valid input.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Overwrite(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..32).prop_map(|(i, n)| Mutation::Remove(i, n)),
        // Overwrite with "interesting" integers (lengths, counters).
        (
            any::<usize>(),
            prop_oneof![
                Just(vec![0xff; 4]),
                Just(vec![0xff; 8]),
                Just(vec![0x7f, 0xff, 0xff, 0xff]),
                Just(vec![0; 4]),
                proptest::collection::vec(any::<u8>(), 1..9)
            ]
        )
            .prop_map(|(i, v)| Mutation::Overwrite(i, v)),
    ]
}

fn apply(mut v: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let len = v.len().max(1);
        match m {
            Mutation::Flip(i, b) => {
                if !v.is_empty() {
                    let i = i % v.len();
                    v[i] ^= b;
                }
            }
            Mutation::Truncate(i) => v.truncate(i % len),
            Mutation::Insert(i, bytes) => {
                let i = i % (v.len() + 1);
                v.splice(i..i, bytes.iter().copied());
            }
            Mutation::Remove(i, n) => {
                if !v.is_empty() {
                    let i = i % v.len();
                    let end = (i + n).min(v.len());
                    v.drain(i..end);
                }
            }
            Mutation::Overwrite(i, bytes) => {
                if !v.is_empty() {
                    let i = i % v.len();
                    for (k, b) in bytes.iter().enumerate() {
                        if let Some(x) = v.get_mut(i + k) {
                            *x = *b;
                        }
                    }
                }
            }
        }
    }
    v
}

fn arb_record() -> impl Strategy<Value = Record> {
    (
        "[a-z0-9/ κ]{0,12}",
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::collection::btree_map("0x[0-9a-f]{4}", any::<u64>(), 0..4),
        any::<u64>(),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(key, value, clock, ts, tomb, ttl)| Record {
            key,
            value: if tomb { vec![] } else { value },
            version: VectorClock(clock),
            updated_at_ms: ts,
            tombstone: tomb,
            ttl_ms: if tomb { 0 } else { ttl },
        })
}

/// Arbitrary JSON values (bounded depth and width).
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        "[0-9a-f]{0,64}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("key".to_string()),
                    Just("value".to_string()),
                    Just("version".to_string()),
                    Just("tombstone".to_string()),
                    Just("updated_at_ms".to_string()),
                    Just("ttl_ms".to_string()),
                    "[0-9]{1,3}",
                    ".{0,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON value with one random edit at a random depth.
fn mutate_json(v: &mut Value, path: &[usize], repl: &Value) {
    match (v, path.split_first()) {
        (Value::Object(m), Some((i, rest))) if !m.is_empty() => {
            let k = m.keys().nth(i % m.len()).cloned().unwrap_or_default();
            if let Some(x) = m.get_mut(&k) {
                mutate_json(x, rest, repl);
            }
        }
        (Value::Array(a), Some((i, rest))) if !a.is_empty() => {
            let n = a.len();
            mutate_json(&mut a[i % n], rest, repl);
        }
        (v, _) => *v = repl.clone(),
    }
}

// ---------------------------------------------------------------- record codec

proptest! {
    #![proptest_config(cases(4000))]

    /// Arbitrary bytes never panic the record decoder.
    #[test]
    fn codec_arbitrary_bytes(app in any::<u64>(), key in ".{0,8}", bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_record(app, &key, &bytes);
    }
}

proptest! {
    #![proptest_config(cases(4000))]

    /// Valid encodings round-trip; any mutation is refused or decodes to a
    /// record that re-encodes to exactly the mutated bytes (the CRC makes a
    /// silent change practically impossible).
    #[test]
    fn codec_mutated_valid(app in any::<u64>(), rec in arb_record(), muts in proptest::collection::vec(mutation(), 1..4)) {
        let enc = encode_record(app, &rec).unwrap();
        prop_assert_eq!(&decode_record(app, &rec.key, &enc).unwrap(), &rec);
        let bad = apply(enc.clone(), &muts);
        // Also: the right bytes under another app id or key must fail (CRC covers both).
        prop_assert!(decode_record(app.wrapping_add(1), &rec.key, &enc).is_err());
        match decode_record(app, &rec.key, &bad) {
            Err(e) => prop_assert!(!e.is_empty()),
            Ok(r) => prop_assert_eq!(encode_record(app, &r).unwrap(), bad),
        }
    }
}

// ---------------------------------------------------------------- snapshots

/// A small signed snapshot of a memory store (built once per process).
fn valid_snapshot() -> &'static Vec<u8> {
    static SNAP: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SNAP.get_or_init(|| {
        let id = Identity::generate();
        let s = MemoryStorage::new();
        s.set_binding(&ClusterBinding {
            chain_id: 31337,
            nova_app_registry: "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
            kms_registry: "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into(),
            kms_app_id: 49,
            node_wallet: id.address(),
        })
        .unwrap();
        let l = Limits::default();
        for i in 0..6u8 {
            s.put_local(7, &format!("k{i}"), vec![i; 30], 0, &id.address(), 1000, &l)
                .unwrap();
        }
        s.delete_local(7, "k1", &id.address(), 2000).unwrap();
        s.put_local(9, "", vec![1; 28], 60_000, &id.address(), 10, &l)
            .unwrap();
        s.store_sealed_master_secret(&[7; 61]).unwrap();
        let ctx = ManifestContext {
            mode: BackupMode::Offline,
            created_at_ms: 1_714_564_800_123,
            master_secret_hash: Some(format!("0x{}", "ab".repeat(32))),
            master_secret_hash_source: HashSource::Chain,
            include_sealed_master_secret: true,
            sealed_for: None,
        };
        write_backup(&s, Vec::new(), &id, ctx, None).unwrap().1
    })
}

/// Read a snapshot completely: every entry, then the trailer checks.
fn read_all(bytes: &[u8]) -> novakms::Result<usize> {
    let mut r = BackupReader::open(bytes)?;
    let mut n = 0;
    while r.next_entry()?.is_some() {
        n += 1;
    }
    r.finish()?;
    Ok(n)
}

#[test]
fn snapshot_fixture_is_valid() {
    assert_eq!(read_all(valid_snapshot()).unwrap(), 8); // sealed blob + 7 records
}

proptest! {
    #![proptest_config(cases(1500))]

    /// Any mutation of a signed snapshot is refused (digest and signature
    /// cover every byte), never a panic.
    #[test]
    fn snapshot_mutated_valid(muts in proptest::collection::vec(mutation(), 1..4)) {
        let good = valid_snapshot();
        let bad = apply(good.clone(), &muts);
        prop_assume!(&bad != good);
        prop_assert!(read_all(&bad).is_err());
    }

    /// Arbitrary bytes after a valid header prefix never panic.
    #[test]
    fn snapshot_arbitrary_tail(cut in 0usize..64, tail in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut b = valid_snapshot()[..cut.min(valid_snapshot().len())].to_vec();
        b.extend(tail);
        prop_assert!(read_all(&b).is_err());
    }
}

// ---------------------------------------------------------------- /sync records

proptest! {
    #![proptest_config(cases(3000))]

    /// `parse_data` over arbitrary JSON: never panics, only u64 app ids, and
    /// every parsed record re-encodes to a wire form that parses to itself.
    #[test]
    fn sync_data_arbitrary(v in arb_json()) {
        for (_, recs) in parse_data(&v) {
            for r in recs {
                prop_assert_eq!(Record::from_wire(&r.to_wire()), Some(r));
            }
        }
        let _ = parse_data(&json!({"1": [v.clone()], "2": v}));
    }

    /// A valid `data` map with one random edit anywhere: never panics, and
    /// whatever parses still round-trips.
    #[test]
    fn sync_data_mutated_valid(recs in proptest::collection::vec(arb_record(), 1..4), path in proptest::collection::vec(any::<usize>(), 0..5), repl in arb_json()) {
        let mut data = json!({"7": recs.iter().map(Record::to_wire).collect::<Vec<_>>()});
        prop_assert_eq!(parse_data(&data)[&7].clone(), recs);
        mutate_json(&mut data, &path, &repl);
        for (_, rs) in parse_data(&data) {
            for r in rs {
                prop_assert_eq!(Record::from_wire(&r.to_wire()), Some(r));
            }
        }
        // The same as text, byte-mutated: JSON errors are just errors.
        let text = serde_json::to_vec(&data).unwrap();
        let bad = apply(text, &[Mutation::Flip(path.first().copied().unwrap_or(0), 0x20)]);
        if let Ok(v) = serde_json::from_slice::<Value>(&bad) {
            let _ = parse_data(&v);
        }
    }
}

// ---------------------------------------------------------------- vector clocks

proptest! {
    #![proptest_config(cases(2000))]

    /// Vector clocks from arbitrary JSON: serde either refuses or yields a
    /// clock that compares consistently with itself; `from_wire` with an
    /// arbitrary `version` never panics, and when it accepts the record its
    /// clock holds exactly the entries of `version` whose counter is a u64
    /// (others are skipped) and survives `to_wire` / `from_wire` unchanged.
    #[test]
    fn vector_clock_arbitrary(v in arb_json()) {
        if let Ok(c) = serde_json::from_value::<VectorClock>(v.clone()) {
            prop_assert_eq!(c.compare(&c), novakms::store::ClockOrdering::Equal);
            prop_assert_eq!(c.merge_max(&c), c);
        }
        let w = json!({"key": "k", "value": "00", "version": v, "updated_at_ms": 1});
        if let Some(r) = Record::from_wire(&w) {
            let counters: std::collections::BTreeMap<String, u64> = v
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter_map(|(n, c)| c.as_u64().map(|c| (n.clone(), c)))
                        .collect()
                })
                .unwrap_or_default();
            prop_assert_eq!(&r.version.0, &counters);
            prop_assert_eq!(Record::from_wire(&r.to_wire()), Some(r));
        }
    }
}

// ---------------------------------------------------------------- envelopes

fn keys() -> &'static (Identity, Identity) {
    static K: std::sync::OnceLock<(Identity, Identity)> = std::sync::OnceLock::new();
    K.get_or_init(|| (Identity::generate(), Identity::generate()))
}

proptest! {
    #![proptest_config(cases(2500))]

    /// Envelope detection over arbitrary JSON never panics; opening whatever
    /// is detected fails with an error (random hex is not a valid envelope).
    #[test]
    fn envelope_arbitrary(v in arb_json(), ct in "[0-9a-fA-Fx]{0,80}", n in "[0-9a-fA-Fx]{0,30}", pk in "[0-9a-fA-Fx]{0,250}") {
        let (a, _) = keys();
        if let Some(e) = Envelope::from_json(&v) {
            let _ = envelope::open(a.tee_secret(), &e, DEFAULT_INFO_LABEL);
        }
        let e = Envelope { encrypted_data: ct, nonce: n, sender_tee_pubkey: pk };
        prop_assert!(envelope::open(a.tee_secret(), &e, DEFAULT_INFO_LABEL).is_err());
        prop_assert_eq!(Envelope::from_json(&e.to_json()), Some(e));
    }
}

proptest! {
    #![proptest_config(cases(100))]

    /// A valid envelope with one field mutated never opens (AES-GCM tag,
    /// salt bound to keys and nonce) and never panics.
    #[test]
    fn envelope_mutated_valid(plain in proptest::collection::vec(any::<u8>(), 0..64), field in 0usize..3, muts in proptest::collection::vec(mutation(), 1..3)) {
        let (a, b) = keys();
        let env = envelope::seal(a.tee_secret(), &b.tee_pubkey_der(), &plain, DEFAULT_INFO_LABEL).unwrap();
        prop_assert_eq!(envelope::open(b.tee_secret(), &env, DEFAULT_INFO_LABEL).unwrap(), plain);
        let mut bad = env.clone();
        let f = match field {
            0 => &mut bad.encrypted_data,
            1 => &mut bad.nonce,
            _ => &mut bad.sender_tee_pubkey,
        };
        *f = String::from_utf8_lossy(&apply(f.as_bytes().to_vec(), &muts)).into_owned();
        // Case and `0x` changes are the same bytes: only real changes must fail.
        let norm = |s: &str| s.trim_start_matches("0x").to_ascii_lowercase();
        let same = norm(&bad.encrypted_data) == env.encrypted_data
            && norm(&bad.nonce) == env.nonce
            && norm(&bad.sender_tee_pubkey) == env.sender_tee_pubkey;
        if !same {
            prop_assert!(envelope::open(b.tee_secret(), &bad, DEFAULT_INFO_LABEL).is_err());
        }
    }
}
