//! Canonical JSON (protocol.md §6.3), written by hand so that it does not depend on serde_json's
//! map ordering (the `preserve_order` feature may be switched on by any crate in the graph).
//!
//! Rules: object keys sorted by the byte-wise order of their UTF-8 (= code-point order),
//! recursively; array order kept; no whitespace; strings escape only `"`, `\`, the short
//! escapes `\b \f \n \r \t` and other control characters below U+0020 as `\u00XX` with
//! lowercase hex; everything else (`/`, DEL, U+2028/U+2029, all non-ASCII) is raw UTF-8;
//! numbers as serde_json writes them (integers in plain decimal); `true`/`false`/`null`.
//! Equivalent to Python `json.dumps(v, sort_keys=True, separators=(",",":"),
//! ensure_ascii=False)` for integer-only data.

use serde_json::Value;

/// Canonical JSON text of `v` (protocol.md §6.3). Used as the `/sync` HMAC input and as the
/// plaintext of every encrypted response.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, val)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, val);
            }
            out.push('}');
        }
    }
}

/// Append the canonical JSON string literal of `s` to `out` (the escapes in the module doc).
/// For writers that emit canonical JSON without building a [`Value`] first
/// (`Record::write_wire`, the delta and `snapshot_page` bodies; issue 12).
pub fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    // Runs that need no escape are copied whole (hex values and envelopes are long such runs,
    // issue 12). Every escaped character is ASCII, so a byte index below 0x80 is always a char
    // boundary and the slices stay valid UTF-8.
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            b if b < 0x20 => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        run = i + 1;
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        } else {
            out.push_str(esc);
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn vector_records() {
        // protocol.md §10
        let rec = json!({"version":{"0xbb":1,"0xaa":2},"value":"ab","updated_at_ms":5,
                         "ttl_ms":0,"tombstone":false,"key":"k"});
        assert_eq!(
            canonical_json(&rec),
            r#"{"key":"k","tombstone":false,"ttl_ms":0,"updated_at_ms":5,"value":"ab","version":{"0xaa":2,"0xbb":1}}"#
        );
        let tomb = json!({"key":"k","tombstone":true,"ttl_ms":0,"updated_at_ms":5,"value":null,
                          "version":{"0xaa":2,"0xbb":1}});
        assert_eq!(
            canonical_json(&tomb),
            r#"{"key":"k","tombstone":true,"ttl_ms":0,"updated_at_ms":5,"value":null,"version":{"0xaa":2,"0xbb":1}}"#
        );
    }

    #[test]
    fn vector_envelope() {
        let env = json!({"sender_tee_pubkey":"3076aa","nonce":"00112233445566778899aabb",
                         "encrypted_data":"deadbeef"});
        assert_eq!(
            canonical_json(&env),
            r#"{"encrypted_data":"deadbeef","nonce":"00112233445566778899aabb","sender_tee_pubkey":"3076aa"}"#
        );
    }

    #[test]
    fn escaping() {
        let s = "q\" b\\ \u{8}\u{c}\n\r\t \u{0}\u{1f}\u{1} / \u{7f} é \u{2028}\u{2029} 😀";
        assert_eq!(
            canonical_json(&json!(s)),
            "\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0000\\u001f\\u0001 / \u{7f} é \u{2028}\u{2029} 😀\""
        );
        assert_eq!(canonical_json(&json!("\u{1b}")), "\"\\u001b\"");
        // Escapes right after a multi-byte character and at either end of the string.
        assert_eq!(canonical_json(&json!("\né\t😀\"")), "\"\\né\\t😀\\\"\"");
        // Keys are escaped the same way.
        assert_eq!(canonical_json(&json!({"a\nb": 1})), "{\"a\\nb\":1}");
    }

    #[test]
    fn ordering_and_layout() {
        // Byte-wise (code-point) order, not case-insensitive or length-first.
        let v = json!({"b":1,"a":[3,1,{"z":null,"y":true}],"B":"x","é":0,"aa":-5,"":[]});
        assert_eq!(
            canonical_json(&v),
            r#"{"":[],"B":"x","a":[3,1,{"y":true,"z":null}],"aa":-5,"b":1,"é":0}"#
        );
        // Supplementary characters sort after U+FFFF-range BMP chars (UTF-8 order, not UTF-16).
        let v = json!({"\u{ffff}":1,"😀":2});
        assert_eq!(canonical_json(&v), "{\"\u{ffff}\":1,\"😀\":2}");
        assert_eq!(canonical_json(&json!({})), "{}");
        assert_eq!(canonical_json(&json!([])), "[]");
        assert_eq!(
            canonical_json(&json!(18446744073709551615u64)),
            "18446744073709551615"
        );
        assert_eq!(
            canonical_json(&json!(-9223372036854775808i64)),
            "-9223372036854775808"
        );
    }

    #[test]
    fn matches_serde_compact_for_plain_data() {
        let v = json!({"a":"x/y","b":[1,2,{"c":"\u{7}"}]});
        assert_eq!(canonical_json(&v), serde_json::to_string(&v).unwrap());
        let reparsed: Value =
            serde_json::from_str("{ \"b\" : [1, 2, {\"c\": \"\\u0007\"}], \"a\": \"x\\/y\" }")
                .unwrap();
        assert_eq!(canonical_json(&reparsed), canonical_json(&v));
    }
}
