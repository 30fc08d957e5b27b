//! The emulated Gmail and Microsoft families: list, purchase, generate.
//! Their inbox endpoints are in `inbox.rs`.

use axum::extract::State;
use axum::response::Response;
use otpcatch_wire::Family;
use otpcatch_wire::{
    GmailGenerateRequest, GmailIds, GmailList, ListRequest, MicrosoftAccounts, MicrosoftGenerateRequest, MicrosoftList,
    PurchaseRequest,
};

use super::reply::{ApiError, Body, success, success_with_msg};
use super::{ApiState, Caller};
use crate::accounts::{PurchaseError, gmail_variants, microsoft_variants};

/// The most ids one purchase or generate call may ask for.
const MAX_NUMBER: u32 = 100;

/// The domains a Gmail id receives on, as 22.do lists them: `@gmail.com`.
fn gmail_domains() -> Vec<String> {
    Family::Gmail.domains().iter().map(|d| format!("@{d}")).collect()
}

/// One page of `items`; pages start at 1.
fn page(items: Vec<String>, request: &ListRequest) -> Result<(Vec<String>, u32, u32, u32), ApiError> {
    let current = request.page.unwrap_or(1);
    if current == 0 || request.limit == 0 {
        return Err(ApiError::unprocessable("page and limit start at 1"));
    }
    let count = items.len() as u32;
    let start = ((current - 1) as usize).saturating_mul(request.limit as usize);
    let page = items.into_iter().skip(start).take(request.limit as usize).collect();
    Ok((page, count, request.limit, current))
}

fn check_number(number: u32) -> Result<(), ApiError> {
    if number == 0 || number > MAX_NUMBER {
        return Err(ApiError::unprocessable(format!("number must be from 1 to {MAX_NUMBER}")));
    }
    Ok(())
}

/// Buys ids, answered once they are saved (with `--data`, on disk).
async fn buy(state: &ApiState, caller: Caller, family: Family, number: u32) -> Result<Vec<String>, ApiError> {
    check_number(number)?;
    let (bought, durable) = state.accounts.purchase(caller.account, family, number).map_err(
        |PurchaseError::InsufficientBalance { needed, balance }| {
            ApiError::unprocessable(format!("insufficient balance: {needed} needed, {balance} left"))
        },
    )?;
    durable.wait().await.map_err(ApiError::not_saved)?;
    Ok(bought)
}

/// The id to vary: the one asked for if the caller owns it, or a random one.
fn pick(owned: Vec<String>, asked: Option<&str>, family: Family) -> Result<String, ApiError> {
    match asked {
        Some(id) => {
            let normalize = |s: &str| s.to_lowercase().replace('.', "");
            let wanted = normalize(id.split('@').next().unwrap_or(id));
            owned
                .into_iter()
                .find(|o| normalize(o.split('@').next().unwrap_or(o)) == wanted)
                .ok_or_else(|| ApiError::not_found(format!("no {family} id {id:?} on this account")))
        }
        None => {
            let index = rand::random_range(0..owned.len().max(1));
            owned.into_iter().nth(index).ok_or_else(|| {
                ApiError::unprocessable(format!("the account has no {family} id: buy one with POST /{family}/purchase"))
            })
        }
    }
}

pub(super) async fn gmail_list(
    State(state): State<ApiState>,
    caller: Caller,
    Body(request): Body<ListRequest>,
) -> Result<Response, ApiError> {
    let (items, count, limit, current) = page(state.accounts.gmail_ids(caller.account), &request)?;
    Ok(success(GmailList { items, domains: gmail_domains(), count, limit, current }))
}

pub(super) async fn gmail_purchase(
    State(state): State<ApiState>,
    caller: Caller,
    Body(request): Body<PurchaseRequest>,
) -> Result<Response, ApiError> {
    let items = buy(&state, caller, Family::Gmail, request.number).await?;
    let msg = format!("Successfully purchased {} GmailId", items.len());
    Ok(success_with_msg(msg, GmailIds { items, domains: gmail_domains() }))
}

pub(super) async fn gmail_generate(
    State(state): State<ApiState>,
    caller: Caller,
    Body(request): Body<GmailGenerateRequest>,
) -> Result<Response, ApiError> {
    check_number(request.number)?;
    let id = pick(state.accounts.gmail_ids(caller.account), request.gmail_id.as_deref(), Family::Gmail)?;
    let items = gmail_variants(&id, request.number, request.plus);
    Ok(success(GmailIds { items, domains: gmail_domains() }))
}

pub(super) async fn microsoft_list(
    State(state): State<ApiState>,
    caller: Caller,
    Body(request): Body<ListRequest>,
) -> Result<Response, ApiError> {
    let (items, count, limit, current) = page(state.accounts.microsoft_accounts(caller.account), &request)?;
    Ok(success(MicrosoftList { items, count, limit, current }))
}

pub(super) async fn microsoft_purchase(
    State(state): State<ApiState>,
    caller: Caller,
    Body(request): Body<PurchaseRequest>,
) -> Result<Response, ApiError> {
    let items = buy(&state, caller, Family::Microsoft, request.number).await?;
    let msg = format!("Successfully purchased {} microsoft account", items.len());
    Ok(success_with_msg(msg, MicrosoftAccounts { items, domains: Vec::new() }))
}

pub(super) async fn microsoft_generate(
    State(state): State<ApiState>,
    caller: Caller,
    Body(request): Body<MicrosoftGenerateRequest>,
) -> Result<Response, ApiError> {
    check_number(request.number)?;
    let account =
        pick(state.accounts.microsoft_accounts(caller.account), request.account.as_deref(), Family::Microsoft)?;
    let items = microsoft_variants(&account, request.number, request.plus);
    Ok(success(MicrosoftAccounts { items, domains: Vec::new() }))
}
