//! Every endpoint and every error, as the reference describes them.

use otpcatch_core::DomainKind;
use otpcatch_core::{Family, Secret};
use otpcatch_server::ServerConfig;

use crate::support::{bearer, client_for, http, send, send_message, start, start_with, with_attachment};

fn two_accounts() -> ServerConfig {
    ServerConfig {
        api_tokens: vec![Secret::new("token-a"), Secret::new("token-b")],
        users: vec![("owner@example.com".into(), Secret::new("s3cret"))],
        private_domains: vec!["mine.test".into()],
        ..ServerConfig::ephemeral()
    }
}

#[tokio::test]
async fn domains_and_accounts() {
    let (server, client, _cache) = start_with(two_accounts()).await;
    let domains = client.domains().await.unwrap();
    assert_eq!(
        domains.iter().map(|d| (d.name.as_str(), d.kind)).collect::<Vec<_>>(),
        [("otpcatch.test", DomainKind::Premium), ("mine.test", DomainKind::Private)]
    );
    assert_eq!(client.premium_domains().await.unwrap().len(), 1);
    assert_eq!(client.private_domains().await.unwrap()[0].mx_ok, Some(true));
    let account = client.create_account().await.unwrap();
    assert_eq!(account.email, format!("{}@otpcatch.test", account.local_part));
    assert_eq!(client.create_premium_account().await.unwrap().kind, DomainKind::Premium);
    let private = client.create_private_account().await.unwrap();
    assert_eq!((private.domain.as_str(), private.kind), ("mine.test", DomainKind::Private));
    drop(server);
}

#[tokio::test]
async fn a_private_account_needs_a_private_domain() {
    let (_server, client, _cache) = start().await;
    let err = client.create_private_account().await.unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert!(err.server_msg().unwrap().contains("no private domain is configured"), "{err}");
}

#[tokio::test]
async fn inbox_message_and_delete() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    send(&server, mailbox.address(), "Your code", "code 123456", "<p>code <b>123456</b></p>").await;
    let listing = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap();
    assert_eq!(listing.len(), 1);
    let summary = &listing[0];
    assert_eq!((summary.subject.as_str(), summary.from.as_str()), ("Your code", "Shop <noreply@shop.test>"));
    assert_eq!(summary.to, mailbox.address());
    assert_eq!(summary.expires_at - summary.time, 4 * 3600, "retention defaults to 4 h");
    assert_eq!(summary.id.len(), 32);
    assert!(client.inbox(Family::Temp, mailbox.address(), Some(summary.time)).await.unwrap().is_empty());
    assert_eq!(client.inbox(Family::Temp, mailbox.address(), Some(summary.time - 1)).await.unwrap().len(), 1);

    let message = client.message(Family::Temp, &summary.id).await.unwrap();
    assert_eq!(message.text.trim_end(), "code 123456");
    assert_eq!(message.html, "<p>code <b>123456</b></p>");
    assert_eq!(message.recipients, [mailbox.address()]);

    client.delete_message(Family::Temp, &summary.id).await.unwrap();
    assert!(client.inbox(Family::Temp, mailbox.address(), None).await.unwrap().is_empty());
    assert!(client.message(Family::Temp, &summary.id).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn attachments_are_listed_not_decoded() {
    let (server, client, _cache) = start().await;
    let mailbox = client.create_mailbox().await.unwrap();
    send_message(&server, with_attachment(mailbox.address())).await;
    let id = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap().remove(0).id;
    let message = client.message(Family::Temp, &id).await.unwrap();
    assert_eq!(message.attachments.len(), 1);
    assert_eq!(message.attachments[0].filename, "receipt.pdf");
    assert_eq!(message.attachments[0].content_type, "application/pdf");
    assert!(!message.text.contains("PDF-1.4"));
}

#[tokio::test]
async fn errors_have_the_reference_codes_and_a_useful_msg() {
    let (server, _client, _cache) = start_with(two_accounts()).await;
    let bearer = bearer(&server, "token-a").await;
    let b = Some(bearer.as_str());

    // 400: a missing field, or no body at all.
    let (status, body) = http(&server, "POST", "/inbox", b, Some("{}")).await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(400)), "{body}");
    assert!(body["msg"].as_str().unwrap().contains("missing field `email`"), "{body}");
    assert_eq!(body["status"], false);
    let (status, _) = http(&server, "POST", "/inbox/message", b, None).await;
    assert_eq!(status, 400);
    let (status, _) = http(&server, "POST", "/token", None, Some(r#"{"nope":1}"#)).await;
    assert_eq!(status, 400);

    // 401: no Bearer, a bad one, a bad token or password.
    let (status, body) = http(&server, "GET", "/domains", None, None).await;
    assert_eq!(status, 401);
    assert!(body["msg"].as_str().unwrap().contains("missing Bearer"), "{body}");
    assert_eq!(http(&server, "GET", "/domains", Some("forged"), None).await.0, 401);
    assert_eq!(http(&server, "POST", "/token", None, Some(r#"{"token":"wrong"}"#)).await.0, 401);
    let login = r#"{"address":"owner@example.com","password":"wrong"}"#;
    assert_eq!(http(&server, "POST", "/auth", None, Some(login)).await.0, 401);
    let login = r#"{"address":"owner@example.com","password":"s3cret"}"#;
    let (status, body) = http(&server, "POST", "/auth", None, Some(login)).await;
    assert_eq!(status, 200);
    assert!(body["data"]["expireTime"].as_i64().unwrap() > 0);

    // 404: an unknown message, an unknown path.
    let (status, body) = http(&server, "POST", "/inbox/message", b, Some(r#"{"messageId":"nope"}"#)).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(http(&server, "GET", "/no/such/path", b, None).await.0, 404);

    // 405: a wrong method on a known path, with the envelope.
    let (status, body) = http(&server, "GET", "/token", None, None).await;
    assert_eq!((status, body["code"].as_u64()), (405, Some(405)), "{body}");
    assert_eq!(http(&server, "POST", "/domains", b, None).await.0, 405);

    // 422: a malformed address, an unserved domain.
    let (status, body) = http(&server, "POST", "/inbox", b, Some(r#"{"email":"not an address"}"#)).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = http(&server, "POST", "/inbox", b, Some(r#"{"email":"a@elsewhere.test"}"#)).await;
    assert_eq!(status, 422);
    assert!(body["msg"].as_str().unwrap().contains("not on a domain this server serves"), "{body}");

    // 422 also for a value of the wrong kind or range; 400 for a body that
    // is not an object.
    for (path, wrong) in [
        ("/inbox", r#"{"email":"a@otpcatch.test","time":"abc"}"#),
        ("/inbox/message", r#"{"messageId":123}"#),
        ("/gmail/purchase", r#"{"number":-1}"#),
        ("/gmail", r#"{"page":-5,"limit":10}"#),
    ] {
        let (status, body) = http(&server, "POST", path, b, Some(wrong)).await;
        assert_eq!(status, 422, "{path} {wrong}: {body}");
    }
    let (status, body) = http(&server, "POST", "/inbox/message", b, Some(r#"["an-id"]"#)).await;
    assert_eq!(status, 400, "{body}");
    // An empty time lists all time, as the reference says.
    let (status, body) = http(&server, "POST", "/inbox", b, Some(r#"{"email":"a@otpcatch.test","time":""}"#)).await;
    assert_ne!(status, 422, "{body}");

    // What a request sent is not echoed back whole.
    let huge = format!(r#"{{"email":"{}@elsewhere.test"}}"#, "x".repeat(1_000_000));
    let (status, body) = http(&server, "POST", "/inbox", b, Some(&huge)).await;
    assert_eq!(status, 422);
    assert!(body["msg"].as_str().unwrap().chars().count() <= 301, "the msg is cut");
    // 413: a body over the limit.
    let oversized = format!(r#"{{"email":"{}"}}"#, "x".repeat(3 << 20));
    assert_eq!(http(&server, "POST", "/inbox", b, Some(&oversized)).await.0, 413);
}

#[tokio::test]
async fn more_than_qps_requests_a_second_get_429() {
    let config = ServerConfig { qps: 5, ..ServerConfig::ephemeral() };
    let server = otpcatch_server::Server::start(config).await.unwrap();
    let bearer = bearer(&server, server.token().unwrap().expose()).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(http(&server, "GET", "/domains", Some(&bearer), None).await.0);
    }
    assert_eq!(statuses.iter().filter(|&&s| s == 200).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|&&s| s == 429).count(), 3, "{statuses:?}");
    let response =
        reqwest::Client::new().get(format!("{}/domains", server.api_url())).bearer_auth(&bearer).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn credential_exchanges_are_rate_limited_too() {
    // A guesser trying tokens or passwords gets 429 like any other caller.
    let config = ServerConfig { qps: 5, ..ServerConfig::ephemeral() };
    let server = otpcatch_server::Server::start(config).await.unwrap();
    let mut statuses = Vec::new();
    for i in 0..8 {
        let (path, body) = if i % 2 == 0 {
            ("/token", serde_json::json!({ "token": format!("guess-{i}") }))
        } else {
            ("/auth", serde_json::json!({ "address": "a@otpcatch.test", "password": format!("guess-{i}") }))
        };
        statuses.push(http(&server, "POST", path, None, Some(&body.to_string())).await.0);
    }
    assert_eq!(statuses.iter().filter(|&&s| s == 401).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|&&s| s == 429).count(), 3, "{statuses:?}");
}

#[tokio::test]
async fn accounts_cannot_read_each_others_mail() {
    let (server, alice, cache) = start_with(two_accounts()).await;
    let bob = client_for(&server, "token-b", cache.path());
    let mailbox = alice.create_mailbox().await.unwrap();
    send(&server, mailbox.address(), "for alice", "t", "<p>h</p>").await;
    let id = alice.inbox(Family::Temp, mailbox.address(), None).await.unwrap().remove(0).id;

    let listing = bob.inbox(Family::Temp, mailbox.address(), None).await.unwrap_err();
    assert!(listing.is_not_found(), "{listing}");
    assert!(bob.message(Family::Temp, &id).await.unwrap_err().is_not_found());
    assert!(bob.delete_message(Family::Temp, &id).await.unwrap_err().is_not_found());
    assert_eq!(alice.message(Family::Temp, &id).await.unwrap().subject, "for alice", "still there");
    // An address nobody created is nobody's without --catch-all.
    send(&server, "stranger@otpcatch.test", "x", "t", "<p>h</p>").await;
    assert!(alice.inbox(Family::Temp, "stranger@otpcatch.test", None).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn catch_all_lets_any_account_read_uncreated_addresses() {
    let config = ServerConfig { catch_all: true, ..two_accounts() };
    let (server, alice, cache) = start_with(config).await;
    let bob = client_for(&server, "token-b", cache.path());
    send(&server, "anything@otpcatch.test", "hello", "t", "<p>h</p>").await;
    assert_eq!(alice.inbox(Family::Temp, "anything@otpcatch.test", None).await.unwrap().len(), 1);
    assert_eq!(bob.inbox(Family::Temp, "Anything@OTPCATCH.test", None).await.unwrap().len(), 1);
    let mine = alice.create_mailbox().await.unwrap();
    assert!(
        bob.inbox(Family::Temp, mine.address(), None).await.unwrap_err().is_not_found(),
        "created ones stay private"
    );
}

#[tokio::test]
async fn eviction_keeps_the_newest_messages() {
    let config = ServerConfig { max_messages: 3, ..ServerConfig::ephemeral() };
    let (server, client, _cache) = start_with(config).await;
    let mailbox = client.create_mailbox().await.unwrap();
    for i in 0..5 {
        send(&server, mailbox.address(), &format!("message {i}"), "t", "<p>h</p>").await;
    }
    let subjects: Vec<String> =
        client.inbox(Family::Temp, mailbox.address(), None).await.unwrap().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects, ["message 2", "message 3", "message 4"]);
}

#[tokio::test]
async fn health_needs_no_bearer() {
    let (server, _client, _cache) = start().await;
    let body: serde_json::Value =
        reqwest::get(format!("http://{}/health", server.http_addr())).await.unwrap().json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(http(&server, "GET", "/health", None, None).await.0, 200);
}
