//! Behaviour suite written once against `&dyn Storage` and run for every backend
//! (`memory_backend::*`, `redb_backend::*`).
//!
//! The cases live in one file per area (`writes`, `merge`, `changelog`, `meta`); the one
//! `suite!` list below runs every case on every backend, so no case can exist for one backend
//! and not the other.

use std::collections::BTreeMap;

use tempfile::TempDir;

use super::*;

mod changelog;
mod merge;
mod meta;
mod pages;
mod writes;

use crate::store::{Limits, QuotaPolicy, Record, VectorClock};
use changelog::*;
use merge::*;
use meta::*;
use pages::*;
use writes::*;

const N1: &str = "0x1111111111111111111111111111111111111111";
const N2: &str = "0x2222222222222222222222222222222222222222";
const APP: u64 = 49;
const OTHER_APP: u64 = 50;

type Made = (Box<dyn Storage>, Option<TempDir>);

fn make_memory() -> Made {
    (Box::new(MemoryStorage::new()), None)
}

fn make_redb() -> Made {
    let dir = tempfile::tempdir().unwrap();
    let s = RedbStorage::open(&dir.path().join("data")).unwrap();
    (Box::new(s), Some(dir))
}

fn lim() -> Limits {
    Limits::default()
}

fn budget(bytes: u64, policy: QuotaPolicy) -> Limits {
    Limits {
        max_app_storage_bytes: bytes,
        quota_policy: policy,
        ..Limits::default()
    }
}

/// A fake ciphertext of `cost - key.len()` bytes, so the record costs exactly `cost`.
fn val(key: &str, cost: usize, fill: u8) -> Vec<u8> {
    vec![fill; cost - key.len()]
}

fn put(s: &dyn Storage, app: u64, key: &str, cost: usize, now: u64, l: &Limits) -> PutOutcome {
    s.put_local(app, key, val(key, cost, 7), 0, N1, now, l)
        .unwrap()
}

fn rec(key: &str, value: &[u8], clock: VectorClock, ts: u64) -> Record {
    Record {
        key: key.into(),
        value: value.to_vec(),
        version: clock,
        updated_at_ms: ts,
        tombstone: false,
        ttl_ms: 0,
    }
}

/// Full observable state, to assert "nothing changed".
fn state(s: &dyn Storage) -> (BTreeMap<u64, Vec<Record>>, u64, AppUsage, AppUsage) {
    (
        s.snapshot(0).unwrap(),
        s.last_seq().unwrap(),
        s.app_usage(APP).unwrap(),
        s.app_usage(OTHER_APP).unwrap(),
    )
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod memory_backend {
            $(
                #[test]
                fn $case() {
                    let (s, _dir) = super::make_memory();
                    super::$case(&*s);
                }
            )*
        }
        mod redb_backend {
            $(
                #[test]
                fn $case() {
                    let (s, _dir) = super::make_redb();
                    super::$case(&*s);
                }
            )*
        }
    };
}

suite!(
    put_get_and_clock_increments,
    put_continues_clock_of_tombstone_and_expired,
    delete_writes_tombstone_and_missing_is_none,
    ttl_expiry,
    merge_rules_of_protocol_6_6,
    merge_is_idempotent,
    eviction_of_least_recently_updated,
    reject_policy_refuses_and_changes_nothing,
    quota_impossible_and_value_too_large,
    merge_evicts_even_under_reject,
    change_log_latest_seq_per_key_and_monotonic,
    peer_cursors,
    sealed_master_secret_round_trip,
    purge_respects_retention_and_peer_acks,
    purge_caps_tombstones_oldest_first,
    binding_check,
    stats_usage_and_snapshot,
    for_each_record_visits_every_record_in_order,
    concurrent_writers_get_distinct_sequences,
    write_error_display_and_conversion,
    origin_tracking_and_exclusion,
    restore_marker_and_drop_unconfirmed,
    snapshot_pages_cover_every_record_within_bounds,
    snapshot_page_skips_expired_and_follows_rewrites,
    pull_cursors_round_trip,
    log_id_is_stable_and_in_every_page,
    snapshot_page_leaves_out_excluded_origins,
    snapshot_page_scans_a_bounded_number_of_entries,
    caught_up_once_is_a_sticky_flag,
    local_batch_applies_in_order_with_per_op_refusals,
    purge_applies_retention_then_the_cap_in_one_pass,
);
