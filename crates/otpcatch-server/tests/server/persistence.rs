//! `--data`: messages, addresses and the generated token survive a restart.

use otpcatch_core::Family;
use otpcatch_server::{Server, ServerConfig};

use crate::support::{client_for, send};

#[tokio::test]
async fn a_restart_with_data_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig { data: Some(dir.path().join("otpcatch.db")), ..ServerConfig::ephemeral() };

    let server = Server::start(config.clone()).await.unwrap();
    let token = server.token().unwrap().clone();
    let client = client_for(&server, token.expose(), dir.path());
    let mailbox = client.create_mailbox().await.unwrap();
    send(&server, mailbox.address(), "before the restart", "code 111222", "<p>111222</p>").await;
    let gmail = client.gmail().purchase(1).await.unwrap().items.remove(0);
    server.shutdown().await;

    let server = Server::start(config).await.unwrap();
    assert_eq!(server.token().unwrap().expose(), token.expose(), "the generated token is remembered");
    let cache = tempfile::tempdir().unwrap();
    let client = client_for(&server, token.expose(), cache.path());
    let listing = client.inbox(Family::Temp, mailbox.address(), None).await.unwrap();
    assert_eq!(listing.len(), 1, "the address is still this account's, with its mail");
    let message = client.message(Family::Temp, &listing[0].id).await.unwrap();
    assert_eq!((message.subject.as_str(), message.html.as_str()), ("before the restart", "<p>111222</p>"));
    assert_eq!(client.gmail().list(1, 20).await.unwrap().items, [gmail]);
    server.shutdown().await;
}

#[tokio::test]
async fn an_unusable_data_path_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig { data: Some(dir.path().join("missing/dir/otpcatch.db")), ..ServerConfig::ephemeral() };
    let err = Server::start(config).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("otpcatch.db") && text.contains("hint:"), "{text}");
}
