//! A test Odyn: our own implementation of the Odyn HTTP API (protocol.md §3.2) for tests and
//! the devnet (`novakms devnet odyn`, hidden), because the real runtime only exists inside a
//! Nova enclave. It is a stand-in for what cannot run here, not part of a node.
//!
//! What it implements, as real Odyn does:
//! * all seven calls of §3.2 with the response shapes of the table (`0x` where Odyn puts it,
//!   none in the encrypt answer); every error is HTTP 400 with a text body;
//! * the v1 envelope scheme of §3.3 with a configurable info label (default
//!   `capsule-ecdh-aes256gcm-v1`, [`crypto`]), `client_public_key` parsed as DER SPKI only;
//! * the decrypt replay rule: a (`client_public_key`, nonce) pair is refused once seen
//!   (SHA-256 fingerprint of DER key ‖ 12-byte nonce, FIFO of 4096), checked before
//!   decryption as Odyn does;
//! * `/v1/eth/sign-tx` accepting only `{"payload":{"kind":"structured",…}}` (§9.5); any other
//!   shape is refused with serde's message, e.g. ``missing field `kind` `` for upstream's;
//! * its keys: a secp256k1 wallet and an **independent** random P-384 key (real Odyn draws
//!   both from the NSM; neither is derived from the other). With a key file they survive a
//!   restart of the test Odyn (a still-running enclave); a new file = a new enclave identity.
//!
//! Test-only extra: `GET /_test/counters` → `{"<call>": n, …}` (calls served per
//! `identity::odyn::call` name) so a test can count the Odyn calls a node makes.

pub mod crypto;
mod handlers;

#[cfg(test)]
mod tests;

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use alloy::signers::local::PrivateKeySigner;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::crypto::envelope::DEFAULT_INFO_LABEL;
use crate::error::{Error, Result};

/// Entries of the decrypt replay record (protocol.md §3.3).
pub const REPLAY_CAPACITY: usize = 4096;

/// The call names counted, in `/_test/counters` order.
pub const CALLS: [&str; 7] = [
    "address",
    "public_key",
    "sign",
    "sign_tx",
    "random",
    "encrypt",
    "decrypt",
];

/// The two independent keys of one test Odyn ("one enclave identity").
#[derive(Clone)]
pub struct OdynKeys {
    /// secp256k1 wallet.
    pub wallet: PrivateKeySigner,
    /// P-384 encryption key (teePubkey).
    pub p384: p384::SecretKey,
}

impl OdynKeys {
    /// Two fresh random keys (OS CSPRNG), drawn independently.
    pub fn generate() -> OdynKeys {
        OdynKeys {
            wallet: PrivateKeySigner::random(),
            p384: p384::SecretKey::random(&mut rand::rngs::OsRng),
        }
    }

    /// Keys from `path` (JSON `{"wallet_key":"<64 hex>","p384_key":"<96 hex>"}`), created with
    /// mode 0600 if the file does not exist. Errors: Local (unreadable, malformed, invalid
    /// scalar, cannot write).
    pub fn load_or_create(path: &Path) -> Result<OdynKeys> {
        if path.exists() {
            let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                Error::local(format!("cannot read Odyn key file {}: {e}", path.display()))
            })?);
            let v: Value = serde_json::from_str(&text)
                .map_err(|_| Error::local(format!("invalid Odyn key file {}", path.display())))?;
            let field = |name: &str| -> Result<Zeroizing<Vec<u8>>> {
                v.get(name)
                    .and_then(Value::as_str)
                    .and_then(|s| hex::decode(s).ok())
                    .map(Zeroizing::new)
                    .ok_or_else(|| {
                        Error::local(format!("Odyn key file {} lacks {name}", path.display()))
                    })
            };
            let wallet = PrivateKeySigner::from_slice(&field("wallet_key")?)
                .map_err(|_| Error::local("invalid wallet_key in the Odyn key file"))?;
            let p384 = p384::SecretKey::from_slice(&field("p384_key")?)
                .map_err(|_| Error::local("invalid p384_key in the Odyn key file"))?;
            return Ok(OdynKeys { wallet, p384 });
        }
        let keys = OdynKeys::generate();
        let text = Zeroizing::new(
            json!({
                "wallet_key": hex::encode(keys.wallet.credential().to_bytes()),
                "p384_key": hex::encode(keys.p384.to_bytes()),
            })
            .to_string(),
        );
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| Error::local(format!("cannot create {}: {e}", path.display())))?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| Error::local(format!("cannot write {}: {e}", path.display())))?;
        Ok(keys)
    }

    /// Canonical wallet address.
    pub fn address(&self) -> String {
        crate::crypto::pop::address_string(&self.wallet.address())
    }

    /// DER SPKI of the P-384 public key (120 bytes, §3.4).
    pub fn tee_pubkey_der(&self) -> Vec<u8> {
        crate::crypto::keys::spki_der(&self.p384.public_key())
    }
}

/// FIFO of SHA-256 fingerprints of decrypted (key, nonce) pairs.
#[derive(Default)]
struct Replay {
    order: VecDeque<[u8; 32]>,
    seen: HashSet<[u8; 32]>,
}

impl Replay {
    /// Record `fp`; false when it was already there.
    fn insert(&mut self, fp: [u8; 32]) -> bool {
        if !self.seen.insert(fp) {
            return false;
        }
        self.order.push_back(fp);
        while self.order.len() > REPLAY_CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

/// Shared state of one running test Odyn.
pub struct OdynState {
    keys: OdynKeys,
    label: String,
    replay: Mutex<Replay>,
    counters: [AtomicU64; 7],
}

impl OdynState {
    fn count(&self, call: &str) {
        if let Some(i) = CALLS.iter().position(|c| *c == call) {
            self.counters[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Calls served so far for `call` (a [`CALLS`] name; 0 for another name).
    pub fn served(&self, call: &str) -> u64 {
        CALLS
            .iter()
            .position(|c| *c == call)
            .map(|i| self.counters[i].load(Ordering::Relaxed))
            .unwrap_or(0)
    }

    /// All counters as `{"<call>": n}`.
    pub fn counters_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for c in CALLS {
            m.insert(c.to_string(), json!(self.served(c)));
        }
        Value::Object(m)
    }
}

/// A test Odyn serving on a local port; stops when dropped or with [`TestOdyn::stop`].
pub struct TestOdyn {
    state: Arc<OdynState>,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestOdyn {
    /// Serve `keys` on `listener` with envelope label `label` (`None` = the default
    /// `capsule-ecdh-aes256gcm-v1`). Errors: Local when the listener cannot be used.
    pub async fn start_on(
        listener: std::net::TcpListener,
        keys: OdynKeys,
        label: Option<&str>,
    ) -> Result<TestOdyn> {
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::local(format!("test Odyn listener: {e}")))?;
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::local(format!("test Odyn listener: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::local(format!("test Odyn listener: {e}")))?;
        let state = Arc::new(OdynState {
            keys,
            label: label.unwrap_or(DEFAULT_INFO_LABEL).to_string(),
            replay: Mutex::new(Replay::default()),
            counters: Default::default(),
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = handlers::router(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(TestOdyn {
            state,
            addr,
            stop: Some(tx),
        })
    }

    /// [`TestOdyn::start_on`] a fresh port on 127.0.0.1 with fresh keys.
    pub async fn start() -> Result<TestOdyn> {
        let l = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| Error::local(format!("cannot bind the test Odyn: {e}")))?;
        Self::start_on(l, OdynKeys::generate(), None).await
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state (counters, keys).
    pub fn state(&self) -> &Arc<OdynState> {
        &self.state
    }

    /// Calls served for `call` (see [`OdynState::served`]).
    pub fn served(&self, call: &str) -> u64 {
        self.state.served(call)
    }

    /// The wallet address.
    pub fn address(&self) -> String {
        self.state.keys.address()
    }

    /// The teePubkey (DER SPKI).
    pub fn tee_pubkey_der(&self) -> Vec<u8> {
        self.state.keys.tee_pubkey_der()
    }

    /// Stop serving (in-flight requests finish).
    pub fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for TestOdyn {
    fn drop(&mut self) {
        self.stop();
    }
}
