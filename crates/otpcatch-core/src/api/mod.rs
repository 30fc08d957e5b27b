//! One typed method per 22.do endpoint, grouped as in the reference.
//!
//! This is the only module that knows paths. Every method goes through
//! [`Client::call`](crate::Client), which applies the quota, the Bearer,
//! retries and the envelope decoding.

mod account;
mod auth;
mod domains;
mod gmail;
mod inbox;
mod microsoft;

pub use gmail::Gmail;
pub(crate) use inbox::push_path;
pub use microsoft::Microsoft;

use crate::Error;
use crate::quota::Priority;

/// One endpoint of the API: how to call it and whether a failed call may be
/// sent again.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) method: Verb,
    pub(crate) path: &'static str,
    /// The endpoint as errors and logs name it, such as `POST /inbox`.
    pub(crate) name: &'static str,
    pub(crate) retry: RetryPolicy,
    /// Inbox listings yield the quota to other requests.
    pub(crate) priority: Priority,
    /// Whether the response body carries a secret, so must never be quoted
    /// in an error.
    pub(crate) secret_response: bool,
}

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Post,
    Delete,
}

impl From<Verb> for reqwest::Method {
    fn from(verb: Verb) -> Self {
        match verb {
            Verb::Get => Self::GET,
            Verb::Post => Self::POST,
            Verb::Delete => Self::DELETE,
        }
    }
}

/// Which failures a request may be retried after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryPolicy {
    /// Safe to send twice: retry 429, 5xx and transport failures.
    Idempotent,
    /// Not safe to send twice (purchases): retry only a 429, which the
    /// server answers before doing anything. A 5xx or a lost connection may
    /// mean the purchase went through, so it is reported, not repeated.
    OnlyIfRefused,
}

impl RetryPolicy {
    pub(crate) fn allows(self, error: &Error) -> bool {
        match self {
            Self::Idempotent => error.is_transient(),
            Self::OnlyIfRefused => error.is_quota(),
        }
    }
}

const fn endpoint(method: Verb, path: &'static str, name: &'static str) -> Endpoint {
    Endpoint {
        method,
        path,
        name,
        retry: RetryPolicy::Idempotent,
        priority: Priority::Foreground,
        secret_response: false,
    }
}

const fn post(path: &'static str, name: &'static str) -> Endpoint {
    endpoint(Verb::Post, path, name)
}

const fn get(path: &'static str, name: &'static str) -> Endpoint {
    endpoint(Verb::Get, path, name)
}

const fn delete(path: &'static str, name: &'static str) -> Endpoint {
    endpoint(Verb::Delete, path, name)
}

const fn purchase(path: &'static str, name: &'static str) -> Endpoint {
    Endpoint { retry: RetryPolicy::OnlyIfRefused, ..post(path, name) }
}

/// An inbox listing: polled over and over by waits, so it yields the quota.
const fn listing(path: &'static str, name: &'static str) -> Endpoint {
    Endpoint { priority: Priority::Background, ..post(path, name) }
}

/// `/auth` and `/token`: called without a Bearer (see
/// `Client::call_unauthenticated`), and their answers hold one.
const fn credential_exchange(path: &'static str, name: &'static str) -> Endpoint {
    Endpoint { secret_response: true, ..post(path, name) }
}

/// Endpoints of each kind, for the fuzz targets.
#[cfg(feature = "fuzzing")]
pub(crate) const FUZZED: [Endpoint; 3] =
    [listing("/inbox", "POST /inbox"), post("/inbox/message", "POST /inbox/message"), auth::TOKEN];
