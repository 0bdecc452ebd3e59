//! PoP nonces (protocol.md §2.1) and the `/nonce` rate limiter (§1.8), with the
//! hardening of security-checklist.md "Authentication and replay":
//!
//! - nonces are 16 random bytes (b64), single use, valid `pop_timeout_seconds`;
//! - the store is bounded globally (`max_nonces`) *and* per client address, so a
//!   flood from one address evicts that address's own oldest nonces first and
//!   cannot push out nonces already handed to well-behaved clients;
//! - rate-limit buckets are keyed by the socket address (never
//!   `X-Forwarded-For`) and live in a bounded LRU.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::Mutex;

use base64::Engine;
use lru::LruCache;
use rand::RngCore;

/// Outcome of [`NonceStore::consume`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceCheck {
    /// The nonce was issued, is unexpired and has now been removed.
    Valid,
    /// Unknown, already used, or expired.
    Invalid,
}

struct Inner {
    /// nonce → (expiry Unix seconds, issuing client)
    live: HashMap<String, (u64, IpAddr)>,
    /// issue order, for global eviction (may hold stale entries; skipped lazily)
    order: VecDeque<String>,
    /// per-client issue order
    per_client: HashMap<IpAddr, VecDeque<String>>,
}

/// Bounded single-use nonce store.
pub struct NonceStore {
    inner: Mutex<Inner>,
    capacity: usize,
    per_client_capacity: usize,
    ttl_secs: u64,
}

impl NonceStore {
    /// A store holding at most `capacity` nonces, at most
    /// `max(16, capacity / 16)` per client address, each valid `ttl_secs` seconds.
    pub fn new(capacity: usize, ttl_secs: u64) -> Self {
        let capacity = capacity.max(1);
        NonceStore {
            inner: Mutex::new(Inner {
                live: HashMap::new(),
                order: VecDeque::new(),
                per_client: HashMap::new(),
            }),
            capacity,
            per_client_capacity: (capacity / 16).max(16).min(capacity),
            ttl_secs,
        }
    }

    /// Issue a fresh nonce (b64 of 16 CSPRNG bytes, 24 characters) for `client`
    /// at Unix time `now_secs`.
    pub fn issue(&self, client: IpAddr, now_secs: u64) -> String {
        let mut raw = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let nonce = base64::engine::general_purpose::STANDARD.encode(raw);
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        // The client's own oldest nonces go first when it exceeds its share.
        let own = g.per_client.entry(client).or_default();
        own.push_back(nonce.clone());
        let mut evict = Vec::new();
        while own.len() > self.per_client_capacity {
            if let Some(old) = own.pop_front() {
                evict.push(old);
            }
        }
        for old in evict {
            g.live.remove(&old);
        }
        g.live
            .insert(nonce.clone(), (now_secs + self.ttl_secs, client));
        g.order.push_back(nonce.clone());
        // Global bound: drop expired first, then the oldest.
        while g.live.len() > self.capacity {
            let Some(old) = g.order.pop_front() else {
                break;
            };
            if let Some((_, c)) = g.live.remove(&old) {
                if let Some(q) = g.per_client.get_mut(&c) {
                    q.retain(|n| n != &old);
                    if q.is_empty() {
                        g.per_client.remove(&c);
                    }
                }
            }
        }
        // Keep the order queue from growing without bound with stale entries.
        if g.order.len() > self.capacity * 2 {
            let Inner { live, order, .. } = &mut *g;
            order.retain(|n| live.contains_key(n));
        }
        nonce
    }

    /// True if `nonce` is currently issued and unexpired (does not consume it).
    pub fn peek(&self, nonce: &str, now_secs: u64) -> bool {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        matches!(g.live.get(nonce), Some((exp, _)) if *exp >= now_secs)
    }

    /// Remove `nonce`; valid iff it was present and `expiry >= now_secs` (§2.1).
    pub fn consume(&self, nonce: &str, now_secs: u64) -> NonceCheck {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match g.live.remove(nonce) {
            Some((exp, client)) => {
                if let Some(q) = g.per_client.get_mut(&client) {
                    q.retain(|n| n != nonce);
                    if q.is_empty() {
                        g.per_client.remove(&client);
                    }
                }
                if exp >= now_secs {
                    NonceCheck::Valid
                } else {
                    NonceCheck::Invalid
                }
            }
            None => NonceCheck::Invalid,
        }
    }

    /// Number of nonces currently held (bounded by the capacity).
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .live
            .len()
    }

    /// True when no nonce is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Token-bucket rate limiter keyed by client IP (§1.8), bounded LRU of buckets.
pub struct RateLimiter {
    per_minute: u64,
    buckets: Mutex<LruCache<IpAddr, (f64, u64)>>,
}

impl RateLimiter {
    /// `per_minute` requests per minute per address (bucket capacity = rate);
    /// 0 disables the limit. At most `max_clients` buckets are kept.
    pub fn new(per_minute: u64, max_clients: usize) -> Self {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(LruCache::new(
                NonZeroUsize::new(max_clients.max(1)).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// Take one token for `client` at `now_ms`; false when over the limit.
    pub fn allow(&self, client: IpAddr, now_ms: u64) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        let cap = self.per_minute as f64;
        let rate_per_ms = cap / 60_000.0;
        let mut g = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, last) = g.get(&client).copied().unwrap_or((cap, now_ms));
        let refilled = (tokens + (now_ms.saturating_sub(last)) as f64 * rate_per_ms).min(cap);
        if refilled >= 1.0 {
            g.put(client, (refilled - 1.0, now_ms));
            true
        } else {
            g.put(client, (refilled, now_ms));
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn nonce_is_single_use_and_expires() {
        let s = NonceStore::new(100, 120);
        let n = s.issue(ip(1), 1000);
        assert_eq!(n.len(), 24);
        assert!(s.peek(&n, 1000));
        assert_eq!(s.consume(&n, 1000), NonceCheck::Valid);
        assert_eq!(s.consume(&n, 1000), NonceCheck::Invalid);
        let m = s.issue(ip(1), 1000);
        assert_eq!(s.consume(&m, 1121), NonceCheck::Invalid);
        assert_eq!(s.consume("never-issued", 1000), NonceCheck::Invalid);
    }

    #[test]
    fn flood_from_one_client_does_not_evict_others() {
        let s = NonceStore::new(256, 120);
        let good = s.issue(ip(1), 0);
        for _ in 0..10_000 {
            s.issue(ip(2), 0);
        }
        assert!(s.len() <= 256);
        assert_eq!(s.consume(&good, 0), NonceCheck::Valid);
    }

    #[test]
    fn global_bound_holds_with_many_clients() {
        let s = NonceStore::new(64, 120);
        for i in 0..1000u32 {
            s.issue(IpAddr::from(i.to_be_bytes()), 0);
        }
        assert!(s.len() <= 64);
    }

    #[test]
    fn rate_limiter_refills() {
        let r = RateLimiter::new(30, 10);
        let mut ok = 0;
        for _ in 0..40 {
            if r.allow(ip(1), 0) {
                ok += 1;
            }
        }
        assert_eq!(ok, 30);
        assert!(!r.allow(ip(1), 1000));
        assert!(r.allow(ip(1), 2000)); // 2 s refill = 1 token
        assert!(r.allow(ip(2), 0));
        assert!(RateLimiter::new(0, 1).allow(ip(3), 0));
    }
}
