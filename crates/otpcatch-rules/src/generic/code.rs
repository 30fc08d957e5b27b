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
        r"(?-u:\b)(?i:https?://|www\.)\S+",                         // URLs
        r"|[A-Za-z0-9_.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",     // email addresses
        r"|#[0-9A-Fa-f]*[A-Fa-f][0-9A-Fa-f]*(?-u:\b)",              // CSS colours
        r"|&#?[A-Za-z0-9]{1,8};",                                   // entities left in text
        r"|(?-u:\b)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?-u:\b)",      // times
        r"|(?-u:\b)[0-9]{1,4}[./][0-9]{1,2}[./][0-9]{1,4}(?-u:\b)", // dates
    ))
    .expect("valid")
});
static NUMERIC_RUN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9]+(?:[ \-\u{2009}][0-9]+)*").expect("valid"));
static ALPHANUMERIC: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*").expect("valid"));
static UNIT_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[0-9]+[A-Za-z]{1,3}|[A-Za-z]{1,3}[0-9]{1,3}|[0-9]+(?:st|nd|rd|th))$").expect("valid")
});
static FOOTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i:unsubscribe|all rights reserved)|©|\([cC]\) 20[0-9][0-9]").expect("valid"));
static LETTERS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)[A-Z]{4,8}(?:-[A-Z]{3,8})?(?-u:\b)").expect("valid"));

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
    let mut places: std::collections::HashMap<&str, Vec<View>> = std::collections::HashMap::new();
    for candidate in &candidates {
        let views = places.entry(candidate.value.as_str()).or_default();
        if !views.contains(&candidate.view) {
            views.push(candidate.view);
        }
    }
    let mut best: Option<Candidate> = None;
    for candidate in &candidates {
        let mut scored = candidate.clone();
        let distinct = places.get(candidate.value.as_str()).map_or(1, Vec::len);
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

/// The notice phrase the message opens with, if any: a notice says what
/// happened in its first lines, so only the first 8 KB of each text is read.
pub(crate) fn notice(lexicon: &Lexicon, views: &Views<'_>) -> Option<String> {
    let notice = lexicon.notice.as_ref()?;
    [views.subject, views.rendered, views.text]
        .iter()
        .find_map(|t| notice.find(crate::render::prefix(t, 8192)).map(|m| m.as_str().to_owned()))
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
    let lines = Lines::new(&masked);
    let windows = windows(&masked, &lines, &keywords, subject_announces);
    let mut found = Vec::new();
    let within = |regex: &'static Regex| {
        let masked = &masked;
        windows.iter().flat_map(move |&(start, end)| {
            regex.find_iter(&masked[start..end]).map(move |m| (m.start() + start, m.end() + start))
        })
    };
    for (run_start, run_end) in within(&NUMERIC_RUN) {
        for (start, end, value) in numeric_values(lexicon, &masked, run_start, run_end) {
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
    for (token_start, token_end) in within(&ALPHANUMERIC) {
        let raw = &masked[token_start..token_end];
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
        if !boundary_ok(&masked, token_start, token_end) {
            continue;
        }
        found.push(Candidate {
            value,
            view,
            start: token_start,
            end: token_end,
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
    // Only a candidate a keyword can vouch for may win: near one, or alone on
    // its line when the subject announces a code. Scoring the rest is wasted
    // work, and in a long receipt or newsletter it is most of the work.
    found.retain(|c| {
        let after_keyword = keywords.partition_point(|&(_, e)| e <= c.start);
        let near_before = after_keyword.checked_sub(1).is_some_and(|i| c.start - keywords[i].1 <= 600);
        let near_after = keywords.get(after_keyword).is_some_and(|&(s, _)| s >= c.end && s - c.end <= 200);
        let alone = subject_announces && {
            let (start, end) = lines.around(&masked, c.start, c.end);
            masked[start..end].trim().len() <= c.end - c.start + 2
        };
        near_before || near_after || alone
    });
    for candidate in &mut found {
        score(lexicon, &masked, &lines, &keywords, candidate, subject_announces);
        if candidate.start > footer {
            candidate.score -= 2.0;
            candidate.notes.push("in the footer");
        }
    }
    found.retain(|c| c.score > f64::MIN);
    found
}

/// The parts of `text` a candidate can win from: around each keyword, and
/// (when the subject announces a code) every short line. Looking only
/// there keeps a long receipt or newsletter cheap. Merged, in order, on
/// character boundaries.
fn windows(text: &str, lines: &Lines, keywords: &[(usize, usize)], subject_announces: bool) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> =
        keywords.iter().map(|&(s, e)| (s.saturating_sub(200), (e + 600).min(text.len()))).collect();
    if subject_announces {
        for (i, &start) in lines.0.iter().enumerate() {
            let end = lines.0.get(i + 1).map_or(text.len(), |&next| next - 1);
            if text[start..end].trim().len() <= 24 {
                spans.push((start, end));
            }
        }
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        let start = (start..=end).find(|&i| text.is_char_boundary(i)).unwrap_or(end);
        let end = (end..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Whether the keyword at `start` is really "promo code", "zip code" and
/// the like: then it announces no one-time code.
fn qualified_away(lexicon: &Lexicon, text: &str, start: usize) -> bool {
    let before = tail(text, start, 24);
    let ends_with = |words: &Option<super::lexicon::Words>| {
        words.as_ref().is_some_and(|w| w.find_iter(before).last().is_some_and(|m| before[m.end()..].trim().is_empty()))
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

/// Where each line starts, to find a candidate's line without rescanning.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        Self(std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    /// The byte range of the line holding `start..end` (without the newline).
    fn around(&self, text: &str, start: usize, end: usize) -> (usize, usize) {
        let line = self.0.partition_point(|&s| s <= start).saturating_sub(1);
        let line_start = self.0[line];
        let after = self.0.partition_point(|&s| s <= end);
        let line_end = self.0.get(after).map_or(text.len(), |&next| next - 1);
        (line_start, line_end)
    }

    /// How many line breaks lie between two offsets.
    fn between(&self, from: usize, to: usize) -> usize {
        self.0.partition_point(|&s| s <= to) - self.0.partition_point(|&s| s <= from)
    }
}

fn score(
    lexicon: &Lexicon,
    text: &str,
    lines: &Lines,
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
    let preceding = keywords.partition_point(|&(_, e)| e <= candidate.start);
    if let Some(&(ks, ke)) = preceding.checked_sub(1).and_then(|i| keywords.get(i)) {
        let distance = if candidate.start - ke > 600 { usize::MAX } else { text[ke..candidate.start].chars().count() };
        let breaks = lines.between(ke, candidate.start);
        let keyword = &text[ks..ke];
        if distance <= 40 && breaks <= 1 {
            keyword_bonus = 3.0;
            evidence = Some(format!("{distance} characters after {keyword:?}"));
        } else if distance <= 150 && breaks <= 3 && candidate.shape != Shape::Letters {
            keyword_bonus = 2.0;
            evidence = Some(format!("{distance} characters after {keyword:?}"));
        }
    }
    if let Some(&(ks, ke)) = keywords.get(keywords.partition_point(|&(s, _)| s < candidate.end)) {
        let between = text.get(candidate.end..ks.min(candidate.end + 200)).unwrap_or_default();
        if ks - candidate.end <= 200 && between.chars().count() <= 40 && !between.contains('\n') && keyword_bonus < 2.0
        {
            keyword_bonus = 2.0;
            evidence = Some(format!("just before {:?}", &text[ks..ke]));
        }
    }
    score += keyword_bonus;
    let (line_start, line_end) = lines.around(text, candidate.start, candidate.end);
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
