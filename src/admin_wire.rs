//! The admin socket's wire format, shared by the server (`api::admin`, `api::backup`) and the
//! client (`client::admin`), so neither side imports the other.
//!
//! * Where: the unix socket [`SOCKET_FILE`] inside the node's data dir ([`socket_path`]).
//! * Errors: every non-2xx answer, and the last line of a failed NDJSON stream, is
//!   `{"error": "<message>", "kind": "<kind>"}` ([`error_json`]) with `kind` one of the names of
//!   [`kind_to_wire`]; the client maps it back with [`kind_from_wire`], so the CLI exits with the
//!   node's exit code (design.md §6).
//! * `POST /admin/sync` answers NDJSON lines ([`SyncEvent`], [`encode_sync_event`],
//!   [`parse_sync_line`]): `{"phase":"fetching","peer":"<url>"}`,
//!   `{"phase":"merging","done":n,"total":m}`, then exactly one of `{"result":{…}}`
//!   ([`SyncResult`]) or an error object.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{Error, ErrorKind, Result};

/// File name of the admin socket inside the data dir.
pub const SOCKET_FILE: &str = "admin.sock";

/// Path of the admin socket for `data_dir`: `<data_dir>/admin.sock`.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_FILE)
}

/// Wire name of an error kind in admin answers (`{"error","kind"}`).
pub fn kind_to_wire(k: ErrorKind) -> &'static str {
    match k {
        ErrorKind::Local => "local",
        ErrorKind::Usage => "usage",
        ErrorKind::Remote => "remote",
        ErrorKind::NotReady => "not_ready",
        ErrorKind::Integrity => "integrity",
        ErrorKind::InUse => "in_use",
        ErrorKind::Refused => "refused",
        ErrorKind::Auth => "auth",
    }
}

/// Inverse of [`kind_to_wire`]; unknown or missing names are `Remote` (the node failed).
pub fn kind_from_wire(s: Option<&str>) -> ErrorKind {
    match s {
        Some("local") => ErrorKind::Local,
        Some("usage") => ErrorKind::Usage,
        Some("not_ready") => ErrorKind::NotReady,
        Some("integrity") => ErrorKind::Integrity,
        Some("in_use") => ErrorKind::InUse,
        Some("refused") => ErrorKind::Refused,
        Some("auth") => ErrorKind::Auth,
        _ => ErrorKind::Remote,
    }
}

/// The error object `{"error": message, "kind": wire name}` of `kind` and `message`.
pub fn error_json(kind: ErrorKind, message: &str) -> Value {
    json!({"error": message, "kind": kind_to_wire(kind)})
}

/// The error carried by an error object (`{"error","kind"}`), or `None` when `v` has no
/// `error` field. A non-string `error` is kept as its JSON text; the kind as [`kind_from_wire`].
pub fn error_from_json(v: &Value) -> Option<Error> {
    let e = v.get("error")?;
    let msg = e.as_str().map_or_else(|| e.to_string(), str::to_string);
    Some(Error::new(
        kind_from_wire(v.get("kind").and_then(Value::as_str)),
        msg,
    ))
}

/// Result of `POST /admin/sync`: the counters of the merged snapshot (protocol.md §6.7 delta
/// counters). JSON shape (stable): `{"peer","peer_wallet","total","merged","skipped",
/// "rejected","skip_reasons":{reason: count}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResult {
    /// URL of the peer pulled from.
    pub peer: String,
    /// Canonical wallet of that peer.
    #[serde(default)]
    pub peer_wallet: String,
    /// Records in the snapshot.
    pub total: u64,
    /// Records stored.
    pub merged: u64,
    /// Records ignored by the merge rule (already present or older).
    pub skipped: u64,
    /// Records that failed validation.
    pub rejected: u64,
    /// `skipped` by reason (protocol.md §6.6 strings).
    #[serde(default)]
    pub skip_reasons: BTreeMap<String, u64>,
}

/// One NDJSON line of `POST /admin/sync`.
#[derive(Debug, Clone)]
pub enum SyncEvent {
    /// The node is fetching the snapshot from `peer` (URL).
    Fetching {
        /// Peer URL.
        peer: String,
    },
    /// `done` of `total` records merged so far.
    Merging {
        /// Records merged so far.
        done: u64,
        /// Records in the snapshot.
        total: u64,
    },
    /// Final line: success.
    Done(SyncResult),
    /// Final line: failure, with the node's error kind.
    Failed(Error),
}

/// One NDJSON line (JSON object and `\n`) for `ev`, in the shapes of the module docs.
pub fn encode_sync_event(ev: &SyncEvent) -> String {
    let v = match ev {
        SyncEvent::Fetching { peer } => json!({"phase": "fetching", "peer": peer}),
        SyncEvent::Merging { done, total } => {
            json!({"phase": "merging", "done": done, "total": total})
        }
        SyncEvent::Done(r) => json!({"result": {
            "peer": r.peer,
            "peer_wallet": r.peer_wallet,
            "total": r.total,
            "merged": r.merged,
            "skipped": r.skipped,
            "rejected": r.rejected,
            "skip_reasons": r.skip_reasons,
        }}),
        SyncEvent::Failed(e) => error_json(e.kind(), e.message()),
    };
    let mut s = v.to_string();
    s.push('\n');
    s
}

/// Parse one NDJSON line of `POST /admin/sync`. Unknown fields are tolerated; errors (Remote)
/// for lines that are not JSON objects of a known shape (unknown `phase` included).
pub fn parse_sync_line(line: &str) -> Result<SyncEvent> {
    let bad = || Error::remote(format!("unexpected line from the node: {line:.200}"));
    let v: Value = serde_json::from_str(line).map_err(|_| bad())?;
    if let Some(r) = v.get("result") {
        let r: SyncResult = serde_json::from_value(r.clone()).map_err(|_| bad())?;
        return Ok(SyncEvent::Done(r));
    }
    if let Some(e) = error_from_json(&v) {
        return Ok(SyncEvent::Failed(e));
    }
    match v.get("phase").and_then(Value::as_str) {
        Some("fetching") => Ok(SyncEvent::Fetching {
            peer: v
                .get("peer")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        }),
        Some("merging") => Ok(SyncEvent::Merging {
            done: v.get("done").and_then(Value::as_u64).ok_or_else(bad)?,
            total: v.get("total").and_then(Value::as_u64).ok_or_else(bad)?,
        }),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_lines_parse() {
        match parse_sync_line(r#"{"phase":"fetching","peer":"http://a"}"#).unwrap() {
            SyncEvent::Fetching { peer } => assert_eq!(peer, "http://a"),
            e => panic!("{e:?}"),
        }
        match parse_sync_line(r#"{"phase":"merging","done":500,"total":1200}"#).unwrap() {
            SyncEvent::Merging { done, total } => assert_eq!((done, total), (500, 1200)),
            e => panic!("{e:?}"),
        }
        let line = r#"{"result":{"peer":"http://a","peer_wallet":"0xab","total":3,"merged":2,"skipped":1,"rejected":0,"skip_reasons":{"ignored_equal_version":1}}}"#;
        match parse_sync_line(line).unwrap() {
            SyncEvent::Done(r) => {
                assert_eq!((r.total, r.merged, r.skipped, r.rejected), (3, 2, 1, 0));
                assert_eq!(r.skip_reasons["ignored_equal_version"], 1);
                assert_eq!(r.peer_wallet, "0xab");
            }
            e => panic!("{e:?}"),
        }
        match parse_sync_line(r#"{"error":"peer down","kind":"remote"}"#).unwrap() {
            SyncEvent::Failed(e) => {
                assert_eq!((e.kind(), e.message()), (ErrorKind::Remote, "peer down"))
            }
            e => panic!("{e:?}"),
        }
        match parse_sync_line(r#"{"error":"x"}"#).unwrap() {
            SyncEvent::Failed(e) => assert_eq!(e.kind(), ErrorKind::Remote),
            e => panic!("{e:?}"),
        }
        for bad in [
            "",
            "nope",
            "[]",
            r#"{"phase":"merging","done":1}"#,
            r#"{"phase":"other"}"#,
            r#"{"result":{"peer":"a"}}"#,
        ] {
            let e = parse_sync_line(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Remote, "{bad}");
        }
    }

    #[test]
    fn encoded_lines_parse_back() {
        let r = SyncResult {
            peer: "http://a".into(),
            peer_wallet: "0xab".into(),
            total: 3,
            merged: 2,
            skipped: 1,
            rejected: 0,
            skip_reasons: BTreeMap::from([("ignored_equal_version".to_string(), 1)]),
        };
        let lines = [
            SyncEvent::Fetching {
                peer: "http://a".into(),
            },
            SyncEvent::Merging { done: 1, total: 3 },
            SyncEvent::Done(r.clone()),
            SyncEvent::Failed(Error::new(ErrorKind::NotReady, "not yet")),
        ]
        .iter()
        .map(encode_sync_event)
        .collect::<Vec<_>>();
        assert!(lines
            .iter()
            .all(|l| l.ends_with('\n') && l.matches('\n').count() == 1));
        // serde_json objects print their keys sorted (as the server always did).
        assert_eq!(lines[0], "{\"peer\":\"http://a\",\"phase\":\"fetching\"}\n");
        match parse_sync_line(lines[2].trim()).unwrap() {
            SyncEvent::Done(back) => assert_eq!(back, r),
            e => panic!("{e:?}"),
        }
        match parse_sync_line(lines[3].trim()).unwrap() {
            SyncEvent::Failed(e) => {
                assert_eq!((e.kind(), e.message()), (ErrorKind::NotReady, "not yet"))
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in [
            ErrorKind::Local,
            ErrorKind::Usage,
            ErrorKind::Remote,
            ErrorKind::NotReady,
            ErrorKind::Integrity,
            ErrorKind::InUse,
            ErrorKind::Refused,
            ErrorKind::Auth,
        ] {
            assert_eq!(kind_from_wire(Some(kind_to_wire(k))), k);
            let back = error_from_json(&error_json(k, "m")).unwrap();
            assert_eq!((back.kind(), back.message()), (k, "m"));
        }
        assert_eq!(kind_from_wire(Some("weird")), ErrorKind::Remote);
        assert_eq!(kind_from_wire(None), ErrorKind::Remote);
        assert!(error_from_json(&json!({"phase": "x"})).is_none());
    }

    #[test]
    fn socket_lives_in_the_data_dir() {
        assert_eq!(
            socket_path(Path::new("/var/lib/novakms")),
            Path::new("/var/lib/novakms/admin.sock")
        );
    }
}
