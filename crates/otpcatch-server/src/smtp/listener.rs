//! The SMTP listener: accepts connections, caps how many are served at
//! once, disconnects idle clients, and runs one [`Session`] per connection.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use super::session::{Delivery, Session, SessionSettings};
use crate::accounts::Accounts;
use crate::store::{Recipient, Store};

/// How much is read from a socket at a time.
const READ_CHUNK: usize = 64 * 1024;

/// What every connection shares.
#[derive(Debug)]
pub(crate) struct SmtpService {
    pub(crate) store: Arc<Store>,
    pub(crate) accounts: Arc<Accounts>,
    pub(crate) settings: SessionSettings,
    pub(crate) idle_timeout: Duration,
    pub(crate) session_limit: Duration,
    pub(crate) connections: Arc<Semaphore>,
}

/// Files accepted mail into the store, for the served recipients.
struct StoreDelivery<'a> {
    store: &'a Store,
    accounts: &'a Accounts,
}

impl Delivery for StoreDelivery<'_> {
    fn mailbox_for(&self, address: &str) -> Option<String> {
        self.accounts.mailbox_for_delivery(address)
    }

    fn deliver(&self, envelope_from: &str, recipients: &[Recipient], raw: &[u8]) -> Vec<String> {
        self.store.deliver(envelope_from, recipients, raw)
    }
}

/// Accepts connections until `shutdown` turns true.
pub(crate) async fn serve(listener: TcpListener, service: Arc<SmtpService>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!("SMTP accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => return,
        };
        let service = service.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let Ok(permit) = service.connections.clone().try_acquire_owned() else {
                refuse_busy(stream).await;
                return;
            };
            tokio::select! {
                () = converse(stream, &service) => {}
                _ = shutdown.changed() => {}
            }
            drop(permit);
            tracing::trace!("SMTP connection from {peer} closed");
        });
    }
}

async fn refuse_busy(mut stream: TcpStream) {
    let _ = stream.write_all(b"421 4.3.2 too many connections, try again later\r\n").await;
    let _ = stream.shutdown().await;
}

async fn converse(stream: TcpStream, service: &SmtpService) {
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let delivery = StoreDelivery { store: &service.store, accounts: &service.accounts };
    let mut session = Session::new(delivery, service.settings.clone());
    let mut out = Vec::new();
    session.greeting(&mut out);
    if writer.write_all(&out).await.is_err() {
        return;
    }
    let mut buffer = vec![0u8; READ_CHUNK];
    let ends = tokio::time::Instant::now() + service.session_limit;
    loop {
        let deadline = ends.min(tokio::time::Instant::now() + service.idle_timeout);
        let read = match tokio::time::timeout_at(deadline, reader.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return,
            Ok(Ok(n)) => n,
            Err(_) if deadline >= ends => {
                let _ = writer.write_all(b"421 4.4.2 the session lasted too long, closing the connection\r\n").await;
                return;
            }
            Err(_idle) => {
                let _ = writer.write_all(b"421 4.4.2 idle for too long, closing the connection\r\n").await;
                return;
            }
        };
        out.clear();
        session.feed(&buffer[..read], &mut out);
        if !out.is_empty() && writer.write_all(&out).await.is_err() {
            return;
        }
        if session.is_closed() {
            let _ = writer.shutdown().await;
            return;
        }
    }
}
