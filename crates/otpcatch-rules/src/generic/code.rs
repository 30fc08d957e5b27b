//! Finding the one-time code without a site-specific rule.
//!
//! Every number and code-like token in the subject, the text part and the
//! rendered HTML is a candidate. Decoys are dropped outright when their
//! shape gives them away (dates, times, phone numbers, prices, durations,
//! numbers inside URLs and addresses) and penalised when only their context
//! does (order numbers, years, coupons, footers). The rest are scored by
//! what announces them: a code keyword just before or after, a line of
//! their own, the same value in several places. A candidate needs a keyword
//! to win: a newsletter or a receipt yields nothing rather than a guess.

use std::sync::LazyLock;

use regex::Regex;

use super::lexicon::{Lexicon, matches};
use super::{Finding, View, Views};

/// The score a candidate needs.
const THRESHOLD: f64 = 3.0;

static ORIGIN_BOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})[ \t]+#([A-Za-z0-9-]{4,12})[ \t\r]*$").expect("valid")
});
static MASKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:https?://|www\.)\S+",       // URLs
        r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",      // email addresses
        r"|#[0-9a-f]*[a-f][0-9a-f]*\b",        // CSS colours
        r"|&#?\w{1,8};",                       // entities left in text
        r"|\b\d{1,2}:\d{2}(?::\d{2})?\b",      // times
        r"|\b\d{1,4}[./]\d{1,2}[./]\d{1,4}\b", // dates
    ))
    .expect("valid")
});
static NUMERIC_RUN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+(?:[ \-\u{2009}]\d+)*").expect("valid"));
static ALPHANUMERIC: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*").expect("valid"));
static UNIT_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\d+[A-Za-z]{1,3}|[A-Za-z]{1,3}\d{1,3}|\d+(?:st|nd|rd|th))$").expect("valid"));
static FOOTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)unsubscribe|©|all rights reserved|\(c\) 20\d\d").expect("valid"));
static LETTERS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[A-Z]{4,8}(?:-[A-Z]{3,8})?\b").expect("valid"));

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Digits,
    Alphanumeric,
    Letters,
}

#[derive(Debug, Clone)]
struct Candidate {
    value: String,
    view: View,
    start: usize,
    end: usize,
    shape: Shape,
    score: f64,
    evidence: Option<String>,
    notes: Vec<&'static str>,
}

/// The code, or why there is none.
pub(crate) fn find(lexicon: &Lexicon, views: &Views<'_>) -> Result<Finding, String> {
    for view in [View::Text, View::Rendered] {
        if let Some(captures) = ORIGIN_BOUND.captures(views.get(view)) {
            let line = captures.get(0).map_or("", |m| m.as_str()).trim();
            return Ok(Finding {
                value: captures[2].to_owned(),
                reason: format!("an origin-bound line for {} in the {}", &captures[1], view.describe()),
                context: line.to_owned(),
            });
        }
    }
    if let Some(notice) = notice(lexicon, views) {
        return Err(format!("this looks like a notice, not a verification (it says {notice:?})"));
    }
    let subject_announces = matches(&lexicon.code_keywords, views.subject);
    let mut candidates = Vec::new();
    for view in [View::Rendered, View::Text, View::Subject] {
        let text = views.get(view);
        if !text.is_empty() {
            candidates.extend(candidates_in(lexicon, view, text, subject_announces));
        }
    }
    // The same value in several places is more likely the code.
    let mut best: Option<Candidate> = None;
    for candidate in &candidates {
        let places = candidates.iter().filter(|c| c.value == candidate.value).map(|c| c.view).collect::<Vec<_>>();
        let mut scored = candidate.clone();
        let distinct = [View::Rendered, View::Text, View::Subject].iter().filter(|v| places.contains(v)).count();
        if distinct > 1 {
            scored.score += 0.5 * (distinct - 1) as f64;
            scored.notes.push("repeated");
        }
        if scored.evidence.is_some() && best.as_ref().is_none_or(|b| scored.score > b.score) {
            best = Some(scored);
        }
    }
    match best {
        Some(best) if best.score >= THRESHOLD => {
            let text = views.get(best.view);
            Ok(Finding {
                reason: format!(
                    "score {:.1}: {} in the {} {}{}",
                    best.score,
                    match best.shape {
                        Shape::Digits => format!("{}-digit code", best.value.len()),
                        Shape::Alphanumeric => "alphanumeric code".to_owned(),
                        Shape::Letters => "letter code".to_owned(),
                    },
                    best.view.describe(),
                    best.evidence.as_deref().unwrap_or_default(),
                    if best.notes.is_empty() { String::new() } else { format!(" ({})", best.notes.join(", ")) }
                ),
                context: snippet(text, best.start, best.end),
                value: best.value,
            })
        }
        Some(best) => {
            Err(format!("the likeliest candidate, {:?}, scored {:.1}, below {THRESHOLD}", best.value, best.score))
        }
        None if candidates.is_empty() => Err("no number or code-like token in the message".to_owned()),
        None => Err("no candidate is announced by a code keyword".to_owned()),
    }
}

fn notice(lexicon: &Lexicon, views: &Views<'_>) -> Option<String> {
    let notice = lexicon.notice.as_ref()?;
    [views.subject, views.rendered, views.text].iter().find_map(|t| notice.find(t).map(|m| m.as_str().to_owned()))
}

/// Replaces URLs, addresses, colours, entities, times and dates with spaces,
/// keeping every offset.
fn mask(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut last = 0;
    for m in MASKED.find_iter(text) {
        masked.push_str(&text[last..m.start()]);
        masked.extend(std::iter::repeat_n(' ', m.len()));
        last = m.end();
    }
    masked.push_str(&text[last..]);
    masked
}

fn worded(c: char) -> bool {
    c.is_alphanumeric() && (c as u32) < 0x0530
}

fn candidates_in(lexicon: &Lexicon, view: View, text: &str, subject_announces: bool) -> Vec<Candidate> {
    let masked = mask(text);
    let keywords: Vec<(usize, usize)> = lexicon
        .code_keywords
        .as_ref()
        .map(|k| {
            k.find_iter(&masked)
                .map(|m| (m.start(), m.end()))
                .filter(|&(s, _)| !qualified_away(lexicon, &masked, s))
                .collect()
        })
        .unwrap_or_default();
    let mut found = Vec::new();
    for run in NUMERIC_RUN.find_iter(&masked) {
        for (start, end, value) in numeric_values(lexicon, &masked, run.start(), run.end()) {
            found.push(Candidate {
                value,
                view,
                start,
                end,
                shape: Shape::Digits,
                score: 0.0,
                evidence: None,
                notes: vec![],
            });
        }
    }
    for token in ALPHANUMERIC.find_iter(&masked) {
        let raw = token.as_str();
        let value: String = raw.chars().filter(|&c| c != '-').collect();
        let has_digit = value.chars().any(|c| c.is_ascii_digit());
        let has_letter = value.chars().any(|c| c.is_ascii_alphabetic());
        let has_lower = value.chars().any(|c| c.is_ascii_lowercase());
        if !(has_digit && has_letter && (4..=12).contains(&value.len())) || UNIT_LIKE.is_match(raw) {
            continue;
        }
        if has_lower && (value.len() < 6 || value.chars().filter(|c| c.is_ascii_digit()).count() < 2) {
            continue;
        }
        if !boundary_ok(&masked, token.start(), token.end()) {
            continue;
        }
        found.push(Candidate {
            value,
            view,
            start: token.start(),
            end: token.end(),
            shape: Shape::Alphanumeric,
            score: 0.0,
            evidence: None,
            notes: vec![],
        });
    }
    for token in LETTERS.find_iter(&masked) {
        let value: String = token.as_str().chars().filter(|&c| c != '-').collect();
        if lexicon.not_codes.contains(token.as_str())
            || token.as_str().split('-').any(|w| lexicon.not_codes.contains(w))
        {
            continue;
        }
        found.push(Candidate {
            value,
            view,
            start: token.start(),
            end: token.end(),
            shape: Shape::Letters,
            score: 0.0,
            evidence: None,
            notes: vec![],
        });
    }
    let footer = FOOTER.find(&masked).map_or(usize::MAX, |m| m.start());
    for candidate in &mut found {
        score(lexicon, &masked, &keywords, candidate, subject_announces);
        if candidate.start > footer {
            candidate.score -= 2.0;
            candidate.notes.push("in the footer");
        }
    }
    found.retain(|c| c.score > f64::MIN);
    found
}

/// Whether the keyword at `start` is really "promo code", "zip code" and
/// the like: then it announces no one-time code.
fn qualified_away(lexicon: &Lexicon, text: &str, start: usize) -> bool {
    let before = tail(text, start, 24);
    let ends_with = |regex: &Option<Regex>| {
        regex.as_ref().is_some_and(|r| r.find_iter(before).last().is_some_and(|m| before[m.end()..].trim().is_empty()))
    };
    ends_with(&lexicon.promo) || ends_with(&lexicon.reference)
}

/// The last `chars` characters before byte `at`.
fn tail(text: &str, at: usize, chars: usize) -> &str {
    let before = &text[..at];
    let start = before.char_indices().rev().nth(chars.saturating_sub(1)).map_or(0, |(i, _)| i);
    &before[start..]
}

/// The first `chars` characters from byte `at`.
fn head(text: &str, at: usize, chars: usize) -> &str {
    let after = &text[at..];
    let end = after.char_indices().nth(chars).map_or(after.len(), |(i, _)| i);
    &after[..end]
}

fn boundary_ok(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| worded(c) || c == '_') && !after.is_some_and(|c| worded(c) || c == '_')
}

/// The codes a run of digits (with single spaces or dashes) stands for.
fn numeric_values(lexicon: &Lexicon, text: &str, start: usize, end: usize) -> Vec<(usize, usize, String)> {
    if !boundary_ok(text, start, end) {
        return Vec::new();
    }
    let before: Vec<char> = text[..start].chars().rev().take(3).collect();
    let after = head(text, end, 12);
    let mut after_chars = after.chars();
    let next = after_chars.next();
    let next2 = after_chars.next();
    // Decimals, prices, phone numbers and versions are not codes.
    if next.is_some_and(|c| ".,".contains(c)) && next2.is_some_and(|c| c.is_ascii_digit()) {
        return Vec::new();
    }
    if before.first().is_some_and(|&c| "+($€£¥₹₽.,".contains(c))
        || before.get(1).is_some_and(|&c| "$€£¥₹₽".contains(c)) && before[0] == ' '
    {
        return Vec::new();
    }
    let currency_after = after.trim_start().to_ascii_uppercase();
    if ["USD", "EUR", "GBP", "CHF", "JPY", "RUB", "PLN", "TRY", "BRL", "€", "$", "£", "ZŁ", "KR"]
        .iter()
        .any(|c| currency_after.starts_with(c))
    {
        return Vec::new();
    }
    if lexicon
        .time_units
        .as_ref()
        .is_some_and(|units| units.find(after).is_some_and(|m| after[..m.start()].trim().is_empty()))
    {
        return Vec::new();
    }
    let run = &text[start..end];
    let groups: Vec<&str> = run.split([' ', '-', '\u{2009}']).collect();
    let total: usize = groups.iter().map(|g| g.len()).sum();
    if groups.len() > 1 && total >= 9 {
        return Vec::new(); // a phone number or an account number
    }
    if groups.len() == 3 && run.contains('-') {
        let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        if lengths == [4, 2, 2] || (lengths[2] == 4 && lengths[0] <= 2 && lengths[1] <= 2) {
            return Vec::new(); // a date
        }
    }
    let joined: String = groups.concat();
    let single_digits = groups.len() >= 4 && groups.iter().all(|g| g.len() == 1);
    let even_groups = (2..=3).contains(&groups.len()) && groups.iter().all(|g| (2..=4).contains(&g.len()));
    if (4..=8).contains(&total) && (groups.len() == 1 || single_digits || even_groups) {
        return vec![(start, end, joined)];
    }
    // Otherwise each group stands alone.
    let mut values = Vec::new();
    let mut offset = start;
    for group in groups {
        if (4..=8).contains(&group.len()) {
            values.push((offset, offset + group.len(), group.to_owned()));
        }
        offset += group.len() + 1;
    }
    values
}

fn score(
    lexicon: &Lexicon,
    text: &str,
    keywords: &[(usize, usize)],
    candidate: &mut Candidate,
    subject_announces: bool,
) {
    let mut score = match (candidate.shape, candidate.value.len()) {
        (Shape::Digits, 6) => 1.0,
        (Shape::Digits, _) => 0.6,
        (Shape::Alphanumeric, _) => 0.5,
        (Shape::Letters, _) => 0.0,
    };
    score += match candidate.view {
        View::Rendered => 0.3,
        View::Text | View::Subject => 0.1,
    };
    // Keywords before (within 150 characters and two line breaks) or just after.
    let mut evidence = None;
    let mut keyword_bonus: f64 = 0.0;
    if let Some(&(ks, ke)) = keywords.iter().rev().find(|&&(_, e)| e <= candidate.start) {
        let between = &text[ke..candidate.start];
        let distance = between.chars().count();
        let lines = between.matches('\n').count();
        let keyword = &text[ks..ke];
        if distance <= 40 && lines <= 1 {
            keyword_bonus = 3.0;
            evidence = Some(format!("{distance} characters after {keyword:?}"));
        } else if distance <= 150 && lines <= 3 && candidate.shape != Shape::Letters {
            keyword_bonus = 2.0;
            evidence = Some(format!("{distance} characters after {keyword:?}"));
        }
    }
    if let Some(&(ks, ke)) = keywords.iter().find(|&&(s, _)| s >= candidate.end) {
        let between = &text[candidate.end..ks];
        if between.chars().count() <= 40 && !between.contains('\n') && keyword_bonus < 2.0 {
            keyword_bonus = 2.0;
            evidence = Some(format!("just before {:?}", &text[ks..ke]));
        }
    }
    score += keyword_bonus;
    let line_start = text[..candidate.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[candidate.end..].find('\n').map_or(text.len(), |i| candidate.end + i);
    let line = text[line_start..line_end].trim().trim_end_matches(['.', '!']);
    let alone = line == text[candidate.start..candidate.end].trim();
    if alone {
        score += 1.5;
        candidate.notes.push("on a line of its own");
        if evidence.is_none() && subject_announces {
            evidence = Some("alone on its line, and the subject announces a code".to_owned());
            score += 1.0;
        }
    }
    if candidate.shape == Shape::Letters && keyword_bonus < 3.0 && !alone {
        evidence = None; // letters alone are words unless a keyword points at them
    }
    let before = tail(text, candidate.start, 30);
    let reference = lexicon.reference.as_ref().and_then(|r| r.find_iter(before).last());
    if let Some(reference) = reference {
        let keyword_after_reference =
            keywords.iter().any(|&(s, _)| s >= candidate.start - before.len() + reference.end() && s < candidate.start);
        if !keyword_after_reference {
            score -= 5.0;
            candidate.notes.push("after a reference keyword");
        }
    }
    if lexicon
        .promo
        .as_ref()
        .is_some_and(|p| p.is_match(tail(text, candidate.start, 60)) || p.is_match(head(text, candidate.end, 30)))
    {
        score -= 5.0;
        candidate.notes.push("near a promotion keyword");
    }
    if before.trim_end().ends_with('#') {
        score -= 2.0;
        candidate.notes.push("after #");
    }
    if candidate.shape == Shape::Digits
        && candidate.value.len() == 4
        && let Ok(year) = candidate.value.parse::<u32>()
        && (1900..=2100).contains(&year)
    {
        score -= 2.5;
        candidate.notes.push("looks like a year");
    }
    candidate.score = score;
    candidate.evidence = evidence;
}

/// About 40 characters either side of a match, on one line.
pub(crate) fn snippet(text: &str, start: usize, end: usize) -> String {
    let before = tail(text, start, 40);
    let after = head(text, end, 40);
    format!("{before}[{}]{after}", &text[start..end]).replace('\n', " ⏎ ")
}
