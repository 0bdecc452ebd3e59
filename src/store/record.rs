//! The stored record of the KV store (protocol.md §4.1) and its sync wire form (§6.4).

use serde_json::{Map, Value};

use super::vclock::VectorClock;

/// Most vector-clock entries accepted from the wire by [`Record::from_wire`] (and by the storage
/// codec). A cluster has a handful of nodes; anything beyond this is hostile input
/// (security-checklist.md "giant vector clocks"). Upstream has no limit.
pub const MAX_CLOCK_ENTRIES: usize = 256;

/// Longest node id (vector-clock key) accepted, in bytes. Real ids are canonical wallets
/// (42 bytes, protocol.md §6.10). Upstream has no limit.
pub const MAX_NODE_ID_BYTES: usize = 128;

/// One record of an app namespace (protocol.md §4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// App-chosen key; any string, including `""` (protocol.md §4.7).
    pub key: String,
    /// `nonce(12) ‖ AES-256-GCM ciphertext ‖ tag(16)` under the app's data key (§4.2); never
    /// plaintext. Empty for tombstones.
    pub value: Vec<u8>,
    /// Vector clock (§4.1, §6.10).
    pub version: VectorClock,
    /// Unix time in ms of the write on the originating node (§4.4).
    pub updated_at_ms: u64,
    /// Deletion marker (§4.4).
    pub tombstone: bool,
    /// Time to live in ms after `updated_at_ms`; 0 = never expires (§4.3).
    pub ttl_ms: u64,
}

impl Record {
    /// Unix ms after which the record is expired, or `None` if it never expires.
    ///
    /// `None` when `ttl_ms == 0`, and also when `updated_at_ms + ttl_ms` overflows u64. Upstream
    /// computes the sum with wrapping arithmetic (release build), so an absurd `ttl_ms` near 2^64
    /// makes the record expire immediately there (protocol.md §4.3); novakms instead treats an
    /// overflowing expiry as "never expires", which is what such a TTL asks for.
    pub fn expires_at_ms(&self) -> Option<u64> {
        if self.ttl_ms == 0 {
            return None;
        }
        self.updated_at_ms.checked_add(self.ttl_ms)
    }

    /// True iff `ttl_ms > 0 && now_ms > updated_at_ms + ttl_ms` (strict; protocol.md §4.3), with
    /// an overflowing sum meaning "never" (see [`Record::expires_at_ms`]).
    pub fn is_expired(&self, now_ms: u64) -> bool {
        matches!(self.expires_at_ms(), Some(at) if now_ms > at)
    }

    /// True iff the record is readable: not a tombstone and not expired at `now_ms`
    /// (protocol.md §1.5, §4.4 "live record").
    pub fn is_live(&self, now_ms: u64) -> bool {
        !self.tombstone && !self.is_expired(now_ms)
    }

    /// Bytes this record counts against its namespace quota (design.md §4 "Quotas",
    /// security-checklist.md "Quotas count what they cost (value bytes and key bytes)"):
    /// UTF-8 key bytes plus ciphertext bytes; a tombstone costs its key bytes only.
    ///
    /// Upstream counts only ciphertext bytes of non-tombstones (protocol.md §4.6); the quota is a
    /// local matter invisible on the wire, so the difference does not affect interop.
    pub fn cost(&self) -> u64 {
        let value = if self.tombstone { 0 } else { self.value.len() };
        (self.key.len() as u64).saturating_add(value as u64)
    }

    /// The sync wire form (protocol.md §6.4):
    /// `{"key","tombstone","ttl_ms","updated_at_ms","value","version"}` with `value` = lowercase
    /// hex of the ciphertext, or `null` for a tombstone; `version` = the clock as a JSON object.
    pub fn to_wire(&self) -> Value {
        let mut version = Map::new();
        for (node, counter) in &self.version.0 {
            version.insert(node.clone(), Value::from(*counter));
        }
        // Inserted in alphabetical order so the object is canonical even if serde_json's
        // `preserve_order` feature gets enabled by another crate.
        let mut m = Map::new();
        m.insert("key".into(), Value::String(self.key.clone()));
        m.insert("tombstone".into(), Value::Bool(self.tombstone));
        m.insert("ttl_ms".into(), Value::from(self.ttl_ms));
        m.insert("updated_at_ms".into(), Value::from(self.updated_at_ms));
        m.insert(
            "value".into(),
            if self.tombstone {
                Value::Null
            } else {
                Value::String(crate::crypto::keys::encode_hex(&self.value))
            },
        );
        m.insert("version".into(), Value::Object(version));
        Value::Object(m)
    }

    /// Append the canonical JSON (protocol.md §6.3) of [`Record::to_wire`] to `out` without
    /// building the JSON value: byte for byte `canonical_json(&self.to_wire())` (tested
    /// below). The replication paths write records this way (issue 12: the value tree and its
    /// serialisation were a fifth of a donor's CPU per page).
    pub fn write_wire(&self, out: &mut String) {
        use crate::crypto::canonical::write_string;
        use std::fmt::Write as _;
        out.reserve(self.key.len() + 2 * self.value.len() + 96);
        out.push_str("{\"key\":");
        write_string(out, &self.key);
        out.push_str(if self.tombstone {
            ",\"tombstone\":true"
        } else {
            ",\"tombstone\":false"
        });
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            ",\"ttl_ms\":{},\"updated_at_ms\":{},\"value\":",
            self.ttl_ms, self.updated_at_ms
        );
        if self.tombstone {
            out.push_str("null");
        } else {
            out.push('"');
            out.push_str(&crate::crypto::keys::encode_hex(&self.value));
            out.push('"');
        }
        out.push_str(",\"version\":{");
        // BTreeMap<String, _> iterates in byte order of the node ids: the canonical order.
        for (i, (node, counter)) in self.version.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(out, node);
            let _ = write!(out, ":{counter}");
        }
        out.push_str("}}");
    }

    /// Parse the sync wire form leniently, exactly as upstream does (protocol.md §6.4):
    ///
    /// * the value must be a JSON object and `key` a string, else `None`;
    /// * `tombstone`: a JSON bool, anything else (missing, wrong type) = `false`;
    /// * non-tombstone: `value` must be a hex string (upper or lower case, optional `0x`
    ///   prefix, even length), else `None`; for a tombstone `value` is ignored and stored empty;
    /// * `version`: a JSON object; entries whose value is not an unsigned integer that fits u64
    ///   are dropped; a non-object `version` gives an empty clock;
    /// * `updated_at_ms` / `ttl_ms`: unsigned integers fitting u64, anything else = 0.
    ///
    /// novakms addition: a clock with more than [`MAX_CLOCK_ENTRIES`] usable entries or a node id
    /// longer than [`MAX_NODE_ID_BYTES`] makes the whole record `None` (dropping entries would
    /// change causality). Never panics, whatever the input.
    pub fn from_wire(v: &Value) -> Option<Record> {
        let obj = v.as_object()?;
        let key = obj.get("key")?.as_str()?.to_string();
        let tombstone = obj
            .get("tombstone")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let value = if tombstone {
            Vec::new()
        } else {
            let s = obj.get("value")?.as_str()?;
            crate::crypto::keys::decode_hex_strict(s.strip_prefix("0x").unwrap_or(s)).ok()?
        };
        let mut version = VectorClock::new();
        if let Some(entries) = obj.get("version").and_then(Value::as_object) {
            for (node, counter) in entries {
                let Some(counter) = counter.as_u64() else {
                    continue;
                };
                if node.len() > MAX_NODE_ID_BYTES || version.len() >= MAX_CLOCK_ENTRIES {
                    return None;
                }
                version.0.insert(node.clone(), counter);
            }
        }
        let num = |name: &str| obj.get(name).and_then(Value::as_u64).unwrap_or(0);
        Some(Record {
            key,
            value,
            version,
            updated_at_ms: num("updated_at_ms"),
            tombstone,
            ttl_ms: num("ttl_ms"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec() -> Record {
        Record {
            key: "k".into(),
            value: vec![0xAB, 0x01],
            version: VectorClock::from([("0xaa", 1)]),
            updated_at_ms: 1_730_000_000_000,
            tombstone: false,
            ttl_ms: 0,
        }
    }

    #[test]
    fn write_wire_is_the_canonical_json_of_to_wire() {
        use crate::crypto::canonical::canonical_json;
        let mut cases = vec![rec()];
        let mut odd = rec();
        odd.key = "q\"b\\s\n\u{1}\u{7f}é/\u{2028}".into();
        odd.version = VectorClock::from([("0xbb", u64::MAX), ("0xAA", 0), ("n\"\t", 7)]);
        odd.ttl_ms = u64::MAX;
        odd.updated_at_ms = 0;
        odd.value = (0..=255).collect();
        cases.push(odd.clone());
        odd.tombstone = true;
        cases.push(odd.clone());
        odd.version = VectorClock::new();
        odd.value = Vec::new();
        cases.push(odd.clone());
        odd.tombstone = false;
        cases.push(odd);
        for r in cases {
            let mut out = String::from("prefix,");
            r.write_wire(&mut out);
            assert_eq!(
                out,
                format!("prefix,{}", canonical_json(&r.to_wire())),
                "{r:?}"
            );
        }
    }

    #[test]
    fn expiry_is_strict_and_overflow_never_expires() {
        let mut r = rec();
        r.updated_at_ms = 1000;
        r.ttl_ms = 10;
        assert!(!r.is_expired(1010));
        assert!(r.is_expired(1011));
        assert!(!r.is_live(1011));
        r.ttl_ms = 0;
        assert!(!r.is_expired(u64::MAX));
        r.ttl_ms = u64::MAX;
        assert_eq!(r.expires_at_ms(), None);
        assert!(!r.is_expired(u64::MAX));
        r.tombstone = true;
        r.ttl_ms = 0;
        assert!(!r.is_live(0));
    }

    #[test]
    fn cost_counts_key_and_value_tombstone_key_only() {
        let mut r = rec();
        assert_eq!(r.cost(), 3);
        r.tombstone = true;
        r.value.clear();
        assert_eq!(r.cost(), 1);
    }

    #[test]
    fn wire_round_trip_and_exact_shape() {
        let r = rec();
        let w = r.to_wire();
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"key":"k","tombstone":false,"ttl_ms":0,"updated_at_ms":1730000000000,"value":"ab01","version":{"0xaa":1}}"#
        );
        assert_eq!(Record::from_wire(&w), Some(r.clone()));
        let mut t = r;
        t.tombstone = true;
        t.value.clear();
        let w = t.to_wire();
        assert_eq!(w["value"], Value::Null);
        assert_eq!(Record::from_wire(&w), Some(t));
    }

    #[test]
    fn lenient_parsing_rules() {
        // 0x prefix and upper case accepted; defaults for missing fields.
        let r = Record::from_wire(&json!({"key": "a", "value": "0xABCD"})).unwrap();
        assert_eq!(r.value, vec![0xab, 0xcd]);
        assert_eq!((r.updated_at_ms, r.ttl_ms, r.tombstone), (0, 0, false));
        assert!(r.version.is_empty());
        // wrong types default / drop entries
        let r = Record::from_wire(&json!({
            "key": "a", "value": "", "tombstone": "yes", "ttl_ms": -1, "updated_at_ms": 1.5,
            "version": {"x": 1, "y": -1, "z": "2", "w": 1e30, "v": 18446744073709551615u64}
        }))
        .unwrap();
        assert!(!r.tombstone);
        assert_eq!((r.updated_at_ms, r.ttl_ms), (0, 0));
        assert_eq!(r.version, VectorClock::from([("x", 1), ("v", u64::MAX)]));
        // tombstone ignores value
        let r = Record::from_wire(&json!({"key": "a", "tombstone": true, "value": 7})).unwrap();
        assert!(r.tombstone && r.value.is_empty());
        // version not an object -> empty clock
        let r = Record::from_wire(&json!({"key": "a", "value": "", "version": [1, 2]})).unwrap();
        assert!(r.version.is_empty());
    }

    #[test]
    fn unparseable_records_are_none() {
        for v in [
            json!(null),
            json!([]),
            json!("k"),
            json!({"value": "00"}),
            json!({"key": 5, "value": "00"}),
            json!({"key": "a"}),
            json!({"key": "a", "value": null}),
            json!({"key": "a", "value": "abc"}),
            json!({"key": "a", "value": "zz"}),
            json!({"key": "a", "value": 12}),
        ] {
            assert_eq!(Record::from_wire(&v), None, "{v}");
        }
    }

    #[test]
    fn huge_numbers_and_giant_clocks_do_not_panic() {
        let big: Value = serde_json::from_str(
            r#"{"key":"a","value":"","ttl_ms":1e300,"updated_at_ms":99999999999999999999999}"#,
        )
        .unwrap();
        let r = Record::from_wire(&big).unwrap();
        assert_eq!((r.ttl_ms, r.updated_at_ms), (0, 0));
        let mut clock = Map::new();
        for i in 0..=MAX_CLOCK_ENTRIES {
            clock.insert(format!("n{i}"), json!(1));
        }
        let v = json!({"key": "a", "value": "", "version": Value::Object(clock.clone())});
        assert_eq!(Record::from_wire(&v), None);
        clock.remove("n0");
        let v = json!({"key": "a", "value": "", "version": Value::Object(clock)});
        assert_eq!(
            Record::from_wire(&v).unwrap().version.len(),
            MAX_CLOCK_ENTRIES
        );
        let long_id = "x".repeat(MAX_NODE_ID_BYTES + 1);
        let v = json!({"key": "a", "value": "", "version": {long_id: 1}});
        assert_eq!(Record::from_wire(&v), None);
        let longest = "x".repeat(MAX_NODE_ID_BYTES);
        let v = json!({"key": "a", "value": "", "version": {longest.clone(): 1}});
        assert_eq!(
            Record::from_wire(&v).unwrap().version.get(&longest),
            1,
            "an id of exactly the limit is kept"
        );
    }
}
