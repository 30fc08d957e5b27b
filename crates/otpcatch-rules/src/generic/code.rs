//! Finding the one-time code without a site-specific rule.
//!
//! Candidates are the numbers and code-like tokens of the subject, the text
//! part and the rendered HTML that something could vouch for: those near a
//! code keyword, and, in a mail that announces a code, those alone on a
//! short line or set apart by the HTML. Shapes that give a decoy away are
//! dropped outright (dates, times, prices, phone numbers, durations, parts
//! of URLs and addresses). The rest are described by features (the
//! keyword on their line or the lines above, their line, their emphasis,
//! the subject, references and coupons before them) and scored.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::lexicon::{Hit, Lexicon, List};
use super::score::{CodeFeature as F, MODEL};
use super::text::Text;
use super::{Bar, Described, Finding, Judgement, Reading, Source, reach};

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
        r"|(?i:(?-u:\b)[0-9]{1,2}(?:st|nd|rd|th)?\.? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,? [0-9]{4}(?-u:\b))",
        r"|(?i:(?-u:\b)(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? [0-9]{1,2}(?:st|nd|rd|th)?,? [0-9]{4}(?-u:\b))",
        r"|(?-u:\b)[0-9]{4}年[0-9]{1,2}月(?:[0-9]{1,2}日)?",         // CJK dates
        r"|(?-u:\b)[A-Za-z][A-Za-z0-9.-]*:[0-9]{2,5}(?-u:\b)",     // host:port
        r"|(?-u:\b)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?-u:\b)",          // IPv4 addresses
        r"|(?-u:\b)[vV]?[0-9]+(?:\.[0-9]+){1,3}(?-u:\b)",           // versions and decimals
    ))
    .expect("valid")
});
static NUMERIC_RUN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9]+(?:[ \-][0-9]+)*").expect("valid"));
static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*").expect("valid"));
static UNIT_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[0-9]+[A-Za-z]{1,3}|[A-Za-z]{1,3}[0-9]{1,3}|[0-9]+(?:st|nd|rd|th))$").expect("valid")
});
/// A percentage: near a code, a discount.
static PERCENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9]+ ?%").expect("valid"));

/// What a candidate looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Digits,
    Alphanumeric,
    Letters,
    MixedCase,
    /// 13 to 64 letters and digits: a token pasted rather than typed
    /// (some sites' reset forms ask for one).
    Long,
}

/// A candidate as found: where, and the value a user would type.
#[derive(Debug, Clone)]
struct Token {
    span: Range<usize>,
    value: String,
    shape: Shape,
    grouped: bool,
}

/// One text's code keywords, and the words that qualify some away.
struct Keywords {
    /// Code keywords that announce a code ("code", not "promo code").
    announcing: Vec<Hit>,
    /// Hits of the lists a label can come from: code, reference, promo.
    /// A code keyword qualified away by a reference or promotion word
    /// before it counts as that word.
    labels: Vec<(Hit, List)>,
}

impl Keywords {
    fn new(text: &Text) -> Self {
        let mut announcing = Vec::new();
        let mut labels: Vec<(Hit, List)> = Vec::new();
        for hit in &text.hits {
            let list = if hit.lists.contains(List::Code) {
                match labels.last() {
                    Some(&(before, list))
                        if list != List::Code && text.text[before.end..hit.start].trim().len() <= 1 =>
                    {
                        list
                    }
                    _ => List::Code,
                }
            } else if hit.lists.contains(List::Reference) {
                List::Reference
            } else if hit.lists.contains(List::Promo) {
                List::Promo
            } else {
                continue;
            };
            if list == List::Code {
                announcing.push(*hit);
            }
            labels.push((*hit, list));
        }
        Self { announcing, labels }
    }
}

/// The code, or why there is none, and the candidates that lost.
pub(crate) fn find(lexicon: &Lexicon, reading: &Reading, bar: Bar) -> Judgement {
    for view in [Source::Text, Source::Rendered] {
        if let Some(captures) = ORIGIN_BOUND.captures(&reading.get(view).text) {
            let line = captures.get(0).map_or("", |m| m.as_str()).trim();
            return Judgement {
                chosen: Ok(Finding {
                    value: captures[2].to_owned(),
                    reason: format!("an origin-bound line for {} in the {}", &captures[1], view.describe()),
                    context: line.to_owned(),
                    score: 1.0,
                    confidence: super::Confidence::High,
                }),
                runners_up: Vec::new(),
            };
        }
    }
    if let Some(notice) = reading.notice() {
        return Judgement {
            chosen: Err(format!("this looks like a notice, not a verification (it says {notice:?})")),
            runners_up: Vec::new(),
        };
    }
    super::judge(reading.codes(lexicon).to_vec(), &MODEL.code, bar, "code", &|d| d.reasons.clone())
}

/// Whether the code is decided without the model: an origin-bound line
/// names it, or the message is a notice.
#[cfg(feature = "training")]
pub(crate) fn decided_without_model(reading: &Reading) -> bool {
    reading.notice().is_some()
        || [Source::Text, Source::Rendered].iter().any(|&v| ORIGIN_BOUND.is_match(&reading.get(v).text))
}

/// Every code candidate of a message, described.
pub(crate) fn described(lexicon: &Lexicon, reading: &Reading) -> Vec<Described> {
    let subject_keywords = Keywords::new(&reading.subject);
    let subject_announces = !subject_keywords.announcing.is_empty();
    let mut views = Vec::new();
    for view in [Source::Rendered, Source::Text, Source::Subject] {
        let text = reading.get(view);
        if text.is_empty() {
            continue;
        }
        let keywords = Keywords::new(text);
        let masked = mask(&text.text);
        let emphasis: &[(usize, usize)] = if view == Source::Rendered { &reading.emphasis } else { &[] };
        let announced = subject_announces || !keywords.announcing.is_empty();
        let zones = zones(text, &masked, &keywords, announced, emphasis, view);
        let tokens = tokens_in(lexicon, text, &masked, &zones);
        let footer = text.footer;
        let quoted: &[(usize, usize)] = if view == Source::Rendered { &reading.quoted } else { &[] };
        let superseding = text.hits.iter().any(|h| h.lists.contains(List::Superseded));
        views.push(ViewTokens { view, keywords, tokens, emphasis, quoted, footer, superseding });
    }
    let values_in = |wanted: Source| -> HashSet<String> {
        views.iter().filter(|v| v.view == wanted).flat_map(|v| v.tokens.iter().map(|t| t.value.clone())).collect()
    };
    let in_subject = values_in(Source::Subject);
    let in_text = values_in(Source::Text);
    let in_html = values_in(Source::Rendered);
    let context = Context { subject_announces, in_subject: &in_subject, in_text: &in_text, in_html: &in_html };
    let mut described: Vec<Described> = Vec::new();
    for view in &views {
        let text = reading.get(view.view);
        for (i, token) in view.tokens.iter().enumerate() {
            described.push(describe(text, view, i, token, &context));
        }
    }
    // In a reply, the newest message is the one not quoted: a quoted code
    // is an older one, when the reply gives a code of its own.
    let quoted = |d: &Described| d.features[F::Quoted as usize] > 0.0;
    if described.iter().any(|d| d.eligible() && !quoted(d)) {
        for d in described.iter_mut().filter(|d| quoted(d)) {
            d.decoy.get_or_insert_with(|| "is quoted from an earlier message that the reply replaces".to_owned());
        }
    }
    // How many other values have strong evidence: a mail full of them is
    // less sure of each.
    let strong = |d: &Described| {
        d.eligible()
            && [F::KeywordClose, F::KeywordBelow, F::AnnouncedAndSetApart, F::InSubjectAndBody]
                .iter()
                .any(|&f| d.features[f as usize] > 0.0)
    };
    let vouched: HashSet<String> = described.iter().filter(|d| strong(d)).map(|d| d.value.clone()).collect();
    for d in &mut described {
        let others = vouched.len() - usize::from(vouched.contains(&d.value));
        d.features[F::Rivals as usize] = (1.0 + others as f64).log2();
        if others > 0 {
            d.reasons.push(format!("{others} other candidate{}", if others == 1 { "" } else { "s" }));
        }
    }
    described
}

/// The candidates of one text, in order, with what is known of the text.
struct ViewTokens<'r> {
    view: Source,
    keywords: Keywords,
    tokens: Vec<Token>,
    emphasis: &'r [(usize, usize)],
    quoted: &'r [(usize, usize)],
    footer: usize,
    /// Whether the text says anywhere that a code is no longer valid.
    superseding: bool,
}

/// What is known across the texts.
struct Context<'c> {
    subject_announces: bool,
    in_subject: &'c HashSet<String>,
    in_text: &'c HashSet<String>,
    in_html: &'c HashSet<String>,
}

fn describe(text: &Text, view: &ViewTokens<'_>, index: usize, token: &Token, context: &Context<'_>) -> Described {
    let mut features = vec![0.0; F::ALL.len()];
    let mut reasons = Vec::new();
    let mut set = |feature: F, reason: Option<String>| {
        features[feature as usize] = 1.0;
        if let Some(reason) = reason {
            reasons.push(reason);
        }
    };
    let span = token.span.clone();
    let shape = match (token.shape, token.value.len()) {
        (Shape::Digits, 6) => {
            set(F::SixDigits, None);
            "6-digit code".to_owned()
        }
        (Shape::Digits, n) => {
            set(F::OtherDigits, None);
            format!("{n}-digit code")
        }
        (Shape::Alphanumeric, _) => {
            set(F::Alphanumeric, None);
            "code of letters and digits".to_owned()
        }
        (Shape::Letters, _) => {
            set(F::Letters, None);
            "code of letters".to_owned()
        }
        (Shape::MixedCase, _) => {
            set(F::MixedCase, None);
            "mixed-case code".to_owned()
        }
        (Shape::Long, n) => {
            set(F::Long, None);
            format!("{n}-character token")
        }
    };
    if token.grouped {
        set(F::Grouped, None);
    }
    let line = text.line_of(span.start);
    let line_range = text.line(line);
    let keywords = &view.keywords.announcing;
    let before = keywords.partition_point(|k| k.end <= span.start);
    let previous = before.checked_sub(1).map(|i| keywords[i]);
    let next = keywords.get(before).copied().filter(|k| k.start >= span.end);
    let chars = |range: Range<usize>| text.text[range].chars().count();
    // A text part's sentences are wrapped at a fixed width, so there a
    // keyword at the end of the line above counts as on the line.
    let wrapped = |from: usize| {
        let between = &text.text[from..span.start];
        view.view == Source::Text && between.matches('\n').count() == 1 && !between.contains("\n\n")
    };
    let mut close = false;
    let mut close_before = false;
    let mut on_line = false;
    if let Some(k) = previous.filter(|k| k.start >= line_range.start || wrapped(k.end)) {
        let distance = chars(k.end..span.start);
        if distance <= reach::CLOSE_CHARS {
            close = true;
            close_before = true;
            set(F::KeywordClose, Some(format!("right after {:?}", text.word(&k))));
        } else if distance <= reach::ON_LINE_CHARS {
            on_line = true;
            set(F::KeywordOnLine, Some(format!("on a line with {:?}", text.word(&k))));
        }
    }
    let instruction = text
        .hits_in(text.tail(span.start, 24))
        .iter()
        .rev()
        .find(|h| h.lists.contains(List::Instruction) && (h.start >= line_range.start || wrapped(h.end)))
        .filter(|h| !token_between(&view.tokens, index, h.end, span.start));
    if let Some(hit) = instruction {
        set(F::InstructionBefore, Some(format!("after {:?}", text.word(hit))));
    }
    if !close
        && let Some(k) = next.filter(|k| k.end <= line_range.end && chars(span.end..k.start) <= reach::CLOSE_CHARS)
    {
        close = true;
        set(F::KeywordClose, Some(format!("right before {:?}", text.word(&k))));
    }
    let above_lines = text.lines_above(line, reach::LINES_ABOVE, reach::LINES_ABOVE_BYTES);
    let above = above_lines.iter().find_map(|&l| {
        let range = text.line(l);
        keywords.iter().find(|k| k.start >= range.start && k.end <= range.end).copied()
    });
    if let Some(k) = above {
        set(F::KeywordAbove, Some(format!("below {:?}", text.word(&k))));
    }
    // The keyword may come after: "Use 908172 to sign in. The code expires…".
    let below = next.filter(|k| {
        let next_line = (line + 1..text.line_count()).find(|&l| !text.text[text.line(l)].trim().is_empty());
        let within = k.start < line_range.end || next_line.is_some_and(|l| text.line(l).contains(&k.start));
        within && !token_between(&view.tokens, index, span.end, k.start)
    });
    if let Some(k) = below {
        set(F::KeywordBelow, Some(format!("above {:?}", text.word(&k))));
    }
    let action = text
        .hits_in(line_range.clone())
        .iter()
        .find(|h| h.lists.contains(List::Action) || h.lists.contains(List::SignIn));
    // "Use 582913 to sign in": told to type it, and what for, right after.
    let instructed = instruction.is_some()
        && text.hits_in(span.end..line_range.end).iter().any(|h| {
            (h.lists.contains(List::Action) || h.lists.contains(List::SignIn))
                && chars(span.end..h.start) <= reach::PURPOSE_CHARS
        });
    if let Some(hit) = action {
        set(F::ActionOnLine, Some(format!("on a line with {:?}", text.word(hit))));
    }
    let first_after = previous.is_some_and(|k| {
        span.start - k.end <= reach::AFTER_KEYWORD_BYTES && !token_between(&view.tokens, index, k.end, span.start)
    });
    if first_after {
        set(F::FirstAfterKeyword, None);
    }
    if context.subject_announces {
        set(F::SubjectAnnounces, None);
    }
    let in_subject = context.in_subject.contains(&token.value);
    let in_body = context.in_text.contains(&token.value) || context.in_html.contains(&token.value);
    if in_subject && in_body {
        set(F::InSubjectAndBody, Some("also in the subject".to_owned()));
    }
    if view.view == Source::Subject && !in_body {
        set(F::OnlyInSubject, None);
    }
    if context.in_text.contains(&token.value) && context.in_html.contains(&token.value) {
        set(F::InTextAndHtml, Some("in the text part and the HTML".to_owned()));
    }
    let line_text = text.text[line_range.clone()]
        .trim_matches(|c: char| c.is_whitespace() || ".:!,;()[]{}<>«»\"'“”‘’*_=|-".contains(c));
    let alone = line_text == &text.text[span.clone()];
    if alone {
        set(F::AloneOnLine, Some("alone on its line".to_owned()));
    }
    let token_chars = chars(span.clone());
    let emphasised = view.emphasis.iter().any(|&(start, end)| {
        start <= span.start && span.end <= end && text.text[start..end].trim().chars().count() <= token_chars + 4
    });
    if emphasised {
        set(F::Emphasised, Some("set apart (bold, large or boxed)".to_owned()));
    }
    let near_lines = text.line(line.saturating_sub(2)).start..text.line((line + 2).min(text.line_count() - 1)).end;
    if text.has(List::Expiry, near_lines) {
        set(F::ExpiryNear, Some("an expiry nearby".to_owned()));
    }
    // The label before it: a reference or a coupon word makes it a decoy,
    // unless a code keyword comes between.
    let label_from =
        if alone { above_lines.first().map_or(line_range.start, |&l| text.line(l).start) } else { line_range.start };
    let labels = &view.keywords.labels;
    let label = labels[..labels.partition_point(|(h, _)| h.end <= span.start)]
        .iter()
        .rev()
        .take_while(|(h, _)| h.start >= label_from)
        .find(|(h, _)| chars(h.end..span.start) <= reach::CLOSE_CHARS || alone)
        .copied();
    let mut decoy = None;
    if let Some((hit, list @ (List::Reference | List::Promo))) = label {
        let what = if list == List::Reference { "a reference" } else { "a coupon" };
        decoy = Some(format!("is {what}: it comes after {:?}", text.word(&hit)));
    }
    // A coupon is offered with words of a promotion around it: on its line,
    // the two lines above, or the line below.
    let promo_from = text
        .lines_above(line, reach::LINES_ABOVE, reach::LINES_ABOVE_BYTES)
        .last()
        .map_or(line_range.start, |&l| text.line(l).start);
    let promo_to = text.line((line + 1).min(text.line_count() - 1)).end;
    if let Some(hit) = text.find(List::Promo, promo_from..promo_to) {
        decoy.get_or_insert_with(|| format!("is a coupon: {:?} is near", text.word(hit)));
    } else if let Some(percent) = PERCENT.find(&text.text[promo_from..promo_to]) {
        decoy.get_or_insert_with(|| format!("is a coupon: a discount ({}) is near", percent.as_str()));
    }
    if token.shape == Shape::Digits
        && token.value.len() == 4
        && token.value.parse::<u32>().is_ok_and(|year| (1900..=2100).contains(&year))
    {
        set(F::Year, Some("looks like a year".to_owned()));
    }
    // "Your old code 111111", "111111 is no longer valid": named to be
    // replaced by the code that follows.
    let labels_this = |h: &Hit| {
        let between = &text.text[h.end..span.start];
        chars(h.end..span.start) <= reach::CLOSE_CHARS
            && !between.contains(['.', '!', '?', ';'])
            && !token_between(&view.tokens, index, h.end, span.start)
            && !keywords.iter().any(|k| k.start >= h.end && k.end <= span.start)
    };
    let superseded = view.superseding.then(|| text.hits_in(line_range.clone())).and_then(|hits| {
        hits.iter().find(|h| {
            h.lists.contains(List::Superseded)
                && ((h.end <= span.start && labels_this(h)) || (h.start >= span.end && chars(span.end..h.start) <= 3))
        })
    });
    if let Some(hit) = superseded {
        decoy.get_or_insert_with(|| format!("is a code the mail says is no longer valid ({:?})", text.word(hit)));
    }
    if text.text[..span.start].trim_end().ends_with('#') {
        set(F::AfterHash, Some("after #".to_owned()));
        if !close {
            decoy.get_or_insert_with(|| "is a number after #, not a code".to_owned());
        }
    }
    if span.start > view.footer {
        set(F::InFooter, Some("in the footer".to_owned()));
    }
    let quoted = match view.view {
        Source::Rendered => view.quoted.iter().any(|&(start, end)| start <= span.start && span.end <= end),
        _ => text.text[line_range.clone()].trim_start().starts_with('>'),
    };
    if quoted {
        set(F::Quoted, Some("quoted from an earlier message".to_owned()));
    }
    let set_apart = alone || emphasised;
    let announced = close || (above.is_some() && first_after) || below.is_some();
    if announced && (set_apart || instruction.is_some()) {
        features[F::AnnouncedAndSetApart as usize] = 1.0;
    }
    let evidence = match token.shape {
        Shape::Digits | Shape::Alphanumeric => {
            close
                || (on_line && first_after)
                || (above.is_some() && (first_after || set_apart))
                || (below.is_some() && (set_apart || action.is_some()))
                || (in_subject && in_body)
                || (context.subject_announces && set_apart)
                || instructed
        }
        // Capitals alone, or letters with digits in both cases, are words
        // unless a keyword right before them, or on the line above, points
        // at them.
        Shape::Letters | Shape::MixedCase => close_before || (above.is_some() && first_after && set_apart),
        // A long token is a code only where a keyword introduces it directly:
        // "verification code: f7e31708c850be03fbb58e17d82dc179".
        Shape::Long => close_before && previous.is_some_and(|k| chars(k.end..span.start) <= 3),
    };
    reasons.insert(0, format!("{shape} in the {}", view.view.describe()));
    Described {
        value: token.value.clone(),
        features,
        evidence,
        decoy,
        reasons,
        context: text.snippet(span),
        origin: index,
    }
}

/// Whether a token other than `tokens[index]` starts within `from..to`
/// (the tokens are in order of position).
fn token_between(tokens: &[Token], index: usize, from: usize, to: usize) -> bool {
    let first = tokens.partition_point(|t| t.span.start < from);
    tokens[first..].iter().enumerate().take_while(|(_, t)| t.span.start < to).any(|(i, _)| first + i != index)
}

/// Replaces URLs, addresses, colours, entities, times, dates and versions
/// with spaces, keeping every offset.
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

/// The parts of a text a candidate can come from: around each keyword,
/// and (when the mail announces a code) every short line and emphasised
/// span. Looking only there keeps a long receipt or newsletter cheap.
/// Merged, in order, on character boundaries.
fn zones(
    text: &Text,
    masked: &str,
    keywords: &Keywords,
    announced: bool,
    emphasis: &[(usize, usize)],
    view: Source,
) -> Vec<Range<usize>> {
    if view == Source::Subject {
        return std::iter::once(0..masked.len()).collect();
    }
    let mut spans: Vec<Range<usize>> = keywords
        .announcing
        .iter()
        .map(|k| {
            k.start.saturating_sub(reach::BEFORE_KEYWORD_BYTES)..(k.end + reach::AFTER_KEYWORD_BYTES).min(masked.len())
        })
        .collect();
    // A line that tells the reader to use or enter something, and what
    // for ("Use 582913 to sign in to Acme"), announces it without a code
    // keyword.
    for (i, hit) in text.hits.iter().enumerate() {
        if !hit.lists.contains(List::Instruction) {
            continue;
        }
        let line_end = text.line(text.line_of(hit.start)).end;
        let purpose = text.hits[i + 1..]
            .iter()
            .take_while(|h| h.start < line_end)
            .find(|h| h.lists.contains(List::Action) || h.lists.contains(List::SignIn));
        if let Some(purpose) = purpose {
            spans.push(hit.start..purpose.start.min(masked.len()));
        }
    }
    if announced {
        for line in 0..text.line_count() {
            let range = text.line(line);
            if masked[range.clone()].trim().len() <= reach::SHORT_LINE_BYTES {
                spans.push(range);
            }
        }
        spans.extend(
            emphasis.iter().filter(|(s, e)| e - s <= reach::SHORT_LINE_BYTES).map(|&(s, e)| s..e.min(masked.len())),
        );
    }
    spans.sort_unstable_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for span in spans {
        let start = (span.start..=span.end).find(|&i| masked.is_char_boundary(i)).unwrap_or(span.end);
        let end = (span.end..=masked.len()).find(|&i| masked.is_char_boundary(i)).unwrap_or(masked.len());
        match merged.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => merged.push(start..end),
        }
    }
    merged
}

fn worded(c: char) -> bool {
    c.is_alphanumeric() && (c as u32) < 0x0530
}

/// Whether a token stands alone: not part of a longer word, and not a
/// piece of a path or an identifier (`HX/448120/07`, `INV_2041`).
fn boundary_ok(text: &str, start: usize, end: usize) -> bool {
    let joined = |c: char| worded(c) || "_/\\".contains(c);
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(joined) && !after.is_some_and(joined)
}

/// The candidates within `zones`, in order of position.
fn tokens_in(lexicon: &Lexicon, text: &Text, masked: &str, zones: &[Range<usize>]) -> Vec<Token> {
    let mut found = Vec::new();
    for zone in zones {
        let slice = &masked[zone.clone()];
        for run in NUMERIC_RUN.find_iter(slice) {
            let (start, end) = (zone.start + run.start(), zone.start + run.end());
            for (span, value, grouped) in numeric_values(text, masked, start, end) {
                found.push(Token { span, value, shape: Shape::Digits, grouped });
            }
        }
        for word in WORD.find_iter(slice) {
            let (start, end) = (zone.start + word.start(), zone.start + word.end());
            let raw = &masked[start..end];
            if raw.bytes().all(|b| b.is_ascii_digit() || b == b'-') || !boundary_ok(masked, start, end) {
                continue;
            }
            if let Some(shape) =
                word_shape(lexicon, raw).filter(|&shape| shape != Shape::Letters || !shouted(masked, start, end))
            {
                found.push(Token { span: start..end, value: raw.to_owned(), shape, grouped: raw.contains('-') });
            }
        }
    }
    found.sort_by_key(|t| t.span.start);
    found
}

/// Whether a word in capitals stands among other words in capitals on its
/// line ("DO NOT SHARE THIS"): shouting, not a code.
fn shouted(text: &str, start: usize, end: usize) -> bool {
    let capitals = |word: &str| {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        word.chars().count() >= 2 && word.chars().all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-')
    };
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let before = text[line_start..start].split_whitespace().next_back();
    let after = text[end..line_end].split_whitespace().next();
    before.is_some_and(capitals) || after.is_some_and(capitals)
}

/// The shape of a word that could be a code, or `None`.
fn word_shape(lexicon: &Lexicon, raw: &str) -> Option<Shape> {
    let groups: Vec<&str> = raw.split('-').collect();
    let length: usize = groups.iter().map(|g| g.len()).sum();
    let digits = raw.bytes().filter(u8::is_ascii_digit).count();
    let upper = raw.bytes().filter(u8::is_ascii_uppercase).count();
    let lower = raw.bytes().filter(u8::is_ascii_lowercase).count();
    if groups.len() > 3 || UNIT_LIKE.is_match(raw) {
        return None;
    }
    if lower == 0 && digits > 0 && upper > 0 && (4..=12).contains(&length) {
        return Some(Shape::Alphanumeric);
    }
    if digits == 0 && lower == 0 && (4..=12).contains(&length) && groups.iter().all(|g| (3..=8).contains(&g.len())) {
        let known_word = lexicon.not_codes.contains(raw) || groups.iter().any(|g| lexicon.not_codes.contains(*g));
        return (!known_word).then_some(Shape::Letters);
    }
    // Lower-case letters with digits: a mixed-case code ("rT8wQz"), or a
    // lower-case one with at least two digits ("x7k2p9").
    let mixed = upper > 0 && digits > 0 || digits >= 2;
    if lower > 0 && mixed && lower + upper >= 2 && (6..=12).contains(&length) && groups.len() == 1 {
        return Some(Shape::MixedCase);
    }
    if (13..=64).contains(&length) && groups.len() == 1 && digits >= 3 && lower + upper >= 3 {
        return Some(Shape::Long);
    }
    None
}

/// The codes a run of digits (with single spaces or dashes) stands for:
/// the span of each, its value as typed, and whether it was grouped.
fn numeric_values(text: &Text, masked: &str, start: usize, end: usize) -> Vec<(Range<usize>, String, bool)> {
    if !boundary_ok(masked, start, end) {
        return Vec::new();
    }
    let before: Vec<char> = masked[..start].chars().rev().take(3).collect();
    let after = &masked[text.head(end, 12)];
    let mut after_chars = after.chars();
    let next = after_chars.next();
    let next2 = after_chars.next();
    // Decimals, prices, phone numbers, percentages and versions are not codes.
    if next.is_some_and(|c| ".,".contains(c)) && next2.is_some_and(|c| c.is_ascii_digit()) || next == Some('%') {
        return Vec::new();
    }
    if before.first().is_some_and(|&c| "+$€£¥₹₽.,".contains(c))
        || before.get(1).is_some_and(|&c| "$€£¥₹₽".contains(c)) && before[0] == ' '
    {
        return Vec::new();
    }
    let currency_after = after.trim_start().to_ascii_uppercase();
    if ["USD", "EUR", "GBP", "CHF", "JPY", "RUB", "PLN", "TRY", "BRL", "€", "$", "£", "ZŁ", "KR", "円", "元", "₩", "원"]
        .iter()
        .any(|c| currency_after.starts_with(c))
    {
        return Vec::new();
    }
    let unit_range = text.head(end, 12);
    if let Some(unit) = text.find(List::TimeUnit, unit_range)
        && text.text[end..unit.start].trim().is_empty()
    {
        return Vec::new();
    }
    let run = &masked[start..end];
    let groups: Vec<&str> = run.split([' ', '-']).collect();
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
    let single_digits = groups.len() >= 4 && groups.iter().all(|g| g.len() == 1);
    let even_groups = (2..=3).contains(&groups.len()) && groups.iter().all(|g| (2..=4).contains(&g.len()));
    if (4..=8).contains(&total) && (groups.len() == 1 || single_digits || even_groups) {
        return vec![(start..end, groups.concat(), groups.len() > 1)];
    }
    // Otherwise each group stands alone.
    let mut values = Vec::new();
    let mut offset = start;
    for group in groups {
        if (4..=8).contains(&group.len()) {
            values.push((offset..offset + group.len(), group.to_owned(), false));
        }
        offset += group.len() + 1;
    }
    values
}
