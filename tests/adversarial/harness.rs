//! What every adversarial case shares: the expected refusal of a forged request and its
//! check, the node under attack as a target, and small helpers (random bytes, RSS, clients
//! bound to a source address).

use std::time::Duration;

use serde_json::Value;

/// Namespace the test's KMS peer writes to over `/sync`.
pub(crate) const SYNC_APP: u64 = 4242;
/// PoP window of the devnet nodes (default `pop_timeout_seconds`).
pub(crate) const POP_TIMEOUT: u64 = 120;

/// Expected refusal: status, `code` (None for framework text bodies) and a
/// message fragment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expect {
    pub(crate) status: u16,
    pub(crate) code: Option<&'static str>,
    pub(crate) msg: &'static str,
}

pub(crate) const fn exp(status: u16, code: &'static str, msg: &'static str) -> Expect {
    Expect {
        status,
        code: Some(code),
        msg,
    }
}

pub(crate) fn check(label: &str, got: &(u16, Value), e: Expect) {
    assert_eq!(got.0, e.status, "{label}: {got:?}, expected {e:?}");
    if let Some(code) = e.code {
        assert_eq!(got.1["code"], code, "{label}: {got:?}");
        let m = got.1["message"].as_str().unwrap_or("");
        assert!(
            m.contains(e.msg),
            "{label}: message {m:?} lacks {:?}",
            e.msg
        );
    }
}

/// What the table builder needs about the node.
pub(crate) struct Target {
    pub(crate) base: String,
    pub(crate) wallet: String,
    pub(crate) tee: Vec<u8>,
}

pub(crate) fn rand_bytes(n: usize) -> Vec<u8> {
    use rand::RngCore;
    let mut v = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut v);
    v
}

/// Resident set size of `pid`, KiB (from /proc/PID/status `VmRSS`).
pub(crate) fn rss_kib(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

pub(crate) fn client_from(ip: [u8; 4]) -> reqwest::Client {
    novakms::tls::client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}
