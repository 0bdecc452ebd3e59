//! Write-to-visible latency of a cluster (issue 12 item 6), measured by a low-rate probe task
//! that runs beside the load of `novakms bench` and is reported apart from it.
//!
//! One sample at a time: the probe PUTs a value carrying a unique marker (run seed, sample
//! number, 64 random bits) to a fresh key `<key_prefix>visibility/<seed>/<n>` through one of
//! the load nodes (round-robin), and once that node has acknowledged it (the PUT answered 2xx,
//! so the write is committed there, protocol.md §1.6) polls `GET` on every other node every
//! `poll` until the answer holds the marker. The delay of a node is the time from the
//! acknowledgement to the end of the first GET that returned the new value: an upper bound of
//! the true visibility delay, coarse by one poll interval plus one GET round trip. A node that
//! does not show the value within `timeout` is counted as a timeout for that sample (never
//! dropped). Then the probe waits `every` and starts the next sample; it stops when the load
//! ends (a sample in flight still completes, bounded by `timeout`), after at least one sample.
//!
//! The probe's own requests (one PUT and about `delay / poll` GETs per other node per sample)
//! are not part of the load figures; their counts are in the report so their share is visible.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use hdrhistogram::Histogram;
use rand::RngCore;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::Notify;

use super::stats::{new_histogram, Latency, MAX_LATENCY_US};
use crate::client::app::{encode_path_key, AppClient, CallResult};

/// Pace and bounds of the probe.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProbeConfig {
    /// Pause between the end of one sample and the start of the next.
    pub every: Duration,
    /// Interval between GETs on a node that does not show the value yet.
    pub poll: Duration,
    /// A node that does not show the value this long after the acknowledgement is a timeout.
    pub timeout: Duration,
}

impl Default for ProbeConfig {
    /// Every 200 ms, polling every 5 ms, timeout after 10 s (the bounds of issue 12 item 6).
    fn default() -> Self {
        ProbeConfig {
            every: Duration::from_millis(200),
            poll: Duration::from_millis(5),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Visibility delays seen on one node (the `visibility.per_node` rows of the report).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeVisibility {
    /// Node URL.
    pub node: String,
    /// Samples in which this node showed the value (each adds one delay).
    pub samples: u64,
    /// Samples in which it did not within the timeout.
    pub timeouts: u64,
    /// Delay from the PUT's acknowledgement on another node to the value being visible here, ms.
    pub delay_ms: Latency,
}

/// The `visibility` object of the `-o json` report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Visibility {
    /// Pause between samples, ms.
    pub every_ms: u64,
    /// Poll interval, ms.
    pub poll_ms: u64,
    /// Per-node timeout, ms.
    pub timeout_ms: u64,
    /// Probe PUTs acknowledged (samples started).
    pub probe_puts: u64,
    /// Probe PUTs that failed (no sample).
    pub probe_put_errors: u64,
    /// Probe GETs sent while polling (not part of the load figures).
    pub probe_gets: u64,
    /// Probe GETs that failed (the poll goes on until the timeout).
    pub probe_get_errors: u64,
    /// One row per node that received probe GETs, in node order.
    pub per_node: Vec<NodeVisibility>,
}

/// Stop signal from the load to the probe.
#[derive(Debug, Default)]
pub struct StopFlag {
    stopped: AtomicBool,
    notify: Notify,
}

impl StopFlag {
    /// Tell the probe the load has ended.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }

    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Wait `d` or until stopped, whichever is first.
    async fn pause(&self, d: Duration) {
        if !self.is_stopped() {
            let _ = tokio::time::timeout(d, self.notify.notified()).await;
        }
    }
}

/// Outcome of polling one node for one sample.
enum Seen {
    After(Duration),
    TimedOut,
}

/// Poll `c` until `GET key` answers `b64`; returns the outcome and (GETs, failed GETs).
async fn poll_node(
    c: &AppClient,
    path: &str,
    b64: &str,
    acked: Instant,
    cfg: ProbeConfig,
) -> (Seen, u64, u64) {
    let (mut gets, mut failed) = (0u64, 0u64);
    loop {
        gets += 1;
        match c.call(Method::GET, path, None).await {
            Ok(CallResult::Ok(v)) if v.get("value").and_then(Value::as_str) == Some(b64) => {
                return (Seen::After(acked.elapsed()), gets, failed);
            }
            Ok(CallResult::Ok(_)) => {}
            Ok(CallResult::Refused(r)) if r.status == 404 => {}
            Ok(CallResult::Refused(_)) | Err(_) => failed += 1,
        }
        if acked.elapsed() >= cfg.timeout {
            return (Seen::TimedOut, gets, failed);
        }
        tokio::time::sleep(cfg.poll).await;
    }
}

/// Run the probe until `stop`: `clients[node]` are the clients of one app identity on every
/// node (URL `urls[node]`); writes go round-robin to nodes `0..load_nodes`, reads to every
/// other node. Needs at least two nodes (else returns empty rows).
pub async fn run(
    cfg: ProbeConfig,
    clients: Vec<Arc<AppClient>>,
    urls: Vec<String>,
    load_nodes: usize,
    key_prefix: String,
    seed: u64,
    stop: Arc<StopFlag>,
) -> Visibility {
    let n = clients.len();
    let mut hist: Vec<Histogram<u64>> = (0..n).map(|_| new_histogram()).collect();
    let mut timeouts = vec![0u64; n];
    let mut vis = Visibility {
        every_ms: cfg.every.as_millis() as u64,
        poll_ms: cfg.poll.as_millis() as u64,
        timeout_ms: cfg.timeout.as_millis() as u64,
        probe_puts: 0,
        probe_put_errors: 0,
        probe_gets: 0,
        probe_get_errors: 0,
        per_node: Vec::new(),
    };
    let mut polled = vec![false; n];
    let mut seq: u64 = 0;
    // At least one sample, even if the load ended before the probe got to run.
    while n >= 2 && load_nodes >= 1 && (seq == 0 || !stop.is_stopped()) {
        let writer = (seq as usize) % load_nodes.min(n);
        let key = format!("{key_prefix}visibility/{seed}/{seq:08}");
        let mut nonce = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut nonce);
        let marker = format!(
            "novakms bench visibility {seed} {seq} {}",
            hex::encode(nonce)
        );
        let b64 = base64::engine::general_purpose::STANDARD.encode(marker.as_bytes());
        seq += 1;
        let put = clients[writer]
            .call(
                Method::PUT,
                "/kms/data",
                Some(&json!({"key": key, "value": b64})),
            )
            .await;
        if !matches!(put, Ok(CallResult::Ok(_))) {
            vis.probe_put_errors += 1;
            stop.pause(cfg.every).await;
            continue;
        }
        let acked = Instant::now();
        vis.probe_puts += 1;
        let path = format!("/kms/data/{}", encode_path_key(&key));
        let polls = (0..n).filter(|&i| i != writer).map(|i| {
            let (c, path, b64) = (clients[i].clone(), path.clone(), b64.clone());
            async move { (i, poll_node(&c, &path, &b64, acked, cfg).await) }
        });
        for (i, (seen, gets, failed)) in futures_util::future::join_all(polls).await {
            polled[i] = true;
            vis.probe_gets += gets;
            vis.probe_get_errors += failed;
            match seen {
                Seen::After(d) => {
                    let us = u64::try_from(d.as_micros()).unwrap_or(MAX_LATENCY_US);
                    hist[i].saturating_record(us.clamp(1, MAX_LATENCY_US));
                }
                Seen::TimedOut => timeouts[i] += 1,
            }
        }
        stop.pause(cfg.every).await;
    }
    for i in (0..n).filter(|&i| polled[i]) {
        vis.per_node.push(NodeVisibility {
            node: urls.get(i).cloned().unwrap_or_default(),
            samples: hist[i].len(),
            timeouts: timeouts[i],
            delay_ms: Latency::of(&hist[i]),
        });
    }
    vis
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stop_flag_cuts_a_pause_short_and_stays_stopped() {
        let f = Arc::new(StopFlag::default());
        let g = f.clone();
        let waiter = tokio::spawn(async move { g.pause(Duration::from_secs(3600)).await });
        f.stop();
        // Returns at once (a permit is stored even if the waiter was not yet waiting).
        tokio::time::timeout(Duration::from_secs(30), waiter)
            .await
            .expect("pause ended by stop")
            .unwrap();
        assert!(f.is_stopped());
        tokio::time::timeout(Duration::from_secs(30), f.pause(Duration::from_secs(3600)))
            .await
            .expect("a stopped flag does not pause");
    }

    #[tokio::test]
    async fn a_single_node_gives_no_samples() {
        let stop = Arc::new(StopFlag::default());
        let v = run(
            ProbeConfig::default(),
            Vec::new(),
            Vec::new(),
            1,
            "p/".into(),
            1,
            stop,
        )
        .await;
        assert_eq!(v.probe_puts, 0);
        assert!(v.per_node.is_empty());
        assert_eq!(v.poll_ms, 5);
        assert_eq!(v.timeout_ms, 10_000);
    }
}
