//! MIME through the server: encodings, charsets and nesting as real mail
//! has them, decoded in the message detail.

use otpcatch_core::Family;

use crate::support::{Smtp, code, send, start};

/// Sends raw message bytes (already CRLF, dot-stuffed as needed).
async fn send_raw(server: &otpcatch_server::RunningServer, to: &str, data: &[u8]) {
    let (mut smtp, _) = Smtp::connect(server).await;
    smtp.command("EHLO raw").await;
    assert_eq!(smtp.command("MAIL FROM:<site@shop.test> BODY=8BITMIME").await, 250);
    assert_eq!(smtp.command(&format!("RCPT TO:<{to}>")).await, 250);
    assert_eq!(smtp.command("DATA").await, 354);
    smtp.send(data).await;
    smtp.send(b"\r\n.\r\n").await;
    assert_eq!(code(&smtp.reply().await), 250);
}

#[tokio::test]
async fn lettre_multipart_alternative_decodes_to_text_and_html() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    let html = format!("<p>Bestätigen: <a href=\"https://site.test/verify?t=abc&amp;u=1\">{}</a></p>", "x".repeat(200));
    send(&server, mailbox.address(), "Bestätigen Sie Ihre E-Mail ✓", "Ihr Code: 481923", &html).await;
    let id = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap().remove(0).id;
    let message = client.message(Family::Temp, &id).await.unwrap();
    assert_eq!(message.subject, "Bestätigen Sie Ihre E-Mail ✓");
    assert_eq!(message.text.trim_end(), "Ihr Code: 481923");
    assert_eq!(message.html.trim_end(), html);
}

#[tokio::test]
async fn quoted_printable_soft_breaks_and_legacy_charsets_are_decoded() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    let message = "From: =?ISO-8859-1?Q?Caf=E9?= <cafe@shop.test>\r\n\
Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=b\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=KOI8-R\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
\u{0}KOI8\r\n\
--b\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
<a href=3D\"https://site.test/confirm?token=3Dabcdef&amp;id=3D4=\r\n\
2\">Confirm</a>\r\n\
--b--";
    // The KOI8-R body is raw 8-bit: patch it in as bytes.
    let mut data = message.replace("\u{0}KOI8", "@@").into_bytes();
    let at = data.windows(2).position(|w| w == b"@@").unwrap();
    data.splice(at..at + 2, b"\xeb\xcf\xc4: 4242".iter().copied());
    send_raw(&server, mailbox.address(), &data).await;
    let id = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap().remove(0).id;
    let decoded = client.message(Family::Temp, &id).await.unwrap();
    assert_eq!(decoded.from, "Café <cafe@shop.test>");
    assert_eq!(decoded.subject, "こんにちは");
    assert_eq!(decoded.text.trim_end(), "Код: 4242");
    assert_eq!(decoded.html.trim_end(), r#"<a href="https://site.test/confirm?token=abcdef&amp;id=42">Confirm</a>"#);
}

#[tokio::test]
async fn a_malformed_message_is_stored_with_a_best_effort_decode() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    send_raw(&server, mailbox.address(), b"\xff\xfe not a header\r\n\x00\x01binary junk 987654").await;
    let listing = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap();
    assert_eq!(listing.len(), 1, "stored, not dropped");
    let message = client.message(Family::Temp, &listing[0].id).await.unwrap();
    assert!(message.text.contains("987654") || message.html.contains("987654"), "{message:?}");
}
