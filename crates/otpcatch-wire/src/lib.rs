//! # otpcatch-wire
//!
//! The [22.do](https://22.do) temp-mail API v2 as a contract: what travels
//! between a client and a server, and nothing that moves it. otpcatch's
//! client (otpcatch-core) decodes with these types and its local server
//! (otpcatch-server) encodes with them, so the two cannot drift apart.
//!
//! - **The JSON** ([`Envelope`] and one type per request and response
//!   body). Field names follow the response examples of the 22.do
//!   reference; the crate's golden tests decode every one of them verbatim
//!   and encode it back unchanged. No other crate knows a JSON field name.
//! - **The endpoints** ([`endpoint`]): method, path, name and whether a
//!   failed call may be sent again, for every endpoint, in one table.
//! - **The families** ([`Family`]): temp, Gmail and Microsoft addresses,
//!   their consumer domains and their inbox endpoints.
//! - **otpcatch's push extension** ([`push`]): the header that advertises
//!   it, the event names, and the server-sent-events framing, encoded and
//!   decoded.
//! - **Mail as the API shows it** ([`mime`]): raw RFC 5322 bytes decoded
//!   into the fields of a message, as the local server reports them and as
//!   `otpcatch extract` reads an `.eml`.
//!
//! The crate does no I/O: no sockets, no files, no clock, no environment.
//! Secrets in bodies (`password`, `token`, `Bearer`) are [`Secret`]s, which
//! never show in `Debug` and are written to JSON only by the body types
//! that must carry them.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod account;
mod auth;
mod domains;
pub mod endpoint;
mod envelope;
mod family;
mod gmail;
mod inbox;
mod microsoft;
pub mod mime;
pub mod push;
mod secret;

pub use account::Account;
pub use auth::{AuthRequest, BearerGrant, TokenRequest};
pub use domains::{Domain, DomainKind};
pub use envelope::Envelope;
pub use family::Family;
pub use gmail::{GmailGenerateRequest, GmailIds, GmailList};
pub use inbox::{Attachment, InboxRequest, Listing, MessageDetail, MessageIdRequest, MessageSummary};
pub use microsoft::{MicrosoftAccounts, MicrosoftGenerateRequest, MicrosoftList};
pub use secret::Secret;

use serde::{Deserialize, Deserializer, Serialize};

/// The quota 22.do documents for an account: 20 requests per second, above
/// which it answers 429.
pub const QUOTA_PER_SECOND: u32 = 20;

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

/// A whole number sent as a number, as a numeric string (`"1745411165"`),
/// or as `null` or `""` (0): servers that mirror 22.do differ here, and
/// one odd field must not make a whole listing unreadable.
fn lenient_number<'de, D>(deserializer: D) -> Result<i64, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(lenient_optional_number(deserializer)?.unwrap_or_default())
}

/// As [`lenient_number`], with `null`, `""` and absence meaning "none":
/// the reference says an empty `time` lists all time.
fn lenient_optional_number<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Whole(i64),
        Text(String),
    }
    match Option::<Number>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Number::Whole(n)) => Ok(Some(n)),
        Some(Number::Text(text)) if text.trim().is_empty() => Ok(None),
        Some(Number::Text(text)) => text.trim().parse().map(Some).map_err(|_| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&text), &"a whole number of seconds")
        }),
    }
}
