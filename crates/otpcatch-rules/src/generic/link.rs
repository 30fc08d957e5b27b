//! Finding the confirmation link without a site-specific rule.
//!
//! Candidates are the HTML's links (with what a reader sees of them) and
//! the URLs of the text part (with the words around them). A link wins by
//! its words: a call to action in its text or label (verify, confirm,
//! activate, sign in, in many languages), or in its URL, helped by button
//! styling. Unsubscribe, privacy, help, social and view-in-browser links,
//! logos and `mailto:` never win. The href is returned as written (entities
//! decoded), tracking redirects included: that is what a browser follows.

use std::sync::LazyLock;

use regex::Regex;

use super::lexicon::{Lexicon, matches};
use super::{Finding, Views};
use crate::postprocess::decode_entities;
use crate::render::Anchor;

/// The score a link needs.
const THRESHOLD: f64 = 3.0;

static URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"https?://[^\s<>"'\]\[]+"#).expect("valid"));
static URL_KEYWORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)verif|confirm|activat|validat|magic|sign-?in|log-?in|auth|callback|invit|token|email_?verification|passwordless|otp|reset",
    )
    .expect("valid")
});
/// An opaque token: a long query value or path segment, as every
/// verification and magic link carries.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[=/][A-Za-z0-9_.%:\-]{12,}").expect("valid"));

struct Candidate {
    href: String,
    score: f64,
    reason: String,
    context: String,
}

/// The link, or why there is none.
pub(crate) fn find(lexicon: &Lexicon, views: &Views<'_>, anchors: &[Anchor]) -> Result<Finding, String> {
    if let Some(notice) = super::code::notice(lexicon, views) {
        return Err(format!("this looks like a notice, not a verification (it says {notice:?})"));
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    // Where the rendered text has words of a call to action: an anchor far
    // from all of them, whose URL says nothing either, cannot win.
    let spots: Vec<usize> = [&lexicon.link_keywords, &lexicon.sign_in_keywords]
        .into_iter()
        .flatten()
        .flat_map(|words| words.find_iter(views.rendered).map(|hit| hit.start()).collect::<Vec<_>>())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let worded = |from: usize, to: usize| {
        let first = spots.partition_point(|&s| s < from);
        spots.get(first).is_some_and(|&s| s <= to)
    };
    for anchor in anchors {
        let promising = worded(anchor.offset.saturating_sub(240), anchor.offset + anchor.text.len())
            || !anchor.label.is_empty()
            || URL_KEYWORDS.is_match(&anchor.href);
        if !promising {
            continue;
        }
        // What the sentence before the link says: "To verify your email, click here".
        let offset = anchor.offset.min(views.rendered.len());
        let window = offset.saturating_sub(240);
        let line_start =
            views.rendered.get(window..offset).and_then(|w| w.rfind('\n')).map_or(window, |i| window + i + 1);
        let sentence = views.rendered.get(line_start..offset).unwrap_or_default();
        if let Some(candidate) = score_anchor(lexicon, anchor, sentence, 2.0) {
            candidates.push(candidate);
        }
    }
    let line_starts: Vec<usize> =
        std::iter::once(0).chain(views.text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let text_spots: Vec<usize> = [&lexicon.link_keywords, &lexicon.sign_in_keywords]
        .into_iter()
        .flatten()
        .flat_map(|words| words.find_iter(views.text).map(|hit| hit.start()).collect::<Vec<_>>())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for found in URL.find_iter(views.text) {
        let first = text_spots.partition_point(|&s| s + 240 < found.start());
        let introduced = text_spots.get(first).is_some_and(|&s| s < found.start());
        if !introduced && !URL_KEYWORDS.is_match(found.as_str()) {
            continue;
        }
        let href = decode_entities(found.as_str().trim_end_matches(['.', ',', ';', ')', '>', '!', '?']));
        // The words introducing it: its line so far and up to two lines
        // before it that have text (at most 240 characters back).
        let line = line_starts.partition_point(|&s| s <= found.start()).saturating_sub(1);
        let line_start = line_starts[line];
        let mut context_start = line_start;
        let mut with_text = 0;
        let mut previous = line;
        while previous > 0 && with_text < 2 && found.start() - line_starts[previous - 1] < 240 {
            previous -= 1;
            context_start = line_starts[previous];
            if !views.text[context_start..line_starts[previous + 1]].trim().is_empty() {
                with_text += 1;
            }
        }
        let context_start = context_start.max(found.start().saturating_sub(240));
        let context_start =
            (context_start..=found.start()).find(|&i| views.text.is_char_boundary(i)).unwrap_or(found.start());
        let context = views.text[context_start..found.start()].trim();
        let line_start = (line_start.max(found.start().saturating_sub(240))..=found.start())
            .find(|&i| views.text.is_char_boundary(i))
            .unwrap_or(found.start());
        // In a text part, the words introducing a URL count as its text;
        // only its own line can make it an unsubscribe or help link.
        let anchor =
            Anchor { href, text: views.text[line_start..found.start()].trim().to_owned(), ..Anchor::default() };
        if let Some(mut candidate) = score_anchor(lexicon, &anchor, context, 3.0) {
            candidate.score -= 0.2; // what the HTML shows comes first
            candidates.push(candidate);
        }
    }
    // A link offered both in the HTML and in the text is the more likely one.
    let mut offered: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for candidate in &candidates {
        *offered.entry(candidate.href.clone()).or_default() += 1;
    }
    for candidate in &mut candidates {
        if offered.get(&candidate.href).is_some_and(|&n| n > 1) {
            candidate.score += 0.5;
        }
    }
    let best = candidates.into_iter().max_by(|a, b| a.score.total_cmp(&b.score));
    match best {
        Some(best) if best.score >= THRESHOLD => {
            Ok(Finding { value: best.href, reason: best.reason, context: best.context })
        }
        Some(best) => Err(format!(
            "the likeliest link, {:?}, scored {:.1}, below {THRESHOLD}: nothing calls it a verification",
            best.href, best.score
        )),
        None => Err("no link in the message".to_owned()),
    }
}

/// Scores one link. `sentence` is the text before it; a keyword there
/// counts `sentence_weight` (less than the link's own words in HTML, as
/// much in a text part, where the sentence is all the link has).
fn score_anchor(lexicon: &Lexicon, anchor: &Anchor, sentence: &str, sentence_weight: f64) -> Option<Candidate> {
    let href = anchor.href.trim();
    let lower = href.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return None; // mailto:, tel:, #fragments, javascript:
    }
    let host = lower.split("://").nth(1).and_then(|rest| rest.split(['/', '?', '#']).next()).unwrap_or_default();
    let words = format!("{} {}", anchor.text, anchor.label);
    let mut score = 0.0;
    let mut reasons = Vec::new();
    if let Some(keyword) = lexicon.link_keywords.as_ref().and_then(|k| k.find(&words)) {
        score += 3.0;
        reasons.push(format!("its text says {:?}", keyword.as_str()));
    } else if let Some(keyword) = lexicon.sign_in_keywords.as_ref().and_then(|k| k.find(&words)) {
        score += 2.0;
        reasons.push(format!("its text says {:?}", keyword.as_str()));
    } else if let Some(keyword) = lexicon.link_keywords.as_ref().and_then(|k| k.find(sentence)) {
        score += sentence_weight;
        reasons.push(format!("the words before it say {:?}", keyword.as_str()));
    } else if let Some(keyword) = lexicon.sign_in_keywords.as_ref().and_then(|k| k.find(sentence)) {
        score += sentence_weight - 1.0;
        reasons.push(format!("the words before it say {:?}", keyword.as_str()));
    }
    let path = lower.split_once(host).map_or(lower.as_str(), |(_, p)| p);
    let tokened = TOKEN.is_match(&href[href.len() - path.len()..]);
    match (URL_KEYWORDS.find(path), tokened) {
        (Some(keyword), true) => {
            score += 1.5;
            reasons.push(format!("its URL has {:?} and a token", keyword.as_str()));
        }
        (Some(keyword), false) => {
            score += 0.5;
            reasons.push(format!("its URL has {:?}", keyword.as_str()));
        }
        (None, true) => {
            score += 1.0;
            reasons.push("its URL carries a token".to_owned());
        }
        (None, false) => {}
    }
    if anchor.button {
        score += 1.0;
        reasons.push("styled as a button".to_owned());
    }
    if matches(&lexicon.link_ignore, &words) || matches(&lexicon.link_ignore, path) {
        score -= 6.0;
        reasons.push("it is an unsubscribe, privacy, help or browser link".to_owned());
    }
    if lexicon.ignore_hosts.iter().any(|h| host == h || host.ends_with(&format!(".{h}"))) {
        score -= 6.0;
        reasons.push(format!("{host} is a social network"));
    }
    if anchor.image_only {
        score -= 2.0;
        reasons.push("only an image".to_owned());
    }
    let shown = if anchor.text.is_empty() { anchor.label.as_str() } else { anchor.text.as_str() };
    Some(Candidate {
        href: href.to_owned(),
        score,
        reason: format!("score {score:.1}: {}", reasons.join(", ")),
        context: shown.chars().take(80).collect(),
    })
}
