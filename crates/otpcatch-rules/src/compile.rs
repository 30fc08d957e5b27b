//! Rule files compiled: patterns and selectors checked and built once,
//! errors named by file, line, column and the part of the rule. Running
//! the compiled extractors is `extractor.rs`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use scraper::Selector;
use toml::Spanned;

use crate::error::{RuleError, RuleErrorKind, line_column};
use crate::extractor::{Extractor, LazyRegex, Matcher, Target, build_regex};
use crate::generic::Lexicon;
use crate::model::{ExtractorSpec, Kind, RuleFile};
use crate::postprocess::Strip;
use crate::source::Source;

/// The backtracking steps a `fancy` pattern may take unless it says otherwise.
pub(crate) const DEFAULT_BACKTRACK_LIMIT: usize = 100_000;

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
    pub(crate) code: Vec<Extractor>,
    pub(crate) link: Vec<Extractor>,
    pub(crate) lexicon: Option<Arc<Lexicon>>,
}

/// The most extractors of one kind (code or link) a rule may have. Each
/// compiled pattern costs up to about 60 KiB; a rule is a sender's few
/// ways of writing its mail, and thousands are a mistake.
pub(crate) const MAX_EXTRACTORS: usize = 100;

/// Parses and compiles one rule file's text.
pub(crate) fn compile(text: &str, file: &Path, origin: Origin) -> Result<CompiledRule, RuleError> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| {
        let mut error = RuleError::new(RuleErrorKind::Syntax, file, e.message().to_owned());
        error.position = e.span().map(|span| line_column(text, span.start));
        error
    })?;
    let spanned_error = |spanned: &Spanned<String>, kind, location: String, message: String| {
        let mut error = RuleError::new(kind, file, message).at(location);
        error.position = Some(line_column(text, spanned.span().start));
        error
    };
    // Where an error with no value of its own to point at is: the
    // extractor's table, or the rule's name.
    let positioned = |kind, at: usize, location: Option<String>, message: String| {
        let mut error = RuleError::new(kind, file, message);
        if let Some(location) = location {
            error = error.at(location);
        }
        error.position = Some(line_column(text, at));
        error
    };
    let name_at = parsed.name.span().start;
    if parsed.name.get_ref().trim().is_empty() {
        return Err(positioned(RuleErrorKind::Incomplete, name_at, None, "the rule has an empty name".to_owned()));
    }
    let matcher = parsed.matcher.clone().unwrap_or_default();
    let pattern = |field: &str, value: &Option<Spanned<String>>| -> Result<Option<String>, RuleError> {
        value
            .as_ref()
            .map(|spanned| {
                check_syntax(spanned.get_ref())
                    .map(|()| spanned.get_ref().clone())
                    .map_err(|e| spanned_error(spanned, RuleErrorKind::Pattern, format!("[match] {field}"), e))
            })
            .transpose()
    };
    let keyword_error = |e: String| RuleError::new(RuleErrorKind::Vocabulary, file, e).at("[generic]");
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
    let extractors = |specs: &[Spanned<ExtractorSpec>], target: Target| -> Result<Vec<Extractor>, RuleError> {
        if let Some(extra) = specs.get(MAX_EXTRACTORS) {
            return Err(positioned(
                RuleErrorKind::Incomplete,
                extra.span().start,
                Some(format!("[[{}]] {}", target.group(), MAX_EXTRACTORS + 1)),
                format!("a rule has at most {MAX_EXTRACTORS} [[{}]] extractors: split it into rules", target.group()),
            ));
        }
        specs
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let location = format!("[[{}]] {}", target.group(), i + 1);
                build_extractor(spec.get_ref(), target).map_err(|(spanned, kind, message)| match spanned {
                    Some(spanned) => spanned_error(&spanned, kind, location.clone(), message),
                    None => positioned(kind, spec.span().start, Some(location.clone()), message),
                })
            })
            .collect()
    };
    let rule = CompiledRule {
        name: parsed.name.get_ref().trim().to_owned(),
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
        return Err(positioned(
            RuleErrorKind::Incomplete,
            name_at,
            None,
            "the rule has no [[code]] or [[link]] extractor".to_owned(),
        ));
    }
    Ok(rule)
}

/// Parses a pattern without compiling it: syntax errors surface when the
/// rule loads, compilation waits until the pattern is needed.
pub(crate) fn check_syntax(pattern: &str) -> Result<(), String> {
    regex_syntax::ParserBuilder::new().build().parse(pattern).map(drop).map_err(|e| format!("invalid pattern: {e}"))
}

/// Where an extractor's problem is (when a value shows it), its kind, and
/// the message.
type BuildError = (Option<Spanned<String>>, RuleErrorKind, String);

fn build_extractor(spec: &ExtractorSpec, target: Target) -> Result<Extractor, BuildError> {
    let require = |value: &Option<Spanned<String>>, what: &str| {
        value.clone().ok_or((
            None,
            RuleErrorKind::Incomplete,
            format!("a {:?} extractor needs `{what}`", spec.kind).to_lowercase(),
        ))
    };
    let matcher = match spec.kind {
        Kind::Regex => {
            let pattern = require(&spec.pattern, "pattern")?;
            Matcher::Regex(
                LazyRegex::new(pattern.get_ref()).map_err(|e| (Some(pattern.clone()), RuleErrorKind::Pattern, e))?,
            )
        }
        // A pattern with no look-around or backreference needs no
        // backtracking: the regex crate runs it in linear time.
        Kind::Fancy if spec.pattern.as_ref().is_some_and(|p| check_syntax(p.get_ref()).is_ok()) => {
            let pattern = require(&spec.pattern, "pattern")?;
            Matcher::Regex(
                LazyRegex::new(pattern.get_ref()).map_err(|e| (Some(pattern.clone()), RuleErrorKind::Pattern, e))?,
            )
        }
        Kind::Fancy => {
            let pattern = require(&spec.pattern, "pattern")?;
            let limit = spec.backtrack_limit.unwrap_or(DEFAULT_BACKTRACK_LIMIT);
            let regex = fancy_regex::RegexBuilder::new(pattern.get_ref())
                .backtrack_limit(limit)
                .delegate_size_limit(crate::extractor::REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| (Some(pattern.clone()), RuleErrorKind::Pattern, format!("invalid pattern: {e}")))?;
            Matcher::Fancy(regex, limit)
        }
        Kind::Css => {
            let selector = require(&spec.selector, "selector")?;
            let parsed = Selector::parse(selector.get_ref())
                .map_err(|e| (Some(selector.clone()), RuleErrorKind::Selector, selector_error(&e)))?;
            let narrow = spec
                .pattern
                .as_ref()
                .map(|p| build_regex(p.get_ref()).map_err(|e| (Some(p.clone()), RuleErrorKind::Pattern, e)))
                .transpose()?;
            Matcher::Css { selector: Box::new(parsed), attribute: spec.attribute.clone(), narrow }
        }
        Kind::Generic => Matcher::Generic,
    };
    let source = spec.source.unwrap_or(match spec.kind {
        Kind::Css => Source::Html,
        _ => Source::Text,
    });
    if spec.kind == Kind::Css && source != Source::Html {
        return Err((None, RuleErrorKind::Incomplete, "a css extractor reads the html source".to_owned()));
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

/// A selector error in words. scraper's own text for the selector
/// grammar's errors asks the reader to report a bug and prints a debug
/// dump; the kind's name says what is wrong.
fn selector_error(error: &scraper::error::SelectorErrorKind) -> String {
    use scraper::error::SelectorErrorKind;
    match error {
        SelectorErrorKind::UnexpectedSelectorParseError(kind) => {
            let name = format!("{kind:?}");
            let name = name.split(['(', ' ', '{']).next().unwrap_or_default();
            // "NoQualifiedNameInAttributeSelector" → "no qualified name in attribute selector"
            let mut words = String::new();
            for (i, c) in name.char_indices() {
                if c.is_uppercase() && i > 0 {
                    words.push(' ');
                }
                words.push(c.to_ascii_lowercase());
            }
            format!("invalid selector: {words} (CSS selectors as in a browser's querySelector)")
        }
        other => format!(
            "invalid selector: {} (CSS selectors as in a browser's querySelector)",
            other.to_string().to_lowercase()
        ),
    }
}
