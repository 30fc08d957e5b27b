use serde::{Deserialize, Serialize};

use crate::DomainKind;

/// The `data` of `POST /account`, `GET /account/premium` and
/// `GET /account/private`: a freshly made address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The full address, such as `user@example.com`.
    pub email: String,
    /// The local part of the address.
    pub account: String,
    /// The domain part of the address.
    pub domain: String,
    /// The kind of domain the address lives on.
    #[serde(rename = "type")]
    pub kind: DomainKind,
}
