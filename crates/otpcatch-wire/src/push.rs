//! otpcatch's push extension: hearing from the server the moment mail
//! arrives, instead of polling.
//!
//! otpcatch's local server advertises the extension with the
//! [`PUSH_HEADER`] response header (value [`PUSH_SSE`]) on every answer.
//! A client that sees it may open `GET <inbox events path>?email=ADDRESS`
//! (see [`Inbox::events`](crate::endpoint::Inbox::events)) with its Bearer,
//! for a stream of server-sent events, one per message that arrives for the
//! address:
//!
//! - `event: message`, whose `data` is the message whole, as the read
//!   endpoint returns it ([`MessageDetail`] JSON on one line), so a waiting
//!   client needs no further request;
//! - `event: arrival`, whose `data` is the message's listing entry
//!   ([`MessageSummary`] JSON), when the message is larger than
//!   [`MAX_WHOLE_MESSAGE_BYTES`];
//! - `event: wake`, with no data, when the server fell behind and may have
//!   missed arrivals: the client should list the inbox.
//!
//! The stream opens with a `: ready` comment and sends a `: keep-alive`
//! comment when it has been quiet for a while. A client treats anything it
//! does not understand as `wake`, so a lost or garbled event costs time,
//! never correctness. 22.do does not advertise the extension.

use crate::{MessageDetail, MessageSummary};

/// The response header that advertises the push extension.
pub const PUSH_HEADER: &str = "x-otpcatch-push";

/// The value of [`PUSH_HEADER`]: server-sent events.
pub const PUSH_SSE: &str = "sse";

/// The query parameter that names the address whose arrivals to stream.
pub const ADDRESS_QUERY: &str = "email";

/// The largest message, as JSON, that is pushed whole; larger ones are
/// announced by their listing entry.
pub const MAX_WHOLE_MESSAGE_BYTES: usize = 1024 * 1024;

/// The largest event a client reads; a longer one is skipped and taken as
/// `wake`. Twice what a server pushes, for the framing and some slack.
pub const MAX_EVENT_BYTES: usize = 2 * MAX_WHOLE_MESSAGE_BYTES;

/// The comment a stream opens with.
pub const READY: &str = ": ready\n\n";

/// The comment a quiet stream sends to keep its connection alive.
pub const KEEP_ALIVE: &str = ": keep-alive\n\n";

/// What one event says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A message arrived; here it is whole.
    Message(Box<MessageDetail>),
    /// A message arrived; here is its listing entry.
    Arrival(MessageSummary),
    /// Something may have arrived: list the inbox.
    Wake,
}

/// The comment-free event that tells a client to list the inbox.
pub const WAKE: &str = "event: wake\ndata:\n\n";

/// The event announcing an arrived message, as it is sent: the message
/// whole (`event: message`), or its listing entry (`event: arrival`) when
/// it is larger than [`MAX_WHOLE_MESSAGE_BYTES`] as JSON. JSON escapes line
/// breaks, so the data always fits on one line.
pub fn arrival_event(detail: &MessageDetail) -> String {
    match serde_json::to_string(detail) {
        Ok(json) if json.len() <= MAX_WHOLE_MESSAGE_BYTES => frame("message", &json),
        _ => match serde_json::to_string(&detail.summary()) {
            Ok(json) => frame("arrival", &json),
            Err(_) => WAKE.to_owned(),
        },
    }
}

fn frame(name: &str, data: &str) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

impl Event {
    /// What an event's name and data mean. Anything that does not parse,
    /// and any name this version does not know, is [`Event::Wake`].
    pub fn decode(name: &str, data: &[u8]) -> Self {
        match name {
            "message" => serde_json::from_slice(data).map_or(Self::Wake, |d| Self::Message(Box::new(d))),
            "arrival" => serde_json::from_slice(data).map_or(Self::Wake, Self::Arrival),
            _ => Self::Wake,
        }
    }
}

/// One unit of the stream, as [`EventDecoder`] splits it.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// An event: its name (`message` when none is given) and its data
    /// lines joined by `\n`.
    Event {
        /// The `event:` field.
        name: String,
        /// The `data:` fields.
        data: Vec<u8>,
    },
    /// Only comments (`: keep-alive`), or the end of an oversized event.
    Comment,
    /// An event longer than [`MAX_EVENT_BYTES`], being skipped.
    Oversized,
}

/// Splits a stream's bytes into frames, in bounded memory. Sans-IO: feed
/// it what arrives with [`EventDecoder::extend`], take frames with
/// [`EventDecoder::next_frame`].
#[derive(Debug, Default)]
pub struct EventDecoder {
    bytes: Vec<u8>,
    /// How far `bytes` has been searched for an event's end, so a large
    /// event arriving in many chunks is scanned once, not once per chunk.
    scanned: usize,
    /// Set while the rest of an oversized event is being skipped.
    skipping: bool,
}

impl EventDecoder {
    /// Appends bytes read from the stream.
    pub fn extend(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
    }

    /// How many bytes are held, waiting for an event's end.
    pub fn buffered(&self) -> usize {
        self.bytes.len()
    }

    /// Removes and returns the first complete frame, if there is one.
    pub fn next_frame(&mut self) -> Option<Frame> {
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
        Some(parse_frame(&event))
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
fn parse_frame(event: &[u8]) -> Frame {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[&[u8]]) -> Vec<Frame> {
        let mut decoder = EventDecoder::default();
        let mut out = Vec::new();
        for chunk in input {
            decoder.extend(chunk);
            while let Some(frame) = decoder.next_frame() {
                out.push(frame);
            }
        }
        out
    }

    fn event(name: &str, data: &str) -> Frame {
        Frame::Event { name: name.to_owned(), data: data.as_bytes().to_vec() }
    }

    fn detail(html: String) -> MessageDetail {
        MessageDetail {
            time: 5,
            subject: "Your code".into(),
            body: "code 123456".into(),
            html,
            from: "a@b.test".into(),
            to: "me@x.test".into(),
            tos: vec!["me@x.test".into()],
            message_id: "m1".into(),
            expire_time: 9,
            attachments: Vec::new(),
            time_ms: Some(5_123),
        }
    }

    #[test]
    fn events_are_split_on_blank_lines_and_comments_are_skipped() {
        let got = frames(&[READY.as_bytes(), b"event: message\ndata: {}\n\nevent: wa", b"ke\ndata:\n\nevent: mess"]);
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
    fn what_a_server_encodes_a_client_decodes() {
        let decoded = |encoded: &str| {
            let [Frame::Event { name, data }] = &frames(&[encoded.as_bytes()])[..] else { panic!("{encoded:?}") };
            Event::decode(name, data)
        };
        let small = detail("<p>hi</p>".into());
        assert_eq!(decoded(&arrival_event(&small)), Event::Message(Box::new(small)));
        let large = detail("x".repeat(MAX_WHOLE_MESSAGE_BYTES));
        assert_eq!(decoded(&arrival_event(&large)), Event::Arrival(large.summary()));
        assert_eq!(decoded(WAKE), Event::Wake);
        assert_eq!(frames(&[KEEP_ALIVE.as_bytes()]), [Frame::Comment]);
    }

    #[test]
    fn anything_garbled_or_unknown_is_a_wake() {
        assert_eq!(Event::decode("message", b"{not json"), Event::Wake);
        assert_eq!(Event::decode("message", b"a@x.test"), Event::Wake);
        assert_eq!(Event::decode("wake", b""), Event::Wake);
        assert_eq!(Event::decode("something-new", b"{}"), Event::Wake);
    }
}
