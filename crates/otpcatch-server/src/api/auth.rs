//! `POST /auth` and `POST /token`: Bearers for accounts.

use axum::extract::State;
use axum::response::Response;
use otpcatch_wire::{AuthRequest, BearerGrant, TokenRequest};

use super::ApiState;
use super::reply::{ApiError, Body, success};

pub(super) async fn token(
    State(state): State<ApiState>,
    Body(request): Body<TokenRequest>,
) -> Result<Response, ApiError> {
    admit(&state)?;
    let (bearer, expire_time) = state
        .accounts
        .grant_for_token(request.token.expose())
        .ok_or_else(|| ApiError::unauthorized("invalid API token"))?;
    Ok(success(BearerGrant { bearer, expire_time }))
}

pub(super) async fn login(
    State(state): State<ApiState>,
    Body(request): Body<AuthRequest>,
) -> Result<Response, ApiError> {
    admit(&state)?;
    let (bearer, expire_time) = state
        .accounts
        .grant_for_user(&request.address, request.password.expose())
        .ok_or_else(|| ApiError::unauthorized("invalid address or password"))?;
    Ok(success(BearerGrant { bearer, expire_time }))
}

/// The quota on credential exchanges, shared by every caller.
fn admit(state: &ApiState) -> Result<(), ApiError> {
    state.accounts.admit_exchange().map_err(|wait| {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        ApiError::too_many_requests("too many credential exchanges: wait before asking for another Bearer", seconds)
    })
}
