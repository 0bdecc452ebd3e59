//! PeerCache (protocol.md §6.1, §7.4, §7.5; seed 001_7ac885f61b8672b1.txt):
//! the KMS members as last read from NovaAppRegistry, self included, with
//! `/status` probe results and a blacklist of peers that sent a wrong master
//! secret.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::chain::types::InstanceInfo;

/// Result of probing a peer's `GET /status` (§7.5).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ProbeResult {
    /// 2xx answer.
    pub reachable: bool,
    /// HTTP status, `None` on transport error.
    pub http_code: Option<u16>,
    /// Round trip, ms.
    pub probe_ms: u64,
    /// Unix ms when the probe started.
    pub checked_at_ms: u64,
}

/// One KMS member.
#[derive(Debug, Clone)]
pub struct PeerInfo {
    /// On-chain instance.
    pub instance: InstanceInfo,
    /// Base URL (`instanceUrl` without trailing `/`).
    pub url: String,
    /// Canonical TEE wallet.
    pub wallet: String,
    /// DER SPKI teePubkey bytes (§3.4).
    pub tee_pubkey: Vec<u8>,
    /// Last `/status` probe, if any.
    pub probe: Option<ProbeResult>,
}

impl crate::client::peer::SyncPeer for PeerInfo {
    fn url(&self) -> &str {
        &self.url
    }
    fn wallet(&self) -> &str {
        &self.wallet
    }
    fn tee_pubkey(&self) -> &[u8] {
        &self.tee_pubkey
    }
}

impl PeerInfo {
    /// Build from a registry instance.
    pub fn from_instance(instance: InstanceInfo) -> Self {
        PeerInfo {
            url: instance.instance_url.trim_end_matches('/').to_string(),
            wallet: instance.tee_wallet.clone(),
            tee_pubkey: instance.tee_pubkey.clone(),
            probe: None,
            instance,
        }
    }

    /// **Test fixture**: a member as the registry would list it (instance id 1, version 1,
    /// operator = `wallet`, registered at 0), for tests that fill a PeerCache by hand. Not
    /// used by the node.
    #[doc(hidden)]
    pub fn for_test(
        wallet: &str,
        tee_pubkey: Vec<u8>,
        url: &str,
        status: u8,
        zk_verified: bool,
        app_id: u64,
    ) -> Self {
        PeerInfo::from_instance(InstanceInfo {
            id: 1,
            app_id,
            version_id: 1,
            operator: wallet.to_string(),
            instance_url: url.to_string(),
            tee_pubkey,
            tee_wallet: wallet.to_string(),
            zk_verified,
            status,
            registered_at: 0,
        })
    }
}

#[derive(Default)]
struct Inner {
    members: Vec<PeerInfo>,
    refreshed_at_ms: u64,
    /// wallet → blacklisted until (Unix ms)
    blacklist: HashMap<String, u64>,
}

/// Thread-safe PeerCache.
#[derive(Default)]
pub struct PeerCache {
    inner: RwLock<Inner>,
}

impl PeerCache {
    /// Empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replace the membership (after a registry refresh at `now_ms`).
    pub fn replace(&self, members: Vec<PeerInfo>, now_ms: u64) {
        let mut g = self.inner.write().unwrap_or_else(|p| p.into_inner());
        g.members = members;
        g.refreshed_at_ms = now_ms;
        g.blacklist.retain(|_, until| *until > now_ms);
    }

    /// Every member (self included), blacklisted ones too.
    pub fn all(&self) -> Vec<PeerInfo> {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .members
            .clone()
    }

    /// True when no member is cached.
    pub fn is_empty(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .members
            .is_empty()
    }

    /// Members usable at `now_ms`: not blacklisted.
    pub fn active(&self, now_ms: u64) -> Vec<PeerInfo> {
        let g = self.inner.read().unwrap_or_else(|p| p.into_inner());
        g.members
            .iter()
            .filter(|p| !matches!(g.blacklist.get(&p.wallet), Some(until) if *until > now_ms))
            .cloned()
            .collect()
    }

    /// Usable members other than `self_wallet`.
    pub fn others(&self, self_wallet: &str, now_ms: u64) -> Vec<PeerInfo> {
        self.active(now_ms)
            .into_iter()
            .filter(|p| p.wallet != self_wallet)
            .collect()
    }

    /// The usable member with canonical `wallet`, if any.
    pub fn get(&self, wallet: &str, now_ms: u64) -> Option<PeerInfo> {
        self.active(now_ms).into_iter().find(|p| p.wallet == wallet)
    }

    /// Blacklist `wallet` until `until_ms` (§7.4; used when a peer sends a
    /// master secret whose hash does not match the chain).
    pub fn blacklist(&self, wallet: &str, until_ms: u64) {
        let mut g = self.inner.write().unwrap_or_else(|p| p.into_inner());
        g.blacklist.insert(wallet.to_string(), until_ms);
    }

    /// True while `wallet` is blacklisted.
    pub fn is_blacklisted(&self, wallet: &str, now_ms: u64) -> bool {
        let g = self.inner.read().unwrap_or_else(|p| p.into_inner());
        matches!(g.blacklist.get(wallet), Some(until) if *until > now_ms)
    }

    /// Unix ms of the last successful refresh (0 = never).
    pub fn refreshed_at_ms(&self) -> u64 {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .refreshed_at_ms
    }

    /// Store probe results by wallet.
    pub fn set_probes(&self, probes: &HashMap<String, ProbeResult>) {
        let mut g = self.inner.write().unwrap_or_else(|p| p.into_inner());
        for m in g.members.iter_mut() {
            if let Some(p) = probes.get(&m.wallet) {
                m.probe = Some(p.clone());
            }
        }
    }
}

/// Probe every peer's `GET <url>/status` in parallel (protocol.md §7.5,
/// seed 001), each bounded by `timeout`; no redirects are followed.
///
/// Returns, per canonical peer wallet: `reachable` (2xx), `http_code`
/// (`None` on transport error or timeout), `probe_ms` (round trip, ms) and
/// `checked_at_ms` = `now_ms` (the start of this round). Informational only
/// (`/nodes`); an unreachable peer stays a member. Never fails: if the HTTP
/// client cannot be built, every peer is reported unreachable.
pub async fn probe_all(
    peers: &[PeerInfo],
    timeout: Duration,
    now_ms: u64,
) -> HashMap<String, ProbeResult> {
    let unreachable = ProbeResult {
        reachable: false,
        http_code: None,
        probe_ms: 0,
        checked_at_ms: now_ms,
    };
    let http = match crate::tls::client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "cannot build the probe HTTP client");
            return peers
                .iter()
                .map(|p| (p.wallet.clone(), unreachable.clone()))
                .collect();
        }
    };
    let mut set = tokio::task::JoinSet::new();
    for p in peers {
        let http = http.clone();
        let url = format!("{}/status", p.url);
        let wallet = p.wallet.clone();
        set.spawn(async move {
            let started = Instant::now();
            let code = match http.get(&url).send().await {
                Ok(resp) => Some(resp.status().as_u16()),
                Err(_) => None,
            };
            let result = ProbeResult {
                reachable: matches!(code, Some(c) if (200..300).contains(&c)),
                http_code: code,
                probe_ms: started.elapsed().as_millis() as u64,
                checked_at_ms: now_ms,
            };
            (wallet, result)
        });
    }
    let mut out = HashMap::with_capacity(peers.len());
    while let Some(joined) = set.join_next().await {
        if let Ok((wallet, result)) = joined {
            out.insert(wallet, result);
        }
    }
    // A probe task that panicked (it cannot) still yields an entry.
    for p in peers {
        out.entry(p.wallet.clone())
            .or_insert_with(|| unreachable.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(w: &str) -> PeerInfo {
        PeerInfo::for_test(w, vec![1], &format!("http://{w}/"), 0, true, 49)
    }

    #[test]
    fn blacklist_hides_a_peer_until_it_expires() {
        let c = PeerCache::new();
        c.replace(vec![peer("0xa"), peer("0xb")], 0);
        assert_eq!(c.others("0xa", 0).len(), 1);
        assert_eq!(c.all()[0].url, "http://0xa");
        c.blacklist("0xb", 1000);
        assert!(c.get("0xb", 500).is_none());
        assert!(c.is_blacklisted("0xb", 999));
        assert!(c.get("0xb", 1000).is_some());
        assert_eq!(c.others("0xa", 500).len(), 0);
    }

    #[tokio::test]
    async fn probes_run_in_parallel_with_a_timeout() {
        // A listener that accepts and never answers: each probe times out.
        let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hang_addr = hang.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = hang.accept().await {
                held.push(s);
            }
        });
        // A minimal HTTP server answering 200.
        let ok = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ok_addr = ok.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut s, _)) = ok.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    let _ = s.read(&mut buf).await;
                    let _ = s
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                        )
                        .await;
                });
            }
        });
        let mk = |w: &str, addr: std::net::SocketAddr| {
            let mut p = peer(w);
            p.url = format!("http://{addr}");
            p
        };
        let peers = vec![
            mk("0xa", hang_addr),
            mk("0xb", hang_addr),
            mk("0xc", hang_addr),
            mk("0xd", ok_addr),
        ];
        let started = Instant::now();
        let r = probe_all(&peers, Duration::from_millis(500), 42).await;
        assert!(
            started.elapsed() < Duration::from_millis(1400),
            "not parallel"
        );
        assert_eq!(r.len(), 4);
        for w in ["0xa", "0xb", "0xc"] {
            assert!(!r[w].reachable);
            assert_eq!(r[w].http_code, None);
        }
        assert!(r["0xd"].reachable);
        assert_eq!(r["0xd"].http_code, Some(200));
        assert_eq!(r["0xd"].checked_at_ms, 42);
    }
}
