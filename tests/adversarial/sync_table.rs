//! The `/sync` mutation table: the three request types of protocol.md §6.7 and the 29
//! forgeries applied to a valid request of each (PoP, HMAC, envelope, sender and record
//! forgeries), with the refusal (or the all-records-rejected answer) each must get.

use novakms::client::peer::PeerClient;
use novakms::crypto::keys::spki_der;
use novakms::crypto::mac::sync_hmac_hex;
use novakms::crypto::master::MasterSecret;
use novakms::crypto::value::encrypt_value;
use novakms::identity::Identity;
use novakms::node::peers::PeerInfo;
use novakms::store::{Record, VectorClock};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::http::nonce_with as nonce;
use crate::common::pop::{b64, body_bytes, peer_headers, seal_to, send, set_header, Req};
use crate::common::wait::{now_ms, now_s};
use crate::harness::{exp, rand_bytes, Expect, Target, POP_TIMEOUT, SYNC_APP};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SyncType {
    Delta,
    Snapshot,
    MasterSecret,
}

pub(crate) const SYNC_TYPES: [SyncType; 3] =
    [SyncType::Delta, SyncType::Snapshot, SyncType::MasterSecret];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SyncMut {
    MissingSignature,
    MissingNonce,
    MissingTimestamp,
    WalletHeaderOther,
    SignatureGarbage,
    StaleTimestamp,
    FutureTimestamp,
    TimestampNotNumber,
    NonceReplayed,
    NonceUnissued,
    NonceNotBase64,
    SignerNonMember,
    SignerAppInstance,
    SignerStoppedKms,
    SignerNotZkKms,
    SignedForOtherNode,
    // After PoP (nonce consumed):
    HmacMissing,
    HmacWrongKey,
    Hmac0xPrefix,
    HmacOfOtherBody,
    BodySwappedOtherPeer,
    BodyStrangerKey,
    BodyPlaintext,
    BodyTampered,
    SenderWalletOther,
    ReplayedWholeRequest,
    // Accepted transport, refused records (200 with every record rejected).
    RecordsAppZero,
    RecordsFuture,
    RecordsWrongDataKey,
}

pub(crate) const SYNC_MUTS: [SyncMut; 29] = [
    SyncMut::MissingSignature,
    SyncMut::MissingNonce,
    SyncMut::MissingTimestamp,
    SyncMut::WalletHeaderOther,
    SyncMut::SignatureGarbage,
    SyncMut::StaleTimestamp,
    SyncMut::FutureTimestamp,
    SyncMut::TimestampNotNumber,
    SyncMut::NonceReplayed,
    SyncMut::NonceUnissued,
    SyncMut::NonceNotBase64,
    SyncMut::SignerNonMember,
    SyncMut::SignerAppInstance,
    SyncMut::SignerStoppedKms,
    SyncMut::SignerNotZkKms,
    SyncMut::SignedForOtherNode,
    SyncMut::HmacMissing,
    SyncMut::HmacWrongKey,
    SyncMut::Hmac0xPrefix,
    SyncMut::HmacOfOtherBody,
    SyncMut::BodySwappedOtherPeer,
    SyncMut::BodyStrangerKey,
    SyncMut::BodyPlaintext,
    SyncMut::BodyTampered,
    SyncMut::SenderWalletOther,
    SyncMut::ReplayedWholeRequest,
    SyncMut::RecordsAppZero,
    SyncMut::RecordsFuture,
    SyncMut::RecordsWrongDataKey,
];

impl SyncMut {
    pub(crate) fn applies(self, ty: SyncType) -> bool {
        match self {
            // master_secret_request needs no HMAC (§6.7).
            SyncMut::HmacMissing
            | SyncMut::HmacWrongKey
            | SyncMut::Hmac0xPrefix
            | SyncMut::HmacOfOtherBody => ty != SyncType::MasterSecret,
            SyncMut::RecordsAppZero | SyncMut::RecordsFuture | SyncMut::RecordsWrongDataKey => {
                ty == SyncType::Delta
            }
            // A replayed snapshot/secret request has no state to change but
            // must still be refused; keep it for every type.
            _ => true,
        }
    }
}

pub(crate) struct SyncSide {
    pub(crate) peer: Identity,
    pub(crate) peer2: Identity,
    pub(crate) app_instance: Identity,
    pub(crate) stopped: Identity,
    pub(crate) not_zk: Identity,
    pub(crate) sync_key: [u8; 32],
    pub(crate) secret: MasterSecret,
}

pub(crate) fn wire_rec(key: &str, value: Vec<u8>, node: &str, ts: u64) -> Value {
    Record {
        key: key.into(),
        value,
        version: VectorClock::from([(node, 1)]),
        updated_at_ms: ts,
        tombstone: false,
        ttl_ms: 0,
    }
    .to_wire()
}

pub(crate) fn sync_payload(ty: SyncType, s: &SyncSide, sender: &Identity, n: usize) -> Value {
    match ty {
        SyncType::Delta => {
            let v = encrypt_value(&s.secret.data_key(SYNC_APP), b"evil");
            json!({"type": "delta", "sender_wallet": sender.address(),
                   "data": {SYNC_APP.to_string(): [wire_rec(&format!("intruder-{n}"), v, &sender.address(), now_ms())]}})
        }
        SyncType::Snapshot => {
            json!({"type": "snapshot_request", "sender_wallet": sender.address()})
        }
        SyncType::MasterSecret => {
            let eph = p384::SecretKey::random(&mut rand::rngs::OsRng);
            json!({"type": "master_secret_request", "sender_wallet": sender.address(),
                   "ecdh_pubkey": hex::encode(spki_der(&eph.public_key()))})
        }
    }
}

/// Peer PoP headers by `signer` for `recipient`, plus the HMAC of `body` with `key` if given.
pub(crate) fn sync_headers(
    signer: &Identity,
    recipient: &str,
    nonce: &str,
    ts: u64,
    body: &Value,
    key: Option<&[u8; 32]>,
) -> Vec<(String, String)> {
    let mut h = peer_headers(signer, recipient, nonce, ts);
    if let Some(k) = key {
        h.push(("x-sync-signature".into(), sync_hmac_hex(k, body)));
    }
    h
}

pub(crate) fn sync_req(headers: Vec<(String, String)>, body: &Value) -> Req {
    Req {
        method: Method::POST,
        path: "/sync".into(),
        headers,
        body: Some(body_bytes(body)),
        content_type: Some("application/json"),
    }
}

/// A valid `/sync` request of type `ty` by `signer` (payload `payload`).
pub(crate) fn sync_valid(
    t: &Target,
    s: &SyncSide,
    signer: &Identity,
    nonce: &str,
    payload: &Value,
) -> Req {
    let body = seal_to(signer, &t.tee, &body_bytes(payload));
    sync_req(
        sync_headers(signer, &t.wallet, nonce, now_s(), &body, Some(&s.sync_key)),
        &body,
    )
}

/// Expected outcome of a forged `/sync`: a refusal, or 200 with every
/// record rejected (`Err(total)`).
pub(crate) enum SyncExpect {
    Refused(Expect),
    AllRejected(u64),
}

pub(crate) async fn sync_forge(
    http: &reqwest::Client,
    t: &Target,
    s: &SyncSide,
    m: SyncMut,
    ty: SyncType,
    n: usize,
) -> (Req, SyncExpect, Option<String>) {
    let fresh = nonce(http, &t.base).await;
    let payload = sync_payload(ty, s, &s.peer, n);
    let mut r = sync_valid(t, s, &s.peer, &fresh, &payload);
    let body: Value = serde_json::from_slice(r.body.as_ref().unwrap()).unwrap();
    let unauth = |msg| SyncExpect::Refused(exp(403, "unauthorized", msg));
    let forbid = |msg| SyncExpect::Refused(exp(403, "forbidden", msg));
    let key = Some(&s.sync_key);
    let mut alive = Some(fresh.clone());
    let as_signer = |who: &Identity| {
        let p = sync_payload(ty, s, who, n);
        let b = seal_to(who, &t.tee, &body_bytes(&p));
        sync_req(sync_headers(who, &t.wallet, &fresh, now_s(), &b, key), &b)
    };
    let with_body = |b: &Value, k: Option<&[u8; 32]>| {
        sync_req(sync_headers(&s.peer, &t.wallet, &fresh, now_s(), b, k), b)
    };
    let e = match m {
        SyncMut::MissingSignature => {
            set_header(&mut r.headers, "x-kms-signature", None);
            unauth("Missing x-kms-signature")
        }
        SyncMut::MissingNonce => {
            set_header(&mut r.headers, "x-kms-nonce", None);
            unauth("Missing x-kms-nonce")
        }
        SyncMut::MissingTimestamp => {
            set_header(&mut r.headers, "x-kms-timestamp", None);
            unauth("Missing x-kms-timestamp")
        }
        SyncMut::WalletHeaderOther => {
            set_header(&mut r.headers, "x-kms-wallet", Some(s.peer2.address()));
            unauth("KMS wallet header does not match signature")
        }
        SyncMut::SignatureGarbage => {
            set_header(&mut r.headers, "x-kms-signature", Some("0x00".into()));
            unauth("")
        }
        SyncMut::StaleTimestamp | SyncMut::FutureTimestamp => {
            let ts = if m == SyncMut::StaleTimestamp {
                now_s() - POP_TIMEOUT - 5
            } else {
                now_s() + POP_TIMEOUT + 5
            };
            r = sync_req(
                sync_headers(&s.peer, &t.wallet, &fresh, ts, &body, key),
                &body,
            );
            unauth("Stale timestamp")
        }
        SyncMut::TimestampNotNumber => {
            set_header(&mut r.headers, "x-kms-timestamp", Some("soon".into()));
            unauth("Invalid x-kms-timestamp")
        }
        SyncMut::NonceReplayed => {
            let ok = sync_valid(
                t,
                s,
                &s.peer,
                &fresh,
                &sync_payload(SyncType::Snapshot, s, &s.peer, n),
            );
            assert_eq!(send(http, &t.base, &ok).await.0, 200);
            alive = None;
            unauth("Invalid or expired nonce")
        }
        SyncMut::NonceUnissued => {
            let fake = b64(&rand_bytes(16));
            r = sync_req(
                sync_headers(&s.peer, &t.wallet, &fake, now_s(), &body, key),
                &body,
            );
            unauth("Invalid or expired nonce")
        }
        SyncMut::NonceNotBase64 => {
            let bad = "%%%".to_string();
            r = sync_req(
                sync_headers(&s.peer, &t.wallet, &bad, now_s(), &body, key),
                &body,
            );
            unauth("Invalid nonce encoding")
        }
        SyncMut::SignerNonMember => {
            r = as_signer(&Identity::generate());
            forbid("not found in PeerCache")
        }
        SyncMut::SignerAppInstance => {
            r = as_signer(&s.app_instance);
            forbid("not found in PeerCache")
        }
        SyncMut::SignerStoppedKms => {
            r = as_signer(&s.stopped);
            forbid("")
        }
        SyncMut::SignerNotZkKms => {
            r = as_signer(&s.not_zk);
            forbid("")
        }
        SyncMut::SignedForOtherNode => {
            let other = Identity::generate().address();
            r = sync_req(
                sync_headers(&s.peer, &other, &fresh, now_s(), &body, key),
                &body,
            );
            unauth("KMS wallet header does not match signature")
        }
        SyncMut::HmacMissing => {
            alive = None;
            set_header(&mut r.headers, "x-sync-signature", None);
            unauth("Missing HMAC signature")
        }
        SyncMut::HmacWrongKey => {
            alive = None;
            r = with_body(&body, Some(&[n as u8; 32]));
            unauth("Invalid HMAC signature")
        }
        SyncMut::Hmac0xPrefix => {
            alive = None;
            let mac = sync_hmac_hex(&s.sync_key, &body);
            set_header(&mut r.headers, "x-sync-signature", Some(format!("0x{mac}")));
            unauth("Invalid HMAC signature")
        }
        SyncMut::HmacOfOtherBody => {
            alive = None;
            let other = seal_to(
                &s.peer,
                &t.tee,
                &body_bytes(&sync_payload(ty, s, &s.peer, n + 1)),
            );
            let mac = sync_hmac_hex(&s.sync_key, &other);
            set_header(&mut r.headers, "x-sync-signature", Some(mac));
            unauth("Invalid HMAC signature")
        }
        SyncMut::BodySwappedOtherPeer => {
            alive = None;
            let b = seal_to(
                &s.peer2,
                &t.tee,
                &body_bytes(&sync_payload(ty, s, &s.peer2, n)),
            );
            r = with_body(&b, key);
            forbid("sender_tee_pubkey does not match")
        }
        SyncMut::BodyStrangerKey => {
            alive = None;
            let b = seal_to(&Identity::generate(), &t.tee, &body_bytes(&payload));
            r = with_body(&b, key);
            forbid("sender_tee_pubkey does not match")
        }
        SyncMut::BodyPlaintext => {
            alive = None;
            r = with_body(&payload, key);
            SyncExpect::Refused(exp(400, "bad_request", "E2E encrypted"))
        }
        SyncMut::BodyTampered => {
            alive = None;
            let mut b = body.clone();
            let ct = b["encrypted_data"].as_str().unwrap().to_string();
            let i = n % ct.len();
            let flipped = if &ct[i..=i] == "a" { "b" } else { "a" };
            b["encrypted_data"] = json!(format!("{}{flipped}{}", &ct[..i], &ct[i + 1..]));
            r = with_body(&b, key);
            SyncExpect::Refused(exp(400, "bad_request", "Envelope decryption failed"))
        }
        SyncMut::SenderWalletOther => {
            alive = None;
            let mut p = payload.clone();
            p["sender_wallet"] = json!(s.peer2.address());
            let b = seal_to(&s.peer, &t.tee, &body_bytes(&p));
            r = with_body(&b, key);
            forbid("sender_wallet does not match PoP signature")
        }
        SyncMut::ReplayedWholeRequest => {
            alive = None;
            // Original must be harmless to replay-check: make it a snapshot.
            let p = sync_payload(SyncType::Snapshot, s, &s.peer, n);
            let b = seal_to(&s.peer, &t.tee, &body_bytes(&p));
            r = with_body(&b, key);
            assert_eq!(send(http, &t.base, &r).await.0, 200);
            unauth("Invalid or expired nonce")
        }
        SyncMut::RecordsAppZero | SyncMut::RecordsFuture | SyncMut::RecordsWrongDataKey => {
            alive = None;
            let w = s.peer.address();
            let recs: Vec<Value> = (0..3)
                .map(|i| {
                    let k = format!("intruder-{n}-{i}");
                    match m {
                        SyncMut::RecordsAppZero => {
                            wire_rec(&k, encrypt_value(&s.secret.data_key(0), b"e"), &w, now_ms())
                        }
                        SyncMut::RecordsFuture => wire_rec(
                            &k,
                            encrypt_value(&s.secret.data_key(SYNC_APP), b"e"),
                            &w,
                            now_ms() + 60_000 + i * 1000,
                        ),
                        _ => wire_rec(&k, encrypt_value(&[9u8; 32], b"e"), &w, now_ms()),
                    }
                })
                .collect();
            let app = if m == SyncMut::RecordsAppZero {
                0
            } else {
                SYNC_APP
            };
            let p = json!({"type": "delta", "sender_wallet": w, "data": {app.to_string(): recs}});
            let b = seal_to(&s.peer, &t.tee, &body_bytes(&p));
            r = with_body(&b, key);
            SyncExpect::AllRejected(3)
        }
    };
    (r, e, alive)
}

/// Everything the node stores as seen from outside.
pub(crate) async fn snapshot_of(pc: &PeerClient, node: &PeerInfo, key: &[u8; 32]) -> Value {
    pc.snapshot(node, key).await.unwrap()
}
