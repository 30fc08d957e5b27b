//! The generic heuristic's vocabulary, compiled: one case-insensitive
//! regex per word list, with word boundaries where the script has words.

use std::collections::HashSet;

use regex::{Regex, RegexBuilder};

use crate::model::Vocabulary;

/// Compiled word lists.
#[derive(Debug)]
pub(crate) struct Lexicon {
    pub(crate) code_keywords: Option<Regex>,
    pub(crate) reference: Option<Regex>,
    pub(crate) promo: Option<Regex>,
    pub(crate) time_units: Option<Regex>,
    pub(crate) notice: Option<Regex>,
    pub(crate) link_keywords: Option<Regex>,
    pub(crate) sign_in_keywords: Option<Regex>,
    pub(crate) link_ignore: Option<Regex>,
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
fn alternation(words: &[String]) -> Result<Option<Regex>, regex::Error> {
    let mut words: Vec<&String> = words.iter().filter(|w| !w.trim().is_empty()).collect();
    if words.is_empty() {
        return Ok(None);
    }
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let alternatives: Vec<String> = words
        .iter()
        .map(|word| {
            let word = word.trim();
            let escaped = regex::escape(word).replace(' ', r"[\s\u{a0}]+");
            let start = if word.starts_with(worded) { r"\b" } else { "" };
            let end = if word.ends_with(worded) { r"\b" } else { "" };
            format!("{start}{escaped}{end}")
        })
        .collect();
    RegexBuilder::new(&alternatives.join("|")).case_insensitive(true).size_limit(1 << 24).build().map(Some)
}

/// Whether `regex` (if any) matches `text`.
pub(crate) fn matches(regex: &Option<Regex>, text: &str) -> bool {
    regex.as_ref().is_some_and(|r| r.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_whole_words_and_cjk_inside_text() {
        let words = ["code", "verification code", "验证码", "код"].map(String::from);
        let regex = alternation(&words).unwrap().unwrap();
        assert_eq!(regex.find("Your Verification  Code: 1").unwrap().as_str(), "Verification  Code");
        assert!(regex.find("barcode").is_none());
        assert!(regex.is_match("您的验证码是123456"));
        assert!(regex.is_match("Ваш код: 4242"));
        assert!(!regex.is_match("кодировка"));
    }
}
