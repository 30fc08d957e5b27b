//! The 22.do-compatible HTTP API, under `/api/v2`.
//!
//! [`router`] lists every route in one place, by otpcatch-wire's endpoint
//! table. Requests pass the
//! `gate` middleware (Bearer, per-account QPS) before their handler; every
//! response advertises the push extension. Beyond 22.do, and documented as
//! extensions: `GET <inbox path>/events` (push), `GET /health`, and the
//! `attachments` field of a message. The web inbox (`crate::web`) is
//! mounted beside it, its data behind the same `gate`.

mod account;
mod auth;
mod domains;
mod families;
mod health;
mod inbox;
mod push;
pub(crate) mod reply;

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodFilter, get};
use otpcatch_wire::Family;
use otpcatch_wire::endpoint::{self, Endpoint, Method};
use otpcatch_wire::push::{PUSH_HEADER, PUSH_SSE};

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
    /// What the web inbox's extraction panel shows, when the program
    /// running the server supplies it.
    pub(crate) explainer: Option<crate::web::Explainer>,
}

/// The account a request was authenticated as: an extractor for the
/// handlers behind `gate`, which finds it in the request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller {
    pub(crate) account: AccountId,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Only a route behind `gate` has a caller; a route without one is a
        // bug in `router`, answered as a missing Bearer would be.
        parts.extensions.get::<Caller>().copied().ok_or_else(|| ApiError::unauthorized("missing Bearer token"))
    }
}

/// Adds `handler` as `endpoint` (its method at its path) to `router`.
fn serve<H, T>(router: Router<ApiState>, endpoint: Endpoint, handler: H) -> Router<ApiState>
where
    H: Handler<T, ApiState>,
    T: 'static,
{
    let method = match endpoint.method {
        Method::Get => MethodFilter::GET,
        Method::Post => MethodFilter::POST,
        Method::Delete => MethodFilter::DELETE,
    };
    router.route(endpoint.path, routing::on(method, handler))
}

/// Every route of the API, by otpcatch-wire's endpoint table.
pub(crate) fn router(state: ApiState) -> Router {
    let mut authenticated = serve(Router::new(), endpoint::DOMAINS, domains::all);
    authenticated = serve(authenticated, endpoint::PREMIUM_DOMAINS, domains::premium);
    authenticated = serve(authenticated, endpoint::PRIVATE_DOMAINS, domains::private);
    authenticated = serve(authenticated, endpoint::ACCOUNT, account::create);
    authenticated = serve(authenticated, endpoint::ACCOUNT_BY_GET, account::create);
    authenticated = serve(authenticated, endpoint::PREMIUM_ACCOUNT, account::premium);
    authenticated = serve(authenticated, endpoint::PRIVATE_ACCOUNT, account::private);
    authenticated = serve(authenticated, endpoint::GMAIL_LIST, families::gmail_list);
    authenticated = serve(authenticated, endpoint::GMAIL_PURCHASE, families::gmail_purchase);
    authenticated = serve(authenticated, endpoint::GMAIL_GENERATE, families::gmail_generate);
    authenticated = serve(authenticated, endpoint::MICROSOFT_LIST, families::microsoft_list);
    authenticated = serve(authenticated, endpoint::MICROSOFT_PURCHASE, families::microsoft_purchase);
    authenticated = serve(authenticated, endpoint::MICROSOFT_GENERATE, families::microsoft_generate);
    authenticated = inbox_routes::<TEMP>(authenticated, state.push);
    authenticated = inbox_routes::<GMAIL>(authenticated, state.push);
    authenticated = inbox_routes::<MICROSOFT>(authenticated, state.push);
    let authenticated = authenticated.route_layer(middleware::from_fn_with_state(state.clone(), gate));
    let api = serve(Router::new(), endpoint::AUTH, auth::login);
    let api = serve(api, endpoint::TOKEN, auth::token)
        .route(endpoint::HEALTH, get(health::health))
        .merge(authenticated)
        .fallback(unknown_path)
        .layer(middleware::map_response(envelope_for_wrong_method));
    let inbox = crate::web::routes(|data| data.route_layer(middleware::from_fn_with_state(state.clone(), gate)));
    let root = Router::new()
        .nest("/api/v2", api)
        .route(endpoint::HEALTH, get(health::health))
        .merge(inbox)
        .fallback(unknown_path);
    let root = if state.push { root.layer(middleware::map_response(advertise_push)) } else { root };
    root.with_state(state)
}

/// A family's inbox routes: list, read, delete, and push when offered.
fn inbox_routes<const FAMILY: u8>(router: Router<ApiState>, push: bool) -> Router<ApiState> {
    let inbox = family_of(FAMILY).inbox();
    let router = serve(router, inbox.list, inbox::list::<FAMILY>);
    let router = serve(router, inbox.read, inbox::read::<FAMILY>);
    let router = serve(router, inbox.delete, inbox::delete::<FAMILY>);
    if push { router.route(inbox.events, get(push::events::<FAMILY>)) } else { router }
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
pub(crate) async fn gate(State(state): State<ApiState>, mut request: Request, next: Next) -> Response {
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
    request.extensions_mut().insert(Caller { account });
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
    response.headers_mut().insert(PUSH_HEADER, HeaderValue::from_static(PUSH_SSE));
    response
}
