//! HTTP handlers of the test Odyn (module docs of [`super`]): request bodies are parsed with
//! serde by hand so every refusal is a 400 with serde's or our text, as real Odyn answers.

use std::sync::Arc;

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::eip2718::Encodable2718;
use alloy::primitives::{keccak256, Address, Bytes, TxKind, U256};
use alloy::signers::SignerSync;
use axum::body::Bytes as Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use p384::pkcs8::DecodePublicKey;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{crypto, OdynState};

type St = State<Arc<OdynState>>;

fn bad(msg: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, msg.into()).into_response()
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

fn unhex(s: &str, what: &str) -> Result<Vec<u8>, String> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s)).map_err(|e| format!("Invalid {what} hex: {e}"))
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

/// The router: the seven calls of protocol.md §3.2 and `/_test/counters`.
pub fn router(state: Arc<OdynState>) -> Router {
    Router::new()
        .route("/v1/eth/address", get(address))
        .route("/v1/eth/sign", post(sign))
        .route("/v1/eth/sign-tx", post(sign_tx))
        .route("/v1/random", get(random))
        .route("/v1/encryption/public_key", get(public_key))
        .route("/v1/encryption/encrypt", post(encrypt))
        .route("/v1/encryption/decrypt", post(decrypt))
        .route("/_test/counters", get(counters))
        .with_state(state)
}

async fn counters(State(st): St) -> Response {
    ok(st.counters_json())
}

async fn address(State(st): St) -> Response {
    st.count("address");
    let vk = st.keys.wallet.credential().verifying_key();
    let point = vk.to_encoded_point(false);
    ok(json!({
        "address": st.keys.address(),
        "public_key": format!("0x{}", hex::encode(point.as_bytes())),
    }))
}

#[derive(Deserialize)]
struct SignReq {
    message: String,
    #[serde(default)]
    #[allow(dead_code)]
    include_attestation: bool,
}

async fn sign(State(st): St, body: Body) -> Response {
    st.count("sign");
    let req: SignReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    if req.message.is_empty() {
        return bad("Message cannot be empty");
    }
    // Real Odyn answers v ∈ {0, 1} (protocol.md §2.2).
    let sig = crate::crypto::pop::sign_message(&st.keys.wallet, &req.message);
    let mut b = hex::decode(sig.trim_start_matches("0x")).unwrap_or_default();
    if b.len() != 65 {
        return bad("signing failed");
    }
    b[64] -= 27;
    ok(json!({
        "signature": format!("0x{}", hex::encode(b)),
        "address": st.keys.address(),
        "attestation": null,
    }))
}

#[derive(Deserialize)]
struct SignTxReq {
    payload: TxPayload,
    #[serde(default)]
    #[allow(dead_code)]
    include_attestation: bool,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum TxPayload {
    Structured(Structured),
    RawRlp {
        #[allow(dead_code)]
        raw_payload: String,
    },
}

#[derive(Deserialize)]
struct Structured {
    chain_id: String,
    nonce: String,
    max_priority_fee_per_gas: String,
    max_fee_per_gas: String,
    gas_limit: String,
    to: Option<String>,
    #[serde(default = "zero")]
    value: String,
    #[serde(default = "empty")]
    data: String,
    #[serde(default)]
    access_list: Vec<Value>,
}

fn zero() -> String {
    "0x0".into()
}
fn empty() -> String {
    "0x".into()
}

fn quantity(s: &str, what: &str) -> Result<U256, String> {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    U256::from_str_radix(digits, 16).map_err(|_| format!("invalid {what}: {s}"))
}

fn small<T: TryFrom<U256>>(v: U256, what: &str) -> Result<T, String> {
    T::try_from(v).map_err(|_| format!("{what} out of range"))
}

fn unsigned(p: Structured) -> Result<TxEip1559, String> {
    let chain_id: u64 = small(quantity(&p.chain_id, "chain_id")?, "chain_id")?;
    if chain_id == 0 {
        return Err(String::from("chain_id cannot be zero"));
    }
    if !p.access_list.is_empty() {
        return Err(String::from(
            "the test Odyn signs only an empty access_list",
        ));
    }
    let to = match p.to {
        Some(a) => {
            let b = unhex(&a, "to")?;
            if b.len() != 20 {
                return Err(format!("address must be 20 bytes, found {}", b.len()));
            }
            TxKind::Call(Address::from_slice(&b))
        }
        None => TxKind::Create,
    };
    Ok(TxEip1559 {
        chain_id,
        nonce: small(quantity(&p.nonce, "nonce")?, "nonce")?,
        gas_limit: small(quantity(&p.gas_limit, "gas_limit")?, "gas_limit")?,
        max_fee_per_gas: small(quantity(&p.max_fee_per_gas, "max_fee_per_gas")?, "fee")?,
        max_priority_fee_per_gas: small(
            quantity(&p.max_priority_fee_per_gas, "max_priority_fee_per_gas")?,
            "fee",
        )?,
        to,
        value: quantity(&p.value, "value")?,
        access_list: Default::default(),
        input: Bytes::from(unhex(&p.data, "data")?),
    })
}

async fn sign_tx(State(st): St, body: Body) -> Response {
    st.count("sign_tx");
    let req: SignTxReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    let tx = match req.payload {
        TxPayload::Structured(p) => match unsigned(p) {
            Ok(t) => t,
            Err(e) => return bad(e),
        },
        TxPayload::RawRlp { .. } => return bad("the test Odyn implements only kind = structured"),
    };
    let sig = match st.keys.wallet.sign_hash_sync(&tx.signature_hash()) {
        Ok(s) => s,
        Err(e) => return bad(format!("signing failed: {e}")),
    };
    let raw = TxEnvelope::from(tx.into_signed(sig)).encoded_2718();
    let mut sig65 = sig.as_bytes();
    sig65[64] = u8::from(sig.v());
    ok(json!({
        "raw_transaction": format!("0x{}", hex::encode(&raw)),
        "transaction_hash": format!("{:#x}", keccak256(&raw)),
        "signature": format!("0x{}", hex::encode(sig65)),
        "address": st.keys.address(),
        "attestation": null,
    }))
}

async fn random(State(st): St) -> Response {
    st.count("random");
    let mut b = [0u8; 32];
    crate::crypto::os_random(&mut b);
    ok(json!({"random_bytes": format!("0x{}", hex::encode(b))}))
}

async fn public_key(State(st): St) -> Response {
    st.count("public_key");
    let der = st.keys.tee_pubkey_der();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    ok(json!({
        "public_key_der": format!("0x{}", hex::encode(&der)),
        "public_key_pem": pem,
    }))
}

fn peer_key(hex_der: &str) -> Result<(Vec<u8>, p384::PublicKey), String> {
    let der = unhex(hex_der, "client_public_key")?;
    let pk = p384::PublicKey::from_public_key_der(&der)
        .map_err(|e| format!("Invalid client public key: {e}"))?;
    Ok((der, pk))
}

#[derive(Deserialize)]
struct EncryptReq {
    plaintext: String,
    client_public_key: String,
}

async fn encrypt(State(st): St, body: Body) -> Response {
    st.count("encrypt");
    let req: EncryptReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    let (_, peer) = match peer_key(&req.client_public_key) {
        Ok(k) => k,
        Err(e) => return bad(e),
    };
    let mut nonce = [0u8; 12];
    crate::crypto::os_random(&mut nonce);
    match crypto::encrypt(
        &st.keys.p384,
        &peer,
        &nonce,
        &st.label,
        req.plaintext.as_bytes(),
    ) {
        Ok(ct) => ok(json!({
            "encrypted_data": hex::encode(ct),
            "enclave_public_key": hex::encode(st.keys.tee_pubkey_der()),
            "nonce": hex::encode(nonce),
        })),
        Err(e) => bad(e),
    }
}

#[derive(Deserialize)]
struct DecryptReq {
    nonce: String,
    client_public_key: String,
    encrypted_data: String,
}

async fn decrypt(State(st): St, body: Body) -> Response {
    st.count("decrypt");
    let req: DecryptReq = match parse(&body) {
        Ok(r) => r,
        Err(e) => return bad(e),
    };
    let run = || -> Result<String, String> {
        let raw_nonce = unhex(&req.nonce, "nonce")?;
        let nonce: [u8; 12] = match raw_nonce.len() {
            12 | 32 => raw_nonce[..12]
                .try_into()
                .map_err(|_| String::from("nonce"))?,
            n => {
                return Err(format!(
                    "Invalid nonce length: expected 12 bytes (or 32-byte legacy nonce), got {n}"
                ))
            }
        };
        let (der, peer) = peer_key(&req.client_public_key)?;
        let ct = unhex(&req.encrypted_data, "encrypted_data")?;
        let mut h = Sha256::new();
        h.update(&der);
        h.update(nonce);
        let fresh = st
            .replay
            .lock()
            .map(|mut r| r.insert(h.finalize().into()))
            .unwrap_or(false);
        if !fresh {
            return Err(String::from("Nonce reuse detected for client_public_key"));
        }
        let plain = crypto::decrypt(&st.keys.p384, &peer, &nonce, &st.label, &ct)?;
        String::from_utf8(plain).map_err(|e| format!("Invalid UTF-8 in plaintext: {e}"))
    };
    match run() {
        Ok(plaintext) => ok(json!({"plaintext": plaintext})),
        Err(e) => bad(e),
    }
}
