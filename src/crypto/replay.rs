//! The envelope replay record (issue 10 item 5; protocol.md §3.3 says v1 Odyn refuses a
//! second decrypt of a (`client_public_key`, `nonce`) pair, so upstream behind Odyn does too).
//!
//! The app PoP does not cover the body and envelopes use static keys both ways (§3.1), so
//! without a record an on-path party holding one fresh set of signed PoP headers could pair
//! them with an **old request body** (a value rolls back), or send the node's own **sealed
//! reply** back as a request body: ECDH is symmetric, so a reply sealed to app key `A` opens
//! as a request "from `A`" (a PUT reply replayed as a DELETE deleted the key).
//!
//! Guarantees, for every envelope the node opens through [`ReplayRecord::admit_request`]:
//! * **single use per sender**: a second envelope with the same sender key and the same AES
//!   nonce (the first 12 bytes of the envelope nonce, §3.3, so a legacy 32-byte nonce with a
//!   different tail or another hex case is the same envelope) is refused;
//! * **no reflection**: an envelope whose AES nonce the node itself sealed
//!   ([`ReplayRecord::note_sealed`]) is refused whatever sender key it names;
//! * entries are kept **at least `window_secs`** (the PoP window, `pop_timeout_seconds`) and
//!   then until space is needed (oldest first), so at low traffic the memory reaches back far
//!   longer than the window;
//! * **bounded**: at most `capacity` entries (16-byte fingerprints). When every entry is
//!   younger than the window a request is refused ([`Admission::Full`]) rather than a
//!   younger entry forgotten. A sealed reply is recorded even then, evicting the oldest entry
//!   (the operation it answers already happened); this is counted in
//!   [`ReplayRecord::forced_evictions`].
//!
//! What it cannot give (protocol limits): a body older than the record's reach (at least the
//! window, in practice `capacity / rate`) with fresh headers is not recognised, because the
//! envelope carries no time and the PoP does not cover the body.
//!
//! Fingerprints are SHA-256 over a domain tag, the kind (request/sealed), the sender's DER
//! key for requests, and the 12-byte AES nonce, truncated to 16 bytes.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Verdict of [`ReplayRecord::admit_request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// First use: recorded.
    Fresh,
    /// This sender already used this envelope nonce.
    Replayed,
    /// The nonce is one the node sealed itself: a reply sent back as a request.
    Reflected,
    /// The record is full of entries younger than the window: refused, nothing recorded.
    Full,
}

type Fp = [u8; 16];

struct Inner {
    /// fingerprint → Unix seconds it was recorded
    seen: HashMap<Fp, u64>,
    /// insertion order (times are non-decreasing up to clock steps)
    order: VecDeque<Fp>,
}

/// Bounded record of request envelopes seen and reply envelopes sealed (module doc).
pub struct ReplayRecord {
    inner: Mutex<Inner>,
    capacity: usize,
    window_secs: u64,
    forced: AtomicU64,
}

fn fingerprint(kind: u8, sender_der: &[u8], aes_nonce: &[u8; 12]) -> Fp {
    let mut h = Sha256::new();
    h.update(b"novakms/envelope-replay/v1");
    h.update([kind]);
    h.update((sender_der.len() as u32).to_be_bytes());
    h.update(sender_der);
    h.update(aes_nonce);
    let d = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}

const KIND_REQUEST: u8 = 1;
const KIND_SEALED: u8 = 2;

impl ReplayRecord {
    /// A record of at most `capacity` entries, each kept at least `window_secs` seconds.
    /// `capacity == 0` turns the record off: every request is [`Admission::Fresh`].
    pub fn new(capacity: usize, window_secs: u64) -> Self {
        ReplayRecord {
            inner: Mutex::new(Inner {
                seen: HashMap::new(),
                order: VecDeque::new(),
            }),
            capacity,
            window_secs,
            forced: AtomicU64::new(0),
        }
    }

    /// Make room for one entry at `now_secs`: drop the oldest while full and older than the
    /// window. True when there is room; with `force`, the oldest goes regardless.
    fn make_room(&self, g: &mut Inner, now_secs: u64, force: bool) -> bool {
        while g.seen.len() >= self.capacity {
            let Some(old) = g.order.front().copied() else {
                return true;
            };
            let at = g.seen.get(&old).copied().unwrap_or(0);
            if at + self.window_secs >= now_secs && !force {
                return false;
            }
            if at + self.window_secs >= now_secs {
                self.forced.fetch_add(1, Ordering::Relaxed);
            }
            g.order.pop_front();
            g.seen.remove(&old);
        }
        true
    }

    /// Admit a request envelope from `sender_der` (the sender's key, DER as registered on
    /// chain) with AES nonce `aes_nonce` at Unix time `now_secs`; records it when fresh.
    pub fn admit_request(
        &self,
        sender_der: &[u8],
        aes_nonce: &[u8; 12],
        now_secs: u64,
    ) -> Admission {
        if self.capacity == 0 {
            return Admission::Fresh;
        }
        let req = fingerprint(KIND_REQUEST, sender_der, aes_nonce);
        let own = fingerprint(KIND_SEALED, b"", aes_nonce);
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if g.seen.contains_key(&own) {
            return Admission::Reflected;
        }
        if g.seen.contains_key(&req) {
            return Admission::Replayed;
        }
        if !self.make_room(&mut g, now_secs, false) {
            return Admission::Full;
        }
        g.seen.insert(req, now_secs);
        g.order.push_back(req);
        Admission::Fresh
    }

    /// Record the AES nonce of an envelope the node sealed (a reply, or a request to a peer)
    /// at `now_secs`, so it is refused if it ever comes back as a request.
    pub fn note_sealed(&self, aes_nonce: &[u8; 12], now_secs: u64) {
        if self.capacity == 0 {
            return;
        }
        let own = fingerprint(KIND_SEALED, b"", aes_nonce);
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if g.seen.contains_key(&own) {
            return;
        }
        self.make_room(&mut g, now_secs, true);
        g.seen.insert(own, now_secs);
        g.order.push_back(own);
    }

    /// Entries held now (the `novakms_envelope_replay_entries` gauge).
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .seen
            .len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sealed nonces recorded by evicting an entry still inside the window (record too small
    /// for the load; each is a reply whose reflection is no longer recognised after that).
    pub fn forced_evictions(&self) -> u64 {
        self.forced.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_780_000_000;
    const A: &[u8] = b"sender-a-der";
    const B: &[u8] = b"sender-b-der";

    fn n(i: u8) -> [u8; 12] {
        [i; 12]
    }

    #[test]
    fn second_use_per_sender_is_refused_other_senders_are_independent() {
        let r = ReplayRecord::new(100, 120);
        assert_eq!(r.admit_request(A, &n(1), T0), Admission::Fresh);
        assert_eq!(r.admit_request(A, &n(1), T0 + 50), Admission::Replayed);
        assert_eq!(r.admit_request(B, &n(1), T0), Admission::Fresh);
        assert_eq!(r.admit_request(A, &n(2), T0), Admission::Fresh);
    }

    #[test]
    fn own_sealed_nonce_is_refused_from_any_sender() {
        let r = ReplayRecord::new(100, 120);
        r.note_sealed(&n(7), T0);
        assert_eq!(r.admit_request(A, &n(7), T0 + 1), Admission::Reflected);
        assert_eq!(r.admit_request(B, &n(7), T0 + 1), Admission::Reflected);
        assert_eq!(r.len(), 1, "refusals record nothing");
    }

    #[test]
    fn full_of_young_entries_refuses_old_entries_make_room() {
        let r = ReplayRecord::new(2, 120);
        assert_eq!(r.admit_request(A, &n(1), T0), Admission::Fresh);
        assert_eq!(r.admit_request(A, &n(2), T0 + 10), Admission::Fresh);
        assert_eq!(r.admit_request(A, &n(3), T0 + 20), Admission::Full);
        // Both still remembered.
        assert_eq!(r.admit_request(A, &n(1), T0 + 20), Admission::Replayed);
        // Past the window of the oldest: it makes room, the younger one stays.
        assert_eq!(r.admit_request(A, &n(3), T0 + 121), Admission::Fresh);
        assert_eq!(r.admit_request(A, &n(2), T0 + 121), Admission::Replayed);
        assert_eq!(r.admit_request(A, &n(4), T0 + 121), Admission::Full);
        // n(1) was forgotten to make room (older than the window): the record's reach.
        assert_eq!(r.admit_request(A, &n(1), T0 + 131), Admission::Fresh);
        assert_eq!(r.admit_request(A, &n(3), T0 + 131), Admission::Replayed);
    }

    #[test]
    fn entries_outlive_the_window_while_space_allows() {
        let r = ReplayRecord::new(10, 120);
        assert_eq!(r.admit_request(A, &n(1), T0), Admission::Fresh);
        r.note_sealed(&n(2), T0);
        assert_eq!(r.admit_request(A, &n(1), T0 + 86_400), Admission::Replayed);
        assert_eq!(r.admit_request(A, &n(2), T0 + 86_400), Admission::Reflected);
    }

    #[test]
    fn sealed_nonces_are_recorded_even_when_full_and_counted() {
        let r = ReplayRecord::new(1, 120);
        assert_eq!(r.admit_request(A, &n(1), T0), Admission::Fresh);
        r.note_sealed(&n(2), T0);
        assert_eq!(r.forced_evictions(), 1);
        assert_eq!(r.len(), 1);
        assert_eq!(r.admit_request(A, &n(2), T0), Admission::Reflected);
    }

    #[test]
    fn capacity_zero_is_off() {
        let r = ReplayRecord::new(0, 120);
        r.note_sealed(&n(1), T0);
        assert_eq!(r.admit_request(A, &n(1), T0), Admission::Fresh);
        assert_eq!(r.admit_request(A, &n(1), T0), Admission::Fresh);
        assert!(r.is_empty());
    }
}
