//! [`Client`] and [`Mailbox`]: addresses, and the waits on them.

use std::time::Duration;

use otpcatch_core::MessageSummary;

use super::error::Result;
use super::wait::{AnyMessage, Code, Link, NoMessage, Wait};

/// A client of the 22.do API, or of any server that speaks it.
#[derive(Debug, Clone)]
pub struct Client {
    inner: otpcatch_core::Client,
}

impl Client {
    /// A client configured from the environment: `OTPCATCH_TOKEN` (or
    /// `OTPCATCH_EMAIL` and `OTPCATCH_PASSWORD`), and `OTPCATCH_API_URL`
    /// for a server other than 22.do.
    pub fn from_env() -> Result<Self> {
        Ok(Self { inner: otpcatch_core::Client::from_env()? })
    }

    /// A fresh address.
    pub async fn mailbox(&self) -> Result<Mailbox> {
        Ok(Mailbox { inner: self.inner.create_mailbox().await? })
    }

    /// The underlying otpcatch-core client, for every endpoint of the API.
    pub fn core(&self) -> &otpcatch_core::Client {
        &self.inner
    }
}

impl From<otpcatch_core::Client> for Client {
    fn from(inner: otpcatch_core::Client) -> Self {
        Self { inner }
    }
}

/// One address and the mail that arrives at it.
#[derive(Debug, Clone)]
pub struct Mailbox {
    inner: otpcatch_core::Mailbox,
}

impl Mailbox {
    /// The address, for the code under test.
    pub fn address(&self) -> &str {
        self.inner.address()
    }

    /// Waits for a message with a one-time code, and gives the code.
    pub fn code(&self) -> Wait<'_, Code> {
        Wait::new(&self.inner)
    }

    /// Waits for a message with a confirmation link, and gives the link.
    pub fn link(&self) -> Wait<'_, Link> {
        Wait::new(&self.inner)
    }

    /// Waits for a message, and gives all of it.
    pub fn message(&self) -> Wait<'_, AnyMessage> {
        Wait::new(&self.inner)
    }

    /// Succeeds if no matching message arrives for `duration`, and fails
    /// with the one that does.
    pub fn expect_none(&self, duration: Duration) -> Wait<'_, NoMessage> {
        Wait::new(&self.inner).timeout(duration)
    }

    /// The messages that have arrived, oldest first.
    pub async fn messages(&self) -> Result<Vec<MessageSummary>> {
        Ok(self.inner.messages().await?)
    }

    /// The underlying otpcatch-core mailbox.
    pub fn core(&self) -> &otpcatch_core::Mailbox {
        &self.inner
    }
}

impl From<otpcatch_core::Mailbox> for Mailbox {
    fn from(inner: otpcatch_core::Mailbox) -> Self {
        Self { inner }
    }
}
