//! [`Wait`]: a wait built up by chained calls and run by `.await`, ending
//! in a code, a link, a message, or the absence of one.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::LazyLock;
use std::time::Duration;

use otpcatch_core::{DEFAULT_TIMEOUT, Filter, Message};
use otpcatch_rules::{Extraction, RuleSet};

use super::error::{Error, Result};

/// The built-in rules, compiled once for the whole test binary.
static BUILT_IN_RULES: LazyLock<Result<RuleSet, String>> =
    LazyLock::new(|| RuleSet::built_in().map_err(|error| error.to_string()));

fn rules() -> Result<&'static RuleSet> {
    BUILT_IN_RULES.as_ref().map_err(|error| Error::Rules(error.clone()))
}

/// What a [`Wait`] ends in: the marker types [`Code`], [`Link`],
/// [`AnyMessage`] and [`NoMessage`].
pub trait Wanted: private::Sealed + Send + 'static {
    /// What the wait gives.
    type Output: Send;
}

/// A wait for a one-time code: gives the code.
#[derive(Debug)]
pub enum Code {}
/// A wait for a confirmation link: gives the link.
#[derive(Debug)]
pub enum Link {}
/// A wait for any matching message: gives the message.
#[derive(Debug)]
pub enum AnyMessage {}
/// A wait that succeeds when no matching message arrives.
#[derive(Debug)]
pub enum NoMessage {}

impl Wanted for Code {
    type Output = String;
}
impl Wanted for Link {
    type Output = String;
}
impl Wanted for AnyMessage {
    type Output = Message;
}
impl Wanted for NoMessage {
    type Output = ();
}

mod private {
    pub trait Sealed {}
    impl Sealed for super::Code {}
    impl Sealed for super::Link {}
    impl Sealed for super::AnyMessage {}
    impl Sealed for super::NoMessage {}
}

/// A wait on a [`Mailbox`](crate::Mailbox), narrowed by chained calls and
/// run by `.await`. Patterns are case-insensitive regular expressions; one
/// that does not compile fails the wait.
#[must_use = "a wait does nothing until it is awaited"]
#[derive(Debug)]
pub struct Wait<'a, W: Wanted> {
    mailbox: &'a otpcatch_core::Mailbox,
    from: Option<String>,
    subject: Option<String>,
    body: Option<String>,
    timeout: Duration,
    latest: bool,
    only_new: bool,
    wanted: PhantomData<W>,
}

impl<'a, W: Wanted> Wait<'a, W> {
    pub(crate) fn new(mailbox: &'a otpcatch_core::Mailbox) -> Self {
        Self {
            mailbox,
            from: None,
            subject: None,
            body: None,
            timeout: DEFAULT_TIMEOUT,
            latest: false,
            only_new: false,
            wanted: PhantomData,
        }
    }

    /// Only mail whose sender matches `pattern`.
    pub fn from(mut self, pattern: &str) -> Self {
        self.from = Some(pattern.to_owned());
        self
    }

    /// Only mail whose subject matches `pattern`.
    pub fn subject(mut self, pattern: &str) -> Self {
        self.subject = Some(pattern.to_owned());
        self
    }

    /// Only mail whose text or HTML matches `pattern`.
    pub fn body(mut self, pattern: &str) -> Self {
        self.body = Some(pattern.to_owned());
        self
    }

    /// How long to wait (default: a minute). For
    /// [`Mailbox::expect_none`](crate::Mailbox::expect_none), how long no
    /// matching mail must arrive.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Of several matching messages, the newest: for a code sent again,
    /// the latest one is the one that works.
    pub fn latest(mut self) -> Self {
        self.latest = true;
        self
    }

    /// Only mail that arrives after the wait starts, for a second code to
    /// the same address.
    pub fn only_new(mut self) -> Self {
        self.only_new = true;
        self
    }

    /// The core wait, with the filter compiled: the first place a bad
    /// pattern can be reported.
    fn core_wait(&self) -> Result<otpcatch_core::Wait> {
        let mut filter = Filter::new();
        if let Some(pattern) = &self.from {
            filter = filter.from(pattern)?;
        }
        if let Some(pattern) = &self.subject {
            filter = filter.subject(pattern)?;
        }
        if let Some(pattern) = &self.body {
            filter = filter.body(pattern)?;
        }
        let mut wait = self.mailbox.wait_for(filter).timeout(self.timeout);
        if self.latest {
            wait = wait.latest();
        }
        if self.only_new {
            wait = wait.only_new();
        }
        Ok(wait)
    }

    /// Waits for a message from which `pick` extracts a value: a message
    /// without one is passed over, and named if time runs out.
    async fn extracted(self, what: &'static str, pick: fn(&RuleSet, &Message) -> Option<String>) -> Result<String> {
        let rules = rules()?;
        let wait = self.core_wait()?.require(format!("a {what}"), move |message| {
            pick(rules, message).map(drop).ok_or_else(|| format!("no {what} found"))
        });
        let message = wait.await?;
        // The wait accepted the message because `pick` found the value in
        // it; the rules are deterministic, so it is found again.
        pick(rules, &message)
            .ok_or_else(|| Error::Rules(format!("the {what} found in message {} vanished", message.id)))
    }
}

fn code_in(rules: &RuleSet, message: &Message) -> Option<String> {
    let Extraction { code, .. } = rules.extract_code(message);
    code.map(|found| found.value)
}

fn link_in(rules: &RuleSet, message: &Message) -> Option<String> {
    let Extraction { link, .. } = rules.extract_link(message);
    link.map(|found| found.value)
}

/// The future a [`Wait`] becomes.
type WaitFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

impl<'a> IntoFuture for Wait<'a, Code> {
    type Output = Result<String>;
    type IntoFuture = WaitFuture<'a, String>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.extracted("code", code_in))
    }
}

impl<'a> IntoFuture for Wait<'a, Link> {
    type Output = Result<String>;
    type IntoFuture = WaitFuture<'a, String>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.extracted("link", link_in))
    }
}

impl<'a> IntoFuture for Wait<'a, AnyMessage> {
    type Output = Result<Message>;
    type IntoFuture = WaitFuture<'a, Message>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { Ok(self.core_wait()?.await?) })
    }
}

impl<'a> IntoFuture for Wait<'a, NoMessage> {
    type Output = Result<()>;
    type IntoFuture = WaitFuture<'a, ()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { Ok(self.core_wait()?.expect_none().await?) })
    }
}
