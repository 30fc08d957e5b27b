//! Hostile and broken SMTP clients: the server stays up, keeps serving
//! others, and loses no message it accepted.

use std::time::Duration;

use tokio::io::AsyncReadExt;

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

/// This process's resident memory, in MiB.
fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib / 1024.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_silent_connections_do_not_keep_mail_out() {
    // Both ends of every connection live in this process.
    let (soft, hard) = rlimit::Resource::NOFILE.get().unwrap();
    if soft < 24_000 {
        rlimit::Resource::NOFILE.set(hard.min(24_000), hard).unwrap();
    }
    let (soft, _) = rlimit::Resource::NOFILE.get().unwrap();
    assert!(soft >= 12_000, "this test needs 12,000 open files; the limit is {soft}");
    let config = ServerConfig {
        max_connections: 1024,
        idle_timeout: Duration::from_secs(60),
        busy_idle_timeout: Duration::from_secs(1),
        ..ServerConfig::ephemeral()
    };
    let (server, client, _cache) = start_with(config).await;
    let mailbox = client.create_mailbox().await.unwrap();
    let before = resident_mib();

    // 10,000 clients connect, read the greeting and say nothing. Each
    // reports its greeting, then whether it was later shed (421) or is
    // still held open when the crowd has been thinned.
    // They come in waves of 500, each wave connected before the next.
    let address = server.smtp_addr();
    let mut crowd = Vec::with_capacity(10_000);
    for _wave in 0..20 {
        let mut connected = Vec::with_capacity(500);
        for _ in 0..500 {
            let (greeted, greeting) = tokio::sync::oneshot::channel();
            connected.push(greeting);
            crowd.push(tokio::spawn(async move {
                let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
                let mut bytes = vec![0u8; 256];
                let first = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut bytes)).await;
                let greeting = match first {
                    Ok(Ok(n)) => String::from_utf8_lossy(&bytes[..n]).get(..3).unwrap_or("").to_owned(),
                    Ok(Err(_)) => "error".to_owned(),
                    Err(_) => "none".to_owned(),
                };
                let _ = greeted.send(());
                if greeting != "220" {
                    return (greeting, "refused");
                }
                match tokio::time::timeout(Duration::from_secs(6), stream.read(&mut bytes)).await {
                    Ok(Ok(n)) if bytes[..n].starts_with(b"421") => (greeting, "shed"),
                    Ok(_) => (greeting, "closed"),
                    Err(_still_open) => (greeting, "held"),
                }
            }));
        }
        for greeting in connected {
            let _ = greeting.await;
        }
    }

    // Meanwhile the API keeps answering, and mail gets through: the crowd
    // is shed within the busy idle timeout, and the sender retries its 421s.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    assert!(client.inbox(Family::Temp, mailbox.address(), None).await.unwrap().is_empty());
    let message = lettre::Message::builder()
        .from("Shop <noreply@shop.test>".parse().unwrap())
        .to(mailbox.address().parse().unwrap())
        .subject("through the crowd")
        .body("Your code is 424242".to_owned())
        .unwrap();
    let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(address.port())
        .timeout(Some(Duration::from_secs(5)))
        .build();
    let mut attempts = 0;
    loop {
        attempts += 1;
        match lettre::AsyncTransport::send(&transport, message.clone()).await {
            Ok(_) => break,
            Err(err) if started.elapsed() < Duration::from_secs(20) => {
                let _ = err;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(err) => panic!("no way through the crowd after {attempts} attempts: {err}"),
        }
    }
    let listing = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap();
    assert_eq!(listing.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), ["through the crowd"]);
    let through = started.elapsed();
    assert!(through < Duration::from_secs(10), "delivered after {through:?}");

    let mut fates = std::collections::BTreeMap::<(String, &str), usize>::new();
    for member in crowd {
        *fates.entry(member.await.unwrap()).or_default() += 1;
    }
    let count = |greeting: &str, fate: &str| fates.get(&(greeting.to_owned(), fate)).copied().unwrap_or(0);
    let greeted = count("220", "shed") + count("220", "held") + count("220", "closed") + count("421", "refused");
    assert_eq!(greeted, 10_000, "every client was greeted, at once: {fates:?}");
    assert!(count("421", "refused") >= 8_000, "over the cap, 421 at once: {fates:?}");
    assert!(count("220", "shed") >= 400, "silent clients were shed while busy: {fates:?}");
    assert!(count("220", "held") <= 512, "shedding stops once the server is calm again: {fates:?}");
    let grown = resident_mib() - before;
    assert!(grown < 150.0, "memory grew by {grown:.0} MiB for 10,000 connections");
    eprintln!("crowd: {fates:?}; mail through after {through:?} ({attempts} attempts); memory +{grown:.0} MiB");
}

/// Sends `GET /health` on a fresh connection and returns the status line.
async fn health(server: &otpcatch_server::RunningServer) -> String {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(server.http_addr()).await.unwrap();
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crowd_of_slow_http_clients_keeps_neither_mail_nor_requests_out() {
    use tokio::io::AsyncWriteExt;
    let config = ServerConfig {
        max_http_connections: 40,
        header_read_timeout: Duration::from_millis(400),
        ..ServerConfig::ephemeral()
    };
    let (server, client, _cache) = start_with(config).await;
    let mailbox = client.create_mailbox().await.unwrap();
    // 200 clients start a request and never finish its headers.
    let mut crowd = Vec::new();
    for _ in 0..200 {
        let mut stream = tokio::net::TcpStream::connect(server.http_addr()).await.unwrap();
        stream.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
        crowd.push(stream);
    }
    // SMTP is not affected, and HTTP answers once the slow ones are cut.
    send(&server, mailbox.address(), "Your code", "code 551177", "").await;
    let answered = tokio::time::timeout(Duration::from_secs(20), health(&server)).await;
    assert_eq!(answered.expect("/health answered while the crowd stays").split(' ').nth(1), Some("200"));
    // Every slow client was disconnected: none holds a slot for ever.
    for mut stream in crowd {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "a client that never finished its headers is still connected");
    }
    let listing = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap();
    assert_eq!(listing.len(), 1);
}
