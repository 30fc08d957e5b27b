use serde::{Deserialize, Serialize};

/// One entry of `GET /domains`, `/domains/premium` and `/domains/private`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// The domain name, such as `example.com`.
    pub domain: String,
    /// Whether the domain is shared (premium) or the account's own (private).
    #[serde(rename = "type")]
    pub kind: DomainKind,
    /// For private domains: whether its MX record points at the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mx: Option<bool>,
}

/// The `type` of a domain or of an account made on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DomainKind {
    /// A domain the service offers to every premium account.
    Premium,
    /// A domain the account brought itself.
    Private,
    /// A kind this version of otpcatch does not know.
    #[serde(other)]
    Unknown,
}
