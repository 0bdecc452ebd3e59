//! `novakms cluster status|check` (issue 13): is every node up, ready and caught up
//! (`client::cluster`), and do all nodes hold the same data (`node::cluster_check` through the
//! admin socket).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::json;

use crate::chain::membership;
use crate::cli::bench::parse_duration;
use crate::cli::registry::registry_client;
use crate::cli::{print_json, Cli, Output};
use crate::client::admin::AdminClient;
use crate::client::cluster::{assemble, fetch_all, StatusRow};
use crate::error::{Error, ErrorKind, Result};
use crate::wire::cluster::CheckReport;

/// Help text after the options of `cluster status`.
pub const STATUS_HELP: &str = "\
One row per KMS instance registered on chain (as `registry members` reads it), merged with each
node's GET /status and GET /nodes (asked concurrently, each within --timeout): URL, wallet,
on-chain status, reachable, ready (and why not), master-secret state and whether it matches the
chain's masterSecretHash, records and tombstones, replication lag to/from the other nodes (max
over peers, in records) and the oldest last successful push to a peer ('none yet' until the node
has pushed to every peer), software (novakms or other).

Exit codes:
  0  every ACTIVE instance is reachable and ready
  1  local error: unreadable config, missing registry addresses
  3  the chain cannot be read (RPC unreachable or failing)
  4  some ACTIVE instance is unreachable or not ready (its row says why), or none is ACTIVE";

/// Help text after the options of `cluster check`.
pub const CHECK_HELP: &str = "\
Asks the local node over its admin socket <DATA_DIR>/admin.sock (run as the node's user); the
node computes a digest per app of its records (key, vector clock, ciphertext hash, tombstones,
records expired at the check's time left out) from one consistent read, and collects its peers'
digests over the peer-authenticated /sync channel. Nodes that cannot answer (unreachable, or an
implementation without digests) are shown as not comparable. Digests are never served publicly.

--diff lists the keys that differ (key, vector clock, tombstone flag; never values), at most
1000 keys per node and app in key order (the output says when it was cut). --wait polls once a
second until the comparable nodes agree or the time is up (a local node that is still starting,
without its socket or master secret yet, is waited for too); the last report is printed.

Exit codes:
  0  all comparable nodes hold the same data for every app
  1  local error: unreadable config, bad arguments
  4  the nodes differ (after --wait, if given); or no running node with this data dir, or the
     node has no master secret yet
  8  permission denied on the admin socket (not the node's user)";

/// `cluster` subcommands.
#[derive(Debug, Subcommand)]
pub enum ClusterCmd {
    /// Every registered instance with its node's readiness, data counts and replication lag.
    #[command(after_help = STATUS_HELP)]
    Status(StatusArgs),
    /// Prove convergence: compare per-app digests of all nodes (via the local admin socket).
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
}

/// Interval between two checks of `cluster check --wait`.
const POLL: Duration = Duration::from_secs(1);

/// Arguments of `cluster status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Per-node timeout of /status and /nodes (e.g. 5s, 500ms)
    #[arg(long, value_parser = parse_duration, default_value = "5s")]
    pub timeout: Duration,
}

/// Arguments of `cluster check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// List the differing keys of disagreeing apps (names and versions, never values)
    #[arg(long)]
    pub diff: bool,
    /// Poll until the nodes agree or this time has passed (e.g. 60s, 2m)
    #[arg(long, value_parser = parse_duration)]
    pub wait: Option<Duration>,
    /// Data dir of the local running node (config key data_dir)
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

/// Run a `cluster` subcommand.
pub async fn run(cli: &Cli, cmd: &ClusterCmd) -> Result<()> {
    match cmd {
        ClusterCmd::Status(a) => status(cli, a).await,
        ClusterCmd::Check(a) => check(cli, a).await,
    }
}

/// `0x1234…abcd`.
fn short(w: &str) -> String {
    if w.len() > 12 {
        format!("{}…{}", &w[..6], &w[w.len() - 4..])
    } else {
        w.to_string()
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// "3s ago" for a Unix-ms instant.
fn ago(ms: u64, now_ms: u64) -> String {
    let s = now_ms.saturating_sub(ms) / 1000;
    match s {
        0..=119 => format!("{s}s ago"),
        120..=7199 => format!("{}m ago", s / 60),
        _ => format!("{}h ago", s / 3600),
    }
}

fn status_table(rows: &[StatusRow]) -> Table {
    let now_ms = crate::clock::Clock::system().now_ms();
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "id",
        "url",
        "wallet",
        "chain",
        "reachable",
        "ready",
        "secret",
        "records",
        "tombstones",
        "lag out/in",
        "last push",
        "software",
    ]);
    for r in rows {
        let secret = match (&r.master_secret, r.secret_matches_chain) {
            (None, _) => "-".to_string(),
            (Some(s), Some(true)) => format!("{s}, matches chain"),
            (Some(s), Some(false)) => format!("{s}, NOT verified"),
            (Some(s), None) => format!("{s}, unknown"),
        };
        let max = |f: fn(&crate::client::cluster::PeerLag) -> Option<u64>| {
            r.peers.iter().filter_map(f).max()
        };
        let lag = format!("{}/{}", opt(max(|p| p.lag_to)), opt(max(|p| p.lag_from)));
        let last = if r.peers.iter().any(|p| p.last_sync_to_ms.is_none()) {
            None
        } else {
            r.peers.iter().filter_map(|p| p.last_sync_to_ms).min()
        };
        let software = match (&r.implementation, &r.version) {
            (Some(i), Some(v)) => format!("{i} {v}"),
            (Some(i), None) => i.clone(),
            _ => "-".into(),
        };
        t.add_row(vec![
            r.instance_id.to_string(),
            r.url.clone(),
            short(&r.wallet),
            r.onchain_status.clone(),
            if r.reachable { "yes" } else { "NO" }.to_string(),
            match r.ready {
                Some(true) => "yes".into(),
                Some(false) => "NO".into(),
                None => "-".into(),
            },
            secret,
            opt(r.records),
            opt(r.tombstones),
            lag,
            match (r.reachable, last) {
                (false, _) => "-".into(),
                (true, None) => "none yet".into(),
                (true, Some(ms)) => ago(ms, now_ms),
            },
            software,
        ]);
    }
    t
}

/// `cluster status` (exit codes in [`STATUS_HELP`]).
async fn status(cli: &Cli, a: &StatusArgs) -> Result<()> {
    let s = cli.settings()?;
    let reg = registry_client(&s)?;
    let members = membership::members(&reg, s.kms_app_id).await?;
    let hash = reg.master_secret_hash().await?;
    let answers = fetch_all(&members, a.timeout).await?;
    let rows = assemble(&members, &answers);
    let hash_str = (hash != [0u8; 32]).then(|| format!("0x{}", hex::encode(hash)));
    let active: Vec<&StatusRow> = rows
        .iter()
        .filter(|r| r.onchain_status == "ACTIVE")
        .collect();
    let bad: Vec<&StatusRow> = active.iter().copied().filter(|r| !r.ok).collect();
    let healthy = !active.is_empty() && bad.is_empty();
    match cli.output {
        Output::Json => print_json(&json!({
            "kms_app_id": s.kms_app_id,
            "master_secret_hash": hash_str,
            "healthy": healthy,
            "nodes": rows,
        })),
        Output::Text => {
            crate::outln!("{}", status_table(&rows));
            crate::outln!(
                "masterSecretHash: {}",
                hash_str.as_deref().unwrap_or("unset")
            );
            for r in rows.iter().filter(|r| r.reason.is_some()) {
                crate::outln!(
                    "#{} {}: {}",
                    r.instance_id,
                    r.url,
                    r.reason.as_deref().unwrap_or("")
                );
            }
        }
    }
    if active.is_empty() {
        return Err(Error::new(
            ErrorKind::NotReady,
            format!("no ACTIVE KMS instance registered for app {}", s.kms_app_id),
        ));
    }
    if !bad.is_empty() {
        let list: Vec<String> = bad
            .iter()
            .map(|r| format!("#{} {}", r.instance_id, r.url))
            .collect();
        return Err(Error::new(
            ErrorKind::NotReady,
            format!(
                "{} of {} ACTIVE instances not reachable and ready: {}",
                bad.len(),
                active.len(),
                list.join(", ")
            ),
        ));
    }
    Ok(())
}

fn print_check(r: &CheckReport) {
    crate::outln!(
        "checked by {} at {}",
        short(&r.coordinator),
        crate::clock::rfc3339_ms(r.now_ms)
    );
    for n in &r.nodes {
        let what = if n.comparable {
            n.implementation.clone().unwrap_or_default()
        } else {
            format!(
                "NOT COMPARABLE: {}",
                n.error.as_deref().unwrap_or("no answer")
            )
        };
        let me = if n.is_self { " (this node)" } else { "" };
        crate::outln!("  {} {}{me}: {what}", short(&n.wallet), n.url);
    }
    if r.apps.is_empty() {
        crate::outln!("no app data on any comparable node");
    }
    for v in &r.apps {
        if v.agree {
            let g = &v.groups[0];
            crate::outln!(
                "app {}: agree on {} node(s): {} records, {} tombstones, digest {}…",
                v.app_id,
                g.nodes.len(),
                g.records,
                g.tombstones,
                &g.digest[..16]
            );
            continue;
        }
        crate::outln!("app {}: DIFFER", v.app_id);
        for g in &v.groups {
            let nodes: Vec<String> = g.nodes.iter().map(|w| short(w)).collect();
            crate::outln!(
                "  digest {}… ({} records, {} tombstones): {}",
                &g.digest[..16],
                g.records,
                g.tombstones,
                nodes.join(", ")
            );
        }
        let Some(d) = &v.diff else { continue };
        if let Some(e) = &d.error {
            crate::outln!("  differing keys unavailable: {e}");
            continue;
        }
        crate::outln!("  differing keys ({}):", d.keys.len());
        for k in &d.keys {
            let states: Vec<String> = k
                .nodes
                .iter()
                .map(|(w, s)| match s {
                    None => format!("{} absent", short(w)),
                    Some(s) => format!(
                        "{} {}{}",
                        short(w),
                        serde_json::to_string(&s.version).unwrap_or_default(),
                        if s.tombstone { " tombstone" } else { "" }
                    ),
                })
                .collect();
            crate::outln!("    {:?}: {}", k.key, states.join("; "));
        }
        if d.truncated {
            crate::outln!(
                "  (a node holds more than {} keys: only the key range every node listed was compared)",
                crate::wire::cluster::DIFF_KEY_CAP
            );
        }
    }
}

/// `cluster check` (exit codes in [`CHECK_HELP`]).
async fn check(cli: &Cli, a: &CheckArgs) -> Result<()> {
    let s = cli.settings()?;
    let data_dir = a.data_dir.clone().unwrap_or(s.data_dir);
    let client = AdminClient::new(&data_dir);
    let started = Instant::now();
    let deadline = a.wait.map(|w| started + w);
    let report = loop {
        let time_left = deadline.is_some_and(|d| Instant::now() + POLL < d);
        match client.cluster_check(a.diff).await {
            Ok(r) if r.agree || !time_left => break r,
            // A node still starting (no socket yet, no master secret yet) is waited for too.
            Err(e) if !(time_left && e.kind() == ErrorKind::NotReady) => return Err(e),
            _ => tokio::time::sleep(POLL).await,
        }
    };
    match cli.output {
        Output::Json => {
            let mut v = serde_json::to_value(&report).unwrap_or_default();
            v["waited_ms"] = json!(started.elapsed().as_millis() as u64);
            print_json(&v);
        }
        Output::Text => print_check(&report),
    }
    if report.agree {
        return Ok(());
    }
    let differ: Vec<String> = report
        .apps
        .iter()
        .filter(|v| !v.agree)
        .map(|v| v.app_id.to_string())
        .collect();
    Err(Error::new(
        ErrorKind::NotReady,
        format!(
            "nodes differ on app(s) {}{}",
            differ.join(", "),
            a.wait
                .map(|w| format!(" after waiting {}", humantime::format_duration(w)))
                .unwrap_or_default()
        ),
    ))
}
