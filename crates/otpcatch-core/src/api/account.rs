use super::{Endpoint, get, post};
use crate::error::Result;
use crate::wire::Account;
use crate::{Client, Family, Mailbox};

const ACCOUNT: Endpoint = post("/account", "POST /account");
const PREMIUM: Endpoint = get("/account/premium", "GET /account/premium");
const PRIVATE: Endpoint = get("/account/private", "GET /account/private");

impl Client {
    /// Makes a fresh address (`POST /account`).
    pub async fn create_account(&self) -> Result<Account> {
        self.call(&ACCOUNT, None::<&()>).await
    }

    /// Makes a fresh address on a premium domain (`GET /account/premium`).
    pub async fn create_premium_account(&self) -> Result<Account> {
        self.call_without_body(&PREMIUM).await
    }

    /// Makes a fresh address on one of the account's private domains
    /// (`GET /account/private`).
    pub async fn create_private_account(&self) -> Result<Account> {
        self.call_without_body(&PRIVATE).await
    }

    /// Makes a fresh address and returns it as a [`Mailbox`] to wait on.
    pub async fn create_mailbox(&self) -> Result<Mailbox> {
        let account = self.create_account().await?;
        Ok(Mailbox::new(self.clone(), account.email, Family::Temp))
    }
}
