//! The `structured` transaction payload of Odyn's `/v1/eth/sign-tx` (protocol.md §9.5).
//!
//! Every published Odyn build deserializes the payload as an internally tagged enum
//! (`"kind": "structured" | "raw_rlp"`) whose `structured` variant has the fields below, each
//! a `0x` hex string (quantities without leading zeros, `data` as bytes); upstream's
//! `{"chainId", "type", "from", "gas", …}` shape is answered 400 ``missing field `kind` ``.
//! Odyn signs an EIP-1559 (type 2) transaction from them and returns it RLP-encoded.

use alloy::primitives::{Address, Bytes, U256};
use serde_json::{json, Value};

/// An unsigned EIP-1559 transaction in the fields Odyn's `structured` payload takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructuredTx {
    /// EIP-155 chain id (`eth_chainId`).
    pub chain_id: u64,
    /// Sender nonce (`eth_getTransactionCount(from, "latest")`).
    pub nonce: u64,
    /// Tip, wei per gas (`eth_maxPriorityFeePerGas`).
    pub max_priority_fee_per_gas: u128,
    /// Fee cap, wei per gas (2 × base fee + tip, §9.5).
    pub max_fee_per_gas: u128,
    /// Gas limit, gas units.
    pub gas_limit: u64,
    /// Recipient (the KMSRegistry).
    pub to: Address,
    /// Value, wei.
    pub value: U256,
    /// Calldata.
    pub data: Bytes,
}

fn q(v: impl std::fmt::LowerHex) -> String {
    format!("{v:#x}")
}

impl StructuredTx {
    /// The `payload` object: `{"kind":"structured","chain_id","nonce",
    /// "max_priority_fee_per_gas","max_fee_per_gas","gas_limit","to","value","data",
    /// "access_list":[]}` with `0x` hex quantities (`0x0` for zero) and `0x` hex data.
    pub fn payload(&self) -> Value {
        json!({
            "kind": "structured",
            "chain_id": q(self.chain_id),
            "nonce": q(self.nonce),
            "max_priority_fee_per_gas": q(self.max_priority_fee_per_gas),
            "max_fee_per_gas": q(self.max_fee_per_gas),
            "gas_limit": q(self.gas_limit),
            "to": crate::crypto::pop::address_string(&self.to),
            "value": format!("{:#x}", self.value),
            "data": format!("0x{}", hex::encode(&self.data)),
            "access_list": [],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_shape() {
        let t = StructuredTx {
            chain_id: 31337,
            nonce: 0,
            max_priority_fee_per_gas: 1_000_000_000,
            max_fee_per_gas: 3_000_000_000,
            gas_limit: 60_000,
            to: Address::repeat_byte(0xab),
            value: U256::ZERO,
            data: Bytes::from(vec![0x4d, 0xf7, 0xe3, 0x90]),
        };
        assert_eq!(
            t.payload(),
            json!({"kind":"structured","chain_id":"0x7a69","nonce":"0x0",
                "max_priority_fee_per_gas":"0x3b9aca00","max_fee_per_gas":"0xb2d05e00",
                "gas_limit":"0xea60","to":format!("0x{}", "ab".repeat(20)),"value":"0x0",
                "data":"0x4df7e390","access_list":[]})
        );
    }
}
