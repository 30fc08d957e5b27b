use serde::{Deserialize, Serialize};

/// The `data` of `POST /gmail`: one page of purchased Gmail ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GmailList {
    /// Gmail ids: local parts, to be joined with one of `domains`.
    pub items: Vec<String>,
    /// The domains each id receives mail on, such as `@gmail.com`.
    #[serde(default)]
    pub domains: Vec<String>,
    /// How many ids the account holds in all.
    pub count: u32,
    /// The page size.
    pub limit: u32,
    /// The page number.
    pub current: u32,
}

/// The `data` of `POST /gmail/purchase` and `POST /gmail/generate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GmailIds {
    /// Gmail ids, or generated variants of one (`aa.bb.cc+tag`).
    pub items: Vec<String>,
    /// The domains each id receives mail on, such as `@gmail.com`.
    #[serde(default)]
    pub domains: Vec<String>,
}

/// `POST /gmail/generate`: make dot or `+tag` variants of a Gmail id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GmailGenerateRequest {
    /// The id to vary; the service picks one when absent.
    #[serde(rename = "gmailId", default, skip_serializing_if = "Option::is_none")]
    pub gmail_id: Option<String>,
    /// How many addresses to make.
    pub number: u32,
    /// `+tag` variants when true, dot variants when false.
    pub plus: bool,
}
