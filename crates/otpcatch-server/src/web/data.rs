//! The inbox's data: mailboxes, pages of messages, one message with what
//! was extracted from it, its raw source and attachments, and deletion.
//! Every handler sees only what the caller's account may read; anything
//! else is answered as if it did not exist.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::api::reply::{ApiError, done, success};
use crate::api::{ApiState, Caller};
use crate::store::StoredMessage;

/// How many mailboxes a listing gives at most, and how many by default.
const MAX_MAILBOXES: usize = 1000;
const DEFAULT_MAILBOXES: usize = 200;
/// How many messages a page gives at most, and how many by default.
const MAX_PAGE: usize = 500;
const DEFAULT_PAGE: usize = 100;
/// How many header fields a message view shows.
const MAX_HEADER_FIELDS: usize = 500;

type Params = Query<HashMap<String, String>>;

/// `limit=N`, within `1..=max`.
fn limit(params: &HashMap<String, String>, default: usize, max: usize) -> usize {
    params.get("limit").and_then(|n| n.parse().ok()).unwrap_or(default).clamp(1, max)
}

/// A case-insensitive substring test, for the search box.
fn matches(query: &str, fields: &[&str]) -> bool {
    query.is_empty() || fields.iter().any(|field| field.to_lowercase().contains(query))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Mailbox {
    address: String,
    count: usize,
    latest_ms: i64,
}

#[derive(Serialize)]
struct Mailboxes {
    mailboxes: Vec<Mailbox>,
    more: bool,
}

pub(super) async fn mailboxes(State(state): State<ApiState>, caller: Caller, Query(params): Params) -> Response {
    let query = params.get("q").map(|q| q.trim().to_lowercase()).unwrap_or_default();
    let mut listed: Vec<Mailbox> = state
        .store
        .mailboxes()
        .into_iter()
        .filter(|m| matches(&query, &[&m.mailbox]) && state.accounts.may_read(caller.account, &m.mailbox))
        .map(|m| Mailbox { address: m.mailbox, count: m.count, latest_ms: m.latest_ms })
        .collect();
    listed.sort_by(|a, b| b.latest_ms.cmp(&a.latest_ms).then_with(|| a.address.cmp(&b.address)));
    let limit = limit(&params, DEFAULT_MAILBOXES, MAX_MAILBOXES);
    let more = listed.len() > limit;
    listed.truncate(limit);
    success(Mailboxes { mailboxes: listed, more })
}

/// A message as a list shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Listed {
    id: String,
    mailbox: String,
    from: String,
    to: String,
    subject: String,
    time_ms: i64,
    /// The raw source's size in bytes.
    size: u64,
    /// Whether it has a code: not known in a listing (extraction runs when
    /// a message is opened), so always `null` for now.
    has_code: Option<bool>,
}

impl Listed {
    pub(super) fn of(message: &StoredMessage) -> Self {
        Self {
            id: message.id.clone(),
            mailbox: message.mailbox.clone(),
            from: message.from.clone(),
            to: message.recipient.clone(),
            subject: message.subject.clone(),
            time_ms: message.time_ms,
            size: message.size(),
            has_code: None,
        }
    }
}

#[derive(Serialize)]
struct Page {
    messages: Vec<Listed>,
    more: bool,
}

pub(super) async fn messages(State(state): State<ApiState>, caller: Caller, Query(params): Params) -> Response {
    let query = params.get("q").map(|q| q.trim().to_lowercase()).unwrap_or_default();
    let mailbox = params.get("mailbox").map(String::as_str).filter(|m| !m.is_empty());
    let before = params.get("before").map(String::as_str).filter(|id| !id.is_empty());
    let limit = limit(&params, DEFAULT_PAGE, MAX_PAGE);
    let keep = |m: &StoredMessage| {
        state.accounts.may_read(caller.account, &m.mailbox) && matches(&query, &[&m.from, &m.subject, &m.recipient])
    };
    let (page, more) = state.store.newest(mailbox, before, limit, keep);
    success(Page { messages: page.iter().map(|m| Listed::of(m)).collect(), more })
}

/// The message `id`, if the caller may read it.
fn readable(state: &ApiState, caller: Caller, id: &str) -> Result<Arc<StoredMessage>, ApiError> {
    state
        .store
        .get(id)
        .filter(|message| state.accounts.may_read(caller.account, &message.mailbox))
        .ok_or_else(|| ApiError::not_found(format!("no message {id:?}: it never existed, expired or was deleted")))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Attachment {
    index: usize,
    filename: String,
    content_type: String,
    size: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Shown {
    #[serde(flatten)]
    listed: Listed,
    tos: Vec<String>,
    headers: Vec<(String, String)>,
    text: String,
    html: String,
    attachments: Vec<Attachment>,
    extraction: Option<serde_json::Value>,
}

pub(super) async fn message(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let message = readable(&state, caller, &id)?;
    let explainer = state.explainer.clone();
    // Decoding and extraction parse the whole message: off the async threads.
    let shown = tokio::task::spawn_blocking(move || {
        let raw = message.raw();
        let detail = message.detail();
        Shown {
            listed: Listed::of(&message),
            tos: detail.tos,
            headers: otpcatch_wire::mime::header_lines(&raw, MAX_HEADER_FIELDS),
            text: detail.body,
            html: detail.html,
            attachments: detail
                .attachments
                .into_iter()
                .enumerate()
                .map(|(index, a)| Attachment {
                    index,
                    filename: a.filename,
                    content_type: a.content_type,
                    size: a.size,
                })
                .collect(),
            extraction: explainer.map(|explainer| explainer.explain(&raw)),
        }
    })
    .await
    .map_err(|_| ApiError::new(500, "the message could not be decoded"))?;
    Ok(success(shown))
}

/// A download: `bytes` as `file_name`, never rendered by the browser.
fn download(bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    let safe: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\"")),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

pub(super) async fn raw(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let message = readable(&state, caller, &id)?;
    Ok(download(message.raw(), "message/rfc822", &format!("{id}.eml")))
}

pub(super) async fn attachment(
    State(state): State<ApiState>,
    caller: Caller,
    Path((id, index)): Path<(String, usize)>,
) -> Result<Response, ApiError> {
    let message = readable(&state, caller, &id)?;
    let found = tokio::task::spawn_blocking(move || otpcatch_wire::mime::attachment(&message.raw(), index))
        .await
        .map_err(|_| ApiError::new(500, "the message could not be decoded"))?;
    let (listed, bytes) =
        found.ok_or_else(|| ApiError::not_found(format!("message {id:?} has no attachment {index}")))?;
    let name = if listed.filename.is_empty() { format!("attachment-{index}") } else { listed.filename };
    // Served as bytes to save, whatever type the mail claims.
    Ok(download(bytes, "application/octet-stream", &name))
}

pub(super) async fn delete_message(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let message = readable(&state, caller, &id)?;
    state.store.delete(&message.id);
    Ok(done("deleted"))
}

#[derive(Serialize)]
struct Deleted {
    deleted: usize,
}

pub(super) async fn delete_mailbox(
    State(state): State<ApiState>,
    caller: Caller,
    Path(address): Path<String>,
) -> Result<Response, ApiError> {
    if !state.accounts.may_read(caller.account, &address) {
        return Err(ApiError::not_found(format!("no mailbox {address:?} of this account")));
    }
    Ok(success(Deleted { deleted: state.store.delete_mailbox(&address) }))
}
