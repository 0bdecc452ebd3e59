//! Namespace limits and the quota/eviction plan (design.md §4 "Quotas", security-checklist.md
//! "Quotas", protocol.md §0/§4.5/§4.6, seed `000_2a5f1500321623ba.txt` §3).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Default plaintext value limit: 1 MiB (seed 000 `MAX_VALUE_SIZE`, protocol.md §0
/// `max_kv_value_size_bytes`).
pub const DEFAULT_MAX_VALUE_BYTES: usize = 1_048_576;
/// Default per-app namespace budget: 10 MiB (seed 000 `MAX_APP_STORAGE`, protocol.md §0
/// `max_app_storage_bytes`).
pub const DEFAULT_MAX_APP_BYTES: u64 = 10_485_760;
/// Default tombstone retention: 24 h in ms (protocol.md §0 `tombstone_retention_ms`).
pub const DEFAULT_TOMBSTONE_RETENTION_MS: u64 = 86_400_000;
/// Default tombstone cap per namespace (protocol.md §0 `max_tombstones_per_app`).
pub const DEFAULT_MAX_TOMBSTONES_PER_APP: u64 = 10_000;

/// What a local write does when its namespace would exceed the budget (design.md §4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuotaPolicy {
    /// Evict the app's least-recently-updated live records (by `updated_at_ms`, then key) until
    /// the write fits; never the record being written, never tombstones, never another app's
    /// data. The seed's policy and the default. Config value `"evict"`.
    #[default]
    Evict,
    /// Refuse the write (HTTP 4xx) and change nothing. Config value `"reject"`.
    Reject,
}

/// Limits applied to every app namespace.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct Limits {
    /// Plaintext bytes per value (default 1,048,576). Checked by the caller on PUT; inbound sync
    /// records may carry up to this + 128 ciphertext bytes (protocol.md §6.5).
    pub max_kv_value_size_bytes: usize,
    /// Budget per namespace in bytes as counted by `Record::cost` (default 10,485,760).
    pub max_app_storage_bytes: u64,
    /// Over-budget behaviour of local writes (default [`QuotaPolicy::Evict`]).
    pub quota_policy: QuotaPolicy,
    /// Tombstones younger than this (ms) are never purged; 0 = no age-based purge
    /// (default 86,400,000; protocol.md §4.5 step 2).
    pub tombstone_retention_ms: u64,
    /// Tombstones kept per namespace before the oldest excess is purged; 0 = no cap
    /// (default 10,000; protocol.md §4.5 step 3).
    pub max_tombstones_per_app: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_kv_value_size_bytes: DEFAULT_MAX_VALUE_BYTES,
            max_app_storage_bytes: DEFAULT_MAX_APP_BYTES,
            quota_policy: QuotaPolicy::Evict,
            tombstone_retention_ms: DEFAULT_TOMBSTONE_RETENTION_MS,
            max_tombstones_per_app: DEFAULT_MAX_TOMBSTONES_PER_APP,
        }
    }
}

/// A write does not fit its namespace budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaError {
    /// Bytes the namespace would hold with the write and before any eviction.
    pub used: u64,
    /// The namespace budget in bytes.
    pub budget: u64,
    /// The policy that was applied: `Reject` (refused outright) or `Evict` (evicting every
    /// candidate would still not make it fit).
    pub policy: QuotaPolicy,
}

impl fmt::Display for QuotaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "app storage quota exceeded: {} bytes needed, budget {} bytes",
            self.used, self.budget
        )
    }
}

impl std::error::Error for QuotaError {}

/// One evictable record of a namespace, as [`plan_eviction`] weighs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvictionCandidate {
    /// Key of the record.
    pub key: String,
    /// Unix ms of its last write (least-recently-updated go first).
    pub updated_at_ms: u64,
    /// Accounted bytes it frees (`Record::cost`).
    pub cost: u64,
}

/// Decide which records to evict so that a write fits its namespace (design.md §4,
/// security-checklist.md "Quotas"). Pure.
///
/// * `candidates`: the namespace's evictable records. The
///   caller passes only non-tombstone records of the same app and excludes the key being written
///   (tombstones are never evicted; neither is the target). Order does not matter; a caller may
///   pass only the least-recently-updated prefix whose total cost covers the deficit.
/// * `used_bytes_without_target`: bytes the namespace holds without the target key's current
///   record; `target_cost`: bytes of the record to be stored; `budget`: the namespace budget.
///
/// Returns the keys to evict, least-recently-updated first (by `updated_at_ms`, then key), and as
/// few as needed: empty if the write already fits (`used + target <= budget`).
///
/// Errors: [`QuotaError`] with `policy = Reject` if the write does not fit and `policy` is
/// [`QuotaPolicy::Reject`]; with `policy = Evict` if even evicting every candidate leaves the
/// namespace over budget.
pub fn plan_eviction(
    policy: QuotaPolicy,
    candidates: &[EvictionCandidate],
    used_bytes_without_target: u64,
    target_cost: u64,
    budget: u64,
) -> Result<Vec<String>, QuotaError> {
    let needed = used_bytes_without_target.saturating_add(target_cost);
    if needed <= budget {
        return Ok(Vec::new());
    }
    let err = QuotaError {
        used: needed,
        budget,
        policy,
    };
    if policy == QuotaPolicy::Reject {
        return Err(err);
    }
    let mut order: Vec<&EvictionCandidate> = candidates.iter().collect();
    order.sort_by(|a, b| (a.updated_at_ms, &a.key).cmp(&(b.updated_at_ms, &b.key)));
    let mut used = needed;
    let mut evict = Vec::new();
    for c in order {
        if used <= budget {
            break;
        }
        used = used.saturating_sub(c.cost);
        evict.push(c.key.clone());
    }
    if used > budget {
        return Err(err);
    }
    Ok(evict)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(key: &str, ts: u64, cost: u64) -> EvictionCandidate {
        EvictionCandidate {
            key: key.to_string(),
            updated_at_ms: ts,
            cost,
        }
    }

    #[test]
    fn eviction_to_exactly_the_budget_fits_and_the_refusal_names_the_sizes() {
        // 100 used + 30 target = 130 against a budget of 100: evicting the 30-byte oldest
        // record lands exactly on the budget, which fits
        let got = plan_eviction(
            QuotaPolicy::Evict,
            &[c("old", 1, 30), c("newer", 2, 30)],
            100,
            30,
            100,
        );
        assert_eq!(got, Ok(vec!["old".to_string()]));
        let e = plan_eviction(QuotaPolicy::Reject, &[], 100, 30, 100).unwrap_err();
        assert_eq!(
            e.to_string(),
            "app storage quota exceeded: 130 bytes needed, budget 100 bytes"
        );
    }

    #[test]
    fn defaults_match_seed_and_protocol() {
        let l = Limits::default();
        assert_eq!(l.max_kv_value_size_bytes, 1_048_576);
        assert_eq!(l.max_app_storage_bytes, 10_485_760);
        assert_eq!(l.quota_policy, QuotaPolicy::Evict);
        assert_eq!(l.tombstone_retention_ms, 86_400_000);
        assert_eq!(l.max_tombstones_per_app, 10_000);
        assert_eq!(
            serde_json::to_string(&QuotaPolicy::Reject).unwrap(),
            "\"reject\""
        );
        assert_eq!(
            serde_json::from_str::<QuotaPolicy>("\"evict\"").unwrap(),
            QuotaPolicy::Evict
        );
    }

    #[test]
    fn fits_without_eviction() {
        assert_eq!(
            plan_eviction(QuotaPolicy::Evict, &[], 90, 10, 100),
            Ok(vec![])
        );
        assert_eq!(
            plan_eviction(QuotaPolicy::Reject, &[], 90, 10, 100),
            Ok(vec![])
        );
    }

    #[test]
    fn evicts_least_recently_updated_first_and_as_few_as_needed() {
        let cands = [
            c("new", 30, 10),
            c("b", 10, 10),
            c("a", 10, 10),
            c("mid", 20, 10),
        ];
        // used 100 + 15 = 115 > 100 -> need to free 15 -> "a" then "b" (same ts, key order)
        assert_eq!(
            plan_eviction(QuotaPolicy::Evict, &cands, 100, 15, 100),
            Ok(vec!["a".to_string(), "b".to_string()])
        );
    }

    #[test]
    fn reject_policy_and_impossible_fit() {
        let cands = [c("a", 1, 10)];
        assert_eq!(
            plan_eviction(QuotaPolicy::Reject, &cands, 100, 1, 100),
            Err(QuotaError {
                used: 101,
                budget: 100,
                policy: QuotaPolicy::Reject
            })
        );
        // 50 bytes of tombstones (not candidates) + 10 evictable + 60 target > 100
        assert_eq!(
            plan_eviction(QuotaPolicy::Evict, &cands, 60, 60, 100),
            Err(QuotaError {
                used: 120,
                budget: 100,
                policy: QuotaPolicy::Evict
            })
        );
        assert!(plan_eviction(QuotaPolicy::Evict, &[], u64::MAX, u64::MAX, 1).is_err());
    }
}
