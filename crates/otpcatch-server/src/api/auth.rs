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
    let (bearer, expire_time) = state
        .accounts
        .grant_for_user(&request.address, request.password.expose())
        .ok_or_else(|| ApiError::unauthorized("invalid address or password"))?;
    Ok(success(BearerGrant { bearer, expire_time }))
}
