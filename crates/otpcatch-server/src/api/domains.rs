//! `GET /domains`, `/domains/premium`, `/domains/private`.

use axum::extract::State;
use axum::response::Response;
use otpcatch_core::wire::{Domain, DomainKind};

use super::reply::success;
use super::{ApiState, CallerExt};

fn premium_list(state: &ApiState) -> Vec<Domain> {
    state
        .accounts
        .premium_domains()
        .iter()
        .map(|d| Domain { domain: d.clone(), kind: DomainKind::Premium, mx: None })
        .collect()
}

fn private_list(state: &ApiState) -> Vec<Domain> {
    state
        .accounts
        .private_domains()
        .iter()
        .map(|d| Domain { domain: d.clone(), kind: DomainKind::Private, mx: Some(true) })
        .collect()
}

pub(super) async fn all(State(state): State<ApiState>, _caller: CallerExt) -> Response {
    let mut domains = premium_list(&state);
    domains.extend(private_list(&state));
    success(domains)
}

pub(super) async fn premium(State(state): State<ApiState>, _caller: CallerExt) -> Response {
    success(premium_list(&state))
}

pub(super) async fn private(State(state): State<ApiState>, _caller: CallerExt) -> Response {
    success(private_list(&state))
}
