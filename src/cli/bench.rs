//! `novakms bench put|get|mixed|derive`: a load generator acting as one or
//! more registered Nova apps against one node or a whole cluster over the
//! real protocol (see `crate::bench`), with a latency/throughput report.
//!
//! Apps and nodes come from a devnet (`--devnet DIR`: its `devnet.json`), or
//! from app config files (`--app-config`, repeatable; default: the global
//! configuration, as `store` uses it). Node wallets and teePubkeys are
//! resolved on chain exactly as `store` does (`client::app::resolve_node`).

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::bench::setup::{self, Setup, Targets};
use crate::bench::{self, Load, Plan, ProbeConfig, Progress, Stop, Summary, Visibility, Workload};
use crate::cli::{print_json, Cli, Output};
use crate::error::{Error, ErrorKind, Result};

/// Extra `bench --help` text: sources, report and exit codes.
pub const AFTER_HELP: &str = "\
Apps and nodes: --devnet DIR uses the identities of `devnet up --apps N` and all its nodes;
otherwise --app-config FILE (repeatable) or the global configuration names the app keystore(s),
and --node URL (repeatable) or `addr` the node(s). Node wallets and teePubkeys come from the
registry on chain. Client i talks to node (i mod nodes) as app ((i / nodes) mod apps);
--nodes K keeps the load on the first K nodes.

Report: ops/s and latency p50/p90/p99/max/mean (ms) of successful operations, GET misses (404),
failures by kind (http_<status>, timeout, connect, verify, bad_answer, local), a row per node
when there are several, and with two or more nodes the write-to-visible delay on each other
node (p50/p99 ms, samples, timeouts; a probe apart from the load). -o json prints one object
(see docs/operator-guide.md, \"Load testing\").

Exit codes: 0 every operation succeeded; 3 some operation failed; 8 some answer failed
response-signature or envelope verification; 1/2/4 setup errors as for other commands.";

/// Default run length when neither `--duration` nor `--ops` is given.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(10);

/// Workload names of `novakms bench`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadArg {
    /// PUT /kms/data of --value-size random bytes
    Put,
    /// GET /kms/data/<key> (404 = miss, not an error; see --warmup)
    Get,
    /// GET with probability --read-ratio, else PUT
    Mixed,
    /// POST /kms/derive of a 32-byte key
    Derive,
}

/// Arguments of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Operation mix
    #[arg(value_enum)]
    pub workload: WorkloadArg,
    /// Concurrent clients (one request in flight each)
    #[arg(short = 'c', long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub concurrency: u32,
    /// Run time, e.g. 10s, 500ms, 2m (default 10s; conflicts with --ops)
    #[arg(long, value_parser = parse_duration, conflicts_with = "ops")]
    pub duration: Option<Duration>,
    /// Stop after this many operations (successes + failures)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub ops: Option<u64>,
    /// Plaintext value size of PUTs in bytes
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(0..=1_048_576))]
    pub value_size: u32,
    /// Key-space size: keys are <key-prefix><i> with i uniform in 0..KEYS
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub keys: u64,
    /// Fraction of GETs in the mixed workload (0..=1)
    #[arg(long, default_value_t = 0.9, value_parser = parse_ratio)]
    pub read_ratio: f64,
    /// Target node URL (repeatable; clients round-robin over them) [default: addr from the config]
    #[arg(long = "node", value_name = "URL")]
    pub nodes: Vec<String>,
    /// Take apps, nodes and chain settings from this devnet directory (its devnet.json)
    #[arg(long, value_name = "DIR", conflicts_with = "app_configs")]
    pub devnet: Option<PathBuf>,
    /// App config file (keystore, password_file; repeatable) [default: the global --config]
    #[arg(long = "app-config", value_name = "FILE")]
    pub app_configs: Vec<PathBuf>,
    /// Use only the first K app identities available
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub apps: Option<u32>,
    /// Before get/mixed: write every key of each app namespace once (not measured)
    #[arg(long)]
    pub warmup: bool,
    /// Seed of the key choice, op mix and values
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Key and derive-path prefix
    #[arg(long, default_value = "bench/")]
    pub key_prefix: String,
    /// Per-request timeout in seconds
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// No progress line on stderr (it is also hidden when stderr is not a terminal)
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Which of the nodes (the devnet's, or the --node URLs) take the load: `all`, or the first K;
    /// the others still serve the visibility probe
    #[arg(long = "nodes", value_name = "all|K", default_value = "all", value_parser = parse_nodes)]
    pub load_nodes: NodesArg,
    /// Each operation acts as a new app identity, registered on the devnet chain before the
    /// run (the cold envelope path); needs --devnet and --ops (at most 5000)
    #[arg(long, requires = "devnet", requires = "ops")]
    pub fresh_apps: bool,
    /// Pause between write-to-visible samples (PUT on one node, GET on every other node until
    /// the value shows) when the run knows two or more nodes
    #[arg(long, value_name = "DURATION", default_value = "200ms", value_parser = parse_duration)]
    pub visibility_every: Duration,
    /// No write-to-visible probe
    #[arg(long)]
    pub no_visibility: bool,
}

/// Parse a duration: a number with unit `ms`, `s`, `m` or `h` (`10s`, `500ms`,
/// `1.5m`); a bare number is seconds. Errors: a message for clap.
pub fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?} (examples: 10s, 500ms, 2m)"))?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        u => return Err(format!("unknown duration unit {u:?} (use ms, s, m or h)")),
    };
    if !secs.is_finite() || secs <= 0.0 || secs > 7.0 * 86400.0 {
        return Err(format!("duration {s:?} out of range (0 < d <= 7 days)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `--nodes`: every node, or the first K.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodesArg {
    /// Every node.
    All,
    /// The first K nodes (K >= 1).
    First(usize),
}

/// Parse `--nodes`: `all` or a count >= 1. Errors: a message for clap.
pub fn parse_nodes(s: &str) -> std::result::Result<NodesArg, String> {
    match s.trim() {
        "all" => Ok(NodesArg::All),
        t => match t.parse::<usize>() {
            Ok(k) if k >= 1 => Ok(NodesArg::First(k)),
            _ => Err(format!(
                "invalid --nodes {s:?}: expected `all` or a count >= 1"
            )),
        },
    }
}

fn parse_ratio(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("invalid ratio {s:?}: expected a number in 0..=1")),
    }
}

/// The `-o json` report of `novakms bench` (stable shape, documented in
/// docs/operator-guide.md "Load testing"): the run parameters followed by the
/// flattened [`Summary`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// `put`, `get`, `mixed` or `derive`.
    pub workload: String,
    /// Fraction of GETs (mixed only, otherwise null).
    pub read_ratio: Option<f64>,
    /// Concurrent clients.
    pub concurrency: u32,
    /// Target node URLs.
    pub nodes: Vec<String>,
    /// App identities (wallets) used.
    pub apps: Vec<String>,
    /// Distinct app ids (namespaces) of those identities, as registered on chain.
    pub app_ids: Vec<u64>,
    /// PUT value size, bytes.
    pub value_size: u32,
    /// Key-space size.
    pub keys: u64,
    /// Random seed.
    pub seed: u64,
    /// Keys written by `--warmup` before the measured run (0 without it).
    pub warmup_keys: u64,
    /// Requested run time in seconds (null with `--ops`).
    pub target_duration_s: Option<f64>,
    /// Requested operation count (null with `--duration`).
    pub target_ops: Option<u64>,
    /// Measured results.
    #[serde(flatten)]
    pub summary: Summary,
    /// The same results by target node, in `nodes` order (`ops` and `errors` add up to the
    /// totals above).
    pub per_node: Vec<NodeReport>,
    /// Write-to-visible delays on the other nodes (null: fewer than two nodes, or
    /// `--no-visibility`); see `bench::probe`.
    pub visibility: Option<Visibility>,
    /// `--fresh-apps` (null without it).
    pub fresh_apps: Option<FreshReport>,
}

/// One `per_node` row of the report: the node's URL and its flattened [`Summary`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeReport {
    /// Node URL.
    pub node: String,
    /// What the clients of this node measured.
    #[serde(flatten)]
    pub summary: Summary,
}

/// The `fresh_apps` object of the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FreshReport {
    /// Identities registered before the run (one per operation).
    pub registered: u64,
    /// Distinct identities that issued an operation.
    pub distinct_used: u64,
    /// App id they are instances of.
    pub app_id: u64,
    /// Time spent registering them on chain (not measured), seconds.
    pub registration_s: f64,
}

fn progress_line(quiet: bool) -> ProgressBar {
    let target = if quiet || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
        bar.set_style(style);
    }
    bar
}

/// Run `bench`. Prints the report (table, or JSON with `-o json`) and then
/// fails with exit code 8 (Auth) if any answer failed verification, else 3
/// (Remote) if any operation failed. Errors before the run: Usage, Local
/// (config, keystore), Remote (chain), NotReady (node not registered).
pub async fn run(cli: &Cli, a: &BenchArgs) -> Result<()> {
    let s = cli.settings()?;
    let targets = Targets {
        devnet: a.devnet.clone(),
        apps: a.apps,
        nodes: a.nodes.clone(),
        app_configs: a.app_configs.clone(),
        timeout: Duration::from_secs(a.timeout),
        concurrency: a.concurrency,
    };
    let Setup {
        grid,
        apps,
        urls,
        nodes,
        devnet,
    } = setup::setup(&s, &targets).await?;
    let load_nodes = match a.load_nodes {
        NodesArg::All => urls.len(),
        NodesArg::First(k) if k <= urls.len() => k,
        NodesArg::First(k) => {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("--nodes {k}: only {} node(s) known", urls.len()),
            ))
        }
    };
    let workload = match a.workload {
        WorkloadArg::Put => Workload::Put,
        WorkloadArg::Get => Workload::Get,
        WorkloadArg::Mixed => Workload::Mixed {
            read_ratio: a.read_ratio,
        },
        WorkloadArg::Derive => Workload::Derive,
    };
    let stop = match (a.ops, a.duration) {
        (Some(n), _) => Stop::Ops(n),
        (None, Some(d)) => Stop::After(d),
        (None, None) => Stop::After(DEFAULT_DURATION),
    };
    let plan = Plan {
        workload,
        concurrency: a.concurrency as usize,
        stop,
        value_size: a.value_size as usize,
        keys: a.keys,
        key_prefix: a.key_prefix.clone(),
        seed: a.seed,
    };

    // Warm-up: one writer client per distinct namespace (app id), first node.
    let mut warmup_keys = 0;
    if a.warmup && matches!(workload, Workload::Get | Workload::Mixed { .. }) {
        let writers = setup::warmup_writers(&grid, &apps);
        if !a.quiet {
            eprintln!(
                "warm-up: writing {} keys in {} namespace(s) ...",
                a.keys,
                writers.len()
            );
        }
        warmup_keys = bench::prefill(&plan, &writers).await?;
    }

    // --fresh-apps: one registered identity per operation, client on node (j mod load nodes).
    let mut fresh = Vec::new();
    let mut fresh_pool = None;
    if a.fresh_apps {
        let (Some(info), Some(first), Stop::Ops(k)) = (&devnet, apps.first(), stop) else {
            return Err(Error::new(
                ErrorKind::Usage,
                "--fresh-apps needs --devnet DIR and --ops N",
            ));
        };
        if !a.quiet {
            eprintln!("fresh apps: registering {k} app identities on chain (not measured) ...");
        }
        let pool = bench::fresh::register_pool(
            info,
            first.identity.address(),
            k,
            &s.envelope_info_label,
            s.rpc_timeout(),
        )
        .await?;
        for (j, id) in pool.identities.iter().enumerate() {
            let n = j % load_nodes;
            fresh.push((n, nodes[n].client(id.clone())?));
        }
        fresh_pool = Some(pool);
    }
    let load = Load {
        grid,
        urls: urls.clone(),
        load_nodes,
        fresh,
        probe: (!a.no_visibility).then(|| ProbeConfig {
            every: a.visibility_every,
            ..ProbeConfig::default()
        }),
    };

    if !a.quiet {
        eprintln!(
            "bench {}: {} clients, {} of {} node(s), {} app identity(ies), {}",
            workload.name(),
            a.concurrency,
            load_nodes,
            urls.len(),
            if a.fresh_apps {
                fresh_pool.as_ref().map_or(0, |p| p.identities.len())
            } else {
                apps.len()
            },
            match stop {
                Stop::Ops(n) => format!("{n} operations"),
                Stop::After(d) => format!("{:.1} s", d.as_secs_f64()),
            }
        );
    }
    let progress = Arc::new(Progress::default());
    let bar = progress_line(a.quiet);
    let ticker = {
        let bar = bar.clone();
        let progress = progress.clone();
        let name = workload.name();
        tokio::spawn(async move {
            let start = Instant::now();
            let mut every = tokio::time::interval(Duration::from_millis(200));
            loop {
                every.tick().await;
                let ok = progress.ok.load(Ordering::Relaxed);
                let err = progress.errors.load(Ordering::Relaxed);
                let secs = start.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!(
                    "{name}: {ok} ok, {err} errors, {:.0} ops/s",
                    ok as f64 / secs
                ));
                bar.tick();
            }
        })
    };
    let result = bench::run(&plan, &load, progress).await;
    ticker.abort();
    bar.finish_and_clear();
    let outcome = result?;
    let elapsed = outcome.elapsed;
    let summary = outcome.total.summary(elapsed);
    let per_node = outcome
        .per_node
        .iter()
        .zip(&urls)
        .map(|(r, url)| NodeReport {
            node: url.clone(),
            summary: r.summary(elapsed),
        })
        .collect();
    let app_ids: BTreeSet<u64> = apps.iter().filter_map(|a| a.app_id).collect();
    let report = Report {
        workload: workload.name().to_string(),
        read_ratio: match workload {
            Workload::Mixed { read_ratio } => Some(read_ratio),
            _ => None,
        },
        concurrency: a.concurrency,
        nodes: urls[..load_nodes].to_vec(),
        apps: apps
            .iter()
            .map(|a| a.identity.address().to_string())
            .collect(),
        app_ids: app_ids.into_iter().collect(),
        value_size: a.value_size,
        keys: a.keys,
        seed: a.seed,
        warmup_keys,
        target_duration_s: match stop {
            Stop::After(d) => Some(d.as_secs_f64()),
            Stop::Ops(_) => None,
        },
        target_ops: match stop {
            Stop::Ops(n) => Some(n),
            Stop::After(_) => None,
        },
        summary,
        per_node,
        visibility: outcome.visibility,
        fresh_apps: fresh_pool.map(|p| FreshReport {
            registered: p.identities.len() as u64,
            distinct_used: outcome.fresh_identities,
            app_id: p.app_id,
            registration_s: (p.registration_s * 1000.0).round() / 1000.0,
        }),
    };
    match cli.output {
        Output::Json => print_json(&serde_json::to_value(&report).unwrap_or_default()),
        Output::Text => print_table(&report),
    }
    let s = &report.summary;
    if s.errors > 0 {
        let kinds: Vec<String> = s
            .errors_by_kind
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let kind = if s.errors_by_kind.contains_key("verify") {
            ErrorKind::Auth
        } else {
            ErrorKind::Remote
        };
        return Err(Error::new(
            kind,
            format!(
                "{} of {} operations failed ({})",
                s.errors,
                s.total,
                kinds.join(", ")
            ),
        ));
    }
    Ok(())
}

fn print_table(r: &Report) {
    let s = &r.summary;
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "op", "ops", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms",
    ]);
    let row = |name: &str, ops: u64, rate: f64, l: &bench::Latency| {
        vec![
            name.to_string(),
            ops.to_string(),
            format!("{rate:.1}"),
            format!("{:.3}", l.p50),
            format!("{:.3}", l.p90),
            format!("{:.3}", l.p99),
            format!("{:.3}", l.max),
            format!("{:.3}", l.mean),
        ]
    };
    if s.by_op.len() > 1 {
        for (name, o) in &s.by_op {
            t.add_row(row(name, o.ops, o.ops_per_sec, &o.latency_ms));
        }
    }
    t.add_row(row(
        &format!("{} (all)", r.workload),
        s.ops,
        s.ops_per_sec,
        &s.latency_ms,
    ));
    crate::outln!("{t}");
    let mut info = Table::new();
    info.load_style(UTF8_FULL_CONDENSED);
    let mut rows: Vec<(String, String)> = vec![
        ("duration".into(), format!("{:.3} s", s.duration_s)),
        (
            "clients".into(),
            format!(
                "{} over {} node(s) x {} app identity(ies), app ids {:?}",
                r.concurrency,
                r.nodes.len(),
                r.apps.len(),
                r.app_ids
            ),
        ),
        (
            "operations".into(),
            format!("{} ok, {} failed, {} GET misses", s.ops, s.errors, s.misses),
        ),
    ];
    if let Some(ratio) = r.read_ratio {
        rows.push(("read ratio".into(), format!("{ratio}")));
    }
    if r.warmup_keys > 0 {
        rows.push(("warm-up".into(), format!("{} keys written", r.warmup_keys)));
    }
    for (k, v) in &s.errors_by_kind {
        rows.push((format!("errors: {k}"), v.to_string()));
    }
    if let Some(f) = &r.fresh_apps {
        rows.push((
            "fresh apps".into(),
            format!(
                "{} distinct identities used of {} registered (app id {}, registration {:.1} s, not measured)",
                f.distinct_used, f.registered, f.app_id, f.registration_s
            ),
        ));
    }
    for (k, v) in rows {
        info.add_row(vec![k, v]);
    }
    crate::outln!("{info}");
    if r.per_node.len() > 1 {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED);
        t.set_header(vec!["node", "ops", "ops/s", "p50 ms", "p99 ms", "errors"]);
        for n in &r.per_node {
            let s = &n.summary;
            t.add_row(vec![
                n.node.clone(),
                s.ops.to_string(),
                format!("{:.1}", s.ops_per_sec),
                format!("{:.3}", s.latency_ms.p50),
                format!("{:.3}", s.latency_ms.p99),
                s.errors.to_string(),
            ]);
        }
        t.add_row(vec![
            "cluster (sum)".into(),
            s.ops.to_string(),
            format!("{:.1}", s.ops_per_sec),
            format!("{:.3}", s.latency_ms.p50),
            format!("{:.3}", s.latency_ms.p99),
            s.errors.to_string(),
        ]);
        crate::outln!("{t}");
    }
    if let Some(v) = &r.visibility {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED);
        t.set_header(vec![
            "visible on",
            "samples",
            "timeouts",
            "p50 ms",
            "p99 ms",
            "max ms",
        ]);
        for n in &v.per_node {
            t.add_row(vec![
                n.node.clone(),
                n.samples.to_string(),
                n.timeouts.to_string(),
                format!("{:.3}", n.delay_ms.p50),
                format!("{:.3}", n.delay_ms.p99),
                format!("{:.3}", n.delay_ms.max),
            ]);
        }
        crate::outln!("{t}");
        crate::outln!(
            "write-to-visible: {} probe PUTs ({} failed), {} probe GETs ({} failed), poll {} ms, timeout {} ms; not in the figures above",
            v.probe_puts,
            v.probe_put_errors,
            v.probe_gets,
            v.probe_get_errors,
            v.poll_ms,
            v.timeout_ms
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1.5m").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        for bad in ["", "s", "0s", "-1s", "10x", "1e999", "9999h", "1.2.3s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn nodes_is_all_or_a_positive_count() {
        assert_eq!(parse_nodes("all").unwrap(), NodesArg::All);
        assert_eq!(parse_nodes("1").unwrap(), NodesArg::First(1));
        assert_eq!(parse_nodes("12").unwrap(), NodesArg::First(12));
        for bad in ["", "0", "-1", "ALL", "some", "1.5"] {
            assert!(parse_nodes(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn ratios_are_bounded() {
        assert_eq!(parse_ratio("0.9").unwrap(), 0.9);
        assert_eq!(parse_ratio("0").unwrap(), 0.0);
        assert_eq!(parse_ratio("1").unwrap(), 1.0);
        for bad in ["1.1", "-0.1", "x", "NaN"] {
            assert!(parse_ratio(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn report_json_has_the_documented_top_level_fields() {
        let report = Report {
            workload: "put".into(),
            read_ratio: None,
            concurrency: 2,
            nodes: vec!["http://127.0.0.1:1".into()],
            apps: vec!["0x00".into()],
            app_ids: vec![1000],
            value_size: 256,
            keys: 10,
            seed: 1,
            warmup_keys: 0,
            target_duration_s: None,
            target_ops: Some(5),
            summary: bench::Recorder::new().summary(Duration::from_secs(1)),
            per_node: Vec::new(),
            visibility: None,
            fresh_apps: None,
        };
        let v = serde_json::to_value(&report).unwrap();
        for k in [
            "workload",
            "read_ratio",
            "concurrency",
            "nodes",
            "apps",
            "app_ids",
            "ops",
            "errors",
            "ops_per_sec",
            "latency_ms",
            "errors_by_kind",
            "duration_s",
            "per_node",
            "visibility",
            "fresh_apps",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        let back: Report = serde_json::from_value(v).unwrap();
        assert_eq!(back.target_ops, Some(5));
    }
}
