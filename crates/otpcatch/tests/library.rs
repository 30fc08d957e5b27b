//! The one-crate API as a Rust test uses it: a local server, a mailbox, and
//! waits that end in a code, a link, a message or nothing.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use otpcatch::LocalServer;

/// Sends one text email to `to` through the server's SMTP receiver.
async fn send(smtp: SocketAddr, to: &str, subject: &str, body: &str) {
    let mail = lettre::Message::builder()
        .from("Site <no-reply@site.test>".parse().unwrap())
        .to(to.parse().unwrap())
        .subject(subject)
        .body(body.to_owned())
        .unwrap();
    let transport =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.ip().to_string()).port(smtp.port()).build();
    transport.send(mail).await.unwrap();
}

#[tokio::test]
async fn a_code_is_read_from_the_mail_that_has_one() {
    let mail = LocalServer::start().await.unwrap();
    let mailbox = mail.mailbox().await.unwrap();
    // A welcome mail without a code comes first and is passed over.
    send(mail.smtp_addr(), mailbox.address(), "Welcome to Site", "Glad you are here.").await;
    send(mail.smtp_addr(), mailbox.address(), "Confirm your email", "Your verification code is 730146.").await;
    let code = mailbox.code().subject("confirm").timeout(Duration::from_secs(10)).await.unwrap();
    assert_eq!(code, "730146");
    assert_eq!(mailbox.messages().await.unwrap().len(), 2);
    mail.shutdown().await;
}

#[tokio::test]
async fn a_link_and_a_whole_message_are_read() {
    let mail = LocalServer::start().await.unwrap();
    let mailbox = mail.mailbox().await.unwrap();
    let body = "Confirm your address by opening https://site.test/confirm?token=Zk41qP within a day.";
    send(mail.smtp_addr(), mailbox.address(), "Confirm your address", body).await;
    assert_eq!(mailbox.link().await.unwrap(), "https://site.test/confirm?token=Zk41qP");
    let message = mailbox.message().from("no-reply@site").await.unwrap();
    assert_eq!(message.subject, "Confirm your address");
}

#[tokio::test]
async fn a_bad_pattern_fails_the_wait_at_once() {
    let mail = LocalServer::start().await.unwrap();
    let mailbox = mail.mailbox().await.unwrap();
    let started = Instant::now();
    let error = mailbox.code().subject("(unclosed").timeout(Duration::from_secs(30)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "the wait ran before reporting the pattern");
    assert!(error.to_string().contains("invalid subject pattern"), "{error}");
    assert!(!error.is_wait_timeout());
}

#[tokio::test]
async fn a_timeout_names_what_arrived() {
    let mail = LocalServer::start().await.unwrap();
    let mailbox = mail.mailbox().await.unwrap();
    send(mail.smtp_addr(), mailbox.address(), "Your weekly digest", "Nothing to confirm here.").await;
    let error = mailbox.code().subject("digest").timeout(Duration::from_millis(800)).await.unwrap_err();
    assert!(error.is_wait_timeout());
    let message = error.to_string();
    assert!(message.contains("Your weekly digest"), "{message}");
}

#[tokio::test]
async fn expect_none_passes_until_a_matching_mail_arrives() {
    let mail = LocalServer::start().await.unwrap();
    let mailbox = mail.mailbox().await.unwrap();
    mailbox.expect_none(Duration::from_millis(300)).await.unwrap();
    send(mail.smtp_addr(), mailbox.address(), "Password changed", "Your password was changed.").await;
    mailbox.expect_none(Duration::from_millis(300)).subject("reset").await.unwrap();
    let error = mailbox.expect_none(Duration::from_millis(300)).subject("password").await.unwrap_err();
    assert!(error.is_wait_timeout());
    assert!(error.to_string().contains("Password changed"), "{error}");
}

#[tokio::test]
async fn mailboxes_see_only_their_own_mail() {
    let mail = LocalServer::start().await.unwrap();
    let (first, second) = (mail.mailbox().await.unwrap(), mail.mailbox().await.unwrap());
    assert_ne!(first.address(), second.address());
    send(mail.smtp_addr(), first.address(), "Your code", "Your code is 111222.").await;
    send(mail.smtp_addr(), second.address(), "Your code", "Your code is 333444.").await;
    assert_eq!(first.code().await.unwrap(), "111222");
    assert_eq!(second.code().await.unwrap(), "333444");
    assert_eq!(first.messages().await.unwrap().len(), 1);
}
