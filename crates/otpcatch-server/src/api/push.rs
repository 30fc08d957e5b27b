//! The push extension: `GET <inbox path>/events?email=ADDRESS`, a stream
//! of server-sent events, one per message that arrives for the address.
//!
//! The stream opens with a `: ready` comment and sends a `: keep-alive`
//! comment every 15 s. Each arrival is one event:
//!
//! - `event: message`, whose `data` is the message as the message endpoint
//!   would return it (`MessageDetail` JSON, on one line), so a waiting
//!   client needs no further request;
//! - `event: arrival`, whose `data` is the message's inbox listing entry
//!   (`MessageSummary` JSON), when the message is too large to push whole;
//! - `event: wake`, with no data, when the stream fell behind and may have
//!   missed arrivals: the client should list the inbox.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body as HttpBody, Bytes};
use axum::extract::{Query, State};
use axum::response::Response;
use futures_util::StreamExt;
use tokio::sync::broadcast::error::RecvError;

use super::inbox::readable_mailbox;
use super::reply::ApiError;
use super::{ApiState, CallerExt};
use crate::store::StoredMessage;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The largest message pushed whole, as JSON. Larger ones are announced by
/// their listing entry and read with the message endpoint.
const PUSHED_MESSAGE_LIMIT: usize = 1024 * 1024;

pub(super) async fn events<const FAMILY: u8>(
    State(state): State<ApiState>,
    caller: CallerExt,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let email = query.get("email").ok_or_else(|| ApiError::bad_request("the email query parameter is required"))?;
    let mailbox = readable_mailbox(&state, caller, FAMILY, email)?;
    let arrivals = state.store.subscribe();
    let opening = futures_util::stream::once(async { Ok::<_, Infallible>(Bytes::from_static(b": ready\n\n")) });
    let events = futures_util::stream::unfold((arrivals, mailbox), |(mut arrivals, mailbox)| async move {
        loop {
            let event = match tokio::time::timeout(KEEP_ALIVE, arrivals.recv()).await {
                Err(_quiet) => Bytes::from_static(b": keep-alive\n\n"),
                Ok(Ok(arrived)) if arrived.mailbox == *mailbox => arrival_event(&arrived),
                Ok(Ok(_)) => continue,
                // Missed events may include ours.
                Ok(Err(RecvError::Lagged(_))) => Bytes::from_static(b"event: wake\ndata:\n\n"),
                Ok(Err(RecvError::Closed)) => return None,
            };
            return Some((Ok::<_, Infallible>(event), (arrivals, mailbox)));
        }
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(HttpBody::from_stream(opening.chain(events)))
        .map_err(|_| ApiError::new(500, "could not open the event stream"))
}

/// The event for one arrival: the whole message when it is small enough.
/// JSON escapes line breaks, so each `data` fits on one line.
fn arrival_event(message: &Arc<StoredMessage>) -> Bytes {
    if let Ok(json) = serde_json::to_string(&message.detail())
        && json.len() <= PUSHED_MESSAGE_LIMIT
    {
        return Bytes::from(format!("event: message\ndata: {json}\n\n"));
    }
    match serde_json::to_string(&message.summary()) {
        Ok(json) => Bytes::from(format!("event: arrival\ndata: {json}\n\n")),
        Err(_) => Bytes::from_static(b"event: wake\ndata:\n\n"),
    }
}
