//! Rule files compiled: patterns and selectors built once, errors named by
//! file, line, column and the part of the rule.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::{Regex, RegexBuilder};
use scraper::Selector;
use toml::Spanned;

use crate::error::{RuleError, line_column};
use crate::extraction::{Candidate, Confidence, Found};
use crate::generic::{self, Bar, Lexicon};
use crate::model::{ExtractorSpec, Kind, RuleFile, SourceName};
use crate::postprocess::{Strip, decode_entities, typed_code};
use crate::source::Sources;

/// The backtracking steps a `fancy` pattern may take unless it says otherwise.
pub(crate) const DEFAULT_BACKTRACK_LIMIT: usize = 100_000;

/// Whether an extractor looks for the code or the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Code,
    Link,
}

impl Target {
    fn group(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Link => "link",
        }
    }
}

/// Where a rule came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Shipped in `rules/` and embedded in the binary.
    BuiltIn,
    /// A user's file.
    File(PathBuf),
    /// Text the embedding program gave ([`RuleSet::add_toml`]), under the
    /// label it chose.
    ///
    /// [`RuleSet::add_toml`]: crate::RuleSet::add_toml
    Text(String),
}

/// A rule ready to run.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) origin: Origin,
    pub(crate) has_matcher: bool,
    /// The `[match]` patterns, checked at load; `RuleSet` compiles them
    /// together, one `RegexSet` per field, rather than one regex each.
    pub(crate) sender: Option<String>,
    pub(crate) recipient: Option<String>,
    pub(crate) subject: Option<String>,
    code: Vec<Extractor>,
    link: Vec<Extractor>,
    pub(crate) lexicon: Option<Arc<Lexicon>>,
}

#[derive(Debug, Clone)]
enum Matcher {
    Regex(LazyRegex),
    Fancy(fancy_regex::Regex, usize),
    Css { selector: Box<Selector>, attribute: Option<String>, narrow: Option<Regex> },
    Generic,
}

#[derive(Debug, Clone)]
struct Extractor {
    matcher: Matcher,
    source: SourceName,
    /// For a code: how its separators are treated. `None` for a link.
    strip: Option<Strip>,
    decode: bool,
    description: String,
}

/// What an extractor matched.
struct Matched {
    value: String,
    reason: String,
    context: String,
    score: Option<f64>,
    confidence: Confidence,
}

/// Parses and compiles one rule file's text.
pub(crate) fn compile(text: &str, file: &Path, origin: Origin) -> Result<CompiledRule, RuleError> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| {
        let mut error = RuleError::new(file, e.message().to_owned());
        error.position = e.span().map(|span| line_column(text, span.start));
        error
    })?;
    let spanned_error = |spanned: &Spanned<String>, location: String, message: String| {
        let mut error = RuleError::new(file, message).at(location);
        error.position = Some(line_column(text, spanned.span().start));
        error
    };
    if parsed.name.trim().is_empty() {
        return Err(RuleError::new(file, "the rule has an empty name"));
    }
    let matcher = parsed.matcher.clone().unwrap_or_default();
    let pattern = |field: &str, value: &Option<Spanned<String>>| -> Result<Option<String>, RuleError> {
        value
            .as_ref()
            .map(|spanned| {
                check_syntax(spanned.get_ref())
                    .map(|()| spanned.get_ref().clone())
                    .map_err(|e| spanned_error(spanned, format!("[match] {field}"), e))
            })
            .transpose()
    };
    let keyword_error = |e: String| RuleError::new(file, e).at("[generic]");
    let lexicon = match &parsed.generic {
        Some(vocabulary) => {
            let lexicon = Lexicon::compile(vocabulary);
            if matches!(origin, Origin::File(_)) {
                lexicon.validate().map_err(keyword_error)?;
            }
            Some(Arc::new(lexicon))
        }
        None => None,
    };
    let extractors = |specs: &[ExtractorSpec], target: Target| -> Result<Vec<Extractor>, RuleError> {
        specs
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let location = format!("[[{}]] {}", target.group(), i + 1);
                build_extractor(spec, target).map_err(|(spanned, message)| match spanned {
                    Some(spanned) => spanned_error(&spanned, location.clone(), message),
                    None => RuleError::new(file, message).at(location.clone()),
                })
            })
            .collect()
    };
    let rule = CompiledRule {
        name: parsed.name.trim().to_owned(),
        description: parsed.description.trim().to_owned(),
        origin,
        has_matcher: parsed.matcher.is_some(),
        sender: pattern("sender", &matcher.sender)?,
        recipient: pattern("recipient", &matcher.recipient)?,
        subject: pattern("subject", &matcher.subject)?,
        code: extractors(&parsed.code, Target::Code)?,
        link: extractors(&parsed.link, Target::Link)?,
        lexicon,
    };
    if rule.code.is_empty() && rule.link.is_empty() {
        return Err(RuleError::new(file, "the rule has no [[code]] or [[link]] extractor"));
    }
    Ok(rule)
}

/// A pattern checked when the rule loads and compiled on first use: most
/// rules apply to few messages, and compiling every one of them would
/// double the start-up time of a one-shot `otpcatch extract`.
#[derive(Debug, Clone)]
struct LazyRegex {
    pattern: String,
    compiled: std::sync::OnceLock<Result<Regex, String>>,
}

impl LazyRegex {
    fn new(pattern: &str) -> Result<Self, String> {
        check_syntax(pattern)?;
        Ok(Self { pattern: pattern.to_owned(), compiled: std::sync::OnceLock::new() })
    }

    fn get(&self) -> Result<&Regex, String> {
        self.compiled.get_or_init(|| build_regex(&self.pattern)).as_ref().map_err(Clone::clone)
    }
}

/// Parses a pattern without compiling it: syntax errors surface when the
/// rule loads, compilation waits until the pattern is needed.
pub(crate) fn check_syntax(pattern: &str) -> Result<(), String> {
    regex_syntax::ParserBuilder::new().build().parse(pattern).map(drop).map_err(|e| format!("invalid pattern: {e}"))
}

fn build_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern).size_limit(1 << 22).build().map_err(|e| format!("invalid pattern: {e}"))
}

type BuildError = (Option<Spanned<String>>, String);

fn build_extractor(spec: &ExtractorSpec, target: Target) -> Result<Extractor, BuildError> {
    let require = |value: &Option<Spanned<String>>, what: &str| {
        value.clone().ok_or((None, format!("a {:?} extractor needs `{what}`", spec.kind).to_lowercase()))
    };
    let matcher = match spec.kind {
        Kind::Regex => {
            let pattern = require(&spec.pattern, "pattern")?;
            Matcher::Regex(LazyRegex::new(pattern.get_ref()).map_err(|e| (Some(pattern.clone()), e))?)
        }
        Kind::Fancy => {
            let pattern = require(&spec.pattern, "pattern")?;
            let limit = spec.backtrack_limit.unwrap_or(DEFAULT_BACKTRACK_LIMIT);
            let regex = fancy_regex::RegexBuilder::new(pattern.get_ref())
                .backtrack_limit(limit)
                .build()
                .map_err(|e| (Some(pattern.clone()), format!("invalid pattern: {e}")))?;
            Matcher::Fancy(regex, limit)
        }
        Kind::Css => {
            let selector = require(&spec.selector, "selector")?;
            let parsed = Selector::parse(selector.get_ref())
                .map_err(|e| (Some(selector.clone()), format!("invalid selector: {e}")))?;
            let narrow = spec
                .pattern
                .as_ref()
                .map(|p| build_regex(p.get_ref()).map_err(|e| (Some(p.clone()), e)))
                .transpose()?;
            Matcher::Css { selector: Box::new(parsed), attribute: spec.attribute.clone(), narrow }
        }
        Kind::Generic => Matcher::Generic,
    };
    let source = spec.source.unwrap_or(match spec.kind {
        Kind::Css => SourceName::Html,
        _ => SourceName::Text,
    });
    if spec.kind == Kind::Css && source != SourceName::Html {
        return Err((None, "a css extractor reads the html source".to_owned()));
    }
    // Patterns are shown exactly as written: whoever reads a miss is
    // writing a rule, and `\S` is not `\s`.
    let description = match (&spec.kind, &spec.pattern, &spec.selector) {
        (Kind::Css, _, Some(selector)) => format!("css {:?}", selector.get_ref()),
        (Kind::Generic, _, _) => "the generic heuristic".to_owned(),
        (kind, Some(pattern), _) => format!("{} {:?}", kind.name(), pattern.get_ref()),
        (kind, None, _) => kind.name().to_owned(),
    };
    let strip = match (target, spec.strip) {
        (Target::Link, _) => None,
        (Target::Code, None) => Some(Strip::Auto),
        (Target::Code, Some(true)) => Some(Strip::All),
        (Target::Code, Some(false)) => Some(Strip::None),
    };
    Ok(Extractor {
        matcher,
        source,
        strip,
        decode: spec.decode_entities.unwrap_or(target == Target::Link),
        description,
    })
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
                let finding = judgement.chosen?;
                Ok(Matched {
                    value: finding.value,
                    reason: finding.reason,
                    context: finding.context,
                    score: Some(finding.score),
                    confidence: finding.confidence,
                })
            }
            Matcher::Regex(regex) => {
                let regex = regex.get()?;
                let text = sources.get(self.source);
                let captures = regex.captures(text).ok_or("the pattern did not match")?;
                let value = captures.name(target.group()).or_else(|| captures.get(1)).or_else(|| captures.get(0));
                self.matched(text, value.map(|m| m.range()))
            }
            Matcher::Fancy(regex, limit) => {
                let text = sources.get(self.source);
                let captures = regex
                    .captures(text)
                    .map_err(|e| match e {
                        fancy_regex::Error::RuntimeError(fancy_regex::RuntimeError::BacktrackLimitExceeded) => format!(
                            "the pattern exceeded its backtrack limit ({limit} steps): simplify it, or raise backtrack-limit"
                        ),
                        other => format!("the pattern failed: {other}"),
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
