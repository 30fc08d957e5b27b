//! Finding the confirmation link without a site-specific rule.
//!
//! Candidates are the HTML's links, the URLs of the text part (joined where
//! a mailer wrapped them, unwrapped from `<…>`), and URLs the HTML shows as
//! plain text. Known non-actions never win: unsubscribe, privacy, help,
//! social and app-store links, logos, `mailto:`, and links that refuse or
//! undo ("this wasn't me", "deny"). The rest are described by features:
//! the words of the link itself, of its sentence and the lines above it,
//! the subject, its URL (an action in the path, an opaque token), its
//! styling, and how many other links compete. The href is returned as a
//! browser would follow it (entities decoded, tabs and newlines removed),
//! tracking redirects included.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::lexicon::{Hit, Lexicon, List};
use super::score::{LinkFeature as F, MODEL};
use super::{Bar, Described, Judgement, Reading, Source, reach};
use crate::postprocess::decode_entities;

static URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"https?://[^\s<>"'\]\[]+"#).expect("valid"));
/// A URL in angle brackets, which may be wrapped across lines (RFC 3986, appendix C).
static BRACKETED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<(https?://[^<>]+)>").expect("valid"));
/// What a wrapped URL's next line must look like to continue it.
static CONTINUATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]+$").expect("valid"));

/// A link as found.
#[derive(Debug, Clone)]
struct Link {
    href: String,
    view: Source,
    /// Where it is in its text: the anchor's text, or the URL.
    span: Range<usize>,
    /// Its own words: the anchor's text, `title` and `aria-label`.
    words: String,
    button: bool,
    image_only: bool,
}

/// The link, or why there is none, and the links that lost.
pub(crate) fn find(lexicon: &Lexicon, reading: &Reading, bar: Bar) -> Judgement {
    if let Some(notice) = reading.notice() {
        return Judgement {
            chosen: Err(format!("this looks like a notice, not a verification (it says {notice:?})")),
            runners_up: Vec::new(),
        };
    }
    let links = links(reading);
    let explain = |d: &Described| explain(lexicon, reading, &links, d);
    super::judge(described_links(lexicon, reading, &links), &MODEL.link, bar, "link", &explain)
}

/// A link's reasons in words: its own, described again with words, and
/// those of the features the mail's other links decided.
fn explain(lexicon: &Lexicon, reading: &Reading, links: &[Link], d: &Described) -> Vec<String> {
    let mut reasons = links
        .get(d.origin)
        .and_then(|link| describe(lexicon, reading, link, &lexicon.scan(&link.words), true))
        .map_or_else(Vec::new, |own| own.reasons);
    let set = |feature: F| d.features[feature as usize] > 0.0;
    if set(F::InTextAndHtml) {
        reasons.push("in the HTML and the text part".to_owned());
    }
    if set(F::OnlyLink) {
        reasons.push("the only link to act on".to_owned());
    }
    if set(F::CarriesCode) {
        let code = reading.codes(lexicon).iter().filter(|c| c.eligible()).find(|c| carries(&d.value, &c.value));
        reasons.push(code.map_or_else(
            || "its URL carries the code".to_owned(),
            |c| format!("its URL carries the code {}", c.value),
        ));
    }
    if set(F::SecondaryToCode) {
        reasons.push("no token, in a mail that gives a code".to_owned());
    }
    if set(F::QuietMail) {
        reasons.push("no word of the mail names an action".to_owned());
    }
    reasons
}

/// Every link of a message, described (without reasons in words).
#[cfg(feature = "training")]
pub(crate) fn described(lexicon: &Lexicon, reading: &Reading) -> Vec<Described> {
    described_links(lexicon, reading, &links(reading))
}

/// `links`, described (without reasons in words).
fn described_links(lexicon: &Lexicon, reading: &Reading, links: &[Link]) -> Vec<Described> {
    // Mail repeats its links' words ("Read more" under every article): each
    // distinct text is scanned once.
    let mut scanned: HashMap<&str, Vec<Hit>> = HashMap::new();
    let described: Vec<Described> = links
        .iter()
        .enumerate()
        .filter_map(|(i, link)| {
            let own = scanned.entry(link.words.as_str()).or_insert_with(|| lexicon.scan(&link.words));
            describe(lexicon, reading, link, own, false).map(|d| Described { origin: i, ..d })
        })
        .collect();
    // The same link offered twice (in the HTML and the text part) counts once, with both places.
    let mut places: HashMap<&str, (bool, bool)> = HashMap::new();
    for d in &described {
        let place = places.entry(d.value.as_str()).or_default();
        place.0 |= links[d.origin].view == Source::Rendered;
        place.1 |= links[d.origin].view == Source::Text;
    }
    let both: Vec<bool> = described.iter().map(|d| places[d.value.as_str()] == (true, true)).collect();
    let mut described = described;
    let actionable: HashSet<String> = described.iter().filter(|d| d.decoy.is_none()).map(|d| d.value.clone()).collect();
    let codes: Vec<&str> = reading.codes(lexicon).iter().filter(|c| c.eligible()).map(|c| c.value.as_str()).collect();
    let quiet = [&reading.subject, &reading.text, &reading.html]
        .iter()
        .all(|t| !t.hits.iter().any(|h| h.lists.contains(List::Action) || h.lists.contains(List::SignIn)));
    // The first link that names an action and is not a plain page (a
    // navigation bar's "Log in" comes first and is not the one).
    let names_action = |d: &Described| {
        [F::TextAction, F::TextSignIn, F::SentenceAction, F::AboveAction, F::UrlAction]
            .iter()
            .any(|&f| d.features[f as usize] > 0.0)
            && d.features[F::PlainPage as usize] == 0.0
    };
    let first_action = described
        .iter()
        .filter(|d| d.decoy.is_none() && names_action(d))
        .min_by_key(|d| (links[d.origin].view != Source::Rendered, links[d.origin].span.start))
        .map(|d| d.value.clone());
    for (d, both) in described.iter_mut().zip(both) {
        let others = actionable.len() - usize::from(actionable.contains(&d.value));
        let decoy = d.decoy.is_some();
        let first = first_action.as_deref() == Some(d.value.as_str());
        let tokened = d.features[F::UrlToken as usize] > 0.0;
        let carried = codes.iter().any(|code| carries(&d.value, code));
        let mut set = |feature: F| d.features[feature as usize] = 1.0;
        if both {
            set(F::InTextAndHtml);
        }
        if !decoy && others == 0 {
            set(F::OnlyLink);
        }
        if first {
            set(F::FirstActionLink);
        }
        if carried {
            set(F::CarriesCode);
        } else if !codes.is_empty() && !tokened {
            set(F::SecondaryToCode);
        }
        if quiet {
            set(F::QuietMail);
        }
        d.features[F::Rivals as usize] = (1.0 + others as f64).log2();
    }
    described
}

/// Every link of the message: the HTML's anchors, URLs shown as text in
/// the HTML, and the text part's URLs.
fn links(reading: &Reading) -> Vec<Link> {
    let mut links = Vec::new();
    let html = &reading.html.text;
    for anchor in &reading.anchors {
        if anchor.offset > html.len() {
            break;
        }
        links.push(Link {
            href: browser_href(&anchor.href),
            view: Source::Rendered,
            span: anchor.offset..anchor.end.min(html.len()),
            words: [anchor.text.as_str(), anchor.label.as_str()].join(" ").trim().to_owned(),
            button: anchor.button,
            image_only: anchor.image_only,
        });
    }
    let inside_anchor = |at: usize| reading.anchors.iter().any(|a| a.offset <= at && at < a.end);
    for (span, href) in text_urls(html) {
        if !inside_anchor(span.start) {
            links.push(Link {
                href,
                view: Source::Rendered,
                span,
                words: String::new(),
                button: false,
                image_only: false,
            });
        }
    }
    for (span, href) in text_urls(&reading.text.text) {
        links.push(Link { href, view: Source::Text, span, words: String::new(), button: false, image_only: false });
    }
    links
}

/// A URL's path and query without the parameters that only say where a
/// click came from (`utm_*`, `ref`, `source`, …): their values name
/// campaigns ("ref=invite-email"), not what the link does.
fn without_tracking(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else { return path_and_query.to_owned() };
    let (query, fragment) = query.split_once('#').map_or((query, None), |(q, f)| (q, Some(f)));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or_default().to_ascii_lowercase();
            !(key.starts_with("utm_")
                || ["ref", "source", "src", "campaign", "medium", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "cmp", "trk"]
                    .contains(&key.as_str()))
        })
        .collect();
    let mut out = path.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Whether a URL's path or query carries an opaque token, as every
/// verification and magic link does: a segment or value of 16 characters
/// or more, or of 10 or more that mixes letters and digits.
fn has_token(path_and_query: &str) -> bool {
    path_and_query.split(['/', '?', '&', '=', '#', ';', ',']).any(|piece| {
        let digits = piece.bytes().filter(u8::is_ascii_digit).count();
        let letters = piece.bytes().filter(u8::is_ascii_alphabetic).count();
        piece.len() >= 16 || (piece.len() >= 10 && digits >= 3 && letters >= 3)
    })
}

/// Whether `href` carries `code` as a whole value of its path or query.
fn carries(href: &str, code: &str) -> bool {
    href.match_indices(code).any(|(at, _)| {
        let before = href[..at].chars().next_back();
        let after = href[at + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The URLs written in a text: bracketed ones whole, wrapped ones joined.
fn text_urls(text: &str) -> Vec<(Range<usize>, String)> {
    let mut found: Vec<(Range<usize>, String)> = Vec::new();
    for captures in BRACKETED.captures_iter(text) {
        let Some(inner) = captures.get(1).filter(|inner| inner.len() <= 4096) else { continue };
        let href: String = inner.as_str().split_whitespace().collect();
        found.push((inner.range(), decode_entities(&href)));
    }
    for m in URL.find_iter(text) {
        if found.iter().any(|(span, _)| span.contains(&m.start())) {
            continue;
        }
        let mut href = m.as_str().to_owned();
        let mut end = m.end();
        // A mailer that wraps long lines may have cut the URL: a line that
        // ends in it, long enough to have been wrapped, continued by a line
        // that starts with nothing but URL characters.
        let line_start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let mut long_enough = end - line_start >= 60;
        while long_enough && text[end..].starts_with('\n') {
            let next_line = text[end + 1..].split('\n').next().unwrap_or_default().trim_end();
            let continues = !next_line.is_empty()
                && !next_line.contains(char::is_whitespace)
                && !next_line.starts_with("http")
                && CONTINUATION.is_match(next_line)
                && next_line.contains(|c: char| c.is_ascii_digit() || "=&%/?#_-".contains(c));
            if !continues {
                break;
            }
            href.push_str(next_line);
            end += 1 + next_line.len();
            // A line the mailer wrapped again is nearly as long as the first.
            long_enough = next_line.len() >= 40;
        }
        let trimmed = href.trim_end_matches(['.', ',', ';', ':', ')', '>', '!', '?', '*', '\'', '"']);
        found.push((m.start()..end, decode_entities(trimmed)));
    }
    found.sort_by_key(|(span, _)| span.start);
    found
}

/// An href as a browser follows it: leading and trailing white space and
/// control characters dropped, tabs and newlines inside removed (the URL
/// standard's "remove all ASCII tab or newline"), and what a browser would
/// percent-encode (spaces, quotes, angle brackets, other controls)
/// encoded, so that the printed link is one word on one line.
fn browser_href(href: &str) -> String {
    let mut url = String::with_capacity(href.len());
    for c in href.trim_matches(|c: char| c <= ' ').chars() {
        match c {
            '\t' | '\n' | '\r' => {}
            ' ' | '"' | '<' | '>' | '`' | '\u{0}'..='\u{1f}' | '\u{7f}' => {
                url.push_str(&format!("%{:02X}", u32::from(c)));
            }
            c => url.push(c),
        }
    }
    url
}

/// Describes a link, with its reasons in words when `explain` is set, or
/// `None` when it is not one a browser opens.
fn describe(lexicon: &Lexicon, reading: &Reading, link: &Link, own: &[Hit], explain: bool) -> Option<Described> {
    let lower = link.href.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return None; // mailto:, tel:, #fragments, javascript:
    }
    let rest = &link.href[link.href.find("://").map_or(0, |i| i + 3)..];
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest[..host_end].rsplit('@').next().unwrap_or_default().to_ascii_lowercase();
    let path = without_tracking(&rest[host_end..]);
    let path = path.as_str();
    let path_lower = path.to_ascii_lowercase();
    let text = reading.get(link.view);
    let mut features = vec![0.0; F::ALL.len()];
    let mut reasons = Vec::new();
    // Words are made only when asked for: most links are never explained.
    let mut set = |feature: F, reason: Option<&dyn Fn() -> String>| {
        features[feature as usize] = 1.0;
        if explain {
            reasons.extend(reason.map(|reason| reason()));
        }
    };
    // Its own words (`own`: the vocabulary's hits in them).
    let own_has =
        |list: List| own.iter().find(|h| h.lists.contains(list)).map(|h| link.words[h.start..h.end].to_owned());
    let own_action = own_has(List::Action);
    let own_sign_in = own_has(List::SignIn);
    let own_revoke = own_has(List::Revoke);
    let own_non_action = own_has(List::NonAction);
    // Its sentence: the rest of its line. The lines above: up to two with text.
    let span = link.span.clone();
    let line = text.line_of(span.start.min(text.text.len().saturating_sub(1)));
    let line_range = text.line(line);
    let sentence = |list: List| {
        text.find(list, line_range.start..span.start.max(line_range.start))
            .or_else(|| text.find(list, span.end.clamp(line_range.start, line_range.end)..line_range.end))
            .map(|h| text.word(h).to_owned())
    };
    let above_lines = text.lines_above(line, reach::LINES_ABOVE, reach::LINES_ABOVE_BYTES);
    let above =
        |list: List| above_lines.iter().find_map(|&l| text.find(list, text.line(l)).map(|h| text.word(h).to_owned()));
    if let Some(word) = &own_action {
        set(F::TextAction, Some(&|| format!("its text says {word:?}")));
    } else if let Some(word) = &own_sign_in {
        set(F::TextSignIn, Some(&|| format!("its text says {word:?}")));
    }
    let sentence_action = sentence(List::Action);
    let sentence_sign_in = sentence(List::SignIn);
    if let Some(word) = &sentence_action {
        set(F::SentenceAction, Some(&|| format!("its sentence says {word:?}")));
    } else if let Some(word) = &sentence_sign_in {
        set(F::SentenceSignIn, Some(&|| format!("its sentence says {word:?}")));
    }
    let above_action = above(List::Action);
    let above_sign_in = above(List::SignIn);
    if let Some(word) = &above_action {
        set(F::AboveAction, Some(&|| format!("the line above says {word:?}")));
    } else if let Some(word) = &above_sign_in {
        set(F::AboveSignIn, Some(&|| format!("the line above says {word:?}")));
    }
    let pointer = own_has(List::Pointer).or_else(|| sentence(List::Pointer)).or_else(|| above(List::Pointer));
    if let Some(word) = &pointer {
        set(F::Pointed, Some(&|| format!("pointed at by {word:?}")));
    }
    let subject = &reading.subject;
    if let Some(hit) = subject.hits.iter().find(|h| h.lists.contains(List::Action) || h.lists.contains(List::SignIn)) {
        set(F::SubjectAction, Some(&|| format!("the subject says {:?}", subject.word(hit))));
    }
    let url_action = lexicon.url_word(path).map(str::to_ascii_lowercase);
    if let Some(word) = &url_action {
        set(F::UrlAction, Some(&|| format!("its URL has {word:?}")));
    }
    let tokened = has_token(path);
    if tokened {
        set(F::UrlToken, Some(&|| "its URL carries a token".to_owned()));
    }
    if tokened && url_action.is_some() {
        set(F::ActionUrlWithToken, None);
    }
    if link.button {
        set(F::Button, Some(&|| "styled as a button".to_owned()));
    }
    let shown = link.words.trim().to_ascii_lowercase();
    if shown.starts_with("http") || shown.starts_with("www.") {
        set(F::TextIsUrl, None);
    }
    let revoke_above =
        above_lines.first().and_then(|&l| text.find(List::Revoke, text.line(l)).map(|h| text.word(h).to_owned()));
    if let Some(word) = sentence(List::Revoke).or(revoke_above) {
        set(F::RevokeNear, Some(&|| format!("near {word:?}")));
    }
    let segments = path.split(['?', '#']).next().unwrap_or_default().split('/').filter(|s| !s.is_empty()).count();
    if segments <= 2 && !path.contains('?') && !tokened {
        set(F::PlainPage, Some(&|| "a plain page".to_owned()));
    }
    if span.start > text.footer {
        set(F::InFooter, Some(&|| "in the footer".to_owned()));
    }
    let logo = link.image_only && own_action.is_none() && own_sign_in.is_none();
    if logo {
        set(F::ImageOnly, Some(&|| "only an image".to_owned()));
    }
    // Known non-actions never win. The path's words count, not the query's,
    // which may carry another URL.
    let path_words = path_lower.split(['?', '#']).next().unwrap_or_default().replace(['/', '-', '_', '.'], " ");
    let path_hits = lexicon.scan(&path_words);
    let path_has =
        |list: List| path_hits.iter().find(|h| h.lists.contains(list)).map(|h| path_words[h.start..h.end].to_owned());
    let path_non_action = path_has(List::NonAction);
    // A non-action that heads the path ("/help/…/two_factor_authentication")
    // rules the link, whatever action words follow it.
    let first_segment = path_words.split_whitespace().next().unwrap_or_default();
    let first_segment_is = |word: &String| first_segment == word.as_str();
    let decoy = if let Some(word) = own_revoke {
        Some(format!("refuses or undoes: its text says {word:?}"))
    } else if let Some(word) = path_has(List::Revoke) {
        Some(format!("refuses or undoes: its URL says {word:?}"))
    } else if let Some(word) = own_non_action {
        Some(format!("is not an action: its text says {word:?}"))
    } else if let Some(word) = path_non_action.filter(|word| url_action.is_none() || first_segment_is(word)) {
        Some(format!("is not an action: its URL says {word:?}"))
    } else if lexicon
        .ignore_hosts
        .iter()
        .any(|h| host.strip_suffix(h.as_str()).is_some_and(|rest| rest.is_empty() || rest.ends_with('.')))
    {
        Some(format!("is not an action: {host} is a social network or app store"))
    } else if logo && url_action.is_none() {
        Some("is not an action: an image (a logo) with no words".to_owned())
    } else {
        None
    };
    let evidence = own_action.is_some()
        || own_sign_in.is_some()
        || sentence_action.is_some()
        || sentence_sign_in.is_some()
        || above_action.is_some()
        || above_sign_in.is_some()
        || pointer.is_some()
        || url_action.is_some()
        || tokened;
    let place = match link.view {
        Source::Rendered if link.words.is_empty() => "a URL in the HTML's text",
        Source::Rendered => "a link in the HTML",
        _ => "a URL in the text part",
    };
    if explain {
        reasons.insert(0, place.to_owned());
    }
    let shown = if link.words.is_empty() { &link.href } else { &link.words };
    Some(Described {
        value: link.href.clone(),
        features,
        evidence,
        decoy,
        reasons,
        context: shown.chars().take(80).collect(),
        origin: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_urls_are_unbracketed_joined_when_wrapped_and_trimmed() {
        let text = "Open <https://a.test/verify?token=\n  abc123>.\n\
                    https://a.test/reset?token=0123456789abcdef0123456789abcdef0123456789abcd\nef0123&u=1\n\
                    Then: https://a.test/x.\nThanks";
        let urls: Vec<String> = text_urls(text).into_iter().map(|(_, u)| u).collect();
        assert_eq!(
            urls,
            [
                "https://a.test/verify?token=abc123",
                "https://a.test/reset?token=0123456789abcdef0123456789abcdef0123456789abcdef0123&u=1",
                "https://a.test/x",
            ]
        );
    }

    #[test]
    fn hrefs_lose_the_white_space_a_browser_drops() {
        assert_eq!(browser_href("\n  https://a.test/verify?\n\ttoken=1 \n"), "https://a.test/verify?token=1");
        assert_eq!(browser_href("https://a.test/v?t=1\nX-Injected: 1\x1bz"), "https://a.test/v?t=1X-Injected:%201%1Bz");
    }
}
