//! Raw message bytes to the fields the API shows.
//!
//! Parsing never fails: a message mail-parser cannot make sense of is still
//! stored, with its raw source and whatever could be recovered (the
//! envelope sender, the bytes as text).

use mail_parser::{Address, MessageParser, MimeHeaders, PartType};
use otpcatch_core::wire::Attachment;

/// What the API shows of a message, decoded from its raw source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// `Name <address>`, or the address alone.
    pub(crate) from: String,
    pub(crate) subject: String,
    /// Every address in To and Cc.
    pub(crate) recipients: Vec<String>,
    /// The first text/plain body part, decoded.
    pub(crate) text: String,
    /// The first text/html body part, decoded.
    pub(crate) html: String,
    /// The attachments, listed and not decoded.
    pub(crate) attachments: Vec<Attachment>,
}

/// Headers only: what a listing needs, cheaply.
pub(crate) fn headers(raw: &[u8], envelope_from: &str) -> (String, String) {
    match MessageParser::new().parse_headers(raw) {
        Some(message) => {
            let from = message.from().and_then(format_first).unwrap_or_else(|| envelope_from.to_owned());
            (from, message.subject().unwrap_or_default().to_owned())
        }
        None => (envelope_from.to_owned(), String::new()),
    }
}

/// The whole message, decoded for `POST /inbox/message`.
pub(crate) fn decode(raw: &[u8], envelope_from: &str) -> Decoded {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Decoded {
            from: envelope_from.to_owned(),
            text: String::from_utf8_lossy(raw).into_owned(),
            ..Decoded::default()
        };
    };
    let from = message.from().and_then(format_first).unwrap_or_else(|| envelope_from.to_owned());
    let recipients = [message.to(), message.cc()]
        .into_iter()
        .flatten()
        .flat_map(|list| list.iter().filter_map(|a| a.address().map(str::to_owned)).collect::<Vec<_>>())
        .collect();
    let text = (0..message.text_body_count() as u32)
        .filter_map(|i| message.text_part(i))
        .find_map(|part| match &part.body {
            PartType::Text(text) => Some(text.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    let html = (0..message.html_body_count() as u32)
        .filter_map(|i| message.html_part(i))
        .find_map(|part| match &part.body {
            PartType::Html(html) => Some(html.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    let attachments = message
        .attachments()
        .map(|part| Attachment {
            filename: part.attachment_name().unwrap_or_default().to_owned(),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            size: part.len() as u64,
        })
        .collect();
    Decoded { from, subject: message.subject().unwrap_or_default().to_owned(), recipients, text, html, attachments }
}

fn format_first(address: &Address<'_>) -> Option<String> {
    let first = address.first()?;
    let email = first.address();
    match (first.name().filter(|n| !n.trim().is_empty()), email) {
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
    fn a_nested_multipart_is_decoded() {
        let decoded = decode(MULTIPART, "bounce@shop.test");
        assert_eq!(decoded.from, "Shop <noreply@shop.test>");
        assert_eq!(decoded.subject, "Verify your email ✓");
        assert_eq!(decoded.recipients, ["a@otpcatch.test", "b@otpcatch.test", "c@otpcatch.test"]);
        assert_eq!(decoded.text, "Your code is 123456. Visit https://shop.test/verify?token=abc&x=1");
        assert_eq!(decoded.html, "<p>Your code is <b>123456</b></p>");
        assert_eq!(
            decoded.attachments,
            [Attachment { filename: "receipt.pdf".into(), content_type: "application/pdf".into(), size: 9 }]
        );
        assert!(!decoded.text.contains("JVBER"), "attachments stay out of the body");
        assert_eq!(headers(MULTIPART, "x"), ("Shop <noreply@shop.test>".into(), "Verify your email ✓".into()));
    }

    #[test]
    fn legacy_charsets_decode() {
        let iso_2022_jp = b"Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\n\
Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B$3$s$K$A$O\x1b(B 123456\r\n";
        let decoded = decode(iso_2022_jp, "x");
        assert_eq!(decoded.subject, "こんにちは");
        assert_eq!(decoded.text.trim(), "こんにちは 123456");
        let koi8 = b"Subject: test\r\nContent-Type: text/plain; charset=KOI8-R\r\n\r\n\xeb\xcf\xc4: 4242\r\n";
        assert_eq!(decode(koi8, "x").text.trim(), "Код: 4242");
        let shift_jis = b"Content-Type: text/plain; charset=Shift_JIS\r\n\r\n\x83\x52\x81\x5b\x83\x68\r\n";
        assert_eq!(decode(shift_jis, "x").text.trim(), "コード");
    }

    #[test]
    fn garbage_is_kept_as_text_with_the_envelope_sender() {
        let decoded = decode(b"\xff\xfe\x00garbage", "sender@site.test");
        assert_eq!(decoded.from, "sender@site.test");
        assert!(decoded.subject.is_empty());
        let (from, subject) = headers(b"", "sender@site.test");
        assert_eq!((from.as_str(), subject.as_str()), ("sender@site.test", ""));
    }
}
