//! Which messages a wait accepts.

use std::fmt;

use regex::{Regex, RegexBuilder};

use crate::error::{Error, Result};
use crate::{Message, MessageSummary};

/// The messages a wait accepts: every criterion set must match.
///
/// Patterns are [regular expressions](https://docs.rs/regex) matched
/// anywhere in the field, case-insensitively (start a pattern with `(?-i)`
/// to make case matter). The default filter accepts any message.
///
/// ```
/// use otpcatch_core::Filter;
/// let filter = Filter::new().from("noreply@")?.subject("verify|confirm")?;
/// assert_eq!(filter.to_string(), "from ~ /noreply@/ and subject ~ /verify|confirm/");
/// # Ok::<(), otpcatch_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct Filter {
    to: Option<Regex>,
    from: Option<Regex>,
    subject: Option<Regex>,
    body: Option<Regex>,
    received_after: Option<i64>,
    received_after_ms: Option<i64>,
}

impl Filter {
    /// A filter that accepts any message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only messages whose recipient matches `pattern`.
    pub fn to(mut self, pattern: &str) -> Result<Self> {
        self.to = Some(compile("to", pattern)?);
        Ok(self)
    }

    /// Only messages whose sender (name or address) matches `pattern`.
    pub fn from(mut self, pattern: &str) -> Result<Self> {
        self.from = Some(compile("from", pattern)?);
        Ok(self)
    }

    /// Only messages whose subject matches `pattern`.
    pub fn subject(mut self, pattern: &str) -> Result<Self> {
        self.subject = Some(compile("subject", pattern)?);
        Ok(self)
    }

    /// Only messages whose text or HTML body matches `pattern`. Checking it
    /// costs one extra request per candidate message.
    pub fn body(mut self, pattern: &str) -> Result<Self> {
        self.body = Some(compile("body", pattern)?);
        Ok(self)
    }

    /// Only messages received at or after the Unix time `unix_seconds`.
    /// The API counts time in whole seconds, so a message from earlier in
    /// the same second also passes; to skip every message that is already
    /// there, use [`Wait::only_new`](crate::Wait::only_new) instead.
    pub fn received_after(mut self, unix_seconds: i64) -> Self {
        self.received_after = Some(unix_seconds);
        self
    }

    /// Only messages received at or after the instant `unix_ms`, in Unix
    /// milliseconds: what "from now on" means for a wait started just
    /// before the action that sends the mail. Where the server counts whole
    /// seconds only (22.do), a message from earlier in the same second also
    /// passes; otpcatch's local server says the millisecond.
    pub fn received_after_ms(mut self, unix_ms: i64) -> Self {
        self.received_after_ms = Some(unix_ms);
        self
    }

    /// The earliest arrival second the filter accepts, if it sets one.
    pub(crate) fn earliest(&self) -> Option<i64> {
        let from_ms = self.received_after_ms.map(|ms| ms.div_euclid(1000));
        self.received_after.max(from_ms)
    }

    /// Whether the listing entry passes every criterion but the body.
    pub(crate) fn matches_summary(&self, message: &MessageSummary) -> bool {
        let accepts = |re: &Option<Regex>, field: &str| re.as_ref().is_none_or(|re| re.is_match(field));
        let after_ms = |ms: i64| message.time_ms.map_or(message.time >= ms.div_euclid(1000), |at| at >= ms);
        accepts(&self.to, &message.to)
            && accepts(&self.from, &message.from)
            && accepts(&self.subject, &message.subject)
            && self.received_after.is_none_or(|t| message.time >= t)
            && self.received_after_ms.is_none_or(after_ms)
    }

    /// Whether a body criterion is set, so candidates must be read in full.
    pub(crate) fn needs_body(&self) -> bool {
        self.body.is_some()
    }

    /// Whether the whole message passes every criterion.
    pub(crate) fn matches(&self, message: &Message) -> bool {
        let to_matches = self
            .to
            .as_ref()
            .is_none_or(|re| re.is_match(&message.to) || message.recipients.iter().any(|r| re.is_match(r)));
        let summary = MessageSummary { to: String::new(), ..message.summary() };
        let without_to = Filter { to: None, ..self.clone() };
        to_matches
            && without_to.matches_summary(&summary)
            && self.body.as_ref().is_none_or(|re| re.is_match(&message.text) || re.is_match(&message.html))
    }
}

fn compile(field: &'static str, pattern: &str) -> Result<Regex> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|source| Error::invalid_filter(field, source))
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> =
            [("to", &self.to), ("from", &self.from), ("subject", &self.subject), ("body", &self.body)]
                .into_iter()
                .filter_map(|(name, re)| re.as_ref().map(|re| format!("{name} ~ /{}/", re.as_str())))
                .chain(self.received_after.map(|t| format!("received at or after {t}")))
                .chain(self.received_after_ms.map(|ms| format!("received at or after {ms} ms")))
                .collect();
        if parts.is_empty() { f.write_str("any message") } else { f.write_str(&parts.join(" and ")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(from: &str, subject: &str, time: i64) -> MessageSummary {
        MessageSummary {
            id: "m".into(),
            time,
            expires_at: 0,
            subject: subject.into(),
            from: from.into(),
            to: "a@otpcatch.test".into(),
            time_ms: None,
        }
    }

    #[test]
    fn every_criterion_must_match_case_insensitively() {
        let filter = Filter::new().from("shop").unwrap().subject("^verify").unwrap();
        assert!(filter.matches_summary(&summary("Shop <no-reply@shop.example>", "Verify your email", 1)));
        assert!(!filter.matches_summary(&summary("Shop", "Your receipt", 1)));
        assert!(!filter.matches_summary(&summary("Bank", "Verify your email", 1)));
        let strict = Filter::new().subject("(?-i)^Verify").unwrap();
        assert!(!strict.matches_summary(&summary("x", "verify", 1)));
    }

    #[test]
    fn received_after_includes_the_same_second() {
        let filter = Filter::new().received_after(100);
        assert!(filter.matches_summary(&summary("x", "y", 100)));
        assert!(!filter.matches_summary(&summary("x", "y", 99)));
    }

    #[test]
    fn received_after_ms_uses_the_millisecond_where_the_server_gives_it() {
        let filter = Filter::new().received_after_ms(100_500);
        let at = |time_ms| MessageSummary { time_ms, ..summary("x", "y", 100) };
        assert!(filter.matches_summary(&at(Some(100_500))));
        assert!(!filter.matches_summary(&at(Some(100_499))), "just before: an older message");
        assert!(filter.matches_summary(&at(None)), "whole seconds only: the same second passes");
        assert!(!filter.matches_summary(&MessageSummary { time_ms: None, ..summary("x", "y", 99) }));
        assert_eq!(filter.earliest(), Some(100));
    }

    #[test]
    fn body_and_recipients_are_checked_on_the_whole_message() {
        let filter = Filter::new().body(r"\b\d{6}\b").unwrap().to("second@").unwrap();
        let message = Message {
            id: "m".into(),
            time: 1,
            expires_at: 2,
            time_ms: None,
            subject: "s".into(),
            from: "f".into(),
            to: "first@otpcatch.test".into(),
            recipients: vec!["first@otpcatch.test".into(), "second@otpcatch.test".into()],
            text: String::new(),
            html: "<b>123456</b>".into(),
            attachments: Vec::new(),
        };
        assert!(filter.needs_body());
        assert!(filter.matches(&message));
        assert!(!filter.matches(&Message { html: "no code".into(), ..message }));
    }

    #[test]
    fn a_bad_pattern_names_the_field() {
        let err = Filter::new().subject("(unclosed").unwrap_err();
        assert!(err.to_string().starts_with("invalid subject pattern"), "{err}");
    }
}
