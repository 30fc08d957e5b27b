//! [`LocalServer`]: otpcatch's own mail server, inside the test.

use std::net::SocketAddr;

use otpcatch_server::{RunningServer, Server, ServerConfig, ServerError};

use super::error::{Error, Result};
use super::mailbox::{Client, Mailbox};

/// A local server on free loopback ports, with a client logged in to it.
/// The code under test sends its mail to [`LocalServer::smtp_addr`].
/// Dropping it stops the server; [`LocalServer::shutdown`] also waits
/// until it has stopped.
#[derive(Debug)]
pub struct LocalServer {
    client: Client,
    server: RunningServer,
    /// The client's Bearer cache: the test's own, gone with it.
    _cache: tempfile::TempDir,
}

impl LocalServer {
    /// Starts a server on 127.0.0.1 with free ports and the default
    /// settings (`otpcatch.test` addresses).
    pub async fn start() -> Result<Self> {
        Self::with_config(ServerConfig::ephemeral()).await
    }

    /// Starts a server with `config`. When it lists API tokens, the client
    /// uses the first; when it lists neither tokens nor users, the server
    /// makes one.
    pub async fn with_config(config: ServerConfig) -> Result<Self> {
        let refused = |why: String| Error::Server(ServerError::Config(why));
        let configured = config.api_tokens.first().cloned();
        let server = Server::start(config).await?;
        let token = configured.or_else(|| server.token().cloned()).ok_or_else(|| {
            refused("the configuration lists users but no API token: add one to `api_tokens` for the client".into())
        })?;
        let cache =
            tempfile::tempdir().map_err(|e| refused(format!("could not make the client's cache directory: {e}")))?;
        let client = otpcatch_core::Client::builder()
            .base_url(server.api_url())
            .api_token(token)
            .cache_dir(cache.path())
            .build()?;
        Ok(Self { client: Client::from(client), server, _cache: cache })
    }

    /// A fresh address on this server.
    pub async fn mailbox(&self) -> Result<Mailbox> {
        self.client.mailbox().await
    }

    /// Where the code under test sends its mail (SMTP, no TLS, no auth).
    pub fn smtp_addr(&self) -> SocketAddr {
        self.server.smtp_addr()
    }

    /// The API's base URL, as `OTPCATCH_API_URL` takes it.
    pub fn api_url(&self) -> String {
        self.server.api_url()
    }

    /// The client logged in to this server.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Stops the server and waits until it has.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}
