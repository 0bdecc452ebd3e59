//! Field deserializers with the upstream node's leniency (protocol.md §1.4–§1.7, §6.4): a field
//! of the wrong JSON type reads as absent instead of failing the whole body, so the operations
//! core answers with the protocol's message for that field (`Missing 'key' field`, …).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `Some(s)` for a JSON string, `None` for anything else (number, null, object, …).
///
/// Errors: none beyond malformed JSON, which the body parser has already refused.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

/// `Some(n)` for a JSON number that is a u64, `None` for anything else (negative, fraction,
/// string, …).
pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(Value::deserialize(d)?.as_u64())
}

/// A decrypted payload as a JSON object: anything else (array, string, number) reads as the
/// empty object, so every field is absent (the upstream node's `.get()` on a non-object).
pub fn object(v: Value) -> Value {
    match v {
        Value::Object(_) => v,
        _ => Value::Object(Default::default()),
    }
}

/// `Some(value)` whenever the field is present, `null` included (serde's `Option` would read
/// `null` as absent). For fields whose accepted types the operations core checks itself
/// (`context` and `length` of `/kms/derive`, `sender_wallet` of `/sync`).
pub fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug, Default)]
    struct Probe {
        #[serde(default, deserialize_with = "super::string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "super::u64")]
        n: Option<u64>,
        #[serde(default, deserialize_with = "super::present")]
        p: Option<serde_json::Value>,
    }

    fn probe(v: serde_json::Value) -> Probe {
        serde_json::from_value(super::object(v)).unwrap()
    }

    #[test]
    fn wrong_types_read_as_absent_and_null_is_present() {
        let p = probe(json!({"s": "x", "n": 5, "p": null}));
        assert_eq!(p.s.as_deref(), Some("x"));
        assert_eq!(p.n, Some(5));
        assert_eq!(p.p, Some(serde_json::Value::Null));
        let p = probe(json!({"s": 1, "n": -1, "extra": true}));
        assert_eq!((p.s, p.n, p.p), (None, None, None));
        let p = probe(json!({"n": 1.5, "s": null}));
        assert_eq!((p.s, p.n), (None, None));
        // A non-object payload is the empty object, never a positional struct.
        let p = probe(json!(["x", 5, 1]));
        assert_eq!((p.s, p.n, p.p), (None, None, None));
    }
}
