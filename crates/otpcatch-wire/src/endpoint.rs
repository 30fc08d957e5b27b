//! Every endpoint of the API, in one table: how to call it, and whether a
//! failed call may be sent again.
//!
//! The client sends requests by these entries and the local server routes
//! by them, so a path is written once. Paths are relative to the base URL
//! (`https://22.do/api/v2`).

use std::fmt;

use crate::Family;

/// One endpoint: its method and path, the name errors and logs give it,
/// and what a client may do when a call fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// The HTTP method.
    pub method: Method,
    /// The path below the base URL, such as `/inbox`.
    pub path: &'static str,
    /// The endpoint as errors and logs name it: the method and the path,
    /// such as `POST /inbox`.
    pub name: &'static str,
    /// Which failures a call may be retried after.
    pub retry: Retry,
    /// Whether it lists an inbox: polled over and over by waits, so a
    /// client should let other requests go first.
    pub listing: bool,
    /// Whether the answer carries a secret (a Bearer), so an error about it
    /// must never quote the body.
    pub secret_response: bool,
}

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method as HTTP writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which failures a call may be retried after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Safe to send twice: a 429, a 5xx or a lost connection may be retried.
    Idempotent,
    /// Not safe to send twice (purchases): only a 429 may be retried, which
    /// the server answers before doing anything. A 5xx or a lost connection
    /// may mean the purchase went through.
    OnlyIfRefused,
}

const fn endpoint(method: Method, path: &'static str, name: &'static str) -> Endpoint {
    Endpoint { method, path, name, retry: Retry::Idempotent, listing: false, secret_response: false }
}

const fn get(path: &'static str, name: &'static str) -> Endpoint {
    endpoint(Method::Get, path, name)
}

const fn post(path: &'static str, name: &'static str) -> Endpoint {
    endpoint(Method::Post, path, name)
}

const fn delete(path: &'static str, name: &'static str) -> Endpoint {
    endpoint(Method::Delete, path, name)
}

const fn purchase(path: &'static str, name: &'static str) -> Endpoint {
    Endpoint { retry: Retry::OnlyIfRefused, ..post(path, name) }
}

const fn listing(path: &'static str, name: &'static str) -> Endpoint {
    Endpoint { listing: true, ..post(path, name) }
}

/// `/auth` and `/token` are called without a Bearer, and answer with one.
const fn credential_exchange(path: &'static str, name: &'static str) -> Endpoint {
    Endpoint { secret_response: true, ..post(path, name) }
}

/// `POST /auth`: an address and password for a Bearer.
pub const AUTH: Endpoint = credential_exchange("/auth", "POST /auth");
/// `POST /token`: an API token for a Bearer.
pub const TOKEN: Endpoint = credential_exchange("/token", "POST /token");

/// `GET /domains`: every domain the account may make addresses on.
pub const DOMAINS: Endpoint = get("/domains", "GET /domains");
/// `GET /domains/premium`: the service's shared domains.
pub const PREMIUM_DOMAINS: Endpoint = get("/domains/premium", "GET /domains/premium");
/// `GET /domains/private`: the account's own domains.
pub const PRIVATE_DOMAINS: Endpoint = get("/domains/private", "GET /domains/private");

/// `POST /account`: a fresh address.
pub const ACCOUNT: Endpoint = post("/account", "POST /account");
/// `GET /account`: `POST /account` as some mirrors of the reference write
/// it. Servers should answer both; a client that gets 405 for one may try
/// the other. Not in [`all`]: it is the same endpoint.
pub const ACCOUNT_BY_GET: Endpoint = get("/account", "GET /account");
/// `GET /account/premium`: a fresh address on a premium domain.
pub const PREMIUM_ACCOUNT: Endpoint = get("/account/premium", "GET /account/premium");
/// `GET /account/private`: a fresh address on a private domain.
pub const PRIVATE_ACCOUNT: Endpoint = get("/account/private", "GET /account/private");

/// `POST /gmail`: one page of the Gmail ids bought.
pub const GMAIL_LIST: Endpoint = post("/gmail", "POST /gmail");
/// `POST /gmail/purchase`: buy Gmail ids.
pub const GMAIL_PURCHASE: Endpoint = purchase("/gmail/purchase", "POST /gmail/purchase");
/// `POST /gmail/generate`: dot or `+tag` variants of a Gmail id.
pub const GMAIL_GENERATE: Endpoint = post("/gmail/generate", "POST /gmail/generate");

/// `POST /microsoft`: one page of the Microsoft accounts bought.
pub const MICROSOFT_LIST: Endpoint = post("/microsoft", "POST /microsoft");
/// `POST /microsoft/purchase`: buy Microsoft accounts.
pub const MICROSOFT_PURCHASE: Endpoint = purchase("/microsoft/purchase", "POST /microsoft/purchase");
/// `POST /microsoft/generate`: `+tag` variants of a Microsoft account.
pub const MICROSOFT_GENERATE: Endpoint = post("/microsoft/generate", "POST /microsoft/generate");

/// A family's inbox: list, read and delete, and otpcatch's push stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inbox {
    /// Lists an address's messages.
    pub list: Endpoint,
    /// Reads one message whole.
    pub read: Endpoint,
    /// Deletes one message.
    pub delete: Endpoint,
    /// otpcatch's push extension: `GET` this path with `?email=ADDRESS`
    /// for a stream of arrivals (see [`crate::push`]).
    pub events: &'static str,
}

/// The temp-mail inbox (`/inbox`).
pub const TEMP_INBOX: Inbox = Inbox {
    list: listing("/inbox", "POST /inbox"),
    read: post("/inbox/message", "POST /inbox/message"),
    delete: delete("/inbox/message", "DELETE /inbox/message"),
    events: "/inbox/events",
};

/// The Gmail inbox (`/gmail/inbox`).
pub const GMAIL_INBOX: Inbox = Inbox {
    list: listing("/gmail/inbox", "POST /gmail/inbox"),
    read: post("/gmail/message", "POST /gmail/message"),
    delete: delete("/gmail/message", "DELETE /gmail/message"),
    events: "/gmail/inbox/events",
};

/// The Microsoft inbox (`/microsoft/inbox`).
pub const MICROSOFT_INBOX: Inbox = Inbox {
    list: listing("/microsoft/inbox", "POST /microsoft/inbox"),
    read: post("/microsoft/message", "POST /microsoft/message"),
    delete: delete("/microsoft/message", "DELETE /microsoft/message"),
    events: "/microsoft/inbox/events",
};

/// Every endpoint of the 22.do reference.
pub fn all() -> Vec<Endpoint> {
    let mut all = vec![
        AUTH,
        TOKEN,
        DOMAINS,
        PREMIUM_DOMAINS,
        PRIVATE_DOMAINS,
        ACCOUNT,
        PREMIUM_ACCOUNT,
        PRIVATE_ACCOUNT,
        GMAIL_LIST,
        GMAIL_PURCHASE,
        GMAIL_GENERATE,
        MICROSOFT_LIST,
        MICROSOFT_PURCHASE,
        MICROSOFT_GENERATE,
    ];
    for family in Family::ALL {
        let inbox = family.inbox();
        all.extend([inbox.list, inbox.read, inbox.delete]);
    }
    all
}

/// otpcatch's health check, outside the 22.do reference: `GET /health`,
/// with no Bearer, answered both below the base URL and at the root.
pub const HEALTH: &str = "/health";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_the_method_and_the_path() {
        for endpoint in all() {
            assert_eq!(endpoint.name, format!("{} {}", endpoint.method, endpoint.path));
        }
    }

    #[test]
    fn the_table_has_the_references_twenty_three_endpoints_once_each() {
        let all = all();
        assert_eq!(all.len(), 23);
        for (i, a) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|b| a.name != b.name), "{} twice", a.name);
        }
        assert_eq!(all.iter().filter(|e| e.retry == Retry::OnlyIfRefused).count(), 2, "only purchases");
        assert!(all.iter().filter(|e| e.secret_response).all(|e| [AUTH, TOKEN].contains(e)));
        assert!(all.iter().filter(|e| e.listing).all(|e| e.path.ends_with("/inbox")));
    }
}
