//! Rule files as written: the serde model of the TOML, before compiling.
//!
//! ```toml
//! name = "acme"
//! description = "Acme's sign-up emails"
//!
//! [match]                      # optional: which messages the rule is for
//! sender = "@acme\\.test"
//!
//! [[code]]                     # one or more extractors, tried in order
//! kind = "regex"               # regex | fancy | css | generic
//! source = "text"              # text | html | rendered | subject
//! pattern = 'code is (?P<code>\d{6})'
//!
//! [[link]]
//! kind = "css"
//! selector = "a.verify-button"
//! attribute = "href"
//! ```

use serde::Deserialize;
use toml::Spanned;

use crate::source::Source;

/// One rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RuleFile {
    pub(crate) name: Spanned<String>,
    #[serde(default)]
    pub(crate) description: String,
    #[serde(default, rename = "match")]
    pub(crate) matcher: Option<MatchSpec>,
    /// Spanned, so that an error in an extractor with no value to point
    /// at still names where the extractor is.
    #[serde(default)]
    pub(crate) code: Vec<Spanned<ExtractorSpec>>,
    #[serde(default)]
    pub(crate) link: Vec<Spanned<ExtractorSpec>>,
    /// The vocabulary of the `generic` extractor kind.
    #[serde(default)]
    pub(crate) generic: Option<Vocabulary>,
}

/// Which messages a rule applies to: every pattern given must match.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct MatchSpec {
    pub(crate) sender: Option<Spanned<String>>,
    pub(crate) recipient: Option<Spanned<String>>,
    pub(crate) subject: Option<Spanned<String>>,
}

/// How to find a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Kind {
    /// The `regex` crate: linear time.
    Regex,
    /// `fancy-regex`: look-around and back-references, with a backtrack limit.
    Fancy,
    /// A CSS selector over the HTML.
    Css,
    /// The built-in heuristic.
    Generic,
}

impl Kind {
    /// The kind as a rule file writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Regex => "regex",
            Self::Fancy => "fancy",
            Self::Css => "css",
            Self::Generic => "generic",
        }
    }
}

/// One extractor.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ExtractorSpec {
    pub(crate) kind: Kind,
    /// For regex and fancy: the pattern. The value is the group named
    /// `code` (or `link`), else group 1, else the whole match. For css: a
    /// pattern that narrows the element's value.
    pub(crate) pattern: Option<Spanned<String>>,
    /// For css: the selector.
    pub(crate) selector: Option<Spanned<String>>,
    /// For css: the attribute to take (default: the element's text).
    pub(crate) attribute: Option<String>,
    /// The text to read (default: `text` for regex and fancy, `html` for css).
    pub(crate) source: Option<Source>,
    /// Remove spaces and dashes from a code. By default spaces go, and
    /// dashes go from codes of digits only (a printed hyphen in a code with
    /// letters is typed).
    pub(crate) strip: Option<bool>,
    /// Decode HTML entities such as `&amp;` in a link (default: true for links).
    pub(crate) decode_entities: Option<bool>,
    /// For fancy: how many backtracking steps a match may take.
    pub(crate) backtrack_limit: Option<usize>,
}

/// The words the generic heuristic looks for, per language. Data, so that
/// a user rule can extend them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Vocabulary {
    /// Words that announce a one-time code ("verification code", "код").
    #[serde(default)]
    pub(crate) code_keywords: Vec<String>,
    /// Words that make a number a reference, not a code ("order", "ticket").
    #[serde(default)]
    pub(crate) reference_keywords: Vec<String>,
    /// Words that make a code a coupon ("promo", "discount").
    #[serde(default)]
    pub(crate) promo_keywords: Vec<String>,
    /// Words after a number that make it a duration ("minutes").
    #[serde(default)]
    pub(crate) time_units: Vec<String>,
    /// Phrases that mark a notice, not a verification ("password was changed").
    #[serde(default)]
    pub(crate) notice_phrases: Vec<String>,
    /// Words of a primary call to action ("verify", "confirm", "activate").
    #[serde(default)]
    pub(crate) link_keywords: Vec<String>,
    /// Words of a sign-in link ("sign in", "log in"): weaker, since every
    /// newsletter has one, so they need a token in the URL or a button too.
    #[serde(default)]
    pub(crate) sign_in_keywords: Vec<String>,
    /// Words that tell the reader to type something ("enter", "use"): a
    /// number right after one is what to type.
    #[serde(default)]
    pub(crate) instruction_words: Vec<String>,
    /// Words that point at a link ("the link below", "click here"): with
    /// an action in the same mail, they say which link carries it.
    #[serde(default)]
    pub(crate) pointer_phrases: Vec<String>,
    /// Words of a link that undoes or refuses ("this wasn't me", "deny"):
    /// never the link to open.
    #[serde(default)]
    pub(crate) revoke_phrases: Vec<String>,
    /// Words that say a code or link expires ("expires in", "valid for").
    #[serde(default)]
    pub(crate) expiry_phrases: Vec<String>,
    /// Words that say a code is no longer the one to use, right before it
    /// ("old code") or right after it ("is no longer valid"): in a mail
    /// that sends a new code, the old one is named too.
    #[serde(default)]
    pub(crate) superseded_phrases: Vec<String>,
    /// Fragments of a URL's path or query that name an action ("verify",
    /// "reset", "magic"), matched anywhere in it.
    #[serde(default)]
    pub(crate) url_keywords: Vec<String>,
    /// Words of links that are never the one ("unsubscribe", "privacy").
    #[serde(default)]
    pub(crate) link_ignore: Vec<String>,
    /// Hosts whose links are never the one (social networks).
    #[serde(default)]
    pub(crate) link_ignore_hosts: Vec<String>,
    /// All-capital words that are never letter codes ("HTML", "USD").
    #[serde(default)]
    pub(crate) not_codes: Vec<String>,
}
