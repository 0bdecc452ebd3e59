//! Unauthenticated node endpoints: `/status`, `/livez`, `/readyz`.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};

/// Readiness of a node as seen over HTTP.
#[derive(Debug, Clone)]
pub struct Probe {
    /// `/livez` answered 200.
    pub live: bool,
    /// `/readyz` answered 200.
    pub ready: bool,
    /// Not-ready reason from `/readyz` (empty when ready).
    pub reason: String,
}

/// `GET <base><path>` with a client bounded by `timeout`. Errors: Local (client
/// construction), Remote (unreachable, timed out).
async fn get(base: &str, path: &str, timeout: Duration) -> Result<reqwest::Response> {
    let http = crate::tls::client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| Error::local(e.to_string()))?;
    http.get(format!("{base}{path}")).send().await.map_err(|e| {
        Error::remote(format!(
            "node {base} unreachable: {}",
            crate::client::describe(&e)
        ))
    })
}

/// GET `<base>/status` as JSON. Errors: Remote (unreachable, non-JSON).
pub async fn status(base: &str, timeout: Duration) -> Result<Value> {
    let base = base.trim_end_matches('/');
    get(base, "/status", timeout)
        .await?
        .json()
        .await
        .map_err(|e| Error::remote(format!("bad /status answer from {base}: {e}")))
}

/// Probe `/livez` and `/readyz`. Errors: Remote when the node is unreachable.
pub async fn probe(base: &str, timeout: Duration) -> Result<Probe> {
    let base = base.trim_end_matches('/');
    let live = get(base, "/livez", timeout).await?.status().is_success();
    let resp = get(base, "/readyz", timeout).await?;
    let ready = resp.status().is_success();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    let reason = body
        .get("reason")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    Ok(Probe {
        live,
        ready,
        reason,
    })
}
