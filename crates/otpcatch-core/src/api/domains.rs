use super::{Endpoint, get};
use crate::Client;
use crate::error::Result;
use crate::wire::Domain;

const DOMAINS: Endpoint = get("/domains", "GET /domains");
const PREMIUM: Endpoint = get("/domains/premium", "GET /domains/premium");
const PRIVATE: Endpoint = get("/domains/private", "GET /domains/private");

impl Client {
    /// Every domain the account may make addresses on (`GET /domains`).
    pub async fn domains(&self) -> Result<Vec<Domain>> {
        self.call_without_body(&DOMAINS).await
    }

    /// The service's shared premium domains (`GET /domains/premium`).
    pub async fn premium_domains(&self) -> Result<Vec<Domain>> {
        self.call_without_body(&PREMIUM).await
    }

    /// The account's own private domains (`GET /domains/private`).
    pub async fn private_domains(&self) -> Result<Vec<Domain>> {
        self.call_without_body(&PRIVATE).await
    }
}
