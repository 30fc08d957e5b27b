use otpcatch_wire::endpoint::{ACCOUNT, ACCOUNT_BY_GET, PREMIUM_ACCOUNT, PRIVATE_ACCOUNT};
use otpcatch_wire::{Account, endpoint::Endpoint};

use crate::error::Result;
use crate::{Client, Family, Mailbox, NewAddress};

impl Client {
    /// Makes a fresh address (`POST /account`; `GET /account` if the
    /// server answers POST with 405, as mirrors of the reference disagree).
    pub async fn create_account(&self) -> Result<NewAddress> {
        match self.new_address(&ACCOUNT).await {
            Err(err) if err.status() == Some(405) => self.new_address(&ACCOUNT_BY_GET).await,
            other => other,
        }
    }

    /// Makes a fresh address on a premium domain (`GET /account/premium`).
    pub async fn create_premium_account(&self) -> Result<NewAddress> {
        self.new_address(&PREMIUM_ACCOUNT).await
    }

    /// Makes a fresh address on one of the account's private domains
    /// (`GET /account/private`).
    pub async fn create_private_account(&self) -> Result<NewAddress> {
        self.new_address(&PRIVATE_ACCOUNT).await
    }

    /// Makes a fresh address and returns it as a [`Mailbox`] to wait on.
    pub async fn create_mailbox(&self) -> Result<Mailbox> {
        let address = self.create_account().await?;
        Ok(Mailbox::new(self.clone(), address.email, Family::Temp))
    }

    async fn new_address(&self, endpoint: &Endpoint) -> Result<NewAddress> {
        let account: Account = self.call_without_body(endpoint).await?;
        Ok(account.into())
    }
}
