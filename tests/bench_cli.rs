//! End-to-end test of `novakms bench` on a real devnet (anvil, deployed
//! contracts, one `novakms serve` over HTTP, real redb) with two registered
//! app identities in two namespaces (`devnet up --apps 2`).

mod common;

use std::process::{Command, Output};

use common::exe;
use serde_json::Value;

/// `novakms devnet up --nodes 1 --apps 2`.
fn devnet_with_two_apps() -> common::Devnet {
    common::Devnet::up_with(1, &["--apps", "2"])
}

fn bench(d: &common::Devnet, args: &[&str]) -> Output {
    Command::new(exe())
        .arg("bench")
        .args(args)
        .arg("--devnet")
        .arg(d.path())
        .args(["-o", "json"])
        .env_remove("NOVAKMS_CONFIG")
        .output()
        .expect("run novakms bench")
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bench stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn f(v: &Value, path: &[&str]) -> f64 {
    let mut x = v;
    for p in path {
        x = &x[*p];
    }
    x.as_f64()
        .unwrap_or_else(|| panic!("{path:?} missing in {v}"))
}

/// A clean run: exit 0, `ops` successful operations, zero errors, ordered
/// percentiles, positive throughput.
fn check_clean(out: &Output, workload: &str, ops: u64) -> Value {
    let r = report(out);
    assert!(
        out.status.success(),
        "bench {workload} failed ({:?}): {r}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(r["workload"], workload);
    assert_eq!(r["ops"].as_u64(), Some(ops), "{r}");
    assert_eq!(r["total"].as_u64(), Some(ops), "{r}");
    assert_eq!(r["errors"].as_u64(), Some(0), "{r}");
    assert_eq!(r["errors_by_kind"], serde_json::json!({}), "{r}");
    let (p50, p90, p99, max) = (
        f(&r, &["latency_ms", "p50"]),
        f(&r, &["latency_ms", "p90"]),
        f(&r, &["latency_ms", "p99"]),
        f(&r, &["latency_ms", "max"]),
    );
    assert!(
        0.0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max,
        "percentiles out of order: {r}"
    );
    assert!(f(&r, &["ops_per_sec"]) > 0.0, "{r}");
    assert!(f(&r, &["duration_s"]) > 0.0, "{r}");
    // Both identities (two app ids, so two namespaces) were used.
    assert_eq!(r["apps"].as_array().map(Vec::len), Some(2), "{r}");
    assert_eq!(r["app_ids"], serde_json::json!([1000, 1001]), "{r}");
    // The per-op breakdown adds up to the total.
    let by_op: u64 = r["by_op"]
        .as_object()
        .unwrap()
        .values()
        .map(|o| o["ops"].as_u64().unwrap())
        .sum();
    assert_eq!(by_op, ops, "{r}");
    r
}

#[test]
fn bench_workloads_against_a_devnet_and_a_dead_node() {
    let d = devnet_with_two_apps();
    assert_eq!(d.info.apps.len(), 2);
    assert_eq!(d.info.apps[0].app_id, 1000);
    assert_eq!(d.info.apps[1].app_id, 1001);
    assert_ne!(d.info.apps[0].wallet, d.info.apps[1].wallet);

    // put: 200 operations with 8 clients over both identities.
    let r = check_clean(
        &bench(&d, &["put", "--ops", "200", "-c", "8", "--keys", "50"]),
        "put",
        200,
    );
    assert_eq!(r["by_op"]["put"]["ops"].as_u64(), Some(200));
    // The writes really landed: both namespaces hold keys now, each listed by its own app.
    for app in &d.info.apps {
        let list: Value = serde_json::from_str(&common::ok_stdout(&common::process::with_config(
            &app.config,
            &["-o", "json", "store", "list"],
        )))
        .unwrap();
        assert!(
            list["count"].as_u64().unwrap() > 0,
            "app {}: {list}",
            app.app_id
        );
    }

    // get after a warm-up: every read hits.
    let r = check_clean(
        &bench(
            &d,
            &["get", "--ops", "200", "-c", "8", "--keys", "50", "--warmup"],
        ),
        "get",
        200,
    );
    assert_eq!(r["misses"].as_u64(), Some(0), "{r}");
    assert_eq!(
        r["warmup_keys"].as_u64(),
        Some(100),
        "two namespaces x 50 keys: {r}"
    );

    // get on keys never written: 404 answers are misses, not errors.
    let r = check_clean(
        &bench(
            &d,
            &[
                "get",
                "--ops",
                "40",
                "-c",
                "4",
                "--key-prefix",
                "never-written/",
            ],
        ),
        "get",
        40,
    );
    assert_eq!(r["misses"].as_u64(), Some(40), "{r}");

    // mixed: both kinds show up with a 50 % read ratio.
    let r = check_clean(
        &bench(
            &d,
            &[
                "mixed",
                "--ops",
                "200",
                "-c",
                "8",
                "--keys",
                "50",
                "--read-ratio",
                "0.5",
            ],
        ),
        "mixed",
        200,
    );
    assert_eq!(r["read_ratio"].as_f64(), Some(0.5));
    assert!(r["by_op"]["get"]["ops"].as_u64().unwrap() > 0, "{r}");
    assert!(r["by_op"]["put"]["ops"].as_u64().unwrap() > 0, "{r}");

    // derive.
    check_clean(
        &bench(&d, &["derive", "--ops", "200", "-c", "8"]),
        "derive",
        200,
    );

    // --duration: stops on time.
    let out = bench(&d, &["derive", "--duration", "1s", "-c", "4"]);
    let r = report(&out);
    assert!(out.status.success(), "{r}");
    let secs = f(&r, &["duration_s"]);
    assert!((1.0..5.0).contains(&secs), "{r}");
    assert!(r["ops"].as_u64().unwrap() > 0, "{r}");

    // Only the first app identity.
    let r = report(&bench(&d, &["put", "--ops", "10", "--apps", "1"]));
    assert_eq!(r["apps"].as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(r["app_ids"], serde_json::json!([1000]), "{r}");
    // Asking for more identities than the devnet has is a usage error.
    let out = bench(&d, &["put", "--ops", "10", "--apps", "3"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The node goes down: every operation fails, the report says why, exit 3.
    d.signal_node(0, libc::SIGKILL);
    let out = bench(&d, &["put", "--ops", "30", "-c", "4"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(3), "{r}");
    assert_eq!(r["ops"].as_u64(), Some(0), "{r}");
    assert_eq!(r["errors"].as_u64(), Some(30), "{r}");
    assert_eq!(r["errors_by_kind"]["connect"].as_u64(), Some(30), "{r}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("30 of 30 operations failed"),
        "stderr: {stderr}"
    );
}

/// `--nodes all` on a 3-node devnet: a per-node row for every node adding up to the cluster
/// figures, write-to-visible samples on every other node without timeouts; `--nodes 1`: the
/// load on one node, visibility measured on the two others; `--fresh-apps`: one new registered
/// identity per operation, all accepted.
#[test]
fn bench_a_cluster_per_node_with_visibility_and_fresh_apps() {
    let d = common::Devnet::up_with(3, &["--apps", "2"]);
    let urls: Vec<String> = d.info.nodes.iter().map(|n| n.url.clone()).collect();

    let out = bench(
        &d,
        &[
            "put",
            "--nodes",
            "all",
            "--duration",
            "2s",
            "-c",
            "6",
            "--visibility-every",
            "50ms",
        ],
    );
    let r = report(&out);
    assert!(out.status.success(), "{r}");
    assert_eq!(r["nodes"], serde_json::json!(urls), "{r}");
    let rows = r["per_node"].as_array().expect("per_node");
    let row_nodes: Vec<&str> = rows.iter().map(|n| n["node"].as_str().unwrap()).collect();
    assert_eq!(row_nodes, urls, "{r}");
    let sum = |field: &str| -> u64 { rows.iter().map(|n| n[field].as_u64().unwrap()).sum() };
    assert_eq!(sum("ops"), r["ops"].as_u64().unwrap(), "{r}");
    assert_eq!(sum("errors"), 0, "{r}");
    for n in rows {
        assert!(n["ops"].as_u64().unwrap() > 0, "every node took load: {r}");
    }
    let rate_sum: f64 = rows.iter().map(|n| f(n, &["ops_per_sec"])).sum();
    assert!((rate_sum - f(&r, &["ops_per_sec"])).abs() < 0.01, "{r}");
    let v = &r["visibility"];
    assert!(v["probe_puts"].as_u64().unwrap() > 0, "{r}");
    let vis = v["per_node"].as_array().expect("visibility.per_node");
    assert_eq!(vis.len(), 3, "writes rotate, so every node is read: {r}");
    for n in vis {
        assert!(n["samples"].as_u64().unwrap() > 0, "{r}");
        assert_eq!(n["timeouts"].as_u64(), Some(0), "{r}");
        let (p50, p99) = (f(n, &["delay_ms", "p50"]), f(n, &["delay_ms", "p99"]));
        assert!(0.0 < p50 && p50 <= p99 && p99 < 10_000.0, "{r}");
    }

    // The load on the first node only; the two others are only read by the probe.
    let r = report(&bench(
        &d,
        &["put", "--nodes", "1", "--ops", "60", "-c", "4"],
    ));
    assert_eq!(r["nodes"], serde_json::json!([urls[0]]), "{r}");
    assert_eq!(r["per_node"].as_array().map(Vec::len), Some(1), "{r}");
    let read: Vec<&str> = r["visibility"]["per_node"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["node"].as_str().unwrap())
        .collect();
    assert_eq!(read, [urls[1].as_str(), urls[2].as_str()], "{r}");
    // More nodes than known is a usage error.
    let out = bench(&d, &["put", "--nodes", "4", "--ops", "10"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // --fresh-apps: 40 operations, 40 identities never seen before, all accepted.
    let out = bench(
        &d,
        &[
            "put",
            "--fresh-apps",
            "--ops",
            "40",
            "-c",
            "4",
            "--no-visibility",
        ],
    );
    let r = report(&out);
    assert!(out.status.success(), "{r}");
    assert_eq!(r["ops"].as_u64(), Some(40), "{r}");
    assert_eq!(r["errors"].as_u64(), Some(0), "{r}");
    assert_eq!(r["fresh_apps"]["registered"].as_u64(), Some(40), "{r}");
    assert_eq!(r["fresh_apps"]["distinct_used"].as_u64(), Some(40), "{r}");
    assert_eq!(r["fresh_apps"]["app_id"].as_u64(), Some(1000), "{r}");
    assert!(r["visibility"].is_null(), "{r}");
    // Without --ops there is no pool size: refused before anything is registered.
    let out = bench(&d, &["put", "--fresh-apps", "--duration", "1s"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
