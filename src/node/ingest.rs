//! Admission of records received from peers (protocol.md §6.4–§6.6):
//! lenient parsing of a `data` map, validation (size, clock skew, app id,
//! probe decryption under the app's data key) and the merge, which goes
//! through the node's one write path (`node::commit`, one transaction per app
//! and chunk), so a failed merge commit turns readiness off like a failed
//! local write.
//!
//! Used by the `/sync` handler (`delta`, via `node::peer_ops`), by the
//! snapshot pulls of the replicator and by the node tick's first pull.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use zeroize::Zeroizing;

use crate::crypto::value::decrypt_value;
use crate::error::{Error, ErrorKind};
use crate::node::state::NodeState;
use crate::store::{validate_inbound, MergeReport, Record};

/// Parse a §6.4 `data` object (decimal app id → array of wire records)
/// leniently, as upstream does: a non-object `data` gives an empty map; keys
/// that are not a u64 and values that are not arrays are skipped; records
/// that [`Record::from_wire`] cannot parse are skipped (not counted). Keys
/// that parse to the same app id (`"5"`, `"05"`) are concatenated.
///
/// Never panics. The input size is bounded by the request body limit, and
/// the JSON nesting depth by serde_json's recursion limit at parse time.
pub fn parse_data(data: &Value) -> BTreeMap<u64, Vec<Record>> {
    let mut out: BTreeMap<u64, Vec<Record>> = BTreeMap::new();
    let Some(obj) = data.as_object() else {
        return out;
    };
    for (app, recs) in obj {
        let Ok(app_id) = app.parse::<u64>() else {
            continue;
        };
        let Some(recs) = recs.as_array() else {
            continue;
        };
        out.entry(app_id)
            .or_default()
            .extend(recs.iter().filter_map(Record::from_wire));
    }
    out
}

/// Why an inbound record is refused before merging, or `None` if it may be
/// merged. `data_key` is the app's data key (§4.2).
fn refusal(st: &NodeState, rec: &Record, now_ms: u64, data_key: &[u8; 32]) -> Option<String> {
    // The app API's key limit holds for replicated records too (issue 10): a peer cannot
    // store a key here that an app could not have written.
    if rec.key.len() > st.settings.max_key_bytes {
        return Some(format!(
            "key of {} bytes exceeds max_key_bytes",
            rec.key.len()
        ));
    }
    if let Err(reason) = validate_inbound(
        rec,
        now_ms,
        st.limits.max_kv_value_size_bytes,
        st.settings.max_clock_skew_ms,
    ) {
        return Some(reason);
    }
    if !rec.tombstone {
        // §6.5 step 2, always on (upstream: enclave mode only). The plaintext
        // is discarded at once (zeroized).
        match decrypt_value(data_key, &rec.value) {
            Ok(plain) => drop(Zeroizing::new(plain)),
            Err(crate::crypto::CryptoError::CiphertextTooShort) => {
                return Some("ciphertext too short".into())
            }
            Err(_) => return Some("ciphertext failed validation".into()),
        }
    }
    None
}

fn no_secret() -> Error {
    Error::new(ErrorKind::NotReady, "master secret not initialized")
}

/// Validate records received from a peer (protocol.md §6.5), without storing anything.
///
/// Per record, in this order: app id 0 (the cluster-internal key domain) is
/// refused; a key longer than `max_key_bytes` (UTF-8 bytes, the app API's limit, issue 10)
/// is refused; `validate_inbound` (ciphertext ≤ `max_kv_value_size_bytes` + 128,
/// `updated_at_ms` ≤ now + `max_clock_skew_ms`); non-tombstones must be
/// ≥ 28 bytes and decrypt under `data_key(app_id)` (probe decryption, always
/// on). Returns the accepted records per app (apps with none left out) and a
/// report counting the refused ones as `rejected` (each logged at debug level
/// with its reason). CPU-bound (one AES-GCM open per record).
///
/// Errors: [`ErrorKind::NotReady`] `master secret not initialized`.
pub fn validate(
    st: &NodeState,
    data: BTreeMap<u64, Vec<Record>>,
    origin: Option<&str>,
) -> crate::Result<(BTreeMap<u64, Vec<Record>>, MergeReport)> {
    if st.with_secret(|_| ()).is_none() {
        return Err(no_secret());
    }
    let now = st.clock.now_ms();
    let mut report = MergeReport::default();
    let mut accepted = BTreeMap::new();
    for (app_id, records) in data {
        if records.is_empty() {
            continue;
        }
        if app_id == 0 {
            tracing::debug!(
                count = records.len(),
                "inbound records for app_id 0 rejected"
            );
            for _ in &records {
                report.reject();
            }
            continue;
        }
        let dk = Zeroizing::new(st.data_key(app_id).ok_or_else(no_secret)?);
        let mut ok = Vec::with_capacity(records.len());
        for rec in records {
            if stale_tombstone_for_absent_key(st, app_id, &rec, now)? {
                report.total += 1;
                report.skipped += 1;
                *report
                    .skip_reasons
                    .entry("tombstone past retention for an absent key".into())
                    .or_insert(0) += 1;
                continue;
            }
            match refusal(st, &rec, now, &dk) {
                None => ok.push(rec),
                Some(reason) => {
                    tracing::debug!(app_id, origin, %reason, "inbound record rejected");
                    report.reject();
                }
            }
        }
        if !ok.is_empty() {
            accepted.insert(app_id, ok);
        }
    }
    Ok((accepted, report))
}

/// A tombstone already older than `tombstone_retention_ms` for a key this node holds no
/// record of: storing it would delete nothing and the next purge would remove it, but it would
/// take a new change-log sequence and be pushed on, so nodes that purge at different moments
/// would hand it back and forth forever (found by the issue 10 rejoin test). Skipped instead.
/// Reads storage (blocking).
fn stale_tombstone_for_absent_key(
    st: &NodeState,
    app_id: u64,
    rec: &Record,
    now: u64,
) -> crate::Result<bool> {
    let retention = st.limits.tombstone_retention_ms;
    let stale =
        rec.tombstone && retention > 0 && now.saturating_sub(rec.updated_at_ms) >= retention;
    Ok(stale && st.storage.get(app_id, &rec.key)?.is_none())
}

/// Validate and merge records received from a peer (protocol.md §6.5, §6.6).
///
/// [`validate`] runs on the blocking pool; the accepted records of each app are
/// then merged in one transaction through the node's committer
/// (`Committer::submit_merge`), `origin` = canonical wallet of the sending peer
/// (so the replicator does not echo them back to it).
///
/// Returns the combined report: `total` = parsed records given,
/// `merged` + `skipped` + `rejected` = `total`.
///
/// Errors: [`ErrorKind::NotReady`] `master secret not initialized` (nothing
/// merged); storage errors (earlier apps may already be merged: each app is
/// its own transaction, and merging is idempotent).
pub async fn ingest(
    st: &Arc<NodeState>,
    data: BTreeMap<u64, Vec<Record>>,
    origin: Option<&str>,
) -> crate::Result<MergeReport> {
    let st2 = st.clone();
    let from = origin.map(str::to_string);
    let (accepted, mut report) =
        tokio::task::spawn_blocking(move || validate(&st2, data, from.as_deref()))
            .await
            .map_err(|e| Error::local(format!("validation task failed: {e}")))??;
    for (app_id, records) in accepted {
        let r = st.committer.submit_merge(app_id, records, origin).await?;
        report.absorb(&r);
    }
    if report.rejected > 0 {
        tracing::warn!(
            origin,
            rejected = report.rejected,
            total = report.total,
            "inbound records rejected (size, clock skew, app id 0 or probe decryption)"
        );
    }
    Ok(report)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::chain::registry::RegistryClient;
    use crate::config::{Settings, StorageKind};
    use crate::crypto::master::MasterSecret;
    use crate::crypto::value::encrypt_value;
    use crate::identity::Identity;
    use crate::node::state::{LoadedSecret, SecretOrigin};
    use crate::storage::MemoryStorage;
    use crate::store::VectorClock;

    /// A node state over memory storage with master secret `secret` (if any);
    /// no network I/O.
    pub(crate) fn test_state(secret: Option<[u8; 32]>) -> Arc<NodeState> {
        let settings = Settings {
            storage: StorageKind::Memory,
            ..Settings::default()
        };
        let identity = Identity::generate();
        let zero = "0x0000000000000000000000000000000000000001";
        let registry =
            RegistryClient::new("http://127.0.0.1:1", zero, zero, Duration::from_secs(1)).unwrap();
        let master = secret.map(|s| LoadedSecret {
            secret: MasterSecret::from_bytes(s),
            origin: SecretOrigin::Generated,
            synced_from: None,
            verified: true,
            awaiting_chain: false,
        });
        let st = crate::node::assemble(
            settings,
            identity.into(),
            Arc::new(MemoryStorage::new()),
            registry,
            master,
        )
        .unwrap();
        st.set_ready();
        Arc::new(st)
    }

    fn rec(key: &str, value: Vec<u8>, ts: u64) -> Record {
        Record {
            key: key.into(),
            value,
            version: VectorClock::from([("0xaa", 1)]),
            updated_at_ms: ts,
            tombstone: false,
            ttl_ms: 0,
        }
    }

    #[test]
    fn parse_data_is_lenient_and_never_panics() {
        let d = json!({
            "7": [
                {"key": "a", "value": "00", "version": {"0xaa": 1}},
                {"key": 1},
                "junk",
                {"key": "t", "tombstone": true}
            ],
            "x": [{"key": "b", "value": "00"}],
            "-1": [{"key": "c", "value": "00"}],
            "18446744073709551616": [{"key": "d", "value": "00"}],
            "8": {"key": "e"},
            "07": [{"key": "f", "value": "01"}],
            "9": []
        });
        let p = parse_data(&d);
        assert_eq!(p.keys().copied().collect::<Vec<_>>(), vec![7, 9]);
        let keys: Vec<&str> = p[&7].iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys.len(), 3);
        assert!(keys.contains(&"a") && keys.contains(&"t") && keys.contains(&"f"));
        for v in [json!(null), json!([1, 2]), json!(5), json!("s"), json!({})] {
            assert!(parse_data(&v).is_empty());
        }
        // Deep nesting inside a record is just an unparseable field.
        let mut deep = json!(1);
        for _ in 0..100 {
            deep = json!([deep]);
        }
        let p = parse_data(&json!({"1": [deep.clone()], "2": deep}));
        assert!(p.values().all(Vec::is_empty), "{p:?}");
    }

    #[test]
    fn stale_tombstone_is_stored_only_over_a_record() {
        let st = test_state(Some([7u8; 32]));
        let now = st.clock.now_ms();
        let retention = st.limits.tombstone_retention_ms;
        let l = st.limits.clone();
        st.storage
            .put_local(5, "held", vec![1; 40], 0, "0xbb", now - retention - 10, &l)
            .unwrap();
        let old = |k: &str| {
            let mut t = rec(k, vec![], now - retention);
            t.tombstone = true;
            t.version = VectorClock::from([("0xaa", 1), ("0xbb", 1)]);
            t
        };
        let data = BTreeMap::from([(5, vec![old("absent"), old("held")])]);
        let (ok, report) = validate(&st, data, None).unwrap();
        let keys: Vec<&str> = ok[&5].iter().map(|r| r.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["held"],
            "a stale tombstone still deletes a held record"
        );
        assert_eq!((report.total, report.skipped), (1, 1));
    }

    #[tokio::test]
    async fn ingest_validates_then_merges() {
        let secret = [7u8; 32];
        let st = test_state(Some(secret));
        let ms = MasterSecret::from_bytes(secret);
        let now = st.clock.now_ms();
        let good = encrypt_value(&ms.data_key(5), b"hello");
        let other_app = encrypt_value(&ms.data_key(6), b"hello");
        let mut tomb = rec("t", vec![], now);
        tomb.tombstone = true;
        let mut future_tomb = rec("ft", vec![], now + 60_000);
        future_tomb.tombstone = true;
        let long_key = "k".repeat(st.settings.max_key_bytes + 1);
        let mut long_tomb = rec(&long_key, vec![], now);
        long_tomb.tombstone = true;
        let longest = "k".repeat(st.settings.max_key_bytes);
        let mut data = BTreeMap::new();
        data.insert(
            5,
            vec![
                rec("ok", good.clone(), now),
                rec("wrong-key", other_app, now),
                rec("short", vec![1; 27], now),
                rec("future", good.clone(), now + 60_000),
                rec("big", vec![0; st.limits.max_kv_value_size_bytes + 129], now),
                tomb,
                future_tomb,
                rec(&long_key, good.clone(), now),
                long_tomb,
                rec(&longest, good.clone(), now),
            ],
        );
        data.insert(0, vec![rec("zero", good.clone(), now)]);
        let r = ingest(&st, data.clone(), Some("0xbb")).await.unwrap();
        assert_eq!((r.total, r.merged, r.skipped, r.rejected), (11, 3, 0, 8));
        assert_eq!(st.storage.get(5, "ok").unwrap().unwrap().value, good);
        assert!(st.storage.get(5, &longest).unwrap().is_some());
        assert!(st.storage.get(5, &long_key).unwrap().is_none());
        assert!(st.storage.get(5, "t").unwrap().unwrap().tombstone);
        for k in ["wrong-key", "short", "future", "big", "ft"] {
            assert!(st.storage.get(5, k).unwrap().is_none(), "{k}");
        }
        assert!(st.storage.get(0, "zero").unwrap().is_none());
        // Replay: equal versions are skipped.
        let r = ingest(&st, data, None).await.unwrap();
        assert_eq!((r.total, r.merged, r.skipped, r.rejected), (11, 0, 3, 8));
        assert_eq!(r.skip_reasons.get("ignored_equal_version"), Some(&3));
    }

    #[tokio::test]
    async fn ingest_without_secret_is_not_ready() {
        let st = test_state(None);
        let mut data = BTreeMap::new();
        data.insert(5, vec![rec("a", vec![0; 40], 1)]);
        let e = ingest(&st, data, None).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotReady);
        // Empty input is refused the same way.
        assert!(ingest(&st, BTreeMap::new(), None).await.is_err());
    }
}
