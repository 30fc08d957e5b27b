//! `GET /ui/api/events`: the inbox's live updates, as server-sent events
//! of every arrival and deletion the caller may read (the page reads them
//! with `fetch`, since `EventSource` cannot send the Bearer).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body as HttpBody, Bytes};
use axum::extract::State;
use axum::response::Response;
use futures_util::StreamExt;
use otpcatch_wire::push::{KEEP_ALIVE, READY, WAKE};
use serde::Serialize;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use super::data::Listed;
use crate::api::reply::ApiError;
use crate::api::{ApiState, Caller};
use crate::store::StoredMessage;

/// How long a quiet stream waits before a keep-alive comment.
const KEEP_ALIVE_AFTER: Duration = Duration::from_secs(15);

#[derive(Serialize)]
struct Arrival {
    mailbox: String,
    message: Listed,
}

#[derive(Serialize)]
struct Deletion<'a> {
    mailbox: &'a str,
    id: &'a str,
}

/// What the stream waits on.
struct Watch {
    state: ApiState,
    caller: Caller,
    arrivals: Receiver<Arc<StoredMessage>>,
    deletions: Receiver<Arc<StoredMessage>>,
}

fn frame(event: &str, data: &impl Serialize) -> Bytes {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".to_owned());
    Bytes::from(format!("event: {event}\ndata: {json}\n\n"))
}

/// The next frame to send, or `None` when the server is stopping.
async fn next_frame(watch: &mut Watch) -> Option<Bytes> {
    loop {
        let received = tokio::time::timeout(KEEP_ALIVE_AFTER, async {
            tokio::select! {
                arrived = watch.arrivals.recv() => (true, arrived),
                deleted = watch.deletions.recv() => (false, deleted),
            }
        })
        .await;
        let (arrival, message) = match received {
            Err(_quiet) => return Some(Bytes::from_static(KEEP_ALIVE.as_bytes())),
            Ok((_, Err(RecvError::Lagged(_)))) => return Some(Bytes::from_static(WAKE.as_bytes())),
            Ok((_, Err(RecvError::Closed))) => return None,
            Ok((arrival, Ok(message))) => (arrival, message),
        };
        if !watch.state.accounts.may_read(watch.caller.account, &message.mailbox) {
            continue;
        }
        return Some(if arrival {
            frame("arrival", &Arrival { mailbox: message.mailbox.clone(), message: Listed::of(&message) })
        } else {
            frame("deleted", &Deletion { mailbox: &message.mailbox, id: &message.id })
        });
    }
}

pub(super) async fn events(State(state): State<ApiState>, caller: Caller) -> Result<Response, ApiError> {
    let watch =
        Watch { arrivals: state.store.subscribe(), deletions: state.store.subscribe_deletions(), state, caller };
    let opening = futures_util::stream::once(async { Ok::<_, Infallible>(Bytes::from_static(READY.as_bytes())) });
    let frames = futures_util::stream::unfold(watch, |mut watch| async move {
        next_frame(&mut watch).await.map(|frame| (Ok::<_, Infallible>(frame), watch))
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(HttpBody::from_stream(opening.chain(frames)))
        .map_err(|_| ApiError::new(500, "could not open the event stream"))
}
