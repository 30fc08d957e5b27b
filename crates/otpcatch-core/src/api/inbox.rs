use super::{Endpoint, delete, listing, post};
use crate::error::Result;
use crate::wire::{self, InboxRequest, MessageIdRequest};
use crate::{Client, Family, Message, MessageSummary};

const INBOX: Endpoint = listing("/inbox", "POST /inbox");
const MESSAGE: Endpoint = post("/inbox/message", "POST /inbox/message");
const DELETE: Endpoint = delete("/inbox/message", "DELETE /inbox/message");
const GMAIL_INBOX: Endpoint = listing("/gmail/inbox", "POST /gmail/inbox");
const GMAIL_MESSAGE: Endpoint = post("/gmail/message", "POST /gmail/message");
const GMAIL_DELETE: Endpoint = delete("/gmail/message", "DELETE /gmail/message");
const MICROSOFT_INBOX: Endpoint = listing("/microsoft/inbox", "POST /microsoft/inbox");
const MICROSOFT_MESSAGE: Endpoint = post("/microsoft/message", "POST /microsoft/message");
const MICROSOFT_DELETE: Endpoint = delete("/microsoft/message", "DELETE /microsoft/message");

/// The inbox, message and delete endpoints of a family.
fn endpoints(family: Family) -> (&'static Endpoint, &'static Endpoint, &'static Endpoint) {
    match family {
        Family::Temp => (&INBOX, &MESSAGE, &DELETE),
        Family::Gmail => (&GMAIL_INBOX, &GMAIL_MESSAGE, &GMAIL_DELETE),
        Family::Microsoft => (&MICROSOFT_INBOX, &MICROSOFT_MESSAGE, &MICROSOFT_DELETE),
    }
}

/// The path of the push extension for a family's inbox (see `wait::push`).
pub(crate) fn push_path(family: Family) -> &'static str {
    match family {
        Family::Temp => "/inbox/events",
        Family::Gmail => "/gmail/inbox/events",
        Family::Microsoft => "/microsoft/inbox/events",
    }
}

impl Client {
    /// Lists the messages of `address`, all of them or only those received
    /// after the Unix time `after` (`POST /inbox`, `/gmail/inbox`,
    /// `/microsoft/inbox`).
    pub async fn inbox(&self, family: Family, address: &str, after: Option<i64>) -> Result<Vec<MessageSummary>> {
        let body = InboxRequest { email: address.to_owned(), time: after };
        let listed: Vec<wire::MessageSummary> = self.call(endpoints(family).0, Some(&body)).await?;
        Ok(listed.into_iter().map(MessageSummary::from).collect())
    }

    /// Reads a whole message (`POST /inbox/message` and the family forms).
    pub async fn message(&self, family: Family, message_id: &str) -> Result<Message> {
        let body = MessageIdRequest { message_id: message_id.to_owned() };
        let detail: wire::MessageDetail = self.call(endpoints(family).1, Some(&body)).await?;
        Ok(detail.into())
    }

    /// Deletes a message (`DELETE /inbox/message` and the family forms).
    pub async fn delete_message(&self, family: Family, message_id: &str) -> Result<()> {
        let body = MessageIdRequest { message_id: message_id.to_owned() };
        self.call_for_status(endpoints(family).2, &body).await
    }
}
