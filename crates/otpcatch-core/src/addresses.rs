//! What the account endpoints return: fresh addresses, the domains they can
//! be made on, and bought Gmail and Microsoft ids. Independent of how they
//! travel: converted from the wire types, never serialized.

use otpcatch_wire as wire;

/// A fresh address, as `create_account` and friends make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAddress {
    /// The whole address, such as `user@example.com`: hand it to the code
    /// under test.
    pub email: String,
    /// The part before the `@`.
    pub local_part: String,
    /// The part after the `@`.
    pub domain: String,
    /// The kind of domain it lives on.
    pub kind: DomainKind,
}

/// A domain addresses can be made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// The domain name, such as `example.com`.
    pub name: String,
    /// Shared (premium) or the account's own (private).
    pub kind: DomainKind,
    /// For private domains: whether its MX record points at the service.
    pub mx_ok: Option<bool>,
}

/// The kind of a domain, or of an address made on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DomainKind {
    /// A domain the service offers to every premium account.
    Premium,
    /// A domain the account brought itself.
    Private,
    /// A kind this version of otpcatch does not know.
    Unknown,
}

impl DomainKind {
    /// The kind as the API names it: `premium`, `private` or `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Premium => "premium",
            Self::Private => "private",
            Self::Unknown => "unknown",
        }
    }
}

/// One page of the Gmail ids or Microsoft accounts an account bought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdPage {
    /// Gmail ids (local parts) or Microsoft addresses.
    pub items: Vec<String>,
    /// The domains Gmail ids receive on, such as `@gmail.com` (empty for
    /// Microsoft, whose items are whole addresses).
    pub domains: Vec<String>,
    /// How many the account holds in all.
    pub total: u32,
    /// The page size.
    pub page_size: u32,
    /// The page number, from 1.
    pub page: u32,
}

/// Ids just bought or generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ids {
    /// Gmail ids (local parts, or variants of one) or Microsoft addresses.
    pub items: Vec<String>,
    /// The domains Gmail ids receive on, such as `@gmail.com`.
    pub domains: Vec<String>,
}

impl From<wire::DomainKind> for DomainKind {
    fn from(kind: wire::DomainKind) -> Self {
        match kind {
            wire::DomainKind::Premium => Self::Premium,
            wire::DomainKind::Private => Self::Private,
            wire::DomainKind::Unknown => Self::Unknown,
        }
    }
}

impl From<wire::Account> for NewAddress {
    fn from(a: wire::Account) -> Self {
        Self { email: a.email, local_part: a.account, domain: a.domain, kind: a.kind.into() }
    }
}

impl From<wire::Domain> for Domain {
    fn from(d: wire::Domain) -> Self {
        Self { name: d.domain, kind: d.kind.into(), mx_ok: d.mx }
    }
}

impl From<wire::GmailList> for IdPage {
    fn from(l: wire::GmailList) -> Self {
        Self { items: l.items, domains: l.domains, total: l.count, page_size: l.limit, page: l.current }
    }
}

impl From<wire::MicrosoftList> for IdPage {
    fn from(l: wire::MicrosoftList) -> Self {
        Self { items: l.items, domains: Vec::new(), total: l.count, page_size: l.limit, page: l.current }
    }
}

impl From<wire::GmailIds> for Ids {
    fn from(ids: wire::GmailIds) -> Self {
        Self { items: ids.items, domains: ids.domains }
    }
}

impl From<wire::MicrosoftAccounts> for Ids {
    fn from(ids: wire::MicrosoftAccounts) -> Self {
        Self { items: ids.items, domains: ids.domains }
    }
}
