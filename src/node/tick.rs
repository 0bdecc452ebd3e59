//! The node tick (protocol.md §7, design.md §3 "Node tick", seed
//! 003_4ab638bd8eebd9cd.txt): refresh the KMS membership from the registry,
//! gate on self-membership and teePubkey, then bring the master secret in line
//! with the on-chain `masterSecretHash` (bootstrap when zero). Every "not
//! ready" carries a reason (readiness strings of §7.2).
//!
//! # Rotation (issue 10)
//! The KMSRegistry owner rotates a leaked master secret with `resetMasterSecretHash()`, which
//! sets the on-chain hash to zero (§9.2). Upstream nodes re-submit the hash of the secret they
//! hold within one tick, undoing the reset. A novakms node, on seeing a zero hash, keeps its
//! secret only while that secret is one it generated and submitted itself in this process and
//! the chain has not shown it yet (`LoadedSecret::awaiting_chain`: a bootstrap in flight). Any
//! other secret (verified against an earlier non-zero hash, synced from a peer, or reloaded
//! from the sealed copy at start) is dropped from memory and its sealed copy erased; the node
//! then bootstraps: it generates a new secret, or adopts the one another node put on chain
//! first (the bootstrap race of §7.2). Records written under the old secret stay stored but
//! can no longer be decrypted (their data keys derive from the secret, §5): see
//! `docs/security.md` "Rotation".

use std::collections::HashMap;
use std::sync::Arc;

use crate::chain::types::{InstanceInfo, INSTANCE_ACTIVE, VERSION_DEPRECATED, VERSION_ENROLLED};
use crate::config::MasterSecretStorage;
use crate::crypto::master::MasterSecret;
use crate::node::peers::PeerInfo;
use crate::node::state::{LoadedSecret, NodeState, SecretOrigin};

/// Readiness reason strings (protocol.md §7.2; the last two are ours).
pub mod reason {
    /// Before the first tick finished.
    pub const INITIALIZING: &str = "initializing";
    /// Registry unreachable and no cached membership.
    pub const PEER_REFRESH_FAILED: &str = "peer cache refresh failed";
    /// Our wallet is not an ACTIVE, zkVerified KMS member.
    pub const SELF_NOT_MEMBER: &str = "self not in KMS node list";
    /// Our P-384 key differs from the registered teePubkey.
    pub const TEE_PUBKEY_MISMATCH: &str = "local teePubkey mismatch with registry";
    /// `masterSecretHash()` could not be read.
    pub const HASH_UNREADABLE: &str = "cannot read master secret hash";
    /// Bootstrap transaction sent, hash not yet visible.
    pub const AWAITING_HASH: &str = "awaiting on-chain master secret hash";
    /// Bootstrap transaction failed.
    pub const SET_HASH_FAILED: &str = "failed to set master secret hash";
    /// No peer could provide the master secret.
    pub const SECRET_SYNC_FAILED: &str = "master secret sync failed";
    /// The local secret could not be stored sealed.
    pub const SECRET_PERSIST_FAILED: &str = "cannot persist sealed master secret";
    /// A commit of app writes failed and the storage probe still fails (ours).
    pub const STORAGE_FAILING: &str = "storage failing";
    /// The full database verification deferred after an unclean stop failed (ours,
    /// `node::deferred_check`): out of service until restored or rejoined.
    pub const STORAGE_CORRUPT: &str = "storage corrupt";
}

/// After a failed group commit: probe the storage with a read and a durable rewrite of the
/// cluster binding (which also makes redb reopen after an I/O error). `Ok` = writable again.
async fn storage_probe(st: &NodeState) -> crate::Result<()> {
    let storage = st.storage.clone();
    tokio::task::spawn_blocking(move || {
        if let Some(b) = storage.binding()? {
            storage.set_binding(&b)?;
        }
        Ok(())
    })
    .await
    .map_err(|e| crate::Error::local(format!("storage probe task failed: {e}")))?
}

/// Read the KMS membership (PeerCache, §6.1): ACTIVE, zkVerified instances of
/// `kms_app_id` on an ENROLLED or DEPRECATED version, with a usable URL.
/// Wallets whose lookups fail are skipped.
///
/// Errors: the `getActiveInstances` call itself failing (chain RPC error).
pub async fn read_members(st: &NodeState) -> crate::Result<Vec<InstanceInfo>> {
    let kms = st.settings.kms_app_id;
    let wallets = st.registry.get_active_instances(kms).await?;
    let mut out = Vec::new();
    let mut versions: HashMap<u64, Option<u8>> = HashMap::new();
    for w in wallets {
        let inst = match st.registry.get_instance_by_wallet(&w).await {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(wallet = %w, error = %e, "skipping KMS member: lookup failed");
                continue;
            }
        };
        if inst.id == 0 || inst.app_id != kms || inst.status != INSTANCE_ACTIVE || !inst.zk_verified
        {
            continue;
        }
        let vstatus = match versions.get(&inst.version_id) {
            Some(s) => *s,
            None => {
                let s = st
                    .registry
                    .get_version(kms, inst.version_id)
                    .await
                    .ok()
                    .map(|v| v.status);
                versions.insert(inst.version_id, s);
                s
            }
        };
        if !matches!(vstatus, Some(VERSION_ENROLLED) | Some(VERSION_DEPRECATED)) {
            continue;
        }
        match url::Url::parse(&inst.instance_url) {
            Ok(u)
                if u.has_host()
                    && u.username().is_empty()
                    && u.password().is_none()
                    && matches!(u.scheme(), "http" | "https") => {}
            _ => continue,
        }
        out.push(inst);
    }
    Ok(out)
}

/// One node tick. Never panics; every early return leaves a reason.
pub async fn tick(st: &Arc<NodeState>) {
    if st.is_shutting_down() {
        return;
    }
    // Ours: a database that failed its deferred verification stays out of service.
    if st.deferred_check.failure().is_some() {
        st.set_unready(reason::STORAGE_CORRUPT);
        return;
    }
    // Ours: a node whose disk refuses commits must not look ready to load balancers.
    if st.committer.failing() {
        match storage_probe(st).await {
            Ok(()) => {
                tracing::info!("storage writable again");
                st.committer.clear_failure();
            }
            Err(e) => {
                tracing::error!(error = %e, "storage probe failed");
                st.set_unready(reason::STORAGE_FAILING);
                return;
            }
        }
    }
    // 1–3: membership; meanwhile re-read cached app authorizations (revocation, issue 10).
    let (members, revalidation) = tokio::join!(
        read_members(st),
        st.auth.revalidate(st.settings.registry_revalidate_per_tick)
    );
    if revalidation.changed > 0 || revalidation.failed > 0 {
        tracing::info!(
            checked = revalidation.checked,
            changed = revalidation.changed,
            failed = revalidation.failed,
            skipped = revalidation.skipped,
            "app authorizations re-read from the registry"
        );
    }
    match members {
        Ok(members) => {
            let members: Vec<PeerInfo> = members.into_iter().map(PeerInfo::from_instance).collect();
            let timeout = std::time::Duration::from_millis(st.settings.peer_probe_timeout_ms);
            let probes = crate::node::peers::probe_all(&members, timeout, st.clock.now_ms()).await;
            st.peer_cache.replace(members, st.clock.now_ms());
            st.peer_cache.set_probes(&probes);
        }
        Err(e) => {
            tracing::warn!(error = %e, "KMS membership refresh failed");
            if st.peer_cache.is_empty() {
                set_operator(st, false, None);
                st.set_unready(reason::PEER_REFRESH_FAILED);
                return;
            }
        }
    }
    // 4–5: self gate.
    let me = st
        .peer_cache
        .all()
        .into_iter()
        .find(|p| p.wallet == st.wallet)
        .map(|p| p.instance);
    let Some(me) = me else {
        set_operator(st, false, None);
        st.set_unready(reason::SELF_NOT_MEMBER);
        return;
    };
    set_operator(st, true, Some(&me.instance_url));
    // 6: teePubkey.
    if hex::encode(&me.tee_pubkey) != st.tee_pubkey_hex {
        st.set_unready(reason::TEE_PUBKEY_MISMATCH);
        return;
    }
    // 7: on-chain hash.
    let chain_hash = match st.registry.master_secret_hash().await {
        Ok(h) => h,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read masterSecretHash");
            st.set_unready(reason::HASH_UNREADABLE);
            return;
        }
    };
    if chain_hash == [0u8; 32] {
        bootstrap(st).await;
    } else {
        reconcile(st, chain_hash).await;
    }
}

fn set_operator(st: &NodeState, is_operator: bool, registry_url: Option<&str>) {
    let mut r = st.readiness.write().unwrap_or_else(|p| p.into_inner());
    r.is_operator = is_operator;
    if r.node_url.is_empty() {
        if let Some(u) = registry_url {
            r.node_url = u.trim_end_matches('/').to_string();
        }
    }
}

fn local_hash(st: &NodeState) -> Option<[u8; 32]> {
    st.with_secret(|s| s.hash())
}

/// Store the secret sealed by the identity (design.md §4; keystore: under the seal key, Odyn:
/// as an envelope to our own teePubkey, `identity::handle`).
async fn persist(st: &NodeState, secret: &MasterSecret) -> crate::Result<()> {
    if st.settings.master_secret_storage == MasterSecretStorage::Sealed {
        let blob = st.identity.seal_master_secret(secret).await?;
        st.storage.store_sealed_master_secret(&blob)?;
    }
    Ok(())
}

/// §7.2 step 8: the chain has no hash yet. Generate (OS CSPRNG) if we have
/// no secret, persist it sealed *before* submitting (so a crash after the
/// transaction lands cannot lose the cluster's only secret), submit
/// `setMasterSecretHash`, and become ready once the chain shows our hash.
async fn bootstrap(st: &Arc<NodeState>) {
    drop_rotated_secret(st);
    if local_hash(st).is_none() {
        let secret = match st.identity.generate_master_secret().await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot draw random bytes for a master secret");
                st.set_unready(reason::SECRET_PERSIST_FAILED);
                return;
            }
        };
        if let Err(e) = persist(st, &secret).await {
            tracing::error!(error = %e, "cannot persist generated master secret");
            st.set_unready(reason::SECRET_PERSIST_FAILED);
            return;
        }
        tracing::info!("generated a new master secret (bootstrap)");
        *st.master.write().unwrap_or_else(|p| p.into_inner()) = Some(LoadedSecret {
            secret,
            origin: SecretOrigin::Generated,
            synced_from: None,
            verified: false,
            awaiting_chain: true,
        });
    }
    let Some(hash) = local_hash(st) else { return };
    st.set_unready(reason::AWAITING_HASH);
    match st.identity.set_master_secret_hash(&st.registry, hash).await {
        Ok(tx) => {
            tracing::info!(tx = %tx, "submitted setMasterSecretHash");
            if let Ok(h) = st.registry.master_secret_hash().await {
                if h != [0u8; 32] {
                    reconcile(st, h).await;
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "setMasterSecretHash failed");
            // Another node may have won the race: re-read and follow the chain.
            match st.registry.master_secret_hash().await {
                Ok(h) if h != [0u8; 32] => reconcile(st, h).await,
                _ => st.set_unready(reason::SET_HASH_FAILED),
            }
        }
    }
}

/// Rotation (module doc): with the on-chain hash at zero, drop any held secret that is not
/// our own bootstrap in flight, from memory and from the sealed copy on disk. A failure to
/// erase the sealed copy is logged; the copy is replaced when the new secret is persisted.
fn drop_rotated_secret(st: &NodeState) {
    let dropped = {
        let mut g = st.master.write().unwrap_or_else(|p| p.into_inner());
        match g.as_ref() {
            Some(l) if !l.awaiting_chain => {
                let was_verified = l.verified;
                *g = None;
                Some(was_verified)
            }
            _ => None,
        }
    };
    let Some(was_verified) = dropped else { return };
    if was_verified {
        tracing::warn!(
            "on-chain masterSecretHash was reset to zero: dropping the old master secret (rotation)"
        );
    } else {
        tracing::warn!(
            "on-chain masterSecretHash is zero: not re-submitting the master secret held since \
             start (a reset by the registry owner, or a bootstrap that never landed)"
        );
    }
    if let Err(e) = st.storage.clear_sealed_master_secret() {
        tracing::error!(error = %e, "cannot erase the old sealed master secret; it is replaced when the new one is stored");
    }
}

/// §7.2 steps 9–10: the chain has a hash. Ready iff our secret matches it;
/// otherwise drop an unverified local secret and obtain the right one from a
/// peer (cluster replication, later), never installing a mismatching one.
async fn reconcile(st: &Arc<NodeState>, chain_hash: [u8; 32]) {
    let (matches, verified_before) = {
        let g = st.master.read().unwrap_or_else(|p| p.into_inner());
        match g.as_ref() {
            Some(l) => (l.secret.hash() == chain_hash, l.verified),
            None => (false, false),
        }
    };
    if matches {
        if !verified_before {
            let mut g = st.master.write().unwrap_or_else(|p| p.into_inner());
            if let Some(l) = g.as_mut() {
                l.verified = true;
                l.awaiting_chain = false;
            }
            tracing::info!("master secret verified against on-chain masterSecretHash");
        }
        st.set_ready();
        return;
    }
    // Mismatch (or no secret).
    {
        let mut g = st.master.write().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = g.as_mut() {
            if !l.verified {
                tracing::warn!(
                    "local master secret lost the bootstrap race or is stale; discarding it"
                );
                // Dropped from memory only: the sealed copy stays on disk
                // until a verified secret replaces it (nothing is destroyed
                // on the word of one chain read).
                *g = None;
            } else {
                tracing::error!(
                    "local master secret no longer matches on-chain masterSecretHash; not serving it"
                );
                // Never hand a stale secret to peers (/sync gate, §7.3 hardening).
                l.verified = false;
            }
        }
    }
    match obtain_from_peers(st, chain_hash).await {
        Ok(()) => st.set_ready(),
        Err(detail) => st.set_unready(&format!("{}: {detail}", reason::SECRET_SYNC_FAILED)),
    }
}

/// Ask peers, in random order, for the master secret by sealed exchange
/// (protocol.md §6.8). A secret is installed only if its keccak256 equals
/// the on-chain hash; a peer that sends a wrong one is blacklisted for
/// `peer_blacklist_duration_seconds` (§7.4, security-checklist.md). After
/// installing, the catch-up pulls the peers' records (`node::catch_up`).
///
/// Errors: a one-line reason for `/status` (no peers, every peer failed).
async fn obtain_from_peers(st: &Arc<NodeState>, chain_hash: [u8; 32]) -> Result<(), String> {
    use rand::seq::SliceRandom;
    let now = st.clock.now_ms();
    // Peers we no longer ask, and why: part of every failure reason, so the
    // operator sees a lying peer even while other peers are merely down.
    let blacklisted: Vec<String> = st
        .peer_cache
        .all()
        .into_iter()
        .filter(|p| p.wallet != st.wallet && st.peer_cache.is_blacklisted(&p.wallet, now))
        .map(|p| {
            format!(
                "peer {} sent a secret that does not match the on-chain hash (blacklisted)",
                p.url
            )
        })
        .collect();
    let mut peers = st.peer_cache.others(&st.wallet, now);
    if peers.is_empty() {
        let mut why = vec!["no reachable KMS peer to obtain it from".to_string()];
        why.extend(blacklisted);
        return Err(why.join("; "));
    }
    peers.shuffle(&mut rand::thread_rng());
    let mut failures: Vec<String> = blacklisted;
    for peer in peers {
        let secret = match st.peer_client.master_secret(&peer, None).await {
            Ok(bytes) => MasterSecret::from_bytes(bytes),
            Err(e) => {
                tracing::warn!(peer = %peer.url, error = %e, "master_secret_request failed");
                failures.push(format!("peer {} failed: {e}", peer.url));
                continue;
            }
        };
        if secret.hash() != chain_hash {
            let secs = st.settings.peer_blacklist_duration_seconds;
            st.peer_cache
                .blacklist(&peer.wallet, st.clock.now_ms() + secs * 1000);
            tracing::error!(
                peer = %peer.url,
                wallet = %peer.wallet,
                blacklist_seconds = secs,
                "peer sent a master secret that does not match the on-chain hash; blacklisted"
            );
            failures.push(format!(
                "peer {} sent a secret that does not match the on-chain hash (blacklisted for {secs} s)",
                peer.url
            ));
            continue;
        }
        if let Err(e) = persist(st, &secret).await {
            tracing::error!(error = %e, "cannot persist synced master secret");
            return Err(format!("{}: {e}", reason::SECRET_PERSIST_FAILED));
        }
        *st.master.write().unwrap_or_else(|p| p.into_inner()) = Some(LoadedSecret {
            secret,
            origin: SecretOrigin::Synced,
            synced_from: Some(peer.url.clone()),
            verified: true,
            awaiting_chain: false,
        });
        tracing::info!(peer = %peer.url, "master secret obtained from peer and verified against the chain");
        // The records come next, page by page, from the catch-up (`node::catch_up`) or the
        // initial pull of the replicator, before or right after the node reports ready.
        return Ok(());
    }
    Err(failures.join("; "))
}
