//! The client: its configuration ([`builder`]), the one path every request
//! takes ([`transport`]), and the one place a response is interpreted
//! ([`decode`]).
//!
//! A request passes, in order: the Bearer (exchanged or renewed as needed),
//! the quota, the HTTP send, and the envelope decoding. Failures that may
//! succeed on a second try are retried with exponential backoff and jitter,
//! honouring `Retry-After`, as the endpoint's retry class allows.

mod builder;
mod decode;
mod transport;

pub use builder::{ClientBuilder, DEFAULT_BASE_URL, DEFAULT_QUOTA_PER_SECOND, ENV_VARS, Settings, Share};
#[cfg(feature = "fuzzing")]
pub(crate) use decode::fuzz_decode;
pub(crate) use transport::answer_by;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use backon::ExponentialBuilder;

use crate::auth::Auth;
use crate::quota::Limiter;
use crate::{Family, Mailbox};

/// A 22.do API client. Cheap to clone: clones share the connection pool,
/// the Bearer and the quota.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    auth: Auth,
    limiter: Limiter,
    backoff: ExponentialBuilder,
    max_retry_after: Duration,
    push_advertised: AtomicBool,
    wait_timeout: Duration,
    /// How long one call may take in all, retries included.
    retry_budget: Duration,
    /// How long one HTTP request may take.
    request_timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credential", &self.inner.auth.credential())
            .field("quota_per_second", &self.inner.limiter.per_second())
            .finish_non_exhaustive()
    }
}

impl Client {
    fn from_inner(inner: Inner) -> Self {
        Self { inner: Arc::new(inner) }
    }

    /// A builder with the defaults: 22.do, no credential, 20 requests/s,
    /// the user's cache directory.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (see
    /// [`Settings::from_env`]).
    pub fn from_env() -> crate::Result<Self> {
        Self::builder().from_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A mailbox for an address that already exists; its family is guessed
    /// from the domain (see [`Family::guess`]).
    pub fn mailbox(&self, address: impl Into<String>) -> Mailbox {
        let address = address.into();
        let family = Family::guess(&address);
        Mailbox::new(self.clone(), address, family)
    }

    /// A mailbox for an address of a known family.
    pub fn mailbox_in(&self, family: Family, address: impl Into<String>) -> Mailbox {
        Mailbox::new(self.clone(), address.into(), family)
    }

    /// Whether the server has advertised otpcatch's push extension in any
    /// response so far.
    pub fn push_advertised(&self) -> bool {
        self.inner.push_advertised.load(Ordering::Relaxed)
    }

    /// How long a wait lasts unless it says otherwise.
    pub(crate) fn wait_timeout(&self) -> Duration {
        self.inner.wait_timeout
    }

    pub(crate) fn auth(&self) -> &Auth {
        &self.inner.auth
    }
}
