//! App routes `/kms/derive` and `/kms/data` (protocol.md §1.3–§1.7): each handler decodes the
//! request (PoP headers, JSON body, key from path or query), calls the operations core
//! (`node::kv`) and encodes its sealed reply or refusal. No decision is taken here.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::api::error::ApiError;
use crate::node::kv;
use crate::node::reply::SealedReply;
use crate::node::state::NodeState;
use crate::wire::headers::{PopFlavour, PopHeaders, KMS_RESPONSE_SIGNATURE};

/// The PoP headers of `h` for `flavour` (non-UTF-8 values read as absent).
pub fn pop_headers(h: &HeaderMap, flavour: PopFlavour) -> PopHeaders {
    PopHeaders::collect(flavour, |n| h.get(n).and_then(|v| v.to_str().ok()))
}

/// Encode a sealed reply: the envelope's canonical JSON as the body (`application/json`), the
/// node's response signature in `signature_header` when there is one.
pub fn encode(reply: SealedReply, signature_header: &'static str) -> Response {
    let mut resp = (
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        reply.body,
    )
        .into_response();
    if let Some(sig) = reply.signature {
        if let Ok(v) = HeaderValue::from_str(&sig) {
            resp.headers_mut().insert(signature_header, v);
        }
    }
    resp
}

/// Readiness gate, then app authentication (§1.3 steps 2–3).
async fn caller(st: &NodeState, h: &HeaderMap) -> Result<crate::node::auth::AppCaller, ApiError> {
    kv::require_ready(st)?;
    kv::authenticate(st, &pop_headers(h, PopFlavour::App)).await
}

/// `POST /kms/derive` (§1.4, §5).
pub async fn derive(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    let caller = caller(&st, &h).await?;
    let reply = kv::derive(&st, &caller, kv::open(&st, &caller, &body).await?)?;
    Ok(encode(
        kv::seal(&st, &caller, &reply).await?,
        KMS_RESPONSE_SIGNATURE,
    ))
}

/// `GET /kms/data` (list, or read with `?key=`) (§1.5).
pub async fn data_get_or_list(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let caller = caller(&st, &h).await?;
    let key = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "key")
            .map(|(_, v)| v.into_owned())
    });
    let sealed = match key {
        Some(k) => kv::seal(&st, &caller, &kv::get(&st, &caller, &k).await?).await?,
        None => kv::seal(&st, &caller, &kv::list(&st, &caller).await?).await?,
    };
    Ok(encode(sealed, KMS_RESPONSE_SIGNATURE))
}

/// `GET /kms/data/*key` (§1.5): the percent-decoded remainder is the key.
pub async fn data_get_path(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let caller = caller(&st, &h).await?;
    let reply = kv::get(&st, &caller, &key).await?;
    Ok(encode(
        kv::seal(&st, &caller, &reply).await?,
        KMS_RESPONSE_SIGNATURE,
    ))
}

/// `PUT /kms/data` (§1.6). Acknowledged only after the durable commit.
pub async fn data_put(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    let caller = caller(&st, &h).await?;
    let reply = kv::put(&st, &caller, kv::open(&st, &caller, &body).await?).await?;
    Ok(encode(
        kv::seal(&st, &caller, &reply).await?,
        KMS_RESPONSE_SIGNATURE,
    ))
}

/// `DELETE /kms/data` (§1.7): writes a tombstone.
pub async fn data_delete(
    State(st): State<Arc<NodeState>>,
    h: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    let caller = caller(&st, &h).await?;
    let reply = kv::delete(&st, &caller, kv::open(&st, &caller, &body).await?).await?;
    Ok(encode(
        kv::seal(&st, &caller, &reply).await?,
        KMS_RESPONSE_SIGNATURE,
    ))
}
