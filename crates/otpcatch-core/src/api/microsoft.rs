use super::gmail::full_address;
use super::{Endpoint, post, purchase};
use crate::error::Result;
use crate::wire::{ListRequest, MicrosoftAccounts, MicrosoftGenerateRequest, MicrosoftList, PurchaseRequest};
use crate::{Client, Family, Mailbox};

const LIST: Endpoint = post("/microsoft", "POST /microsoft");
const PURCHASE: Endpoint = purchase("/microsoft/purchase", "POST /microsoft/purchase");
const GENERATE: Endpoint = post("/microsoft/generate", "POST /microsoft/generate");

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
    pub async fn list(&self, page: u32, limit: u32) -> Result<MicrosoftList> {
        let body = ListRequest { page: Some(page), limit };
        self.client.call(&LIST, Some(&body)).await
    }

    /// Buys `number` Microsoft accounts (`POST /microsoft/purchase`). Never
    /// retried, except after a 429.
    pub async fn purchase(&self, number: u32) -> Result<MicrosoftAccounts> {
        self.client.call(&PURCHASE, Some(&PurchaseRequest { number })).await
    }

    /// Makes `number` addresses from an account (a random one when `None`)
    /// (`POST /microsoft/generate`).
    pub async fn generate(&self, account: Option<&str>, number: u32, plus: bool) -> Result<MicrosoftAccounts> {
        let body = MicrosoftGenerateRequest { account: account.map(str::to_owned), number, plus };
        self.client.call(&GENERATE, Some(&body)).await
    }

    /// Makes one fresh `+tag` address and returns it as a [`Mailbox`].
    pub async fn create_mailbox(&self, account: Option<&str>) -> Result<Mailbox> {
        let generated = self.generate(account, 1, true).await?;
        let address = full_address(&generated.items, &generated.domains, "outlook.com", "POST /microsoft/generate")?;
        Ok(Mailbox::new(self.client.clone(), address, Family::Microsoft))
    }
}
