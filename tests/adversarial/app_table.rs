//! The app-side mutation table: the six app routes (protocol.md §1.3–§1.7) and the 31
//! forgeries applied to a valid request of each, with the refusal each must get.

use novakms::identity::Identity;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::devnet::RefusedApps;
use crate::common::http::nonce_with as nonce;
use crate::common::pop::{app_headers, b64, body_bytes, seal_to, send, set_header, Req};
use crate::common::wait::now_s;
use crate::harness::{exp, rand_bytes, Expect, Target, POP_TIMEOUT};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum AppRoute {
    List,
    GetPath,
    GetQuery,
    Put,
    Delete,
    Derive,
}

pub(crate) const APP_ROUTES: [AppRoute; 6] = [
    AppRoute::List,
    AppRoute::GetPath,
    AppRoute::GetQuery,
    AppRoute::Put,
    AppRoute::Delete,
    AppRoute::Derive,
];

impl AppRoute {
    pub(crate) fn method(self) -> Method {
        match self {
            AppRoute::List | AppRoute::GetPath | AppRoute::GetQuery => Method::GET,
            AppRoute::Put => Method::PUT,
            AppRoute::Delete => Method::DELETE,
            AppRoute::Derive => Method::POST,
        }
    }
    pub(crate) fn path(self) -> &'static str {
        match self {
            AppRoute::List => "/kms/data",
            AppRoute::GetPath => "/kms/data/seed",
            AppRoute::GetQuery => "/kms/data?key=seed",
            AppRoute::Put | AppRoute::Delete => "/kms/data",
            AppRoute::Derive => "/kms/derive",
        }
    }
    pub(crate) fn has_body(self) -> bool {
        matches!(self, AppRoute::Put | AppRoute::Delete | AppRoute::Derive)
    }
    /// The inner request a forger would like executed: a write of an
    /// `intruder-*` key, the deletion of `seed`, a derivation.
    pub(crate) fn inner(self, n: usize) -> Value {
        match self {
            AppRoute::Put => json!({"key": format!("intruder-{n}"), "value": b64(b"evil")}),
            AppRoute::Delete => json!({"key": "seed"}),
            AppRoute::Derive => json!({"path": "p", "context": "", "length": 32}),
            _ => Value::Null,
        }
    }
    /// A well-formed inner request of another route (body swapped between
    /// routes): refused by field validation.
    pub(crate) fn other_inner(self) -> (Value, &'static str) {
        match self {
            AppRoute::Derive => (json!({"key": "seed", "value": b64(b"x")}), "Missing 'path'"),
            _ => (json!({"path": "p", "length": 32}), "Missing 'key'"),
        }
    }
}

/// One app-side forgery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum AppMut {
    MissingSignature,
    MissingNonce,
    MissingTimestamp,
    WalletHeaderOther,
    WalletHeaderInvalid,
    SignatureGarbage,
    SignatureTruncated,
    SignerUnregistered,
    SignedForOtherNode,
    SignedOtherTimestamp,
    SignedOtherNonce,
    StaleTimestamp,
    FutureTimestamp,
    TimestampNotNumber,
    TimestampNegative,
    NonceReplayed,
    NonceUnissued,
    NonceNotBase64,
    InstanceStopped,
    InstanceNotZk,
    AppInactive,
    VersionRevoked,
    // Body forgeries (valid PoP; the nonce is consumed, as upstream).
    BodyPlaintext,
    BodySwappedOtherApp,
    BodyStrangerKey,
    BodySealedToOtherNode,
    BodyTampered,
    BodyOtherRoute,
    BodyNotJson,
    BodyNoContentType,
    BodyReplayedWholeRequest,
}

pub(crate) const APP_MUTS: [AppMut; 31] = [
    AppMut::MissingSignature,
    AppMut::MissingNonce,
    AppMut::MissingTimestamp,
    AppMut::WalletHeaderOther,
    AppMut::WalletHeaderInvalid,
    AppMut::SignatureGarbage,
    AppMut::SignatureTruncated,
    AppMut::SignerUnregistered,
    AppMut::SignedForOtherNode,
    AppMut::SignedOtherTimestamp,
    AppMut::SignedOtherNonce,
    AppMut::StaleTimestamp,
    AppMut::FutureTimestamp,
    AppMut::TimestampNotNumber,
    AppMut::TimestampNegative,
    AppMut::NonceReplayed,
    AppMut::NonceUnissued,
    AppMut::NonceNotBase64,
    AppMut::InstanceStopped,
    AppMut::InstanceNotZk,
    AppMut::AppInactive,
    AppMut::VersionRevoked,
    AppMut::BodyPlaintext,
    AppMut::BodySwappedOtherApp,
    AppMut::BodyStrangerKey,
    AppMut::BodySealedToOtherNode,
    AppMut::BodyTampered,
    AppMut::BodyOtherRoute,
    AppMut::BodyNotJson,
    AppMut::BodyNoContentType,
    AppMut::BodyReplayedWholeRequest,
];

impl AppMut {
    pub(crate) fn body_only(self) -> bool {
        self >= AppMut::BodyPlaintext && self != AppMut::BodyReplayedWholeRequest
    }
}

/// Identities of the app side: the demo app, a second instance of it, and instances in each
/// refused state.
pub(crate) struct AppSide {
    pub(crate) good: Identity,
    pub(crate) other_app: Identity,
    pub(crate) refused: RefusedApps,
}

/// A valid request of `route` by `signer` with `nonce`.
pub(crate) fn app_valid(
    t: &Target,
    signer: &Identity,
    route: AppRoute,
    nonce: &str,
    inner: &Value,
) -> Req {
    let headers = app_headers(signer, &t.wallet, nonce, nonce, now_s());
    let body = route
        .has_body()
        .then(|| body_bytes(&seal_to(signer, &t.tee, &body_bytes(inner))));
    Req {
        method: route.method(),
        path: route.path().into(),
        headers,
        body,
        content_type: route.has_body().then_some("application/json"),
    }
}

/// Build the forged request for (`m`, `route`). Returns the request, the
/// expected refusal and the header nonce if it must still be live after the
/// refusal (refused before the nonce is consumed).
pub(crate) async fn app_forge(
    http: &reqwest::Client,
    t: &Target,
    ids: &AppSide,
    m: AppMut,
    route: AppRoute,
    n: usize,
) -> (Req, Expect, Option<String>) {
    let fresh = nonce(http, &t.base).await;
    let inner = route.inner(n);
    let mut r = app_valid(t, &ids.good, route, &fresh, &inner);
    let unauth = |msg| exp(403, "unauthorized", msg);
    let forbid = |msg| exp(403, "forbidden", msg);
    let mut alive = Some(fresh.clone());
    let as_signer = |who: &Identity, r: &mut Req| {
        r.headers = app_headers(who, &t.wallet, &fresh, &fresh, now_s());
        if route.has_body() {
            r.body = Some(body_bytes(&seal_to(who, &t.tee, &body_bytes(&inner))));
        }
    };
    let e = match m {
        AppMut::MissingSignature | AppMut::MissingNonce | AppMut::MissingTimestamp => {
            let h = match m {
                AppMut::MissingSignature => "x-app-signature",
                AppMut::MissingNonce => "x-app-nonce",
                _ => "x-app-timestamp",
            };
            set_header(&mut r.headers, h, None);
            unauth("Missing PoP authentication headers")
        }
        AppMut::WalletHeaderOther => {
            set_header(
                &mut r.headers,
                "x-app-wallet",
                Some(ids.other_app.address()),
            );
            unauth("App wallet header does not match signature")
        }
        AppMut::WalletHeaderInvalid => {
            set_header(
                &mut r.headers,
                "x-app-wallet",
                Some("0xnot-a-wallet".into()),
            );
            forbid("Invalid wallet address")
        }
        AppMut::SignatureGarbage => {
            set_header(
                &mut r.headers,
                "x-app-signature",
                Some(format!("0x{}", "zz".repeat(65))),
            );
            unauth("")
        }
        AppMut::SignatureTruncated => {
            let s = r.headers[0].1[..130].to_string(); // 64 bytes: EIP-2098 form, refused
            set_header(&mut r.headers, "x-app-signature", Some(s));
            unauth("")
        }
        AppMut::SignerUnregistered => {
            as_signer(&Identity::generate(), &mut r);
            unauth("Instance not found")
        }
        AppMut::SignedForOtherNode => {
            let other = Identity::generate().address();
            r.headers = app_headers(&ids.good, &other, &fresh, &fresh, now_s());
            unauth("App wallet header does not match signature")
        }
        AppMut::SignedOtherTimestamp => {
            let ts = now_s();
            r.headers = app_headers(&ids.good, &t.wallet, &fresh, &fresh, ts - 7);
            set_header(&mut r.headers, "x-app-timestamp", Some(ts.to_string()));
            unauth("App wallet header does not match signature")
        }
        AppMut::SignedOtherNonce => {
            let other = nonce(http, &t.base).await;
            r.headers = app_headers(&ids.good, &t.wallet, &other, &fresh, now_s());
            unauth("App wallet header does not match signature")
        }
        AppMut::StaleTimestamp | AppMut::FutureTimestamp => {
            let ts = if m == AppMut::StaleTimestamp {
                now_s() - POP_TIMEOUT - 30 - (n as u64 % 1000)
            } else {
                now_s() + POP_TIMEOUT + 30 + (n as u64 % 1000)
            };
            r.headers = app_headers(&ids.good, &t.wallet, &fresh, &fresh, ts);
            unauth("Stale timestamp")
        }
        AppMut::TimestampNotNumber => {
            set_header(
                &mut r.headers,
                "x-app-timestamp",
                Some(format!("{}.0", now_s())),
            );
            unauth("Invalid x-app-timestamp")
        }
        AppMut::TimestampNegative => {
            set_header(
                &mut r.headers,
                "x-app-timestamp",
                Some(format!("-{}", now_s())),
            );
            unauth("Invalid x-app-timestamp")
        }
        AppMut::NonceReplayed => {
            // Use the nonce in a valid request first, then forge with it.
            let ok = app_valid(t, &ids.good, AppRoute::List, &fresh, &Value::Null);
            assert_eq!(send(http, &t.base, &ok).await.0, 200);
            alive = None;
            unauth("Invalid or expired nonce")
        }
        AppMut::NonceUnissued => {
            let fake = b64(&rand_bytes(16));
            r.headers = app_headers(&ids.good, &t.wallet, &fake, &fake, now_s());
            unauth("Invalid or expired nonce")
        }
        AppMut::NonceNotBase64 => {
            let bad = format!("{}!", &fresh[..20]);
            r.headers = app_headers(&ids.good, &t.wallet, &bad, &bad, now_s());
            unauth("Invalid nonce encoding")
        }
        AppMut::InstanceStopped => {
            as_signer(&ids.refused.stopped, &mut r);
            unauth("Instance not active")
        }
        AppMut::InstanceNotZk => {
            as_signer(&ids.refused.not_zk, &mut r);
            unauth("Instance not zkVerified")
        }
        AppMut::AppInactive => {
            as_signer(&ids.refused.inactive_app, &mut r);
            unauth("App not active")
        }
        AppMut::VersionRevoked => {
            as_signer(&ids.refused.revoked, &mut r);
            unauth("Version revoked")
        }
        AppMut::BodyPlaintext => {
            alive = None;
            r.body = Some(body_bytes(&inner));
            exp(400, "bad_request", "E2E encrypted")
        }
        AppMut::BodySwappedOtherApp => {
            alive = None;
            r.body = Some(body_bytes(&seal_to(
                &ids.other_app,
                &t.tee,
                &body_bytes(&inner),
            )));
            forbid("sender_tee_pubkey does not match")
        }
        AppMut::BodyStrangerKey => {
            alive = None;
            let stranger = Identity::generate();
            r.body = Some(body_bytes(&seal_to(&stranger, &t.tee, &body_bytes(&inner))));
            forbid("sender_tee_pubkey does not match")
        }
        AppMut::BodySealedToOtherNode => {
            alive = None;
            let other_node = Identity::generate().tee_pubkey_der();
            r.body = Some(body_bytes(&seal_to(
                &ids.good,
                &other_node,
                &body_bytes(&inner),
            )));
            exp(400, "bad_request", "Envelope decryption failed")
        }
        AppMut::BodyTampered => {
            alive = None;
            let mut env = seal_to(&ids.good, &t.tee, &body_bytes(&inner));
            let ct = env["encrypted_data"].as_str().unwrap().to_string();
            let i = n % ct.len();
            let flipped = if &ct[i..=i] == "0" { "1" } else { "0" };
            env["encrypted_data"] = json!(format!("{}{flipped}{}", &ct[..i], &ct[i + 1..]));
            r.body = Some(body_bytes(&env));
            exp(400, "bad_request", "Envelope decryption failed")
        }
        AppMut::BodyOtherRoute => {
            alive = None;
            let (other, msg) = route.other_inner();
            r.body = Some(body_bytes(&seal_to(&ids.good, &t.tee, &body_bytes(&other))));
            exp(400, "bad_request", msg)
        }
        AppMut::BodyNotJson => {
            r.body = Some(b"{\"encrypted_data\": ".to_vec());
            Expect {
                status: 400,
                code: None,
                msg: "",
            }
        }
        AppMut::BodyNoContentType => {
            r.content_type = None;
            Expect {
                status: 415,
                code: None,
                msg: "",
            }
        }
        AppMut::BodyReplayedWholeRequest => {
            // The exact valid request twice: the first is served (a PUT of
            // `replay-<n>`, accounted as a valid write by the caller; a DELETE
            // of an absent key: 404), the replay is refused.
            alive = None;
            let inner = match route {
                AppRoute::Put => json!({"key": format!("replay-{n}"), "value": b64(b"r")}),
                AppRoute::Delete => json!({"key": format!("absent-{n}")}),
                _ => inner,
            };
            r = app_valid(t, &ids.good, route, &fresh, &inner);
            let first = send(http, &t.base, &r).await;
            let want = if route == AppRoute::Delete { 404 } else { 200 };
            assert_eq!(first.0, want, "original of the replay: {first:?}");
            unauth("Invalid or expired nonce")
        }
    };
    (r, e, alive)
}
