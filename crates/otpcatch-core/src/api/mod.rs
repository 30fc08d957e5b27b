//! One typed method on [`Client`](crate::Client) per 22.do endpoint,
//! grouped as in the reference, plus the [`Gmail`] and [`Microsoft`]
//! handles. The endpoints themselves (method, path, retry class) are
//! otpcatch-wire's table; every method goes through the client's one
//! request path, which applies the quota, the Bearer, retries and the
//! envelope decoding.

mod account;
mod auth;
mod domains;
mod gmail;
mod inbox;
mod microsoft;

pub use gmail::Gmail;
pub use microsoft::Microsoft;

use crate::Family;
use crate::error::{Error, Result};

/// The first generated id as a whole address: as given when it has an
/// `@`, else joined with the first listed domain, or with the family's
/// home domain when the service lists none.
fn full_address(items: &[String], domains: &[String], family: Family, endpoint: &'static str) -> Result<String> {
    let Some(item) = items.first() else {
        return Err(Error::decode(endpoint, "the response listed no address"));
    };
    if item.contains('@') {
        return Ok(item.clone());
    }
    let domain = domains.first().map(String::as_str).or(family.home_domain()).unwrap_or_default();
    Ok(format!("{item}@{}", domain.trim_start_matches('@')))
}
