//! `setMasterSecretHash` signed outside novakms (identity = odyn, protocol.md §9.4–9.5): we
//! fill the transaction from the chain, an external signer (Odyn's `/v1/eth/sign-tx`) signs
//! it, and we submit the raw bytes with `eth_sendRawTransaction` and wait for the receipt.
//!
//! Fields, from the chain (§9.4): `chain_id` = `eth_chainId`; `nonce` =
//! `eth_getTransactionCount(wallet, "latest")`; tip = `eth_maxPriorityFeePerGas`; fee cap =
//! 2 × `baseFeePerGas` of the latest block + tip (§9.5); gas limit = `eth_estimateGas` + 20 %
//! (upstream sends a fixed 300,000; estimating first also turns a refusal such as
//! `MasterSecretHashAlreadySet` into a clear NotReady error before anything is signed).
//! The signed bytes are decoded and checked before submission: an EIP-1559 transaction with
//! exactly these fields, signed by the wallet.

use std::future::Future;

use alloy::consensus::{SignableTransaction, TxEnvelope};
use alloy::eips::eip2718::Decodable2718;
use alloy::eips::BlockNumberOrTag;
use alloy::primitives::{Bytes, TxKind, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;

use super::bindings::KMSRegistry;
use super::registry::{revert_reason, RegistryClient};
use super::types::parse_address;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::odyn::tx::StructuredTx;

/// The transaction in `raw` if it is an EIP-1559 transaction with exactly the fields of `want`
/// signed by `from`. Errors: Integrity naming the first mismatch.
pub fn check_signed(
    raw: &[u8],
    want: &StructuredTx,
    from: alloy::primitives::Address,
) -> Result<B256> {
    let bad = |m: &str| Error::integrity(format!("signed setMasterSecretHash transaction: {m}"));
    let env =
        TxEnvelope::decode_2718(&mut &raw[..]).map_err(|_| bad("not an EIP-2718 transaction"))?;
    let TxEnvelope::Eip1559(signed) = &env else {
        return Err(bad("not an EIP-1559 transaction"));
    };
    let tx = signed.tx();
    let same = tx.chain_id == want.chain_id
        && tx.nonce == want.nonce
        && tx.max_priority_fee_per_gas == want.max_priority_fee_per_gas
        && tx.max_fee_per_gas == want.max_fee_per_gas
        && tx.gas_limit == want.gas_limit
        && tx.to == TxKind::Call(want.to)
        && tx.value == want.value
        && tx.input == want.data
        && tx.access_list.is_empty();
    if !same {
        return Err(bad("fields differ from the ones requested"));
    }
    let signer = signed
        .signature()
        .recover_address_from_prehash(&tx.signature_hash())
        .map_err(|_| bad("signature does not recover"))?;
    if signer != from {
        return Err(bad(&format!("signed by {signer:#x}, expected {from:#x}")));
    }
    Ok(*signed.hash())
}

impl RegistryClient {
    /// `KMSRegistry.setMasterSecretHash(hash)` from `wallet`, signed by `sign` (module docs):
    /// `sign` gets the unsigned [`StructuredTx`] and returns the signed raw transaction.
    /// Returns the transaction hash, `0x` + 64 lowercase hex.
    ///
    /// Errors: bad `wallet` → Local; the contract refuses (estimation or on chain) →
    /// NotReady naming the reason; the signer's error as it returns it; signed bytes that do
    /// not match → Integrity; timeout/transport/no receipt → Remote.
    pub async fn set_master_secret_hash_via<F, Fut>(
        &self,
        wallet: &str,
        hash: [u8; 32],
        sign: F,
    ) -> Result<String>
    where
        F: FnOnce(StructuredTx) -> Fut,
        Fut: Future<Output = Result<Vec<u8>>>,
    {
        let what = "setMasterSecretHash";
        let ctx = self.ctx();
        let p = &ctx.provider;
        let from = parse_address("wallet", wallet)?;
        let to = self.kms_address();
        let data = Bytes::from(
            KMSRegistry::setMasterSecretHashCall {
                newHash: B256::from(hash),
            }
            .abi_encode(),
        );
        let chain_id = ctx.guard("eth_chainId", p.get_chain_id()).await?;
        let nonce = ctx
            .guard(
                "eth_getTransactionCount",
                p.get_transaction_count(from)
                    .block_id(BlockNumberOrTag::Latest.into()),
            )
            .await?;
        let tip = ctx
            .guard("eth_maxPriorityFeePerGas", p.get_max_priority_fee_per_gas())
            .await?;
        let block = ctx
            .guard(
                "eth_getBlockByNumber",
                p.get_block_by_number(BlockNumberOrTag::Latest),
            )
            .await?
            .ok_or_else(|| Error::remote("chain RPC: no latest block"))?;
        let base_fee = u128::from(block.header.base_fee_per_gas.ok_or_else(|| {
            Error::remote("chain RPC: latest block has no baseFeePerGas (pre-London chain)")
        })?);
        let request = TransactionRequest::default()
            .from(from)
            .to(to)
            .input(data.clone().into());
        let estimate = ctx.guard(what, p.estimate_gas(request.clone())).await?;
        let tx = StructuredTx {
            chain_id,
            nonce,
            max_priority_fee_per_gas: tip,
            max_fee_per_gas: base_fee.saturating_mul(2).saturating_add(tip),
            gas_limit: estimate.saturating_add(estimate / 5),
            to,
            value: U256::ZERO,
            data,
        };
        let raw = sign(tx.clone()).await?;
        check_signed(&raw, &tx, from)?;
        let pending = ctx
            .guard("eth_sendRawTransaction", p.send_raw_transaction(&raw))
            .await?;
        let tx_hash = *pending.tx_hash();
        let receipt = ctx.wait_receipt(what, tx_hash).await?;
        if receipt.status() {
            return Ok(format!("{tx_hash:#x}"));
        }
        let why = match tokio::time::timeout(ctx.timeout, p.call(request)).await {
            Ok(Err(e)) => revert_reason(&e.into()).unwrap_or_else(|| "unknown reason".into()),
            _ => "unknown reason".into(),
        };
        Err(Error::new(
            ErrorKind::NotReady,
            format!(
                "chain RPC {}: {what}: transaction {tx_hash:#x} reverted: {why}",
                ctx.label
            ),
        ))
    }
}
