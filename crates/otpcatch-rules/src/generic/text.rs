//! One of a message's texts, read once for everything the heuristic asks
//! of it: where its lines start and where the vocabulary's words are.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::lexicon::{Hit, Lexicon, List};

/// Where a footer starts: boilerplate after it names numbers and links
/// that are not the mail's point.
static FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i:unsubscribe|all rights reserved|registered (?:in|office|number|no))|©|\([cC]\) 20[0-9][0-9]")
        .expect("valid")
});

/// A URL written out in a text.
static URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"(?i:https?://|www\.)[^\s<>"']+"#).expect("valid"));

/// A text (the subject, the text part or the rendered HTML), read through
/// [`crate::chars::read`], with its lines and vocabulary hits indexed.
#[derive(Debug, Default)]
pub(crate) struct Text {
    pub(crate) text: String,
    line_starts: Vec<usize>,
    pub(crate) hits: Vec<Hit>,
    /// Where the footer starts (`usize::MAX` if there is none).
    pub(crate) footer: usize,
}

impl Text {
    pub(crate) fn new(lexicon: &Lexicon, raw: &str) -> Self {
        let text = crate::chars::read(raw).into_owned();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        // Words inside a URL ("…/verify?token=…") are not the mail's words.
        let urls: Vec<Range<usize>> = URL.find_iter(&text).map(|m| m.range()).collect();
        let mut hits = lexicon.scan(&text);
        if !urls.is_empty() {
            hits.retain(|h| {
                let after = urls.partition_point(|u| u.end <= h.start);
                urls.get(after).is_none_or(|u| u.start > h.start)
            });
        }
        let footer = FOOTER.find(&text).map_or(usize::MAX, |m| m.start());
        Self { text, line_starts, hits, footer }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// The index of the line holding byte `at`.
    pub(crate) fn line_of(&self, at: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= at).saturating_sub(1)
    }

    /// The byte range of line `line`, without its newline.
    pub(crate) fn line(&self, line: usize) -> Range<usize> {
        let start = self.line_starts.get(line).copied().unwrap_or(self.text.len());
        let end = self.line_starts.get(line + 1).map_or(self.text.len(), |&next| next - 1);
        start..end.max(start)
    }

    pub(crate) fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Up to `count` lines before `line` that have text, nearest first,
    /// reaching back at most `reach` bytes.
    pub(crate) fn lines_above(&self, line: usize, count: usize, reach: usize) -> Vec<usize> {
        let limit = self.line(line).start.saturating_sub(reach);
        let mut above = Vec::with_capacity(count);
        for l in (0..line).rev() {
            let range = self.line(l);
            if above.len() == count || range.end < limit {
                break;
            }
            if !self.text[range].trim().is_empty() {
                above.push(l);
            }
        }
        above
    }

    /// The hits that start within `range`.
    pub(crate) fn hits_in(&self, range: Range<usize>) -> &[Hit] {
        let first = self.hits.partition_point(|h| h.start < range.start);
        let last = self.hits.partition_point(|h| h.start < range.end);
        &self.hits[first..last.max(first)]
    }

    /// The first hit of `list` within `range`.
    pub(crate) fn find(&self, list: List, range: Range<usize>) -> Option<&Hit> {
        self.hits_in(range).iter().find(|h| h.lists.contains(list))
    }

    /// Whether any hit of `list` starts within `range`.
    pub(crate) fn has(&self, list: List, range: Range<usize>) -> bool {
        self.find(list, range).is_some()
    }

    /// The text of a hit.
    pub(crate) fn word(&self, hit: &Hit) -> &str {
        &self.text[hit.start..hit.end]
    }

    /// The last `chars` characters before byte `at`.
    pub(crate) fn tail(&self, at: usize, chars: usize) -> Range<usize> {
        let before = &self.text[..at];
        let start = before.char_indices().rev().nth(chars.saturating_sub(1)).map_or(0, |(i, _)| i);
        start..at
    }

    /// The first `chars` characters from byte `at`.
    pub(crate) fn head(&self, at: usize, chars: usize) -> Range<usize> {
        let after = &self.text[at..];
        let end = after.char_indices().nth(chars).map_or(after.len(), |(i, _)| i);
        at..at + end
    }

    /// About 40 characters either side of a span, on one line, with the
    /// span in brackets.
    pub(crate) fn snippet(&self, span: Range<usize>) -> String {
        snippet(&self.text, span.start, span.end)
    }
}

/// About 40 characters either side of `text[start..end]`, on one line, with
/// the span in brackets.
pub(crate) fn snippet(text: &str, start: usize, end: usize) -> String {
    let before = &text[..start];
    let from = before.char_indices().rev().nth(39).map_or(0, |(i, _)| i);
    let after = &text[end..];
    let to = after.char_indices().nth(40).map_or(after.len(), |(i, _)| i);
    format!("{}[{}]{}", &before[from..], &text[start..end], &after[..to]).replace('\n', " ⏎ ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Vocabulary;

    #[test]
    fn lines_are_indexed_and_blank_ones_skipped_above() {
        let lexicon = Lexicon::compile(&Vocabulary::default());
        let text = Text::new(&lexicon, "one\r\n\r\ntwo\nthree\n\nKTNM-QXBR");
        assert_eq!(text.text, "one\n\ntwo\nthree\n\nKTNM-QXBR");
        let last = text.line_of(text.text.len() - 1);
        assert_eq!(&text.text[text.line(last)], "KTNM-QXBR");
        let above: Vec<&str> = text.lines_above(last, 3, 100).into_iter().map(|l| &text.text[text.line(l)]).collect();
        assert_eq!(above, ["three", "two", "one"]);
        assert_eq!(text.lines_above(last, 3, 4).len(), 1, "reach bounds how far back");
    }
}
