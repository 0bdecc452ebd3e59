//! Wire shapes of `novakms cluster check` (issue 13): the novakms-only `/sync` request type
//! `digest_request` between peers, and the report the node returns on its admin socket
//! (`POST /admin/cluster-check`). The digest format itself is `store::digest`.
//!
//! `digest_request` (inner JSON of a `/sync` envelope; KMS-peer PoP, HMAC and envelope exactly
//! as every other type, protocol.md §2.4, §6.2, §6.3):
//!
//! ```json
//! {"type":"digest_request","sender_wallet":"0x…","now_ms":1730000000000,"keys_for":[49]}
//! ```
//!
//! `now_ms` (required, Unix ms) is the expiry cut-off chosen by the requesting node, so every
//! node excludes the same expired records; `keys_for` (optional) lists the apps whose per-key
//! summaries are wanted (at most [`MAX_KEYS_FOR_APPS`] apps, each at most [`DIFF_KEY_CAP`]
//! keys). `settled_before_ms` (optional, Unix ms; anti-entropy sends it) leaves out the
//! records written after it, and the reply echoes it. Reply ([`DigestReply`]):
//!
//! ```json
//! {"status":"ok","implementation":"novakms 0.1.0","now_ms":…,
//!  "apps":{"49":{"digest":"<64 hex>","records":3,"tombstones":1}},
//!  "keys":{"49":{"keys":[{"key","version","tombstone","updated_at_ms","leaf"}],"truncated":false}}}
//! ```
//!
//! Upstream nodes answer 400 `Unknown sync type: digest_request` (protocol.md §1.9 step 9): the
//! check shows them as "not comparable".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::store::digest::{AppDigest, KeySummary};

/// The `/sync` request type of a digest request (novakms only).
pub const DIGEST_REQUEST: &str = "digest_request";

/// Most per-key summaries returned for one app (`--diff`): the first keys in key byte order.
pub const DIFF_KEY_CAP: usize = 1000;

/// Most apps whose per-key summaries one `digest_request` may ask for; further apps are
/// ignored.
pub const MAX_KEYS_FOR_APPS: usize = 16;

/// Per-key summaries of one app: the first keys in key order, `truncated` when there were more.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyList {
    /// Summaries in key byte order.
    pub keys: Vec<KeySummary>,
    /// More keys existed than were sent ([`DIFF_KEY_CAP`]).
    pub truncated: bool,
}

/// Reply to `digest_request` (module docs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestReply {
    /// Always `"ok"`.
    pub status: String,
    /// `novakms <version>`.
    pub implementation: String,
    /// The expiry cut-off used, Unix ms (the request's).
    pub now_ms: u64,
    /// Digest per app id (apps with no stored namespace are absent = empty digest).
    pub apps: BTreeMap<u64, AppDigest>,
    /// Per-key summaries of the apps asked for in `keys_for`.
    #[serde(default)]
    pub keys: BTreeMap<u64, KeyList>,
    /// The request's `settled_before_ms`, echoed when it was applied (records written after
    /// it left out, `store::digest::DigestBuilder::settled_before`). Absent from an older
    /// novakms, whose digests then cover every record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_before_ms: Option<u64>,
}

/// One node's part of a [`CheckReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDigests {
    /// Canonical wallet.
    pub wallet: String,
    /// Registered URL.
    pub url: String,
    /// The node that ran the check.
    pub is_self: bool,
    /// Its digests were obtained (a novakms node that answered).
    pub comparable: bool,
    /// Why not comparable: unreachable, refused, or an implementation without digests.
    pub error: Option<String>,
    /// `implementation` of its reply (`novakms <version>`), when comparable.
    pub implementation: Option<String>,
    /// Digest per app id.
    pub apps: BTreeMap<u64, AppDigest>,
}

/// Nodes holding the same digest of one app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestGroup {
    /// The shared app digest (hex).
    pub digest: String,
    /// Records counted in it.
    pub records: u64,
    /// Tombstones counted in it.
    pub tombstones: u64,
    /// Wallets of the nodes holding it.
    pub nodes: Vec<String>,
}

/// One key's state on one node in a [`KeyDiff`] (never its value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyState {
    /// Vector clock.
    pub version: BTreeMap<String, u64>,
    /// Deletion marker.
    pub tombstone: bool,
    /// Origin write time, Unix ms.
    pub updated_at_ms: u64,
}

/// A key whose records differ between comparable nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyDiff {
    /// The key.
    pub key: String,
    /// Wallet → its state, `null` where the node has no (unexpired) record.
    pub nodes: BTreeMap<String, Option<KeyState>>,
}

/// The differing keys of one app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppDiff {
    /// Differing keys in key order.
    pub keys: Vec<KeyDiff>,
    /// Only a prefix of the key space was compared (some node had more than
    /// [`DIFF_KEY_CAP`] keys): more differing keys may exist beyond the last key listed.
    pub truncated: bool,
    /// Why no comparison was possible (e.g. a node did not return summaries), if so.
    pub error: Option<String>,
}

/// The verdict on one app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppVerdict {
    /// App id.
    pub app_id: u64,
    /// Every comparable node holds the same digest.
    pub agree: bool,
    /// Nodes grouped by digest, largest group first.
    pub groups: Vec<DigestGroup>,
    /// Differing keys (`--diff`, disagreeing apps only).
    pub diff: Option<AppDiff>,
}

/// What `POST /admin/cluster-check` answers (module docs of `node::cluster_check`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    /// The expiry cut-off every node used, Unix ms.
    pub now_ms: u64,
    /// Wallet of the node that ran the check.
    pub coordinator: String,
    /// Every node asked (the coordinator first).
    pub nodes: Vec<NodeDigests>,
    /// One verdict per app held by any comparable node, by app id.
    pub apps: Vec<AppVerdict>,
    /// Every app agrees across the comparable nodes.
    pub agree: bool,
}
