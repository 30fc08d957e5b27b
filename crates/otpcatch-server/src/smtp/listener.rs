//! The SMTP listener: accepts connections, caps how many are served at
//! once, disconnects idle clients, and runs one [`Session`] per connection.
//!
//! A crowd of connections that say nothing (slowloris, or a leaking
//! client pool) would hold every slot for the idle timeout. So when more
//! than three quarters of the slots are taken the server counts as busy,
//! and silent clients are then disconnected after the shorter busy idle
//! timeout: a client with mail to send retries its 421 and gets in.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use super::session::{Delivery, Refusal, Session, SessionSettings};
use crate::accounts::Accounts;
use crate::store::{Recipient, Staged, Store};

/// How much is read from a socket at a time: a connection starts with the
/// small buffer, enough for commands, and grows it while data streams in.
const FIRST_READ_BUFFER: usize = 4 * 1024;
const MAX_READ_BUFFER: usize = 64 * 1024;

/// How many connections are being served, against the cap.
#[derive(Debug)]
pub(crate) struct Load {
    slots: Arc<Semaphore>,
    cap: usize,
    /// Whether over three quarters of the slots are taken.
    busy: watch::Sender<bool>,
}

impl Load {
    pub(crate) fn new(max_connections: usize) -> Self {
        let cap = max_connections.max(1);
        Self { slots: Arc::new(Semaphore::new(cap)), cap, busy: watch::Sender::new(false) }
    }

    /// Re-reads how many slots are taken: busy above three quarters, calm
    /// again below half, so the state does not flap at the edge.
    fn update(&self) {
        let taken = self.cap - self.slots.available_permits();
        let busy = *self.busy.borrow();
        if !busy && taken * 4 > self.cap * 3 {
            tracing::info!("SMTP is busy ({taken} of {} connections): silent clients will be shed", self.cap);
            self.busy.send_replace(true);
        } else if busy && taken * 2 < self.cap {
            self.busy.send_replace(false);
        }
    }
}

/// What every connection shares.
#[derive(Debug)]
pub(crate) struct SmtpService {
    pub(crate) store: Arc<Store>,
    pub(crate) accounts: Arc<Accounts>,
    pub(crate) settings: SessionSettings,
    pub(crate) idle_timeout: Duration,
    pub(crate) busy_idle_timeout: Duration,
    pub(crate) session_limit: Duration,
    pub(crate) load: Load,
}

/// Files accepted mail into the store, for the served recipients.
struct StoreDelivery<'a> {
    store: &'a Store,
    accounts: &'a Accounts,
}

impl Delivery for StoreDelivery<'_> {
    type Pending = Staged;

    fn mailbox_for(&self, address: &str) -> Result<String, Refusal> {
        self.accounts.mailbox_for_delivery(address)
    }

    fn deliver(&self, envelope_from: &str, recipients: &[Recipient], raw: &[u8]) -> Staged {
        self.store.stage(envelope_from, recipients, raw)
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
            let Ok(permit) = service.load.slots.clone().try_acquire_owned() else {
                refuse_busy(stream).await;
                return;
            };
            service.load.update();
            tokio::select! {
                () = converse(stream, &service) => {}
                _ = shutdown.changed() => {}
            }
            drop(permit);
            service.load.update();
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
    let mut buffer = vec![0u8; FIRST_READ_BUFFER];
    let mut busy = service.load.busy.subscribe();
    let ends = tokio::time::Instant::now() + service.session_limit;
    let mut last_heard = tokio::time::Instant::now();
    loop {
        let idle_timeout = if *busy.borrow_and_update() { service.busy_idle_timeout } else { service.idle_timeout };
        let deadline = ends.min(last_heard + idle_timeout);
        let read = tokio::select! {
            read = reader.read(&mut buffer) => read,
            () = tokio::time::sleep_until(deadline) => {
                let why: &[u8] = if deadline >= ends {
                    b"421 4.4.2 the session lasted too long, closing the connection\r\n"
                } else {
                    b"421 4.4.2 idle for too long, closing the connection\r\n"
                };
                let _ = writer.write_all(why).await;
                return;
            }
            // The server became busy or calm: recompute the deadline.
            Ok(()) = busy.changed() => continue,
        };
        let read = match read {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        last_heard = tokio::time::Instant::now();
        if read == buffer.len() && buffer.len() < MAX_READ_BUFFER {
            buffer.resize(buffer.len() * 2, 0);
        }
        out.clear();
        session.feed(&buffer[..read], &mut out);
        // A message is acknowledged once the store has it (on disk, with
        // `--data`), and what the client pipelined after it waits until then.
        while let Some(staged) = session.take_pending() {
            let stored = service.store.finish(staged).await.map(|ids| ids.into_iter().next().unwrap_or_default());
            session.resume(stored, &mut out);
        }
        if !out.is_empty() && writer.write_all(&out).await.is_err() {
            return;
        }
        if session.is_closed() {
            let _ = writer.shutdown().await;
            return;
        }
    }
}
