//! `GET /domains`, `/domains/premium`, `/domains/private`.

use axum::extract::State;
use axum::response::Response;
use otpcatch_wire::{Domain, DomainKind};

use super::reply::success;
use super::{ApiState, Caller};

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

pub(super) async fn all(State(state): State<ApiState>, _caller: Caller) -> Response {
    let mut domains = premium_list(&state);
    domains.extend(private_list(&state));
    success(domains)
}

pub(super) async fn premium(State(state): State<ApiState>, _caller: Caller) -> Response {
    success(premium_list(&state))
}

pub(super) async fn private(State(state): State<ApiState>, _caller: Caller) -> Response {
    success(private_list(&state))
}
