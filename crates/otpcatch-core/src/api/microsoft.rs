use otpcatch_wire::endpoint::{MICROSOFT_GENERATE, MICROSOFT_LIST, MICROSOFT_PURCHASE};
use otpcatch_wire::{ListRequest, MicrosoftAccounts, MicrosoftGenerateRequest, MicrosoftList, PurchaseRequest};

use super::full_address;
use crate::error::Result;
use crate::{Client, Family, IdPage, Ids, Mailbox};

/// The Microsoft endpoints, from [`Client::microsoft`]. Reading and deleting
/// messages goes through [`Client::inbox`] and friends with
/// [`Family::Microsoft`], or a [`Mailbox`].
#[derive(Debug, Clone, Copy)]
pub struct Microsoft<'a> {
    client: &'a Client,
}

impl Client {
    /// The Microsoft family of endpoints.
    pub fn microsoft(&self) -> Microsoft<'_> {
        Microsoft { client: self }
    }
}

impl Microsoft<'_> {
    /// One page of the account's Microsoft accounts (`POST /microsoft`);
    /// `page` starts at 1.
    pub async fn list(&self, page: u32, limit: u32) -> Result<IdPage> {
        let body = ListRequest { page: Some(page), limit };
        let list: MicrosoftList = self.client.call(&MICROSOFT_LIST, Some(&body)).await?;
        Ok(list.into())
    }

    /// Buys `number` Microsoft accounts (`POST /microsoft/purchase`). Never
    /// retried, except after a 429.
    pub async fn purchase(&self, number: u32) -> Result<Ids> {
        let bought: MicrosoftAccounts =
            self.client.call(&MICROSOFT_PURCHASE, Some(&PurchaseRequest { number })).await?;
        Ok(bought.into())
    }

    /// Makes `number` addresses from an account (a random one when `None`)
    /// (`POST /microsoft/generate`).
    pub async fn generate(&self, account: Option<&str>, number: u32, plus: bool) -> Result<Ids> {
        let body = MicrosoftGenerateRequest { account: account.map(str::to_owned), number, plus };
        let generated: MicrosoftAccounts = self.client.call(&MICROSOFT_GENERATE, Some(&body)).await?;
        Ok(generated.into())
    }

    /// Makes one fresh `+tag` address and returns it as a [`Mailbox`].
    pub async fn create_mailbox(&self, account: Option<&str>) -> Result<Mailbox> {
        let generated = self.generate(account, 1, true).await?;
        let address = full_address(&generated.items, &generated.domains, Family::Microsoft, MICROSOFT_GENERATE.name)?;
        Ok(Mailbox::new(self.client.clone(), address, Family::Microsoft))
    }
}
