use otpcatch_wire::endpoint::{DOMAINS, Endpoint, PREMIUM_DOMAINS, PRIVATE_DOMAINS};

use crate::error::Result;
use crate::{Client, Domain};

impl Client {
    /// Every domain the account may make addresses on (`GET /domains`).
    pub async fn domains(&self) -> Result<Vec<Domain>> {
        self.domain_list(&DOMAINS).await
    }

    /// The service's shared premium domains (`GET /domains/premium`).
    pub async fn premium_domains(&self) -> Result<Vec<Domain>> {
        self.domain_list(&PREMIUM_DOMAINS).await
    }

    /// The account's own private domains (`GET /domains/private`).
    pub async fn private_domains(&self) -> Result<Vec<Domain>> {
        self.domain_list(&PRIVATE_DOMAINS).await
    }

    async fn domain_list(&self, endpoint: &Endpoint) -> Result<Vec<Domain>> {
        let listed: Vec<otpcatch_wire::Domain> = self.call_without_body(endpoint).await?;
        Ok(listed.into_iter().map(Domain::from).collect())
    }
}
