//! The generic heuristic's vocabulary, compiled so that a text is scanned
//! once for every word list of `rules/generic.toml`.
//!
//! A word may belong to several lists ("kod" announces a code in Polish and
//! in Turkish; "confirmation" is a call to action and part of
//! "confirmation number", a reference). Each word carries the set of lists
//! it is on, and a scan returns every hit with that set. At any position
//! the longest word wins, so "confirmation number" hides the
//! "confirmation" inside it.
//!
//! Two matchers share the work. Words of scripts that separate words with
//! spaces (Latin, Greek, Cyrillic) are matched token by token: the text is
//! cut into runs of letters and digits and single marks (`-`, `'`, `#`),
//! and a phrase is a sequence of such tokens, so a word never matches
//! inside a longer one ("code" is not in "barcode"). Words of the other
//! scripts (Chinese, Japanese, Korean, Thai, Arabic, Persian, Hebrew,
//! Hindi), which attach particles to words, are found anywhere by an
//! Aho-Corasick automaton. Case is folded before matching, character for
//! character where that keeps every offset; white space of any kind and
//! amount separates tokens.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::model::Vocabulary;

/// One of the vocabulary's word lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    /// Words that announce a one-time code.
    Code,
    /// Words that make the number after them a reference.
    Reference,
    /// Words that make a code a coupon.
    Promo,
    /// Words after a number that make it a duration or a quantity.
    TimeUnit,
    /// Phrases that mark a notice.
    Notice,
    /// Words of a primary call to action.
    Action,
    /// Words of a sign-in link.
    SignIn,
    /// Words that point at a link ("the link below", "click here").
    Pointer,
    /// Words of a link that undoes or refuses ("this wasn't me", "deny").
    Revoke,
    /// Words that say a code or link expires.
    Expiry,
    /// Words that tell the reader to type something.
    Instruction,
    /// Words of links that are never the one (unsubscribe, privacy, help).
    NonAction,
    /// Words that say a code is no longer the one to use ("old code",
    /// "is no longer valid").
    Superseded,
}

impl List {
    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Lists(u16);

impl Lists {
    pub(crate) fn contains(self, list: List) -> bool {
        self.0 & list.bit() != 0
    }

    fn insert(&mut self, list: List) {
        self.0 |= list.bit();
    }
}

/// A whole-word hit of the vocabulary in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) lists: Lists,
}

/// A word of the vocabulary, folded, with the lists it is on.
#[derive(Debug)]
struct Word {
    folded: String,
    lists: Lists,
    /// Written in capitals only ("PIN", "TAN", "OTP"): an acronym, which
    /// matches only in capitals, so that "pin" and "Tan" stay words.
    capitals: bool,
}

/// The compiled vocabulary.
#[derive(Debug)]
pub(crate) struct Lexicon {
    words: Vec<Word>,
    /// The words of spaced scripts, as token sequences, by their first
    /// token, longest first.
    phrases: HashMap<String, Vec<(Vec<String>, usize)>, BuildFnv>,
    /// The words of the other scripts, and the automaton that finds them.
    unspaced: Vec<usize>,
    automaton: OnceLock<Option<AhoCorasick>>,
    /// Fragments of a URL's path or query that name an action (`verify`,
    /// `reset`, `magic`), matched anywhere in the lower-cased URL.
    url_words: Vec<String>,
    url_automaton: OnceLock<Option<AhoCorasick>>,
    pub(crate) ignore_hosts: Vec<String>,
    pub(crate) not_codes: HashSet<String>,
}

impl Lexicon {
    pub(crate) fn compile(vocabulary: &Vocabulary) -> Self {
        let lists: [(&[String], List); 13] = [
            (&vocabulary.instruction_words, List::Instruction),
            (&vocabulary.code_keywords, List::Code),
            (&vocabulary.reference_keywords, List::Reference),
            (&vocabulary.promo_keywords, List::Promo),
            (&vocabulary.time_units, List::TimeUnit),
            (&vocabulary.notice_phrases, List::Notice),
            (&vocabulary.link_keywords, List::Action),
            (&vocabulary.sign_in_keywords, List::SignIn),
            (&vocabulary.pointer_phrases, List::Pointer),
            (&vocabulary.revoke_phrases, List::Revoke),
            (&vocabulary.expiry_phrases, List::Expiry),
            (&vocabulary.link_ignore, List::NonAction),
            (&vocabulary.superseded_phrases, List::Superseded),
        ];
        let mut words: Vec<Word> = Vec::new();
        let mut index = HashMap::new();
        for (list_words, list) in lists {
            for word in list_words {
                let folded = fold_word(word);
                if folded.is_empty() {
                    continue;
                }
                let capitals = word.chars().any(char::is_alphabetic) && !word.chars().any(char::is_lowercase);
                let at = *index.entry(folded.clone()).or_insert_with(|| {
                    words.push(Word { folded, lists: Lists::default(), capitals });
                    words.len() - 1
                });
                words[at].lists.insert(list);
                words[at].capitals &= capitals;
            }
        }
        let mut phrases: HashMap<String, Vec<(Vec<String>, usize)>, BuildFnv> = HashMap::default();
        let mut unspaced = Vec::new();
        for (i, word) in words.iter().enumerate() {
            if word.folded.chars().any(unspaced_letter) {
                unspaced.push(i);
                continue;
            }
            let tokens: Vec<String> = tokens(&word.folded).map(|(_, t)| canonical(t).to_owned()).collect();
            if let Some(first) = tokens.first() {
                phrases.entry(first.clone()).or_default().push((tokens.clone(), i));
            }
        }
        for candidates in phrases.values_mut() {
            candidates.sort_by_key(|(tokens, _)| std::cmp::Reverse(tokens.len()));
        }
        Self {
            words,
            phrases,
            unspaced,
            automaton: OnceLock::new(),
            url_words: vocabulary
                .url_keywords
                .iter()
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect(),
            url_automaton: OnceLock::new(),
            ignore_hosts: vocabulary.link_ignore_hosts.iter().map(|h| h.trim().to_lowercase()).collect(),
            not_codes: vocabulary.not_codes.iter().map(|w| w.trim().to_uppercase()).collect(),
        }
    }

    /// Builds the automata now, so that a user's vocabulary that is too
    /// large fails when the rule is loaded rather than when it is used.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !self.words.is_empty() && self.automaton().is_none() {
            return Err("the word lists could not be compiled".to_owned());
        }
        if !self.url_words.is_empty() && self.url_automaton().is_none() {
            return Err("the url-keywords could not be compiled".to_owned());
        }
        Ok(())
    }

    fn automaton(&self) -> Option<&AhoCorasick> {
        self.automaton
            .get_or_init(|| {
                let words = self.unspaced.iter().map(|&i| self.words[i].folded.as_str());
                build(words, false, MatchKind::LeftmostLongest)
            })
            .as_ref()
    }

    fn url_automaton(&self) -> Option<&AhoCorasick> {
        self.url_automaton
            .get_or_init(|| build(self.url_words.iter().map(String::as_str), true, MatchKind::Standard))
            .as_ref()
    }

    /// Every hit of any list in `text`, left to right, the longest word at
    /// each position.
    pub(crate) fn scan(&self, text: &str) -> Vec<Hit> {
        let folded = fold_text(text);
        let mut found = Vec::new();
        // Spaced scripts: token sequences.
        let tokens: Vec<(usize, &str)> = tokens(&folded).collect();
        let mut i = 0;
        while i < tokens.len() {
            let matched = self.phrases.get(canonical(tokens[i].1)).and_then(|candidates| {
                candidates.iter().find(|(phrase, w)| {
                    tokens.len() - i >= phrase.len()
                        && phrase.iter().zip(&tokens[i..]).all(|(p, (_, t))| p == canonical(t))
                        && {
                            let (start, last) = (tokens[i].0, &tokens[i + phrase.len() - 1]);
                            let end = last.0 + last.1.len();
                            !self.words[*w].capitals || !text[start..end].chars().any(char::is_lowercase)
                        }
                })
            });
            match matched {
                Some((phrase, w)) => {
                    let last = &tokens[i + phrase.len() - 1];
                    found.push(Hit { start: tokens[i].0, end: last.0 + last.1.len(), lists: self.words[*w].lists });
                    i += phrase.len();
                }
                None => i += 1,
            }
        }
        // Unspaced scripts: anywhere.
        if !self.unspaced.is_empty()
            && !folded.is_ascii()
            && let Some(automaton) = self.automaton()
        {
            for m in automaton.find_iter(folded.as_str()) {
                let word = &self.words[self.unspaced[m.pattern().as_usize()]];
                found.push(Hit { start: m.start(), end: m.end(), lists: word.lists });
            }
            found.sort_unstable_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
            let mut taken_to = 0;
            found.retain(|h| {
                let keep = h.start >= taken_to;
                if keep {
                    taken_to = h.end;
                }
                keep
            });
        }
        found
    }

    /// The first URL keyword in `url_part` that starts a word of it: after
    /// a separator (`/`, `?`, `-`, `=`, …), or at a camel-case word that
    /// ends its segment (`/Account/SetPassword`). A keyword inside a token
    /// or a longer word ("processors", "TrackConfirmAction") does not count.
    pub(crate) fn url_word<'u>(&self, url_part: &'u str) -> Option<&'u str> {
        let automaton = self.url_automaton()?;
        automaton
            .find_overlapping_iter(url_part)
            .find(|m| {
                let before = url_part[..m.start()].chars().next_back();
                let first = url_part[m.start()..].chars().next();
                let after = url_part[m.end()..].chars().next();
                // Camel case starts a word too, where the word ends its
                // segment: "SetPassword", but not "TrackConfirmAction".
                let camel = before.is_some_and(|c| c.is_ascii_lowercase())
                    && first.is_some_and(|c| c.is_ascii_uppercase())
                    && !after.is_some_and(|c| c.is_ascii_alphanumeric());
                !before.is_some_and(|c| c.is_ascii_alphanumeric()) || camel
            })
            .map(|m| &url_part[m.range()])
    }
}

/// An automaton over `words`. The word lists are folded, and so is the text
/// they are sought in, so they need no case folding of their own (which
/// doubles the automaton); URL keywords are sought in the URL as written.
fn build<'w>(words: impl Iterator<Item = &'w str>, case_insensitive: bool, kind: MatchKind) -> Option<AhoCorasick> {
    // The non-contiguous NFA: a DFA of 2,000 words costs milliseconds to
    // build, and the contiguous NFA, made from this one, takes more memory
    // and time to build than it saves scanning a mail (a one-shot
    // `otpcatch extract` paid 0.2 ms and 220 page faults more with it).
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(case_insensitive)
        .match_kind(kind)
        .kind(Some(AhoCorasickKind::NoncontiguousNFA))
        .build(words)
        .ok()
}

/// FNV-1a: the phrase table is looked up once per token of every text,
/// with short keys an attacker cannot choose to collide usefully (the
/// table holds the vocabulary, not the mail), so the standard library's
/// SipHash buys nothing and costs a third of a scan.
#[derive(Debug, Clone, Copy, Default)]
struct BuildFnv;

struct Fnv(u64);

impl std::hash::BuildHasher for BuildFnv {
    type Hasher = Fnv;

    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The tokens of a folded text, with their byte offsets: runs of letters
/// and digits of spaced scripts, and single marks. White space and the
/// letters of unspaced scripts separate them.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        loop {
            let (start, c) = chars.next()?;
            if worded(c) {
                let mut end = start + c.len_utf8();
                while let Some(&(at, next)) = chars.peek() {
                    if !worded(next) {
                        break;
                    }
                    end = at + next.len_utf8();
                    chars.next();
                }
                return Some((start, &text[start..end]));
            }
            if !c.is_whitespace() && !c.is_alphanumeric() {
                return Some((start, &text[start..start + c.len_utf8()]));
            }
        }
    })
}

/// A mark as a word list writes it: typographic apostrophes and dashes are
/// the ASCII ones.
fn canonical(token: &str) -> &str {
    match token {
        "\u{2019}" | "\u{2018}" | "\u{2bc}" | "`" => "'",
        "\u{2010}" | "\u{2011}" | "\u{2013}" | "\u{2014}" => "-",
        _ => token,
    }
}

/// A letter of a script that does not separate words with spaces, or
/// attaches particles to them.
fn unspaced_letter(c: char) -> bool {
    c.is_alphanumeric() && !worded(c)
}

/// Whether `c` belongs to a script that separates words with spaces, so
/// that a keyword needs a word boundary there (CJK, Arabic, Hebrew and
/// Thai do not, or attach particles to their words).
fn worded(c: char) -> bool {
    c.is_alphanumeric() && (c as u32) < 0x0530
}

/// A word as the automaton holds it: lower-cased, runs of white space as
/// one space.
fn fold_word(word: &str) -> String {
    let word = word.trim();
    if word.is_ascii() && !word.contains("  ") {
        return fold_text(word);
    }
    let folded: String = word.split_whitespace().collect::<Vec<_>>().join(" ");
    folded.chars().map(fold_char).collect()
}

/// A text folded as words are, keeping every byte offset: capitals that
/// lower-case to one character of the same length, and white space as a
/// space.
fn fold_text(text: &str) -> String {
    if text.is_ascii() {
        let mut folded = text.to_ascii_lowercase().into_bytes();
        for b in &mut folded {
            if b.is_ascii_whitespace() {
                *b = b' ';
            }
        }
        return String::from_utf8(folded).unwrap_or_default();
    }
    text.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return if c.is_ascii_whitespace() { ' ' } else { c.to_ascii_lowercase() };
    }
    if !c.is_uppercase() {
        return c;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(code: &[&str], action: &[&str]) -> Lexicon {
        Lexicon::compile(&Vocabulary {
            code_keywords: code.iter().map(|w| w.to_string()).collect(),
            link_keywords: action.iter().map(|w| w.to_string()).collect(),
            ..Vocabulary::default()
        })
    }

    fn found<'t>(lexicon: &Lexicon, text: &'t str) -> Vec<&'t str> {
        lexicon.scan(text).iter().map(|h| &text[h.start..h.end]).collect()
    }

    #[test]
    fn keywords_match_whole_words_and_cjk_inside_text() {
        let lexicon = lexicon(&["code", "verification code", "验证码", "код"], &[]);
        assert_eq!(found(&lexicon, "Your Verification\nCode: 1"), ["Verification\nCode"]);
        assert_eq!(found(&lexicon, "barcode, then the code"), ["code"]);
        assert_eq!(found(&lexicon, "您的验证码是123456"), ["验证码"]);
        assert_eq!(found(&lexicon, "Ваш КОД: 4242"), ["КОД"]);
        assert!(found(&lexicon, "кодировка").is_empty());
    }

    #[test]
    fn acronyms_match_only_in_capitals() {
        let lexicon = lexicon(&["PIN", "TAN", "code"], &[]);
        assert_eq!(found(&lexicon, "Your PIN: 4821, Rosa Tan, pin it, the Code"), ["PIN", "Code"]);
    }

    #[test]
    fn a_word_on_two_lists_carries_both_and_the_longest_word_wins() {
        let lexicon = lexicon(&["kod", "confirmation code"], &["kod", "confirmation"]);
        let hits = lexicon.scan("kod; confirmation code; confirmation");
        let lists: Vec<(bool, bool)> =
            hits.iter().map(|h| (h.lists.contains(List::Code), h.lists.contains(List::Action))).collect();
        assert_eq!(lists, [(true, true), (true, false), (false, true)]);
    }
}
