//! Local development chain helpers (used by `novakms devnet` and the integration tests):
//! deploy the MockNovaAppRegistry + KMSRegistry pair from the committed artifacts
//! (`contracts/artifacts/*.json`), administer the mock registry as its owner, and fund wallets.
//!
//! Every transaction is signed locally (EIP-1559, gas estimated, nonce fetched per tx), each RPC
//! step is bounded by a timeout and every transaction waits for a successful receipt; a revert
//! is an [`crate::ErrorKind::NotReady`] error carrying the decoded reason (e.g. `not owner`,
//! `wallet has instance`).

use std::str::FromStr;
use std::time::Duration;

use alloy::contract::RawCallBuilder;
use alloy::network::{Ethereum, TransactionBuilder};
use alloy::primitives::{Address, Bytes, B256, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolConstructor;

pub use super::anvil::find_anvil;
use super::bindings::{KMSRegistry, MockNovaAppRegistry};
use super::registry::RpcCtx;
use super::types::{canonical_address, parse_address, u256_to_u64};
use crate::error::{Error, Result};

/// Private key of anvil's first dev account (`0xf39f…2266`), funded with 10 000 ETH on a fresh
/// anvil chain. Never use it outside a local chain.
pub const ANVIL_DEV_KEY_0: &str =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// Per-step timeout used by [`deploy_contracts`] and [`fund`].
pub const DEVCHAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Version id of the KMS app version created by [`deploy_contracts`] (`v1`).
pub const DEVNET_KMS_VERSION_ID: u64 = 1;

/// Metadata URI of the KMS app created by [`deploy_contracts`].
pub const DEVNET_KMS_METADATA: &str = "novakms devnet KMS";

const KMS_REGISTRY_ARTIFACT: &str = include_str!("../../contracts/artifacts/KMSRegistry.json");
const MOCK_REGISTRY_ARTIFACT: &str =
    include_str!("../../contracts/artifacts/MockNovaAppRegistry.json");

/// Addresses of a fresh deployment, canonical (`0x` + 40 lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    /// MockNovaAppRegistry address.
    pub nova_app_registry: String,
    /// KMSRegistry address.
    pub kms_registry: String,
}

/// The signer of [`ANVIL_DEV_KEY_0`] (anvil account 0, `0xf39f…2266`).
pub fn anvil_dev_signer() -> PrivateKeySigner {
    // The constant is a valid key; a failure here is a programming error caught by tests.
    PrivateKeySigner::from_str(ANVIL_DEV_KEY_0).expect("ANVIL_DEV_KEY_0 is a valid key")
}

/// Same as [`anvil_dev_signer`], as a `Result` for `?` call sites. Never fails in practice.
pub fn dev_signer() -> Result<PrivateKeySigner> {
    PrivateKeySigner::from_str(ANVIL_DEV_KEY_0)
        .map_err(|e| Error::local(format!("ANVIL_DEV_KEY_0: {e}")))
}

/// `eth_chainId` of the chain at `rpc_url` (one attempt, bounded by [`DEVCHAIN_TIMEOUT`]).
/// Errors: bad URL → Local; RPC failure/timeout → Remote.
pub async fn chain_id(rpc_url: &str) -> Result<u64> {
    let ctx = RpcCtx::new(rpc_url, DEVCHAIN_TIMEOUT)?;
    ctx.guard("eth_chainId", ctx.provider.get_chain_id()).await
}

/// Wait until the chain at `rpc_url` answers `eth_chainId` (retrying every 100 ms, each
/// attempt bounded by 2 s), at most `timeout` in total; returns the chain id.
/// Errors: bad URL → Local; still not answering after `timeout` → Remote (last error).
pub async fn wait_for_rpc(rpc_url: &str, timeout: Duration) -> Result<u64> {
    let ctx = RpcCtx::new(
        rpc_url,
        Duration::from_secs(2).min(timeout.max(Duration::from_millis(100))),
    )?;
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match ctx.guard("eth_chainId", ctx.provider.get_chain_id()).await {
            Ok(id) => return Ok(id),
            Err(e) if tokio::time::Instant::now() >= deadline => {
                return Err(e.context(format!(
                    "chain RPC not answering after {} s",
                    timeout.as_secs()
                )))
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Creation bytecode (`"bytecode"`, `0x…` hex) of a contract artifact JSON
/// (`{"contractName","abi","bytecode","deployedBytecode","solcVersion"}`).
/// Errors: malformed JSON, missing/empty/non-hex bytecode → Local.
pub fn artifact_bytecode(artifact_json: &str) -> Result<Vec<u8>> {
    let v: serde_json::Value = serde_json::from_str(artifact_json)
        .map_err(|e| Error::local(format!("contract artifact: invalid JSON: {e}")))?;
    let name = v
        .get("contractName")
        .and_then(|n| n.as_str())
        .unwrap_or("?")
        .to_string();
    let code = v
        .get("bytecode")
        .and_then(|b| b.as_str())
        .ok_or_else(|| Error::local(format!("contract artifact {name}: no \"bytecode\" string")))?;
    let code = code.strip_prefix("0x").unwrap_or(code);
    let bytes = hex::decode(code)
        .map_err(|e| Error::local(format!("contract artifact {name}: bad bytecode hex: {e}")))?;
    if bytes.is_empty() {
        return Err(Error::local(format!(
            "contract artifact {name}: empty bytecode"
        )));
    }
    Ok(bytes)
}

/// Deploy a fresh MockNovaAppRegistry (owner = `deployer`) and a KMSRegistry
/// (`constructor(deployer, mock)`), then: `kms.setKmsAppId(kms_app_id)`,
/// `mock.createApp(kms_app_id, kmsRegistry, "novakms devnet KMS")` and
/// `mock.addVersion(kms_app_id, "v1", 0x0)` (version id [`DEVNET_KMS_VERSION_ID`], ENROLLED).
///
/// `deployer` pays gas (on anvil: [`anvil_dev_signer`]). Each step is bounded by
/// [`DEVCHAIN_TIMEOUT`]. Errors: bad URL/artifact → Local; RPC failure/timeout → Remote;
/// `kms_app_id == 0` → Local; revert → NotReady.
pub async fn deploy_contracts(
    rpc_url: &str,
    deployer: &PrivateKeySigner,
    kms_app_id: u64,
) -> Result<Deployed> {
    if kms_app_id == 0 {
        return Err(Error::local(
            "devnet deployment: the KMS app id must not be 0",
        ));
    }
    let ctx = RpcCtx::new(rpc_url, DEVCHAIN_TIMEOUT)?;
    let from = deployer.address();
    let provider = ctx.wallet_provider(deployer.clone());

    let mock_code = artifact_bytecode(MOCK_REGISTRY_ARTIFACT)?;
    let nova = deploy(
        &ctx,
        &provider,
        from,
        "deploy MockNovaAppRegistry",
        mock_code,
    )
    .await?;

    let mut kms_code = artifact_bytecode(KMS_REGISTRY_ARTIFACT)?;
    kms_code.extend_from_slice(
        &KMSRegistry::constructorCall {
            initialOwner: from,
            appRegistry_: nova,
        }
        .abi_encode(),
    );
    let kms = deploy(&ctx, &provider, from, "deploy KMSRegistry", kms_code).await?;

    let kms_c = KMSRegistry::new(kms, &provider);
    ctx.send_and_confirm(
        "setKmsAppId",
        &kms_c.setKmsAppId(U256::from(kms_app_id)).from(from),
    )
    .await?;

    let admin = RegistryAdmin {
        ctx,
        provider,
        from,
        nova,
    };
    admin
        .create_app(kms_app_id, &canonical_address(&kms), DEVNET_KMS_METADATA)
        .await?;
    let v = admin.add_version(kms_app_id, "v1", [0u8; 32]).await?;
    if v != DEVNET_KMS_VERSION_ID {
        return Err(Error::local(format!(
            "devnet deployment: KMS version id is {v}, expected {DEVNET_KMS_VERSION_ID}"
        )));
    }
    Ok(Deployed {
        nova_app_registry: canonical_address(&nova),
        kms_registry: canonical_address(&kms),
    })
}

async fn deploy(
    ctx: &RpcCtx,
    provider: &DynProvider<Ethereum>,
    from: Address,
    what: &str,
    code: Vec<u8>,
) -> Result<Address> {
    let call = RawCallBuilder::new_raw_deploy(provider, Bytes::from(code)).from(from);
    let receipt = ctx.send_and_confirm(what, &call).await?;
    receipt.contract_address.ok_or_else(|| {
        Error::remote(format!(
            "chain RPC {}: {what}: receipt has no contract address",
            ctx.label
        ))
    })
}

/// Send `wei` from `from` to `to` (hex address) and wait for the receipt, so a node wallet can
/// pay gas for `setMasterSecretHash`. Returns the transaction hash (`0x` + 64 hex).
/// Errors: bad URL/address → Local; RPC failure/timeout (incl. insufficient funds) → Remote.
pub async fn fund(rpc_url: &str, from: &PrivateKeySigner, to: &str, wei: u128) -> Result<String> {
    let ctx = RpcCtx::new(rpc_url, DEVCHAIN_TIMEOUT)?;
    let to = parse_address("recipient", to)?;
    let provider = ctx.wallet_provider(from.clone());
    let tx = TransactionRequest::default()
        .with_from(from.address())
        .with_to(to)
        .with_value(U256::from(wei));
    let what = format!("fund {}", canonical_address(&to));
    let pending = ctx.guard(&what, provider.send_transaction(tx)).await?;
    let hash = *pending.tx_hash();
    let receipt = ctx.wait_receipt(&what, hash).await?;
    if !receipt.status() {
        return Err(Error::remote(format!(
            "chain RPC {}: {what}: transaction {hash:#x} failed",
            ctx.label
        )));
    }
    Ok(format!("{hash:#x}"))
}

/// Owner-side administration of a MockNovaAppRegistry (`contracts/src/MockNovaAppRegistry.sol`).
/// Every method sends one transaction signed by the owner, waits for its receipt and fails on
/// revert (NotReady, reason decoded, e.g. `not owner`, `App not found`, `wallet has instance`).
#[derive(Clone)]
pub struct RegistryAdmin {
    ctx: RpcCtx,
    provider: DynProvider<Ethereum>,
    from: Address,
    nova: Address,
}

impl std::fmt::Debug for RegistryAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryAdmin")
            .field("rpc", &self.ctx.label)
            .field("owner", &canonical_address(&self.from))
            .field("nova_app_registry", &canonical_address(&self.nova))
            .finish()
    }
}

impl RegistryAdmin {
    /// Admin for the mock registry at `nova_app_registry` (hex address), signing with `owner`
    /// (the deployer, e.g. [`dev_signer`]); every RPC step bounded by [`DEVCHAIN_TIMEOUT`]
    /// (change with [`Self::with_timeout`]). No network I/O. Errors: bad URL/address → Local.
    pub fn new(rpc_url: &str, nova_app_registry: &str, owner: PrivateKeySigner) -> Result<Self> {
        let ctx = RpcCtx::new(rpc_url, DEVCHAIN_TIMEOUT)?;
        let nova = parse_address("NovaAppRegistry", nova_app_registry)?;
        let from = owner.address();
        let provider = ctx.wallet_provider(owner);
        Ok(RegistryAdmin {
            ctx,
            provider,
            from,
            nova,
        })
    }

    /// Bound every RPC step by `timeout` instead (the receipt wait is at least
    /// `timeout`, default 60 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.ctx.timeout = timeout;
        self.ctx.receipt_timeout = self.ctx.receipt_timeout.max(timeout);
        self
    }

    /// The owner address, canonical.
    pub fn owner(&self) -> String {
        canonical_address(&self.from)
    }

    /// The registry address, canonical.
    pub fn nova_app_registry(&self) -> String {
        canonical_address(&self.nova)
    }

    fn mock(&self) -> MockNovaAppRegistry::MockNovaAppRegistryInstance<&DynProvider<Ethereum>> {
        MockNovaAppRegistry::new(self.nova, &self.provider)
    }

    async fn send<P: Provider<Ethereum>, D: alloy::contract::CallDecoder>(
        &self,
        what: &str,
        call: alloy::contract::CallBuilder<P, D, Ethereum>,
    ) -> Result<TransactionReceipt> {
        self.ctx.send_and_confirm(what, &call.from(self.from)).await
    }

    /// `createApp(app_id, dapp_contract, metadata_uri)`: app ACTIVE, no versions. `app_id` must
    /// be non-zero and unused; `dapp_contract` may be the zero address (no operator callbacks).
    /// Returns the tx hash.
    pub async fn create_app(
        &self,
        app_id: u64,
        dapp_contract: &str,
        metadata_uri: &str,
    ) -> Result<String> {
        let dapp = parse_address("dappContract", dapp_contract)?;
        let m = self.mock();
        let r = self
            .send(
                &format!("createApp({app_id})"),
                m.createApp(U256::from(app_id), dapp, metadata_uri.to_string()),
            )
            .await?;
        Ok(tx_hash(&r))
    }

    /// `setAppStatus(app_id, status)` (AppStatus: 0 ACTIVE, 1 INACTIVE, 2 REVOKED; any u8).
    /// Returns the tx hash.
    pub async fn set_app_status(&self, app_id: u64, status: u8) -> Result<String> {
        let m = self.mock();
        let r = self
            .send(
                &format!("setAppStatus({app_id}, {status})"),
                m.setAppStatus(U256::from(app_id), status),
            )
            .await?;
        Ok(tx_hash(&r))
    }

    /// `addVersion(app_id, version_name, code_measurement)`: the next version id of the app
    /// (1, 2, …), status ENROLLED. Returns the new version id (from the `VersionAdded` event).
    pub async fn add_version(
        &self,
        app_id: u64,
        version_name: &str,
        code_measurement: [u8; 32],
    ) -> Result<u64> {
        let m = self.mock();
        let what = format!("addVersion({app_id}, {version_name:?})");
        let r = self
            .send(
                &what,
                m.addVersion(
                    U256::from(app_id),
                    version_name.to_string(),
                    B256::from(code_measurement),
                ),
            )
            .await?;
        let ev = r
            .decoded_log::<MockNovaAppRegistry::VersionAdded>()
            .ok_or_else(|| self.no_event(&what, "VersionAdded"))?;
        Ok(u256_to_u64(ev.data.versionId))
    }

    /// `setVersionStatus(app_id, version_id, status)` (VersionStatus: 0 ENROLLED,
    /// 1 DEPRECATED, 2 REVOKED; any u8). Returns the tx hash.
    pub async fn set_version_status(
        &self,
        app_id: u64,
        version_id: u64,
        status: u8,
    ) -> Result<String> {
        let m = self.mock();
        let r = self
            .send(
                &format!("setVersionStatus({app_id}, {version_id}, {status})"),
                m.setVersionStatus(U256::from(app_id), U256::from(version_id), status),
            )
            .await?;
        Ok(tx_hash(&r))
    }

    /// `registerInstance(app_id, version_id, operator, instance_url, tee_pubkey, tee_wallet,
    /// zk_verified)`: a new ACTIVE instance (global ids from 1). Addresses are hex strings;
    /// `tee_pubkey` raw bytes (P-384 SPKI DER for KMS nodes, §3.4); the app and version must
    /// exist and `tee_wallet` must not have an instance yet. If the app has a dappContract (the
    /// KMS app: KMSRegistry) its `addOperator` callback runs in the same transaction.
    /// Returns the new instance id (from the `InstanceRegistered` event).
    #[allow(clippy::too_many_arguments)]
    pub async fn register_instance(
        &self,
        app_id: u64,
        version_id: u64,
        operator: &str,
        instance_url: &str,
        tee_pubkey: &[u8],
        tee_wallet: &str,
        zk_verified: bool,
    ) -> Result<u64> {
        let operator = parse_address("operator", operator)?;
        let wallet = parse_address("teeWalletAddress", tee_wallet)?;
        let m = self.mock();
        let what = format!(
            "registerInstance(app {app_id}, version {version_id}, wallet {})",
            canonical_address(&wallet)
        );
        let r = self
            .send(
                &what,
                m.registerInstance(
                    U256::from(app_id),
                    U256::from(version_id),
                    operator,
                    instance_url.to_string(),
                    Bytes::from(tee_pubkey.to_vec()),
                    wallet,
                    zk_verified,
                ),
            )
            .await?;
        let ev = r
            .decoded_log::<MockNovaAppRegistry::InstanceRegistered>()
            .ok_or_else(|| self.no_event(&what, "InstanceRegistered"))?;
        Ok(u256_to_u64(ev.data.instanceId))
    }

    /// `removeInstance(instance_id)` (runs the dappContract's `removeOperator`). Returns the tx hash.
    pub async fn remove_instance(&self, instance_id: u64) -> Result<String> {
        let m = self.mock();
        let r = self
            .send(
                &format!("removeInstance({instance_id})"),
                m.removeInstance(U256::from(instance_id)),
            )
            .await?;
        Ok(tx_hash(&r))
    }

    /// `setInstanceStatus(instance_id, status)` (InstanceStatus: 0 ACTIVE, 1 STOPPED, 2 FAILED;
    /// any u8). Returns the tx hash.
    pub async fn set_instance_status(&self, instance_id: u64, status: u8) -> Result<String> {
        let m = self.mock();
        let r = self
            .send(
                &format!("setInstanceStatus({instance_id}, {status})"),
                m.setInstanceStatus(U256::from(instance_id), status),
            )
            .await?;
        Ok(tx_hash(&r))
    }

    /// `KMSRegistry.resetMasterSecretHash()` on the registry at `kms_registry` (hex address),
    /// signed by this admin's key (the KMSRegistry owner on a devnet: both contracts are deployed
    /// by [`dev_signer`]). Sets the on-chain hash to zero: the cluster rotates its master secret
    /// (protocol.md §9.2; issue 10 "rotation honoured"). Returns the tx hash.
    /// Errors: bad address → Local; revert (not the owner) or RPC failure → Remote.
    pub async fn reset_master_secret_hash(&self, kms_registry: &str) -> Result<String> {
        let kms = parse_address("KMSRegistry", kms_registry)?;
        let c = KMSRegistry::new(kms, &self.provider);
        let r = self
            .send("resetMasterSecretHash()", c.resetMasterSecretHash())
            .await?;
        Ok(tx_hash(&r))
    }

    /// `setInstanceZkVerified(instance_id, zk_verified)`. Returns the tx hash.
    pub async fn set_instance_zk_verified(
        &self,
        instance_id: u64,
        zk_verified: bool,
    ) -> Result<String> {
        let m = self.mock();
        let r = self
            .send(
                &format!("setInstanceZkVerified({instance_id}, {zk_verified})"),
                m.setInstanceZkVerified(U256::from(instance_id), zk_verified),
            )
            .await?;
        Ok(tx_hash(&r))
    }

    /// `setInstanceUrl(instance_id, url)`. Returns the tx hash.
    pub async fn set_instance_url(&self, instance_id: u64, url: &str) -> Result<String> {
        let m = self.mock();
        let r = self
            .send(
                &format!("setInstanceUrl({instance_id})"),
                m.setInstanceUrl(U256::from(instance_id), url.to_string()),
            )
            .await?;
        Ok(tx_hash(&r))
    }

    /// `setInstanceTeePubkey(instance_id, tee_pubkey)` (raw bytes). Returns the tx hash.
    pub async fn set_instance_tee_pubkey(
        &self,
        instance_id: u64,
        tee_pubkey: &[u8],
    ) -> Result<String> {
        let m = self.mock();
        let r = self
            .send(
                &format!("setInstanceTeePubkey({instance_id})"),
                m.setInstanceTeePubkey(U256::from(instance_id), Bytes::from(tee_pubkey.to_vec())),
            )
            .await?;
        Ok(tx_hash(&r))
    }

    fn no_event(&self, what: &str, event: &str) -> Error {
        Error::remote(format!(
            "chain RPC {}: {what}: receipt has no {event} event",
            self.ctx.label
        ))
    }
}

fn tx_hash(r: &TransactionReceipt) -> String {
    format!("{:#x}", r.transaction_hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::json_abi::JsonAbi;
    use std::collections::BTreeSet;

    fn abi_of(artifact: &str) -> JsonAbi {
        let v: serde_json::Value = serde_json::from_str(artifact).unwrap();
        serde_json::from_value(v["abi"].clone()).unwrap()
    }

    #[test]
    fn artifacts_have_bytecode() {
        assert!(artifact_bytecode(KMS_REGISTRY_ARTIFACT).unwrap().len() > 100);
        assert!(artifact_bytecode(MOCK_REGISTRY_ARTIFACT).unwrap().len() > 100);
        let e = artifact_bytecode(r#"{"contractName":"X","bytecode":"0x"}"#).unwrap_err();
        assert!(e.message().contains("empty"), "{e}");
        assert!(artifact_bytecode(r#"{"contractName":"X","bytecode":"0xzz"}"#).is_err());
        assert!(artifact_bytecode("nope").is_err());
        assert!(artifact_bytecode("{}").is_err());
    }

    #[test]
    fn dev_signer_is_anvil_account_0() {
        assert_eq!(
            canonical_address(&anvil_dev_signer().address()),
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
        );
    }

    /// The hand-written `sol!` bindings must match the compiled artifacts exactly
    /// (function selectors, event topics, custom errors).
    #[test]
    fn bindings_match_artifacts() {
        let kms = abi_of(KMS_REGISTRY_ARTIFACT);
        let fns: BTreeSet<[u8; 4]> = kms.functions().map(|f| f.selector().0).collect();
        let ours: BTreeSet<[u8; 4]> = KMSRegistry::KMSRegistryCalls::SELECTORS
            .iter()
            .copied()
            .collect();
        assert_eq!(fns, ours, "KMSRegistry functions");
        let evs: BTreeSet<B256> = kms.events().map(|e| e.selector()).collect();
        let ours: BTreeSet<B256> = KMSRegistry::KMSRegistryEvents::SELECTORS
            .iter()
            .map(|s| B256::from(*s))
            .collect();
        assert_eq!(evs, ours, "KMSRegistry events");
        let errs: BTreeSet<[u8; 4]> = kms.errors().map(|e| e.selector().0).collect();
        let ours: BTreeSet<[u8; 4]> = KMSRegistry::KMSRegistryErrors::SELECTORS
            .iter()
            .copied()
            .collect();
        assert_eq!(errs, ours, "KMSRegistry errors");

        let mock = abi_of(MOCK_REGISTRY_ARTIFACT);
        let fns: BTreeSet<[u8; 4]> = mock.functions().map(|f| f.selector().0).collect();
        let ours: BTreeSet<[u8; 4]> = MockNovaAppRegistry::MockNovaAppRegistryCalls::SELECTORS
            .iter()
            .copied()
            .collect();
        assert_eq!(fns, ours, "MockNovaAppRegistry functions");
        let evs: BTreeSet<B256> = mock.events().map(|e| e.selector()).collect();
        let ours: BTreeSet<B256> = MockNovaAppRegistry::MockNovaAppRegistryEvents::SELECTORS
            .iter()
            .map(|s| B256::from(*s))
            .collect();
        assert_eq!(evs, ours, "MockNovaAppRegistry events");

        // The view interface is a subset of the mock (same selectors and return types).
        for f in super::super::bindings::INovaAppRegistry::INovaAppRegistryCalls::SELECTORS {
            assert!(fns.contains(f), "view {f:?} missing from the mock");
        }
        // The constructors take what deploy_contracts passes.
        let c = kms.constructor().expect("KMSRegistry constructor");
        let tys: Vec<&str> = c.inputs.iter().map(|p| p.ty.as_str()).collect();
        assert_eq!(tys, ["address", "address"]);
        assert!(mock.constructor().is_none_or(|c| c.inputs.is_empty()));
    }
}
