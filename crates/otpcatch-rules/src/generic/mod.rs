//! The built-in heuristic behind the `generic` extractor kind: finds a
//! code and a link in any verification email, with no site-specific rule.
//! Its vocabulary (keywords in many languages) is data, in
//! `rules/generic.toml`.

mod code;
mod lexicon;
mod link;

pub(crate) use code::snippet;
pub(crate) use lexicon::Lexicon;

use crate::render::Anchor;

/// The texts a message offers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Views<'a> {
    pub(crate) subject: &'a str,
    /// The text/plain part (may be empty).
    pub(crate) text: &'a str,
    /// The HTML rendered to text (may be empty).
    pub(crate) rendered: &'a str,
}

/// Which of the texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    Subject,
    Text,
    Rendered,
}

impl View {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Subject => "subject",
            Self::Text => "text part",
            Self::Rendered => "HTML",
        }
    }
}

impl Views<'_> {
    pub(crate) fn get(&self, view: View) -> &str {
        match view {
            View::Subject => self.subject,
            View::Text => self.text,
            View::Rendered => self.rendered,
        }
    }
}

/// What the heuristic found, and why.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub(crate) value: String,
    pub(crate) reason: String,
    pub(crate) context: String,
}

/// The code in a message, or why there is none.
pub(crate) fn find_code(lexicon: &Lexicon, views: &Views<'_>) -> Result<Finding, String> {
    code::find(lexicon, views)
}

/// The confirmation link in a message, or why there is none.
pub(crate) fn find_link(lexicon: &Lexicon, views: &Views<'_>, anchors: &[Anchor]) -> Result<Finding, String> {
    link::find(lexicon, views, anchors)
}
