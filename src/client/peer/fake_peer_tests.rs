//! The client's checks of a peer's answer, against fake peers.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::node::peers::PeerInfo;

use super::*;
use crate::crypto::envelope;
use crate::crypto::sealed::seal_master_secret;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Good,
    NoSignature,
    WrongSigner,
    EnvelopeFromOtherKey,
    Plaintext,
    Refuse,
    BadNonce,
}

const LABEL: &str = envelope::DEFAULT_INFO_LABEL;

async fn fake_nonce(State((_, mode)): State<(Arc<Identity>, Mode)>) -> Json<Value> {
    if mode == Mode::BadNonce {
        Json(json!({"nonce": "not base64!"}))
    } else {
        Json(json!({"nonce": "AAECAwQFBgcICQoLDA0ODw=="}))
    }
}

/// Answers `{"echo": <request>, "sealed": <sealed secret 0x42…>}`.
async fn fake_sync(
    State((id, mode)): State<(Arc<Identity>, Mode)>,
    h: HeaderMap,
    body: String,
) -> Response {
    if mode == Mode::Refuse {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"code": "forbidden", "message": "go away"})),
        )
            .into_response();
    }
    let v: Value = serde_json::from_str(&body).unwrap();
    let env = Envelope::from_json(&v).unwrap();
    let req: Value =
        serde_json::from_slice(&envelope::open(id.tee_secret(), &env, LABEL).unwrap()).unwrap();
    let mut result = json!({"status": "ok", "echo": req.clone()});
    if let Some(pk) = req.get("ecdh_pubkey").and_then(Value::as_str) {
        let sealed = seal_master_secret(&hex::decode(pk).unwrap(), &[0x42; 32]).unwrap();
        result["data"] = json!({"sealed": sealed});
    }
    let client_key = hex::decode(&env.sender_tee_pubkey).unwrap();
    let sealer = if mode == Mode::EnvelopeFromOtherKey {
        Identity::generate()
    } else {
        (*id).clone()
    };
    let out = envelope::seal(
        sealer.tee_secret(),
        &client_key,
        canonical_json(&result).as_bytes(),
        LABEL,
    )
    .unwrap();
    let sig = h[headers::KMS_SIGNATURE].to_str().unwrap();
    let signer = if mode == Mode::WrongSigner {
        Identity::generate()
    } else {
        (*id).clone()
    };
    let rs = signer.sign(&pop::response_message(sig, &id.address()));
    let body = if mode == Mode::Plaintext {
        result
    } else {
        out.to_json()
    };
    let mut resp = Json(body).into_response();
    if mode != Mode::NoSignature {
        resp.headers_mut()
            .insert(headers::KMS_PEER_SIGNATURE, rs.parse().unwrap());
    }
    resp
}

async fn fake_peer(mode: Mode) -> PeerInfo {
    let id = Arc::new(Identity::generate());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/nonce", get(fake_nonce))
        .route("/sync", post(fake_sync))
        .with_state((id.clone(), mode));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    PeerInfo::for_test(
        &id.address(),
        id.tee_pubkey_der(),
        &format!("http://{addr}/"),
        0,
        true,
        49,
    )
}

fn client() -> PeerClient {
    PeerClient::new(
        Identity::generate(),
        LABEL,
        Duration::from_secs(5),
        Clock::system(),
    )
    .unwrap()
}

#[tokio::test]
async fn good_peer_round_trip_and_sealed_secret_under_data() {
    let peer = fake_peer(Mode::Good).await;
    let c = client();
    let v = c
        .request(&peer, &json!({"type": "x", "n": 1}), Some(&[1; 32]))
        .await
        .unwrap();
    assert_eq!(v["echo"], json!({"type": "x", "n": 1}));
    assert_eq!(c.master_secret(&peer, None).await.unwrap(), [0x42; 32]);
    // A snapshot answer without `data` object is a protocol error.
    assert!(matches!(
        c.snapshot(&peer, &[1; 32]).await,
        Err(PeerError::Protocol(_))
    ));
}

#[tokio::test]
async fn bad_answers_are_refused() {
    let c = client();
    for (mode, part) in [
        (Mode::NoSignature, "no X-KMS-Peer-Signature"),
        (Mode::WrongSigner, "expected the peer's registry wallet"),
        (
            Mode::EnvelopeFromOtherKey,
            "not from the peer's registry teePubkey",
        ),
        (Mode::Plaintext, "not an envelope"),
        (Mode::BadNonce, "not valid base64"),
    ] {
        let peer = fake_peer(mode).await;
        match c.request(&peer, &json!({"type": "x"}), None).await {
            Err(PeerError::Protocol(m)) => assert!(m.contains(part), "{mode:?}: {m}"),
            other => panic!("{mode:?}: {other:?}"),
        }
    }
    let peer = fake_peer(Mode::Refuse).await;
    assert_eq!(
        c.request(&peer, &json!({}), None).await,
        Err(PeerError::Refused {
            status: 403,
            message: "go away".into()
        })
    );
    // Unreachable peer, and a peer with no key.
    let mut dead = peer.clone();
    dead.url = "http://127.0.0.1:9".into();
    assert!(matches!(
        c.request(&dead, &json!({}), None).await,
        Err(PeerError::Transport(_))
    ));
    let mut keyless = peer;
    keyless.tee_pubkey.clear();
    assert!(matches!(
        c.request(&keyless, &json!({}), None).await,
        Err(PeerError::Protocol(_))
    ));
}

/// A raw HTTP server answering every connection with `head` + `body`.
async fn raw_server(head: &'static str, body: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(&body).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn bodies_are_capped_by_length_and_by_real_bytes() {
    let http = crate::tls::client::builder().build().unwrap();
    let url = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-length: 5000\r\nconnection: close\r\n\r\n",
        vec![b'x'; 5000],
    )
    .await;
    let resp = http.get(&url).send().await.unwrap();
    let e = read_capped(resp, 1000).await.unwrap_err();
    assert!(e.to_string().contains("5000 bytes exceeds"), "{e}");
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(read_capped(resp, 5000).await.unwrap().len(), 5000);
    // Chunked: no length announced; the running count stops it.
    let mut chunked = Vec::new();
    for _ in 0..10 {
        chunked.extend_from_slice(b"200\r\n");
        chunked.extend_from_slice(&[b'y'; 0x200]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let url = raw_server(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        chunked,
    )
    .await;
    let resp = http.get(&url).send().await.unwrap();
    assert!(resp.content_length().is_none());
    let e = read_capped(resp, 2000).await.unwrap_err();
    assert!(e.to_string().contains("exceeds the 2000-byte limit"), "{e}");
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(read_capped(resp, 5120).await.unwrap().len(), 5120);
}

#[tokio::test]
async fn hung_peer_times_out() {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    let c = PeerClient::new(
        Identity::generate(),
        LABEL,
        Duration::from_millis(300),
        Clock::system(),
    )
    .unwrap();
    let mut peer = fake_peer(Mode::Good).await;
    peer.url = format!("http://{addr}");
    let started = std::time::Instant::now();
    assert!(matches!(
        c.request(&peer, &json!({}), None).await,
        Err(PeerError::Transport(_))
    ));
    assert!(started.elapsed() < Duration::from_secs(3));
}
