use otpcatch_wire::{InboxRequest, MessageDetail, MessageIdRequest};

use crate::error::Result;
use crate::{Client, Family, Message, MessageSummary};

impl Client {
    /// Lists the messages of `address`, all of them or only those received
    /// after the Unix time `after` (`POST /inbox`, `/gmail/inbox`,
    /// `/microsoft/inbox`).
    pub async fn inbox(&self, family: Family, address: &str, after: Option<i64>) -> Result<Vec<MessageSummary>> {
        let body = InboxRequest { email: address.to_owned(), time: after };
        let listed: otpcatch_wire::Listing = self.call(&family.inbox().list, Some(&body)).await?;
        for why in &listed.skipped {
            tracing::warn!("skipped an entry of {address}'s inbox that could not be read: {why}");
        }
        Ok(listed.entries.into_iter().map(MessageSummary::from).collect())
    }

    /// Reads a whole message (`POST /inbox/message` and the family forms).
    pub async fn message(&self, family: Family, message_id: &str) -> Result<Message> {
        let body = MessageIdRequest { message_id: message_id.to_owned() };
        let detail: MessageDetail = self.call(&family.inbox().read, Some(&body)).await?;
        Ok(detail.into())
    }

    /// Deletes a message (`DELETE /inbox/message` and the family forms).
    pub async fn delete_message(&self, family: Family, message_id: &str) -> Result<()> {
        let body = MessageIdRequest { message_id: message_id.to_owned() };
        self.call_for_status(&family.inbox().delete, &body).await
    }
}
