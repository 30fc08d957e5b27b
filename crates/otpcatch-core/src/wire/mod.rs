//! The 22.do API v2 JSON contract, as serde types.
//!
//! These types are shared: the client decodes them and otpcatch's local
//! server encodes them, so the two cannot drift apart. Field names follow the
//! response examples of the 22.do reference, which are pinned by golden tests
//! in `tests/golden.rs`. Nothing outside this module knows a JSON field name.
//!
//! Request bodies are here too, so the server can decode what the client
//! sends. Secrets in bodies (`password`, `token`, `Bearer`) are [`Secret`]s,
//! so a `Debug` of any wire value never shows them.
//!
//! [`Secret`]: crate::Secret

mod account;
mod auth;
mod domains;
mod envelope;
mod gmail;
mod inbox;
mod microsoft;

pub use account::Account;
pub use auth::{AuthRequest, BearerGrant, TokenRequest};
pub use domains::{Domain, DomainKind};
pub use envelope::Envelope;
pub use gmail::{GmailGenerateRequest, GmailIds, GmailList};
pub use inbox::{Attachment, InboxRequest, MessageDetail, MessageIdRequest, MessageSummary};
pub use microsoft::{MicrosoftAccounts, MicrosoftGenerateRequest, MicrosoftList};

use serde::{Deserialize, Deserializer, Serialize};

/// `POST /gmail` and `POST /microsoft`: one page of the purchased ids.
///
/// The reference's prose swaps the two fields; its response example settles
/// it: `page` is the page number (from 1) and `limit` the page size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRequest {
    /// The page number, starting at 1.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub page: Option<u32>,
    /// How many ids a page holds.
    pub limit: u32,
}

/// `POST /gmail/purchase` and `POST /microsoft/purchase`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseRequest {
    /// How many ids to buy.
    pub number: u32,
}

/// Decodes a JSON `null` as the type's default, for fields that a real
/// server sometimes sends as `null` instead of leaving them out.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
