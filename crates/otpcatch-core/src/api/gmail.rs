use super::{Endpoint, post, purchase};
use crate::error::Result;
use crate::wire::{GmailGenerateRequest, GmailIds, GmailList, ListRequest, PurchaseRequest};
use crate::{Client, Family, Mailbox};

const LIST: Endpoint = post("/gmail", "POST /gmail");
const PURCHASE: Endpoint = purchase("/gmail/purchase", "POST /gmail/purchase");
const GENERATE: Endpoint = post("/gmail/generate", "POST /gmail/generate");

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
    pub async fn list(&self, page: u32, limit: u32) -> Result<GmailList> {
        let body = ListRequest { page: Some(page), limit };
        self.client.call(&LIST, Some(&body)).await
    }

    /// Buys `number` Gmail ids from the account's balance
    /// (`POST /gmail/purchase`). Never retried, except after a 429: a failed
    /// purchase may have gone through, so check [`Gmail::list`] first.
    pub async fn purchase(&self, number: u32) -> Result<GmailIds> {
        self.client.call(&PURCHASE, Some(&PurchaseRequest { number })).await
    }

    /// Makes `number` addresses from a Gmail id (a random one when `None`):
    /// `+tag` variants when `plus`, dot variants otherwise
    /// (`POST /gmail/generate`).
    pub async fn generate(&self, gmail_id: Option<&str>, number: u32, plus: bool) -> Result<GmailIds> {
        let body = GmailGenerateRequest { gmail_id: gmail_id.map(str::to_owned), number, plus };
        self.client.call(&GENERATE, Some(&body)).await
    }

    /// Makes one fresh `+tag` address and returns it as a [`Mailbox`].
    pub async fn create_mailbox(&self, gmail_id: Option<&str>) -> Result<Mailbox> {
        let generated = self.generate(gmail_id, 1, true).await?;
        let address = full_address(&generated.items, &generated.domains, "gmail.com", "POST /gmail/generate")?;
        Ok(Mailbox::new(self.client.clone(), address, Family::Gmail))
    }
}

/// Joins the first generated id with the first listed domain, or with
/// `default_domain` when the service lists none.
pub(super) fn full_address(
    items: &[String],
    domains: &[String],
    default_domain: &str,
    endpoint: &'static str,
) -> Result<String> {
    let Some(item) = items.first() else {
        return Err(crate::Error::new(crate::error::ErrorKind::Decode {
            endpoint,
            detail: "the response listed no address".to_owned(),
        }));
    };
    if item.contains('@') {
        return Ok(item.clone());
    }
    let domain = domains.first().map_or(default_domain, String::as_str);
    let domain = domain.trim_start_matches('@');
    Ok(format!("{item}@{domain}"))
}
