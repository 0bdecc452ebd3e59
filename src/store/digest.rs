//! Per-app convergence digests (issue 13, `novakms cluster check`): the one definition of what
//! "two nodes hold the same data" means, shared by every novakms node so their digests compare.
//!
//! Format v1 (all integers big-endian, SHA-256 throughout):
//!
//! * **Record leaf** = `SHA-256("novakms/digest/v1/record\0" ‖ u64(len key) ‖ key ‖
//!   u64(n) ‖ n × (u64(len node id) ‖ node id ‖ u64(counter)) ‖ u8(tombstone) ‖
//!   u64(updated_at_ms) ‖ u64(ttl_ms) ‖ SHA-256(value ciphertext))`, where the `n` clock entries
//!   are the non-zero ones in byte order of the node id (an explicit 0 equals absence,
//!   protocol.md §6.6, so it must not change the digest).
//! * **App digest** = `SHA-256("novakms/digest/v1/app\0" ‖ u64(count) ‖ leaf₁ ‖ … ‖ leafₙ)`
//!   over the app's included records sorted by key bytes (keys are unique in a namespace): the
//!   digest does not depend on the order records are fed in.
//! * **Included records**: every stored record, tombstones included, except those expired at
//!   the check's `now_ms` by the store's rule ([`Record::is_expired`], protocol.md §4.3). One
//!   `now_ms` is chosen by the node running the check and sent to every peer, so all nodes
//!   exclude the same records whatever their purge progress.
//! * An app with no included record has [`empty_digest`], so a namespace a node never had and
//!   one whose records all expired compare equal.
//!
//! Every field of a record is covered (key, vector clock, tombstone flag, origin timestamp,
//! TTL, ciphertext): any difference between replicas shows. Values never leave the node: only
//! the hash of the ciphertext enters a leaf. Tests below prove order independence, that each
//! field changes the digest, and that expired records are excluded.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::record::Record;

/// Domain prefix of a record leaf.
const LEAF_DOMAIN: &[u8] = b"novakms/digest/v1/record\0";
/// Domain prefix of an app digest.
const APP_DOMAIN: &[u8] = b"novakms/digest/v1/app\0";

/// Digest of one app's records on one node, as exchanged between nodes (`digest_request`,
/// `wire::cluster`). JSON: `{"digest": "<64 hex>", "records": n, "tombstones": m}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppDigest {
    /// Lowercase hex of the 32-byte app digest.
    pub digest: String,
    /// Included records that are not tombstones.
    pub records: u64,
    /// Included tombstones.
    pub tombstones: u64,
}

/// Per-key summary sent for `--diff` (names and versions, never values). JSON:
/// `{"key", "version": {node id: counter}, "tombstone", "updated_at_ms", "leaf": "<64 hex>"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySummary {
    /// The key.
    pub key: String,
    /// Vector clock as stored.
    pub version: BTreeMap<String, u64>,
    /// Deletion marker.
    pub tombstone: bool,
    /// Origin write time, Unix ms.
    pub updated_at_ms: u64,
    /// Lowercase hex of the record's leaf hash (equal leaves = identical records).
    pub leaf: String,
}

fn put_bytes(h: &mut Sha256, b: &[u8]) {
    h.update((b.len() as u64).to_be_bytes());
    h.update(b);
}

/// The leaf hash of one record (module docs).
pub fn record_leaf(r: &Record) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(LEAF_DOMAIN);
    put_bytes(&mut h, r.key.as_bytes());
    let entries: Vec<(&String, &u64)> = r.version.0.iter().filter(|(_, n)| **n != 0).collect();
    h.update((entries.len() as u64).to_be_bytes());
    for (id, n) in entries {
        put_bytes(&mut h, id.as_bytes());
        h.update(n.to_be_bytes());
    }
    h.update([u8::from(r.tombstone)]);
    h.update(r.updated_at_ms.to_be_bytes());
    h.update(r.ttl_ms.to_be_bytes());
    h.update(Sha256::digest(&r.value));
    h.finalize().into()
}

/// The records of `records` included at `now_ms` (not expired), each with its leaf, sorted by
/// key bytes.
fn included_leaves<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    now_ms: u64,
) -> Vec<(&'a Record, [u8; 32])> {
    let mut v: Vec<(&Record, [u8; 32])> = records
        .into_iter()
        .filter(|r| !r.is_expired(now_ms))
        .map(|r| (r, record_leaf(r)))
        .collect();
    v.sort_by(|a, b| {
        a.0.key
            .as_bytes()
            .cmp(b.0.key.as_bytes())
            .then(a.1.cmp(&b.1))
    });
    v
}

/// The app digest of `leaves` (already in key byte order), `tombstones` of them tombstones.
fn app_hash(leaves: &[[u8; 32]], tombstones: u64) -> AppDigest {
    let mut h = Sha256::new();
    h.update(APP_DOMAIN);
    h.update((leaves.len() as u64).to_be_bytes());
    for leaf in leaves {
        h.update(leaf);
    }
    AppDigest {
        digest: hex::encode(h.finalize()),
        records: leaves.len() as u64 - tombstones,
        tombstones,
    }
}

/// The per-key summary of `r`, whose leaf is `leaf`.
fn summary(r: &Record, leaf: &[u8; 32]) -> KeySummary {
    KeySummary {
        key: r.key.clone(),
        version: r.version.0.clone(),
        tombstone: r.tombstone,
        updated_at_ms: r.updated_at_ms,
        leaf: hex::encode(leaf),
    }
}

/// The digest of an app with no included record.
pub fn empty_digest() -> AppDigest {
    app_hash(&[], 0)
}

/// The digest of one app's `records` at `now_ms` (module docs), in any order.
pub fn app_digest<'a>(records: impl IntoIterator<Item = &'a Record>, now_ms: u64) -> AppDigest {
    let leaves = included_leaves(records, now_ms);
    let tombstones = leaves.iter().filter(|(r, _)| r.tombstone).count() as u64;
    let hashes: Vec<[u8; 32]> = leaves.iter().map(|(_, l)| *l).collect();
    app_hash(&hashes, tombstones)
}

/// Digests of every app of a snapshot (`Storage::snapshot`) at `now_ms`.
pub fn digests(snapshot: &BTreeMap<u64, Vec<Record>>, now_ms: u64) -> BTreeMap<u64, AppDigest> {
    snapshot
        .iter()
        .map(|(app, recs)| (*app, app_digest(recs, now_ms)))
        .collect()
}

/// Per-key summaries of one app's records included at `now_ms`, in key byte order, at most
/// `cap` of them; the flag is true when more existed (the list is then the first `cap` keys).
pub fn key_summaries<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    now_ms: u64,
    cap: usize,
) -> (Vec<KeySummary>, bool) {
    let leaves = included_leaves(records, now_ms);
    let truncated = leaves.len() > cap;
    let out = leaves
        .iter()
        .take(cap)
        .map(|(r, leaf)| summary(r, leaf))
        .collect();
    (out, truncated)
}

/// Per-key summaries of one app as [`key_summaries`] returns them: the list and whether it was
/// truncated.
pub type SummaryList = (Vec<KeySummary>, bool);

/// Digests (and per-key summaries for chosen apps) built from records fed one at a time in
/// ascending (app id, key bytes) order, as `Storage::for_each_record` visits them: the same
/// results as [`digests`] and [`key_summaries`] over a snapshot at `now_ms`, without holding
/// the records. Memory: 32 bytes per included record of the app being fed (an app digest
/// hashes its record count before its leaves), plus at most `cap` summaries per chosen app.
///
/// An app appears in [`DigestBuilder::finish`]'s digests once any of its records was fed,
/// expired ones included (its digest is then [`empty_digest`], as for a snapshot's empty
/// namespace); a chosen app with no record gets an empty, untruncated summary list.
pub struct DigestBuilder {
    now_ms: u64,
    settled_before_ms: Option<u64>,
    cap: usize,
    summaries_for: Vec<u64>,
    /// The last (app id, key) fed, for the order check.
    last: Option<(u64, String)>,
    /// The app being fed: its included leaves and tombstone count.
    leaves: Vec<[u8; 32]>,
    tombstones: u64,
    digests: BTreeMap<u64, AppDigest>,
    summaries: BTreeMap<u64, SummaryList>,
}

impl DigestBuilder {
    /// A builder for the digests at `now_ms` (records expired then are left out, module docs)
    /// and the summaries of the apps in `summaries_for`, at most `cap` keys each.
    pub fn new(now_ms: u64, summaries_for: &[u64], cap: usize) -> Self {
        DigestBuilder {
            now_ms,
            settled_before_ms: None,
            cap,
            summaries_for: summaries_for.to_vec(),
            last: None,
            leaves: Vec::new(),
            tombstones: 0,
            digests: BTreeMap::new(),
            summaries: BTreeMap::new(),
        }
    }

    /// Leave out, besides expired records, those written after `cut_ms` (`updated_at_ms >
    /// cut_ms`, Unix ms; `None` = none left out): a "settled" digest, which two replicas that
    /// agree on everything older than the cut compare equal on while recent writes are still in
    /// flight between them (anti-entropy, `node::replicator::pull`). Not part of format v1's
    /// definition of a store's digest: only digests made with the same cut compare.
    pub fn settled_before(mut self, cut_ms: Option<u64>) -> Self {
        self.settled_before_ms = cut_ms;
        self
    }

    /// Feed the next record of app `app`.
    ///
    /// Errors (nothing fed): a record not strictly after the previous one in (app id, key
    /// bytes) order, a message naming both; the digests would otherwise depend on the order.
    pub fn push(&mut self, app: u64, r: &Record) -> Result<(), String> {
        if let Some((last_app, last_key)) = &self.last {
            let after = (app, r.key.as_bytes()) > (*last_app, last_key.as_bytes());
            if !after {
                return Err(format!(
                    "records out of order for a digest: app {app} key {:?} after app {last_app} key {last_key:?}",
                    r.key
                ));
            }
            if app != *last_app {
                self.close_app(*last_app);
            }
        }
        match &mut self.last {
            Some((a, k)) => {
                *a = app;
                k.clone_from(&r.key);
            }
            None => self.last = Some((app, r.key.clone())),
        }
        if r.is_expired(self.now_ms) || self.settled_before_ms.is_some_and(|c| r.updated_at_ms > c)
        {
            return Ok(());
        }
        let leaf = record_leaf(r);
        self.leaves.push(leaf);
        self.tombstones += u64::from(r.tombstone);
        if self.summaries_for.contains(&app) {
            let (list, truncated) = self.summaries.entry(app).or_default();
            if list.len() < self.cap {
                list.push(summary(r, &leaf));
            } else {
                *truncated = true;
            }
        }
        Ok(())
    }

    fn close_app(&mut self, app: u64) {
        let d = app_hash(&self.leaves, self.tombstones);
        self.digests.insert(app, d);
        self.leaves.clear();
        self.tombstones = 0;
    }

    /// The digests of every app fed, and the summaries of every chosen app.
    pub fn finish(mut self) -> (BTreeMap<u64, AppDigest>, BTreeMap<u64, SummaryList>) {
        if let Some((app, _)) = self.last.take() {
            self.close_app(app);
        }
        for app in &self.summaries_for {
            self.summaries.entry(*app).or_default();
        }
        (self.digests, self.summaries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::VectorClock;

    const W1: &str = "0x1111111111111111111111111111111111111111";
    const W2: &str = "0x2222222222222222222222222222222222222222";

    fn rec(key: &str, n: u64) -> Record {
        Record {
            key: key.into(),
            value: vec![n as u8; 40],
            version: VectorClock::from([(W1, n)]),
            updated_at_ms: 1_730_000_000_000 + n,
            tombstone: false,
            ttl_ms: 0,
        }
    }

    fn set() -> Vec<Record> {
        let mut t = rec("c", 3);
        t.tombstone = true;
        t.value.clear();
        vec![rec("a", 1), rec("b", 2), t, rec("", 4), rec("é/ü", 5)]
    }

    #[test]
    fn order_does_not_matter() {
        let mut v = set();
        let d = app_digest(&v, 0);
        v.reverse();
        assert_eq!(app_digest(&v, 0), d);
        v.swap(0, 3);
        assert_eq!(app_digest(&v, 0), d);
        assert_eq!((d.records, d.tombstones), (4, 1));
        assert_eq!(d.digest.len(), 64);
    }

    #[test]
    fn every_field_changes_the_digest() {
        let base = set();
        let d = app_digest(&base, 0).digest;
        type Change = (&'static str, Box<dyn Fn(&mut Record)>);
        let changes: Vec<Change> = vec![
            ("key", Box::new(|r| r.key.push('x'))),
            ("value", Box::new(|r| r.value[0] ^= 1)),
            ("value length", Box::new(|r| r.value.push(0))),
            ("clock counter", Box::new(|r| r.version.increment(W1))),
            ("clock node", Box::new(|r| r.version.increment(W2))),
            ("tombstone", Box::new(|r| r.tombstone = !r.tombstone)),
            ("updated_at_ms", Box::new(|r| r.updated_at_ms += 1)),
            ("ttl_ms", Box::new(|r| r.ttl_ms = 1 << 50)),
        ];
        for (what, f) in changes {
            let mut v = base.clone();
            f(&mut v[1]);
            assert_ne!(
                app_digest(&v, 0).digest,
                d,
                "{what} did not change the digest"
            );
        }
        // a missing record, an extra record
        assert_ne!(app_digest(&base[1..], 0).digest, d);
        let mut more = base.clone();
        more.push(rec("z", 9));
        assert_ne!(app_digest(&more, 0).digest, d);
    }

    #[test]
    fn explicit_zero_clock_entries_equal_absence() {
        let a = rec("k", 1);
        let mut b = a.clone();
        b.version.0.insert(W2.into(), 0);
        assert_eq!(record_leaf(&a), record_leaf(&b));
    }

    #[test]
    fn expired_records_are_excluded_by_the_store_rule() {
        let mut exp = rec("t", 7);
        exp.ttl_ms = 1000; // expires after updated_at_ms + 1000 (strict)
        let at = exp.updated_at_ms + 1000;
        let mut with = set();
        with.push(exp);
        let without = set();
        // not yet expired at `at` (strict rule): included
        assert_ne!(
            app_digest(&with, at).digest,
            app_digest(&without, at).digest
        );
        // expired one ms later: the same digest as without it
        assert_eq!(
            app_digest(&with, at + 1).digest,
            app_digest(&without, at + 1).digest
        );
        // all expired: the empty digest
        let only = vec![with.last().unwrap().clone()];
        assert_eq!(app_digest(&only, at + 1), empty_digest());
        assert_ne!(app_digest(&only, at), empty_digest());
    }

    #[test]
    fn summaries_follow_key_order_and_cap() {
        let v = set();
        let (all, truncated) = key_summaries(&v, 0, 100);
        assert!(!truncated);
        let keys: Vec<&str> = all.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["", "a", "b", "c", "é/ü"]);
        assert!(all[3].tombstone);
        assert_eq!(all[1].leaf, hex::encode(record_leaf(&v[0])));
        let (two, truncated) = key_summaries(&v, 0, 2);
        assert!(truncated);
        assert_eq!(two, all[..2].to_vec());
        let (exact, truncated) = key_summaries(&v, 0, all.len());
        assert!(!truncated, "exactly `cap` keys: nothing left out");
        assert_eq!(exact, all);
    }

    #[test]
    fn the_builder_gives_the_snapshot_results_record_by_record() {
        let mut exp = rec("x", 8);
        exp.ttl_ms = 1;
        let mut seven = set();
        seven.push(exp.clone());
        let snap = BTreeMap::from([(3u64, vec![rec("q", 6)]), (7u64, seven), (9u64, vec![exp])]);
        let now = 1_800_000_000_000;
        let mut b = DigestBuilder::new(now, &[7, 11], 3);
        for (app, recs) in &snap {
            let mut sorted = recs.clone();
            sorted.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
            for r in &sorted {
                b.push(*app, r).unwrap();
            }
        }
        let (d, keys) = b.finish();
        assert_eq!(d, digests(&snap, now));
        assert_eq!(
            d[&9],
            empty_digest(),
            "only an expired record: present, empty"
        );
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[&7], key_summaries(&snap[&7], now, 3));
        assert!(keys[&7].1, "five included keys, cap 3: truncated");
        assert_eq!(keys[&11], (vec![], false), "a chosen app with no record");
    }

    #[test]
    fn a_settled_digest_leaves_out_recent_writes_only() {
        // set(): updated_at_ms 1_730_000_000_000 + n for n in 1..=5
        let base = 1_730_000_000_000;
        let build = |recs: &[Record], cut: Option<u64>| {
            let mut sorted = recs.to_vec();
            sorted.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
            let mut b = DigestBuilder::new(0, &[], 10).settled_before(cut);
            for r in &sorted {
                b.push(7, r).unwrap();
            }
            b.finish().0.remove(&7).unwrap()
        };
        let all = set();
        let old: Vec<Record> = all
            .iter()
            .filter(|r| r.updated_at_ms <= base + 3)
            .cloned()
            .collect();
        assert_eq!(old.len(), 3);
        // Cut at +3: the records written after it do not count, so a replica still missing
        // them compares equal; one missing an older record does not.
        assert_eq!(build(&all, Some(base + 3)), app_digest(&old, 0));
        assert_eq!(build(&old, Some(base + 3)), build(&all, Some(base + 3)));
        assert_ne!(
            build(&old[1..], Some(base + 3)),
            build(&all, Some(base + 3))
        );
        // No cut: the store's digest.
        assert_eq!(build(&all, None), app_digest(&all, 0));
    }

    #[test]
    fn the_builder_refuses_records_out_of_order() {
        let mut b = DigestBuilder::new(0, &[], 10);
        b.push(7, &rec("b", 1)).unwrap();
        assert!(b
            .push(7, &rec("a", 1))
            .unwrap_err()
            .contains("out of order"));
        assert!(b.push(7, &rec("b", 2)).is_err(), "the same key twice");
        assert!(b.push(6, &rec("z", 1)).is_err(), "an earlier app");
        b.push(8, &rec("a", 1)).unwrap();
        let (d, _) = b.finish();
        assert_eq!(d[&7], app_digest(&[rec("b", 1)], 0));
        assert_eq!(d[&8], app_digest(&[rec("a", 1)], 0));
    }

    #[test]
    fn digests_cover_every_app_of_a_snapshot() {
        let snap = BTreeMap::from([(7u64, set()), (9u64, vec![])]);
        let d = digests(&snap, 0);
        assert_eq!(d[&7], app_digest(&set(), 0));
        assert_eq!(d[&9], empty_digest());
    }
}
