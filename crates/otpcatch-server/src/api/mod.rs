//! The 22.do-compatible HTTP API, under `/api/v2`.
//!
//! [`router`] lists every route in one place. Requests pass the
//! `gate` middleware (Bearer, per-account QPS) before their handler; every
//! response advertises the push extension. Beyond 22.do, and documented as
//! extensions: `GET <inbox path>/events` (push), `GET /health`, and the
//! `attachments` field of a message.

mod account;
mod auth;
mod domains;
mod families;
mod health;
mod inbox;
mod push;
mod reply;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use otpcatch_core::Family;

use crate::accounts::{AccountId, Accounts};
use crate::store::Store;
use reply::ApiError;

/// What the handlers share.
#[derive(Debug, Clone)]
pub(crate) struct ApiState {
    pub(crate) store: Arc<Store>,
    pub(crate) accounts: Arc<Accounts>,
    /// Whether the push stream is offered.
    pub(crate) push: bool,
}

/// The account a request was authenticated as.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller(pub(crate) AccountId);

/// Every route of the API.
pub(crate) fn router(state: ApiState) -> Router {
    let authenticated = Router::new()
        .route("/domains", get(domains::all))
        .route("/domains/premium", get(domains::premium))
        .route("/domains/private", get(domains::private))
        .route("/account", post(account::create))
        .route("/account/premium", get(account::premium))
        .route("/account/private", get(account::private))
        .route("/inbox", post(inbox::list::<TEMP>))
        .route("/inbox/message", post(inbox::read::<TEMP>).delete(inbox::delete::<TEMP>))
        .route("/gmail", post(families::gmail_list))
        .route("/gmail/purchase", post(families::gmail_purchase))
        .route("/gmail/generate", post(families::gmail_generate))
        .route("/gmail/inbox", post(inbox::list::<GMAIL>))
        .route("/gmail/message", post(inbox::read::<GMAIL>).delete(inbox::delete::<GMAIL>))
        .route("/microsoft", post(families::microsoft_list))
        .route("/microsoft/purchase", post(families::microsoft_purchase))
        .route("/microsoft/generate", post(families::microsoft_generate))
        .route("/microsoft/inbox", post(inbox::list::<MICROSOFT>))
        .route("/microsoft/message", post(inbox::read::<MICROSOFT>).delete(inbox::delete::<MICROSOFT>))
        .route_layer(middleware::from_fn_with_state(state.clone(), gate));
    let push_routes = Router::new()
        .route("/inbox/events", get(push::events::<TEMP>))
        .route("/gmail/inbox/events", get(push::events::<GMAIL>))
        .route("/microsoft/inbox/events", get(push::events::<MICROSOFT>))
        .route_layer(middleware::from_fn_with_state(state.clone(), gate));
    let authenticated = if state.push { authenticated.merge(push_routes) } else { authenticated };
    let api = Router::new()
        .route("/auth", post(auth::login))
        .route("/token", post(auth::token))
        .route("/health", get(health::health))
        .merge(authenticated)
        .fallback(unknown_path)
        .layer(middleware::map_response(envelope_for_wrong_method));
    let root = Router::new().nest("/api/v2", api).route("/health", get(health::health)).fallback(unknown_path);
    let root = if state.push { root.layer(middleware::map_response(advertise_push)) } else { root };
    root.with_state(state)
}

/// The family of a route, as a const generic (0 temp, 1 Gmail, 2 Microsoft).
const TEMP: u8 = 0;
const GMAIL: u8 = 1;
const MICROSOFT: u8 = 2;

pub(crate) const fn family_of(code: u8) -> Family {
    match code {
        GMAIL => Family::Gmail,
        MICROSOFT => Family::Microsoft,
        _ => Family::Temp,
    }
}

/// Checks the Bearer and the caller's QPS; passes the caller on.
async fn gate(State(state): State<ApiState>, mut request: Request, next: Next) -> Response {
    let bearer = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let Some(bearer) = bearer else {
        return ApiError::unauthorized("missing Bearer token: send Authorization: Bearer <token from /token or /auth>")
            .into_response();
    };
    let Some(account) = state.accounts.authenticate(bearer) else {
        return ApiError::unauthorized("invalid or expired Bearer token: get a new one from /token or /auth")
            .into_response();
    };
    if let Err(wait) = state.accounts.admit(account) {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        return ApiError::too_many_requests("too many requests: the account's quota per second is exceeded", seconds)
            .into_response();
    }
    request.extensions_mut().insert(Caller(account));
    next.run(request).await
}

async fn unknown_path() -> ApiError {
    ApiError::not_found("no such endpoint: see the 22.do API v2 reference")
}

/// axum answers a known path with the wrong method by an empty 405; give
/// it the envelope, as 22.do does.
async fn envelope_for_wrong_method(response: Response) -> Response {
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        let allow = response.headers().get("allow").cloned();
        let mut answer = ApiError::new(405, "method not allowed for this path").into_response();
        if let Some(allow) = allow {
            answer.headers_mut().insert("allow", allow);
        }
        return answer;
    }
    response
}

async fn advertise_push(mut response: Response) -> Response {
    response.headers_mut().insert(otpcatch_core::PUSH_HEADER, HeaderValue::from_static("sse"));
    response
}

/// The caller, from the request extensions set by `gate`.
pub(crate) type CallerExt = Extension<Caller>;
