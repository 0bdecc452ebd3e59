//! The test Odyn against our client and our local envelope code (issue 11 item 4).

use std::time::Duration;

use alloy::consensus::{SignableTransaction, TxEnvelope};
use alloy::eips::eip2718::Decodable2718;
use alloy::primitives::{Address, Bytes, TxKind, U256};
use serde_json::json;

use super::*;
use crate::crypto::envelope;
use crate::identity::odyn::tx::StructuredTx;
use crate::identity::odyn::{OdynClient, OdynError};
use crate::identity::{Identity, IdentityHandle};

fn client(o: &TestOdyn) -> OdynClient {
    OdynClient::new(&o.url(), Duration::from_secs(10)).unwrap()
}

#[tokio::test]
async fn envelopes_interoperate_with_local_crypto_both_ways() {
    let o = TestOdyn::start().await.unwrap();
    let c = client(&o);
    let app = Identity::generate();
    // Local identity seals to Odyn's key; Odyn opens it.
    let env = envelope::seal(
        app.tee_secret(),
        &o.tee_pubkey_der(),
        b"{\"k\":\"v\"}",
        envelope::DEFAULT_INFO_LABEL,
    )
    .unwrap();
    assert_eq!(c.decrypt(&env).await.unwrap(), b"{\"k\":\"v\"}");
    // The same envelope again: refused (single use per (key, nonce), §3.3).
    match c.decrypt(&env).await {
        Err(OdynError::Refused {
            status: 400,
            message,
        }) => {
            assert!(message.contains("Nonce reuse"), "{message}")
        }
        other => panic!("replay accepted: {other:?}"),
    }
    // Odyn seals to the local identity; local code opens it.
    let back = c
        .encrypt(b"{\"ok\":true}", &app.tee_pubkey_der())
        .await
        .unwrap();
    assert_eq!(back.sender_tee_pubkey, hex::encode(o.tee_pubkey_der()));
    assert_eq!(back.nonce.len(), 24);
    assert_eq!(
        envelope::open(app.tee_secret(), &back, envelope::DEFAULT_INFO_LABEL).unwrap(),
        b"{\"ok\":true}"
    );
    // Another label does not open it.
    assert!(envelope::open(app.tee_secret(), &back, envelope::ENCLAVER_INFO_LABEL).is_err());
    // A tampered ciphertext is refused with 400 (and costs its nonce).
    let mut bad = envelope::seal(
        app.tee_secret(),
        &o.tee_pubkey_der(),
        b"x",
        envelope::DEFAULT_INFO_LABEL,
    )
    .unwrap();
    bad.encrypted_data.replace_range(
        0..2,
        if bad.encrypted_data.starts_with("00") {
            "01"
        } else {
            "00"
        },
    );
    assert!(matches!(
        c.decrypt(&bad).await,
        Err(OdynError::Refused { status: 400, .. })
    ));
    assert_eq!(o.served("decrypt"), 3);
    assert_eq!(o.served("encrypt"), 1);
}

#[tokio::test]
async fn replay_record_is_a_fifo_of_4096() {
    let o = TestOdyn::start().await.unwrap();
    let mut r = o.state().replay.lock().unwrap();
    for i in 0..REPLAY_CAPACITY as u32 + 1 {
        let mut fp = [0u8; 32];
        fp[..4].copy_from_slice(&i.to_be_bytes());
        assert!(r.insert(fp));
    }
    assert_eq!(r.order.len(), REPLAY_CAPACITY);
    let mut first = [0u8; 32];
    first[..4].copy_from_slice(&0u32.to_be_bytes());
    assert!(r.insert(first), "the oldest entry was evicted");
    let mut last = [0u8; 32];
    last[..4].copy_from_slice(&(REPLAY_CAPACITY as u32).to_be_bytes());
    assert!(!r.insert(last), "a recent entry is still refused");
}

#[tokio::test]
async fn identity_handle_over_the_test_odyn() {
    let o = TestOdyn::start().await.unwrap();
    let h = IdentityHandle::connect_odyn(client(&o)).await.unwrap();
    assert_eq!(h.address(), o.address());
    assert_eq!(h.tee_pubkey_der(), o.tee_pubkey_der().as_slice());
    // The P-384 key is not derived from the wallet key (real Odyn keys are independent).
    let wallet_key: [u8; 32] = o.state().keys.wallet.credential().to_bytes().into();
    let derived = Identity::from_private_key(&wallet_key).unwrap();
    assert_ne!(derived.tee_pubkey_der(), o.tee_pubkey_der());
    // Signing: v normalised to 27/28, recovers to the wallet.
    let sig = h.sign("NovaKMS:Response:x:y").await.unwrap();
    assert!(sig.ends_with("1b") || sig.ends_with("1c"), "{sig}");
    assert_eq!(
        crate::crypto::pop::recover_signer("NovaKMS:Response:x:y", &sig).unwrap(),
        o.address()
    );
    // Start-up cost: address + public key + one probe signature; then none per call.
    let before = (o.served("address"), o.served("public_key"));
    assert_eq!(before, (1, 1));
    let app = IdentityHandle::from(Identity::generate());
    let env = app.seal(h.tee_pubkey_der(), b"{}").await.unwrap();
    assert_eq!(h.open(&env).await.unwrap(), b"{}");
    let reply = h.seal(app.tee_pubkey_der(), b"[1]").await.unwrap();
    assert_eq!(app.open(&reply).await.unwrap(), b"[1]");
    assert_eq!((o.served("address"), o.served("public_key")), before);
    assert_eq!(
        (o.served("decrypt"), o.served("encrypt"), o.served("sign")),
        (1, 1, 2)
    );
    // Master secret at rest: sealed to itself, opens once per nonce.
    let secret = h.generate_master_secret().await.unwrap();
    assert_eq!(o.served("random"), 1);
    let blob = h.seal_master_secret(&secret).await.unwrap();
    assert_eq!(blob[0], crate::identity::handle::ODYN_AT_REST_VERSION);
    assert_eq!(h.unseal_master_secret(&blob).await.unwrap(), secret);
    let again = h.unseal_master_secret(&blob).await.unwrap_err();
    assert_eq!(again.kind(), crate::ErrorKind::Integrity, "{again}");
    // Another enclave identity cannot open it.
    let other = TestOdyn::start().await.unwrap();
    let h2 = IdentityHandle::connect_odyn(client(&other)).await.unwrap();
    let blob = h.seal_master_secret(&secret).await.unwrap();
    assert_eq!(
        h2.unseal_master_secret(&blob).await.unwrap_err().kind(),
        crate::ErrorKind::Integrity
    );
    // A keystore blob is not an Odyn blob.
    let local = Identity::generate();
    let kblob = secret.seal_at_rest(&local.seal_key());
    assert_eq!(
        h.unseal_master_secret(&kblob).await.unwrap_err().kind(),
        crate::ErrorKind::Integrity
    );
}

#[tokio::test]
async fn sign_tx_structured_decodes_to_the_request_and_recovers_to_the_wallet() {
    let o = TestOdyn::start().await.unwrap();
    let c = client(&o);
    let want = StructuredTx {
        chain_id: 31337,
        nonce: 7,
        max_priority_fee_per_gas: 1_000_000_000,
        max_fee_per_gas: 3_000_000_000,
        gas_limit: 80_000,
        to: Address::repeat_byte(0x42),
        value: U256::ZERO,
        data: Bytes::from(vec![0x4d, 0xf7, 0xe3, 0x90, 1, 2, 3]),
    };
    let raw = c.sign_tx(want.payload()).await.unwrap();
    let env = TxEnvelope::decode_2718(&mut &raw[..]).unwrap();
    let TxEnvelope::Eip1559(signed) = &env else {
        panic!("not EIP-1559")
    };
    let tx = signed.tx();
    assert_eq!(
        (
            tx.chain_id,
            tx.nonce,
            tx.gas_limit,
            tx.max_fee_per_gas,
            tx.max_priority_fee_per_gas
        ),
        (31337, 7, 80_000, 3_000_000_000, 1_000_000_000)
    );
    assert_eq!(tx.to, TxKind::Call(Address::repeat_byte(0x42)));
    assert_eq!(tx.input, want.data);
    let signer = signed
        .signature()
        .recover_address_from_prehash(&tx.signature_hash())
        .unwrap();
    assert_eq!(crate::crypto::pop::address_string(&signer), o.address());
    let from = signer;
    crate::chain::rawtx::check_signed(&raw, &want, from).unwrap();
    let mut other = want.clone();
    other.nonce = 8;
    assert!(crate::chain::rawtx::check_signed(&raw, &other, from).is_err());
    assert!(crate::chain::rawtx::check_signed(&raw, &want, Address::ZERO).is_err());
}

#[tokio::test]
async fn sign_tx_refuses_the_upstream_shape_like_real_odyn() {
    let o = TestOdyn::start().await.unwrap();
    let c = client(&o);
    // protocol.md §9.5: the shape upstream's node sends.
    let upstream = json!({"chainId":"0x7a69","type":"0x2","from":o.address(),
        "to":"0x4242424242424242424242424242424242424242","nonce":"0x0","data":"0x4df7e390",
        "value":"0x0","maxPriorityFeePerGas":"0x1","maxFeePerGas":"0x2","gas":"0x493e0"});
    match c.sign_tx(upstream).await {
        Err(OdynError::Refused {
            status: 400,
            message,
        }) => {
            assert!(message.contains("missing field `kind`"), "{message}")
        }
        other => panic!("upstream shape accepted: {other:?}"),
    }
}

#[tokio::test]
async fn bad_input_gets_a_400_text() {
    let o = TestOdyn::start().await.unwrap();
    let http = crate::tls::client::builder().build().unwrap();
    for (path, body) in [
        ("/v1/eth/sign", json!({"message": ""})),
        ("/v1/eth/sign", json!({"msg": "x"})),
        (
            "/v1/encryption/encrypt",
            json!({"plaintext": "x", "client_public_key": "0x04ab"}),
        ),
        (
            "/v1/encryption/decrypt",
            json!({"nonce": "0x00", "client_public_key": "0x", "encrypted_data": "0x"}),
        ),
    ] {
        let r = http
            .post(format!("{}{path}", o.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{path} {body}");
        assert!(!r.text().await.unwrap().is_empty());
    }
    let v: serde_json::Value = http
        .get(format!("{}/v1/random", o.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["random_bytes"].as_str().unwrap().len(), 66);
}

#[test]
fn key_file_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("odyn.json");
    let a = OdynKeys::load_or_create(&f).unwrap();
    let b = OdynKeys::load_or_create(&f).unwrap();
    assert_eq!(a.address(), b.address());
    assert_eq!(a.tee_pubkey_der(), b.tee_pubkey_der());
    std::fs::write(&f, "{}").unwrap();
    assert!(OdynKeys::load_or_create(&f).is_err());
}
