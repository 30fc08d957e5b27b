//! Entry points for the fuzz targets in `fuzz/`, built only with the
//! `fuzzing` feature. Not part of the API.

use std::sync::Arc;

use crate::ingest;
use crate::smtp::session::{Delivery, Refusal, Session, SessionSettings};
use crate::store::Recipient;

/// Accepts every recipient and decodes what it is given, as the store and
/// the message endpoint would.
struct DecodingDelivery;

impl Delivery for DecodingDelivery {
    type Pending = String;

    fn mailbox_for(&self, address: &str) -> Result<String, Refusal> {
        match address.strip_suffix("@otpcatch.test") {
            Some(_) => Ok(address.to_ascii_lowercase()),
            None => Err(Refusal::NotServed(address.rsplit_once('@').map_or("", |(_, d)| d).to_owned())),
        }
    }

    fn deliver(&self, envelope_from: &str, recipients: &[Recipient], raw: &[u8]) -> String {
        let _ = ingest::headers(raw, envelope_from);
        let _ = otpcatch_wire::mime::decode(raw);
        recipients.first().map(|r| r.mailbox.clone()).unwrap_or_default()
    }
}

/// Feeds `input` to one SMTP session, split into chunks whose sizes come
/// from the input's first byte, and checks that every reply is well formed
/// and that the replies stay bounded.
pub fn smtp_session(input: &[u8]) {
    let Some((&chunk, input)) = input.split_first() else { return };
    let chunk = usize::from(chunk).max(1);
    let settings = SessionSettings { hostname: Arc::from("fuzz.local"), max_message_size: 64 * 1024 };
    let mut session = Session::new(DecodingDelivery, settings);
    let mut out = Vec::new();
    session.greeting(&mut out);
    for piece in input.chunks(chunk) {
        out.clear();
        session.feed(piece, &mut out);
        while let Some(id) = session.take_pending() {
            session.resume(Ok(id), &mut out);
        }
        assert!(out.len() <= 64 * 1024 + piece.len() * 64, "replies grew out of proportion: {} bytes", out.len());
        for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            assert!(line.len() >= 4 && line[..3].iter().all(u8::is_ascii_digit), "malformed reply {line:?}");
            assert!(line.ends_with(b"\r"), "a reply line must end with CRLF: {line:?}");
        }
        if session.is_closed() {
            return;
        }
    }
}

/// Decodes `raw` as a stored message, as a listing and a read would.
pub fn mime(raw: &[u8]) {
    let _ = ingest::headers(raw, "envelope@otpcatch.test");
    let _ = otpcatch_wire::mime::decode(raw);
}
