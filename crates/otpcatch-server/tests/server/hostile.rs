//! Hostile and broken SMTP clients: the server stays up, keeps serving
//! others, and loses no message it accepted.

use std::time::Duration;

use otpcatch_core::Family;
use otpcatch_server::ServerConfig;

use crate::support::{Smtp, code, send, start, start_with};

#[tokio::test]
async fn nul_bytes_and_invalid_utf8_are_stored_not_fatal() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    let (mut smtp, _) = Smtp::connect(&server).await;
    smtp.command("EHLO hostile").await;
    smtp.command("MAIL FROM:<a@shop.test>").await;
    assert_eq!(smtp.command(&format!("RCPT TO:<{}>", mailbox.address())).await, 250);
    assert_eq!(smtp.command("DATA").await, 354);
    smtp.send(b"Subject: \xff\xfe broken \x00 subject\r\n\r\nbody \x00\x01\xc3\x28 code 246813\r\n.\r\n").await;
    assert_eq!(code(&smtp.reply().await), 250);
    let listing = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap();
    let message = client.message(Family::Temp, &listing[0].id).await.unwrap();
    assert!(message.text.contains("246813"), "{:?}", message.text);
}

#[tokio::test]
async fn a_thousand_recipients_are_accepted_and_the_next_is_deferred() {
    let config = ServerConfig { catch_all: true, ..ServerConfig::ephemeral() };
    let (server, client, _cache) = start_with(config).await;
    let (mut smtp, _) = Smtp::connect(&server).await;
    smtp.command("EHLO many").await;
    smtp.command("MAIL FROM:<a@shop.test>").await;
    let mut commands = String::new();
    for i in 0..1001 {
        commands.push_str(&format!("RCPT TO:<r{i}@otpcatch.test>\r\n"));
    }
    smtp.send(commands.as_bytes()).await;
    let mut codes = Vec::new();
    for _ in 0..1001 {
        codes.push(code(&smtp.reply().await));
    }
    assert!(codes[..1000].iter().all(|&c| c == 250));
    assert_eq!(codes[1000], 452);
    assert_eq!(smtp.command("DATA").await, 354);
    smtp.send(b"Subject: to many\r\n\r\nhi\r\n.\r\n").await;
    assert_eq!(code(&smtp.reply().await), 250);
    assert_eq!(server.message_count(), 1000);
    assert_eq!(client.inbox(Family::Temp, "r999@otpcatch.test", None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn pipelined_garbage_ends_that_session_only() {
    let (server, client, _cache) = start().await;
    let (mut rude, _) = Smtp::connect(&server).await;
    let garbage: Vec<u8> = (0..200u32).flat_map(|i| format!("\x01\x02garbage {i} \u{fffd}\r\n").into_bytes()).collect();
    let _ = rude.try_send(&garbage).await;
    let mut last = String::new();
    for _ in 0..50 {
        let reply = tokio::time::timeout(Duration::from_secs(2), rude.reply()).await.unwrap();
        if reply.is_empty() {
            break;
        }
        last = reply;
    }
    assert!(last.starts_with("421"), "{last:?}");
    let mailbox = client.create_mailbox().await.unwrap();
    send(&server, mailbox.address(), "after the garbage", "t", "<p>h</p>").await;
    assert_eq!(client.inbox(Family::Temp, mailbox.address(), None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_client_that_hangs_up_mid_data_leaves_nothing_half_stored() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    {
        let (mut smtp, _) = Smtp::connect(&server).await;
        smtp.command("EHLO quitter").await;
        smtp.command("MAIL FROM:<a@shop.test>").await;
        smtp.command(&format!("RCPT TO:<{}>", mailbox.address())).await;
        assert_eq!(smtp.command("DATA").await, 354);
        smtp.send(b"Subject: cut off\r\n\r\nhalf a mess").await;
    } // dropped: the connection closes mid-DATA
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.message_count(), 0);
    send(&server, mailbox.address(), "complete", "t", "<p>h</p>").await;
    let listing = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap();
    assert_eq!(listing.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), ["complete"]);
}

#[tokio::test]
async fn many_connections_at_once_are_served_up_to_the_cap() {
    let config = ServerConfig { max_connections: 300, ..ServerConfig::ephemeral() };
    let (server, client, _cache) = start_with(config).await;
    let mut open = Vec::new();
    for _ in 0..400 {
        open.push(Smtp::connect(&server).await);
    }
    let refused = open.iter().filter(|(_, greeting)| greeting.starts_with("421")).count();
    assert_eq!(refused, 100, "the ones over the cap get 421");
    drop(open);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mailbox = client.create_mailbox().await.unwrap();
    send(&server, mailbox.address(), "after the crowd", "t", "<p>h</p>").await;
    assert_eq!(client.inbox(Family::Temp, mailbox.address(), None).await.unwrap().len(), 1);
}
