//! What the generic heuristic's weights are fitted to: every candidate of
//! a message, with its features. Compiled only with the `training`
//! feature, for `scripts/fit-weights`; not part of the API.

use otpcatch_core::Message;

use crate::RuleSet;
use crate::generic::{self, Reading};

/// One candidate: the value, whether it may win at all, and its features.
#[derive(Debug, Clone)]
pub struct Row {
    /// The code or the link.
    pub value: String,
    /// Whether anything points at it and it is no known decoy: only these
    /// compete, so only these are fitted.
    pub eligible: bool,
    /// One value per feature, named by [`feature_names`].
    pub features: Vec<f64>,
}

/// The features of codes (`link == false`) or links, in vector order.
pub fn feature_names(link: bool) -> Vec<&'static str> {
    generic::feature_names(link)
}

/// Every code candidate (`link == false`) or link candidate of `message`,
/// as the built-in generic rule reads it. Empty when the heuristic decides
/// without its model (a notice, an origin-bound code line).
pub fn rows(rules: &RuleSet, message: &Message, link: bool) -> Vec<Row> {
    let lexicon = rules.lexicon();
    let rendered = crate::render::render(&message.html);
    let reading = Reading::new(lexicon, &message.subject, &message.text, &rendered);
    generic::described(lexicon, &reading, link)
        .into_iter()
        .map(|d| Row { eligible: d.eligible(), value: d.value, features: d.features })
        .collect()
}
