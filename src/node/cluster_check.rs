//! `novakms cluster check` on the node (issue 13): answer a peer's `digest_request`
//! ([`answer`]) and run a check across the cluster for the admin socket ([`run`]). Shapes in
//! `wire::cluster`, the digest format in `store::digest`.
//!
//! Guarantees (tests below and `tests/e2e_cluster_view.rs`):
//! * a node's digests come from ONE consistent read (`Storage::for_each_record`: one redb read
//!   transaction), with the records expired at the check's single `now_ms` excluded; the
//!   records are hashed as they are read, never collected, so a check costs memory in
//!   proportion to one app's record count (32 bytes each), not to the store's bytes;
//! * digests are never public: peers get them only through `/sync` (PoP, PeerCache
//!   membership, envelope and HMAC checked by `node::peer_ops` before [`answer`] runs), the
//!   operator only through the admin socket (mode 0600);
//! * every peer is asked concurrently, each call bounded by the peer client's timeout; a peer
//!   that cannot answer (unreachable, refusing, an upstream node without `digest_request`) is
//!   "not comparable" with its error, and the verdict covers the comparable nodes only;
//! * `--diff` lists only keys (clock, tombstone flag, timestamp), never values, bounded by
//!   `wire::cluster::DIFF_KEY_CAP` keys per node and app; when a node has more keys, only the
//!   key range every node covered is compared and the diff says `truncated`;
//! * nothing is written: a check changes no state on any node.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::node::kv::{read, ReadKind};
use crate::node::peers::PeerInfo;
use crate::node::refusal::Refusal;
use crate::node::state::NodeState;
use crate::store::digest::{self, empty_digest, AppDigest, KeySummary};
use crate::wire::cluster::{
    AppDiff, AppVerdict, CheckReport, DigestGroup, DigestReply, KeyDiff, KeyList, KeyState,
    NodeDigests, DIFF_KEY_CAP, MAX_KEYS_FOR_APPS,
};

/// `implementation` of our replies: `novakms <version>`.
pub fn implementation() -> String {
    format!("novakms {}", env!("CARGO_PKG_VERSION"))
}

/// The app ids of a `keys_for` field: the u64 entries of an array, deduplicated, at most
/// [`MAX_KEYS_FOR_APPS`]; anything else reads as none.
fn keys_for(v: &Value) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    for n in v.as_array().into_iter().flatten().filter_map(Value::as_u64) {
        if !out.contains(&n) && out.len() < MAX_KEYS_FOR_APPS {
            out.push(n);
        }
    }
    out
}

/// Refusal message of a `digest_request` that found this node's digest gate busy for longer
/// than [`remote_wait`] (503): the requester tries again later (anti-entropy: another peer,
/// `replicator::pull::DigestCheck::PeerBusy`) instead of timing out into a full pull.
pub const DIGEST_BUSY: &str = "digest in progress, retry shortly";

/// How long a peer's `digest_request` waits for the digest gate: half the peer request
/// timeout (`peer_request_timeout_seconds`), so the requester gets [`DIGEST_BUSY`] before its
/// own request times out.
fn remote_wait(st: &NodeState) -> std::time::Duration {
    std::time::Duration::from_millis(st.settings.peer_request_timeout_seconds.max(1) * 500)
}

/// This node's digests at `now_ms` with summaries for `keys_for`, from one consistent read
/// that never holds the records (`Storage::for_each_record` into a
/// [`digest::DigestBuilder`]). One at a time per node (`NodeState::digest_gate`, its permit
/// held by the scan itself): a second caller waits for the first to finish. Errors: 500 on a
/// storage failure.
///
/// `settled_before_ms`: leave out records written after it too (`DigestBuilder::settled_before`;
/// echoed in the reply).
pub(crate) async fn local(
    st: &Arc<NodeState>,
    now_ms: u64,
    settled_before_ms: Option<u64>,
    keys_for: Vec<u64>,
) -> Result<DigestReply, Refusal> {
    gated(st, now_ms, settled_before_ms, keys_for, None).await
}

/// [`local`], waiting at most `max_wait` for the gate (`None`: as long as it takes); 503
/// [`DIGEST_BUSY`] when it stays busy.
async fn gated(
    st: &Arc<NodeState>,
    now_ms: u64,
    settled_before_ms: Option<u64>,
    keys_for: Vec<u64>,
    max_wait: Option<std::time::Duration>,
) -> Result<DigestReply, Refusal> {
    let acquire = st.digest_gate.clone().acquire_owned();
    let permit = match max_wait {
        None => acquire.await,
        Some(d) => tokio::time::timeout(d, acquire)
            .await
            .map_err(|_| Refusal::unavailable(DIGEST_BUSY))?,
    }
    // The semaphore is never closed.
    .map_err(|_| Refusal::internal("digest gate closed"))?;
    let (apps, keys) = read(st, ReadKind::Scan, move |s| {
        let _permit = permit;
        let mut b = digest::DigestBuilder::new(now_ms, &keys_for, DIFF_KEY_CAP)
            .settled_before(settled_before_ms);
        s.for_each_record(&mut |app, r| b.push(app, r).map_err(Error::local))?;
        let (apps, summaries) = b.finish();
        let keys = summaries
            .into_iter()
            .map(|(app, (keys, truncated))| (app, KeyList { keys, truncated }))
            .collect::<BTreeMap<_, _>>();
        Ok((apps, keys))
    })
    .await?;
    Ok(DigestReply {
        status: "ok".into(),
        implementation: implementation(),
        now_ms,
        apps,
        keys,
        settled_before_ms,
    })
}

/// Answer an authenticated peer's `digest_request` (`wire::cluster`; the caller,
/// `node::peer_ops`, has checked PoP, membership, envelope and HMAC). Errors: 400 without a
/// numeric `now_ms`; 503 [`DIGEST_BUSY`] when another digest holds the gate for longer than
/// half the peer request timeout; 500 on a storage failure.
pub async fn answer(
    st: &Arc<NodeState>,
    now_ms: Option<u64>,
    settled_before_ms: Option<u64>,
    keys_for_field: &Value,
) -> Result<DigestReply, Refusal> {
    let now_ms =
        now_ms.ok_or_else(|| Refusal::bad_request("digest_request needs a numeric now_ms"))?;
    gated(
        st,
        now_ms,
        settled_before_ms,
        keys_for(keys_for_field),
        Some(remote_wait(st)),
    )
    .await
}

/// One peer's answer, or why there is none.
type PeerAnswer = Result<DigestReply, String>;

/// Ask every peer of `peers` concurrently.
async fn ask_all(
    st: &Arc<NodeState>,
    peers: &[PeerInfo],
    key: &[u8; 32],
    now_ms: u64,
    keys_for: &[u64],
) -> Vec<PeerAnswer> {
    let calls = peers.iter().map(|p| async move {
        st.peer_client
            .digests(p, key, now_ms, keys_for)
            .await
            .map_err(|e| e.to_string())
    });
    futures_util::future::join_all(calls).await
}

/// Run a check across the cluster (module docs): our digests and every other PeerCache
/// member's at one `now_ms`, the verdict per app, and with `diff` the differing keys of each
/// disagreeing app (a second round asking for summaries; at most [`MAX_KEYS_FOR_APPS`] apps).
///
/// Errors: 503 when this node has no master secret (no sync key to authenticate to peers);
/// 500 on a storage failure. Peer failures are part of the report, not errors.
pub async fn run(st: &Arc<NodeState>, diff: bool) -> Result<CheckReport, Refusal> {
    let key = st
        .with_secret(|s| Zeroizing::new(s.sync_key()))
        .ok_or_else(|| {
            Refusal::unavailable(format!(
                "master secret not loaded (node not ready: {})",
                st.readiness().reason
            ))
        })?;
    let now_ms = st.clock.now_ms();
    let peers = st.peer_cache.others(&st.wallet, now_ms);
    let own = local(st, now_ms, None, Vec::new()).await?;
    let answers = ask_all(st, &peers, &key, now_ms, &[]).await;
    let self_url = st
        .peer_cache
        .get(&st.wallet, now_ms)
        .map(|p| p.url)
        .unwrap_or_else(|| st.readiness().node_url);
    let mut nodes = vec![NodeDigests {
        wallet: st.wallet.clone(),
        url: self_url,
        is_self: true,
        comparable: true,
        error: None,
        implementation: Some(own.implementation.clone()),
        apps: own.apps,
    }];
    for (p, a) in peers.iter().zip(answers) {
        nodes.push(node_entry(p, a));
    }
    let mut apps = verdicts(&nodes);
    if diff {
        let bad: Vec<u64> = apps
            .iter()
            .filter(|v| !v.agree)
            .map(|v| v.app_id)
            .take(MAX_KEYS_FOR_APPS)
            .collect();
        if !bad.is_empty() {
            let comparable: Vec<PeerInfo> = peers
                .iter()
                .filter(|p| nodes.iter().any(|n| n.wallet == p.wallet && n.comparable))
                .cloned()
                .collect();
            let own = local(st, now_ms, None, bad.clone()).await?;
            let answers = ask_all(st, &comparable, &key, now_ms, &bad).await;
            let mut lists: Vec<(String, Result<DigestReply, String>)> =
                vec![(st.wallet.clone(), Ok(own))];
            lists.extend(comparable.iter().map(|p| p.wallet.clone()).zip(answers));
            for v in apps.iter_mut().filter(|v| bad.contains(&v.app_id)) {
                let per_node: Vec<(String, Result<KeyList, String>)> = lists
                    .iter()
                    .map(|(w, a)| {
                        let l = match a {
                            Ok(r) => r.keys.get(&v.app_id).cloned().ok_or_else(|| {
                                format!("node {w} returned no key summaries for this app")
                            }),
                            Err(e) => Err(format!("node {w}: {e}")),
                        };
                        (w.clone(), l)
                    })
                    .collect();
                v.diff = Some(diff_app(&per_node));
            }
        }
    }
    let agree = apps.iter().all(|v| v.agree);
    Ok(CheckReport {
        now_ms,
        coordinator: st.wallet.clone(),
        nodes,
        apps,
        agree,
    })
}

/// A peer's entry in the report from its answer.
fn node_entry(p: &PeerInfo, a: PeerAnswer) -> NodeDigests {
    let (comparable, error, implementation, apps) = match a {
        Ok(r) => (true, None, Some(r.implementation), r.apps),
        Err(e) => (
            false,
            Some(not_comparable_reason(&e)),
            None,
            BTreeMap::new(),
        ),
    };
    NodeDigests {
        wallet: p.wallet.clone(),
        url: p.url.clone(),
        is_self: false,
        comparable,
        error,
        implementation,
        apps,
    }
}

/// The operator's reason for a failed digest call: an upstream node's refusal of the unknown
/// type is named as such.
fn not_comparable_reason(e: &str) -> String {
    if e.contains("Unknown sync type") {
        format!("does not support digests (not novakms?): {e}")
    } else {
        e.to_string()
    }
}

/// The verdict per app over the comparable `nodes` (pure): the union of their app ids, each
/// node's digest (absent = [`empty_digest`]), nodes grouped by digest (largest group first,
/// then by digest), agreement = one group.
pub fn verdicts(nodes: &[NodeDigests]) -> Vec<AppVerdict> {
    let comparable: Vec<&NodeDigests> = nodes.iter().filter(|n| n.comparable).collect();
    let app_ids: BTreeSet<u64> = comparable
        .iter()
        .flat_map(|n| n.apps.keys().copied())
        .collect();
    let empty = empty_digest();
    app_ids
        .into_iter()
        .map(|app_id| {
            let mut groups: Vec<DigestGroup> = Vec::new();
            for n in &comparable {
                let d: &AppDigest = n.apps.get(&app_id).unwrap_or(&empty);
                match groups.iter_mut().find(|g| g.digest == d.digest) {
                    Some(g) => g.nodes.push(n.wallet.clone()),
                    None => groups.push(DigestGroup {
                        digest: d.digest.clone(),
                        records: d.records,
                        tombstones: d.tombstones,
                        nodes: vec![n.wallet.clone()],
                    }),
                }
            }
            groups.sort_by(|a, b| {
                b.nodes
                    .len()
                    .cmp(&a.nodes.len())
                    .then(a.digest.cmp(&b.digest))
            });
            AppVerdict {
                app_id,
                agree: groups.len() <= 1,
                groups,
                diff: None,
            }
        })
        .collect()
}

/// The app ids whose digests differ between two nodes' digest maps (pure), an app absent from
/// one map comparing as [`empty_digest`] (the rule of [`verdicts`]). Ascending.
pub fn differing_apps(a: &BTreeMap<u64, AppDigest>, b: &BTreeMap<u64, AppDigest>) -> Vec<u64> {
    let empty = empty_digest();
    let ids: BTreeSet<u64> = a.keys().chain(b.keys()).copied().collect();
    ids.into_iter()
        .filter(|id| a.get(id).unwrap_or(&empty).digest != b.get(id).unwrap_or(&empty).digest)
        .collect()
}

/// The differing keys of one app from each node's summaries (pure). A node without summaries
/// makes the diff an error. When a list is truncated, only keys up to the smallest last key of
/// the truncated lists are compared (the range every node covered) and the diff is marked
/// truncated. A key differs when some node lacks it or the leaves are not all equal.
pub fn diff_app(lists: &[(String, Result<KeyList, String>)]) -> AppDiff {
    let mut ok: Vec<(&str, &KeyList)> = Vec::new();
    for (w, l) in lists {
        match l {
            Ok(l) => ok.push((w, l)),
            Err(e) => {
                return AppDiff {
                    keys: Vec::new(),
                    truncated: false,
                    error: Some(e.clone()),
                }
            }
        }
    }
    let limit: Option<&str> = ok
        .iter()
        .filter(|(_, l)| l.truncated)
        .filter_map(|(_, l)| l.keys.last().map(|s| s.key.as_str()))
        .min();
    let truncated = ok.iter().any(|(_, l)| l.truncated);
    let mut by_key: BTreeMap<&str, BTreeMap<&str, &KeySummary>> = BTreeMap::new();
    for (w, l) in &ok {
        for s in &l.keys {
            if limit.is_some_and(|lim| s.key.as_str() > lim) {
                continue;
            }
            by_key.entry(&s.key).or_default().insert(w, s);
        }
    }
    let mut keys = Vec::new();
    for (key, present) in by_key {
        let first = present.values().next().map(|s| &s.leaf);
        let same = present.len() == ok.len() && present.values().all(|s| Some(&s.leaf) == first);
        if same {
            continue;
        }
        let nodes = ok
            .iter()
            .map(|(w, _)| {
                let st = present.get(w).map(|s| KeyState {
                    version: s.version.clone(),
                    tombstone: s.tombstone,
                    updated_at_ms: s.updated_at_ms,
                });
                (w.to_string(), st)
            })
            .collect();
        keys.push(KeyDiff {
            key: key.to_string(),
            nodes,
        });
    }
    AppDiff {
        keys,
        truncated,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::digest::key_summaries;
    use crate::store::{Record, VectorClock};

    fn rec(key: &str, n: u64) -> Record {
        Record {
            key: key.into(),
            value: vec![n as u8; 30],
            version: VectorClock::from([("0xaa", n)]),
            updated_at_ms: 1000 + n,
            tombstone: false,
            ttl_ms: 0,
        }
    }

    fn node(w: &str, comparable: bool, apps: &[(u64, &[Record])]) -> NodeDigests {
        NodeDigests {
            wallet: w.into(),
            url: format!("http://{w}"),
            is_self: false,
            comparable,
            error: None,
            implementation: None,
            apps: apps
                .iter()
                .map(|(a, r)| (*a, digest::app_digest(*r, 0)))
                .collect(),
        }
    }

    fn list(recs: &[Record], cap: usize) -> Result<KeyList, String> {
        let (keys, truncated) = key_summaries(recs, 0, cap);
        Ok(KeyList { keys, truncated })
    }

    #[test]
    fn verdicts_group_comparable_nodes_and_treat_absent_apps_as_empty() {
        let a = [rec("k", 1)];
        let b = [rec("k", 2)];
        let nodes = vec![
            node("A", true, &[(7, &a), (8, &[])]),
            node("B", true, &[(7, &a)]),
            node("C", true, &[(7, &b)]),
            // not comparable: its (empty) digests are ignored
            node("D", false, &[(9, &a)]),
        ];
        let v = verdicts(&nodes);
        assert_eq!(v.iter().map(|v| v.app_id).collect::<Vec<_>>(), [7, 8]);
        assert!(!v[0].agree);
        assert_eq!(v[0].groups[0].nodes, ["A", "B"]);
        assert_eq!(v[0].groups[1].nodes, ["C"]);
        // app 8: A has an empty namespace, B and C none: they agree
        assert!(v[1].agree, "{:?}", v[1]);
        assert_eq!(v[1].groups[0].nodes, ["A", "B", "C"]);
    }

    #[test]
    fn differing_apps_treat_absent_as_empty() {
        let d = |recs: &[Record]| digest::app_digest(recs, 0);
        let a = BTreeMap::from([(7, d(&[rec("k", 1)])), (8, d(&[])), (9, d(&[rec("k", 1)]))]);
        let b = BTreeMap::from([
            (7, d(&[rec("k", 1)])),
            (9, d(&[rec("k", 2)])),
            (10, d(&[rec("x", 1)])),
        ]);
        // 8: empty on A, absent on B (agree); 9: different; 10: only on B.
        assert_eq!(differing_apps(&a, &b), [9, 10]);
        assert_eq!(differing_apps(&b, &a), [9, 10]);
        assert!(differing_apps(&a, &a).is_empty());
        assert!(differing_apps(&BTreeMap::new(), &BTreeMap::from([(8, d(&[]))])).is_empty());
    }

    #[test]
    fn diff_lists_missing_and_different_keys_only() {
        let a = [rec("same", 1), rec("changed", 1), rec("only-a", 1)];
        let mut changed = rec("changed", 1);
        changed.tombstone = true;
        let b = [rec("same", 1), changed];
        let d = diff_app(&[("A".into(), list(&a, 100)), ("B".into(), list(&b, 100))]);
        assert!(!d.truncated && d.error.is_none());
        let keys: Vec<&str> = d.keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["changed", "only-a"]);
        assert!(d.keys[0].nodes["B"].as_ref().unwrap().tombstone);
        assert_eq!(d.keys[1].nodes["B"], None);
        assert_eq!(d.keys[1].nodes["A"].as_ref().unwrap().version["0xaa"], 1);
    }

    #[test]
    fn truncated_lists_compare_only_the_covered_range() {
        // A holds k0..k9, B the same minus k8; A's list is cut after k3.
        let a: Vec<Record> = (0..10).map(|i| rec(&format!("k{i}"), 1)).collect();
        let mut b = a.clone();
        b.remove(8);
        b[1].version.increment("0xbb");
        let d = diff_app(&[("A".into(), list(&a, 4)), ("B".into(), list(&b, 100))]);
        assert!(d.truncated);
        // k1 differs inside the covered range; k8 lies beyond it, so it is not claimed
        let keys: Vec<&str> = d.keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["k1"]);
    }

    #[test]
    fn a_node_without_summaries_makes_the_diff_an_error() {
        let d = diff_app(&[
            ("A".into(), list(&[rec("k", 1)], 10)),
            ("B".into(), Err("node B: peer unreachable".into())),
        ]);
        assert!(d.keys.is_empty());
        assert_eq!(d.error.as_deref(), Some("node B: peer unreachable"));
    }

    #[test]
    fn an_upstream_refusal_is_named_as_missing_digest_support() {
        let upstream = "peer refused (400): Unknown sync type: digest_request";
        let r = not_comparable_reason(upstream);
        assert!(
            r.starts_with("does not support digests") && r.ends_with(upstream),
            "{r}"
        );
        let down = "peer unreachable: connection refused";
        assert_eq!(not_comparable_reason(down), down);
    }

    #[test]
    fn keys_for_is_lenient_and_bounded() {
        assert_eq!(keys_for(&serde_json::json!([3, 3, "x", -1, 4])), [3, 4]);
        assert!(keys_for(&serde_json::json!("7")).is_empty());
        let many: Vec<u64> = (0..100).collect();
        assert_eq!(keys_for(&serde_json::json!(many)).len(), MAX_KEYS_FOR_APPS);
    }
}
