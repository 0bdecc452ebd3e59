//! Time in the tests: the tokio runtime they block on, polling until a condition holds (async
//! and blocking), waiting for a node's readiness, env knobs and the wall clock.

use std::future::Future;
use std::time::{Duration, Instant};

use novakms::clock::Clock;

/// The runtime every devnet test blocks on (2 workers: the machines running the suite are
/// small).
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Poll `f` (every 50 ms) until it returns true; returns the time taken. Panics naming
/// `what` once `timeout` has passed.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if f().await {
            return start.elapsed();
        }
        assert!(start.elapsed() < timeout, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// [`eventually`] for a synchronous check inside async code (in-process state, no I/O),
/// polled every 25 ms.
pub async fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    start.elapsed()
}

/// [`eventually`] outside a runtime: polls `f` every 100 ms on this thread.
pub fn eventually_blocking(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Wait until `<url>/readyz` answers 200.
pub fn wait_ready(url: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    loop {
        let ok = rt.block_on(async {
            novakms::client::node::probe(url, Duration::from_secs(2))
                .await
                .map(|p| p.ready)
                .unwrap_or(false)
        });
        if ok {
            return;
        }
        assert!(Instant::now() < deadline, "{url} not ready in time");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Poll `<url>/readyz` until it answers 200; `Ok(time taken)`, or `Err` with the last
/// not-ready reason / transport error once `timeout` has passed (no panic, so callers can
/// report it with their own context).
pub async fn wait_ready_async(url: &str, timeout: Duration) -> Result<Duration, String> {
    let start = Instant::now();
    loop {
        let last = match novakms::client::node::probe(url, Duration::from_secs(2)).await {
            Ok(p) if p.ready => return Ok(start.elapsed()),
            Ok(p) => format!("not ready: {}", p.reason),
            Err(e) => e.to_string(),
        };
        if start.elapsed() >= timeout {
            return Err(format!("{url} not ready after {timeout:?}: {last}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The number in env var `name`, or `default` when unset or not a number.
pub fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The seed in env var `name`, or a fresh one from the clock (print it, so a failure can be
/// replayed).
pub fn env_seed(name: &str) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}

/// Wall clock, Unix seconds.
pub fn now_s() -> u64 {
    Clock::system().now_secs()
}

/// Wall clock, Unix milliseconds.
pub fn now_ms() -> u64 {
    Clock::system().now_ms()
}
