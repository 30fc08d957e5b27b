//! # otpcatch-core
//!
//! A client for the [22.do](https://22.do) temp-mail API (v2) with a wait
//! engine: create an address, hand it to the code under test, and block
//! until the verification email arrives. The same client reads otpcatch's
//! own local server, which speaks the same API.
//!
//! # Brief overview
//!
//! The principal type is [`Client`]: it owns the connection pool, the
//! Bearer, the request quota and the retry policy, and has one method per
//! endpoint of the API. [`Client::create_mailbox`] makes a fresh address as
//! a [`Mailbox`]; [`Mailbox::wait_for`] takes a [`Filter`] and returns a
//! [`Wait`] which, awaited, yields the matching [`Message`].
//!
//! The API's JSON is otpcatch-wire's business: this crate returns its own
//! types ([`Message`], [`NewAddress`], [`Domain`], …), which do not change
//! when the wire format does.
//!
//! # Example: a test that waits for a verification email
//!
//! ```no_run
//! use std::time::Duration;
//! use otpcatch_core::{Client, Filter};
//!
//! # async fn sign_up(_address: &str) {}
//! # async fn test() -> Result<(), otpcatch_core::Error> {
//! let client = Client::from_env()?; // OTPCATCH_API_URL, OTPCATCH_TOKEN
//! let mailbox = client.create_mailbox().await?;
//! sign_up(mailbox.address()).await; // the code under test sends the email
//! let filter = Filter::new().subject("verify")?;
//! let message = mailbox.wait_for(filter).timeout(Duration::from_secs(60)).await?;
//! assert!(message.html.contains("Welcome"));
//! # Ok(())
//! # }
//! ```
//!
//! The example needs a server, so it is compiled but not run here; the
//! crate's `tests/quickstart.rs` runs the same lines against a local one.
//!
//! # Configuration
//!
//! [`Client::builder`] starts from the defaults (22.do, 20 requests a
//! second, the user's cache directory). [`ClientBuilder::apply`] lays
//! [`Settings`] over them, lowest layer first: a configuration file, then
//! [`Settings::from_env`], then command-line values; explicit builder calls
//! come last. The environment is read only when asked, by
//! [`Settings::from_env`], [`ClientBuilder::from_env`] and
//! [`Client::from_env`].
//!
//! # What the client takes care of
//!
//! - **Auth.** An API token or an address and password is exchanged for a
//!   Bearer, which is renewed shortly before it expires and once when a
//!   request gets a 401. The Bearer is cached in a 0600 file in the user's
//!   cache directory, so many short-lived processes share one exchange.
//!   Secrets are [`Secret`]s and never appear in `Debug`, logs or errors.
//! - **The quota.** At most 20 requests in any second (configurable), across
//!   every task using the client and every otpcatch process on the machine
//!   using the same account, through a log of send times in a locked file.
//! - **Retries.** 429, 5xx and transport failures are retried with
//!   exponential backoff and jitter, honouring `Retry-After`. Purchases are
//!   retried only after a 429, which means the server did nothing.
//! - **Errors.** One [`Error`] type with a kind and predicates
//!   ([`Error::is_auth`], [`Error::is_quota`], [`Error::is_wait_timeout`],
//!   …), the endpoint, the server's `msg`, and a `hint:` where one helps. A
//!   timed-out wait lists every message that arrived but did not match.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod addresses;
mod api;
mod auth;
mod client;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod message;
mod quota;
mod wait;

pub use addresses::{Domain, DomainKind, IdPage, Ids, NewAddress};
pub use api::{Gmail, Microsoft};
pub use auth::Credential;
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_QUOTA_PER_SECOND, ENV_VARS, Settings, Share};
pub use error::{
    CredentialKind, Error, ErrorKind, PassedOver, Result, TransportFailure, UnexpectedMessage, Unmatched, WaitTimeout,
};
pub use message::{Attachment, Message, MessageSummary};
/// The families of addresses (temp, Gmail, Microsoft), each with inbox
/// endpoints of its own; defined with the protocol in otpcatch-wire.
pub use otpcatch_wire::Family;
/// A secret string that never shows in `Debug`, `Display` or JSON;
/// defined with the protocol in otpcatch-wire.
pub use otpcatch_wire::Secret;
pub use wait::{DEFAULT_TIMEOUT, Filter, Mailbox, Wait, WaitEvent};
