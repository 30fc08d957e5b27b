//! Raw RFC 5322 bytes decoded into the fields of a message, as the API
//! shows them: the local server reports mail this way, and `otpcatch
//! extract` reads an `.eml` this way, so a message reads the same through
//! both.
//!
//! Decoding never fails: bytes mail-parser cannot make sense of become a
//! message whose text is those bytes.

use mail_parser::{Address, MessageParser, MimeHeaders, PartType};

use crate::Attachment;

/// How many inline text parts (and as many HTML parts) are read. A message
/// may split its body (an inline image, a signature part, a mailing list's
/// footer), but hundreds of parts are hostile, not mail.
pub const MAX_BODY_PARTS: usize = 32;

/// How many MIME parts are parsed. mail-parser keeps every part it reads
/// (its headers and a decoded copy of its body), so 100,000 tiny
/// attachments took 363 MB; the bodies that matter come first in real
/// mail, and a message is cut before its part number `MAX_PARTS + 1`.
pub const MAX_PARTS: usize = 4096;

/// How many attachments are listed.
pub const MAX_LISTED_ATTACHMENTS: usize = 1000;

/// `raw` cut before the line that would start part number
/// `MAX_PARTS + 1`, counting every line that starts with `--` (which
/// every boundary line does; base64 never contains a dash, so this only
/// ever counts too many).
fn within_part_limit(raw: &[u8]) -> &[u8] {
    match memchr::memmem::find_iter(raw, b"\n--").nth(MAX_PARTS) {
        Some(at) => &raw[..=at],
        None => raw,
    }
}

/// What the API shows of a message, decoded from its raw source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFields {
    /// The first `From`, as `Name <address>` or the address alone; empty
    /// when there is none.
    pub from: String,
    /// The first `To`, written the same way.
    pub to: String,
    /// The decoded subject.
    pub subject: String,
    /// Every address in `To` and `Cc`.
    pub recipients: Vec<String>,
    /// The `Date` header, in Unix seconds.
    pub date: Option<i64>,
    /// Every inline text/plain part, decoded, separated by blank lines.
    pub text: String,
    /// Every inline text/html part, decoded, separated by line breaks.
    pub html: String,
    /// The attachments, listed and not decoded.
    pub attachments: Vec<Attachment>,
}

/// The sender and subject alone, from the headers: what a listing needs,
/// cheaply. The sender is empty when there is none.
pub fn sender_and_subject(raw: &[u8]) -> (String, String) {
    match MessageParser::new().parse_headers(raw) {
        Some(message) => (
            message.from().and_then(first_address).unwrap_or_default(),
            message.subject().unwrap_or_default().to_owned(),
        ),
        None => (String::new(), String::new()),
    }
}

/// The whole message, decoded.
pub fn decode(raw: &[u8]) -> MessageFields {
    let Some(message) = MessageParser::default().parse(within_part_limit(raw)) else {
        let body = String::from_utf8_lossy(raw).into_owned();
        return if looks_like_html(&body) {
            MessageFields { html: body, ..MessageFields::default() }
        } else {
            MessageFields { text: body, ..MessageFields::default() }
        };
    };
    let count = |n: usize| n.min(MAX_BODY_PARTS) as u32;
    let joined = |parts: Vec<Option<&mail_parser::MessagePart<'_>>>, html: bool| {
        let texts: Vec<String> = parts
            .into_iter()
            .flatten()
            .filter_map(|part| match (&part.body, html) {
                (PartType::Html(text), true) | (PartType::Text(text), false) => Some(text.to_string()),
                _ => None,
            })
            .collect();
        texts.join(if html { "\n" } else { "\n\n" })
    };
    let texts = (0..count(message.text_body_count())).map(|i| message.text_part(i)).collect();
    let htmls = (0..count(message.html_body_count())).map(|i| message.html_part(i)).collect();
    let recipients = [message.to(), message.cc()]
        .into_iter()
        .flatten()
        .flat_map(|list| list.iter().filter_map(|a| a.address().map(str::to_owned)).collect::<Vec<_>>())
        .collect();
    let attachments = message.attachments().take(MAX_LISTED_ATTACHMENTS).map(describe_attachment).collect();
    let (mut text, mut html) = (joined(texts, false), joined(htmls, true));
    // With no Content-Type, a body is text/plain by the standard; but a
    // body that is HTML markup (a saved HTML mail, a sender that forgot the
    // header) reads as HTML to every mail client, and so here.
    if message.content_type().is_none() && html.is_empty() && looks_like_html(&text) {
        std::mem::swap(&mut text, &mut html);
    }
    MessageFields {
        from: message.from().and_then(first_address).unwrap_or_default(),
        to: message.to().and_then(first_address).unwrap_or_default(),
        subject: message.subject().unwrap_or_default().to_owned(),
        recipients,
        date: message.date().map(|d| d.to_timestamp()),
        text,
        html,
        attachments,
    }
}

/// What the API lists of an attachment.
fn describe_attachment(part: &mail_parser::MessagePart<'_>) -> Attachment {
    Attachment {
        filename: part.attachment_name().unwrap_or_default().to_owned(),
        content_type: part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_owned(),
            })
            .unwrap_or_else(|| "application/octet-stream".to_owned()),
        size: part.len() as u64,
    }
}

/// Attachment number `index` (as [`decode`] lists them, from 0) and its
/// decoded bytes, if the message has it.
pub fn attachment(raw: &[u8], index: usize) -> Option<(Attachment, Vec<u8>)> {
    if index >= MAX_LISTED_ATTACHMENTS {
        return None;
    }
    let message = MessageParser::default().parse(within_part_limit(raw))?;
    let part = message.attachments().nth(index)?;
    Some((describe_attachment(part), part.contents().to_vec()))
}

/// The header fields of `raw` as written (folded lines joined), in order,
/// up to `limit` of them: for showing, not for interpreting.
pub fn header_lines(raw: &[u8], limit: usize) -> Vec<(String, String)> {
    let end =
        memchr::memmem::find(raw, b"\r\n\r\n").or_else(|| memchr::memmem::find(raw, b"\n\n")).unwrap_or(raw.len());
    let block = String::from_utf8_lossy(&raw[..end]);
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            if fields.len() == limit {
                break;
            }
            fields.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    fields
}

/// Whether a body is HTML markup: it opens with a tag or a doctype, and
/// closes one.
fn looks_like_html(body: &str) -> bool {
    let head: String = body.trim_start().chars().take(16).collect::<String>().to_ascii_lowercase();
    (head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<body")
        || head.starts_with("<p"))
        && body.contains("</")
}

/// The first address of a header, as `Name <address>` or the address
/// alone. A blank display name is no name.
fn first_address(address: &Address<'_>) -> Option<String> {
    let first = address.first()?;
    match (first.name().filter(|n| !n.trim().is_empty()), first.address()) {
        (Some(name), Some(email)) => Some(format!("{name} <{email}>")),
        (None, Some(email)) => Some(email.to_owned()),
        (Some(name), None) => Some(name.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTIPART: &[u8] = b"From: \"Shop\" <noreply@shop.test>\r\n\
To: a@otpcatch.test, b@otpcatch.test\r\n\
Cc: c@otpcatch.test\r\n\
Subject: =?UTF-8?B?VmVyaWZ5IHlvdXIgZW1haWwg4pyT?=\r\n\
Date: Tue, 1 Dec 2026 10:00:00 +0000\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=outer\r\n\
\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=inner\r\n\
\r\n\
--inner\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Your code is 123456. Visit https://shop.test/verify?token=3Dabc&x=3D=\r\n\
1\r\n\
--inner\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
PHA+WW91ciBjb2RlIGlzIDxiPjEyMzQ1NjwvYj48L3A+\r\n\
--inner--\r\n\
--outer\r\n\
Content-Type: application/pdf; name=receipt.pdf\r\n\
Content-Disposition: attachment; filename=receipt.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--outer--\r\n";

    #[test]
    fn an_attachment_is_given_whole_by_its_index() {
        let (listed, bytes) = attachment(MULTIPART, 0).unwrap();
        assert_eq!((listed.filename.as_str(), listed.content_type.as_str()), ("receipt.pdf", "application/pdf"));
        assert_eq!(bytes, b"%PDF-1.4\n");
        assert!(attachment(MULTIPART, 1).is_none());
    }

    #[test]
    fn header_lines_are_unfolded_in_order_and_capped() {
        let raw = b"Subject: a long\r\n  subject\r\nFrom: x@y.test\r\nX-Empty:\r\n\r\nBody: not a header\r\n";
        let fields = header_lines(raw, 10);
        let expected = [("Subject", "a long subject"), ("From", "x@y.test"), ("X-Empty", "")];
        assert_eq!(fields, expected.map(|(n, v)| (n.to_owned(), v.to_owned())).to_vec());
        assert_eq!(header_lines(raw, 1).len(), 1);
    }

    #[test]
    fn a_body_of_html_without_a_content_type_is_read_as_html() {
        let fields = decode(b"<html><body><p>Your code is <b>481923</b></p></body></html>\r\n");
        assert_eq!((fields.text.as_str(), fields.html.contains("<b>481923</b>")), ("", true));
        let fields = decode(b"Subject: Hi\r\n\r\n<p>Your code is 481923</p>\r\n");
        assert!(fields.html.contains("481923") && fields.text.is_empty());
        let declared = decode(b"Content-Type: text/plain\r\n\r\n<p>shown as typed</p>\r\n");
        assert!(declared.text.contains("<p>") && declared.html.is_empty(), "a declared type is kept");
        assert!(decode(b"Subject: x\r\n\r\n5 < 6 and </ is text").html.is_empty());
    }

    #[test]
    fn a_message_of_a_hundred_thousand_parts_is_read_up_to_the_part_limit() {
        let mut raw = b"Subject: Your code\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nYour verification code is 481923\r\n"
            .to_vec();
        for i in 0..100_000 {
            raw.extend_from_slice(
                format!(
                    "--B\r\nContent-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=f{i}.bin\r\n\r\nAAAA\r\n"
                )
                .as_bytes(),
            );
        }
        raw.extend_from_slice(b"--B--\r\n");
        let fields = decode(&raw);
        assert!(fields.text.contains("481923"), "{:?}", fields.text);
        assert_eq!(fields.attachments.len(), MAX_LISTED_ATTACHMENTS);
        assert!(within_part_limit(&raw).len() < raw.len() / 10, "most parts are never parsed");
    }

    #[test]
    fn a_nested_multipart_is_decoded() {
        let decoded = decode(MULTIPART);
        assert_eq!(decoded.from, "Shop <noreply@shop.test>");
        assert_eq!(decoded.to, "a@otpcatch.test");
        assert_eq!(decoded.subject, "Verify your email ✓");
        assert_eq!(decoded.recipients, ["a@otpcatch.test", "b@otpcatch.test", "c@otpcatch.test"]);
        assert_eq!(decoded.date, Some(1_796_119_200));
        assert_eq!(decoded.text, "Your code is 123456. Visit https://shop.test/verify?token=abc&x=1");
        assert_eq!(decoded.html, "<p>Your code is <b>123456</b></p>");
        assert_eq!(
            decoded.attachments,
            [Attachment { filename: "receipt.pdf".into(), content_type: "application/pdf".into(), size: 9 }]
        );
        assert!(!decoded.text.contains("JVBER"), "attachments stay out of the body");
        assert_eq!(sender_and_subject(MULTIPART), ("Shop <noreply@shop.test>".into(), "Verify your email ✓".into()));
    }

    #[test]
    fn every_inline_text_part_is_kept() {
        let split = b"From: a@b.test\r\nSubject: Your code\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=B\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nHello,\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nYour verification code is 481923\r\n--B--\r\n";
        let decoded = decode(split);
        assert!(decoded.text.starts_with("Hello,"), "{:?}", decoded.text);
        assert!(decoded.text.contains("481923"), "{:?}", decoded.text);
    }

    #[test]
    fn a_blank_display_name_is_no_name() {
        let raw = b"From: \"  \" <noreply@shop.test>\r\nTo: \"\" <me@otpcatch.test>\r\n\r\nhi\r\n";
        let decoded = decode(raw);
        assert_eq!((decoded.from.as_str(), decoded.to.as_str()), ("noreply@shop.test", "me@otpcatch.test"));
        assert_eq!(sender_and_subject(raw).0, "noreply@shop.test");
    }

    #[test]
    fn legacy_charsets_decode() {
        let iso_2022_jp = b"Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\n\
Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B 123456\r\n";
        let decoded = decode(iso_2022_jp);
        assert_eq!(decoded.subject, "こんにちは");
        assert_eq!(decoded.text.trim(), "こんにちは 123456");
        let koi8 = b"Subject: test\r\nContent-Type: text/plain; charset=KOI8-R\r\n\r\n\xeb\xcf\xc4: 4242\r\n";
        assert_eq!(decode(koi8).text.trim(), "Код: 4242");
        let shift_jis = b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\n\x83\x52\x81\x5b\x83\x68\r\n";
        assert_eq!(decode(shift_jis).text.trim(), "コード");
    }

    #[test]
    fn garbage_is_kept_as_text() {
        let decoded = decode(b"\xff\xfe\x00garbage");
        assert!(decoded.from.is_empty() && decoded.subject.is_empty());
        assert_eq!(sender_and_subject(b""), (String::new(), String::new()));
    }
}
