//! What the web inbox's extraction panel shows: the rules in force, run on
//! each message the page opens, with the same reasons `extract --json` gives.

use std::sync::Arc;

use otpcatch_rules::{Candidate, Extraction, RuleSet};
use otpcatch_server::Explainer;
use serde_json::{Value, json};

/// An explainer over `rules`.
pub(crate) fn explainer(rules: RuleSet) -> Explainer {
    let rules = Arc::new(rules);
    Explainer::new(move |raw| {
        let message = otpcatch_rules::input::parse(otpcatch_rules::input::Format::Eml, raw);
        panel(&rules.extract(&message))
    })
}

/// The panel's JSON: what was found, what lost and why, and why rules
/// found nothing.
fn panel(extraction: &Extraction) -> Value {
    let runners_up = |candidates: &[Candidate]| -> Vec<Value> {
        candidates
            .iter()
            .map(|c| json!({ "value": c.value, "score": c.score, "confidence": c.confidence, "why": c.lost, "context": c.context }))
            .collect()
    };
    json!({
        "code": extraction.code,
        "link": extraction.link,
        "runnersUp": { "code": runners_up(&extraction.code_runners_up), "link": runners_up(&extraction.link_runners_up) },
        "misses": extraction.misses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panel_names_the_code_the_link_and_what_lost() {
        let raw = b"From: Shop <no-reply@shop.test>\r\nSubject: Confirm your email\r\n\r\n\
Your verification code is 482913. Order 77120 ships soon.\r\nConfirm: https://shop.test/verify?t=abc\r\n";
        let panel = explainer(RuleSet::built_in().unwrap()).explain(raw);
        assert_eq!(panel["code"]["value"], "482913");
        assert_eq!(panel["link"]["value"], "https://shop.test/verify?t=abc");
        let lost = panel["runnersUp"]["code"].as_array().unwrap();
        assert!(
            lost.iter().any(|c| c["value"] == "77120" && c["why"].as_str().is_some_and(|w| !w.is_empty())),
            "{panel}"
        );
    }

    #[test]
    fn a_mail_without_a_code_says_why() {
        let panel = explainer(RuleSet::built_in().unwrap()).explain(b"Subject: Hello\r\n\r\nJust saying hello.\r\n");
        assert!(panel["code"].is_null());
        assert!(!panel["misses"].as_array().unwrap().is_empty(), "{panel}");
    }
}
