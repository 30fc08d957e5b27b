//! The wait engine: block until the message a test is waiting for arrives.
//!
//! A [`Mailbox`] is an address and its [`Family`]. [`Mailbox::wait_for`]
//! takes a [`Filter`] and returns a [`Wait`] to configure and `.await`.
//!
//! How a wait works: it lists the inbox, reads what is new (de-duplicated by
//! message id, since the `time` cursor is in whole seconds and deliberately
//! lists the newest second again), checks each new message against the
//! filter, and returns once it has its match. Between listings it sleeps,
//! from 250 ms up to 2 s, or, where the server offers push, until the server
//! says mail arrived; a pushed message is judged as it comes, without
//! listing or reading. Every request passes the client's quota. Dropping
//! the future stops everything.

mod events;
mod filter;
mod push;
mod tracker;

pub use events::WaitEvent;
pub use filter::Filter;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use crate::error::{Error, ErrorKind, Result, WaitTimeout};
use crate::{Client, Family, Message, MessageSummary};
#[cfg(feature = "fuzzing")]
pub(crate) use push::fuzz_events;
use push::{PushEvent, PushStream};
use tracker::{Candidate, Tracker};

/// How long a wait lasts unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// With push, the inbox is still listed this often, in case an event is lost.
const PUSH_SAFETY_POLL: Duration = Duration::from_secs(10);

/// After an `expect none` wait's time is up, how long its last listing may take.
const FINAL_CHECK_LIMIT: Duration = Duration::from_secs(5);

/// An address to receive mail at, and the client to read it with.
#[derive(Debug, Clone)]
pub struct Mailbox {
    client: Client,
    address: String,
    family: Family,
}

impl Mailbox {
    /// A mailbox for `address` of `family`, read through `client`.
    pub fn new(client: Client, address: String, family: Family) -> Self {
        Self { client, address, family }
    }

    /// The email address: hand it to the code under test.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Which family of endpoints serves this address.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Lists every message the address has received.
    pub async fn messages(&self) -> Result<Vec<MessageSummary>> {
        self.client.inbox(self.family, &self.address, None).await
    }

    /// Reads one message in full.
    pub async fn message(&self, id: &str) -> Result<Message> {
        self.client.message(self.family, id).await
    }

    /// Deletes one message.
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client.delete_message(self.family, id).await
    }

    /// Starts configuring a wait for the first message that matches
    /// `filter`. By default every message the address has received counts,
    /// including any that arrived before the wait began; see
    /// [`Wait::only_new`].
    pub fn wait_for(&self, filter: Filter) -> Wait {
        Wait {
            mailbox: self.clone(),
            filter,
            timeout: DEFAULT_TIMEOUT,
            pick: Pick::Nth(1),
            requirement: None,
            only_new: false,
            delete_after_read: false,
            events: None,
            min_interval: Duration::from_millis(250),
            max_interval: Duration::from_secs(2),
        }
    }
}

/// Which match a wait returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    /// The nth match in order of arrival, counting from 1.
    Nth(usize),
    /// The newest match at the time the first one is seen.
    Latest,
}

/// Judges whether a message has what a wait requires: `Err` says why not.
type Accept = dyn Fn(&Message) -> std::result::Result<(), String> + Send + Sync;

/// What a wait requires of a matching message beyond its filter.
#[derive(Clone)]
struct Requirement {
    /// What is required, for explanations: "a code".
    what: String,
    accept: Arc<Accept>,
}

impl std::fmt::Debug for Requirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Requirement").field("what", &self.what).finish_non_exhaustive()
    }
}

/// A configured wait. `.await` it for the matching [`Message`], or call
/// [`Wait::expect_none`].
#[derive(Debug)]
#[must_use = "a wait does nothing until it is awaited"]
pub struct Wait {
    mailbox: Mailbox,
    filter: Filter,
    timeout: Duration,
    pick: Pick,
    requirement: Option<Requirement>,
    only_new: bool,
    delete_after_read: bool,
    events: Option<UnboundedSender<WaitEvent>>,
    min_interval: Duration,
    max_interval: Duration,
}

impl Wait {
    /// How long to wait at most (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Return the `n`th match in order of arrival (1 is the first), for
    /// flows that send several messages.
    pub fn nth(mut self, n: usize) -> Self {
        self.pick = Pick::Nth(n.max(1));
        self
    }

    /// Return the newest match present when the first match is seen, for
    /// flows where a later code replaces an earlier one.
    pub fn latest(mut self) -> Self {
        self.pick = Pick::Latest;
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
        self.requirement = Some(Requirement { what: what.into(), accept: Arc::new(accept) });
        self
    }

    /// Ignore every message already in the inbox when the wait starts, for
    /// flows that send a second code to the same address. Not the default:
    /// a test usually asks for the code after the action that sent it, and
    /// the email may well have arrived by then.
    pub fn only_new(mut self) -> Self {
        self.only_new = true;
        self
    }

    /// Delete the matched message once it has been read.
    pub fn delete_after_read(mut self) -> Self {
        self.delete_after_read = true;
        self
    }

    /// Send progress to `events` (see [`WaitEvent`]).
    pub fn events(mut self, events: UnboundedSender<WaitEvent>) -> Self {
        self.events = Some(events);
        self
    }

    /// The shortest and longest pause between listings when polling
    /// (default 250 ms, growing to 2 s).
    pub fn poll_interval(mut self, min: Duration, max: Duration) -> Self {
        self.min_interval = min;
        self.max_interval = max.max(min);
        self
    }

    /// Succeeds only if no matching message arrives within the timeout.
    /// Messages already in the inbox count, unless [`Wait::only_new`] is set.
    /// When the time is up the inbox is listed once more, so a message that
    /// lands just before the end is not missed.
    pub async fn expect_none(self) -> Result<()> {
        let started = Instant::now();
        let wait = Wait { pick: Pick::Nth(1), delete_after_read: false, ..self };
        let mut tracker = Tracker::new(wait.filter.earliest());
        let unexpected = |message: Message| {
            Error::new(ErrorKind::UnexpectedMessage {
                filter: wait.filter.to_string(),
                from: message.from,
                subject: message.subject,
                after: started.elapsed(),
            })
        };
        match tokio::time::timeout(wait.timeout, wait.run(&mut tracker)).await {
            Ok(Ok(message)) => return Err(unexpected(message)),
            Ok(Err(err)) => return Err(err),
            Err(_elapsed) => {}
        }
        match tokio::time::timeout(FINAL_CHECK_LIMIT, wait.poll_once(&mut tracker)).await {
            Ok(Ok(Some(message))) => Err(unexpected(message)),
            Ok(Ok(None)) => Ok(()),
            Ok(Err(err)) => Err(err),
            Err(_elapsed) => Err(tracker.last_error.take().unwrap_or_else(|| wait.timeout_error(&tracker, started))),
        }
    }

    fn emit(&self, event: WaitEvent) {
        if let Some(events) = &self.events {
            let _ = events.send(event);
        }
    }

    async fn wait(self) -> Result<Message> {
        let started = Instant::now();
        let mut tracker = Tracker::new(self.filter.earliest());
        match tokio::time::timeout(self.timeout, self.run(&mut tracker)).await {
            Ok(Ok(message)) => {
                self.emit(WaitEvent::Matched { id: message.id.clone(), elapsed: started.elapsed() });
                Ok(message)
            }
            Ok(Err(err)) => Err(err),
            // A listing that kept failing explains the timeout better than
            // "nothing arrived" would.
            Err(_elapsed) => Err(tracker.last_error.take().unwrap_or_else(|| self.timeout_error(&tracker, started))),
        }
    }

    fn timeout_error(&self, tracker: &Tracker, started: Instant) -> Error {
        let wanted = match self.pick {
            Pick::Nth(n) => n,
            Pick::Latest => 1,
        };
        Error::new(ErrorKind::Timeout(Box::new(WaitTimeout {
            address: self.mailbox.address.clone(),
            filter: self.filter.to_string(),
            waited: started.elapsed(),
            polls: tracker.polls,
            wanted,
            matched: tracker.matches.len(),
            unmatched: tracker.unmatched.clone(),
            required: self.requirement.as_ref().map(|r| r.what.clone()),
            passed_over: tracker.passed_over.clone(),
        })))
    }

    /// Lists, checks and sleeps until a match; the caller bounds it in time.
    async fn run(&self, tracker: &mut Tracker) -> Result<Message> {
        self.emit(WaitEvent::Started {
            address: self.mailbox.address.clone(),
            filter: self.filter.to_string(),
            timeout: self.timeout,
        });
        if self.only_new {
            loop {
                match self.list(tracker).await {
                    Ok(listing) => {
                        tracker.skip(listing);
                        break;
                    }
                    Err(err) if survivable(&err) => {
                        tracker.last_error = Some(err);
                        tokio::time::sleep(self.min_interval).await;
                    }
                    Err(err) => return Err(err),
                }
            }
        }
        let mut interval = self.min_interval;
        let mut push: Option<PushStream> = None;
        let mut push_tried = false;
        // When the client already knows the server pushes, subscribe before
        // the first listing: that listing then covers everything earlier,
        // and the wait costs two requests instead of three (it matters when
        // a hundred waits share a quota of twenty a second).
        if self.mailbox.client.push_advertised() {
            push_tried = true;
            push = self.open_push().await;
        }
        // A message the server pushed whole (or announced), judged without
        // listing the inbox.
        let mut pushed: Option<(MessageSummary, Option<Box<Message>>)> = None;
        loop {
            let found = match pushed.take() {
                Some((summary, message)) => self.judge(tracker, vec![summary], message.map(|m| *m)).await?,
                None => self.poll_once(tracker).await?,
            };
            if let Some(message) = found {
                return Ok(message);
            }
            if !push_tried && self.mailbox.client.push_advertised() {
                push_tried = true;
                push = self.open_push().await;
                if push.is_some() {
                    // List once more: mail may have landed before the stream opened.
                    continue;
                }
            }
            match &mut push {
                Some(stream) => {
                    tokio::select! {
                        event = stream.next_event() => match event {
                            Some(PushEvent::Arrived(summary, message)) => pushed = Some((summary, message)),
                            Some(PushEvent::Wake) => {}
                            None => {
                                tracing::debug!("push stream ended; polling instead");
                                push = None;
                            }
                        },
                        () = tokio::time::sleep(PUSH_SAFETY_POLL) => {}
                    }
                }
                None => {
                    tokio::time::sleep(interval).await;
                    interval = (interval * 3 / 2).min(self.max_interval);
                }
            }
        }
    }

    /// Opens the server's push stream for this address, or `None` to poll.
    async fn open_push(&self) -> Option<PushStream> {
        match PushStream::open(&self.mailbox.client, self.mailbox.family, &self.mailbox.address).await {
            Ok(stream) => {
                self.emit(WaitEvent::PushConnected);
                Some(stream)
            }
            Err(err) => {
                tracing::debug!("push stream unavailable, polling instead: {err}");
                None
            }
        }
    }

    /// One round: list the inbox, judge what is new, return the match if
    /// the wait is satisfied. Transient failures are recorded, not returned.
    async fn poll_once(&self, tracker: &mut Tracker) -> Result<Option<Message>> {
        let listing = match self.list(tracker).await {
            Ok(listing) => listing,
            Err(err) if survivable(&err) => {
                self.emit(WaitEvent::PollFailed { error: err.to_string() });
                tracker.last_error = Some(err);
                return Ok(None);
            }
            Err(err) => return Err(err),
        };
        self.judge(tracker, listing, None).await
    }

    /// Judges the messages of `arrived` not seen before (and any whose
    /// body could not be read earlier), and returns the match if the wait
    /// is satisfied. `pushed` is one of them already read.
    async fn judge(
        &self,
        tracker: &mut Tracker,
        arrived: Vec<MessageSummary>,
        mut pushed: Option<Message>,
    ) -> Result<Option<Message>> {
        let mut candidates = std::mem::take(&mut tracker.unread);
        candidates.extend(tracker.fresh(arrived));
        for summary in candidates {
            if !self.filter.matches_summary(&summary) {
                self.reject(tracker, &summary);
                continue;
            }
            let body = pushed.take_if(|m| m.id == summary.id);
            let message = if body.is_some() {
                body
            } else if self.filter.needs_body() || self.requirement.is_some() {
                match self.read(&summary).await {
                    Ok(Some(message)) => Some(message),
                    Ok(None) => continue,
                    Err(err) if survivable(&err) => {
                        tracker.unread.push(summary);
                        tracker.last_error = Some(err);
                        continue;
                    }
                    Err(err) => return Err(err),
                }
            } else {
                None
            };
            if message.as_ref().is_some_and(|m| !self.filter.matches(m)) {
                self.reject(tracker, &summary);
                continue;
            }
            if let (Some(requirement), Some(message)) = (&self.requirement, &message)
                && let Err(why) = (requirement.accept)(message)
            {
                self.emit(WaitEvent::PassedOver {
                    from: summary.from.clone(),
                    subject: summary.subject.clone(),
                    why: why.clone(),
                });
                tracker.pass_over(&summary, why);
                continue;
            }
            self.emit(WaitEvent::Arrived {
                from: summary.from.clone(),
                subject: summary.subject.clone(),
                matched: true,
            });
            tracker.matches.push(Candidate { summary, message });
        }
        let chosen = match self.pick {
            Pick::Nth(n) => tracker.matches.get(n - 1),
            Pick::Latest => tracker.matches.iter().max_by_key(|c| c.summary.time),
        };
        let Some(chosen) = chosen.cloned() else { return Ok(None) };
        let message = match chosen.message {
            Some(message) => message,
            None => match self.read(&chosen.summary).await? {
                Some(message) => message,
                None => {
                    // It vanished between the listing and the read: forget it.
                    tracker.matches.retain(|c| c.summary.id != chosen.summary.id);
                    return Ok(None);
                }
            },
        };
        if self.delete_after_read {
            self.mailbox.delete(&message.id).await?;
        }
        Ok(Some(message))
    }

    /// Records and reports a message that arrived but did not match.
    fn reject(&self, tracker: &mut Tracker, summary: &MessageSummary) {
        self.emit(WaitEvent::Arrived { from: summary.from.clone(), subject: summary.subject.clone(), matched: false });
        tracker.reject(summary);
    }

    async fn list(&self, tracker: &mut Tracker) -> Result<Vec<MessageSummary>> {
        let listing = self.mailbox.client.inbox(self.mailbox.family, &self.mailbox.address, tracker.cursor()).await?;
        tracker.polls += 1;
        tracker.last_error = None;
        self.emit(WaitEvent::Polled { polls: tracker.polls, listed: listing.len() });
        Ok(listing)
    }

    /// Reads a message; `None` if it no longer exists (expired or deleted).
    async fn read(&self, summary: &MessageSummary) -> Result<Option<Message>> {
        match self.mailbox.message(&summary.id).await {
            Ok(message) => Ok(Some(message)),
            Err(err) if err.is_not_found() => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// Whether a wait may carry on after `error`: a failure that may not
/// happen again (429, 5xx, a lost connection, a garbled answer from a
/// gateway). The wait records it, and reports it if the time runs out.
fn survivable(error: &Error) -> bool {
    error.is_transient() || error.is_decode()
}

impl IntoFuture for Wait {
    type Output = Result<Message>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Message>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}
