//! Devnet nodes on Odyn identity (`devnet up --odyn-nodes K`, issue 11 "Done means"): one test
//! Odyn process ([`crate::devnet_odyn`], run as the hidden `novakms devnet odyn`) per such
//! node, and the one place a KMS node, keystore or Odyn, is registered on a devnet
//! ([`register_node`]; the integration tests' `Devnet::add_odyn_node` calls it too).
//!
//! Guarantees:
//! * **no port race** — the Odyn's port is bound here and the bound socket handed to the
//!   process (`crate::activation`), as for the nodes and the `--tls` terminator;
//! * **registered with what Odyn reports** — the wallet and teePubkey put on chain are the
//!   answers of `GET /v1/eth/address` and `GET /v1/encryption/public_key` (as an operator
//!   registers a Nova instance), not read from the key file; [`start_odyn`] returns only once
//!   both answered;
//! * **identity kept across restarts** — the keys live in `DIR/node-<i>.odyn-key.json` (0600),
//!   so restarting the Odyn process (same `--key-file`) keeps the enclave identity; a new
//!   `devnet up` makes fresh keys, as it makes fresh keystores.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alloy::signers::local::PrivateKeySigner;
use serde::{Deserialize, Serialize};

use crate::chain::devchain::{self, RegistryAdmin};
use crate::error::{Error, Result};
use crate::identity::odyn::OdynClient;

/// Wei sent to every devnet node wallet (10 ETH): gas for `setMasterSecretHash`.
pub const NODE_FUNDING_WEI: u128 = 10u128.pow(19);

/// How long [`start_odyn`] waits for a started test Odyn to answer.
pub const ODYN_START_TIMEOUT: Duration = Duration::from_secs(30);

/// The test Odyn of one devnet node (in `devnet.json`, under the node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetOdyn {
    /// Its API base URL (`http://127.0.0.1:<port>`), the node's `odyn_url`.
    pub url: String,
    /// Process id of `novakms devnet odyn`.
    pub pid: u32,
    /// Key file (wallet + P-384 key, 0600): restart with `--key-file` to keep the identity.
    pub key_file: PathBuf,
    /// Log file.
    pub log: PathBuf,
}

/// What a started test Odyn reported about its identity.
#[derive(Debug, Clone)]
pub struct OdynIdentity {
    /// Canonical wallet address (`GET /v1/eth/address`).
    pub wallet: String,
    /// teePubkey, P-384 DER SPKI (120 bytes, `GET /v1/encryption/public_key`).
    pub tee_pubkey_der: Vec<u8>,
}

/// Start `novakms devnet odyn --key-file <key_file>` (this executable) on a port bound here
/// and handed over, logging to `log`, and wait (up to [`ODYN_START_TIMEOUT`]) until it answers
/// its wallet and teePubkey. `key_file` is created by the Odyn when missing.
///
/// Errors: Local (cannot bind or start; the process exited or did not answer in time, with
/// the tail of its log); Remote never (a failing answer is retried until the deadline).
pub async fn start_odyn(key_file: &Path, log: &Path) -> Result<(DevnetOdyn, OdynIdentity)> {
    let listener = crate::activation::bind_reusable("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let pid = crate::activation::spawn_with_listener(
        &std::env::current_exe()?,
        &[
            "devnet".as_ref(),
            "odyn".as_ref(),
            "--key-file".as_ref(),
            key_file.as_os_str(),
        ],
        &[],
        &["NOVAKMS_CONFIG"],
        &listener,
        log,
    )?;
    drop(listener);
    let odyn = DevnetOdyn {
        url,
        pid,
        key_file: key_file.to_path_buf(),
        log: log.to_path_buf(),
    };
    match wait_for_identity(&odyn).await {
        Ok(id) => Ok((odyn, id)),
        Err(e) => {
            super::kill(pid);
            Err(e)
        }
    }
}

/// Ask the Odyn at `o.url` for its wallet and teePubkey until both answer.
async fn wait_for_identity(o: &DevnetOdyn) -> Result<OdynIdentity> {
    let client = OdynClient::new(&o.url, Duration::from_secs(2))?;
    let deadline = Instant::now() + ODYN_START_TIMEOUT;
    loop {
        if super::child_exited(o.pid) {
            return Err(Error::local(format!(
                "the test Odyn exited during start; last log lines of {}:\n{}",
                o.log.display(),
                super::tail(&o.log)
            )));
        }
        let last = match client.address().await {
            Ok(wallet) => match client.public_key_der().await {
                Ok(tee_pubkey_der) => {
                    return Ok(OdynIdentity {
                        wallet,
                        tee_pubkey_der,
                    })
                }
                Err(e) => e,
            },
            Err(e) => e,
        };
        if Instant::now() > deadline {
            return Err(Error::local(format!(
                "the test Odyn at {} did not answer within {} s ({last}); last log lines of {}:\n{}",
                o.url,
                ODYN_START_TIMEOUT.as_secs(),
                o.log.display(),
                super::tail(&o.log)
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Register a KMS node on a devnet: fund `wallet` with [`NODE_FUNDING_WEI`] from `owner` (gas
/// for `setMasterSecretHash`, sent by the node itself: through Odyn's `sign-tx` on an Odyn
/// node), then register it as an ACTIVE, zkVerified instance of `kms_app_id` version 1 at
/// `url` with teePubkey `tee_pubkey_der`, operator = its own wallet. Returns the instance id.
///
/// Errors: Local (bad address), Remote (chain RPC, e.g. the wallet already has an instance).
pub async fn register_node(
    rpc_url: &str,
    owner: &PrivateKeySigner,
    admin: &RegistryAdmin,
    kms_app_id: u64,
    wallet: &str,
    url: &str,
    tee_pubkey_der: &[u8],
) -> Result<u64> {
    devchain::fund(rpc_url, owner, wallet, NODE_FUNDING_WEI).await?;
    admin
        .register_instance(kms_app_id, 1, wallet, url, tee_pubkey_der, wallet, true)
        .await
}
