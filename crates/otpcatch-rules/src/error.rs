//! Errors in rule files: the file, the line and column, and what is wrong.

use std::fmt;
use std::path::PathBuf;

/// A rule that could not be loaded or compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// What kind of problem it is, for branching; the message says more.
    pub kind: RuleErrorKind,
    /// The file, or `<built-in NAME>`.
    pub file: PathBuf,
    /// 1-based line and column of the problem, where known.
    pub position: Option<(usize, usize)>,
    /// Which part of the rule: `[[code]] 2`, `[match] sender`, …
    pub location: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// What kind of problem a [`RuleError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleErrorKind {
    /// A rule file or directory could not be read.
    Read,
    /// The file is not TOML, or has a key or value rule files do not have.
    Syntax,
    /// A `regex` or `fancy` pattern does not parse.
    Pattern,
    /// A `css` selector does not parse.
    Selector,
    /// The rule lacks something it needs: a name, an extractor, an
    /// extractor's pattern or selector, or the HTML source for `css`.
    Incomplete,
    /// A word list of the `[generic]` vocabulary is unusable.
    Vocabulary,
}

impl RuleError {
    pub(crate) fn new(kind: RuleErrorKind, file: &std::path::Path, message: impl Into<String>) -> Self {
        Self { kind, file: file.to_owned(), position: None, location: None, message: message.into() }
    }

    pub(crate) fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(location) = &self.location {
            write!(f, ": {location}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for RuleError {}

/// The 1-based line and column of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
