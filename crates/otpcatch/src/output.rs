//! What goes to stdout: one value per line, or JSON. The `--json` shapes
//! are part of the CLI's contract and live here.
//!
//! A value that could not be written is an error (exit 7): a script that
//! runs `CODE=$(otpcatch wait-for-code …)` must not see success and an
//! empty code because the disk was full. A reader that closed the pipe
//! early (`… | head -1`) wanted no more, so a broken pipe is not one.

use std::io::Write;

use otpcatch_core::NewAddress;
use otpcatch_rules::{Candidate, Extraction, Found};
use serde::Serialize;

use crate::exit::Failure;

/// Prints one value and a newline, and flushes it.
pub(crate) fn print_value(value: &str) -> Result<(), Failure> {
    print_bytes(format!("{value}\n").as_bytes())
}

/// Prints each value on a line of its own, escaped so that none can
/// become two lines.
pub(crate) fn print_values(values: &[String]) -> Result<(), Failure> {
    let mut text = values.iter().map(|v| crate::escape::field(v)).collect::<Vec<_>>().join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    print_bytes(text.as_bytes())
}

/// Prints a value as one line of JSON.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let json = serde_json::to_string(value).map_err(|e| Failure::output(format!("could not encode the JSON: {e}")))?;
    print_value(&json)
}

/// Writes `bytes` to stdout and flushes them.
pub(crate) fn print_bytes(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::output(format!("could not write the result to stdout: {e}"))),
    }
}

/// `new-address --json`: `{"email", "account", "domain", "type"}`, the
/// fields and names of 22.do's answer.
#[derive(Debug, Serialize)]
pub(crate) struct AddressJson<'a> {
    email: &'a str,
    account: &'a str,
    domain: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

impl<'a> AddressJson<'a> {
    pub(crate) fn new(address: &'a NewAddress) -> Self {
        Self { email: &address.email, account: &address.local_part, domain: &address.domain, kind: address.kind.name() }
    }
}

/// `--json` for extraction: `{"code", "link", "rule", "reason", …}`.
#[derive(Debug, Serialize)]
pub(crate) struct ExtractionJson<'a> {
    code: Option<&'a str>,
    link: Option<&'a str>,
    /// The rule that found the code (or, failing that, the link).
    rule: Option<&'a str>,
    /// Why the code (or link) was chosen.
    reason: Option<&'a str>,
    /// The details of each: rule, extractor, reason, context, score, confidence.
    details: Details<'a>,
    /// The other candidates the generic heuristic weighed, best first, and
    /// why each lost.
    runners_up: RunnersUp<'a>,
    /// Why rules that were tried found nothing.
    misses: &'a [String],
}

#[derive(Debug, Serialize)]
struct Details<'a> {
    code: Option<&'a Found>,
    link: Option<&'a Found>,
}

#[derive(Debug, Serialize)]
struct RunnersUp<'a> {
    code: &'a [Candidate],
    link: &'a [Candidate],
}

impl<'a> ExtractionJson<'a> {
    pub(crate) fn new(extraction: &'a Extraction) -> Self {
        let primary = extraction.code.as_ref().or(extraction.link.as_ref());
        Self {
            code: extraction.code.as_ref().map(|f| f.value.as_str()),
            link: extraction.link.as_ref().map(|f| f.value.as_str()),
            rule: primary.map(|f| f.rule.as_str()),
            reason: primary.map(|f| f.reason.as_str()),
            details: Details { code: extraction.code.as_ref(), link: extraction.link.as_ref() },
            runners_up: RunnersUp { code: &extraction.code_runners_up, link: &extraction.link_runners_up },
            misses: &extraction.misses,
        }
    }
}

/// The reasons nothing was found, one per line, for error messages.
pub(crate) fn misses(extraction: &Extraction) -> String {
    let mut lines: Vec<String> = extraction.misses.iter().map(|m| format!("  {m}")).collect();
    lines.push(
        "hint: `otpcatch extract --json` shows what every rule saw; write a rule for this sender (see rules/)"
            .to_owned(),
    );
    lines.join("\n")
}

/// `wait --json` and friends: the message and what was extracted from it.
#[derive(Debug, Serialize)]
pub(crate) struct MessageJson<'a> {
    id: &'a str,
    time: i64,
    from: &'a str,
    to: &'a str,
    subject: &'a str,
    text: &'a str,
    html: &'a str,
    code: Option<&'a str>,
    link: Option<&'a str>,
    rule: Option<&'a str>,
    reason: Option<&'a str>,
    details: Details<'a>,
    runners_up: RunnersUp<'a>,
}

impl<'a> MessageJson<'a> {
    pub(crate) fn new(message: &'a otpcatch_core::Message, extraction: &'a Extraction) -> Self {
        let summary = ExtractionJson::new(extraction);
        Self {
            id: &message.id,
            time: message.time,
            from: &message.from,
            to: &message.to,
            subject: &message.subject,
            text: &message.text,
            html: &message.html,
            code: summary.code,
            link: summary.link,
            rule: summary.rule,
            reason: summary.reason,
            details: summary.details,
            runners_up: summary.runners_up,
        }
    }
}
