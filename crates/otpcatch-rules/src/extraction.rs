//! The answer: the code and the link, each with the rule and the reason
//! that produced it, the candidates that lost, or the reasons nothing was
//! found.

use serde::Serialize;

pub use crate::generic::Confidence;

/// A value found in a message, and why it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    /// The code or the link.
    pub value: String,
    /// The rule that found it.
    pub rule: String,
    /// Which extractor of the rule: `code[1]`, `link[2]`.
    pub extractor: String,
    /// Why: the score and the evidence, or the pattern that matched.
    pub reason: String,
    /// The text around the value, with the value in brackets.
    pub context: String,
    /// The generic heuristic's score, from 0 to 1; `None` for a site
    /// rule's pattern or selector, which either matches or not.
    pub score: Option<f64>,
    /// How sure the answer is: a site rule's match is `High`.
    pub confidence: Confidence,
}

/// A candidate the generic heuristic considered and did not choose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The code or the link.
    pub value: String,
    /// Its score, from 0 to 1.
    pub score: f64,
    /// How sure the heuristic would have been of it.
    pub confidence: Confidence,
    /// Why it lost: a known decoy, nothing pointing at it, or a lower score.
    pub lost: String,
    /// What counted for and against it.
    pub evidence: Vec<String>,
    /// The text around it.
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
    /// The other codes the generic heuristic considered, best first.
    pub code_runners_up: Vec<Candidate>,
    /// The other links the generic heuristic considered, best first.
    pub link_runners_up: Vec<Candidate>,
}
