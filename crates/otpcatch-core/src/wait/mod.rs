//! Waiting for a message: the [`Mailbox`] it arrives in, the [`Wait`] a
//! caller configures, and the engine that runs it.
//!
//! A [`Mailbox`] is an address and its [`Family`](crate::Family).
//! [`Mailbox::wait_for`] takes a [`Filter`] and returns a [`Wait`] to
//! configure and `.await`. The engine (`engine.rs`) lists the inbox, judges
//! what is new and sleeps in between, or listens to the server's push
//! stream (`push.rs`); what it has seen is its `Tracker` (`tracker.rs`).
//! Every request passes the client's quota. Dropping the future stops
//! everything.

mod engine;
mod events;
mod filter;
mod mailbox;
mod push;
mod tracker;

pub use events::WaitEvent;
pub use filter::Filter;
pub use mailbox::Mailbox;
#[cfg(feature = "fuzzing")]
pub(crate) use push::fuzz_events;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::Message;
use crate::error::Result;
use engine::{Pick, Plan, Requirement};

/// How long a wait lasts unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A configured wait. `.await` it for the matching [`Message`], or call
/// [`Wait::expect_none`].
#[derive(Debug)]
#[must_use = "a wait does nothing until it is awaited"]
pub struct Wait {
    mailbox: Mailbox,
    plan: Plan,
}

impl Wait {
    pub(crate) fn new(mailbox: Mailbox, filter: Filter, timeout: Duration) -> Self {
        Self { mailbox, plan: Plan::new(filter, timeout) }
    }

    /// How long to wait at most (default: the client's wait timeout, 60 s
    /// unless configured).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.plan.timeout = timeout;
        self
    }

    /// Return the `n`th match in order of arrival (1 is the first), for
    /// flows that send several messages.
    pub fn nth(mut self, n: usize) -> Self {
        self.plan.pick = Pick::Nth(n.max(1));
        self
    }

    /// Return the newest match present when the first match is seen, for
    /// flows where a later code replaces an earlier one.
    pub fn latest(mut self) -> Self {
        self.plan.pick = Pick::Latest;
        self
    }

    /// Count only messages that have what the caller needs: `accept` sees
    /// each message that matches the filter and returns `Err(why)` for one
    /// that lacks it (say, no code could be extracted). Such a message is
    /// passed over, the wait goes on, and if time runs out the error lists
    /// it with the reason ([`WaitTimeout::passed_over`]). `what` names what
    /// is required, for that error: "a code", "a link".
    ///
    /// [`Wait::nth`], [`Wait::latest`] and [`Wait::expect_none`] then count
    /// only messages that pass.
    ///
    /// [`WaitTimeout::passed_over`]: crate::WaitTimeout::passed_over
    pub fn require(
        mut self,
        what: impl Into<String>,
        accept: impl Fn(&Message) -> std::result::Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.plan.requirement = Some(Requirement { what: what.into(), accept: Arc::new(accept) });
        self
    }

    /// Ignore every message already in the inbox when the wait starts, for
    /// flows that send a second code to the same address. Not the default:
    /// a test usually asks for the code after the action that sent it, and
    /// the email may well have arrived by then.
    pub fn only_new(mut self) -> Self {
        self.plan.only_new = true;
        self
    }

    /// Count only messages that arrived after the message `id` (in arrival
    /// order), for flows that send a second code: pass the id of the
    /// message the first wait returned. If `id` is no longer in the inbox
    /// (deleted, or expired), every message counts.
    pub fn after_id(mut self, id: impl Into<String>) -> Self {
        self.plan.after_id = Some(id.into());
        self
    }

    /// Delete the matched message once it has been read.
    pub fn delete_after_read(mut self) -> Self {
        self.plan.delete_after_read = true;
        self
    }

    /// Send progress to `events` (see [`WaitEvent`]).
    pub fn events(mut self, events: UnboundedSender<WaitEvent>) -> Self {
        self.plan.events = Some(events);
        self
    }

    /// The shortest and longest pause between listings when polling
    /// (default 250 ms, growing to 2 s).
    pub fn poll_interval(mut self, min: Duration, max: Duration) -> Self {
        self.plan.min_interval = min;
        self.plan.max_interval = max.max(min);
        self
    }

    /// Succeeds only if no matching message arrives within the timeout.
    /// Messages already in the inbox count, unless [`Wait::only_new`] is set.
    /// When the time is up the inbox is listed once more, so a message that
    /// lands just before the end is not missed.
    pub async fn expect_none(self) -> Result<()> {
        engine::expect_none(&self.mailbox, self.plan).await
    }
}

impl IntoFuture for Wait {
    type Output = Result<Message>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Message>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { engine::wait(&self.mailbox, &self.plan).await })
    }
}
