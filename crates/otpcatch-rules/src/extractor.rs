//! Extractors at work: a compiled rule's extractors run over a message's
//! texts, in order, until one finds the value.

use regex::{Regex, RegexBuilder};
use regex_automata::meta;
use scraper::Selector;

use crate::compile::{CompiledRule, check_syntax};
use crate::extraction::{Candidate, Confidence, Found};
use crate::generic::{self, Bar, Lexicon};
use crate::postprocess::{Strip, decode_entities, typed_code};
use crate::source::{Source, Sources};

/// Whether an extractor looks for the code or the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Code,
    Link,
}

impl Target {
    pub(crate) fn group(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Link => "link",
        }
    }
}

/// How an extractor finds its value.
#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    Regex(LazyRegex),
    Fancy(fancy_regex::Regex, usize),
    Css { selector: Box<Selector>, attribute: Option<String>, narrow: Option<Regex> },
    Generic,
}

#[derive(Debug, Clone)]
pub(crate) struct Extractor {
    pub(crate) matcher: Matcher,
    pub(crate) source: Source,
    /// For a code: how its separators are treated. `None` for a link.
    pub(crate) strip: Option<Strip>,
    pub(crate) decode: bool,
    pub(crate) description: String,
}

/// What an extractor matched.
struct Matched {
    value: String,
    reason: String,
    context: String,
    score: Option<f64>,
    confidence: Confidence,
}

/// A rule's pattern, checked when the rule loads and compiled on first
/// use: most rules apply to few messages, and compiling every one of them
/// would double the start-up time of a one-shot `otpcatch extract`.
///
/// It is compiled without the one-pass DFA that the `regex` crate builds
/// for every pattern with a capture group: for a Unicode class such as
/// `\d` that table alone made each extractor cost about 200 KiB, 1.1 GB
/// for a file of 5,000. Without it, 63 KiB; the lazy DFA still finds the
/// match, and the captures are read within it.
#[derive(Debug, Clone)]
pub(crate) struct LazyRegex {
    pattern: String,
    compiled: std::sync::OnceLock<Result<meta::Regex, String>>,
}

impl LazyRegex {
    pub(crate) fn new(pattern: &str) -> Result<Self, String> {
        check_syntax(pattern)?;
        Ok(Self { pattern: pattern.to_owned(), compiled: std::sync::OnceLock::new() })
    }

    fn get(&self) -> Result<&meta::Regex, String> {
        self.compiled
            .get_or_init(|| {
                meta::Builder::new()
                    .configure(
                        meta::Config::new()
                            .onepass(false)
                            .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                            .hybrid_cache_capacity(REGEX_DFA_SIZE_LIMIT),
                    )
                    .build(&self.pattern)
                    .map_err(|e| format!("invalid pattern: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Where the value is in the first match in `text`: the group named
    /// `group`, else group 1, else the whole match.
    fn value_span(&self, text: &str, group: &str) -> Result<Option<std::ops::Range<usize>>, String> {
        let regex = self.get()?;
        let mut captures = regex.create_captures();
        regex.captures(text, &mut captures);
        if !captures.is_match() {
            return Ok(None);
        }
        let span = captures
            .get_group_by_name(group)
            .or_else(|| captures.get_group(1))
            .or_else(|| captures.get_match().map(|m| m.span()));
        Ok(span.map(|s| s.start..s.end))
    }
}

/// The most a compiled pattern may take: 4 MiB for its automaton, and
/// 256 KiB for the lazy DFA's cache (a rule's pattern; `build_regex`
/// keeps the `regex` crate's own cache size, since its `dfa_size_limit`
/// also admits larger full DFAs, built eagerly at a cost in time).
pub(crate) const REGEX_SIZE_LIMIT: usize = 4 << 20;
pub(crate) const REGEX_DFA_SIZE_LIMIT: usize = 256 << 10;

pub(crate) fn build_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern).size_limit(REGEX_SIZE_LIMIT).build().map_err(|e| format!("invalid pattern: {e}"))
}

/// How long a `fancy` extractor may search one text, over every position
/// it tries. The backtrack limit bounds the work at one position only: a
/// look-around followed by nested repetition costs the length of the text
/// at each of them, 17 s on 100 KB, without a single backtrack counted.
pub(crate) const FANCY_TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(1);

/// Why a `fancy` search gave up.
enum FancyFailure {
    OutOfTime,
    Engine(fancy_regex::Error),
}

/// The first match of `regex` in `text`, tried position by position (one
/// anchored search each, as the engine itself would try them), so that the
/// time budget covers the whole search.
fn fancy_captures<'t>(
    regex: &fancy_regex::Regex,
    text: &'t str,
    budget: std::time::Duration,
) -> Result<Option<fancy_regex::Captures<'t, str>>, FancyFailure> {
    let deadline = std::time::Instant::now() + budget;
    let (mut position, mut tried) = (0, 0usize);
    loop {
        tried += 1;
        if tried % 64 == 0 && std::time::Instant::now() >= deadline {
            return Err(FancyFailure::OutOfTime);
        }
        let input = fancy_regex::RegexInput::new(text).from_pos(position).anchored(true);
        if let Some(captures) = regex.captures_input(input).map_err(FancyFailure::Engine)? {
            return Ok(Some(captures));
        }
        match text[position..].chars().next() {
            Some(c) => position += c.len_utf8(),
            None => return Ok(None),
        }
    }
}

impl CompiledRule {
    /// Runs the extractors for `target` in order; the first value wins. The
    /// generic heuristic's runners-up are added to `runners_up`.
    pub(crate) fn run(
        &self,
        target: Target,
        sources: &Sources<'_>,
        default_lexicon: &Lexicon,
        bar: Bar,
        runners_up: &mut Vec<Candidate>,
    ) -> Result<Found, String> {
        let extractors = match target {
            Target::Code => &self.code,
            Target::Link => &self.link,
        };
        if extractors.is_empty() {
            return Err(format!("rule {:?} has no {} extractor", self.name, target.group()));
        }
        let lexicon = self.lexicon.as_deref().unwrap_or(default_lexicon);
        let mut misses = Vec::new();
        for (i, extractor) in extractors.iter().enumerate() {
            match extractor.run(target, sources, lexicon, bar, runners_up) {
                Ok(matched) => {
                    let value = match extractor.strip {
                        Some(strip) => typed_code(&matched.value, strip),
                        None => matched.value,
                    };
                    let value = if extractor.decode { decode_entities(&value) } else { value };
                    if value.is_empty() {
                        misses.push(format!("{}[{}]: the match was empty", target.group(), i + 1));
                        continue;
                    }
                    return Ok(Found {
                        value,
                        rule: self.name.clone(),
                        extractor: format!("{}[{}]", target.group(), i + 1),
                        reason: matched.reason,
                        context: matched.context,
                        score: matched.score,
                        confidence: matched.confidence,
                    });
                }
                Err(why) => misses.push(format!("{}[{}] ({}): {why}", target.group(), i + 1, extractor.description)),
            }
        }
        Err(misses.join("; "))
    }
}

impl Extractor {
    /// The value a pattern matched in `text`, with its reason and context.
    fn matched(&self, text: &str, span: Option<std::ops::Range<usize>>) -> Result<Matched, String> {
        let span = span.ok_or("the pattern did not match")?;
        Ok(Matched {
            value: text[span.clone()].to_owned(),
            reason: format!("matched {}", self.description),
            context: generic::snippet(text, span.start, span.end),
            score: None,
            confidence: Confidence::High,
        })
    }

    fn run(
        &self,
        target: Target,
        sources: &Sources<'_>,
        lexicon: &Lexicon,
        bar: Bar,
        runners_up: &mut Vec<Candidate>,
    ) -> Result<Matched, String> {
        match &self.matcher {
            Matcher::Generic => {
                let judgement = sources.with_reading(lexicon, |reading| match target {
                    Target::Code => generic::find_code(lexicon, reading, bar),
                    Target::Link => generic::find_link(lexicon, reading, bar),
                });
                runners_up.extend(judgement.runners_up);
                let finding = judgement.chosen.map_err(|why| match sources.unread() {
                    Some(unread) => format!("{why}; {unread}"),
                    None => why,
                })?;
                Ok(Matched {
                    value: finding.value,
                    reason: finding.reason,
                    context: finding.context,
                    score: Some(finding.score),
                    confidence: finding.confidence,
                })
            }
            Matcher::Regex(regex) => {
                let text = sources.get(self.source);
                let span = regex.value_span(text, target.group())?.ok_or("the pattern did not match")?;
                self.matched(text, Some(span))
            }
            Matcher::Fancy(regex, limit) => {
                let text = sources.get(self.source);
                let captures = fancy_captures(regex, text, FANCY_TIME_BUDGET)
                    .map_err(|e| match e {
                        FancyFailure::OutOfTime => format!(
                            "the pattern was stopped after {FANCY_TIME_BUDGET:?} without a match: simplify it \
                             (nested repetition after a look-around is the usual cause)"
                        ),
                        FancyFailure::Engine(fancy_regex::Error::RuntimeError(
                            fancy_regex::RuntimeError::BacktrackLimitExceeded,
                        )) => format!(
                            "the pattern exceeded its backtrack limit ({limit} steps): simplify it, or raise backtrack-limit"
                        ),
                        FancyFailure::Engine(other) => format!("the pattern failed: {other}"),
                    })?
                    .ok_or("the pattern did not match")?;
                let value = captures.name(target.group()).or_else(|| captures.get(1)).or_else(|| captures.get(0));
                self.matched(text, value.map(|m| m.range()))
            }
            Matcher::Css { selector, attribute, narrow } => {
                let document = crate::render::parse(&sources.message.html);
                for element in document.select(selector) {
                    let value = match attribute {
                        Some(attribute) => element.attr(attribute).map(str::to_owned),
                        None => Some(element.text().collect::<Vec<_>>().join(" ")),
                    };
                    let Some(value) = value else { continue };
                    let value = value.trim();
                    let narrowed = match narrow {
                        Some(narrow) => narrow.captures(value).and_then(|c| {
                            c.name(target.group())
                                .or_else(|| c.get(1))
                                .or_else(|| c.get(0))
                                .map(|m| m.as_str().to_owned())
                        }),
                        None => Some(value.to_owned()),
                    };
                    if let Some(narrowed) = narrowed.filter(|v| !v.is_empty()) {
                        return Ok(Matched {
                            value: narrowed,
                            reason: format!("selected by {}", self.description),
                            context: value.chars().take(80).collect(),
                            score: None,
                            confidence: Confidence::High,
                        });
                    }
                }
                Err("the selector matched nothing usable".to_owned())
            }
        }
    }
}
