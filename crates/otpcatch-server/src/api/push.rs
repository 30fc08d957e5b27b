//! The push extension: `GET <inbox path>/events?email=ADDRESS`, a stream
//! of server-sent events, one per message that arrives for the address.
//!
//! The stream opens with a `: ready` comment and sends a `: keep-alive`
//! comment every 15 s. Each event is `event: message` with the mailbox as
//! `data`. Clients treat an event as "list the inbox now".

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body as HttpBody, Bytes};
use axum::extract::{Query, State};
use axum::response::Response;
use futures_util::StreamExt;
use tokio::sync::broadcast::error::RecvError;

use super::inbox::readable_mailbox;
use super::reply::ApiError;
use super::{ApiState, CallerExt};

const KEEP_ALIVE: Duration = Duration::from_secs(15);

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
                Ok(Ok(arrived)) if *arrived == *mailbox => Bytes::from(format!("event: message\ndata: {mailbox}\n\n")),
                Ok(Ok(_)) => continue,
                // Missed events may include ours: wake the client to be safe.
                Ok(Err(RecvError::Lagged(_))) => Bytes::from(format!("event: message\ndata: {mailbox}\n\n")),
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
