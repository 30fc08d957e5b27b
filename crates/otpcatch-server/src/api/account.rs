//! `POST /account`, `GET /account/premium`, `GET /account/private`: fresh
//! random addresses, owned by the caller.

use axum::extract::State;
use axum::response::Response;
use otpcatch_wire::{Account, DomainKind};

use super::reply::{ApiError, success};
use super::{ApiState, Caller};

/// A fresh address, answered once it is saved (with `--data`, on disk).
/// GET and POST are both accepted at `/account`: mirrors of the 22.do
/// reference disagree on which it is.
async fn make(state: &ApiState, caller: Caller, kind: DomainKind) -> Result<Response, ApiError> {
    let domains = match kind {
        DomainKind::Private => state.accounts.private_domains().to_vec(),
        _ => state.accounts.premium_domains().to_vec(),
    };
    let (email, account, domain, durable) = state
        .accounts
        .create_address(caller.account, &domains)
        .ok_or_else(|| ApiError::unprocessable("no private domain is configured on this server"))?;
    durable.wait().await.map_err(ApiError::not_saved)?;
    Ok(success(Account { email, account, domain, kind }))
}

pub(super) async fn create(State(state): State<ApiState>, caller: Caller) -> Result<Response, ApiError> {
    make(&state, caller, DomainKind::Premium).await
}

pub(super) async fn premium(State(state): State<ApiState>, caller: Caller) -> Result<Response, ApiError> {
    make(&state, caller, DomainKind::Premium).await
}

pub(super) async fn private(State(state): State<ApiState>, caller: Caller) -> Result<Response, ApiError> {
    make(&state, caller, DomainKind::Private).await
}
