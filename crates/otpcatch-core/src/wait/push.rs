//! The push path: hearing from the server the moment mail arrives.
//!
//! otpcatch's local server advertises, with the `x-otpcatch-push` response
//! header, a server-sent-events stream per address at `GET <inbox
//! path>/events?email=ADDRESS`. An `event: message` carries the arrived
//! message whole (as the message endpoint returns it), an `event: arrival`
//! only its listing entry, and anything else means "list the inbox". The
//! wait judges pushed messages exactly as listed ones (de-duplication and
//! filters stay in one place), so a lost or garbled event costs time, never
//! correctness: the wait lists the inbox instead.
//! 22.do does not advertise the stream, so against 22.do the wait polls.

use crate::api::push_path;
use crate::error::Result;
use crate::{Client, Family, Message, MessageSummary, wire};

/// The largest event the stream may send; a longer one is dropped and
/// treated as a wake-up. The server pushes messages of up to 1 MiB whole.
const MAX_EVENT_BYTES: usize = 2 * 1024 * 1024;

/// What one event told the wait.
#[derive(Debug)]
pub(crate) enum PushEvent {
    /// A message arrived: its listing entry, and the message itself when
    /// the server sent it whole.
    Arrived(MessageSummary, Option<Box<Message>>),
    /// Something may have arrived: list the inbox.
    Wake,
}

/// An open event stream.
pub(crate) struct PushStream {
    response: reqwest::Response,
    events: EventBuffer,
}

impl PushStream {
    /// Opens the stream for `address`.
    pub(crate) async fn open(client: &Client, family: Family, address: &str) -> Result<Self> {
        let response = client.open_stream(push_path(family), &[("email", address)]).await?;
        Ok(Self { response, events: EventBuffer::default() })
    }

    /// Waits for the next event. `None` when the stream has ended or
    /// failed; the wait then goes back to polling.
    pub(crate) async fn next_event(&mut self) -> Option<PushEvent> {
        loop {
            if let Some(event) = self.events.take() {
                match event {
                    Frame::Event { name, data } => return Some(interpret(&name, &data)),
                    Frame::Comment => continue,
                    Frame::Oversized => return Some(PushEvent::Wake),
                }
            }
            match self.response.chunk().await {
                Ok(Some(chunk)) => self.events.extend(&chunk),
                Ok(None) | Err(_) => return None,
            }
        }
    }
}

/// What an event's name and data mean to a wait.
fn interpret(name: &str, data: &[u8]) -> PushEvent {
    match name {
        "message" => match serde_json::from_slice::<wire::MessageDetail>(data) {
            Ok(detail) => {
                let message = Message::from(detail);
                PushEvent::Arrived(message.summary(), Some(Box::new(message)))
            }
            Err(_) => PushEvent::Wake,
        },
        "arrival" => match serde_json::from_slice::<wire::MessageSummary>(data) {
            Ok(summary) => PushEvent::Arrived(summary.into(), None),
            Err(_) => PushEvent::Wake,
        },
        _ => PushEvent::Wake,
    }
}

/// One unit of the stream.
#[derive(Debug, PartialEq, Eq)]
enum Frame {
    /// An event: its name (`message` when none is given) and its data
    /// lines joined by `\n`.
    Event { name: String, data: Vec<u8> },
    /// Only comments (`: keep-alive`).
    Comment,
    /// An event longer than [`MAX_EVENT_BYTES`], dropped.
    Oversized,
}

/// Bytes of the stream not yet split into events.
#[derive(Debug, Default)]
struct EventBuffer {
    bytes: Vec<u8>,
    /// How far `bytes` has been searched for an event's end, so a large
    /// event arriving in many chunks is scanned once, not once per chunk.
    scanned: usize,
    /// Set while the rest of an oversized event is being skipped.
    skipping: bool,
}

impl EventBuffer {
    fn extend(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
    }

    /// Removes and returns the first complete event, if there is one.
    fn take(&mut self) -> Option<Frame> {
        let Some((end, separator)) = self.find_end() else {
            if self.bytes.len() > MAX_EVENT_BYTES {
                // Keep the tail that may begin the separator.
                let keep = self.bytes.split_off(self.bytes.len() - 3);
                self.bytes = keep;
                self.scanned = 0;
                let first = !self.skipping;
                self.skipping = true;
                return first.then_some(Frame::Oversized);
            }
            return None;
        };
        let event: Vec<u8> = self.bytes.drain(..end + separator).take(end).collect();
        self.scanned = 0;
        if std::mem::take(&mut self.skipping) {
            return Some(Frame::Comment);
        }
        Some(parse_event(&event))
    }

    /// Where the first blank line is: the event's length and the
    /// separator's.
    fn find_end(&mut self) -> Option<(usize, usize)> {
        let from = self.scanned.saturating_sub(3);
        let found = self.bytes[from..].iter().enumerate().find_map(|(i, &b)| {
            let at = from + i;
            if b != b'\n' {
                return None;
            }
            let rest = &self.bytes[at + 1..];
            if rest.first() == Some(&b'\n') {
                Some((at, 2))
            } else if rest.starts_with(b"\r\n") {
                Some((at, 3))
            } else {
                None
            }
        });
        let found = found.map(|(at, len)| match at.checked_sub(1) {
            // `\r\n\r\n` and `\r\n\n`: the event ends before the `\r`.
            Some(before) if self.bytes[before] == b'\r' => (before, len + 1),
            _ => (at, len),
        });
        if found.is_none() {
            self.scanned = self.bytes.len();
        }
        found
    }
}

/// Splits an event into its name and data, ignoring comments and fields
/// it does not know.
fn parse_event(event: &[u8]) -> Frame {
    let mut name = None;
    let mut data: Option<Vec<u8>> = None;
    for line in event.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || line.starts_with(b":") {
            continue;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => (&line[..colon], &line[colon + 1..]),
            None => (line, &b""[..]),
        };
        let value = value.strip_prefix(b" ").unwrap_or(value);
        match field {
            b"event" => name = Some(String::from_utf8_lossy(value).into_owned()),
            b"data" => {
                let data = data.get_or_insert_with(Vec::new);
                if !data.is_empty() {
                    data.push(b'\n');
                }
                data.extend_from_slice(value);
            }
            _ => {}
        }
    }
    match (name, data) {
        (None, None) => Frame::Comment,
        (name, data) => {
            Frame::Event { name: name.unwrap_or_else(|| "message".to_owned()), data: data.unwrap_or_default() }
        }
    }
}

/// Splits `stream` into events as the wait would, in chunks whose sizes
/// come from its first byte, and checks that the buffer stays bounded.
#[cfg(feature = "fuzzing")]
pub(crate) fn fuzz_events(stream: &[u8]) {
    let Some((&chunk, stream)) = stream.split_first() else { return };
    let mut buffer = EventBuffer::default();
    for piece in stream.chunks(usize::from(chunk).max(1) * 16) {
        buffer.extend(piece);
        while let Some(frame) = buffer.take() {
            if let Frame::Event { name, data } = frame {
                let _ = interpret(&name, &data);
            }
        }
        assert!(buffer.bytes.len() <= MAX_EVENT_BYTES + piece.len(), "the event buffer grew without bound");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[&[u8]]) -> Vec<Frame> {
        let mut buffer = EventBuffer::default();
        let mut out = Vec::new();
        for chunk in input {
            buffer.extend(chunk);
            while let Some(frame) = buffer.take() {
                out.push(frame);
            }
        }
        out
    }

    fn event(name: &str, data: &str) -> Frame {
        Frame::Event { name: name.to_owned(), data: data.as_bytes().to_vec() }
    }

    #[test]
    fn events_are_split_on_blank_lines_and_comments_are_skipped() {
        let got = frames(&[b": ready\n\nevent: message\ndata: {}\n\nevent: wa", b"ke\ndata:\n\nevent: mess"]);
        assert_eq!(got, [Frame::Comment, event("message", "{}"), event("wake", "")]);
    }

    #[test]
    fn every_line_ending_separates_events() {
        let got = frames(&[b"data: a\r\n\r\ndata: c\r\n\n", b"data: d\n", b"\r\n"]);
        assert_eq!(got, [event("message", "a"), event("message", "c"), event("message", "d")]);
    }

    #[test]
    fn a_separator_split_across_chunks_is_found() {
        let got = frames(&[b"event: x\ndata: 1\r", b"\n", b"\r", b"\n"]);
        assert_eq!(got, [event("x", "1")]);
    }

    #[test]
    fn data_lines_are_joined() {
        assert_eq!(frames(&[b"data: a\ndata:b\nid: 7\n\n"]), [event("message", "a\nb")]);
    }

    #[test]
    fn an_oversized_event_is_reported_once_and_skipped() {
        let big = vec![b'x'; MAX_EVENT_BYTES + 10];
        let mut input: Vec<&[u8]> = vec![b"data: "];
        input.extend(big.chunks(64 * 1024));
        input.push(b"\n\ndata: after\n\n");
        assert_eq!(frames(&input), [Frame::Oversized, Frame::Comment, event("message", "after")]);
    }

    #[test]
    fn a_pushed_message_arrives_whole_and_anything_garbled_wakes() {
        let detail = wire::MessageDetail {
            time: 5,
            subject: "Your code".into(),
            body: "code 123456".into(),
            html: String::new(),
            from: "a@b.test".into(),
            to: "me@x.test".into(),
            tos: vec!["me@x.test".into()],
            message_id: "m1".into(),
            expire_time: 9,
            attachments: Vec::new(),
        };
        let json = serde_json::to_vec(&detail).unwrap();
        let PushEvent::Arrived(summary, Some(message)) = interpret("message", &json) else { panic!("not pushed") };
        assert_eq!((summary.id.as_str(), summary.time), ("m1", 5));
        assert_eq!(message.text, "code 123456");
        let summary_json = serde_json::to_vec(&wire::MessageSummary::from(message.summary())).unwrap();
        assert!(matches!(interpret("arrival", &summary_json), PushEvent::Arrived(s, None) if s.id == "m1"));
        assert!(matches!(interpret("message", b"{not json"), PushEvent::Wake));
        assert!(matches!(interpret("message", b"a@x.test"), PushEvent::Wake));
        assert!(matches!(interpret("wake", b""), PushEvent::Wake));
        assert!(matches!(interpret("something-new", b"{}"), PushEvent::Wake));
    }
}
