//! Hand-made requests: PoP headers (app `x-app-*`, peer `x-kms-*`) signed with any identity,
//! nonce and timestamp, envelopes sealed by anyone to anyone, and sending a raw request as
//! built. Valid requests are the starting point of the forgeries in the adversarial tests.

use base64::Engine;
use novakms::crypto::canonical::canonical_json;
use novakms::crypto::envelope::{self, DEFAULT_INFO_LABEL};
use novakms::crypto::pop;
use novakms::identity::Identity;
use reqwest::Method;
use serde_json::Value;

/// Standard base64.
pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// The bytes a JSON body is sent as (canonical JSON, as the clients send it).
pub fn body_bytes(v: &Value) -> Vec<u8> {
    canonical_json(v).into_bytes()
}

/// Envelope (JSON) of `plain` sealed by `from` to the teePubkey `to_der`.
pub fn seal_to(from: &Identity, to_der: &[u8], plain: &[u8]) -> Value {
    envelope::seal(from.tee_secret(), to_der, plain, DEFAULT_INFO_LABEL)
        .unwrap()
        .to_json()
}

/// Open an envelope answer sealed to `me`, as JSON.
pub fn open_json(me: &Identity, v: &Value) -> Value {
    let env = envelope::Envelope::from_json(v).expect("envelope answer");
    serde_json::from_slice(&envelope::open(me.tee_secret(), &env, DEFAULT_INFO_LABEL).unwrap())
        .unwrap()
}

/// App PoP headers signed by `signer` for the node `recipient` over `sign_nonce`, carrying
/// `header_nonce` (the same for a valid request), `ts` and the signer's wallet.
pub fn app_headers(
    signer: &Identity,
    recipient: &str,
    sign_nonce: &str,
    header_nonce: &str,
    ts: u64,
) -> Vec<(String, String)> {
    let sig = signer.sign(&pop::app_auth_message(sign_nonce, recipient, ts));
    vec![
        ("x-app-signature".into(), sig),
        ("x-app-nonce".into(), header_nonce.into()),
        ("x-app-timestamp".into(), ts.to_string()),
        ("x-app-wallet".into(), signer.address()),
    ]
}

/// Peer (KMS) PoP headers signed by `signer` for the node `recipient` over `nonce` at `ts`.
pub fn peer_headers(
    signer: &Identity,
    recipient: &str,
    nonce: &str,
    ts: u64,
) -> Vec<(String, String)> {
    let sig = signer.sign(&pop::peer_auth_message(nonce, recipient, ts));
    vec![
        ("x-kms-signature".to_string(), sig),
        ("x-kms-nonce".to_string(), nonce.to_string()),
        ("x-kms-timestamp".to_string(), ts.to_string()),
        ("x-kms-wallet".to_string(), signer.address()),
    ]
}

/// Replace (or with `None` remove) header `name`.
pub fn set_header(h: &mut Vec<(String, String)>, name: &str, v: Option<String>) {
    h.retain(|(k, _)| k != name);
    if let Some(v) = v {
        h.push((name.into(), v));
    }
}

/// A request as sent on the wire.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: Method,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub content_type: Option<&'static str>,
}

/// Send `r` to `base`; returns the status and the body as JSON (a JSON string holding the
/// text when it is not JSON). Panics on a transport error.
pub async fn send(http: &reqwest::Client, base: &str, r: &Req) -> (u16, Value) {
    let mut b = http.request(r.method.clone(), format!("{base}{}", r.path));
    for (k, v) in &r.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    if let Some(ct) = r.content_type {
        b = b.header("content-type", ct);
    }
    if let Some(body) = &r.body {
        b = b.body(body.clone());
    }
    let resp = b.send().await.expect("request transport");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}
