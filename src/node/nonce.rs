//! PoP nonces (protocol.md §2.1) and the `/nonce` rate limiter (§1.8), hardened against nonce
//! denial (issue 10 item 4, security-checklist.md "Authentication and replay").
//!
//! **Issued nonces are stateless.** A nonce is 16 bytes, standard b64 with padding (24
//! characters), exactly the shape of §1.8/§2.1, so apps and peers that treat it as an opaque
//! string see no difference:
//!
//! | bytes | content |
//! |---|---|
//! | 0..2 | issue time, Unix seconds mod 2^16, big-endian |
//! | 2..8 | 6 random bytes (OS RNG) |
//! | 8..16 | HMAC-SHA256(node key, `novakms/pop-nonce/v1` ‖ issue time u64 BE ‖ bytes 2..8), first 8 bytes |
//!
//! The node key is 32 bytes from the OS RNG at process start and never leaves memory, so a
//! restart invalidates the nonces handed out before it (a client asks again). Issuing touches
//! no shared state: a `/nonce` flood from any number of addresses costs CPU only and cannot
//! push out a nonce already handed to someone else.
//!
//! **Validation** ([`NonceStore::peek`], [`NonceStore::consume`]): the nonce decodes to 16
//! bytes; its full issue time is the latest `t <= now` with `t mod 2^16` = bytes 0..2; the
//! MAC over that `t` verifies (constant time); `now - t <= ttl` (the old rule `expiry >= now`
//! with `expiry = issue + ttl`); and it is not in the **used-set**. Consuming inserts it.
//!
//! **The used-set** holds `(issue time, random part)` of every nonce consumed whose issue time
//! is still inside the window; entries leave as soon as `issue + ttl < now` (the time check
//! refuses them from then on), so it covers exactly the validity window and single use holds.
//! It is bounded (`max_nonces`). **When it is full a consumption is refused
//! ([`NonceCheck::Full`], 503) instead of evicting**: evicting a used nonce that is still inside
//! its window would let whoever saw those signed PoP headers replay them until the window
//! ends, turning an overload into an authentication bypass. Only authenticated and authorized
//! callers consume nonces (`node::auth`), so filling the set takes `max_nonces` authorized
//! requests within one window (default 1,048,576 per 120 s ≈ 8,700/s, above what one node
//! serves, docs/performance.md).
//!
//! Bounds and facts: window `ttl` < 2^15 s (longer settings are clamped to 32,767 s so the
//! 16-bit time never wraps inside a window); a clock stepped back by more than the nonce's
//! age makes it invalid (the client asks again); MAC forgery needs 2^64 tries on average and
//! gives nothing but skipping `/nonce` (the PoP signature still binds the nonce); two issued
//! nonces are equal only if the 6 random bytes repeat within one second (birthday bound
//! 2^24 nonces per second).
//!
//! The `/nonce` rate limiter keys buckets by client address (`node::client_addr`: the socket
//! peer, or the rightmost untrusted `X-Forwarded-For` hop behind a trusted proxy) in a bounded
//! LRU; an evicted bucket only comes back full, which is more lenient, never less.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::Mutex;

use base64::Engine;
use hmac::{Hmac, Mac};
use lru::LruCache;
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

/// Domain separation of the nonce MAC.
const MAC_DOMAIN: &[u8] = b"novakms/pop-nonce/v1";

/// Longest usable validity window, seconds: half the 16-bit time field's period.
pub const MAX_TTL_SECS: u64 = 32_767;

/// Outcome of [`NonceStore::consume`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceCheck {
    /// Issued by this process, unexpired, not used before; now recorded as used.
    Valid,
    /// Not issued by this process, expired, malformed, or already used.
    Invalid,
    /// Valid, but the used-set is full: refused (not recorded) instead of evicting.
    Full,
}

/// Key of the used-set: full issue time and the random part (the MAC is a function of both).
type UsedKey = (u32, [u8; 6]);

/// Stateless issued nonces plus the bounded used-set of the validity window.
pub struct NonceStore {
    key: Zeroizing<[u8; 32]>,
    used: Mutex<BTreeSet<UsedKey>>,
    capacity: usize,
    ttl_secs: u64,
}

impl NonceStore {
    /// A store whose nonces are valid `ttl_secs` seconds (clamped to [`MAX_TTL_SECS`]) and
    /// whose used-set holds at most `capacity` (at least 1) consumed nonces. The MAC key comes
    /// from the OS RNG.
    pub fn new(capacity: usize, ttl_secs: u64) -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(&mut key[..]);
        NonceStore {
            key,
            used: Mutex::new(BTreeSet::new()),
            capacity: capacity.max(1),
            ttl_secs: ttl_secs.min(MAX_TTL_SECS),
        }
    }

    fn tag(&self, issued: u64, random: &[u8]) -> [u8; 8] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key[..])
            .expect("HMAC accepts any key length");
        mac.update(MAC_DOMAIN);
        mac.update(&issued.to_be_bytes());
        mac.update(random);
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 8];
        out.copy_from_slice(&full[..8]);
        out
    }

    /// Issue a nonce at Unix time `now_secs`: 24 characters of standard padded b64 (16
    /// bytes, layout in the module doc). Touches no shared state.
    pub fn issue(&self, now_secs: u64) -> String {
        let mut raw = [0u8; 16];
        raw[..2].copy_from_slice(&((now_secs & 0xffff) as u16).to_be_bytes());
        rand::rngs::OsRng.fill_bytes(&mut raw[2..8]);
        let tag = self.tag(now_secs, &raw[2..8]);
        raw[8..].copy_from_slice(&tag);
        base64::engine::general_purpose::STANDARD.encode(raw)
    }

    /// The used-set key of `nonce` if it is a nonce this process issued and still inside its
    /// window at `now_secs` (MAC and time checked; the used-set is not).
    fn check(&self, nonce: &str, now_secs: u64) -> Option<UsedKey> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(nonce)
            .ok()?;
        let raw: [u8; 16] = raw.try_into().ok()?;
        let low = u16::from_be_bytes([raw[0], raw[1]]) as u64;
        let age = (now_secs.wrapping_sub(low)) & 0xffff;
        if age > self.ttl_secs || age > now_secs {
            return None;
        }
        let issued = now_secs - age;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key[..])
            .expect("HMAC accepts any key length");
        mac.update(MAC_DOMAIN);
        mac.update(&issued.to_be_bytes());
        mac.update(&raw[2..8]);
        mac.verify_truncated_left(&raw[8..]).ok()?;
        let mut random = [0u8; 6];
        random.copy_from_slice(&raw[2..8]);
        Some((u32::try_from(issued).ok()?, random))
    }

    /// When this process issued `nonce` (Unix seconds), if it is one of ours still inside its
    /// window at `now_secs` (used or not). Bounds a request's write deadline on the node's own
    /// clock (`node::kv::write_deadline`).
    pub fn issued_at(&self, nonce: &str, now_secs: u64) -> Option<u64> {
        self.check(nonce, now_secs)
            .map(|(issued, _)| u64::from(issued))
    }

    /// Drop used-set entries whose issue time left the window (`issue + ttl < now`).
    fn prune(&self, used: &mut BTreeSet<UsedKey>, now_secs: u64) {
        while let Some(first) = used.first() {
            if first.0 as u64 + self.ttl_secs < now_secs {
                used.pop_first();
            } else {
                break;
            }
        }
    }

    /// True if `nonce` is currently valid: issued by this process, inside its window, not
    /// used. Does not consume it.
    pub fn peek(&self, nonce: &str, now_secs: u64) -> bool {
        let Some(k) = self.check(nonce, now_secs) else {
            return false;
        };
        !self
            .used
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&k)
    }

    /// Use `nonce` once (§2.1): [`NonceCheck::Valid`] iff it is valid and was not used,
    /// and it is now recorded as used; [`NonceCheck::Full`] when it is valid but the used-set
    /// is full (nothing recorded; see the module doc for why this refuses rather than evicts).
    pub fn consume(&self, nonce: &str, now_secs: u64) -> NonceCheck {
        let Some(k) = self.check(nonce, now_secs) else {
            return NonceCheck::Invalid;
        };
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        self.prune(&mut used, now_secs);
        if used.contains(&k) {
            return NonceCheck::Invalid;
        }
        if used.len() >= self.capacity {
            return NonceCheck::Full;
        }
        used.insert(k);
        NonceCheck::Valid
    }

    /// Number of used nonces still inside their window at `now_secs` (the
    /// `novakms_nonces_held` gauge); prunes the expired ones.
    pub fn held(&self, now_secs: u64) -> usize {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        self.prune(&mut used, now_secs);
        used.len()
    }

    /// Capacity of the used-set (`max_nonces`).
    pub fn capacity(&self) -> usize {
        self.capacity
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

    const T0: u64 = 1_780_000_000;

    #[test]
    fn nonce_has_the_protocol_shape_is_single_use_and_expires() {
        let s = NonceStore::new(100, 120);
        let n = s.issue(T0);
        assert_eq!(n.len(), 24);
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(&n)
                .unwrap()
                .len(),
            16
        );
        assert!(s.peek(&n, T0));
        assert_eq!(s.consume(&n, T0 + 5), NonceCheck::Valid);
        assert!(!s.peek(&n, T0 + 5));
        assert_eq!(s.consume(&n, T0 + 5), NonceCheck::Invalid);
        let m = s.issue(T0);
        assert_eq!(s.consume(&m, T0 + 120), NonceCheck::Valid, "expiry >= now");
        let m = s.issue(T0);
        assert_eq!(s.consume(&m, T0 + 121), NonceCheck::Invalid);
        assert_eq!(s.consume("never-issued", T0), NonceCheck::Invalid);
        assert_eq!(
            s.consume("AAAAAAAAAAAAAAAAAAAAAA==", T0),
            NonceCheck::Invalid
        );
    }

    #[test]
    fn forged_or_foreign_nonces_are_refused() {
        let s = NonceStore::new(100, 120);
        let other = NonceStore::new(100, 120);
        // Another process (another key) issued it.
        assert_eq!(s.consume(&other.issue(T0), T0), NonceCheck::Invalid);
        // Any flipped bit breaks it, including the time field (a client cannot extend it).
        let raw = base64::engine::general_purpose::STANDARD
            .decode(s.issue(T0))
            .unwrap();
        for bit in 0..128 {
            let mut r = raw.clone();
            r[bit / 8] ^= 1 << (bit % 8);
            let n = base64::engine::general_purpose::STANDARD.encode(&r);
            assert_eq!(s.consume(&n, T0), NonceCheck::Invalid, "bit {bit}");
        }
        // Issued "in the future" of a clock that stepped back: invalid, not a wrap-around.
        assert!(!s.peek(&s.issue(T0 + 10), T0));
    }

    #[test]
    fn issuing_holds_no_state_so_a_flood_evicts_nothing() {
        let s = NonceStore::new(256, 120);
        let good = s.issue(T0);
        for i in 0..100_000 {
            s.issue(T0 + i % 60);
        }
        assert_eq!(s.held(T0), 0);
        assert_eq!(s.consume(&good, T0 + 60), NonceCheck::Valid);
    }

    #[test]
    fn full_used_set_refuses_instead_of_evicting_then_frees_with_time() {
        let s = NonceStore::new(3, 120);
        let used: Vec<String> = (0..3).map(|_| s.issue(T0)).collect();
        for n in &used {
            assert_eq!(s.consume(n, T0), NonceCheck::Valid);
        }
        let late = s.issue(T0 + 10);
        assert_eq!(s.consume(&late, T0 + 10), NonceCheck::Full);
        // Nothing was evicted: every used nonce is still refused.
        for n in &used {
            assert_eq!(s.consume(n, T0 + 10), NonceCheck::Invalid);
        }
        assert_eq!(s.held(T0 + 10), 3);
        // Once their window ends they leave the set, and the late nonce (still valid) goes in.
        assert_eq!(s.consume(&late, T0 + 121), NonceCheck::Valid);
        assert_eq!(s.held(T0 + 121), 1);
    }

    #[test]
    fn the_16_bit_time_survives_its_wrap() {
        let s = NonceStore::new(10, 120);
        let t = (T0 | 0xffff) - 5; // 5 s before the low 16 bits wrap
        let n = s.issue(t);
        assert_eq!(s.consume(&n, t + 20), NonceCheck::Valid);
        assert_eq!(NonceStore::new(1, 1 << 20).ttl_secs, MAX_TTL_SECS);
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
