//! The core client's wait against this server: by push, and by polling.

use std::time::{Duration, Instant};

use otpcatch_core::{Filter, WaitEvent};
use otpcatch_server::ServerConfig;

use crate::support::{send, start, start_with};

#[tokio::test]
async fn a_wait_is_woken_by_push() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    assert!(client.push_advertised(), "the server advertises push");
    let (events, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let waiting = tokio::spawn(
        mailbox
            .wait_for(Filter::new().subject("verify").unwrap())
            .poll_interval(Duration::from_secs(30), Duration::from_secs(30))
            .events(events)
            .timeout(Duration::from_secs(20))
            .into_future(),
    );
    assert_eq!(seen.recv().await.map(|e| matches!(e, WaitEvent::Started { .. })), Some(true));
    assert_eq!(seen.recv().await, Some(WaitEvent::PushConnected), "subscribed before the first listing");
    assert!(matches!(seen.recv().await, Some(WaitEvent::Polled { .. })));
    let sent = Instant::now();
    send(&server, mailbox.address(), "Please verify", "code 424242", "<p>424242</p>").await;
    let message = waiting.await.unwrap().unwrap();
    assert_eq!(message.html, "<p>424242</p>");
    assert!(sent.elapsed() < Duration::from_secs(2), "woken by push, not the 30 s poll: {:?}", sent.elapsed());
    let mut later_polls = 0;
    while let Ok(event) = seen.try_recv() {
        later_polls += u32::from(matches!(event, WaitEvent::Polled { .. }));
    }
    assert_eq!(later_polls, 0, "the message came whole in the event: no listing after it");
}

#[tokio::test]
async fn a_message_too_large_to_push_whole_is_announced_then_read() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    let (events, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let waiting = tokio::spawn(
        mailbox
            .wait_for(Filter::new().body("424242").unwrap())
            .poll_interval(Duration::from_secs(30), Duration::from_secs(30))
            .events(events)
            .timeout(Duration::from_secs(20))
            .into_future(),
    );
    while !matches!(seen.recv().await, Some(WaitEvent::Polled { .. })) {}
    let sent = Instant::now();
    let html = format!("<p>Your code is 424242</p>{}", "<p>padding padding padding</p>\n".repeat(40_000));
    send(&server, mailbox.address(), "Please verify", "code 424242", &html).await;
    let message = waiting.await.unwrap().unwrap();
    assert!(message.html.len() > 1024 * 1024, "read in full: {} bytes", message.html.len());
    assert!(message.html.starts_with("<p>Your code is 424242</p>"));
    assert!(sent.elapsed() < Duration::from_secs(5), "woken by push, not the 30 s poll: {:?}", sent.elapsed());
}

#[tokio::test]
async fn a_wait_polls_when_push_is_off() {
    let config = ServerConfig { push: false, ..ServerConfig::ephemeral() };
    let (server, client, _cache) = start_with(config).await;
    let mailbox = client.create_mailbox().await.unwrap();
    let address = mailbox.address().to_owned();
    let (events, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let waiting =
        tokio::spawn(mailbox.wait_for(Filter::new()).events(events).timeout(Duration::from_secs(10)).into_future());
    tokio::time::sleep(Duration::from_millis(400)).await;
    send(&server, &address, "polled", "t", "<p>h</p>").await;
    let message = waiting.await.unwrap().unwrap();
    assert_eq!(message.subject, "polled");
    assert!(!client.push_advertised());
    let mut polls = 0;
    while let Ok(event) = seen.try_recv() {
        assert_ne!(event, WaitEvent::PushConnected);
        if matches!(event, WaitEvent::Polled { .. }) {
            polls += 1;
        }
    }
    assert!(polls >= 2, "it polled: {polls}");
}

#[tokio::test]
async fn mail_sent_before_the_wait_is_found_at_once() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    send(&server, mailbox.address(), "early", "t", "<p>h</p>").await;
    let started = Instant::now();
    let message = mailbox.wait_for(Filter::new()).timeout(Duration::from_secs(5)).await.unwrap();
    assert_eq!(message.subject, "early");
    assert!(started.elapsed() < Duration::from_secs(1));
}
