//! `novakms cluster status` (issue 13): the chain's KMS membership (`chain::membership`)
//! merged with what every member says about itself on its public endpoints, `GET /status`
//! (protocol.md §8.1) and `GET /nodes` (§8.2), into one row per instance.
//!
//! * [`fetch_all`] asks every member concurrently, `/status` and `/nodes` in parallel, each
//!   request bounded by the given timeout, through the shared HTTP client (`tls::client`, so
//!   `ca_file` applies). A member that does not answer is a row with `reachable: false` and
//!   the transport error as its reason.
//! * [`assemble`] is pure: the row fields and the rule of [`StatusRow::ok`] are decided there
//!   (tested below). Replication lag towards a peer is the sender's `/nodes`
//!   `replication.lag_records` for that peer (a novakms extra key); lag *from* a peer is the
//!   same figure read from the peer's `/nodes`.
//! * Implementation detection: novakms puts `implementation` (`novakms <version>`) in
//!   `/status`; older novakms builds are recognised by their extra `/status` keys
//!   (`node.unavailable_reason`, `restore`); anything else is `other`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::chain::membership::Member;
use crate::chain::types::INSTANCE_ACTIVE;

/// What one member's endpoints answered (an error text where they did not).
#[derive(Clone, Debug)]
pub struct NodeAnswers {
    /// `GET /status` as JSON.
    pub status: Result<Value, String>,
    /// `GET /nodes` as JSON.
    pub nodes: Result<Value, String>,
}

/// Replication between a row's node and one peer, from both sides' `/nodes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeerLag {
    /// The peer's wallet.
    pub peer: String,
    /// Change-log records this node has not yet delivered to the peer.
    pub lag_to: Option<u64>,
    /// Last successful push to the peer, Unix ms.
    pub last_sync_to_ms: Option<u64>,
    /// Last push error towards the peer, if the last attempt failed.
    pub last_error_to: Option<String>,
    /// Records the peer has not yet delivered to this node.
    pub lag_from: Option<u64>,
    /// Last successful push from the peer to this node, Unix ms.
    pub last_sync_from_ms: Option<u64>,
}

/// One row of `cluster status`: the instance as the chain has it and what its node says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusRow {
    /// Instance id in NovaAppRegistry.
    pub instance_id: u64,
    /// Registered URL.
    pub url: String,
    /// Registered TEE wallet.
    pub wallet: String,
    /// On-chain instance status (`ACTIVE`, `STOPPED`, `FAILED`).
    pub onchain_status: String,
    /// zkVerified on chain.
    pub zk_verified: bool,
    /// `/status` answered.
    pub reachable: bool,
    /// `node.service_available` (`null` when unreachable).
    pub ready: Option<bool>,
    /// Why the row is not reachable and ready: the transport error, the node's
    /// `unavailable_reason`, or a mismatch with the chain; `null` when all is well.
    pub reason: Option<String>,
    /// `node.master_secret.state` (`generated`, `synced`, `uninitialized`).
    pub master_secret: Option<String>,
    /// The node's secret matches the chain's masterSecretHash: novakms's
    /// `master_secret.verified`; for other implementations inferred from readiness (a ready
    /// node has checked it, protocol.md §7.2), else unknown (`null`).
    pub secret_matches_chain: Option<bool>,
    /// Live records (`data_store.total_keys`).
    pub records: Option<u64>,
    /// Stored tombstones (`data_store.tombstones`, novakms only).
    pub tombstones: Option<u64>,
    /// `novakms` or `other`.
    pub implementation: Option<String>,
    /// Software version, when the node says it.
    pub version: Option<String>,
    /// Replication with every other member.
    pub peers: Vec<PeerLag>,
    /// ACTIVE on chain, reachable and ready (what the exit code requires of ACTIVE rows).
    pub ok: bool,
}

/// `GET <base><path>` as JSON within `timeout`, the error as text.
async fn get_json(http: &reqwest::Client, base: &str, path: &str) -> Result<Value, String> {
    let resp = http
        .get(format!("{base}{path}"))
        .send()
        .await
        .map_err(|e| format!("unreachable: {}", crate::client::describe(&e)))?;
    let code = resp.status();
    if !code.is_success() {
        return Err(format!("{path} answered {code}"));
    }
    resp.json()
        .await
        .map_err(|e| format!("{path} is not JSON: {}", crate::client::describe(&e)))
}

/// Fetch `/status` and `/nodes` of every member concurrently, each request within `timeout`.
/// Keyed by the member's wallet. Errors: Local when the HTTP client cannot be built.
pub async fn fetch_all(
    members: &[Member],
    timeout: Duration,
) -> crate::Result<BTreeMap<String, NodeAnswers>> {
    let http = crate::tls::client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| crate::Error::local(format!("cannot build HTTP client: {e}")))?;
    let calls = members.iter().map(|m| {
        let http = &http;
        async move {
            let base = m.row.url.trim_end_matches('/');
            let (status, nodes) = tokio::join!(
                get_json(http, base, "/status"),
                get_json(http, base, "/nodes")
            );
            (m.row.wallet.clone(), NodeAnswers { status, nodes })
        }
    });
    Ok(futures_util::future::join_all(calls)
        .await
        .into_iter()
        .collect())
}

/// `(implementation, version)` read from a `/status` body (module docs).
pub fn implementation_of(status: &Value) -> (String, Option<String>) {
    if let Some(s) = status.get("implementation").and_then(Value::as_str) {
        let mut parts = s.splitn(2, ' ');
        let name = parts.next().unwrap_or("").to_string();
        return (name, parts.next().map(str::to_string));
    }
    let novakms = status.get("restore").is_some()
        || status
            .get("node")
            .and_then(|n| n.get("unavailable_reason"))
            .is_some();
    (if novakms { "novakms" } else { "other" }.to_string(), None)
}

/// The `replication` object `from`'s `/nodes` holds for the peer `to`, if any.
fn replication<'a>(nodes: &'a Value, to: &str) -> Option<&'a Value> {
    nodes
        .get("operators")?
        .as_array()?
        .iter()
        .find(|o| {
            o.get("operator")
                .and_then(Value::as_str)
                .is_some_and(|w| w.eq_ignore_ascii_case(to))
        })?
        .get("replication")
        .filter(|r| !r.is_null())
}

/// Build the rows (module docs) from the chain's `members` and their nodes' `answers`
/// (keyed by wallet; a member missing from it counts as unreachable).
pub fn assemble(members: &[Member], answers: &BTreeMap<String, NodeAnswers>) -> Vec<StatusRow> {
    let nodes_of = |w: &str| answers.get(w).and_then(|a| a.nodes.as_ref().ok());
    members
        .iter()
        .map(|m| {
            let wallet = m.row.wallet.clone();
            let active = m.instance.status == INSTANCE_ACTIVE;
            let status = answers
                .get(&wallet)
                .map(|a| a.status.clone())
                .unwrap_or_else(|| Err("not asked".into()));
            let mut row = StatusRow {
                instance_id: m.row.instance_id,
                url: m.row.url.clone(),
                wallet: wallet.clone(),
                onchain_status: m.row.instance_status.clone(),
                zk_verified: m.row.zk_verified,
                reachable: status.is_ok(),
                ready: None,
                reason: None,
                master_secret: None,
                secret_matches_chain: None,
                records: None,
                tombstones: None,
                implementation: None,
                version: None,
                peers: Vec::new(),
                ok: false,
            };
            match &status {
                Err(e) => row.reason = Some(e.clone()),
                Ok(s) => {
                    let node = &s["node"];
                    let ready = node["service_available"].as_bool().unwrap_or(false);
                    row.ready = Some(ready);
                    row.master_secret = node["master_secret"]["state"].as_str().map(Into::into);
                    row.secret_matches_chain = node["master_secret"]["verified"]
                        .as_bool()
                        .or(if ready { Some(true) } else { None });
                    row.records = s["data_store"]["total_keys"].as_u64();
                    row.tombstones = s["data_store"]["tombstones"].as_u64();
                    let (imp, ver) = implementation_of(s);
                    row.implementation = Some(imp);
                    row.version = ver;
                    let reported = node["tee_wallet"].as_str().unwrap_or("");
                    if !reported.eq_ignore_ascii_case(&wallet) {
                        row.reason = Some(format!(
                            "the node at this URL reports wallet {reported:?}, not the registered one"
                        ));
                    } else if !ready {
                        row.reason = Some(format!(
                            "not ready: {}",
                            node["unavailable_reason"].as_str().unwrap_or("(no reason given)")
                        ));
                    }
                    row.ok = active && ready && row.reason.is_none();
                }
            }
            let own_nodes = nodes_of(&wallet);
            for p in members.iter().filter(|p| p.row.wallet != wallet) {
                let to = own_nodes.and_then(|n| replication(n, &p.row.wallet));
                let from = nodes_of(&p.row.wallet).and_then(|n| replication(n, &wallet));
                row.peers.push(PeerLag {
                    peer: p.row.wallet.clone(),
                    lag_to: to.and_then(|r| r["lag_records"].as_u64()),
                    last_sync_to_ms: to.and_then(|r| r["last_success_ms"].as_u64()),
                    last_error_to: to.and_then(|r| r["last_error"].as_str().map(Into::into)),
                    lag_from: from.and_then(|r| r["lag_records"].as_u64()),
                    last_sync_from_ms: from.and_then(|r| r["last_success_ms"].as_u64()),
                });
            }
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::chain::membership::MemberRow;
    use crate::chain::types::InstanceInfo;

    fn member(id: u64, wallet: &str, status: u8) -> Member {
        let instance = InstanceInfo {
            id,
            status,
            tee_wallet: wallet.into(),
            instance_url: format!("http://{wallet}"),
            ..InstanceInfo::default()
        };
        Member {
            row: MemberRow {
                instance_id: id,
                wallet: wallet.into(),
                url: format!("http://{wallet}"),
                version_id: 1,
                version_status: "ENROLLED".into(),
                instance_status: crate::chain::membership::instance_status_name(status),
                zk_verified: true,
                tee_pubkey: String::new(),
            },
            instance,
        }
    }

    fn status(wallet: &str, ready: bool) -> Value {
        json!({
            "data_store": {"total_keys": 3, "tombstones": 1},
            "implementation": "novakms 9.9.9",
            "node": {"service_available": ready, "tee_wallet": wallet,
                     "master_secret": {"state": "synced", "verified": ready},
                     "unavailable_reason": if ready { Value::Null } else { json!("master secret sync failed") }},
        })
    }

    fn nodes(peer: &str, lag: u64) -> Value {
        json!({"operators": [{"operator": peer,
            "replication": {"acked_seq": 1, "lag_records": lag, "last_success_ms": 5, "last_error": null}}]})
    }

    #[test]
    fn rows_merge_chain_status_and_both_sides_of_replication() {
        let ms = vec![
            member(1, "0xa", 0),
            member(2, "0xb", 0),
            member(3, "0xc", 1),
        ];
        let answers = BTreeMap::from([
            (
                "0xa".to_string(),
                NodeAnswers {
                    status: Ok(status("0xa", true)),
                    nodes: Ok(nodes("0xb", 7)),
                },
            ),
            (
                "0xb".to_string(),
                NodeAnswers {
                    status: Ok(status("0xB", false)),
                    nodes: Ok(nodes("0xa", 2)),
                },
            ),
            (
                "0xc".to_string(),
                NodeAnswers {
                    status: Err("unreachable: connection refused".into()),
                    nodes: Err("unreachable".into()),
                },
            ),
        ]);
        let rows = assemble(&ms, &answers);
        let a = &rows[0];
        assert!(a.ok && a.reachable && a.reason.is_none(), "{a:?}");
        assert_eq!((a.records, a.tombstones), (Some(3), Some(1)));
        assert_eq!(a.implementation.as_deref(), Some("novakms"));
        assert_eq!(a.version.as_deref(), Some("9.9.9"));
        assert_eq!(a.secret_matches_chain, Some(true));
        let ab = &a.peers[0];
        assert_eq!(
            (ab.peer.as_str(), ab.lag_to, ab.lag_from),
            ("0xb", Some(7), Some(2))
        );
        assert_eq!(a.peers[1].lag_to, None);
        let b = &rows[1];
        assert!(!b.ok);
        assert_eq!(
            b.reason.as_deref(),
            Some("not ready: master secret sync failed")
        );
        assert_eq!(b.secret_matches_chain, Some(false));
        let c = &rows[2];
        assert!(!c.ok && !c.reachable);
        assert_eq!(c.onchain_status, "STOPPED");
        assert!(c.reason.as_deref().unwrap().contains("connection refused"));
    }

    #[test]
    fn a_different_node_behind_the_url_is_not_ok() {
        let ms = vec![member(1, "0xa", 0)];
        let answers = BTreeMap::from([(
            "0xa".to_string(),
            NodeAnswers {
                status: Ok(status("0xother", true)),
                nodes: Err("x".into()),
            },
        )]);
        let rows = assemble(&ms, &answers);
        assert!(!rows[0].ok);
        assert!(rows[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("reports wallet"));
    }

    #[test]
    fn implementation_is_detected_from_status_keys() {
        assert_eq!(
            implementation_of(&json!({"implementation": "novakms 0.1.0"})),
            ("novakms".into(), Some("0.1.0".into()))
        );
        assert_eq!(
            implementation_of(&json!({"node": {"unavailable_reason": null}})),
            ("novakms".into(), None)
        );
        // upstream's exact §8.1 shape
        let upstream =
            json!({"cluster": {}, "data_store": {}, "node": {"service_available": true}});
        assert_eq!(implementation_of(&upstream), ("other".into(), None));
        // upstream ready node: the secret matched the chain (§7.2)
        let ms = vec![member(1, "0xa", 0)];
        let mut s = upstream.clone();
        s["node"]["tee_wallet"] = json!("0xa");
        let answers = BTreeMap::from([(
            "0xa".to_string(),
            NodeAnswers {
                status: Ok(s),
                nodes: Err("x".into()),
            },
        )]);
        let r = &assemble(&ms, &answers)[0];
        assert_eq!(r.secret_matches_chain, Some(true));
        assert_eq!(r.tombstones, None);
        assert!(r.ok);
    }
}
