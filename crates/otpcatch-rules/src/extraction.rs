//! The answer: the code and the link, each with the rule and the reason
//! that produced it, or the reasons nothing was found.

use serde::Serialize;

/// A value found in a message, and why it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    /// The code or the link.
    pub value: String,
    /// The rule that found it.
    pub rule: String,
    /// Which extractor of the rule: `code[1]`, `link[2]`.
    pub extractor: String,
    /// Why: the score and what announced the value, or the pattern that matched.
    pub reason: String,
    /// The text around the value, with the value in brackets.
    pub context: String,
}

/// What the rules found in one message.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extraction {
    /// The one-time code, if any.
    pub code: Option<Found>,
    /// The confirmation link, if any.
    pub link: Option<Found>,
    /// For each rule tried that found nothing: why.
    pub misses: Vec<String>,
}
