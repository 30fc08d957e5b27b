//! The built-in heuristic behind the `generic` extractor kind: finds a
//! code and a link in any verification email, with no site-specific rule.
//!
//! It works in three steps, the same for codes and links:
//!
//! 1. **Read** the message once ([`Reading`]): the subject, the text part
//!    and the rendered HTML, each with its lines and the vocabulary's words
//!    indexed ([`text::Text`]), plus the HTML's links and emphasised spans.
//! 2. **Describe** every candidate (a number or code-like token near
//!    evidence, or a link) by named features: the words around it, its
//!    line, its shape, its URL ([`code`], [`link`]).
//! 3. **Score** the features with a fitted logistic model ([`score`]) and
//!    choose: the best candidate, if it clears the bar or (when the value
//!    was asked for) if it has any evidence and is no known decoy.
//!
//! The vocabulary (keywords in many languages) is data, in
//! `rules/generic.toml`; so are the weights, in `rules/generic.weights.toml`.

mod code;
mod lexicon;
mod link;
mod reach;
mod score;
mod text;

pub(crate) use lexicon::Lexicon;
pub use score::Confidence;
pub(crate) use text::snippet;

use crate::extraction::Candidate;
use crate::render::{Anchor, Rendered};
pub(crate) use crate::source::Source;
use text::Text;

/// How much each text of a message the heuristic reads: twice what Gmail
/// shows before clipping a message.
pub(crate) const SCAN_BYTES: usize = 256 * 1024;

/// How sure a value must be to be returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bar {
    /// The caller asked for this value (`wait-for-code`, `extract --link`):
    /// the best candidate with any evidence that is no known decoy.
    Asked,
    /// An overview of what the mail holds (`extract --json`): only a
    /// candidate whose score clears the model's bar.
    Overview,
}

/// A message as the heuristic reads it.
#[derive(Debug)]
pub(crate) struct Reading {
    pub(crate) subject: Text,
    pub(crate) text: Text,
    pub(crate) html: Text,
    pub(crate) anchors: Vec<Anchor>,
    pub(crate) emphasis: Vec<(usize, usize)>,
    /// The HTML's quoted spans (see [`Rendered::quoted`]).
    pub(crate) quoted: Vec<(usize, usize)>,
    /// The code candidates, described once: the link finder asks which
    /// code a link carries.
    codes: std::sync::OnceLock<Vec<Described>>,
}

impl Reading {
    pub(crate) fn new(lexicon: &Lexicon, subject: &str, text: &str, rendered: &Rendered) -> Self {
        let prefix = crate::render::prefix;
        Self {
            subject: Text::new(lexicon, prefix(subject, 4096)),
            text: Text::new(lexicon, prefix(text, SCAN_BYTES)),
            html: Text::new(lexicon, prefix(&rendered.text, SCAN_BYTES)),
            anchors: rendered.anchors.clone(),
            emphasis: rendered.emphasis.clone(),
            quoted: rendered.quoted.clone(),
            codes: std::sync::OnceLock::new(),
        }
    }

    /// The code candidates, described (see [`code::described`]).
    pub(crate) fn codes(&self, lexicon: &Lexicon) -> &[Described] {
        self.codes.get_or_init(|| code::described(lexicon, self))
    }

    /// One of the texts the heuristic reads. It reads HTML only as a
    /// reader sees it, so the HTML source is its rendered text too.
    pub(crate) fn get(&self, source: Source) -> &Text {
        match source {
            Source::Subject => &self.subject,
            Source::Text => &self.text,
            Source::Rendered | Source::Html => &self.html,
        }
    }

    /// The notice phrase the message opens with, if any: a notice says what
    /// happened in its first lines, so only the first 8 KB of each text count.
    pub(crate) fn notice(&self) -> Option<&str> {
        [&self.subject, &self.html, &self.text]
            .into_iter()
            .find_map(|t| t.find(lexicon::List::Notice, 0..8192).map(|hit| t.word(hit)))
    }
}

/// What the heuristic chose, and why.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub(crate) value: String,
    pub(crate) reason: String,
    pub(crate) context: String,
    pub(crate) score: f64,
    pub(crate) confidence: Confidence,
}

/// The heuristic's answer: the value (or why there is none), and the
/// candidates that lost, best first, each with the reason it lost.
#[derive(Debug, Clone)]
pub(crate) struct Judgement {
    pub(crate) chosen: Result<Finding, String>,
    pub(crate) runners_up: Vec<Candidate>,
}

/// How many runners-up a judgement keeps.
const RUNNERS_UP: usize = 8;

/// The code in a message, or why there is none.
pub(crate) fn find_code(lexicon: &Lexicon, reading: &Reading, bar: Bar) -> Judgement {
    code::find(lexicon, reading, bar)
}

/// The confirmation link in a message, or why there is none.
pub(crate) fn find_link(lexicon: &Lexicon, reading: &Reading, bar: Bar) -> Judgement {
    link::find(lexicon, reading, bar)
}

/// Every candidate of a message, described, as the model sees them: none
/// when the heuristic decides without the model.
#[cfg(feature = "training")]
pub(crate) fn described(lexicon: &Lexicon, reading: &Reading, link: bool) -> Vec<Described> {
    if link {
        if reading.notice().is_some() { Vec::new() } else { link::described(lexicon, reading) }
    } else if code::decided_without_model(reading) {
        Vec::new()
    } else {
        reading.codes(lexicon).to_vec()
    }
}

/// The names of the code (or link) features, in vector order.
#[cfg(feature = "training")]
pub(crate) fn feature_names(link: bool) -> Vec<&'static str> {
    if link {
        score::LinkFeature::ALL.iter().map(|f| f.name()).collect()
    } else {
        score::CodeFeature::ALL.iter().map(|f| f.name()).collect()
    }
}

/// A candidate of either kind, described for the model.
#[derive(Debug, Clone)]
pub(crate) struct Described {
    pub(crate) value: String,
    /// One value per feature, in the order of the feature enum.
    pub(crate) features: Vec<f64>,
    /// Whether anything points at it (the asked-for bar).
    pub(crate) evidence: bool,
    /// Why it can never win, if it is a known decoy or non-action.
    pub(crate) decoy: Option<String>,
    /// What counted for and against it, in words; left empty by a finder
    /// that explains on demand (see [`judge`]).
    pub(crate) reasons: Vec<String>,
    pub(crate) context: String,
    /// Where the finder found it, for explaining it on demand.
    pub(crate) origin: usize,
}

impl Described {
    /// Whether it may win at all: something points at it, and it is no decoy.
    pub(crate) fn eligible(&self) -> bool {
        self.evidence && self.decoy.is_none()
    }
}

/// Scores the candidates, keeps the best-scoring one of each value, and
/// chooses among them. `explain` gives a candidate's reasons in words; it
/// is asked only of the winner and the runners-up shown, so a finder can
/// leave the words out of the many candidates no one will read about.
fn judge(
    described: Vec<Described>,
    weights: &score::Weights,
    bar: Bar,
    what: &str,
    explain: &dyn Fn(&Described) -> Vec<String>,
) -> Judgement {
    let mut best: Vec<(f64, Described)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for d in described {
        let score = weights.score(&d.features);
        match index.get(&d.value) {
            Some(&at) if best[at].0 >= score => {}
            Some(&at) => best[at] = (score, d),
            None => {
                index.insert(d.value.clone(), best.len());
                best.push((score, d));
            }
        }
    }
    best.sort_by(|a, b| b.0.total_cmp(&a.0));
    let eligible = |(score, d): &(f64, Described)| {
        d.eligible()
            && match bar {
                Bar::Asked => true,
                Bar::Overview => *score >= weights.bar,
            }
    };
    let winner = best.iter().position(eligible);
    let winner_score = winner.map(|i| best[i].0);
    let runners_up = best
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i) != winner)
        .take(RUNNERS_UP)
        .map(|(_, (score, d))| Candidate {
            value: d.value.clone(),
            score: round(*score),
            confidence: weights.confidence(*score),
            lost: match (&d.decoy, winner_score) {
                (Some(decoy), _) => decoy.clone(),
                (None, _) if !d.evidence => format!("nothing in the mail points at this {what}"),
                (None, Some(chosen)) => format!("scored {score:.2}, below the chosen {what}'s {chosen:.2}"),
                (None, None) => format!("scored {score:.2}, below the bar of {:.2}", weights.bar),
            },
            evidence: explain(d),
            context: d.context.clone(),
        })
        .collect();
    let chosen = match winner {
        Some(i) => {
            let (score, d) = best.swap_remove(i);
            let confidence = weights.confidence(score);
            Ok(Finding {
                reason: format!("score {score:.2} ({confidence}): {}", explain(&d).join(", ")),
                value: d.value,
                context: d.context,
                score: round(score),
                confidence,
            })
        }
        None => Err(match best.first() {
            None => format!("no {what} candidate in the message"),
            Some((score, d)) => match (&d.decoy, d.evidence) {
                (Some(decoy), _) => format!("the likeliest {what}, {:?}, {decoy}", d.value),
                (None, false) => format!("nothing in the mail points at any {what} (the likeliest was {:?})", d.value),
                (None, true) => format!(
                    "the likeliest {what}, {:?}, scored {score:.2}, below the bar of {:.2}",
                    d.value, weights.bar
                ),
            },
        }),
    };
    Judgement { chosen, runners_up }
}

fn round(score: f64) -> f64 {
    (score * 1000.0).round() / 1000.0
}
