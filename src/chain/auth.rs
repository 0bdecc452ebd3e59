//! App authorization against the NovaAppRegistry through a bounded read-through cache
//! (protocol.md §2.7, seed 001 "Registry and Cache Model", security-checklist "Authorization").
//!
//! [`AppAuthCache::authorize`] decides whether the wallet recovered from an app's PoP may use
//! the `/kms/*` routes and, if so, in which namespace (the instance's `appId`):
//!
//! 1. `getInstanceByWallet(wallet)`: `id == 0` → `Instance not found`; `status != ACTIVE` →
//!    `Instance not active`; `!zkVerified` → `Instance not zkVerified`; `appId == 0` →
//!    `App id 0 is reserved` (novakms hardening: app id 0 names the cluster-internal key domain).
//! 2. `getApp(appId)` and `getVersion(appId, versionId)` in parallel: app `status != ACTIVE` →
//!    `App not active`; version `REVOKED` → `Version revoked`; version status not
//!    ENROLLED/DEPRECATED → `Version not enrolled or deprecated`. A *revert* of these views (the
//!    mock reverts for unknown ids) is treated as the corresponding refusal, not as an RPC error.
//!
//! Caching: instance/app/version results live `ttl` (upstream 180 s); "not found" results (an
//! instance with `id == 0`, a reverted getApp/getVersion) live `min(ttl, not_found_ttl)`
//! (upstream 10 s). Errors are never cached. Each of the three maps is an LRU bounded by
//! `capacity`, so a flood of unknown wallets cannot grow memory.
//!
//! Revocation (issue 10): a cached "allowed" would otherwise outlive an on-chain revocation by
//! up to `ttl`. [`AppAuthCache::revalidate`], called on every node tick, re-reads the live
//! *found* entries (apps and versions first, then instances, most recently used first, up to a
//! lookup budget) and replaces any entry whose on-chain record changed, keeping its expiry. So
//! an instance set non-ACTIVE, an app deactivated or a version revoked is refused from the
//! first request after the next tick, without a per-request chain read. Entries past the
//! budget keep the TTL rule; a lookup that fails leaves its entry as it was (as a miss never
//! caches an error).

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Duration;

use lru::LruCache;
use tokio::time::Instant;

use super::registry::RegistryClient;
use super::types::{
    parse_address, AppInfo, InstanceInfo, VersionInfo, APP_ACTIVE, INSTANCE_ACTIVE,
    VERSION_DEPRECATED, VERSION_ENROLLED, VERSION_REVOKED,
};
use crate::error::{Error, ErrorKind};

/// Refusal: no instance registered for the wallet (§2.7).
pub const MSG_INSTANCE_NOT_FOUND: &str = "Instance not found";
/// Refusal: the instance status is not ACTIVE.
pub const MSG_INSTANCE_NOT_ACTIVE: &str = "Instance not active";
/// Refusal: the instance is not zkVerified.
pub const MSG_INSTANCE_NOT_ZK: &str = "Instance not zkVerified";
/// Refusal: the app status is not ACTIVE (or the app does not exist).
pub const MSG_APP_NOT_ACTIVE: &str = "App not active";
/// Refusal: the version is REVOKED.
pub const MSG_VERSION_REVOKED: &str = "Version revoked";
/// Refusal: the version status is neither ENROLLED nor DEPRECATED (or it does not exist).
pub const MSG_VERSION_NOT_ENROLLED: &str = "Version not enrolled or deprecated";
/// Refusal: the instance belongs to app id 0, reserved for the cluster-internal key domain.
pub const MSG_APP_ID_ZERO: &str = "App id 0 is reserved";
/// Refusal: the wallet string is not an address (§2.6).
pub const MSG_INVALID_WALLET: &str = "Invalid wallet address";

/// A caller the registry allows, with its namespace (`app_id`, never 0) and the instance record
/// (the caller of `/kms/*` must then present `sender_tee_pubkey == instance.tee_pubkey`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizedApp {
    /// The caller's namespace: the instance's app id (never 0).
    pub app_id: u64,
    /// The caller's registry instance (ACTIVE, zkVerified).
    pub instance: InstanceInfo,
}

/// Why [`AppAuthCache::authorize`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The registry answered and the caller is not allowed: HTTP 403 with code `unauthorized`
    /// (what upstream answers, issue 11 item 4) and exactly this message (one of the `MSG_*`
    /// constants, upstream wording).
    #[error("{0}")]
    Refused(String),
    /// The registry could not be read (timeout, transport, unexpected revert): HTTP 500 with
    /// this message, e.g. `Registry getInstanceByWallet error: chain RPC http://… timed out …`.
    #[error("{0}")]
    Rpc(String),
}

impl AuthError {
    /// The message to put on the wire.
    pub fn message(&self) -> &str {
        match self {
            AuthError::Refused(m) | AuthError::Rpc(m) => m,
        }
    }

    fn refused(m: &str) -> Self {
        AuthError::Refused(m.to_string())
    }
}

struct Entry<V> {
    value: V,
    expires: Instant,
}

/// A bounded LRU map whose entries expire.
struct TtlLru<K: Hash + Eq, V> {
    inner: Mutex<LruCache<K, Entry<V>>>,
}

impl<K: Hash + Eq, V: Clone> TtlLru<K, V> {
    fn new(capacity: NonZeroUsize) -> Self {
        TtlLru {
            inner: Mutex::new(LruCache::new(capacity)),
        }
    }

    fn get(&self, k: &K) -> Option<V> {
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match m.get(k) {
            Some(e) if e.expires > now => Some(e.value.clone()),
            Some(_) => {
                m.pop(k);
                None
            }
            None => None,
        }
    }

    fn put(&self, k: K, v: V, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        m.put(
            k,
            Entry {
                value: v,
                expires: Instant::now() + ttl,
            },
        );
    }

    /// Keys of the unexpired entries whose value passes `keep`, most recently used first.
    /// Does not change the LRU order.
    fn live_keys(&self, keep: impl Fn(&V) -> bool) -> Vec<K>
    where
        K: Clone,
    {
        let m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        m.iter()
            .filter(|(_, e)| e.expires > now && keep(&e.value))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Replace the value of a present entry, keeping its expiry and LRU position. Returns true
    /// when the entry was present and its value differed.
    fn refresh(&self, k: &K, v: V) -> bool
    where
        V: PartialEq,
    {
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match m.peek_mut(k) {
            Some(e) if e.value != v => {
                e.value = v;
                true
            }
            _ => false,
        }
    }

    fn clear(&self) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// What one [`AppAuthCache::revalidate`] pass did (counts of registry lookups).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Revalidation {
    /// Entries re-read from the registry.
    pub checked: usize,
    /// Entries whose on-chain record had changed and were replaced.
    pub changed: usize,
    /// Lookups that failed (entry left as it was).
    pub failed: usize,
    /// Live found entries not re-read this pass (over the budget).
    pub skipped: usize,
}

/// Concurrent registry lookups in one [`AppAuthCache::revalidate`] pass.
const REVALIDATE_CONCURRENCY: usize = 16;

/// Read-through cache of registry lookups for app authorization (protocol.md §2.7).
///
/// Shareable across tasks (`&self` methods; wrap in `Arc`). Locks are never held across an
/// RPC; concurrent misses for the same key may each read the chain.
pub struct AppAuthCache {
    client: RegistryClient,
    ttl: Duration,
    not_found_ttl: Duration,
    instances: TtlLru<String, InstanceInfo>,
    /// `None` = getApp reverted (unknown app).
    apps: TtlLru<u64, Option<AppInfo>>,
    /// `None` = getVersion reverted (unknown version).
    versions: TtlLru<(u64, u64), Option<VersionInfo>>,
}

impl std::fmt::Debug for AppAuthCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppAuthCache")
            .field("client", &self.client)
            .field("ttl", &self.ttl)
            .field("not_found_ttl", &self.not_found_ttl)
            .finish()
    }
}

impl AppAuthCache {
    /// Cache over `client`. `ttl`: lifetime of found results (upstream
    /// `registry_cache_ttl_seconds` = 180 s; zero disables caching); `not_found_ttl`: lifetime
    /// of not-found results, capped at `ttl` (upstream 10 s); `capacity`: maximum entries per
    /// map (instances, apps, versions; e.g. 10 000; 0 is treated as 1).
    pub fn new(
        client: RegistryClient,
        ttl: Duration,
        not_found_ttl: Duration,
        capacity: usize,
    ) -> Self {
        let cap = NonZeroUsize::new(capacity.max(1)).unwrap_or(NonZeroUsize::MIN);
        AppAuthCache {
            client,
            ttl,
            not_found_ttl: not_found_ttl.min(ttl),
            instances: TtlLru::new(cap),
            apps: TtlLru::new(cap),
            versions: TtlLru::new(cap),
        }
    }

    /// The registry client this cache reads through.
    pub fn client(&self) -> &RegistryClient {
        &self.client
    }

    /// Authorize `wallet` (canonical `0x` + 40 lowercase hex; other spellings are accepted and
    /// canonicalized) per protocol.md §2.7 (steps in the module docs).
    ///
    /// Returns the namespace and instance, or [`AuthError::Refused`] with the upstream
    /// message (see `MSG_*`), or [`AuthError::Rpc`] when the registry cannot be read
    /// (`Registry getInstanceByWallet error: …`, `Registry getApp error: …`,
    /// `Registry getVersion error: …`).
    pub async fn authorize(&self, wallet: &str) -> Result<AuthorizedApp, AuthError> {
        let key = match parse_address("wallet", wallet) {
            Ok(a) => super::types::canonical_address(&a),
            Err(_) => return Err(AuthError::refused(MSG_INVALID_WALLET)),
        };
        let instance = self.instance(&key).await?;
        if instance.id == 0 {
            return Err(AuthError::refused(MSG_INSTANCE_NOT_FOUND));
        }
        if instance.status != INSTANCE_ACTIVE {
            return Err(AuthError::refused(MSG_INSTANCE_NOT_ACTIVE));
        }
        if !instance.zk_verified {
            return Err(AuthError::refused(MSG_INSTANCE_NOT_ZK));
        }
        if instance.app_id == 0 {
            return Err(AuthError::refused(MSG_APP_ID_ZERO));
        }
        let (app, version) = tokio::join!(
            self.app(instance.app_id),
            self.version(instance.app_id, instance.version_id)
        );
        match app? {
            Some(a) if a.status == APP_ACTIVE => {}
            _ => return Err(AuthError::refused(MSG_APP_NOT_ACTIVE)),
        }
        match version? {
            Some(v) if v.status == VERSION_ENROLLED || v.status == VERSION_DEPRECATED => {}
            Some(v) if v.status == VERSION_REVOKED => {
                return Err(AuthError::refused(MSG_VERSION_REVOKED))
            }
            _ => return Err(AuthError::refused(MSG_VERSION_NOT_ENROLLED)),
        }
        Ok(AuthorizedApp {
            app_id: instance.app_id,
            instance,
        })
    }

    /// Re-read up to `max_lookups` live found entries from the registry and replace those whose
    /// record changed, keeping their expiry (module doc "Revocation"). Apps and versions go first
    /// (one entry covers every instance of the app), then instances, most recently used first.
    /// `max_lookups == 0` does nothing. Never fails: failed lookups are counted and their
    /// entries left as they were. At most [`REVALIDATE_CONCURRENCY`] lookups run at once.
    pub async fn revalidate(&self, max_lookups: usize) -> Revalidation {
        use futures_util::stream::{self, StreamExt};
        use futures_util::FutureExt;
        let apps = self.apps.live_keys(Option::is_some);
        let versions = self.versions.live_keys(Option::is_some);
        let instances = self.instances.live_keys(|i| i.id != 0);
        let total = apps.len() + versions.len() + instances.len();
        let mut budget = max_lookups;
        let mut take = |n: usize| {
            let t = n.min(budget);
            budget -= t;
            t
        };
        let (na, nv) = (take(apps.len()), take(versions.len()));
        let ni = take(instances.len());
        let mut out = Revalidation {
            skipped: total - (na + nv + ni),
            ..Revalidation::default()
        };
        // One outcome per lookup: Some(changed) or None (failed).
        let lookups: Vec<futures_util::future::BoxFuture<'_, Option<bool>>> = apps
            .into_iter()
            .take(na)
            .map(|id| {
                async move {
                    let a = not_found_on_revert(self.client.get_app(id).await).ok()?;
                    Some(self.apps.refresh(&id, a))
                }
                .boxed()
            })
            .chain(versions.into_iter().take(nv).map(|(a, v)| {
                async move {
                    let got = not_found_on_revert(self.client.get_version(a, v).await).ok()?;
                    Some(self.versions.refresh(&(a, v), got))
                }
                .boxed()
            }))
            .chain(instances.into_iter().take(ni).map(|w| {
                async move {
                    let got = self.client.get_instance_by_wallet(&w).await.ok()?;
                    Some(self.instances.refresh(&w, got))
                }
                .boxed()
            }))
            .collect();
        let results: Vec<Option<bool>> = stream::iter(lookups)
            .buffer_unordered(REVALIDATE_CONCURRENCY)
            .collect()
            .await;
        for r in results {
            out.checked += 1;
            match r {
                Some(true) => out.changed += 1,
                Some(false) => {}
                None => out.failed += 1,
            }
        }
        out
    }

    /// Drop every cached entry (tests; an operator-triggered refresh).
    pub fn invalidate_all(&self) {
        self.instances.clear();
        self.apps.clear();
        self.versions.clear();
    }

    /// Number of cached (possibly expired) entries: `(instances, apps, versions)`.
    pub fn cached_entries(&self) -> (usize, usize, usize) {
        (self.instances.len(), self.apps.len(), self.versions.len())
    }

    async fn instance(&self, wallet: &str) -> Result<InstanceInfo, AuthError> {
        let key = wallet.to_string();
        if let Some(i) = self.instances.get(&key) {
            return Ok(i);
        }
        let i = self
            .client
            .get_instance_by_wallet(wallet)
            .await
            .map_err(|e| AuthError::Rpc(format!("Registry getInstanceByWallet error: {e}")))?;
        let ttl = if i.id == 0 {
            self.not_found_ttl
        } else {
            self.ttl
        };
        self.instances.put(key, i.clone(), ttl);
        Ok(i)
    }

    async fn app(&self, app_id: u64) -> Result<Option<AppInfo>, AuthError> {
        if let Some(a) = self.apps.get(&app_id) {
            return Ok(a);
        }
        let a = not_found_on_revert(self.client.get_app(app_id).await)
            .map_err(|e| AuthError::Rpc(format!("Registry getApp error: {e}")))?;
        let ttl = if a.is_some() {
            self.ttl
        } else {
            self.not_found_ttl
        };
        self.apps.put(app_id, a.clone(), ttl);
        Ok(a)
    }

    async fn version(
        &self,
        app_id: u64,
        version_id: u64,
    ) -> Result<Option<VersionInfo>, AuthError> {
        let key = (app_id, version_id);
        if let Some(v) = self.versions.get(&key) {
            return Ok(v);
        }
        let v = not_found_on_revert(self.client.get_version(app_id, version_id).await)
            .map_err(|e| AuthError::Rpc(format!("Registry getVersion error: {e}")))?;
        let ttl = if v.is_some() {
            self.ttl
        } else {
            self.not_found_ttl
        };
        self.versions.put(key, v.clone(), ttl);
        Ok(v)
    }
}

/// A reverted view (RegistryClient reports reverts as [`ErrorKind::NotReady`]) means "no such
/// record"; other errors stay errors.
fn not_found_on_revert<T>(r: crate::Result<T>) -> Result<Option<T>, Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind() == ErrorKind::NotReady => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ttl_lru_expires_and_is_bounded() {
        let c: TtlLru<u64, u64> = TtlLru::new(NonZeroUsize::new(2).unwrap());
        c.put(1, 10, Duration::from_millis(100));
        c.put(2, 20, Duration::from_secs(50));
        assert_eq!(c.get(&1), Some(10));
        c.put(3, 30, Duration::from_secs(50)); // evicts the LRU entry (2)
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(&2), None);
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(c.get(&1), None);
        assert_eq!(c.get(&3), Some(30));
        c.put(4, 40, Duration::ZERO); // zero TTL: not cached
        assert_eq!(c.get(&4), None);
        c.clear();
        assert_eq!(c.len(), 0);
    }

    #[tokio::test]
    async fn refresh_replaces_a_changed_value_and_keeps_expiry_and_order() {
        let c: TtlLru<u64, u64> = TtlLru::new(NonZeroUsize::new(3).unwrap());
        c.put(1, 10, Duration::from_millis(100));
        c.put(2, 0, Duration::from_secs(50));
        c.put(3, 30, Duration::from_secs(50));
        // Most recently used first; `keep` filters values.
        assert_eq!(c.live_keys(|v| *v != 0), vec![3, 1]);
        assert!(!c.refresh(&3, 30), "same value: not a change");
        assert!(c.refresh(&1, 11));
        assert!(!c.refresh(&9, 90), "absent keys are not inserted");
        assert_eq!(c.get(&9), None);
        assert_eq!(
            c.live_keys(|_| true),
            vec![3, 2, 1],
            "refresh keeps LRU order"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
        // The refreshed entry kept its original expiry.
        assert_eq!(c.get(&1), None);
        assert_eq!(c.live_keys(|_| true), vec![3, 2]);
    }

    #[test]
    fn revert_is_not_found_other_errors_stay() {
        assert_eq!(not_found_on_revert(Ok(1)).unwrap(), Some(1));
        let r: crate::Result<u8> = Err(Error::new(ErrorKind::NotReady, "reverted"));
        assert_eq!(not_found_on_revert(r).unwrap(), None);
        let r: crate::Result<u8> = Err(Error::remote("timeout"));
        assert_eq!(
            not_found_on_revert(r).unwrap_err().kind(),
            ErrorKind::Remote
        );
    }

    #[test]
    fn auth_error_messages() {
        let e = AuthError::refused(MSG_VERSION_REVOKED);
        assert_eq!(e.to_string(), "Version revoked");
        assert_eq!(e.message(), "Version revoked");
        assert_eq!(AuthError::Rpc("x".into()).message(), "x");
    }

    #[tokio::test]
    async fn invalid_wallet_is_forbidden_without_rpc() {
        let ok = "0x0f68E6e699f2E972998a1EcC000c7ce103E64cc8";
        // Port 9 (discard) on localhost: nothing is contacted for a malformed wallet.
        let client =
            RegistryClient::new("http://127.0.0.1:9", ok, ok, Duration::from_millis(200)).unwrap();
        let cache = AppAuthCache::new(
            client,
            Duration::from_secs(180),
            Duration::from_secs(10),
            10,
        );
        let e = cache.authorize("0xnot-a-wallet").await.unwrap_err();
        assert_eq!(e, AuthError::refused(MSG_INVALID_WALLET));
    }
}
