//! The push path: hearing from the server the moment mail arrives, over
//! otpcatch's push extension (see [`otpcatch_wire::push`] for the
//! protocol). The wait judges pushed messages exactly as listed ones, so a
//! lost or garbled event costs time, never correctness: anything the
//! stream says that is not a message makes the wait list the inbox.

use otpcatch_wire::push::{Event, EventDecoder, Frame};

use super::engine::{Events, Pushed};
use crate::error::Result;
use crate::{Client, Family, Message};

/// An open event stream.
pub(crate) struct PushStream {
    response: reqwest::Response,
    decoder: EventDecoder,
}

impl PushStream {
    /// Opens the stream for `address`.
    pub(crate) async fn open(client: &Client, family: Family, address: &str) -> Result<Self> {
        let response = client.open_stream(family.inbox().events, address).await?;
        Ok(Self { response, decoder: EventDecoder::default() })
    }
}

impl Events for PushStream {
    async fn next(&mut self) -> Option<Pushed> {
        loop {
            if let Some(frame) = self.decoder.next_frame() {
                match frame {
                    Frame::Event { name, data } => return Some(interpret(Event::decode(&name, &data))),
                    Frame::Comment => continue,
                    Frame::Oversized => return Some(Pushed::Wake),
                }
            }
            match self.response.chunk().await {
                Ok(Some(chunk)) => self.decoder.extend(&chunk),
                Ok(None) | Err(_) => return None,
            }
        }
    }
}

/// What an event means to a wait.
fn interpret(event: Event) -> Pushed {
    match event {
        Event::Message(detail) => {
            let message = Message::from(*detail);
            Pushed::Arrived(message.summary(), Some(Box::new(message)))
        }
        Event::Arrival(summary) => Pushed::Arrived(summary.into(), None),
        Event::Wake => Pushed::Wake,
    }
}

/// Splits `stream` into events as the wait would, in chunks whose sizes
/// come from its first byte, and checks that the decoder stays bounded.
#[cfg(feature = "fuzzing")]
pub(crate) fn fuzz_events(stream: &[u8]) {
    let Some((&chunk, stream)) = stream.split_first() else { return };
    let mut decoder = EventDecoder::default();
    for piece in stream.chunks(usize::from(chunk).max(1) * 16) {
        decoder.extend(piece);
        while let Some(frame) = decoder.next_frame() {
            if let Frame::Event { name, data } = frame {
                let _ = interpret(Event::decode(&name, &data));
            }
        }
        let bound = otpcatch_wire::push::MAX_EVENT_BYTES + piece.len();
        assert!(decoder.buffered() <= bound, "the event buffer grew without bound");
    }
}
