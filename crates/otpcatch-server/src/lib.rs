//! # otpcatch-server
//!
//! otpcatch's local server: an SMTP receiver whose messages are read back
//! through a 22.do-compatible HTTP API, so a site under test sends real mail
//! and the same client that reads 22.do reads it, offline.
//!
//! # Brief overview
//!
//! [`Server::start`] takes a [`ServerConfig`] and returns a
//! [`RunningServer`] with the addresses it listens on. Mail to any address
//! on the served domains (and to bought Gmail and Microsoft ids) is stored;
//! anything else is refused with 550, so the server is never a relay.
//!
//! ```no_run
//! use otpcatch_server::{Server, ServerConfig};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Server::start(ServerConfig::ephemeral()).await?;
//! // otpcatch-core's client reads it as it reads 22.do:
//! let client = otpcatch_core::Client::builder()
//!     .base_url(server.api_url())
//!     .api_token(server.token().expect("a token is generated when none is configured").clone())
//!     .build()?;
//! let mailbox = client.create_mailbox().await?;
//! // Send mail to mailbox.address() over SMTP at server.smtp_addr() …
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Beyond 22.do, the API offers a push stream of arrivals per address
//! (otpcatch-wire's `push` extension, which otpcatch-core's wait uses by
//! itself), `GET /health`, and attachments listed in the message detail.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod accounts;
mod addresses;
mod api;
mod config;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod ingest;
mod smtp;
mod store;
mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use otpcatch_wire::Secret;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::ServerConfig;
pub use error::{Listener, ServerError};
pub use web::Explainer;

use accounts::{AccountSettings, Accounts};
use smtp::listener::SmtpService;
use smtp::session::SessionSettings;
use store::{Database, Limits, Store};

/// How often expired messages are dropped.
const PURGE_INTERVAL: Duration = Duration::from_secs(5);

/// The metadata key under which a generated API token survives restarts.
const GENERATED_TOKEN_KEY: &str = "generated-api-token";

/// The local server.
#[derive(Debug)]
pub struct Server;

/// A started server. Dropping it stops it; [`RunningServer::shutdown`]
/// stops it and waits until it has.
#[derive(Debug)]
pub struct RunningServer {
    http_addr: SocketAddr,
    smtp_addr: SocketAddr,
    token: Option<Secret>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    store: Arc<Store>,
    database: Option<Arc<Database>>,
}

impl Server {
    /// Binds both listeners and starts serving.
    pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
        config.validate().map_err(ServerError::Config)?;
        if config.is_exposed() {
            tracing::warn!(
                "listening beyond the loopback interface: anyone who can reach this machine can read its mail"
            );
        }
        let database = match &config.data {
            Some(path) => Some(Arc::new(Database::open(path)?)),
            None => None,
        };
        let mut tokens = config.api_tokens.clone();
        let mut generated = None;
        if tokens.is_empty() && config.users.is_empty() {
            let token = generated_token(database.as_deref())?;
            tokens.push(token.clone());
            generated = Some(token);
        }
        let accounts = Arc::new(Accounts::new(
            AccountSettings {
                tokens,
                users: config.users.clone(),
                premium_domains: config.domains.clone(),
                private_domains: config.private_domains.clone(),
                catch_all: config.catch_all,
                bearer_lifetime: config.bearer_lifetime,
                qps: config.qps,
                balance: config.balance,
                price: config.price,
            },
            database.clone(),
        ));
        if let Some(database) = &database {
            accounts.restore(database.load_owners()?);
        }
        let limits = Limits {
            retention: config.retention,
            max_messages: config.max_messages,
            max_bytes: config.max_store_bytes,
        };
        let store = Arc::new(Store::open(limits, database.clone())?);

        let bind =
            |listener, address| listen(address).map_err(|source| ServerError::Bind { listener, address, source });
        let http = bind(Listener::Http, config.http)?;
        let smtp = bind(Listener::Smtp, config.smtp)?;
        let local = |listener: &TcpListener| {
            listener
                .local_addr()
                .map_err(|source| ServerError::Io { what: "read the listening address".into(), source })
        };
        let (http_addr, smtp_addr) = (local(&http)?, local(&smtp)?);

        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        let router = api::router(api::ApiState {
            store: store.clone(),
            accounts: accounts.clone(),
            push: config.push,
            explainer: config.explainer.clone(),
        });
        let http_limits = http::HttpLimits {
            max_connections: http::connection_cap(
                config.max_http_connections,
                config.max_connections,
                http::open_file_limit(),
            ),
            header_read_timeout: config.header_read_timeout,
        };
        if http_limits.max_connections < config.max_http_connections {
            tracing::info!(
                "serving at most {} HTTP connections at once, so that SMTP keeps {} under the open-file limit",
                http_limits.max_connections,
                config.max_connections
            );
        }
        tasks.push(tokio::spawn(http::serve(http, router, http_limits, stopped.clone())));
        let service = Arc::new(SmtpService {
            store: store.clone(),
            accounts,
            settings: SessionSettings {
                hostname: config.hostname.as_str().into(),
                max_message_size: config.max_message_size,
            },
            idle_timeout: config.idle_timeout,
            busy_idle_timeout: config.busy_idle_timeout.min(config.idle_timeout),
            session_limit: config.session_limit,
            load: smtp::listener::Load::new(config.max_connections),
        });
        tasks.push(tokio::spawn(smtp::listener::serve(smtp, service, stopped.clone())));
        let purging = store.clone();
        let mut purge_stop = stopped;
        tasks.push(tokio::spawn(async move {
            let mut interval = tokio::time::interval(PURGE_INTERVAL);
            loop {
                tokio::select! {
                    _ = interval.tick() => purging.purge_expired(),
                    _ = purge_stop.changed() => return,
                }
            }
        }));
        Ok(RunningServer { http_addr, smtp_addr, token: generated, stop, tasks, store, database })
    }
}

/// The generated API token: the one a `--data` file remembers, or a new one.
fn generated_token(database: Option<&Database>) -> Result<Secret, ServerError> {
    if let Some(database) = database
        && let Some(token) = database.meta(GENERATED_TOKEN_KEY)?
    {
        return Ok(Secret::new(token));
    }
    let token = format!("{:032x}", rand::random::<u128>());
    if let Some(database) = database {
        database.set_meta(GENERATED_TOKEN_KEY, &token);
    }
    Ok(Secret::new(token))
}

impl RunningServer {
    /// The address the HTTP API listens on.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// The address the SMTP receiver listens on.
    pub fn smtp_addr(&self) -> SocketAddr {
        self.smtp_addr
    }

    /// The API's base URL, for `OTPCATCH_API_URL` or `ClientBuilder::base_url`.
    pub fn api_url(&self) -> String {
        format!("http://{}/api/v2", self.http_addr)
    }

    /// The web inbox's address.
    pub fn inbox_url(&self) -> String {
        format!("http://{}/", self.http_addr)
    }

    /// The API token the server generated because none was configured.
    pub fn token(&self) -> Option<&Secret> {
        self.token.as_ref()
    }

    /// How many messages are stored.
    pub fn message_count(&self) -> usize {
        self.store.len()
    }

    /// Stops accepting, lets open requests finish, and waits for it all.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
        if let Some(database) = &self.database {
            database.flush();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// How many connections may wait to be accepted. A crowd of clients
/// connecting at once must queue here rather than be dropped by the kernel
/// and retried seconds later (the kernel caps it at `somaxconn`).
const LISTEN_BACKLOG: u32 = 4096;

/// A listening socket on `address`, with [`LISTEN_BACKLOG`].
fn listen(address: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_BACKLOG)
}
