//! Measurements on a 3-node devnet (ignored by default; they take minutes):
//!
//! ```sh
//! cargo test --release --test cluster_measure -- --ignored --nocapture --test-threads 1
//! ```
//!
//! - write-to-visible latency: p50/p99 over N writes (`NOVAKMS_MEASURE_WRITES`,
//!   default 1000), each written to one node (round robin) and timed until the
//!   other two nodes count it in `/status` (a record counts once merged);
//! - restart catch-up: a node stopped while R records (`NOVAKMS_MEASURE_RECORDS`,
//!   default 10000) are written elsewhere, then restarted: time to ready and
//!   time until it holds every record.
//!
//! Results go to stderr; docs/performance.md records them.

mod common;

use std::time::{Duration, Instant};

use common::Devnet;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn total_keys(http: &reqwest::Client, url: &str) -> u64 {
    match http.get(format!("{url}/status")).send().await {
        Ok(r) => r
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|v| v["data_store"]["total_keys"].as_u64())
            .unwrap_or(0),
        Err(_) => 0,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

#[test]
#[ignore]
fn write_to_visible_latency() {
    let d = Devnet::up(3);
    let n = env_usize("NOVAKMS_MEASURE_WRITES", 1000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let clients: Vec<_> = (0..3).map(|i| d.app_client(i)).collect();
        let urls: Vec<String> = (0..3).map(|i| d.node(i).url.clone()).collect();
        let http = novakms::tls::client::builder().build().unwrap();
        let mut lat = Vec::with_capacity(n * 2);
        for w in 0..n {
            let src = w % 3;
            clients[src]
                .put(&format!("lat-{w}"), b"payload-256-bytes-of-nothing", 0)
                .await
                .unwrap();
            let acked = Instant::now();
            for (j, url) in urls.iter().enumerate() {
                if j == src {
                    continue;
                }
                while total_keys(&http, url).await < (w + 1) as u64 {
                    assert!(acked.elapsed() < Duration::from_secs(30), "write {w} never reached node {j}");
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                lat.push(acked.elapsed());
            }
        }
        lat.sort();
        eprintln!(
            "write-to-visible over {} observations ({n} writes x 2 peers): p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            lat.len(),
            percentile(&lat, 0.50).as_secs_f64() * 1000.0,
            percentile(&lat, 0.90).as_secs_f64() * 1000.0,
            percentile(&lat, 0.99).as_secs_f64() * 1000.0,
            lat.last().unwrap().as_secs_f64() * 1000.0,
        );
    });
}

#[test]
#[ignore]
fn restarted_node_catch_up() {
    let d = Devnet::up(3);
    let records = env_usize("NOVAKMS_MEASURE_RECORDS", 10_000);
    d.signal_node(2, libc::SIGTERM);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let write_start = Instant::now();
    rt.block_on(async {
        let c = std::sync::Arc::new(d.app_client(0));
        let mut tasks = Vec::new();
        let workers = 16;
        for t in 0..workers {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                for i in (t..records).step_by(workers) {
                    c.put(&format!("rec-{i}"), &[7u8; 256], 0).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    let write_secs = write_start.elapsed().as_secs_f64();
    eprintln!(
        "wrote {records} records of 256 bytes to node 1 in {write_secs:.1} s ({:.0}/s, 16 clients)",
        records as f64 / write_secs
    );
    let started = Instant::now();
    d.spawn_node(2, &[]);
    common::wait_ready(&d.node(2).url, Duration::from_secs(300));
    let ready = started.elapsed();
    rt.block_on(async {
        let http = novakms::tls::client::builder().build().unwrap();
        while total_keys(&http, &d.node(2).url).await < records as u64 {
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "catch-up too slow"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let caught_up = started.elapsed();
    eprintln!(
        "restarted node: ready after {:.2} s, holding all {records} records after {:.2} s",
        ready.as_secs_f64(),
        caught_up.as_secs_f64()
    );
}
