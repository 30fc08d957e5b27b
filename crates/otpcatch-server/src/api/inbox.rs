//! The inbox endpoints of every family: list, read, delete.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use otpcatch_wire::{Family, InboxRequest, MessageIdRequest, MessageSummary};

use super::reply::{ApiError, Body, done, success};
use super::{ApiState, Caller, family_of};
use crate::accounts::ReadRefusal;
use crate::store::StoredMessage;

/// The mailbox the caller asked for, or the error that explains why not.
pub(super) fn readable_mailbox(state: &ApiState, caller: Caller, family: u8, email: &str) -> Result<String, ApiError> {
    let family = family_of(family);
    state.accounts.mailbox_for_reading(caller.account, family, email).map_err(|refusal| match refusal {
        ReadRefusal::Malformed => ApiError::unprocessable(format!("{email:?} is not a valid email address")),
        ReadRefusal::UnservedDomain => {
            ApiError::unprocessable(format!("{email:?} is not on a domain this server serves"))
        }
        ReadRefusal::WrongFamily => ApiError::unprocessable(format!("{email:?} is not a {family} address")),
        ReadRefusal::NotYours => ApiError::not_found(format!(
            "no account {email:?}: create it with POST /account (or serve with catch-all reading on)"
        )),
    })
}

pub(super) async fn list<const FAMILY: u8>(
    State(state): State<ApiState>,
    caller: Caller,
    Body(request): Body<InboxRequest>,
) -> Result<Response, ApiError> {
    let mailbox = readable_mailbox(&state, caller, FAMILY, &request.email)?;
    let listing: Vec<MessageSummary> = state.store.list(&mailbox, request.time).iter().map(|m| m.summary()).collect();
    Ok(success(listing))
}

/// The message `id` if the caller may read it through this family's path.
fn find(state: &ApiState, caller: Caller, family: u8, id: &str) -> Result<Arc<StoredMessage>, ApiError> {
    let not_found = || ApiError::not_found(format!("no message {id:?}: it never existed, expired or was deleted"));
    let message = state.store.get(id).ok_or_else(not_found)?;
    let domain = message.mailbox.rsplit_once('@').map_or("", |(_, d)| d);
    if Family::of_domain(domain) != family_of(family) || !state.accounts.may_read(caller.account, &message.mailbox) {
        return Err(not_found());
    }
    Ok(message)
}

pub(super) async fn read<const FAMILY: u8>(
    State(state): State<ApiState>,
    caller: Caller,
    Body(request): Body<MessageIdRequest>,
) -> Result<Response, ApiError> {
    let message = find(&state, caller, FAMILY, &request.message_id)?;
    let detail = tokio::task::spawn_blocking(move || message.detail())
        .await
        .map_err(|_| ApiError::new(500, "the message could not be decoded"))?;
    Ok(success(detail))
}

pub(super) async fn delete<const FAMILY: u8>(
    State(state): State<ApiState>,
    caller: Caller,
    Body(request): Body<MessageIdRequest>,
) -> Result<Response, ApiError> {
    let message = find(&state, caller, FAMILY, &request.message_id)?;
    state.store.delete(&message.id);
    Ok(done("Message deleted successfully"))
}
