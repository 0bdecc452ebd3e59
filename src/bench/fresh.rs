//! `novakms bench --fresh-apps` (issue 12 item 6): every operation comes from an app identity
//! the node has never seen, so each request takes the cold envelope path.
//!
//! Before the timed part, [`register_pool`] creates K random identities (wallet + P-384
//! teePubkey, in memory only) and registers each on the devnet chain as an ACTIVE,
//! zkVerified instance of the same app and version as the bench's first app identity (one
//! `registerInstance` transaction each, signed with the devnet's registry owner key): chain
//! registration is not what is measured. What IS measured, and belongs to the cold path, is
//! everything the node does on the first request of an identity: a registry read of the new
//! instance (the app and version are already in its authorization cache, protocol.md §2.7),
//! the ECDH of the envelope key with the new teePubkey (§3.3), and the PoP check. The client
//! side pays its own ECDH per identity too (a fresh [`crate::client::app::AppClient`]).

use std::str::FromStr;
use std::time::{Duration, Instant};

use alloy::signers::local::PrivateKeySigner;

use crate::chain::devchain::RegistryAdmin;
use crate::chain::devnet::DevnetInfo;
use crate::chain::registry::RegistryClient;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::{Identity, IdentityHandle};

/// Largest pool `--fresh-apps` registers (one transaction each, about 10–30 ms on a devnet):
/// a run of more operations is refused (Usage) rather than silently reusing identities.
pub const MAX_FRESH_APPS: u64 = 5000;

/// A registered pool of fresh identities.
pub struct FreshPool {
    /// The identities, each registered once, none used yet.
    pub identities: Vec<IdentityHandle>,
    /// App id they are instances of.
    pub app_id: u64,
    /// Time spent registering them (not part of the measured run), seconds.
    pub registration_s: f64,
}

/// Register `k` fresh identities on the chain of `info` as instances of the app and version
/// of `template_wallet` (an identity already registered there). Envelopes use `info_label`.
///
/// Errors: Usage (`k` is 0 or above [`MAX_FRESH_APPS`]), NotReady (`template_wallet` has no
/// instance, a transaction reverted), Remote (chain RPC), Local (the owner key is invalid).
pub async fn register_pool(
    info: &DevnetInfo,
    template_wallet: &str,
    k: u64,
    info_label: &str,
    rpc_timeout: Duration,
) -> Result<FreshPool> {
    if k == 0 || k > MAX_FRESH_APPS {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("--fresh-apps needs --ops between 1 and {MAX_FRESH_APPS} (got {k}): one registered identity per operation"),
        ));
    }
    let registry = RegistryClient::new(
        &info.rpc_url,
        &info.nova_app_registry,
        &info.kms_registry,
        rpc_timeout,
    )?;
    let template = registry.get_instance_by_wallet(template_wallet).await?;
    if template.is_not_found() {
        return Err(Error::new(ErrorKind::NotReady, format!(
            "app identity {template_wallet} has no instance on chain: cannot copy its app for --fresh-apps"
        )));
    }
    let owner = PrivateKeySigner::from_str(&info.owner_key)
        .map_err(|e| Error::local(format!("devnet owner_key: {e}")))?;
    let admin = RegistryAdmin::new(&info.rpc_url, &info.nova_app_registry, owner)?;
    let start = Instant::now();
    let mut identities = Vec::with_capacity(k as usize);
    for i in 0..k {
        let id = Identity::generate();
        let address = id.address();
        admin
            .register_instance(
                template.app_id,
                template.version_id,
                &address,
                &format!("http://127.0.0.1/bench-fresh-{i}"),
                &id.tee_pubkey_der(),
                &address,
                true,
            )
            .await?;
        identities.push(IdentityHandle::keystore(id, info_label, 4));
    }
    Ok(FreshPool {
        identities,
        app_id: template.app_id,
        registration_s: start.elapsed().as_secs_f64(),
    })
}
