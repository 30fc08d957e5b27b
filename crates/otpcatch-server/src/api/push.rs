//! The push extension (see `otpcatch_wire::push` for the protocol):
//! `GET <inbox path>/events?email=ADDRESS`, a stream of server-sent events,
//! one per message that arrives for the address, each the message whole
//! when it is small enough. The stream opens with the `ready` comment,
//! keeps itself alive when quiet, and says `wake` when it fell behind.

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body as HttpBody, Bytes};
use axum::extract::{Query, State};
use axum::response::Response;
use futures_util::StreamExt;
use otpcatch_wire::push::{ADDRESS_QUERY, KEEP_ALIVE, READY, WAKE, arrival_event};
use tokio::sync::broadcast::error::RecvError;

use super::inbox::readable_mailbox;
use super::reply::ApiError;
use super::{ApiState, Caller};

/// How long a quiet stream waits before a keep-alive comment.
const KEEP_ALIVE_AFTER: Duration = Duration::from_secs(15);

pub(super) async fn events<const FAMILY: u8>(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let email = query
        .get(ADDRESS_QUERY)
        .ok_or_else(|| ApiError::bad_request(format!("the {ADDRESS_QUERY} query parameter is required")))?;
    let mailbox = readable_mailbox(&state, caller, FAMILY, email)?;
    let arrivals = state.store.subscribe();
    let opening = futures_util::stream::once(async { Ok::<_, Infallible>(Bytes::from_static(READY.as_bytes())) });
    let events = futures_util::stream::unfold((arrivals, mailbox), |(mut arrivals, mailbox)| async move {
        loop {
            let event = match tokio::time::timeout(KEEP_ALIVE_AFTER, arrivals.recv()).await {
                Err(_quiet) => Bytes::from_static(KEEP_ALIVE.as_bytes()),
                Ok(Ok(arrived)) if arrived.mailbox == *mailbox => Bytes::from(arrival_event(&arrived.detail())),
                Ok(Ok(_)) => continue,
                // Missed events may include ours.
                Ok(Err(RecvError::Lagged(_))) => Bytes::from_static(WAKE.as_bytes()),
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
