//! The Nova app client (protocol.md §1.10, §2.3, §2.5, §3): fetches a nonce,
//! signs the app PoP for the target node's wallet, seals the request to the
//! node's on-chain teePubkey, verifies `X-KMS-Response-Signature` against the
//! node's registry wallet, checks the response envelope's sender key and opens it.
//!
//! The node's wallet and teePubkey come from the registry on chain, never
//! from `/status` alone.

use std::time::Duration;

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use crate::chain::registry::RegistryClient;
use crate::chain::types::{InstanceInfo, INSTANCE_ACTIVE};
use crate::clock::Clock;
use crate::crypto::canonical::canonical_json;
use crate::crypto::envelope::Envelope;
use crate::crypto::keys::normalize_hex;
use crate::crypto::pop;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::{Identity, IdentityHandle};
use crate::wire::headers;

/// An error answer from the node: HTTP status plus the JSON `code`/`message`.
#[derive(Debug, Clone)]
pub struct NodeRefusal {
    /// HTTP status code.
    pub status: u16,
    /// Wire `code` (`bad_request`, `forbidden`, …) or `""` for framework text bodies.
    pub code: String,
    /// Message.
    pub message: String,
}

impl NodeRefusal {
    /// Map to a crate error with the exit-code kind of design.md §6:
    /// 403 → Auth (8), 503 → NotReady (4), 429 and other 5xx → Remote (3),
    /// other 4xx → Local (1).
    pub fn into_error(self) -> Error {
        let kind = match self.status {
            403 => ErrorKind::Auth,
            503 => ErrorKind::NotReady,
            429 | 500..=599 => ErrorKind::Remote,
            _ => ErrorKind::Local,
        };
        Error::new(
            kind,
            format!(
                "node refused ({} {}): {}",
                self.status, self.code, self.message
            ),
        )
    }
}

/// Outcome of one API call.
#[derive(Debug)]
pub enum CallResult {
    /// 2xx, signature verified, envelope opened: the inner JSON.
    Ok(Value),
    /// Non-2xx answer.
    Refused(NodeRefusal),
}

/// A Nova app talking to one KMS node.
pub struct AppClient {
    http: reqwest::Client,
    base: String,
    identity: IdentityHandle,
    node_wallet: String,
    node_tee_pubkey: Vec<u8>,
    clock: Clock,
    /// The node wallet's public key, learnt from the first verified response signature.
    node_key: std::sync::OnceLock<pop::KnownSigner>,
}

/// Find the KMS instance serving `addr` (or registered with `node_wallet`)
/// in the registry. Errors: Remote (RPC), NotReady (not registered / not active).
pub async fn resolve_node(
    registry: &RegistryClient,
    kms_app_id: u64,
    addr: &str,
    node_wallet: Option<&str>,
) -> Result<InstanceInfo> {
    let inst = if let Some(w) = node_wallet {
        let w = pop::canonical_wallet(w)
            .map_err(|_| Error::local(format!("invalid node_wallet {w}")))?;
        registry.get_instance_by_wallet(&w).await?
    } else {
        let want = addr.trim_end_matches('/');
        let mut found = None;
        for w in registry.get_active_instances(kms_app_id).await? {
            let i = registry.get_instance_by_wallet(&w).await?;
            if i.instance_url.trim_end_matches('/') == want {
                found = Some(i);
                break;
            }
        }
        found.ok_or_else(|| {
            Error::new(
                ErrorKind::NotReady,
                format!("no active KMS instance (app {kms_app_id}) is registered with URL {want}; set node_wallet to pick the node by wallet"),
            )
        })?
    };
    if inst.id == 0 {
        return Err(Error::new(
            ErrorKind::NotReady,
            "the node wallet is not registered in NovaAppRegistry",
        ));
    }
    if inst.app_id != kms_app_id || inst.status != INSTANCE_ACTIVE {
        return Err(Error::new(
            ErrorKind::NotReady,
            format!(
                "instance {} is not an active KMS node (app {}, status {})",
                inst.id, inst.app_id, inst.status
            ),
        ));
    }
    Ok(inst)
}

impl AppClient {
    /// The app client the settings describe (`store`, `derive`): identity from the keystore
    /// or Odyn (`identity`, [`IdentityHandle::from_settings`]), node `addr`, its wallet and
    /// teePubkey resolved on chain (`resolve_node`), `client_timeout_seconds` per request.
    ///
    /// Errors: Local (registries or keystore not configured), Auth (wrong password), Remote
    /// (chain RPC, Odyn), NotReady (the node is not a registered, active KMS instance).
    pub async fn from_settings(s: &crate::config::Settings) -> Result<AppClient> {
        s.require_registries()?;
        let identity = IdentityHandle::from_settings(s, 4).await?;
        let registry = RegistryClient::new(
            &s.rpc_url,
            &s.nova_app_registry,
            &s.kms_registry,
            s.rpc_timeout(),
        )?;
        let node = resolve_node(&registry, s.kms_app_id, &s.addr, s.node_wallet.as_deref()).await?;
        let http = crate::tls::client::builder()
            .timeout(Duration::from_secs(s.client_timeout_seconds))
            .build()
            .map_err(|e| Error::local(format!("cannot build HTTP client: {e}")))?;
        AppClient::with_handle(
            http,
            &s.addr,
            identity,
            &node.tee_wallet,
            node.tee_pubkey.clone(),
        )
    }

    /// A client for the node at `base_url` whose registry wallet and teePubkey
    /// (DER SPKI bytes) are given. `timeout` bounds every HTTP call.
    pub fn new(
        base_url: &str,
        identity: Identity,
        node_wallet: &str,
        node_tee_pubkey: Vec<u8>,
        info_label: &str,
        timeout: Duration,
    ) -> Result<Self> {
        let http = crate::tls::client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| Error::local(format!("cannot build HTTP client: {e}")))?;
        Self::with_http(
            http,
            base_url,
            identity,
            node_wallet,
            node_tee_pubkey,
            info_label,
        )
    }

    /// [`AppClient::new`] on an existing HTTP client, so that many app
    /// identities talking to one node share one connection pool (`novakms
    /// bench`). Timeouts are the ones `http` was built with.
    /// Errors: Local (invalid node wallet).
    pub fn with_http(
        http: reqwest::Client,
        base_url: &str,
        identity: Identity,
        node_wallet: &str,
        node_tee_pubkey: Vec<u8>,
        info_label: &str,
    ) -> Result<Self> {
        Self::with_handle(
            http,
            base_url,
            IdentityHandle::keystore(identity, info_label, 4),
            node_wallet,
            node_tee_pubkey,
        )
    }

    /// [`AppClient::with_http`] for an identity of either backend (`identity = "odyn"`: PoP
    /// signatures and envelopes go through the app enclave's Odyn). Errors: Local (invalid
    /// node wallet).
    pub fn with_handle(
        http: reqwest::Client,
        base_url: &str,
        identity: IdentityHandle,
        node_wallet: &str,
        node_tee_pubkey: Vec<u8>,
    ) -> Result<Self> {
        Ok(AppClient {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            identity,
            node_wallet: pop::canonical_wallet(node_wallet)
                .map_err(|_| Error::local(format!("invalid node wallet {node_wallet}")))?,
            node_tee_pubkey,
            clock: Clock::system(),
            node_key: std::sync::OnceLock::new(),
        })
    }

    /// The app identity used for PoP and envelopes.
    pub fn identity(&self) -> &IdentityHandle {
        &self.identity
    }

    /// The local key material when the identity is a keystore (`None` on Odyn).
    pub fn local_identity(&self) -> Option<&Identity> {
        self.identity.local()
    }

    /// Base URL of the node.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn transport(&self, e: reqwest::Error) -> Error {
        Error::remote(format!(
            "node {} unreachable: {}",
            self.base,
            crate::client::describe(&e)
        ))
    }

    /// `GET /nonce`. Errors: Remote (transport), node refusal mapped by status.
    pub async fn nonce(&self) -> Result<String> {
        let resp = self
            .http
            .get(format!("{}/nonce", self.base))
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let status = resp.status().as_u16();
        let body: Value = resp
            .json()
            .await
            .map_err(|e| Error::remote(format!("bad /nonce answer: {e}")))?;
        if status != 200 {
            return Err(refusal(status, &body).into_error());
        }
        body.get("nonce")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::remote("bad /nonce answer: no nonce"))
    }

    /// PoP headers for a request to this node: `(signature, nonce, timestamp)`.
    pub async fn pop_headers(&self) -> Result<(String, String, u64)> {
        let nonce = self.nonce().await?;
        let ts = self.clock.now_secs();
        let sig = self
            .identity
            .sign(&pop::app_auth_message(&nonce, &self.node_wallet, ts))
            .await?;
        Ok((sig, nonce, ts))
    }

    /// Seal `inner` (canonical JSON) to the node's registry teePubkey.
    /// Errors: Local (unusable node key), Remote (Odyn failed).
    pub async fn seal(&self, inner: &Value) -> Result<Envelope> {
        self.identity
            .seal(&self.node_tee_pubkey, canonical_json(inner).as_bytes())
            .await
            .map_err(|e| match e {
                crate::identity::EnvelopeError::Crypto(e) => {
                    Error::local(format!("cannot encrypt request: {e}"))
                }
                e => Error::remote(format!("cannot encrypt request: {e}")),
            })
    }

    /// One authenticated call: `method` on `path` (with query), optional inner
    /// JSON sealed as the body. Verifies the response signature and envelope.
    ///
    /// Errors: Remote (transport, malformed answer), Auth (response signature
    /// missing or not by the node's registry wallet, envelope from another key).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        inner: Option<&Value>,
    ) -> Result<CallResult> {
        let (sig, nonce, ts) = self.pop_headers().await?;
        let mut req = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header(headers::APP_SIGNATURE, &sig)
            .header(headers::APP_NONCE, &nonce)
            .header(headers::APP_TIMESTAMP, ts.to_string())
            .header(headers::APP_WALLET, self.identity.address());
        if let Some(inner) = inner {
            let env = self.seal(inner).await?;
            req = req.json(&env.to_json());
        }
        let resp = req.send().await.map_err(|e| self.transport(e))?;
        self.finish(resp, &sig).await
    }

    /// Verify and open a response to a request signed with `sig`.
    pub async fn finish(&self, resp: reqwest::Response, sig: &str) -> Result<CallResult> {
        let status = resp.status().as_u16();
        let resp_sig = resp
            .headers()
            .get(headers::KMS_RESPONSE_SIGNATURE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = resp
            .text()
            .await
            .map_err(|e| Error::remote(format!("cannot read answer from {}: {e}", self.base)))?;
        if !(200..300).contains(&status) {
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
            return Ok(CallResult::Refused(refusal(status, &body)));
        }
        let resp_sig = resp_sig.ok_or_else(|| {
            Error::auth("node answer has no X-KMS-Response-Signature; refusing it")
        })?;
        self.verify_response_signature(sig, &resp_sig)?;
        let body: Value = serde_json::from_str(&text)
            .map_err(|e| Error::remote(format!("node answer is not JSON: {e}")))?;
        let env = Envelope::from_json(&body)
            .ok_or_else(|| Error::remote("node answer is not an encrypted envelope"))?;
        if normalize_hex(&env.sender_tee_pubkey) != hex::encode(&self.node_tee_pubkey) {
            return Err(Error::auth(
                "response envelope is not from the node's registry teePubkey",
            ));
        }
        let plain = self.identity.open(&env).await.map_err(|e| match e {
            crate::identity::EnvelopeError::OdynFailed(m) => {
                Error::remote(format!("cannot decrypt node answer: {m}"))
            }
            e => Error::auth(format!("cannot decrypt node answer: {e}")),
        })?;
        let v = serde_json::from_slice(&plain)
            .map_err(|e| Error::remote(format!("decrypted answer is not JSON: {e}")))?;
        Ok(CallResult::Ok(v))
    }

    /// Check `X-KMS-Response-Signature` (protocol.md §2.5): an EIP-191 signature of
    /// `NovaKMS:Response:<sig>:<node wallet>` by the node's registry wallet. The first valid
    /// answer's signature is recovered and the node's public key kept, later ones are checked
    /// with one ECDSA verification against it ([`pop::KnownSigner`], half the cost of a
    /// recovery); anything that does not verify goes through recovery for the error message.
    /// Errors: Auth.
    fn verify_response_signature(&self, sig: &str, resp_sig: &str) -> Result<()> {
        let msg = pop::response_message(sig, &self.node_wallet);
        if let Some(known) = self.node_key.get() {
            if known.verifies(&msg, resp_sig) {
                return Ok(());
            }
        }
        let signer = pop::KnownSigner::recover(&msg, resp_sig)
            .map_err(|e| Error::auth(format!("invalid response signature: {e}")))?;
        if signer.wallet() != self.node_wallet {
            return Err(Error::auth(format!(
                "response signed by {}, expected the node's registry wallet {}",
                signer.wallet(),
                self.node_wallet
            )));
        }
        let _ = self.node_key.set(signer);
        Ok(())
    }

    async fn ok(&self, method: Method, path: &str, inner: Option<&Value>) -> Result<Value> {
        match self.call(method, path, inner).await? {
            CallResult::Ok(v) => Ok(v),
            CallResult::Refused(r) => Err(r.into_error()),
        }
    }

    /// `POST /kms/derive` → derived bytes (§1.4).
    pub async fn derive(&self, path: &str, context: &str, length: u32) -> Result<Vec<u8>> {
        let v = self
            .ok(
                Method::POST,
                "/kms/derive",
                Some(&json!({"path": path, "context": context, "length": length})),
            )
            .await?;
        let key = v
            .get("key")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::remote("derive answer has no key"))?;
        base64::engine::general_purpose::STANDARD
            .decode(key)
            .map_err(|_| Error::remote("derive answer key is not base64"))
    }

    /// `PUT /kms/data` → `updated_at_ms` of the stored record (§1.6).
    pub async fn put(&self, key: &str, value: &[u8], ttl_ms: u64) -> Result<u64> {
        let mut inner = json!({
            "key": key,
            "value": base64::engine::general_purpose::STANDARD.encode(value),
        });
        if ttl_ms > 0 {
            inner["ttl_ms"] = json!(ttl_ms);
        }
        let v = self.ok(Method::PUT, "/kms/data", Some(&inner)).await?;
        Ok(v.get("updated_at_ms").and_then(Value::as_u64).unwrap_or(0))
    }

    /// `GET /kms/data/<key>` → `Some((value, updated_at_ms))`, `None` on 404.
    pub async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, u64)>> {
        let path = format!("/kms/data/{}", encode_path_key(key));
        match self.call(Method::GET, &path, None).await? {
            CallResult::Ok(v) => {
                let b64 = v
                    .get("value")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::remote("read answer has no value"))?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|_| Error::remote("read answer value is not base64"))?;
                Ok(Some((
                    bytes,
                    v.get("updated_at_ms").and_then(Value::as_u64).unwrap_or(0),
                )))
            }
            CallResult::Refused(r) if r.status == 404 => Ok(None),
            CallResult::Refused(r) => Err(r.into_error()),
        }
    }

    /// `DELETE /kms/data` → true if deleted, false on 404.
    pub async fn delete(&self, key: &str) -> Result<bool> {
        match self
            .call(Method::DELETE, "/kms/data", Some(&json!({"key": key})))
            .await?
        {
            CallResult::Ok(_) => Ok(true),
            CallResult::Refused(r) if r.status == 404 => Ok(false),
            CallResult::Refused(r) => Err(r.into_error()),
        }
    }

    /// `GET /kms/data` → live keys (order not meaningful).
    pub async fn list(&self) -> Result<Vec<String>> {
        let v = self.ok(Method::GET, "/kms/data", None).await?;
        Ok(v.get("keys")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// Percent-encode a key for the path form (§1.5, §4.7): everything but
/// unreserved characters and `/` is encoded, so `+` and spaces survive.
pub fn encode_path_key(key: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    utf8_percent_encode(key, KEEP).to_string()
}

fn refusal(status: u16, body: &Value) -> NodeRefusal {
    match body {
        Value::Object(o) => NodeRefusal {
            status,
            code: o
                .get("code")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            message: o
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        },
        Value::String(s) => NodeRefusal {
            status,
            code: String::new(),
            message: s.clone(),
        },
        other => NodeRefusal {
            status,
            code: String::new(),
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_keys_are_percent_encoded() {
        assert_eq!(encode_path_key("a b+c/d"), "a%20b%2Bc/d");
        assert_eq!(encode_path_key("greeting"), "greeting");
    }

    #[test]
    fn response_signatures_are_checked_before_and_after_the_key_is_learnt() {
        let node = Identity::generate();
        let impostor = Identity::generate();
        let c = AppClient::new(
            "http://127.0.0.1:1",
            Identity::generate(),
            &node.address(),
            node.tee_pubkey_der(),
            crate::crypto::envelope::DEFAULT_INFO_LABEL,
            Duration::from_secs(1),
        )
        .unwrap();
        let answer = |by: &Identity, caller_sig: &str| {
            by.sign(&pop::response_message(caller_sig, &node.address()))
        };
        // Before any valid answer: recovery path.
        let e = c
            .verify_response_signature("0x01", &answer(&impostor, "0x01"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(
            e.message().contains("expected the node's registry wallet"),
            "{e}"
        );
        assert!(c.node_key.get().is_none());
        c.verify_response_signature("0x02", &answer(&node, "0x02"))
            .unwrap();
        assert!(c.node_key.get().is_some());
        // With the learnt key: good answers pass, others fail with the same errors.
        c.verify_response_signature("0x03", &answer(&node, "0x03"))
            .unwrap();
        let e = c
            .verify_response_signature("0x04", &answer(&node, "0x05"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth);
        let e = c
            .verify_response_signature("0x06", &answer(&impostor, "0x06"))
            .unwrap_err();
        assert!(
            e.message().contains("expected the node's registry wallet"),
            "{e}"
        );
        let e = c.verify_response_signature("0x07", "0xnothex").unwrap_err();
        assert!(e.message().contains("invalid response signature"), "{e}");
    }

    #[test]
    fn refusal_kinds_map_to_exit_codes() {
        let r = |s| NodeRefusal {
            status: s,
            code: String::new(),
            message: String::new(),
        };
        assert_eq!(r(403).into_error().kind(), ErrorKind::Auth);
        assert_eq!(r(503).into_error().kind(), ErrorKind::NotReady);
        assert_eq!(r(500).into_error().kind(), ErrorKind::Remote);
        assert_eq!(r(400).into_error().kind(), ErrorKind::Local);
    }
}
