//! The SMTP receiver over real sockets.

use std::time::Duration;

use otpcatch_core::Family;
use otpcatch_server::ServerConfig;

use crate::support::{Smtp, code, send, start, start_with};

#[tokio::test]
async fn a_conversation_gets_the_right_codes() {
    let (server, client, _cache) = start().await;
    let (mut smtp, greeting) = Smtp::connect(&server).await;
    assert!(greeting.starts_with("220 "), "{greeting}");
    smtp.send(b"EHLO client.test\r\n").await;
    let ehlo = smtp.reply().await;
    assert!(ehlo.starts_with("250-") && ehlo.contains("PIPELINING") && ehlo.contains("SIZE"), "{ehlo}");
    assert_eq!(smtp.command("MAIL FROM:<site@shop.test>").await, 250);
    assert_eq!(smtp.command("RCPT TO:<someone@example.org>").await, 550, "never a relay");
    assert_eq!(smtp.command("RCPT TO:<first@otpcatch.test>").await, 250);
    assert_eq!(smtp.command("RCPT TO:<second@otpcatch.test>").await, 250);
    assert_eq!(smtp.command("VRFY first").await, 252);
    assert_eq!(smtp.command("DATA").await, 354);
    smtp.send(b"Subject: stuffed\r\n\r\n..dot line\r\n.\r\n").await;
    let queued = smtp.reply().await;
    assert_eq!(code(&queued), 250, "{queued}");
    assert_eq!(smtp.command("QUIT").await, 221);
    drop(client);
    assert_eq!(server.message_count(), 2, "one stored message per recipient");
}

#[tokio::test]
async fn pipelined_commands_are_answered_in_order() {
    let (server, _client, _cache) = start().await;
    let (mut smtp, _) = Smtp::connect(&server).await;
    smtp.send(b"EHLO c\r\nMAIL FROM:<a@shop.test>\r\nRCPT TO:<x@otpcatch.test>\r\nDATA\r\n").await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(code(&smtp.reply().await));
    }
    assert_eq!(codes, [250, 250, 250, 354]);
    smtp.send(b"Subject: p\r\n\r\nbody\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n").await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(code(&smtp.reply().await));
    }
    assert_eq!(codes, [250, 250, 250, 221]);
}

#[tokio::test]
async fn oversize_mail_gets_552_and_the_connection_stays_usable() {
    let config = ServerConfig { max_message_size: 2_000, ..ServerConfig::ephemeral() };
    let (server, client, _cache) = start_with(config).await;
    let (mut smtp, _) = Smtp::connect(&server).await;
    smtp.command("EHLO c").await;
    assert_eq!(smtp.command("MAIL FROM:<a@shop.test> SIZE=100000").await, 552);
    smtp.command("MAIL FROM:<a@shop.test>").await;
    smtp.command("RCPT TO:<big@otpcatch.test>").await;
    smtp.command("DATA").await;
    smtp.send(format!("Subject: big\r\n\r\n{}\r\n.\r\n", "x".repeat(10_000)).as_bytes()).await;
    assert_eq!(code(&smtp.reply().await), 552);
    smtp.command("MAIL FROM:<a@shop.test>").await;
    smtp.command("RCPT TO:<big@otpcatch.test>").await;
    smtp.command("DATA").await;
    smtp.send(b"Subject: small\r\n\r\nfits\r\n.\r\n").await;
    assert_eq!(code(&smtp.reply().await), 250);
    drop(client);
    assert_eq!(server.message_count(), 1);
}

#[tokio::test]
async fn idle_clients_are_disconnected() {
    let config = ServerConfig { idle_timeout: Duration::from_millis(300), ..ServerConfig::ephemeral() };
    let (server, _client, _cache) = start_with(config).await;
    let (mut smtp, _) = Smtp::connect(&server).await;
    let goodbye = tokio::time::timeout(Duration::from_secs(5), smtp.reply()).await.unwrap();
    assert!(goodbye.starts_with("421 "), "{goodbye}");
    assert_eq!(smtp.reply().await, "", "the connection is closed");
}

#[tokio::test]
async fn connections_over_the_cap_get_421_and_the_others_are_served() {
    let config = ServerConfig { max_connections: 2, ..ServerConfig::ephemeral() };
    let (server, client, _cache) = start_with(config).await;
    let (mut first, _) = Smtp::connect(&server).await;
    let (_second, _) = Smtp::connect(&server).await;
    let (_third, refused) = Smtp::connect(&server).await;
    assert!(refused.starts_with("421 "), "{refused}");
    assert_eq!(first.command("EHLO still-served").await, 250);
    drop(first);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mailbox = client.create_mailbox().await.unwrap();
    send(&server, mailbox.address(), "after the cap", "t", "<p>h</p>").await;
    let listing = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap();
    assert_eq!(listing.len(), 1);
}

#[tokio::test]
async fn a_client_trickling_bytes_is_cut_off_at_the_session_limit() {
    let config = ServerConfig { session_limit: Duration::from_millis(600), ..ServerConfig::ephemeral() };
    let (server, client, _cache) = start_with(config).await;
    let (mut slow, _) = Smtp::connect(&server).await;
    let started = std::time::Instant::now();
    // One byte every 20 ms: never idle, never done.
    for byte in b"NOOP slowloris slowloris slowloris".iter().cycle().take(200) {
        if !slow.try_send(&[*byte]).await || started.elapsed() > Duration::from_secs(3) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let goodbye = tokio::time::timeout(Duration::from_secs(2), slow.reply()).await.unwrap();
    assert!(goodbye.starts_with("421 4.4.2 the session lasted too long"), "{goodbye:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "cut off at the limit, not by the test");
    // Others are still served.
    let mailbox = client.create_mailbox().await.unwrap();
    send(&server, mailbox.address(), "still up", "t", "<p>h</p>").await;
    assert_eq!(client.inbox(Family::Temp, mailbox.address(), None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn bare_lf_clients_are_understood() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    let (mut smtp, _) = Smtp::connect(&server).await;
    smtp.send(format!("EHLO lf\nMAIL FROM:<a@shop.test>\nRCPT TO:<{}>\nDATA\n", mailbox.address()).as_bytes()).await;
    for expected in [250, 250, 250, 354] {
        assert_eq!(code(&smtp.reply().await), expected);
    }
    smtp.send(b"Subject: bare LF\n\nbody\n.\n").await;
    assert_eq!(code(&smtp.reply().await), 250);
    let listing = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap();
    assert_eq!(listing[0].subject, "bare LF");
}
