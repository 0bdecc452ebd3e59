//! Outbound `/sync` client (protocol.md §6.2): KMS-peer PoP, envelope sealed to
//! the peer's on-chain teePubkey, sync HMAC, response signature check.
//! (Scaffold: the request logic lands with the cluster work.)

use std::time::Duration;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::identity::Identity;

/// A node's client for talking to its KMS peers.
pub struct PeerClient {
    /// HTTP client with the per-call timeout.
    pub http: reqwest::Client,
    /// Our identity (signs PoP, seals envelopes).
    pub identity: Identity,
    /// Our canonical wallet.
    pub wallet: String,
    /// Envelope HKDF info label (§3.3).
    pub label: String,
    /// Time source for PoP timestamps.
    pub clock: Clock,
}

impl PeerClient {
    /// New client; `timeout` bounds every outbound call. Errors: Local.
    pub fn new(identity: Identity, label: &str, timeout: Duration, clock: Clock) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| Error::local(format!("cannot build HTTP client: {e}")))?;
        Ok(PeerClient {
            wallet: identity.address(),
            http,
            identity,
            label: label.to_string(),
            clock,
        })
    }
}
