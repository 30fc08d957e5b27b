//! How evidence becomes a score: a logistic model over named features,
//! with weights fitted to the corpus and kept as data in
//! `rules/generic.weights.toml`.
//!
//! Each candidate (a code or a link) is described by features: mostly 0 or
//! 1 ("a code keyword on the line above"), some counts. Its score is the
//! probability `1 / (1 + e^-(bias + Σ weight × feature))` that it is the
//! value the mail asks the reader to use. The weights are not set by hand:
//! `scripts/fit-weights` fits them to the project's corpus (see
//! ARCHITECTURE.md), so a new corpus case improves the model rather than
//! adding a special case.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

/// The fitted weights, embedded at build time.
pub(crate) const WEIGHTS_TOML: &str = include_str!("../../../../rules/generic.weights.toml");

/// Declares a feature enum with the names the weights file uses.
macro_rules! features {
    ($(#[$meta:meta])* $name:ident { $($(#[$doc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $name { $($(#[$doc])* $variant,)* }

        impl $name {
            /// Every feature, in the order of a feature vector.
            pub(crate) const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The feature's name in the weights file and in `--json`.
            pub(crate) fn name(self) -> &'static str {
                match self { $(Self::$variant => $text,)* }
            }
        }
    };
}

features! {
    /// What is known about a code candidate.
    CodeFeature {
        /// Six digits, the commonest shape of a one-time code.
        SixDigits = "six_digits",
        /// Four, five, seven or eight digits.
        OtherDigits = "other_digits",
        /// Capital letters and digits.
        Alphanumeric = "alphanumeric",
        /// Capital letters only.
        Letters = "letters",
        /// Lower-case letters with digits.
        MixedCase = "mixed_case",
        /// 13 to 64 letters and digits, introduced directly by a keyword.
        Long = "long",
        /// Printed in groups ("481 923", "KTNM-QXBR").
        Grouped = "grouped",
        /// A code keyword within 40 characters before or after, on its line.
        KeywordClose = "keyword_close",
        /// A code keyword further along its line.
        KeywordOnLine = "keyword_on_line",
        /// A code keyword on one of the two lines with text above it.
        KeywordAbove = "keyword_above",
        /// A code keyword on the line with text below it, and no other
        /// candidate between ("Use 908172 to sign in. The code expires…").
        KeywordBelow = "keyword_below",
        /// No other candidate between the nearest keyword before it and it.
        FirstAfterKeyword = "first_after_keyword",
        /// Right after a word that tells the reader to type ("Enter 481923").
        InstructionBefore = "instruction_before",
        /// A word of an action or a sign-in on its line ("Enter 481923 to verify").
        ActionOnLine = "action_on_line",
        /// The subject announces a code.
        SubjectAnnounces = "subject_announces",
        /// The same value is in the subject and the body.
        InSubjectAndBody = "in_subject_and_body",
        /// The same value is in the text part and the HTML.
        InTextAndHtml = "in_text_and_html",
        /// Alone on its line (or table cell row, or block).
        AloneOnLine = "alone_on_line",
        /// Set apart: bold, large, monospaced, letter-spaced or boxed.
        Emphasised = "emphasised",
        /// Both announced (a keyword on its line, above or below it) and
        /// set apart (alone, emphasised, or right after "enter"): the way
        /// every sender presents a code.
        AnnouncedAndSetApart = "announced_and_set_apart",
        /// An expiry ("expires in 10 minutes") within two lines.
        ExpiryNear = "expiry_near",
        /// Only in the subject.
        OnlyInSubject = "only_in_subject",
        /// A year between 1900 and 2100.
        Year = "year",
        /// Right after `#`.
        AfterHash = "after_hash",
        /// In the footer: after "unsubscribe", "all rights reserved", ©.
        InFooter = "in_footer",
        /// Quoted from an earlier message (`>` lines, `<blockquote>`): in a
        /// reply, an older code.
        Quoted = "quoted",
        /// How many other values have strong evidence too (a keyword next to
        /// them, or announced and set apart): log2(1 + n).
        Rivals = "rivals",
    }
}

features! {
    /// What is known about a link candidate.
    LinkFeature {
        /// Its own text or label names the action: verify, confirm, reset.
        TextAction = "text_action",
        /// Its own text or label says sign in.
        TextSignIn = "text_sign_in",
        /// The sentence it is in names the action ("Use this link to confirm").
        SentenceAction = "sentence_action",
        /// The sentence it is in says sign in.
        SentenceSignIn = "sentence_sign_in",
        /// The lines just above it name the action ("Click below to verify:").
        AboveAction = "above_action",
        /// The lines just above it say sign in.
        AboveSignIn = "above_sign_in",
        /// Its sentence or the lines above point at a link ("the link below").
        Pointed = "pointed",
        /// The subject names an action or a sign-in.
        SubjectAction = "subject_action",
        /// Its path or query names an action (`/verify`, `/reset/`, `magic`).
        UrlAction = "url_action",
        /// Its path or query carries an opaque token.
        UrlToken = "url_token",
        /// Its path names an action and it carries a token: the shape of
        /// every verification, reset and magic link.
        ActionUrlWithToken = "action_url_with_token",
        /// Styled as a button.
        Button = "button",
        /// Its text is the URL itself.
        TextIsUrl = "text_is_url",
        /// Offered both in the HTML and in the text part.
        InTextAndHtml = "in_text_and_html",
        /// The only link in the mail that is not a known non-action.
        OnlyLink = "only_link",
        /// The first link in the mail with evidence of an action.
        FirstActionLink = "first_action_link",
        /// Its sentence refuses or undoes ("if this wasn't you").
        RevokeNear = "revoke_near",
        /// A plain page: no token, no query, at most two path segments.
        PlainPage = "plain_page",
        /// Only an image, with no words of an action.
        ImageOnly = "image_only",
        /// In the footer.
        InFooter = "in_footer",
        /// Its URL carries the code the mail gives ("…?code=947604").
        CarriesCode = "carries_code",
        /// A link with no token in a mail that gives a code: secondary.
        SecondaryToCode = "secondary_to_code",
        /// Nothing in the mail's words names an action or a sign-in.
        QuietMail = "quiet_mail",
        /// How many other links are not known non-actions: log2(1 + n).
        Rivals = "rivals",
    }
}

/// How sure the heuristic is of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Below the bar: returned only when the value was asked for.
    Low,
    /// Above the bar.
    Medium,
    /// A score of 0.9 or more, or a site rule's match.
    High,
}

impl Confidence {
    /// `low`, `medium` or `high`, as `--json` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

impl std::fmt::Display for Confidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The weights of one target's model.
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    bias: f64,
    /// The score a value needs when it was not asked for.
    pub(crate) bar: f64,
    weights: Vec<f64>,
}

impl Weights {
    /// The score: the probability that a candidate with `features` is the value.
    pub(crate) fn score(&self, features: &[f64]) -> f64 {
        let logit: f64 = self.bias + self.weights.iter().zip(features).map(|(w, x)| w * x).sum::<f64>();
        1.0 / (1.0 + (-logit).exp())
    }

    pub(crate) fn confidence(&self, score: f64) -> Confidence {
        if score >= 0.9 {
            Confidence::High
        } else if score >= self.bar {
            Confidence::Medium
        } else {
            Confidence::Low
        }
    }
}

/// Both models.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub(crate) code: Weights,
    pub(crate) link: Weights,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    code: WeightsFile,
    link: WeightsFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightsFile {
    bias: f64,
    bar: f64,
    weights: BTreeMap<String, f64>,
}

impl Model {
    /// Parses a weights file; every feature must have a weight, and every
    /// weight a feature.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let file: ModelFile = toml::from_str(text).map_err(|e| e.to_string())?;
        Ok(Self {
            code: weights(file.code, CodeFeature::ALL.iter().map(|f| f.name()), "code")?,
            link: weights(file.link, LinkFeature::ALL.iter().map(|f| f.name()), "link")?,
        })
    }
}

fn weights<'n>(file: WeightsFile, names: impl Iterator<Item = &'n str>, target: &str) -> Result<Weights, String> {
    let mut remaining = file.weights;
    let weights = names
        .map(|name| remaining.remove(name).ok_or_else(|| format!("[{target}.weights] has no weight for {name}")))
        .collect::<Result<Vec<f64>, String>>()?;
    if let Some(unknown) = remaining.keys().next() {
        return Err(format!("[{target}.weights] has a weight for {unknown}, which is no feature"));
    }
    Ok(Weights { bias: file.bias, bar: file.bar, weights })
}

/// The built-in model.
pub(crate) static MODEL: LazyLock<Model> =
    LazyLock::new(|| Model::parse(WEIGHTS_TOML).expect("rules/generic.weights.toml is tested to parse"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_weights_cover_every_feature() {
        let model = Model::parse(WEIGHTS_TOML).unwrap();
        assert_eq!(model.code.weights.len(), CodeFeature::ALL.len());
        assert_eq!(model.link.weights.len(), LinkFeature::ALL.len());
        assert!((0.0..1.0).contains(&model.code.bar) && (0.0..1.0).contains(&model.link.bar));
    }

    #[test]
    fn a_missing_or_unknown_weight_is_an_error() {
        let missing = WEIGHTS_TOML.replace("six_digits =", "sixdigits =");
        let error = Model::parse(&missing).unwrap_err();
        assert!(error.contains("no weight for six_digits"), "{error}");
    }
}
