use serde::{Deserialize, Serialize};

/// The `data` of `POST /microsoft`: one page of purchased accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicrosoftList {
    /// Full Microsoft addresses.
    pub items: Vec<String>,
    /// How many accounts the account holds in all.
    pub count: u32,
    /// The page size.
    pub limit: u32,
    /// The page number.
    pub current: u32,
}

/// The `data` of `POST /microsoft/purchase` and `POST /microsoft/generate`.
///
/// The reference shows no response for `generate`; it is taken to have the
/// shape of Gmail's, with `items` (and `domains` if the service sends them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicrosoftAccounts {
    /// Full Microsoft addresses.
    pub items: Vec<String>,
    /// The domains, where the service lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
}

/// `POST /microsoft/generate`: make variants of a Microsoft account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicrosoftGenerateRequest {
    /// The account to vary; the service picks one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// How many addresses to make.
    pub number: u32,
    /// `+tag` variants when true.
    pub plus: bool,
}
