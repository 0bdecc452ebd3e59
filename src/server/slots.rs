//! Connection slots: a cap on the connections the listener holds at once, with a per-address
//! share (issue 10, "a cap on open connections with a per-IP share").
//!
//! Guarantees:
//! * at most `total` slots are held at any time, and at most `per_ip` by one client address
//!   ([`client_key`]: the IPv4 address, or the /64 prefix of an IPv6 address, since one IPv6
//!   host usually holds a whole /64);
//! * a refused acquisition changes nothing and allocates nothing (the connection is closed
//!   by the caller before any byte is read);
//! * a slot is released exactly once, when its [`Slot`] is dropped, whatever ends the
//!   connection (clean close, error, timeout, panic in the connection task);
//! * the open-connection gauge always equals the slots held.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use prometheus_client::metrics::gauge::Gauge;

/// Why a connection got no slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// All `total` slots are taken (metric reason `over_capacity`).
    OverCapacity,
    /// The address already holds its `per_ip` share (metric reason `over_ip_share`).
    OverIpShare,
}

impl Refused {
    /// The metric label of this refusal.
    pub fn reason(self) -> &'static str {
        match self {
            Refused::OverCapacity => "over_capacity",
            Refused::OverIpShare => "over_ip_share",
        }
    }
}

/// The key one client's connections are counted under: the IPv4 address (IPv4-mapped IPv6
/// included), or the first 64 bits of an IPv6 address.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

struct Held {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// The slot table of one listener. Cheap to clone (shared).
#[derive(Clone)]
pub struct Slots {
    inner: Arc<Inner>,
}

struct Inner {
    max_total: usize,
    max_per_ip: usize,
    held: Mutex<Held>,
    gauge: Gauge,
}

impl Slots {
    /// A table of `max_total` slots with `max_per_ip` per client address (both raised to at
    /// least 1); `gauge` is kept equal to the slots held.
    pub fn new(max_total: usize, max_per_ip: usize, gauge: Gauge) -> Slots {
        gauge.set(0);
        Slots {
            inner: Arc::new(Inner {
                max_total: max_total.max(1),
                max_per_ip: max_per_ip.max(1),
                held: Mutex::new(Held {
                    total: 0,
                    per_ip: HashMap::new(),
                }),
                gauge,
            }),
        }
    }

    /// Take a slot for a connection from `ip`, or say why not.
    pub fn try_acquire(&self, ip: IpAddr) -> Result<Slot, Refused> {
        let key = client_key(ip);
        let mut h = self.inner.held.lock().unwrap_or_else(|p| p.into_inner());
        if h.total >= self.inner.max_total {
            return Err(Refused::OverCapacity);
        }
        let n = h.per_ip.get(&key).copied().unwrap_or(0);
        if n >= self.inner.max_per_ip {
            return Err(Refused::OverIpShare);
        }
        h.per_ip.insert(key, n + 1);
        h.total += 1;
        self.inner.gauge.set(h.total as i64);
        Ok(Slot {
            inner: self.inner.clone(),
            key,
        })
    }

    /// Slots held now.
    pub fn held(&self) -> usize {
        self.inner
            .held
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .total
    }
}

/// One held slot; released on drop.
pub struct Slot {
    inner: Arc<Inner>,
    key: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut h = self.inner.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = h.per_ip.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                h.per_ip.remove(&self.key);
            }
        }
        h.total = h.total.saturating_sub(1);
        self.inner.gauge.set(h.total as i64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn per_ip_share_then_total_cap_and_release_on_drop() {
        let gauge = Gauge::default();
        let slots = Slots::new(5, 2, gauge.clone());
        let a1 = slots.try_acquire(ip("10.0.0.1")).unwrap();
        let _a2 = slots.try_acquire(ip("10.0.0.1")).unwrap();
        assert_eq!(
            slots.try_acquire(ip("10.0.0.1")).err(),
            Some(Refused::OverIpShare)
        );
        let _b = slots.try_acquire(ip("10.0.0.2")).unwrap();
        let _c1 = slots.try_acquire(ip("10.0.0.3")).unwrap();
        let _c2 = slots.try_acquire(ip("10.0.0.3")).unwrap();
        assert_eq!(gauge.get(), 5);
        assert_eq!(
            slots.try_acquire(ip("10.0.0.4")).err(),
            Some(Refused::OverCapacity)
        );
        drop(a1);
        assert_eq!((slots.held(), gauge.get()), (4, 4));
        let _a3 = slots.try_acquire(ip("10.0.0.1")).unwrap();
        assert_eq!(gauge.get(), 5);
    }

    #[test]
    fn ipv6_hosts_of_one_64_share_and_mapped_ipv4_is_ipv4() {
        let slots = Slots::new(100, 1, Gauge::default());
        let _a = slots.try_acquire(ip("2001:db8:1:2::1")).unwrap();
        assert_eq!(
            slots.try_acquire(ip("2001:db8:1:2:ffff::9")).err(),
            Some(Refused::OverIpShare)
        );
        let _b = slots.try_acquire(ip("2001:db8:1:3::1")).unwrap();
        let _c = slots.try_acquire(ip("192.0.2.7")).unwrap();
        assert_eq!(
            slots.try_acquire(ip("::ffff:192.0.2.7")).err(),
            Some(Refused::OverIpShare)
        );
    }
}
