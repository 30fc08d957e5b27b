//! What goes to stdout: one value per line, or JSON. The `--json` shapes
//! are part of the CLI's contract and live here.

use std::io::Write;

use otpcatch_rules::{Candidate, Extraction, Found};
use serde::Serialize;

/// Prints one value and a newline. A closed pipe is not an error.
pub(crate) fn print_value(value: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{value}");
}

/// Prints a value as one line of JSON.
pub(crate) fn print_json<T: Serialize>(value: &T) {
    if let Ok(json) = serde_json::to_string(value) {
        print_value(&json);
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
