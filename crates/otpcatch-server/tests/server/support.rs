//! Starting servers, sending mail and talking raw HTTP and SMTP.

use std::time::Duration;

use lettre::message::{Mailbox as Addressee, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use otpcatch_core::Client;
use otpcatch_server::{RunningServer, Server, ServerConfig};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A server with the default settings on free ports, and a client for it.
pub(crate) async fn start() -> (RunningServer, Client, tempfile::TempDir) {
    start_with(ServerConfig::ephemeral()).await
}

/// A server with `config`, and a client using its (first) API token.
pub(crate) async fn start_with(config: ServerConfig) -> (RunningServer, Client, tempfile::TempDir) {
    let token = config.api_tokens.first().cloned();
    let server = Server::start(config).await.unwrap();
    let token = token.or_else(|| server.token().cloned()).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let client = client_for(&server, token.expose(), cache.path());
    (server, client, cache)
}

pub(crate) fn client_for(server: &RunningServer, token: &str, cache: &std::path::Path) -> Client {
    Client::builder()
        .base_url(server.api_url())
        .api_token(token)
        .cache_dir(cache)
        .backoff(Duration::from_millis(10), Duration::from_millis(100))
        .build()
        .unwrap()
}

/// Sends a multipart/alternative message over SMTP with lettre.
pub(crate) async fn send(server: &RunningServer, to: &str, subject: &str, text: &str, html: &str) {
    let message = Message::builder()
        .from("Shop <noreply@shop.test>".parse::<Addressee>().unwrap())
        .to(to.parse::<Addressee>().unwrap())
        .subject(subject)
        .multipart(MultiPart::alternative_plain_html(text.to_owned(), html.to_owned()))
        .unwrap();
    send_message(server, message).await;
}

pub(crate) async fn send_message(server: &RunningServer, message: Message) {
    let transport =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1").port(server.smtp_addr().port()).build();
    transport.send(message).await.unwrap();
}

/// A message with a PDF attachment, for the attachment listing.
pub(crate) fn with_attachment(to: &str) -> Message {
    Message::builder()
        .from("Shop <noreply@shop.test>".parse::<Addressee>().unwrap())
        .to(to.parse::<Addressee>().unwrap())
        .subject("Your receipt")
        .multipart(
            MultiPart::mixed().singlepart(SinglePart::plain("See attached.".to_owned())).singlepart(
                lettre::message::Attachment::new("receipt.pdf".to_owned())
                    .body(b"%PDF-1.4 fake".to_vec(), ContentType::parse("application/pdf").unwrap()),
            ),
        )
        .unwrap()
}

/// A raw HTTP call: (status, JSON body).
pub(crate) async fn http(
    server: &RunningServer,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&str>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", server.api_url());
    let mut request = client.request(method.parse().unwrap(), url);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A Bearer for `token`, from `POST /token`.
pub(crate) async fn bearer(server: &RunningServer, token: &str) -> String {
    let (status, body) = http(server, "POST", "/token", None, Some(&format!(r#"{{"token":"{token}"}}"#))).await;
    assert_eq!(status, 200, "{body}");
    body["data"]["Bearer"].as_str().unwrap().to_owned()
}

/// A raw SMTP connection that reads whole replies.
pub(crate) struct Smtp {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Smtp {
    pub(crate) async fn connect(server: &RunningServer) -> (Self, String) {
        let stream = TcpStream::connect(server.smtp_addr()).await.unwrap();
        let (reader, writer) = stream.into_split();
        let mut smtp = Self { reader: BufReader::new(reader), writer };
        let greeting = smtp.reply().await;
        (smtp, greeting)
    }

    /// One whole reply (all its lines); empty when the server hung up.
    pub(crate) async fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return reply;
            }
            reply.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return reply;
            }
        }
    }

    pub(crate) async fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.unwrap();
    }

    /// Sends bytes; `false` if the server has closed the connection.
    pub(crate) async fn try_send(&mut self, bytes: &[u8]) -> bool {
        self.writer.write_all(bytes).await.is_ok()
    }

    /// Sends one command and returns the reply's code.
    pub(crate) async fn command(&mut self, line: &str) -> u16 {
        self.send(format!("{line}\r\n").as_bytes()).await;
        code(&self.reply().await)
    }
}

pub(crate) fn code(reply: &str) -> u16 {
    reply.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0)
}
