//! Decrypted bodies of the app routes and their replies (protocol.md §1.4–§1.7). Requests
//! arrive inside an envelope (§3); replies are sealed back as canonical JSON (§3.3).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lenient;

/// `POST /kms/derive` body (§1.4). `path` is required and non-empty; `context` defaults to
/// `""` and must be a string; `length` defaults to 32 and must be an integer in 1..=1024,
/// given as a number or a decimal string. The types of `context` and `length` are checked by
/// the operations core (`node::kv`), which owns the messages.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DeriveRequest {
    /// Derivation path (HKDF info component, §5).
    #[serde(default, deserialize_with = "lenient::string")]
    pub path: Option<String>,
    /// Optional context string, as received.
    #[serde(default, deserialize_with = "lenient::present")]
    pub context: Option<Value>,
    /// Optional output length in bytes, as received.
    #[serde(default, deserialize_with = "lenient::present")]
    pub length: Option<Value>,
}

/// `PUT /kms/data` body (§1.6): `key`, base64 `value`, optional `ttl_ms` (0 or absent = no
/// expiry; a non-integer reads as 0, as upstream).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PutRequest {
    /// Key (arbitrary string, §4.7).
    #[serde(default, deserialize_with = "lenient::string")]
    pub key: Option<String>,
    /// Standard base64 of the plaintext value.
    #[serde(default, deserialize_with = "lenient::string")]
    pub value: Option<String>,
    /// Time to live in ms.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub ttl_ms: Option<u64>,
}

/// `DELETE /kms/data` body (§1.7).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DeleteRequest {
    /// Key to delete.
    #[serde(default, deserialize_with = "lenient::string")]
    pub key: Option<String>,
}

/// Reply of `/kms/derive` (§1.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeriveReply {
    /// Caller's namespace (registry app id).
    pub app_id: u64,
    /// Standard base64 of the derived key.
    pub key: String,
    /// Key length in bytes.
    pub length: u64,
    /// Path as given.
    pub path: String,
}

/// Reply of a key read (`GET /kms/data?key=` or `/kms/data/{key}`, §1.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetReply {
    /// Caller's namespace.
    pub app_id: u64,
    /// Key read.
    pub key: String,
    /// Unix ms of the record's last write.
    pub updated_at_ms: u64,
    /// Standard base64 of the plaintext value.
    pub value: String,
}

/// Reply of a key listing (`GET /kms/data`, §1.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListReply {
    /// Caller's namespace.
    pub app_id: u64,
    /// Number of keys.
    pub count: usize,
    /// Live keys in byte order (clients must not rely on order).
    pub keys: Vec<String>,
}

/// Reply of `PUT /kms/data` (§1.6), sent after the durable commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutReply {
    /// Caller's namespace.
    pub app_id: u64,
    /// Key written.
    pub key: String,
    /// Unix ms stamped on the record.
    pub updated_at_ms: u64,
}

/// Reply of `DELETE /kms/data` (§1.7), sent after the tombstone's durable commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteReply {
    /// Caller's namespace.
    pub app_id: u64,
    /// Always `true` (a missing key is a 404 instead).
    pub deleted: bool,
    /// Key deleted.
    pub key: String,
}
