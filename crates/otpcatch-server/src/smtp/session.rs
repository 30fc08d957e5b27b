//! One SMTP conversation as a state machine over bytes: no sockets.
//!
//! [`Session::feed`] takes whatever arrived, appends the replies to send,
//! and says whether to hang up. The syntax is smtp-proto's; the decisions
//! (who may receive, how big a message may be) are this module's, with
//! storage and the recipient policy behind the [`Delivery`] trait, so the
//! session can be unit-tested and fuzzed without a port.

use std::sync::Arc;

use smtp_proto::request::receiver::{DataReceiver, RequestReceiver};
use smtp_proto::{EhloResponse, Error as SyntaxError, Request, Response};

use crate::store::Recipient;

/// How many recipients one message may have.
pub(crate) const MAX_RECIPIENTS: usize = 1000;

/// How many bad commands a client may send before it is disconnected.
const MAX_ERRORS: u32 = 20;

/// Where accepted mail goes.
pub(crate) trait Delivery {
    /// A delivery under way: what [`Session::take_pending`] hands the
    /// caller, who finishes it (a commit to disk, say) and tells the session
    /// how it went with [`Session::resume`]. The message is acknowledged
    /// only then, so a 250 means the message is stored.
    type Pending;
    /// The mailbox for `address`, or why it is refused.
    fn mailbox_for(&self, address: &str) -> Result<String, Refusal>;
    /// Starts storing a message for its recipients.
    fn deliver(&self, envelope_from: &str, recipients: &[Recipient], raw: &[u8]) -> Self::Pending;
}

/// Why a recipient is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The address is not one (501 5.1.3), for this reason.
    Malformed(&'static str),
    /// The domain is not served here (550 5.7.1): never a relay.
    NotServed(String),
}

/// Limits and names a session works with.
#[derive(Debug, Clone)]
pub(crate) struct SessionSettings {
    pub(crate) hostname: Arc<str>,
    pub(crate) max_message_size: usize,
}

/// One SMTP conversation.
pub(crate) struct Session<D: Delivery> {
    delivery: D,
    settings: SessionSettings,
    requests: RequestReceiver,
    /// Present while a message's data is being received.
    data: Option<DataReceiver>,
    greeted: bool,
    from: Option<String>,
    recipients: Vec<Recipient>,
    body: Vec<u8>,
    oversize: bool,
    errors: u32,
    closed: bool,
    /// The last byte fed, to tell a CRLF split across reads from a bare LF.
    last_byte: u8,
    /// A delivery waiting to be finished by the caller.
    pending: Option<D::Pending>,
    /// Input that arrived after the message of `pending`, read once it is
    /// acknowledged (pipelining clients send the next command at once).
    held: Vec<u8>,
    /// Set after an overlong command line, whose rest is skipped.
    skipping_line: bool,
}

impl<D: Delivery> Session<D> {
    pub(crate) fn new(delivery: D, settings: SessionSettings) -> Self {
        Self {
            delivery,
            settings,
            requests: RequestReceiver::default(),
            data: None,
            greeted: false,
            from: None,
            recipients: Vec::new(),
            body: Vec::new(),
            oversize: false,
            errors: 0,
            closed: false,
            last_byte: 0,
            pending: None,
            held: Vec::new(),
            skipping_line: false,
        }
    }

    /// The banner to send when the client connects: the server's name
    /// first, as RFC 5321 wants, and no enhanced status code (RFC 3463 has
    /// none for a greeting).
    pub(crate) fn greeting(&self, out: &mut Vec<u8>) {
        plain_reply(out, 220, &format!("{} ESMTP otpcatch ready", self.settings.hostname));
    }

    /// The delivery waiting to be finished, if a message has just ended.
    /// Nothing more is read until [`Session::resume`] says how it went.
    pub(crate) fn take_pending(&mut self) -> Option<D::Pending> {
        self.pending.take()
    }

    /// Acknowledges the message of the delivery taken with
    /// [`Session::take_pending`]: 250 with its id when it was stored, 452
    /// (try again later) when it could not be, and reads on.
    pub(crate) fn resume(&mut self, stored: Result<String, String>, out: &mut Vec<u8>) {
        match stored {
            Ok(id) => reply(out, 250, [2, 0, 0], &format!("OK: queued as {id}")),
            Err(why) => reply(out, 452, [4, 3, 1], &format!("could not store the message ({why}); try again later")),
        }
        let held = std::mem::take(&mut self.held);
        self.process(&held, out);
    }

    /// Whether the session has ended (QUIT, or too many errors).
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Takes the bytes that arrived; appends the replies to `out`.
    pub(crate) fn feed(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        // Many mailers in test suites end lines with a bare LF. RFC 5321
        // wants CRLF, and smtp-proto only ends DATA at CRLF.CRLF (a guard
        // against smuggling through relays, which this server never is), so
        // bare LFs become CRLFs here rather than leaving such a client
        // waiting until the idle timeout.
        let normalized;
        let bytes = if has_bare_lf(bytes, self.last_byte) {
            normalized = crlf(bytes, self.last_byte);
            normalized.as_slice()
        } else {
            bytes
        };
        if let Some(&last) = bytes.last() {
            self.last_byte = last;
        }
        if self.pending.is_some() {
            self.held.extend_from_slice(bytes);
            return;
        }
        self.process(bytes, out);
    }

    /// Reads normalized input until it runs out, the session closes, or a
    /// delivery is pending (the rest is held).
    fn process(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        let mut input = bytes.iter();
        while !self.closed {
            if self.pending.is_some() {
                self.held.extend_from_slice(input.as_slice());
                return;
            }
            if self.skipping_line {
                let rest = input.as_slice();
                match rest.iter().position(|&b| b == b'\n') {
                    Some(end) => {
                        input = rest[end + 1..].iter();
                        self.skipping_line = false;
                    }
                    None => return,
                }
            }
            if let Some(data) = self.data.as_mut() {
                let finished = if self.oversize {
                    let mut discard = Vec::new();
                    data.ingest(&mut input, &mut discard)
                } else {
                    data.ingest(&mut input, &mut self.body)
                };
                if !self.oversize && self.body.len() > self.settings.max_message_size {
                    self.oversize = true;
                    self.body = Vec::new();
                }
                if !finished {
                    return;
                }
                self.data = None;
                self.finish_message(out);
                continue;
            }
            if input.as_slice().is_empty() {
                return;
            }
            match self.requests.ingest(&mut input) {
                Ok(request) => {
                    let request = request.into_owned();
                    self.handle(request, out);
                }
                Err(SyntaxError::NeedsMoreData { .. }) => return,
                Err(error) => self.refuse(error, out),
            }
        }
    }

    fn handle(&mut self, request: Request<String>, out: &mut Vec<u8>) {
        match request {
            Request::Ehlo { host: _ } => {
                self.greeted = true;
                self.reset();
                let mut ehlo = EhloResponse::new(self.settings.hostname.as_ref());
                ehlo.capabilities = smtp_proto::EXT_PIPELINING
                    | smtp_proto::EXT_8BIT_MIME
                    | smtp_proto::EXT_SMTP_UTF8
                    | smtp_proto::EXT_SIZE
                    | smtp_proto::EXT_ENHANCED_STATUS_CODES;
                ehlo.size = self.settings.max_message_size;
                let _ = ehlo.write(&mut *out);
            }
            Request::Helo { host: _ } => {
                self.greeted = true;
                self.reset();
                plain_reply(out, 250, &self.settings.hostname.clone());
            }
            Request::Mail { from } => {
                if !self.greeted {
                    reply(out, 503, [5, 5, 1], "send EHLO or HELO first");
                } else if self.from.is_some() {
                    reply(out, 503, [5, 5, 1], "a transaction is already open; send RSET first");
                } else if from.size > self.settings.max_message_size {
                    let max = self.settings.max_message_size;
                    reply(out, 552, [5, 3, 4], &format!("message size exceeds the maximum of {max} bytes"));
                } else {
                    self.from = Some(from.address);
                    reply(out, 250, [2, 1, 0], "OK");
                }
            }
            Request::Rcpt { to } => {
                if self.from.is_none() {
                    reply(out, 503, [5, 5, 1], "send MAIL FROM first");
                } else if self.recipients.len() >= MAX_RECIPIENTS {
                    reply(out, 452, [4, 5, 3], "too many recipients");
                } else {
                    match self.delivery.mailbox_for(&to.address) {
                        // A mailbox named twice (To and Bcc, or two spellings
                        // of one address) gets the message once, as MTAs do.
                        Ok(mailbox) if self.recipients.iter().any(|r| r.mailbox == mailbox) => {
                            reply(out, 250, [2, 1, 5], "OK (already a recipient)");
                        }
                        Ok(mailbox) => {
                            self.recipients.push(Recipient { address: to.address, mailbox });
                            reply(out, 250, [2, 1, 5], "OK");
                        }
                        Err(Refusal::Malformed(why)) => reply(out, 501, [5, 1, 3], &format!("bad address: {why}")),
                        Err(Refusal::NotServed(domain)) => {
                            reply(out, 550, [5, 7, 1], &format!("relaying denied: {domain:?} is not served here"));
                        }
                    }
                }
            }
            Request::Data => {
                if self.from.is_none() {
                    reply(out, 503, [5, 5, 1], "send MAIL FROM first");
                } else if self.recipients.is_empty() {
                    reply(out, 554, [5, 5, 1], "no valid recipients");
                } else {
                    self.body.clear();
                    self.oversize = false;
                    self.data = Some(DataReceiver::new());
                    plain_reply(out, 354, "end data with <CR><LF>.<CR><LF>");
                }
            }
            Request::Rset => {
                self.reset();
                reply(out, 250, [2, 0, 0], "OK");
            }
            Request::Noop { .. } => reply(out, 250, [2, 0, 0], "OK"),
            Request::Quit => {
                reply(out, 221, [2, 0, 0], "bye");
                self.closed = true;
            }
            Request::Vrfy { .. } => reply(out, 252, [2, 5, 0], "cannot verify the user, but will accept mail for it"),
            Request::Help { .. } => reply(out, 214, [2, 0, 0], "EHLO HELO MAIL RCPT DATA RSET NOOP VRFY QUIT"),
            Request::StartTls => reply(out, 502, [5, 5, 1], "TLS is not offered by this local server"),
            Request::Auth { .. } => reply(out, 502, [5, 5, 1], "authentication is not needed here"),
            Request::Bdat { .. } => reply(out, 502, [5, 5, 1], "CHUNKING is not offered; use DATA"),
            Request::Lhlo { .. }
            | Request::Expn { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. } => reply(out, 502, [5, 5, 1], "command not implemented"),
        }
    }

    fn refuse(&mut self, error: SyntaxError, out: &mut Vec<u8>) {
        match error {
            SyntaxError::ResponseTooLong => {
                // One reply for the line: the rest of it is not a command.
                self.skipping_line = true;
                reply(out, 500, [5, 5, 6], "line too long");
            }
            SyntaxError::UnknownCommand => reply(out, 500, [5, 5, 1], "unknown command"),
            SyntaxError::InvalidSenderAddress => reply(out, 501, [5, 1, 7], "invalid sender address"),
            SyntaxError::InvalidRecipientAddress => reply(out, 501, [5, 1, 3], "invalid recipient address"),
            SyntaxError::SyntaxError { syntax } => reply(out, 501, [5, 5, 4], &format!("syntax: {syntax}")),
            SyntaxError::InvalidParameter { param } => {
                reply(out, 501, [5, 5, 4], &format!("invalid parameter {param}"))
            }
            SyntaxError::UnsupportedParameter { param } => {
                reply(out, 504, [5, 5, 4], &format!("unsupported parameter {}", param.escape_debug()))
            }
            _ => reply(out, 500, [5, 5, 2], "syntax error"),
        }
        self.errors += 1;
        if self.errors >= MAX_ERRORS {
            reply(out, 421, [4, 7, 0], "too many errors; closing the connection");
            self.closed = true;
        }
    }

    fn finish_message(&mut self, out: &mut Vec<u8>) {
        if self.oversize {
            let max = self.settings.max_message_size;
            reply(out, 552, [5, 3, 4], &format!("message size exceeds the maximum of {max} bytes"));
        } else {
            let from = self.from.as_deref().unwrap_or_default();
            self.pending = Some(self.delivery.deliver(from, &self.recipients, &self.body));
        }
        self.reset();
    }

    fn reset(&mut self) {
        self.from = None;
        self.recipients.clear();
        self.body = Vec::new();
        self.oversize = false;
    }
}

/// Whether `bytes` has an LF not preceded by CR (`before` is the byte fed
/// just before them).
fn has_bare_lf(bytes: &[u8], before: u8) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| b == b'\n' && (if i == 0 { before } else { bytes[i - 1] }) != b'\r')
}

/// `bytes` with every bare LF turned into CRLF.
fn crlf(bytes: &[u8], mut before: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for &b in bytes {
        if b == b'\n' && before != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        before = b;
    }
    out
}

fn reply(out: &mut Vec<u8>, code: u16, [e0, e1, e2]: [u8; 3], message: &str) {
    let _ = Response::new(code, e0, e1, e2, message).write(&mut *out);
}

/// A reply without an enhanced status code: the greeting, HELO and 354.
fn plain_reply(out: &mut Vec<u8>, code: u16, message: &str) {
    out.extend_from_slice(format!("{code} {message}\r\n").as_bytes());
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// A delivered message: sender, recipients, data.
    type Delivered = (String, Vec<String>, Vec<u8>);

    #[derive(Default)]
    struct Recorder {
        delivered: RefCell<Vec<Delivered>>,
    }

    impl Delivery for &Recorder {
        type Pending = String;

        fn mailbox_for(&self, address: &str) -> Result<String, Refusal> {
            if address.len() > 254 {
                return Err(Refusal::Malformed("longer than 254 bytes"));
            }
            match address.rsplit_once('@') {
                Some((_, "otpcatch.test")) => Ok(address.to_lowercase()),
                Some((_, domain)) => Err(Refusal::NotServed(domain.to_owned())),
                None => Err(Refusal::Malformed("no domain")),
            }
        }
        fn deliver(&self, from: &str, recipients: &[Recipient], raw: &[u8]) -> String {
            let to = recipients.iter().map(|r| r.address.clone()).collect();
            self.delivered.borrow_mut().push((from.to_owned(), to, raw.to_vec()));
            "id1".into()
        }
    }

    /// Feeds `input`, storing every delivery at once, as the listener does
    /// when the store answers.
    fn feed(session: &mut Session<&Recorder>, input: &[u8], out: &mut Vec<u8>) {
        session.feed(input, out);
        while let Some(id) = session.take_pending() {
            session.resume(Ok(id), out);
        }
    }

    fn session(recorder: &Recorder, max: usize) -> Session<&Recorder> {
        Session::new(recorder, SessionSettings { hostname: "test.local".into(), max_message_size: max })
    }

    /// Feeds `input` and returns the reply codes.
    fn codes(session: &mut Session<&Recorder>, input: &str) -> Vec<u16> {
        let mut out = Vec::new();
        feed(session, input.as_bytes(), &mut out);
        String::from_utf8(out)
            .unwrap()
            .lines()
            .filter(|l| l.len() >= 4 && &l[3..4] == " ")
            .map(|l| l[..3].parse().unwrap())
            .collect()
    }

    #[test]
    fn a_whole_pipelined_transaction() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 1000);
        let replies = codes(
            &mut s,
            "EHLO client\r\nMAIL FROM:<site@shop.test>\r\nRCPT TO:<a@otpcatch.test>\r\nRCPT TO:<b@otpcatch.test>\r\nDATA\r\n",
        );
        assert_eq!(replies, [250, 250, 250, 250, 354]);
        let replies = codes(&mut s, "Subject: hi\r\n\r\n..leading dot\r\nend\r\n.\r\nQUIT\r\n");
        assert_eq!(replies, [250, 221]);
        assert!(s.is_closed());
        let delivered = recorder.delivered.borrow();
        assert_eq!(delivered[0].0, "site@shop.test");
        assert_eq!(delivered[0].1, ["a@otpcatch.test", "b@otpcatch.test"]);
        assert_eq!(delivered[0].2, b"Subject: hi\r\n\r\n.leading dot\r\nend\r\n", "dot-unstuffed");
    }

    #[test]
    fn the_ehlo_reply_advertises_the_extensions() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 12345);
        let mut out = Vec::new();
        feed(&mut s, b"EHLO client\r\n", &mut out);
        let text = String::from_utf8(out).unwrap();
        for extension in ["PIPELINING", "8BITMIME", "SMTPUTF8", "SIZE 12345", "ENHANCEDSTATUSCODES"] {
            assert!(text.contains(extension), "{extension} missing from {text}");
        }
    }

    #[test]
    fn commands_out_of_order_get_503() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 1000);
        assert_eq!(codes(&mut s, "MAIL FROM:<a@b.test>\r\n"), [503]);
        assert_eq!(codes(&mut s, "HELO c\r\nRCPT TO:<a@otpcatch.test>\r\nDATA\r\n"), [250, 503, 503]);
        assert_eq!(codes(&mut s, "MAIL FROM:<a@b.test>\r\nMAIL FROM:<a@b.test>\r\nDATA\r\n"), [250, 503, 554]);
    }

    #[test]
    fn foreign_recipients_are_refused_and_the_session_goes_on() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 1000);
        let replies = codes(
            &mut s,
            "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<victim@example.org>\r\nRCPT TO:<a@otpcatch.test>\r\nDATA\r\nx\r\n.\r\n",
        );
        assert_eq!(replies, [250, 250, 550, 250, 354, 250]);
        assert_eq!(recorder.delivered.borrow()[0].1, ["a@otpcatch.test"]);
    }

    #[test]
    fn an_oversize_message_gets_552_and_the_session_stays_usable() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 100);
        assert_eq!(codes(&mut s, "EHLO c\r\nMAIL FROM:<a@b.test> SIZE=5000\r\n"), [250, 552]);
        assert_eq!(codes(&mut s, "MAIL FROM:<a@b.test>\r\nRCPT TO:<a@otpcatch.test>\r\nDATA\r\n"), [250, 250, 354]);
        let big = format!("{}\r\n.\r\n", "x".repeat(500));
        assert_eq!(codes(&mut s, &big), [552]);
        assert!(recorder.delivered.borrow().is_empty());
        assert_eq!(
            codes(&mut s, "MAIL FROM:<a@b.test>\r\nRCPT TO:<a@otpcatch.test>\r\nDATA\r\nsmall\r\n.\r\n"),
            [250, 250, 354, 250]
        );
        assert_eq!(recorder.delivered.borrow().len(), 1);
    }

    #[test]
    fn other_commands_answer_as_rfc_5321_says() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 1000);
        assert_eq!(
            codes(&mut s, "EHLO c\r\nVRFY someone\r\nNOOP\r\nRSET\r\nHELP\r\nSTARTTLS\r\nFOO bar\r\n"),
            [250, 252, 250, 250, 214, 502, 500]
        );
    }

    #[test]
    fn a_flood_of_garbage_ends_the_session() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 1000);
        let replies = codes(&mut s, &"garbage\r\n".repeat(50));
        assert_eq!(replies.last(), Some(&421));
        assert!(s.is_closed());
    }

    #[test]
    fn bare_lf_line_endings_work_and_end_data() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 1000);
        let replies = codes(
            &mut s,
            "EHLO c\nMAIL FROM:<a@b.test>\nRCPT TO:<a@otpcatch.test>\nDATA\nSubject: lf\n\nline\n..dot\n.\n",
        );
        assert_eq!(replies, [250, 250, 250, 354, 250]);
        assert_eq!(recorder.delivered.borrow()[0].2, b"Subject: lf\r\n\r\nline\r\n.dot\r\n");
        // A CRLF split across two reads is not a bare LF.
        let mut out = Vec::new();
        feed(&mut s, b"NOOP\r", &mut out);
        feed(&mut s, b"\n", &mut out);
        assert_eq!(out, b"250 2.0.0 OK\r\n");
    }

    #[test]
    fn bytes_may_arrive_one_at_a_time() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 1000);
        let mut out = Vec::new();
        for byte in b"EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<a@otpcatch.test>\r\nDATA\r\nhello\r\n.\r\n" {
            feed(&mut s, &[*byte], &mut out);
        }
        assert_eq!(recorder.delivered.borrow()[0].2, b"hello\r\n");
    }

    #[test]
    fn a_message_is_acknowledged_only_when_stored_and_what_follows_waits() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 1000);
        let mut out = Vec::new();
        s.feed(b"EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<a@otpcatch.test>\r\nDATA\r\nx\r\n.\r\nNOOP\r\n", &mut out);
        let before = String::from_utf8(out.clone()).unwrap();
        assert!(before.ends_with("354 end data with <CR><LF>.<CR><LF>\r\n"), "no 250 yet: {before}");
        s.feed(b"QUIT\r\n", &mut out);
        assert!(s.take_pending().is_some());
        out.clear();
        s.resume(Err("the disk is full".into()), &mut out);
        let after = String::from_utf8(out).unwrap();
        assert!(after.starts_with("452 4.3.1 could not store the message (the disk is full)"), "{after}");
        assert!(after.contains("250 2.0.0 OK\r\n221 "), "the held commands run in order: {after}");
    }

    #[test]
    fn replies_carry_no_invalid_enhanced_code_and_a_long_line_gets_one_reply() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 1000);
        let mut out = Vec::new();
        s.greeting(&mut out);
        assert_eq!(out, b"220 test.local ESMTP otpcatch ready\r\n");
        for length in [10_000, 100_000] {
            let long = format!("RSET\r\nMAIL FROM:<{}@b.test>\r\nNOOP\r\n", "a".repeat(length));
            let mut out = Vec::new();
            for chunk in long.as_bytes().chunks(4096) {
                feed(&mut s, chunk, &mut out);
            }
            let codes: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().map(|l| &l[..3]).collect();
            assert_eq!(codes.len(), 3, "one reply for the long line, then the next command: {codes:?}");
            assert!(codes[1].starts_with('5') && codes[2] == "250", "{codes:?}");
        }
        let text = {
            let mut out = Vec::new();
            feed(&mut s, b"HELO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<a@otpcatch.test>\r\nDATA\r\n", &mut out);
            String::from_utf8(out).unwrap()
        };
        assert!(!text.contains("0.0.0"), "{text}");
    }

    #[test]
    fn a_recipient_named_twice_gets_the_message_once_and_a_malformed_one_is_501() {
        let recorder = Recorder::default();
        let mut s = session(&recorder, 1000);
        let replies = codes(
            &mut s,
            "EHLO c\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<a@otpcatch.test>\r\nRCPT TO:<A@otpcatch.test>\r\nDATA\r\nx\r\n.\r\n",
        );
        assert_eq!(replies, [250, 250, 250, 250, 354, 250]);
        assert_eq!(recorder.delivered.borrow()[0].1, ["a@otpcatch.test"]);
        let long = format!("MAIL FROM:<a@b.test>\r\nRCPT TO:<{}@otpcatch.test>\r\n", "a".repeat(300));
        assert_eq!(codes(&mut s, &long), [250, 501]);
    }
}
