//! Plain JSON reads of a node's public endpoints (`/status`, `/nodes`, `/nonce`) and waiting
//! for a PeerCache membership change.

use std::time::{Duration, Instant};

use serde_json::Value;

/// GET `url` and parse the answer as JSON (5 s timeout; panics on failure).
pub async fn get_json(url: &str) -> Value {
    novakms::tls::client::builder()
        .build()
        .unwrap()
        .get(url)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// GET `url` with the given client (its source address and timeout) and parse the answer as
/// JSON (panics on failure).
pub async fn get_json_with(http: &reqwest::Client, url: &str) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

/// `GET <url>/status`.
pub async fn status(url: &str) -> Value {
    novakms::client::node::status(url, Duration::from_secs(5))
        .await
        .unwrap()
}

/// A fresh nonce from `GET <base>/nonce`, asked with the given client (the node's /nonce rate
/// limit is per client address).
pub async fn nonce_with(http: &reqwest::Client, base: &str) -> String {
    let v = get_json_with(http, &format!("{base}/nonce")).await;
    v["nonce"].as_str().expect("nonce").to_string()
}

/// True when a `/nodes` answer lists `wallet` as an operator.
pub fn in_nodes(nodes: &Value, wallet: &str) -> bool {
    nodes["operators"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["operator"] == wallet)
}

/// Wait (up to 30 s) until the node's PeerCache (as shown by `/nodes`) has (`want`) or lacks
/// (`!want`) `wallet`.
pub async fn wait_member(url: &str, wallet: &str, want: bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if in_nodes(&get_json(&format!("{url}/nodes")).await, wallet) == want {
            return;
        }
        assert!(Instant::now() < deadline, "{wallet} membership != {want}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Sum of the samples of metric `name` in the node's `/metrics` exposition whose labels include
/// every `key="value"` of `labels` (0 when none matches; `name` without labels matches too).
pub async fn metric_sum(base: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let http = novakms::tls::client::builder().build().unwrap();
    metric_sum_with(&http, base, name, labels).await
}

/// Anti-entropy rounds the node completed: digest checks that agreed (no pull needed) plus
/// anti-entropy pulls that succeeded (after a check that differed or could not compare).
#[allow(dead_code)]
pub async fn anti_entropy_rounds(base: &str) -> f64 {
    metric_sum(
        base,
        "novakms_anti_entropy_checks_total",
        &[("outcome", "agreed")],
    )
    .await
        + metric_sum(
            base,
            "novakms_snapshot_pulls_total",
            &[("reason", "anti_entropy"), ("result", "ok")],
        )
        .await
}

/// [`metric_sum`] fetched with `http` (e.g. a client trusting a test CA).
pub async fn metric_sum_with(
    http: &reqwest::Client,
    base: &str,
    name: &str,
    labels: &[(&str, &str)],
) -> f64 {
    metrics_text(http, base)
        .await
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix(name)?;
            let (labelset, value) = match rest.strip_prefix('{') {
                Some(r) => r.split_once("} ")?,
                None => ("", rest.strip_prefix(' ')?),
            };
            labels
                .iter()
                .all(|(k, v)| labelset.contains(&format!("{k}=\"{v}\"")))
                .then(|| value.trim().parse::<f64>().ok())?
        })
        .sum()
}

/// The node's `/metrics` exposition (Prometheus text) fetched with `http`.
pub async fn metrics_text(http: &reqwest::Client, base: &str) -> String {
    http.get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
