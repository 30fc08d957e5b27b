use otpcatch_wire::endpoint::{GMAIL_GENERATE, GMAIL_LIST, GMAIL_PURCHASE};
use otpcatch_wire::{GmailGenerateRequest, GmailIds, GmailList, ListRequest, PurchaseRequest};

use super::full_address;
use crate::error::Result;
use crate::{Client, Family, IdPage, Ids, Mailbox};

/// The Gmail endpoints, from [`Client::gmail`]. Reading and deleting Gmail
/// messages goes through [`Client::inbox`] and friends with
/// [`Family::Gmail`], or a [`Mailbox`].
#[derive(Debug, Clone, Copy)]
pub struct Gmail<'a> {
    client: &'a Client,
}

impl Client {
    /// The Gmail family of endpoints.
    pub fn gmail(&self) -> Gmail<'_> {
        Gmail { client: self }
    }
}

impl Gmail<'_> {
    /// One page of the account's Gmail ids (`POST /gmail`); `page` starts at 1.
    pub async fn list(&self, page: u32, limit: u32) -> Result<IdPage> {
        let body = ListRequest { page: Some(page), limit };
        let list: GmailList = self.client.call(&GMAIL_LIST, Some(&body)).await?;
        Ok(list.into())
    }

    /// Buys `number` Gmail ids from the account's balance
    /// (`POST /gmail/purchase`). Never retried, except after a 429: a failed
    /// purchase may have gone through, so check [`Gmail::list`] first.
    pub async fn purchase(&self, number: u32) -> Result<Ids> {
        let bought: GmailIds = self.client.call(&GMAIL_PURCHASE, Some(&PurchaseRequest { number })).await?;
        Ok(bought.into())
    }

    /// Makes `number` addresses from a Gmail id (a random one when `None`):
    /// `+tag` variants when `plus`, dot variants otherwise
    /// (`POST /gmail/generate`).
    pub async fn generate(&self, gmail_id: Option<&str>, number: u32, plus: bool) -> Result<Ids> {
        let body = GmailGenerateRequest { gmail_id: gmail_id.map(str::to_owned), number, plus };
        let generated: GmailIds = self.client.call(&GMAIL_GENERATE, Some(&body)).await?;
        Ok(generated.into())
    }

    /// Makes one fresh `+tag` address and returns it as a [`Mailbox`].
    pub async fn create_mailbox(&self, gmail_id: Option<&str>) -> Result<Mailbox> {
        let generated = self.generate(gmail_id, 1, true).await?;
        let address = full_address(&generated.items, &generated.domains, Family::Gmail, GMAIL_GENERATE.name)?;
        Ok(Mailbox::new(self.client.clone(), address, Family::Gmail))
    }
}
