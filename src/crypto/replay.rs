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
//! * **bounded**: at most `capacity` entries. When every entry is
//!   younger than the window a request is refused ([`Admission::Full`]) rather than a
//!   younger entry forgotten. A sealed reply is recorded even then, evicting the oldest entry
//!   (the operation it answers already happened); this is counted in
//!   [`ReplayRecord::forced_evictions`].
//!
//! Memory: an entry is a 16-byte fingerprint and a 4-byte time in a ring that grows to
//! `capacity` and is then reused oldest-first, plus a 4-byte slot number (and a control byte)
//! in a hash index of those slots: ~34 bytes per entry with the index's spare buckets, 35,920
//! KiB measured at the default 2^20 entries (`cargo bench --bench primitives -- replay`; a map
//! of fingerprint → time beside an order queue, the first layout, took 74,000 KiB; issue 12).
//! Each app request takes two entries for at least the window, so `capacity` bounds the
//! sustained request rate at `capacity / (2 × window_secs)` (~4,370/s by default).
//!
//! What it cannot give (protocol limits): a body older than the record's reach (at least the
//! window, in practice `capacity / rate`) with fresh headers is not recognised, because the
//! envelope carries no time and the PoP does not cover the body.
//!
//! Fingerprints are SHA-256 over a domain tag, a random per-record salt (so that nobody can
//! choose nonces whose fingerprints crowd one spot of the index), the kind (request/sealed),
//! the sender's DER key for requests, and the 12-byte AES nonce, truncated to 16 bytes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use hashbrown::HashTable;
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

/// One remembered envelope.
#[derive(Clone, Copy)]
struct Entry {
    fp: Fp,
    /// Seconds after `Inner::base_secs` it was recorded (0 for a time before it; saturating
    /// at `u32::MAX`, 136 years).
    at: u32,
}

struct Inner {
    /// Entries in insertion order (times non-decreasing up to clock steps): appended until
    /// `capacity`, then a ring whose oldest entry is at `head`.
    ring: Vec<Entry>,
    /// Oldest slot of the ring once it is full (0 while it grows).
    head: usize,
    /// Slot numbers of `ring`, hashed by their entry's fingerprint ([`fp_hash`]).
    index: HashTable<u32>,
    /// Unix seconds of the first entry recorded: entries keep their time relative to it.
    base_secs: Option<u64>,
}

/// Hash of a fingerprint for the index: its first 8 bytes (a SHA-256 prefix, uniform).
fn fp_hash(fp: &Fp) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&fp[..8]);
    u64::from_le_bytes(b)
}

impl Inner {
    fn contains(&self, fp: &Fp) -> bool {
        let ring = &self.ring;
        self.index
            .find(fp_hash(fp), |&slot| ring[slot as usize].fp == *fp)
            .is_some()
    }

    fn oldest(&self) -> Option<&Entry> {
        if self.index.is_empty() {
            None
        } else {
            self.ring.get(self.head)
        }
    }

    /// Forget the oldest entry (the caller then [`Inner::push`]es into its slot).
    fn forget_oldest(&mut self) {
        let head = self.head as u32;
        let Some(old) = self.ring.get(self.head) else {
            return;
        };
        if let Ok(entry) = self
            .index
            .find_entry(fp_hash(&old.fp), |&slot| slot == head)
        {
            entry.remove();
        }
    }

    /// Record `fp` at `at`: appended while the ring grows, else written over the slot at
    /// `head` (forgotten by [`Inner::forget_oldest`] just before), which then advances.
    fn push(&mut self, fp: Fp, at: u32, capacity: usize) {
        let entry = Entry { fp, at };
        let slot = if self.ring.len() < capacity {
            if self.ring.len() == self.ring.capacity() {
                // Grow by doubling, but never past `capacity` (no spare half at the end).
                let more = self.ring.len().max(64).min(capacity - self.ring.len());
                self.ring.reserve_exact(more);
            }
            self.ring.push(entry);
            self.ring.len() - 1
        } else {
            let slot = self.head;
            self.ring[slot] = entry;
            self.head = (slot + 1) % self.ring.len();
            slot
        };
        let ring = &self.ring;
        self.index.insert_unique(fp_hash(&fp), slot as u32, |&s| {
            fp_hash(&ring[s as usize].fp)
        });
    }
}

/// Bounded record of request envelopes seen and reply envelopes sealed (module doc).
pub struct ReplayRecord {
    inner: Mutex<Inner>,
    /// Random per record, hashed into every fingerprint (module doc).
    salt: [u8; 8],
    capacity: usize,
    window_secs: u64,
    forced: AtomicU64,
}

fn fingerprint(salt: &[u8; 8], kind: u8, sender_der: &[u8], aes_nonce: &[u8; 12]) -> Fp {
    let mut h = Sha256::new();
    // A short tag and salt keep a sealed nonce's input within one SHA-256 block.
    h.update(b"novakms/replay/v2");
    h.update(salt);
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
                ring: Vec::new(),
                head: 0,
                index: HashTable::new(),
                base_secs: None,
            }),
            salt: {
                use rand::RngCore;
                let mut salt = [0u8; 8];
                rand::rngs::OsRng.fill_bytes(&mut salt);
                salt
            },
            // Slot numbers are 4 bytes.
            capacity: capacity.min(u32::MAX as usize),
            window_secs,
            forced: AtomicU64::new(0),
        }
    }

    /// Record `fp` at `now_secs`, first dropping the oldest entry when full and older than
    /// the window. False (nothing changed) when the oldest is still inside the window; with
    /// `force`, the oldest goes regardless (counted when inside the window).
    fn record(&self, g: &mut Inner, fp: Fp, now_secs: u64, force: bool) -> bool {
        let base = *g.base_secs.get_or_insert(now_secs);
        if g.index.len() >= self.capacity {
            if let Some(old) = g.oldest() {
                let young = base
                    .saturating_add(u64::from(old.at))
                    .saturating_add(self.window_secs)
                    >= now_secs;
                if young && !force {
                    return false;
                }
                if young {
                    self.forced.fetch_add(1, Ordering::Relaxed);
                }
                g.forget_oldest();
            }
        }
        let at = u32::try_from(now_secs.saturating_sub(base)).unwrap_or(u32::MAX);
        g.push(fp, at, self.capacity);
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
        let req = fingerprint(&self.salt, KIND_REQUEST, sender_der, aes_nonce);
        let own = fingerprint(&self.salt, KIND_SEALED, b"", aes_nonce);
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if g.contains(&own) {
            return Admission::Reflected;
        }
        if g.contains(&req) {
            return Admission::Replayed;
        }
        if !self.record(&mut g, req, now_secs, false) {
            return Admission::Full;
        }
        Admission::Fresh
    }

    /// Record the AES nonce of an envelope the node sealed (a reply, or a request to a peer)
    /// at `now_secs`, so it is refused if it ever comes back as a request.
    pub fn note_sealed(&self, aes_nonce: &[u8; 12], now_secs: u64) {
        if self.capacity == 0 {
            return;
        }
        let own = fingerprint(&self.salt, KIND_SEALED, b"", aes_nonce);
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if g.contains(&own) {
            return;
        }
        self.record(&mut g, own, now_secs, true);
    }

    /// Entries held now (the `novakms_envelope_replay_entries` gauge).
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .index
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
        assert_eq!(r.forced_evictions(), 0);
        r.note_sealed(&n(2), T0);
        assert_eq!(r.forced_evictions(), 1);
        assert_eq!(r.len(), 1);
        assert!(!r.is_empty());
        assert_eq!(r.admit_request(A, &n(2), T0), Admission::Reflected);
        // Evicting an entry already past the window is ordinary, not forced: not counted.
        r.note_sealed(&n(3), T0 + 121);
        assert_eq!(r.forced_evictions(), 1);
        assert_eq!(r.admit_request(A, &n(3), T0 + 121), Admission::Reflected);
    }

    #[test]
    fn a_full_record_forgets_oldest_first_across_many_wraps() {
        let r = ReplayRecord::new(3, 10);
        // One entry a minute, so the oldest is always past the window; every fifth is a
        // sealed nonce (n(100 + i)) instead of a request.
        let mut t = T0;
        for i in 0..50u8 {
            t = T0 + 60 * u64::from(i);
            if i % 5 == 4 {
                r.note_sealed(&n(100 + i), t);
            } else {
                assert_eq!(r.admit_request(A, &n(i), t), Admission::Fresh, "entry {i}");
            }
            assert_eq!(r.len(), usize::from(i + 1).min(3));
        }
        assert_eq!(r.forced_evictions(), 0);
        // The last three (47, 48, sealed 149) are remembered; newest first so that no probe
        // evicts one still to be checked.
        assert_eq!(r.admit_request(B, &n(149), t), Admission::Reflected);
        assert_eq!(r.admit_request(A, &n(48), t), Admission::Replayed);
        assert_eq!(r.admit_request(A, &n(47), t), Admission::Replayed);
        // Anything older was forgotten: it is fresh again (and takes 47's slot).
        assert_eq!(r.admit_request(A, &n(46), t + 60), Admission::Fresh);
        assert_eq!(r.admit_request(B, &n(144), t + 60), Admission::Fresh);
        assert_eq!(r.len(), 3);
        assert_eq!(r.admit_request(A, &n(47), t + 60), Admission::Fresh);
    }

    #[test]
    fn the_window_holds_for_times_past_u32_seconds() {
        // Entries keep their time relative to the first one, so Unix times past 2106 (or a
        // test clock far ahead) still count the window.
        let t = u64::from(u32::MAX) + 1_000;
        let r = ReplayRecord::new(1, 120);
        assert_eq!(r.admit_request(A, &n(1), t), Admission::Fresh);
        assert_eq!(r.admit_request(A, &n(2), t + 119), Admission::Full);
        assert_eq!(r.admit_request(A, &n(2), t + 121), Admission::Fresh);
        // A clock stepped back before the first entry: kept (as if recorded then), not lost.
        let r = ReplayRecord::new(1, 120);
        assert_eq!(r.admit_request(A, &n(1), T0), Admission::Fresh);
        r.note_sealed(&n(3), T0 - 500);
        assert_eq!(r.forced_evictions(), 1);
        assert_eq!(r.admit_request(A, &n(4), T0 + 100), Admission::Full);
        assert_eq!(r.admit_request(B, &n(3), T0 + 100), Admission::Reflected);
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
