//! The load generator behind `novakms bench` (docs/operator-guide.md "Load
//! testing"): N client tasks act as registered Nova apps against one or more
//! nodes over the real protocol, through [`AppClient`] (nonce, PoP, envelope
//! seal, response-signature and envelope verification, protocol.md §1–§3),
//! and record latencies and failures per task ([`stats::Recorder`]).
//!
//! [`setup`] resolves the apps and nodes into a grid of clients; this module runs a [`Plan`]
//! over it ([`Load`]: which nodes take the load, each task's results kept per node), beside the
//! write-to-visible [`probe`] when there are two or more nodes; [`fresh`] registers the one-use
//! identities of `--fresh-apps`. The CLI (`cli::bench`) maps flags to all of them and prints the
//! report.

pub mod fresh;
pub mod probe;
pub mod setup;
pub mod stats;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use rand::{Rng, RngCore, SeedableRng};
use reqwest::Method;
use serde_json::{json, Value};

use crate::client::app::{encode_path_key, AppClient, CallResult};
use crate::error::{Error, ErrorKind, Result};

pub use probe::{ProbeConfig, Visibility};
pub use stats::{Latency, OpKind, OpSummary, Recorder, Summary};

/// What each operation of a run does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Workload {
    /// Every operation is a PUT of a `value_size`-byte value.
    Put,
    /// Every operation is a GET (404 counts as a miss, not an error).
    Get,
    /// Each operation is a GET with probability `read_ratio` (0..=1), else a PUT.
    Mixed {
        /// Fraction of GETs.
        read_ratio: f64,
    },
    /// Every operation is a derive of a 32-byte key for path `<prefix><key>`.
    Derive,
}

impl Workload {
    /// Name used in reports: `put`, `get`, `mixed`, `derive`.
    pub fn name(&self) -> &'static str {
        match self {
            Workload::Put => "put",
            Workload::Get => "get",
            Workload::Mixed { .. } => "mixed",
            Workload::Derive => "derive",
        }
    }
}

/// When a run ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// No operation starts after this much wall-clock time (running ones finish).
    After(Duration),
    /// Exactly this many operations are attempted (successes + failures).
    Ops(u64),
}

/// Parameters of one run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Operation mix.
    pub workload: Workload,
    /// Number of concurrent client tasks (each has one request in flight).
    pub concurrency: usize,
    /// End condition.
    pub stop: Stop,
    /// Plaintext value size of PUTs, bytes.
    pub value_size: usize,
    /// Key space: keys are `<key_prefix><i>` with `i` uniform in `0..keys`.
    pub keys: u64,
    /// Key (and derive path) prefix.
    pub key_prefix: String,
    /// Seed of the per-task random generators (keys, op choice, values).
    pub seed: u64,
}

impl Plan {
    /// Key number `i` of the key space: `<key_prefix><i, 8 digits>`.
    pub fn key(&self, i: u64) -> String {
        let mut k = String::with_capacity(self.key_prefix.len() + 8);
        push_key(&mut k, &self.key_prefix, i);
        k
    }
}

fn push_key(buf: &mut String, prefix: &str, i: u64) {
    buf.clear();
    buf.push_str(prefix);
    let _ = write!(buf, "{i:08}");
}

/// Live counters shared by the tasks, for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    /// Successful operations so far.
    pub ok: AtomicU64,
    /// Failed operations so far.
    pub errors: AtomicU64,
}

/// The clients of a run: `grid[node][app]`, one [`AppClient`] per target node
/// and app identity (the clients of one node share a connection pool).
pub type ClientGrid = Vec<Vec<Arc<AppClient>>>;

/// Which `(node, app)` cell client task `task` uses: nodes round-robin,
/// then apps, so every pair is used once `tasks >= nodes * apps`.
/// `nodes` and `apps` must be at least 1.
pub fn assign(task: usize, nodes: usize, apps: usize) -> (usize, usize) {
    let nodes = nodes.max(1);
    let apps = apps.max(1);
    (task % nodes, (task / nodes) % apps)
}

/// Error class of a failed operation (the keys of `errors_by_kind`):
/// `http_<status>` for a refusal (also of `/nonce`), `timeout`, `connect`
/// (node unreachable), `verify` (response signature or envelope rejected,
/// ErrorKind::Auth), `bad_answer` (malformed 2xx answer), `local` (anything else).
pub fn classify(e: &Error) -> String {
    let msg = e.message();
    if let Some(rest) = msg.strip_prefix("node refused (") {
        let status: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !status.is_empty() {
            return format!("http_{status}");
        }
    }
    match e.kind() {
        ErrorKind::Auth => "verify".into(),
        ErrorKind::Remote | ErrorKind::NotReady => {
            if msg.contains("timed out") {
                "timeout".into()
            } else if msg.contains("unreachable") {
                "connect".into()
            } else {
                "bad_answer".into()
            }
        }
        _ => "local".into(),
    }
}

/// Outcome of one operation that got a valid protocol answer.
enum Done {
    Hit,
    Miss,
}

/// Failure class of one operation.
type Failed = String;

async fn put(c: &AppClient, key: &str, b64_value: &str) -> Result<Done, Failed> {
    let inner = json!({"key": key, "value": b64_value});
    match c.call(Method::PUT, "/kms/data", Some(&inner)).await {
        Ok(CallResult::Ok(v)) if v.get("updated_at_ms").and_then(Value::as_u64).is_some() => {
            Ok(Done::Hit)
        }
        Ok(CallResult::Ok(_)) => Err("bad_answer".into()),
        Ok(CallResult::Refused(r)) => Err(format!("http_{}", r.status)),
        Err(e) => Err(classify(&e)),
    }
}

async fn get(c: &AppClient, key: &str) -> Result<Done, Failed> {
    let path = format!("/kms/data/{}", encode_path_key(key));
    match c.call(Method::GET, &path, None).await {
        Ok(CallResult::Ok(v)) => {
            let ok = v
                .get("value")
                .and_then(Value::as_str)
                .map(|s| base64::engine::general_purpose::STANDARD.decode(s).is_ok())
                .unwrap_or(false);
            if ok {
                Ok(Done::Hit)
            } else {
                Err("bad_answer".into())
            }
        }
        Ok(CallResult::Refused(r)) if r.status == 404 => Ok(Done::Miss),
        Ok(CallResult::Refused(r)) => Err(format!("http_{}", r.status)),
        Err(e) => Err(classify(&e)),
    }
}

async fn derive(c: &AppClient, path: &str) -> Result<Done, Failed> {
    let inner = json!({"path": path, "context": "", "length": 32});
    match c.call(Method::POST, "/kms/derive", Some(&inner)).await {
        Ok(CallResult::Ok(v)) => {
            let len = v
                .get("key")
                .and_then(Value::as_str)
                .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                .map(|k| k.len());
            if len == Some(32) {
                Ok(Done::Hit)
            } else {
                Err("bad_answer".into())
            }
        }
        Ok(CallResult::Refused(r)) => Err(format!("http_{}", r.status)),
        Err(e) => Err(classify(&e)),
    }
}

/// Shared end condition of the tasks.
struct Gate {
    stop: Stop,
    start: Instant,
    issued: AtomicU64,
}

impl Gate {
    /// True if the calling task may start one more operation.
    fn admit(&self) -> bool {
        match self.stop {
            Stop::After(d) => self.start.elapsed() < d,
            Stop::Ops(n) => self.issued.fetch_add(1, Ordering::Relaxed) < n,
        }
    }
}

/// Clients used once each by `--fresh-apps` ([`Load::fresh`]), handed out in order.
struct FreshPool {
    clients: Vec<(usize, Arc<AppClient>)>,
    next: AtomicU64,
}

impl FreshPool {
    /// The next unused `(node, client)`, or None when the pool is spent.
    fn take(&self) -> Option<&(usize, Arc<AppClient>)> {
        let j = self.next.fetch_add(1, Ordering::Relaxed);
        self.clients.get(usize::try_from(j).ok()?)
    }
}

/// What one client task hands back: a recorder per load node, and the wallets of the
/// fresh identities it used (`--fresh-apps` only).
struct TaskResult {
    per_node: Vec<Recorder>,
    fresh_wallets: Vec<String>,
}

#[allow(clippy::too_many_arguments)]
async fn task(
    index: usize,
    plan: Arc<Plan>,
    node: usize,
    client: Arc<AppClient>,
    nodes: usize,
    fresh: Arc<FreshPool>,
    gate: Arc<Gate>,
    progress: Arc<Progress>,
) -> TaskResult {
    let mut per_node: Vec<Recorder> = (0..nodes).map(|_| Recorder::new()).collect();
    let mut fresh_wallets = Vec::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(
        plan.seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    // One random value per task, encoded once: the per-op cost stays in the protocol.
    let mut value = vec![0u8; plan.value_size];
    rng.fill_bytes(&mut value);
    let b64_value = base64::engine::general_purpose::STANDARD.encode(&value);
    let mut key = String::with_capacity(plan.key_prefix.len() + 8);
    let keys = plan.keys.max(1);
    while gate.admit() {
        let (node, client) = if fresh.clients.is_empty() {
            (node, &client)
        } else {
            match fresh.take() {
                Some((n, c)) => {
                    fresh_wallets.push(c.identity().address().to_string());
                    (*n, c)
                }
                None => break,
            }
        };
        let rec = &mut per_node[node.min(nodes - 1)];
        push_key(&mut key, &plan.key_prefix, rng.gen_range(0..keys));
        let op = match plan.workload {
            Workload::Put => OpKind::Put,
            Workload::Get => OpKind::Get,
            Workload::Derive => OpKind::Derive,
            Workload::Mixed { read_ratio } => {
                if rng.gen::<f64>() < read_ratio {
                    OpKind::Get
                } else {
                    OpKind::Put
                }
            }
        };
        let t0 = Instant::now();
        let r = match op {
            OpKind::Put => put(client, &key, &b64_value).await,
            OpKind::Get => get(client, &key).await,
            OpKind::Derive => derive(client, &key).await,
        };
        let latency = t0.elapsed();
        match r {
            Ok(Done::Hit) => {
                rec.record_ok(op, latency);
                progress.ok.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Done::Miss) => {
                rec.record_miss(op, latency);
                progress.ok.fetch_add(1, Ordering::Relaxed);
            }
            Err(class) => {
                rec.record_error(&class);
                progress.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    TaskResult {
        per_node,
        fresh_wallets,
    }
}

/// What [`run`] drives.
pub struct Load {
    /// `grid[node][app]`: clients on every node the run knows (load nodes first).
    pub grid: ClientGrid,
    /// Node URLs, in grid row order.
    pub urls: Vec<String>,
    /// The load goes to nodes `0..load_nodes` (1..=grid rows); the others only serve the
    /// visibility probe.
    pub load_nodes: usize,
    /// `--fresh-apps`: `(node, client)` pairs, each used for exactly one operation, in order
    /// (each client is a distinct, registered identity); empty: the grid's identities.
    pub fresh: Vec<(usize, Arc<AppClient>)>,
    /// The write-to-visible probe ([`probe`]); None: no probe.
    pub probe: Option<ProbeConfig>,
}

/// What [`run`] measured.
pub struct Outcome {
    /// Every load operation.
    pub total: Recorder,
    /// The same operations by target node (`per_node[i]` for `urls[i]`, load nodes only).
    pub per_node: Vec<Recorder>,
    /// Wall clock of the load.
    pub elapsed: Duration,
    /// The probe's report (with a probe configured and at least two nodes).
    pub visibility: Option<Visibility>,
    /// Distinct fresh identities that issued an operation (`--fresh-apps`).
    pub fresh_identities: u64,
}

/// Run `plan` with `plan.concurrency` tasks on the current (multi-thread) tokio runtime, task
/// `i` using `load.grid[assign(i, load_nodes, apps)]` (or the fresh pool), beside the probe if
/// one is configured. Returns the merged, per-node and probe results. Errors: Usage (empty
/// grid, `load_nodes` out of range).
pub async fn run(plan: &Plan, load: &Load, progress: Arc<Progress>) -> Result<Outcome> {
    let grid = &load.grid;
    let nodes = load.load_nodes;
    let apps = grid.first().map(Vec::len).unwrap_or(0);
    if nodes == 0 || nodes > grid.len() || apps == 0 || grid.iter().any(|row| row.len() != apps) {
        return Err(Error::new(
            ErrorKind::Usage,
            "bench needs at least one node and one app",
        ));
    }
    let plan = Arc::new(plan.clone());
    let fresh = Arc::new(FreshPool {
        clients: load.fresh.clone(),
        next: AtomicU64::new(0),
    });
    let stop = Arc::new(probe::StopFlag::default());
    let prober = match load.probe {
        Some(cfg) if grid.len() >= 2 => Some(tokio::spawn(probe::run(
            cfg,
            grid.iter().map(|row| row[0].clone()).collect(),
            load.urls.clone(),
            nodes,
            plan.key_prefix.clone(),
            plan.seed,
            stop.clone(),
        ))),
        _ => None,
    };
    let gate = Arc::new(Gate {
        stop: plan.stop,
        start: Instant::now(),
        issued: AtomicU64::new(0),
    });
    let mut handles = Vec::with_capacity(plan.concurrency);
    for i in 0..plan.concurrency.max(1) {
        let (n, a) = assign(i, nodes, apps);
        handles.push(tokio::spawn(task(
            i,
            plan.clone(),
            n,
            grid[n][a].clone(),
            nodes,
            fresh.clone(),
            gate.clone(),
            progress.clone(),
        )));
    }
    let mut total = Recorder::new();
    let mut per_node: Vec<Recorder> = (0..nodes).map(|_| Recorder::new()).collect();
    let mut wallets = std::collections::BTreeSet::new();
    for h in handles {
        match h.await {
            Ok(r) => {
                for (mine, theirs) in per_node.iter_mut().zip(&r.per_node) {
                    mine.merge(theirs);
                    total.merge(theirs);
                }
                wallets.extend(r.fresh_wallets);
            }
            Err(_) => total.record_error("local"),
        }
    }
    let elapsed = gate.start.elapsed();
    stop.stop();
    let visibility = match prober {
        Some(h) => h.await.ok(),
        None => None,
    };
    Ok(Outcome {
        total,
        per_node,
        elapsed,
        visibility,
        fresh_identities: wallets.len() as u64,
    })
}

/// Write every key of the key space once through `clients` (one per app
/// namespace to fill; `concurrency` requests in flight), not measured: the
/// `--warmup` of `get` and `mixed`. Errors: Remote with the first failure
/// class and the failure count if any PUT failed.
pub async fn prefill(plan: &Plan, clients: &[Arc<AppClient>]) -> Result<u64> {
    let next = Arc::new(AtomicU64::new(0));
    let total = plan.keys.saturating_mul(clients.len() as u64);
    let mut handles = Vec::new();
    for i in 0..plan.concurrency.max(1) {
        let next = next.clone();
        let clients: Vec<Arc<AppClient>> = clients.to_vec();
        let plan = plan.clone();
        handles.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(plan.seed ^ 0x5EED ^ i as u64);
            let mut value = vec![0u8; plan.value_size];
            rng.fill_bytes(&mut value);
            let b64 = base64::engine::general_purpose::STANDARD.encode(&value);
            let mut key = String::new();
            let mut failed: Vec<String> = Vec::new();
            loop {
                let j = next.fetch_add(1, Ordering::Relaxed);
                if j >= total {
                    break;
                }
                let c = &clients[(j % clients.len() as u64) as usize];
                push_key(&mut key, &plan.key_prefix, j / clients.len() as u64);
                if let Err(class) = put(c, &key, &b64).await {
                    failed.push(class);
                }
            }
            failed
        }));
    }
    let mut failed = Vec::new();
    for h in handles {
        match h.await {
            Ok(f) => failed.extend(f),
            Err(e) => failed.push(format!("task failed: {e}")),
        }
    }
    if let Some(first) = failed.first() {
        return Err(Error::remote(format!(
            "warm-up failed: {} of {total} PUTs failed (first: {first})",
            failed.len()
        )));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_covers_every_pair() {
        let mut seen = std::collections::BTreeSet::new();
        for t in 0..6 {
            seen.insert(assign(t, 3, 2));
        }
        assert_eq!(seen.len(), 6);
        assert_eq!(assign(0, 1, 4), (0, 0));
        assert_eq!(assign(5, 1, 4), (0, 1));
        assert_eq!(assign(7, 0, 0), (0, 0));
    }

    #[test]
    fn keys_are_prefixed_and_fixed_width() {
        let p = Plan {
            workload: Workload::Put,
            concurrency: 1,
            stop: Stop::Ops(1),
            value_size: 1,
            keys: 10,
            key_prefix: "bench/".into(),
            seed: 1,
        };
        assert_eq!(p.key(42), "bench/00000042");
        assert_eq!(p.key(123_456_789), "bench/123456789");
    }

    #[test]
    fn errors_are_classified_by_cause() {
        let c = |e: Error| classify(&e);
        assert_eq!(
            c(Error::new(
                ErrorKind::Remote,
                "node refused (429 rate_limited): slow down"
            )),
            "http_429"
        );
        assert_eq!(
            c(Error::remote(
                "node http://x unreachable: error sending request: operation timed out"
            )),
            "timeout"
        );
        assert_eq!(
            c(Error::remote(
                "node http://x unreachable: Connection refused"
            )),
            "connect"
        );
        assert_eq!(c(Error::auth("invalid response signature")), "verify");
        assert_eq!(c(Error::remote("node answer is not JSON")), "bad_answer");
        assert_eq!(c(Error::local("cannot encrypt request")), "local");
    }

    #[test]
    fn gate_admits_exactly_n_operations() {
        let g = Gate {
            stop: Stop::Ops(3),
            start: Instant::now(),
            issued: AtomicU64::new(0),
        };
        let admitted = (0..10).filter(|_| g.admit()).count();
        assert_eq!(admitted, 3);
        let g = Gate {
            stop: Stop::After(Duration::ZERO),
            start: Instant::now(),
            issued: AtomicU64::new(0),
        };
        assert!(!g.admit());
    }
}
