//! Chain RPC client for the NovaAppRegistry views and the KMSRegistry (protocol.md §9).
//!
//! One [`RegistryClient`] owns one HTTP provider (one `reqwest` connection pool with a
//! request timeout); clones share it. Every call is additionally bounded by
//! `tokio::time::timeout`, so a chain RPC that accepts connections but never answers cannot
//! stall a caller longer than the configured timeout.
//!
//! Error mapping (crate-wide kinds, design.md §6):
//! * bad address / URL arguments → [`ErrorKind::Local`];
//! * timeout, transport failure, JSON-RPC error, undecodable answer → [`ErrorKind::Remote`] with
//!   a message `chain RPC <url>: <call> …` (the URL is reduced to scheme/host/port so API keys in
//!   paths or query strings never reach logs);
//! * the call or transaction **reverted** → [`ErrorKind::NotReady`] ("reachable but not in the
//!   expected state") with the decoded reason: a KMSRegistry custom error name (e.g.
//!   `MasterSecretHashAlreadySet`), a `require` string (e.g. `App not found`) or a panic code.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use alloy::contract::{CallBuilder, CallDecoder};
use alloy::network::{Ethereum, EthereumWallet};
use alloy::primitives::{Address, TxHash, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder, RootProvider};
use alloy::rpc::client::ClientBuilder;
use alloy::rpc::types::TransactionReceipt;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{Panic, Revert, SolError};
use alloy::transports::http::reqwest;

use super::bindings::{INovaAppRegistry, KMSRegistry};
use super::types::{
    canonical_address, parse_address, u256_to_u64, AppInfo, InstanceInfo, VersionInfo,
};
use crate::error::{Error, ErrorKind, Result};

/// Default bound on waiting for a transaction receipt after submission.
pub const DEFAULT_RECEIPT_TIMEOUT: Duration = Duration::from_secs(60);

const HTTP_BACKSTOP_SLACK: Duration = Duration::from_millis(250);

/// Shared RPC plumbing: provider, redacted URL label, timeouts and error mapping.
/// Used by [`RegistryClient`] and by the devnet admin (`super::devchain`).
#[derive(Clone)]
pub(crate) struct RpcCtx {
    /// The root provider (no fillers): reads and receipt polling.
    pub(crate) provider: RootProvider<Ethereum>,
    /// `scheme://host[:port]` (plus `/…` when the URL had a path), safe to log.
    pub(crate) label: Arc<str>,
    /// The URL as given, used only to scrub it out of transport error texts.
    raw_url: Arc<str>,
    /// Bound on every single RPC step (one call, or fill+submit of one transaction).
    pub(crate) timeout: Duration,
    /// Bound on waiting for a receipt after a transaction was accepted.
    pub(crate) receipt_timeout: Duration,
    /// Receipt polling interval (short for local nodes).
    poll_interval: Duration,
}

impl RpcCtx {
    /// Build the HTTP provider for `rpc_url` with a `reqwest` client timeout of `timeout`.
    /// Errors: unparsable URL or non-HTTP scheme → Local; HTTP client construction → Local.
    pub(crate) fn new(rpc_url: &str, timeout: Duration) -> Result<Self> {
        let url = reqwest::Url::parse(rpc_url.trim())
            .map_err(|e| Error::local(format!("invalid chain RPC URL: {e}")))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(Error::local(format!(
                "invalid chain RPC URL: scheme {:?} is not http or https",
                url.scheme()
            )));
        }
        let label = redact_url(&url);
        // The HTTP client timeout is a backstop, slightly longer than the tokio timeout so that
        // the clearer "timed out after …" error of `guard` normally wins.
        let http = crate::tls::client::builder()
            .timeout(timeout + HTTP_BACKSTOP_SLACK)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| {
                Error::local(format!("chain RPC {label}: cannot build HTTP client: {e}"))
            })?;
        let local = matches!(
            url.host_str(),
            Some("localhost") | Some("127.0.0.1") | Some("[::1]") | Some("::1")
        );
        let client = ClientBuilder::default().http_with_client(http, url);
        Ok(RpcCtx {
            provider: RootProvider::new(client),
            label: label.into(),
            raw_url: rpc_url.trim().into(),
            timeout,
            receipt_timeout: DEFAULT_RECEIPT_TIMEOUT.max(timeout),
            poll_interval: if local {
                Duration::from_millis(100)
            } else {
                Duration::from_secs(1)
            },
        })
    }

    /// A provider that fills gas (EIP-1559 fees + estimate), nonce (fetched per tx, no local
    /// cache that could drift after a failed send) and chain id, and signs locally with
    /// `signer`. Cheap: shares the root provider's HTTP client.
    pub(crate) fn wallet_provider(&self, signer: PrivateKeySigner) -> DynProvider<Ethereum> {
        ProviderBuilder::new()
            .disable_recommended_fillers()
            .with_gas_estimation()
            .with_simple_nonce_management()
            .fetch_chain_id()
            .wallet(EthereumWallet::from(signer))
            .connect_provider(self.provider.clone())
            .erased()
    }

    /// Run one RPC step under the timeout; map its error (see module docs).
    pub(crate) async fn guard<T, E, F>(&self, what: &str, fut: F) -> Result<T>
    where
        F: IntoFuture<Output = std::result::Result<T, E>>,
        E: Into<alloy::contract::Error>,
    {
        match tokio::time::timeout(self.timeout, fut.into_future()).await {
            Err(_) => Err(Error::remote(format!(
                "chain RPC {}: {what} timed out after {}",
                self.label,
                fmt_duration(self.timeout)
            ))),
            Ok(Err(e)) => Err(self.map_err(what, e.into())),
            Ok(Ok(v)) => Ok(v),
        }
    }

    /// Map an alloy contract/transport error: reverts → NotReady (with decoded reason), the
    /// rest → Remote. Scrubs the raw URL from the text.
    pub(crate) fn map_err(&self, what: &str, e: alloy::contract::Error) -> Error {
        if let Some(reason) = revert_reason(&e) {
            return Error::new(
                ErrorKind::NotReady,
                format!("chain RPC {}: {what} reverted: {reason}", self.label),
            );
        }
        let text = self.scrub(&error_chain(&e));
        Error::remote(format!("chain RPC {}: {what} failed: {text}", self.label))
    }

    fn scrub(&self, text: &str) -> String {
        let mut t = text.to_string();
        if !self.raw_url.is_empty() {
            t = t.replace(&*self.raw_url, &self.label);
            let slash = format!("{}/", self.raw_url.trim_end_matches('/'));
            t = t.replace(&slash, &self.label);
        }
        t
    }

    /// Submit `call` (already bound to a wallet provider and `from`), wait for its receipt
    /// (bounded by `receipt_timeout`) and require success. A revert at estimation time or on
    /// chain → NotReady with the decoded reason (an on-chain revert is replayed with
    /// `eth_call` to learn the reason).
    pub(crate) async fn send_and_confirm<P, D>(
        &self,
        what: &str,
        call: &CallBuilder<P, D, Ethereum>,
    ) -> Result<TransactionReceipt>
    where
        P: Provider<Ethereum>,
        D: CallDecoder,
    {
        let pending = self.guard(what, call.send()).await?;
        let hash = *pending.tx_hash();
        let receipt = self.wait_receipt(what, hash).await?;
        if receipt.status() {
            return Ok(receipt);
        }
        // Reverted on chain (e.g. lost a race between estimation and inclusion): replay.
        let why = match tokio::time::timeout(self.timeout, call.call().into_future()).await {
            Ok(Err(e)) => match revert_reason(&e) {
                Some(r) => r,
                None => "unknown reason".to_string(),
            },
            _ => "unknown reason".to_string(),
        };
        Err(Error::new(
            ErrorKind::NotReady,
            format!(
                "chain RPC {}: {what}: transaction {hash:#x} reverted: {why}",
                self.label
            ),
        ))
    }

    /// Poll `eth_getTransactionReceipt` until the receipt appears or `receipt_timeout` passes.
    pub(crate) async fn wait_receipt(
        &self,
        what: &str,
        hash: TxHash,
    ) -> Result<TransactionReceipt> {
        let deadline = tokio::time::Instant::now() + self.receipt_timeout;
        loop {
            let step = format!("{what}: eth_getTransactionReceipt({hash:#x})");
            if let Some(r) = self
                .guard(&step, self.provider.get_transaction_receipt(hash))
                .await?
            {
                return Ok(r);
            }
            if tokio::time::Instant::now() + self.poll_interval > deadline {
                return Err(Error::remote(format!(
                    "chain RPC {}: {what}: no receipt for transaction {hash:#x} after {}",
                    self.label,
                    fmt_duration(self.receipt_timeout)
                )));
            }
            tokio::time::sleep(self.poll_interval).await;
        }
    }
}

/// Client for the registry reads of the node and the `setMasterSecretHash` transaction
/// (protocol.md §9.1, §9.2, §9.4). Cheap to clone (shares one provider).
#[derive(Clone)]
pub struct RegistryClient {
    ctx: RpcCtx,
    nova: Address,
    kms: Address,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("rpc", &self.ctx.label)
            .field("nova_app_registry", &canonical_address(&self.nova))
            .field("kms_registry", &canonical_address(&self.kms))
            .field("timeout", &self.ctx.timeout)
            .finish()
    }
}

impl RegistryClient {
    /// Client for the chain JSON-RPC at `rpc_url` (http/https), the NovaAppRegistry at
    /// `nova_app_registry` and the KMSRegistry at `kms_registry` (hex addresses, `0x`
    /// optional, checksum not checked). `timeout` bounds every RPC step (upstream: 10 s, §0).
    ///
    /// No network I/O happens here. Errors: invalid URL or address → [`ErrorKind::Local`].
    pub fn new(
        rpc_url: &str,
        nova_app_registry: &str,
        kms_registry: &str,
        timeout: Duration,
    ) -> Result<Self> {
        let nova = parse_address("NovaAppRegistry", nova_app_registry)?;
        let kms = parse_address("KMSRegistry", kms_registry)?;
        Ok(RegistryClient {
            ctx: RpcCtx::new(rpc_url, timeout)?,
            nova,
            kms,
        })
    }

    /// Change how long [`Self::set_master_secret_hash`] waits for the receipt after the
    /// transaction was accepted (default [`DEFAULT_RECEIPT_TIMEOUT`], never below `timeout`).
    pub fn with_receipt_timeout(mut self, receipt_timeout: Duration) -> Self {
        self.ctx.receipt_timeout = receipt_timeout;
        self
    }

    /// The RPC plumbing (for `super::rawtx`).
    pub(crate) fn ctx(&self) -> &RpcCtx {
        &self.ctx
    }

    /// KMSRegistry address.
    pub(crate) fn kms_address(&self) -> Address {
        self.kms
    }

    /// The chain RPC URL reduced to `scheme://host[:port]` (safe to log / show).
    pub fn rpc_label(&self) -> &str {
        &self.ctx.label
    }

    /// The per-call timeout.
    pub fn timeout(&self) -> Duration {
        self.ctx.timeout
    }

    /// NovaAppRegistry address, canonical (`0x` + 40 lowercase hex).
    pub fn nova_app_registry(&self) -> String {
        canonical_address(&self.nova)
    }

    /// KMSRegistry address, canonical (`0x` + 40 lowercase hex).
    pub fn kms_registry(&self) -> String {
        canonical_address(&self.kms)
    }

    /// `eth_chainId`. Errors: Remote (timeout/transport).
    pub async fn chain_id(&self) -> Result<u64> {
        self.ctx
            .guard("eth_chainId", self.ctx.provider.get_chain_id())
            .await
    }

    /// `NovaAppRegistry.getInstanceByWallet(wallet)` (§9.1). `wallet`: hex address (any case,
    /// `0x` optional). An unknown wallet yields the zeroed struct, returned as is (`id == 0`,
    /// see [`InstanceInfo::is_not_found`]).
    ///
    /// Errors: bad `wallet` → Local; timeout/transport → Remote; revert → NotReady.
    pub async fn get_instance_by_wallet(&self, wallet: &str) -> Result<InstanceInfo> {
        let w = parse_address("wallet", wallet)?;
        let reg = INovaAppRegistry::new(self.nova, &self.ctx.provider);
        let what = format!("getInstanceByWallet({})", canonical_address(&w));
        let r = self
            .ctx
            .guard(&what, reg.getInstanceByWallet(w).call())
            .await?;
        Ok(r.into())
    }

    /// `NovaAppRegistry.getInstance(instance_id)` (§9.1, unused by the node; for the CLI).
    /// Unknown id → zeroed struct (`id == 0`) on the mock.
    ///
    /// Errors: timeout/transport → Remote; revert → NotReady.
    pub async fn get_instance(&self, instance_id: u64) -> Result<InstanceInfo> {
        let reg = INovaAppRegistry::new(self.nova, &self.ctx.provider);
        let what = format!("getInstance({instance_id})");
        let r = self
            .ctx
            .guard(&what, reg.getInstance(U256::from(instance_id)).call())
            .await?;
        Ok(r.into())
    }

    /// `NovaAppRegistry.getApp(app_id)` (§9.1).
    ///
    /// Errors: timeout/transport → Remote; revert (the mock reverts `App not found` for an
    /// unknown id) → NotReady, message `… getApp(<id>) reverted: <reason>`.
    pub async fn get_app(&self, app_id: u64) -> Result<AppInfo> {
        let reg = INovaAppRegistry::new(self.nova, &self.ctx.provider);
        let what = format!("getApp({app_id})");
        let r = self
            .ctx
            .guard(&what, reg.getApp(U256::from(app_id)).call())
            .await?;
        Ok(r.into())
    }

    /// `NovaAppRegistry.getVersion(app_id, version_id)` (§9.1).
    ///
    /// Errors: timeout/transport → Remote; revert (mock: `Version not found`) → NotReady.
    pub async fn get_version(&self, app_id: u64, version_id: u64) -> Result<VersionInfo> {
        let reg = INovaAppRegistry::new(self.nova, &self.ctx.provider);
        let what = format!("getVersion({app_id}, {version_id})");
        let r = self
            .ctx
            .guard(
                &what,
                reg.getVersion(U256::from(app_id), U256::from(version_id))
                    .call(),
            )
            .await?;
        Ok(r.into())
    }

    /// `NovaAppRegistry.getActiveInstances(app_id)` (§9.1, §6.1): TEE wallets of the app's
    /// ACTIVE instances, canonical (`0x` + 40 lowercase hex), in registry order.
    ///
    /// Errors: timeout/transport → Remote; revert → NotReady.
    pub async fn get_active_instances(&self, app_id: u64) -> Result<Vec<String>> {
        let reg = INovaAppRegistry::new(self.nova, &self.ctx.provider);
        let what = format!("getActiveInstances({app_id})");
        let r = self
            .ctx
            .guard(&what, reg.getActiveInstances(U256::from(app_id)).call())
            .await?;
        Ok(r.iter().map(canonical_address).collect())
    }

    /// `NovaAppRegistry.getInstancesForVersion(app_id, version_id)` (§9.1): instance ids
    /// (values above u64 map to 0).
    ///
    /// Errors: timeout/transport → Remote; revert → NotReady.
    pub async fn get_instances_for_version(
        &self,
        app_id: u64,
        version_id: u64,
    ) -> Result<Vec<u64>> {
        let reg = INovaAppRegistry::new(self.nova, &self.ctx.provider);
        let what = format!("getInstancesForVersion({app_id}, {version_id})");
        let r = self
            .ctx
            .guard(
                &what,
                reg.getInstancesForVersion(U256::from(app_id), U256::from(version_id))
                    .call(),
            )
            .await?;
        Ok(r.into_iter().map(u256_to_u64).collect())
    }

    /// `KMSRegistry.masterSecretHash()` (§9.2, §7.2 step 7): 32 bytes, all zero = unset.
    ///
    /// Errors: timeout/transport → Remote; revert → NotReady.
    pub async fn master_secret_hash(&self) -> Result<[u8; 32]> {
        let kms = KMSRegistry::new(self.kms, &self.ctx.provider);
        let h: B256 = self
            .ctx
            .guard("masterSecretHash()", kms.masterSecretHash().call())
            .await?;
        Ok(h.0)
    }

    /// `KMSRegistry.kmsAppId()` (§9.2): 0 = not set (values above u64 map to 0).
    ///
    /// Errors: timeout/transport → Remote; revert → NotReady.
    pub async fn kms_app_id(&self) -> Result<u64> {
        let kms = KMSRegistry::new(self.kms, &self.ctx.provider);
        let v = self.ctx.guard("kmsAppId()", kms.kmsAppId().call()).await?;
        Ok(u256_to_u64(v))
    }

    /// `KMSRegistry.getOperators()` (§9.2): operator TEE wallets, canonical.
    ///
    /// Errors: timeout/transport → Remote; revert → NotReady.
    pub async fn kms_operators(&self) -> Result<Vec<String>> {
        let kms = KMSRegistry::new(self.kms, &self.ctx.provider);
        let v = self
            .ctx
            .guard("getOperators()", kms.getOperators().call())
            .await?;
        Ok(v.iter().map(canonical_address).collect())
    }

    /// Send `KMSRegistry.setMasterSecretHash(hash)` (§7.2 step 8, §9.2) as an EIP-1559
    /// transaction signed locally by `signer` (the node wallet; it must hold gas funds), and
    /// wait for a successful receipt. Returns the transaction hash, `0x` + 64 lowercase hex.
    ///
    /// Errors: the contract refuses (at estimation or on chain) → NotReady whose message names
    /// the custom error, e.g. `… setMasterSecretHash reverted: MasterSecretHashAlreadySet` or
    /// `NotAuthorizedToSetHash`; timeout/transport/no receipt in time → Remote.
    pub async fn set_master_secret_hash(
        &self,
        signer: &PrivateKeySigner,
        hash: [u8; 32],
    ) -> Result<String> {
        let from = signer.address();
        let provider = self.ctx.wallet_provider(signer.clone());
        let kms = KMSRegistry::new(self.kms, &provider);
        let call = kms.setMasterSecretHash(B256::from(hash)).from(from);
        let receipt = self
            .ctx
            .send_and_confirm("setMasterSecretHash", &call)
            .await?;
        Ok(format!("{:#x}", receipt.transaction_hash))
    }
}

/// The revert reason of a failed call/transaction, or `None` when the error is not a revert
/// (transport failure, non-revert JSON-RPC error, decode error).
pub(crate) fn revert_reason(e: &alloy::contract::Error) -> Option<String> {
    let alloy::contract::Error::TransportError(te) = e else {
        return None;
    };
    let resp = te.as_error_resp()?;
    let msg = resp.message.to_ascii_lowercase();
    if resp.code != 3 && !msg.contains("revert") {
        return None;
    }
    match resp.as_revert_data() {
        Some(data) if !data.is_empty() => Some(describe_revert(&data)),
        _ => Some(resp.message.to_string()),
    }
}

/// Human-readable revert data: the KMSRegistry custom error name, the `Error(string)` reason,
/// `panic: <kind>`, or the raw hex.
pub(crate) fn describe_revert(data: &[u8]) -> String {
    if data.len() >= 4 {
        let sel: [u8; 4] = [data[0], data[1], data[2], data[3]];
        if let Some(name) = KMSRegistry::KMSRegistryErrors::name_by_selector(sel) {
            return name.to_string();
        }
        if let Ok(r) = Revert::abi_decode(data) {
            return r.reason;
        }
        if let Ok(p) = Panic::abi_decode(data) {
            return format!("panic: {p}");
        }
    }
    if data.is_empty() {
        "no revert data".to_string()
    } else {
        format!("revert data 0x{}", hex::encode(data))
    }
}

/// `e` and its sources joined with `: ` (skipping a source whose text is already included).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        cur = s.source();
    }
    out.push_str(crate::tls::client::certificate_hint(&out));
    out
}

/// `scheme://host[:port]`, plus `/…` when the URL had a non-root path or a query.
fn redact_url(url: &reqwest::Url) -> String {
    let mut s = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(p) = url.port() {
        s.push_str(&format!(":{p}"));
    }
    if (url.path() != "/" && !url.path().is_empty()) || url.query().is_some() {
        s.push_str("/…");
    }
    s
}

fn fmt_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolError;

    #[test]
    fn new_rejects_bad_inputs_as_local() {
        let t = Duration::from_secs(1);
        let ok = "0x0f68E6e699f2E972998a1EcC000c7ce103E64cc8";
        let e = RegistryClient::new("http://127.0.0.1:8545", "0x12", ok, t).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Local);
        assert!(e.message().contains("NovaAppRegistry"), "{e}");
        let e = RegistryClient::new("http://127.0.0.1:8545", ok, "zz", t).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Local);
        assert!(e.message().contains("KMSRegistry"), "{e}");
        let e = RegistryClient::new("not a url", ok, ok, t).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Local);
        let e = RegistryClient::new("ws://127.0.0.1:8545", ok, ok, t).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Local);
        let c = RegistryClient::new(" http://127.0.0.1:8545 ", ok, ok, t).unwrap();
        assert_eq!(c.nova_app_registry(), ok.to_ascii_lowercase());
        assert_eq!(c.rpc_label(), "http://127.0.0.1:8545");
    }

    #[test]
    fn url_redaction_hides_paths_and_queries() {
        let u = reqwest::Url::parse("https://mainnet.example.io/v3/SECRETKEY?x=1").unwrap();
        assert_eq!(redact_url(&u), "https://mainnet.example.io/…");
        let u = reqwest::Url::parse("http://user:pw@10.0.0.1:8545/").unwrap();
        assert_eq!(redact_url(&u), "http://10.0.0.1:8545");
    }

    #[test]
    fn revert_descriptions() {
        let d = KMSRegistry::MasterSecretHashAlreadySet {}.abi_encode();
        assert_eq!(describe_revert(&d), "MasterSecretHashAlreadySet");
        let d = KMSRegistry::NotAuthorizedToSetHash {}.abi_encode();
        assert_eq!(describe_revert(&d), "NotAuthorizedToSetHash");
        let d = Revert::from("App not found").abi_encode();
        assert_eq!(describe_revert(&d), "App not found");
        assert_eq!(describe_revert(&[]), "no revert data");
        assert_eq!(describe_revert(&[1, 2]), "revert data 0x0102");
    }

    #[test]
    fn durations_print_readably() {
        assert_eq!(fmt_duration(Duration::from_secs(10)), "10 s");
        assert_eq!(fmt_duration(Duration::from_millis(300)), "300 ms");
    }
}
