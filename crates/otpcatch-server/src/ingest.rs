//! What a listing shows of a message as it is stored: its sender and
//! subject, from the headers (with otpcatch-wire's MIME decoding), and the
//! SMTP envelope's sender where the headers name none. A read decodes the
//! rest with `otpcatch_wire::mime::decode`.
//!
//! Decoding never fails: a message mail-parser cannot make sense of is still
//! stored, with its raw source and the envelope sender.

use otpcatch_wire::mime;

/// The sender and subject, from the headers only: what a listing needs,
/// cheaply.
pub(crate) fn headers(raw: &[u8], envelope_from: &str) -> (String, String) {
    let (from, subject) = mime::sender_and_subject(raw);
    (or_envelope(from, envelope_from), subject)
}

fn or_envelope(from: String, envelope_from: &str) -> String {
    if from.is_empty() { envelope_from.to_owned() } else { from }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_without_a_sender_shows_the_envelope_sender() {
        assert_eq!(headers(b"\xff\xfe\x00garbage", "sender@site.test").0, "sender@site.test");
        let (from, subject) = headers(b"", "sender@site.test");
        assert_eq!((from.as_str(), subject.as_str()), ("sender@site.test", ""));
        let named = b"From: Shop <noreply@shop.test>\r\nSubject: Hi\r\n\r\nbody\r\n";
        assert_eq!(headers(named, "bounce@shop.test"), ("Shop <noreply@shop.test>".into(), "Hi".into()));
    }
}
