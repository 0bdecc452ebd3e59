//! Decrypted `/sync` payloads and their replies (protocol.md §6.4–§6.8).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lenient;
use crate::crypto::canonical::write_string;
use crate::crypto::sealed::SealedSecret;
use crate::store::{MergeReport, Record};

/// Push of records (§6.4).
pub const DELTA: &str = "delta";
/// Full snapshot pull (§6.7).
pub const SNAPSHOT_REQUEST: &str = "snapshot_request";
/// One page of a paged snapshot: a novakms-only type (HMAC required), not in protocol.md;
/// upstream peers answer it 400 `Unknown sync type: snapshot_page` (see
/// `node::replicator::paged`).
pub const SNAPSHOT_PAGE: &str = "snapshot_page";
/// Sealed master-secret exchange (§6.8; no HMAC required).
pub const MASTER_SECRET_REQUEST: &str = "master_secret_request";

/// A decrypted `/sync` payload (§6.4). Fields of the wrong type read as absent; `data` stays a
/// JSON value because records are parsed leniently one by one (`node::ingest::parse_data`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SyncPayload {
    /// `delta`, `snapshot_request` or `master_secret_request` (absent reads as `""`).
    #[serde(rename = "type", default, deserialize_with = "lenient::string")]
    pub kind: Option<String>,
    /// Optional claimed sender wallet, as received (must be the PoP signer).
    #[serde(default, deserialize_with = "lenient::present")]
    pub sender_wallet: Option<Value>,
    /// `delta` records: `{"<app_id>": [<record>…]}`.
    #[serde(default)]
    pub data: Value,
    /// `master_secret_request`: the requester's ephemeral P-384 key, hex (SPKI DER or SEC1).
    #[serde(default, deserialize_with = "lenient::string")]
    pub ecdh_pubkey: Option<String>,
    /// `digest_request` (novakms only, `wire::cluster`): the expiry cut-off, Unix ms.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub now_ms: Option<u64>,
    /// `digest_request`: leave out records written after this, Unix ms (anti-entropy's
    /// "settled" digests; absent = none left out).
    #[serde(default, deserialize_with = "lenient::u64")]
    pub settled_before_ms: Option<u64>,
    /// `digest_request`: app ids whose per-key summaries are wanted (`[u64]`; other entries
    /// are ignored).
    #[serde(default)]
    pub keys_for: Value,
    /// `snapshot_page`: the donor's change-log sequence to continue after (absent = 0).
    #[serde(default, deserialize_with = "lenient::u64")]
    pub after_seq: Option<u64>,
    /// `snapshot_page`: most records wanted in the page (capped by the donor).
    #[serde(default, deserialize_with = "lenient::u64")]
    pub max_records: Option<u64>,
    /// `snapshot_page`: record bytes (key + ciphertext) after which the page ends (capped by
    /// the donor).
    #[serde(default, deserialize_with = "lenient::u64")]
    pub max_bytes: Option<u64>,
    /// `snapshot_page`: wallets (`["0x…"]`) whose records, stored at the donor exactly as they
    /// sent them, the requester does not want (`node::replicator::paged`, "Origin exclusion").
    /// Entries that are not wallets are ignored; at most [`MAX_EXCLUDE_ORIGINS`] are used.
    /// Absent = none (and a donor from before this field sends everything, which is only
    /// slower).
    #[serde(default)]
    pub exclude_origins: Value,
    /// `snapshot_page`: the donor change log `after_seq` belongs to, as the requester last
    /// saw it (`log_id` of an earlier page; absent when it has none). When it is the donor's
    /// own, the requester holds the donor's log up to `after_seq` and, once the page is
    /// served, up to its `next_seq`: the donor advances its push cursor for the requester
    /// (`node::replicator::paged`, "Push cursors"). See [`SyncPayload::page_log_id`].
    #[serde(default, deserialize_with = "lenient::string")]
    pub log_id: Option<String>,
    /// `delta` (novakms only): `true` when the sender retries a delta this node refuses while
    /// it is catching up (`node::replicator::push`). Any other value reads as false; upstream
    /// senders never set it, so their deltas are always merged.
    #[serde(default)]
    pub retry_if_catching_up: Value,
}

/// Most `exclude_origins` entries a donor uses (a cluster has a few nodes; the rest are
/// ignored, which only means more records are sent).
pub const MAX_EXCLUDE_ORIGINS: usize = 32;

impl SyncPayload {
    /// The request's `log_id` when it has the shape of one ([`crate::storage::valid_log_id`]);
    /// anything else reads as absent.
    pub fn page_log_id(&self) -> Option<&str> {
        self.log_id
            .as_deref()
            .filter(|l| crate::storage::valid_log_id(l))
    }

    /// The `exclude_origins` of a `snapshot_page` request as canonical wallets (lowercase
    /// `0x…`), without entries that are not wallets, deduplicated, at most
    /// [`MAX_EXCLUDE_ORIGINS`].
    pub fn excluded_origins(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in self.exclude_origins.as_array().into_iter().flatten() {
            let Some(w) = v
                .as_str()
                .and_then(|s| crate::crypto::pop::canonical_wallet(s).ok())
            else {
                continue;
            };
            if !out.contains(&w) {
                out.push(w);
            }
            if out.len() >= MAX_EXCLUDE_ORIGINS {
                break;
            }
        }
        out
    }
}

/// Reply to a `delta` (§6.6): `{"status":"ok","total","merged","skipped","rejected",
/// "skip_reasons"}`.
#[derive(Clone, Debug, Serialize)]
pub struct DeltaReply {
    /// Always `"ok"`.
    pub status: &'static str,
    /// Counts of the merge.
    #[serde(flatten)]
    pub report: MergeReport,
}

/// Reply to a `snapshot_request` (§6.7): every namespace with its records, tombstones
/// included.
#[derive(Clone, Debug, Serialize)]
pub struct SnapshotReply {
    /// Always `"ok"`.
    pub status: &'static str,
    /// `{"<app_id>": [<wire record>…]}`.
    pub data: serde_json::Map<String, Value>,
}

/// Append the canonical JSON (§6.3) of a `data` object (§6.4), `{"<app_id>":[<wire
/// record>,…],…}`, to `out`, written record by record ([`Record::write_wire`]) instead of
/// through a JSON value. Apps in the byte order of their decimal ids (`"10"` before `"9"`,
/// as canonical JSON sorts keys); records in the order given; an app with no records is
/// written as `"<app_id>":[]`. Each app id must appear once.
pub fn write_canonical_data<'r, G, R>(out: &mut String, groups: G)
where
    G: IntoIterator<Item = (u64, R)>,
    R: IntoIterator<Item = &'r Record>,
{
    let mut groups: Vec<(String, R)> = groups
        .into_iter()
        .map(|(app, recs)| (app.to_string(), recs))
        .collect();
    groups.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    out.push('{');
    for (i, (app, recs)) in groups.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(&app);
        out.push_str("\":[");
        for (j, r) in recs.into_iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            r.write_wire(out);
        }
        out.push(']');
    }
    out.push('}');
}

/// Canonical JSON (§6.3) of a delta payload (§6.4):
/// `{"data":{…},"retry_if_catching_up":true,"sender_wallet":"<wallet>","type":"delta"}`,
/// `data` as [`write_canonical_data`] writes it. `retry_if_catching_up` is the novakms
/// request that a catching-up receiver answer 503 instead of merging (`node::catch_up`);
/// upstream ignores unknown keys.
pub fn delta_payload_canonical<'r, G, R>(sender_wallet: &str, data: G) -> String
where
    G: IntoIterator<Item = (u64, R)>,
    R: IntoIterator<Item = &'r Record>,
{
    let mut out = String::from("{\"data\":");
    write_canonical_data(&mut out, data);
    out.push_str(",\"retry_if_catching_up\":true,\"sender_wallet\":");
    write_string(&mut out, sender_wallet);
    out.push_str(",\"type\":\"delta\"}");
    out
}

/// Reply to a `snapshot_page` (novakms only): `{"status":"ok","data":{"<app_id>":[<wire
/// record>…]},"next_seq":<u64>,"last_seq":<u64>,"log_id":"<32 hex>"}`. `data` has the §6.4
/// shape (only apps with a record in the page, each app's records in `changes` order); the
/// next page is asked with `after_seq = next_seq`; the pull reached the end of the donor's
/// log when `next_seq >= last_seq`. Written straight to canonical JSON
/// ([`SnapshotPageReply::to_canonical`]): a page is up to 4 MiB of records, and a value tree
/// of it cost the donor a copy of the page in small allocations besides the CPU (issue 12).
#[derive(Clone, Debug)]
pub struct SnapshotPageReply<'a> {
    /// `(app_id, record)` pairs of the page, in change-log order.
    pub changes: Vec<(u64, &'a Record)>,
    /// Every donor change-log entry up to this sequence was considered.
    pub next_seq: u64,
    /// The donor's `last_seq` as of the page's read.
    pub last_seq: u64,
    /// The identity of the donor's change log (`Storage::log_id`, 32 lowercase hex
    /// characters; absent from an older novakms): the puller stores it with its cursor and
    /// pulls from 0 when it changes (`node::replicator::paged`, "Pull cursors").
    pub log_id: Option<&'a str>,
}

impl SnapshotPageReply<'_> {
    /// The reply's canonical JSON (§6.3), keys in order `data`, `last_seq`, `log_id` (left
    /// out when `None`), `next_seq`, `status` (`"ok"`).
    pub fn to_canonical(&self) -> String {
        use std::collections::BTreeMap;
        let mut groups: BTreeMap<u64, Vec<&Record>> = BTreeMap::new();
        for (app, r) in &self.changes {
            groups.entry(*app).or_default().push(r);
        }
        let bytes: usize = self
            .changes
            .iter()
            .map(|(_, r)| {
                let clock: usize = r.version.0.keys().map(|n| n.len() + 24).sum();
                2 * r.key.len() + 2 * r.value.len() + clock + 96
            })
            .sum();
        // Sized up front (keys allowing for escapes, clocks included) so that the text, which
        // holds plaintext app keys, is not reallocated and left behind in freed memory.
        let mut out = String::with_capacity(bytes + 160);
        out.push_str("{\"data\":");
        write_canonical_data(&mut out, groups);
        out.push_str(&format!(",\"last_seq\":{}", self.last_seq));
        if let Some(l) = self.log_id {
            out.push_str(",\"log_id\":");
            write_string(&mut out, l);
        }
        out.push_str(&format!(
            ",\"next_seq\":{},\"status\":\"ok\"}}",
            self.next_seq
        ));
        out
    }
}

/// Reply to a `master_secret_request` (§6.8).
#[derive(Clone, Debug, Serialize)]
pub struct MasterSecretReply {
    /// Always `"ok"`.
    pub status: &'static str,
    /// The sealed secret: `{"encrypted_data","ephemeral_pubkey","nonce"}`.
    pub sealed: SealedSecret,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rec(key: &str, value: &[u8], tombstone: bool, clock: &[(&str, u64)]) -> Record {
        Record {
            key: key.into(),
            value: value.to_vec(),
            version: crate::store::VectorClock(
                clock.iter().map(|(n, c)| (n.to_string(), *c)).collect(),
            ),
            updated_at_ms: 1_730_000_000_123,
            tombstone,
            ttl_ms: 5,
        }
    }

    /// The `data` object built the value way: §6.4 wire records grouped per app.
    fn data_value(groups: &[(u64, Vec<&Record>)]) -> Value {
        let mut m = serde_json::Map::new();
        for (app, recs) in groups {
            let arr = m
                .entry(app.to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = arr {
                a.extend(recs.iter().map(|r| r.to_wire()));
            }
        }
        Value::Object(m)
    }

    #[test]
    fn written_delta_payloads_and_pages_equal_the_canonical_json_of_their_values() {
        use crate::crypto::canonical::canonical_json;
        let a = rec("a", &[1, 2, 3], false, &[("0xaa", 1)]);
        let b = rec(
            "b\"\\\n\u{1}é",
            &[0xab; 40],
            false,
            &[("0xbb", 9), ("0xaa", 2)],
        );
        let t = rec("t", &[], true, &[]);
        // Apps whose decimal order differs from their numeric order.
        let groups = vec![
            (9u64, vec![&a, &t]),
            (123_456, vec![&b]),
            (10, vec![]),
            (7, vec![&t, &b, &a]),
        ];
        let w = "0x1111111111111111111111111111111111111111";
        let written = delta_payload_canonical(w, groups.iter().map(|(k, v)| (*k, v.clone())));
        let value = json!({"type": "delta", "sender_wallet": w, "data": data_value(&groups),
                           "retry_if_catching_up": true});
        assert_eq!(written, canonical_json(&value));
        assert_eq!(
            delta_payload_canonical(w, Vec::<(u64, Vec<&Record>)>::new()),
            canonical_json(
                &json!({"type": "delta", "sender_wallet": w, "data": {}, "retry_if_catching_up": true})
            )
        );

        // A page: records of one app need not be adjacent in the log.
        let changes = vec![(9u64, &a), (7, &b), (9, &t), (123_456, &a), (7, &t)];
        for log_id in [Some("00112233445566778899aabbccddeeff"), None] {
            let page = SnapshotPageReply {
                changes: changes.clone(),
                next_seq: 42,
                last_seq: u64::MAX,
                log_id,
            };
            let mut v = json!({
                "status": "ok",
                "data": data_value(&[(9, vec![&a, &t]), (7, vec![&b, &t]), (123_456, vec![&a])]),
                "next_seq": 42, "last_seq": u64::MAX});
            if let Some(l) = log_id {
                v["log_id"] = json!(l);
            }
            assert_eq!(page.to_canonical(), canonical_json(&v), "{log_id:?}");
        }
        let empty = SnapshotPageReply {
            changes: Vec::new(),
            next_seq: 0,
            last_seq: 0,
            log_id: None,
        };
        assert_eq!(
            empty.to_canonical(),
            r#"{"data":{},"last_seq":0,"next_seq":0,"status":"ok"}"#
        );
    }

    fn payload(v: Value) -> SyncPayload {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn excluded_origins_are_canonical_wallets_deduplicated_and_capped() {
        let w = "0xAbCdEf0123456789abcdef0123456789ABCDEF01";
        let p = payload(json!({
            "type": "snapshot_page",
            "exclude_origins": [w, w.to_lowercase(), "not a wallet", 7, null, "0XABCDEF0123456789ABCDEF0123456789ABCDEF01",
                                "0x1111111111111111111111111111111111111111"],
        }));
        assert_eq!(
            p.excluded_origins(),
            vec![
                w.to_lowercase(),
                "0x1111111111111111111111111111111111111111".to_string()
            ]
        );
        assert!(payload(json!({"type": "snapshot_page"}))
            .excluded_origins()
            .is_empty());
        assert!(
            payload(json!({"exclude_origins": "0x1111111111111111111111111111111111111111"}))
                .excluded_origins()
                .is_empty(),
            "not an array: none"
        );
        let many: Vec<String> = (0..100u32).map(|i| format!("0x{i:040x}")).collect();
        let got = payload(json!({ "exclude_origins": many })).excluded_origins();
        assert_eq!(got.len(), MAX_EXCLUDE_ORIGINS);
        assert_eq!(got[0], format!("0x{:040x}", 0));
    }
}
