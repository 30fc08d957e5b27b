//! The web inbox's page and data: what a browser may load, and that an
//! account sees only its own mail.

use otpcatch_core::Secret;
use otpcatch_server::{Explainer, RunningServer, ServerConfig};
use serde_json::{Value, json};

use crate::support::{bearer, send, send_message, start_with, with_attachment};

fn two_accounts() -> ServerConfig {
    ServerConfig {
        api_tokens: vec![Secret::new("token-a"), Secret::new("token-b")],
        explainer: Some(Explainer::new(|raw| json!({ "rawBytes": raw.len() }))),
        ..ServerConfig::ephemeral()
    }
}

/// A request to the inbox (paths from the server's root): status, headers, body.
async fn ui(
    server: &RunningServer,
    method: &str,
    path: &str,
    bearer: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let url = format!("{}{}", server.inbox_url(), path.trim_start_matches('/'));
    let mut request = reqwest::Client::new().request(method.parse().unwrap(), url);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// As [`ui`], the body read as the API's envelope.
async fn ui_json(server: &RunningServer, method: &str, path: &str, bearer: &str) -> (u16, Value) {
    let (status, _, body) = ui(server, method, path, Some(bearer)).await;
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn the_page_may_load_nothing_but_this_server() {
    let (server, _client, _cache) = start_with(two_accounts()).await;
    for (path, kind) in [("/", "text/html"), ("/ui/app.js", "text/javascript"), ("/ui/app.css", "text/css")] {
        let (status, headers, _) = ui(&server, "GET", path, None).await;
        assert_eq!(status, 200, "{path}");
        assert!(headers["content-type"].to_str().unwrap().starts_with(kind), "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'none'",
            "script-src 'self';",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy} lacks {directive}");
        }
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn data_needs_a_bearer_and_shows_only_the_callers_mail() {
    let (server, alice, cache) = start_with(two_accounts()).await;
    let bob = crate::support::client_for(&server, "token-b", cache.path());
    let (hers, his) = (alice.create_mailbox().await.unwrap(), bob.create_mailbox().await.unwrap());
    send(&server, hers.address(), "for alice", "code 111111", "<p>code 111111</p>").await;
    send(&server, his.address(), "for bob", "code 222222", "<p>code 222222</p>").await;
    send(&server, "nobody@otpcatch.test", "for nobody", "t", "<p>t</p>").await;
    let alice_bearer = bearer(&server, "token-a").await;
    let bob_bearer = bearer(&server, "token-b").await;

    assert_eq!(ui(&server, "GET", "/ui/api/mailboxes", None).await.0, 401);
    let (_, listed) = ui_json(&server, "GET", "/ui/api/mailboxes", &alice_bearer).await;
    assert_eq!(
        listed["data"]["mailboxes"],
        json!([{ "address": hers.address(), "count": 1, "latestMs": listed["data"]["mailboxes"][0]["latestMs"] }])
    );
    let (_, all) = ui_json(&server, "GET", "/ui/api/messages", &alice_bearer).await;
    let subjects: Vec<&str> =
        all["data"]["messages"].as_array().unwrap().iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["for alice"]);

    let (_, bobs) = ui_json(&server, "GET", "/ui/api/messages", &bob_bearer).await;
    let his_id = bobs["data"]["messages"][0]["id"].as_str().unwrap().to_owned();
    for (method, path) in [
        ("GET", format!("/ui/api/messages/{his_id}")),
        ("GET", format!("/ui/api/messages/{his_id}/raw")),
        ("GET", format!("/ui/api/messages/{his_id}/attachments/0")),
        ("DELETE", format!("/ui/api/messages/{his_id}")),
        ("DELETE", format!("/ui/api/mailboxes/{}", his.address())),
        ("GET", format!("/ui/api/messages?mailbox={}", his.address())),
    ] {
        let (status, body) = ui_json(&server, method, &path, &alice_bearer).await;
        let empty_page = body["data"]["messages"].as_array().is_some_and(Vec::is_empty);
        assert!(status == 404 || empty_page, "{method} {path} as alice: {status} {body}");
    }
    assert_eq!(bob.message(otpcatch_core::Family::Temp, &his_id).await.unwrap().subject, "for bob", "still there");
}

#[tokio::test]
async fn pages_are_newest_first_with_a_cursor_and_a_search() {
    let (server, alice, _cache) = start_with(two_accounts()).await;
    let mailbox = alice.create_mailbox().await.unwrap();
    for i in 0..5 {
        send(&server, mailbox.address(), &format!("message {i}"), "t", "<p>t</p>").await;
    }
    let alice_bearer = bearer(&server, "token-a").await;
    let page = |query: String| {
        let (server, bearer) = (&server, &alice_bearer);
        async move {
            let (_, body) = ui_json(server, "GET", &format!("/ui/api/messages?{query}"), bearer).await;
            let subjects: Vec<String> = body["data"]["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["subject"].as_str().unwrap().to_owned())
                .collect();
            let last =
                body["data"]["messages"].as_array().unwrap().last().map(|m| m["id"].as_str().unwrap().to_owned());
            (subjects, body["data"]["more"].as_bool().unwrap(), last)
        }
    };
    let (first, more, last) = page(format!("mailbox={}&limit=2", mailbox.address())).await;
    assert_eq!((first, more), (vec!["message 4".to_owned(), "message 3".to_owned()], true));
    let (second, _, _) = page(format!("mailbox={}&limit=2&before={}", mailbox.address(), last.unwrap())).await;
    assert_eq!(second, ["message 2", "message 1"]);
    let (found, more, _) = page("q=MESSAGE%203".to_owned()).await;
    assert_eq!((found, more), (vec!["message 3".to_owned()], false));
}

#[tokio::test]
async fn a_message_comes_with_headers_attachments_its_source_and_the_explanation() {
    let (server, alice, _cache) = start_with(two_accounts()).await;
    let mailbox = alice.create_mailbox().await.unwrap();
    send_message(&server, with_attachment(mailbox.address())).await;
    let alice_bearer = bearer(&server, "token-a").await;
    let (_, page) = ui_json(&server, "GET", "/ui/api/messages", &alice_bearer).await;
    let id = page["data"]["messages"][0]["id"].as_str().unwrap().to_owned();

    let (status, shown) = ui_json(&server, "GET", &format!("/ui/api/messages/{id}"), &alice_bearer).await;
    assert_eq!(status, 200);
    let shown = &shown["data"];
    assert!(
        shown["headers"].as_array().unwrap().iter().any(|h| h[0] == "Subject" && h[1] == "Your receipt"),
        "{shown}"
    );
    assert_eq!(shown["attachments"][0]["filename"], "receipt.pdf");
    let (status, headers, raw) = ui(&server, "GET", &format!("/ui/api/messages/{id}/raw"), Some(&alice_bearer)).await;
    assert_eq!(status, 200);
    assert_eq!(page["data"]["messages"][0]["size"], raw.len(), "the listing gives the raw size");
    assert_eq!(headers["content-disposition"], format!("attachment; filename=\"{id}.eml\"").as_str());
    assert_eq!(shown["extraction"], json!({ "rawBytes": raw.len() }), "the explainer saw the raw source");
    let (status, headers, bytes) =
        ui(&server, "GET", &format!("/ui/api/messages/{id}/attachments/0"), Some(&alice_bearer)).await;
    assert_eq!((status, headers["content-type"].to_str().unwrap()), (200, "application/octet-stream"));
    assert_eq!(bytes.len() as u64, shown["attachments"][0]["size"].as_u64().unwrap());
    assert_eq!(ui(&server, "GET", &format!("/ui/api/messages/{id}/attachments/1"), Some(&alice_bearer)).await.0, 404);
}

#[tokio::test]
async fn deletion_takes_a_message_or_a_whole_mailbox() {
    let (server, alice, _cache) = start_with(two_accounts()).await;
    let mailbox = alice.create_mailbox().await.unwrap();
    for i in 0..3 {
        send(&server, mailbox.address(), &format!("message {i}"), "t", "<p>t</p>").await;
    }
    let alice_bearer = bearer(&server, "token-a").await;
    let (_, page) = ui_json(&server, "GET", "/ui/api/messages", &alice_bearer).await;
    let id = page["data"]["messages"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(ui_json(&server, "DELETE", &format!("/ui/api/messages/{id}"), &alice_bearer).await.0, 200);
    assert_eq!(ui_json(&server, "GET", &format!("/ui/api/messages/{id}"), &alice_bearer).await.0, 404);
    let (_, deleted) =
        ui_json(&server, "DELETE", &format!("/ui/api/mailboxes/{}", mailbox.address()), &alice_bearer).await;
    assert_eq!(deleted["data"]["deleted"], 2);
    assert!(alice.inbox(otpcatch_core::Family::Temp, mailbox.address(), None).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_event_stream_tells_the_caller_of_its_own_arrivals_and_deletions_only() {
    use futures_util::StreamExt;
    let (server, alice, cache) = start_with(two_accounts()).await;
    let bob = crate::support::client_for(&server, "token-b", cache.path());
    let (hers, his) = (alice.create_mailbox().await.unwrap(), bob.create_mailbox().await.unwrap());
    let alice_bearer = bearer(&server, "token-a").await;
    let response = reqwest::Client::new()
        .get(format!("{}ui/api/events", server.inbox_url()))
        .bearer_auth(&alice_bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = response.bytes_stream();
    let mut seen = String::from_utf8(stream.next().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(seen.starts_with(": ready"), "{seen}");
    send(&server, his.address(), "for bob", "t", "<p>t</p>").await;
    send(&server, hers.address(), "for alice", "t", "<p>t</p>").await;
    let (_, page) = ui_json(&server, "GET", "/ui/api/messages", &alice_bearer).await;
    let id = page["data"]["messages"][0]["id"].as_str().unwrap().to_owned();
    ui_json(&server, "DELETE", &format!("/ui/api/messages/{id}"), &alice_bearer).await;
    while !seen.contains("event: deleted") {
        let chunk =
            tokio::time::timeout(std::time::Duration::from_secs(10), stream.next()).await.unwrap().unwrap().unwrap();
        seen.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    assert!(seen.contains("event: arrival") && seen.contains("for alice"), "{seen}");
    assert!(seen.contains(&format!("\"id\":\"{id}\"")), "{seen}");
    assert!(!seen.contains("for bob"), "another account's mail leaked: {seen}");
}
