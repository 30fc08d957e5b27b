//! An address to receive mail at, and the client to read it with: what a
//! wait reads through.

use crate::error::Result;
use crate::{Client, Family, Filter, Message, MessageSummary, Wait};

use super::engine::Source;
use super::push::PushStream;

/// An address to receive mail at, and the client to read it with.
#[derive(Debug, Clone)]
pub struct Mailbox {
    client: Client,
    address: String,
    family: Family,
}

impl Mailbox {
    /// A mailbox for `address` of `family`, read through `client`.
    pub fn new(client: Client, address: String, family: Family) -> Self {
        Self { client, address, family }
    }

    /// The email address: hand it to the code under test.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Which family of endpoints serves this address.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Lists every message the address has received.
    pub async fn messages(&self) -> Result<Vec<MessageSummary>> {
        self.client.inbox(self.family, &self.address, None).await
    }

    /// Reads one message in full.
    pub async fn message(&self, id: &str) -> Result<Message> {
        self.client.message(self.family, id).await
    }

    /// Deletes one message.
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client.delete_message(self.family, id).await
    }

    /// Starts configuring a wait for the first message that matches
    /// `filter`. By default every message the address has received counts,
    /// including any that arrived before the wait began; see
    /// [`Wait::only_new`].
    pub fn wait_for(&self, filter: Filter) -> Wait {
        Wait::new(self.clone(), filter, self.client.wait_timeout())
    }
}

impl Source for Mailbox {
    type Events = PushStream;

    fn address(&self) -> &str {
        &self.address
    }

    async fn list(&self, after: Option<i64>) -> Result<Vec<MessageSummary>> {
        self.client.inbox(self.family, &self.address, after).await
    }

    async fn read(&self, id: &str) -> Result<Message> {
        self.message(id).await
    }

    async fn delete(&self, id: &str) -> Result<()> {
        Mailbox::delete(self, id).await
    }

    fn push_advertised(&self) -> bool {
        self.client.push_advertised()
    }

    async fn subscribe(&self) -> Result<PushStream> {
        PushStream::open(&self.client, self.family, &self.address).await
    }
}
