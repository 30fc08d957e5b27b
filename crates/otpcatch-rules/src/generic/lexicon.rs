//! The generic heuristic's vocabulary, compiled: one case-insensitive
//! regex per word list, with word boundaries where the script has words.

use std::collections::HashSet;

use regex_automata::meta::Regex;
use regex_automata::util::syntax;

use crate::model::Vocabulary;

/// A word list compiled into one regex.
///
/// Word boundaries are checked after matching rather than written into the
/// pattern: a Unicode `\b` keeps the regex crate off its fast DFA on
/// non-ASCII text, which made scanning a hostile 7 KB email take 10 ms.
///
/// Each list is compiled on first use: a process that only wants a code
/// never pays for the link vocabulary.
#[derive(Debug)]
pub(crate) struct Words {
    pattern: String,
    regex: std::sync::OnceLock<Option<Regex>>,
}

/// One match of a word list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit<'t> {
    text: &'t str,
    start: usize,
    end: usize,
}

impl<'t> Hit<'t> {
    pub(crate) fn start(&self) -> usize {
        self.start
    }

    pub(crate) fn end(&self) -> usize {
        self.end
    }

    pub(crate) fn as_str(&self) -> &'t str {
        &self.text[self.start..self.end]
    }
}

impl Words {
    /// Every whole-word match, left to right.
    pub(crate) fn find_iter<'t>(&self, text: &'t str) -> impl Iterator<Item = Hit<'t>> {
        let regex = self.regex.get_or_init(|| build(&self.pattern).ok());
        regex
            .iter()
            .flat_map(move |regex| regex.find_iter(text))
            .filter(move |m| {
                let found = &text[m.range()];
                let starts_word = found.starts_with(worded);
                let ends_word = found.ends_with(worded);
                (!starts_word || !text[..m.start()].chars().next_back().is_some_and(worded))
                    && (!ends_word || !text[m.end()..].chars().next().is_some_and(worded))
            })
            .map(move |m| Hit { text, start: m.start(), end: m.end() })
    }

    /// The first whole-word match.
    pub(crate) fn find<'t>(&self, text: &'t str) -> Option<Hit<'t>> {
        self.find_iter(text).next()
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.find(text).is_some()
    }
}

/// Compiled word lists.
#[derive(Debug)]
pub(crate) struct Lexicon {
    pub(crate) code_keywords: Option<Words>,
    pub(crate) reference: Option<Words>,
    pub(crate) promo: Option<Words>,
    pub(crate) time_units: Option<Words>,
    pub(crate) notice: Option<Words>,
    pub(crate) link_keywords: Option<Words>,
    pub(crate) sign_in_keywords: Option<Words>,
    pub(crate) link_ignore: Option<Words>,
    pub(crate) ignore_hosts: Vec<String>,
    pub(crate) not_codes: HashSet<String>,
}

impl Lexicon {
    pub(crate) fn compile(vocabulary: &Vocabulary) -> Result<Self, regex::Error> {
        Ok(Self {
            code_keywords: alternation(&vocabulary.code_keywords)?,
            reference: alternation(&vocabulary.reference_keywords)?,
            promo: alternation(&vocabulary.promo_keywords)?,
            time_units: alternation(&vocabulary.time_units)?,
            notice: alternation(&vocabulary.notice_phrases)?,
            link_keywords: alternation(&vocabulary.link_keywords)?,
            sign_in_keywords: alternation(&vocabulary.sign_in_keywords)?,
            link_ignore: alternation(&vocabulary.link_ignore)?,
            ignore_hosts: vocabulary.link_ignore_hosts.iter().map(|h| h.to_lowercase()).collect(),
            not_codes: vocabulary.not_codes.iter().map(|w| w.to_uppercase()).collect(),
        })
    }
}

/// Whether `c` belongs to a script that separates words with spaces, so
/// that a keyword needs a word boundary there (CJK does not).
fn worded(c: char) -> bool {
    c.is_alphanumeric() && (c as u32) < 0x0530
}

/// One regex matching any of `words`, longest first.
fn alternation(words: &[String]) -> Result<Option<Words>, regex::Error> {
    let mut words: Vec<&String> = words.iter().filter(|w| !w.trim().is_empty()).collect();
    if words.is_empty() {
        return Ok(None);
    }
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    // ASCII words fold case in ASCII only, which compiles to a far smaller
    // automaton than Unicode case folding; other words fold in Unicode.
    let spaced = |word: &str| regex::escape(word.trim()).replace(' ', r"(?u:[\s\u{a0}]+)");
    let ascii: Vec<String> = words.iter().filter(|w| w.is_ascii()).map(|w| spaced(w)).collect();
    let other: Vec<String> = words.iter().filter(|w| !w.is_ascii()).map(|w| spaced(w)).collect();
    let mut alternatives = Vec::new();
    if !ascii.is_empty() {
        alternatives.push(format!("(?i-u:{})", ascii.join("|")));
    }
    if !other.is_empty() {
        alternatives.push(format!("(?i:{})", other.join("|")));
    }
    let pattern = alternatives.join("|");
    // Keywords are escaped literals, so only their size can fail; check it
    // now when the list comes from a user's file, lazily for the built-ins.
    Ok(Some(Words { pattern, regex: std::sync::OnceLock::new() }))
}

fn build(pattern: &str) -> Result<Regex, regex::Error> {
    // No prefilter: for a long case-insensitive alternation, extracting
    // its literals costs more to build than it saves in a search.
    Regex::builder()
        .configure(Regex::config().auto_prefilter(false).nfa_size_limit(Some(1 << 24)))
        .syntax(syntax::Config::new())
        .build(pattern)
        .map_err(|e| regex::Error::Syntax(e.to_string()))
}

impl Lexicon {
    /// Compiles every list now, so that a user's vocabulary that is too
    /// large fails when the rule is loaded rather than when it is used.
    pub(crate) fn validate(&self) -> Result<(), regex::Error> {
        for words in [
            &self.code_keywords,
            &self.reference,
            &self.promo,
            &self.time_units,
            &self.notice,
            &self.link_keywords,
            &self.sign_in_keywords,
            &self.link_ignore,
        ]
        .into_iter()
        .flatten()
        {
            let regex = build(&words.pattern)?;
            let _ = words.regex.set(Some(regex));
        }
        Ok(())
    }
}

/// Whether `words` (if any) match `text`.
pub(crate) fn matches(words: &Option<Words>, text: &str) -> bool {
    words.as_ref().is_some_and(|w| w.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_whole_words_and_cjk_inside_text() {
        let words = ["code", "verification code", "验证码", "код"].map(String::from);
        let regex = alternation(&words).unwrap().unwrap();
        assert_eq!(regex.find("Your Verification  Code: 1").unwrap().as_str(), "Verification  Code");
        assert_eq!(regex.find("barcode, then the code").unwrap().start(), 18);
        assert!(regex.find("barcode").is_none());
        assert!(regex.is_match("您的验证码是123456"));
        assert!(regex.is_match("Ваш код: 4242"));
        assert!(!regex.is_match("кодировка"));
    }
}
