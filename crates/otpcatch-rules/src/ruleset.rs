//! The rules in force: the built-in ones embedded at build time, then the
//! user's, a user rule replacing a built-in of the same name.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use otpcatch_core::Message;

use crate::compile::{CompiledRule, Origin, compile};
use crate::error::{RuleError, RuleErrorKind};
use crate::extraction::Extraction;
use crate::extractor::Target;
use crate::generic::{Bar, Lexicon};
use crate::source::Sources;

/// The rule files shipped in `rules/`, embedded in the binary.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("generic", include_str!("../../../rules/generic.toml")),
    ("auth0", include_str!("../../../rules/auth0.toml")),
    ("firebase", include_str!("../../../rules/firebase.toml")),
    ("cognito", include_str!("../../../rules/cognito.toml")),
    ("supabase", include_str!("../../../rules/supabase.toml")),
    ("clerk", include_str!("../../../rules/clerk.toml")),
    ("keycloak", include_str!("../../../rules/keycloak.toml")),
    ("ory", include_str!("../../../rules/ory.toml")),
    ("django-allauth", include_str!("../../../rules/django-allauth.toml")),
    ("devise", include_str!("../../../rules/devise.toml")),
    ("github", include_str!("../../../rules/github.toml")),
    ("slack", include_str!("../../../rules/slack.toml")),
    ("microsoft", include_str!("../../../rules/microsoft.toml")),
];

/// Which value a caller asked for (see [`RuleSet::extract_asking`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// The one-time code.
    Code,
    /// The confirmation link.
    Link,
}

/// What `otpcatch rules list` shows of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// The rule's name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Where it came from.
    pub origin: Origin,
    /// Whether it applies only to messages its `[match]` accepts.
    pub selective: bool,
}

/// A set of compiled rules. Build it once per process: compiling is the
/// expensive part, extracting is cheap.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<CompiledRule>,
    lexicon: Arc<Lexicon>,
    /// Every rule's `[match]` patterns, compiled together on first use.
    selectors: std::sync::OnceLock<Selectors>,
}

/// One `RegexSet` per `[match]` field, and which rule each pattern is for.
#[derive(Debug, Clone)]
struct Selectors {
    sender: (regex::RegexSet, Vec<usize>),
    recipient: (regex::RegexSet, Vec<usize>),
    subject: (regex::RegexSet, Vec<usize>),
}

impl Selectors {
    fn new(rules: &[CompiledRule]) -> Self {
        let field = |pick: fn(&CompiledRule) -> &Option<String>| {
            let (patterns, owners): (Vec<&str>, Vec<usize>) =
                rules.iter().enumerate().filter_map(|(i, r)| pick(r).as_deref().map(|p| (p, i))).unzip();
            // Each pattern was parsed when its rule loaded; a set that still
            // fails (too large) selects nothing rather than everything.
            let set = regex::RegexSetBuilder::new(&patterns)
                .size_limit(1 << 24)
                .build()
                .unwrap_or_else(|_| regex::RegexSet::empty());
            (set, owners)
        };
        Self { sender: field(|r| &r.sender), recipient: field(|r| &r.recipient), subject: field(|r| &r.subject) }
    }

    /// Whether each rule's `[match]` accepts `message`, by rule index.
    fn applicable(&self, rules: &[CompiledRule], message: &Message) -> Vec<bool> {
        let hits = |(set, owners): &(regex::RegexSet, Vec<usize>), texts: &[&str]| {
            let mut hit = vec![false; rules.len()];
            for text in texts {
                for pattern in set.matches(text).iter() {
                    hit[owners[pattern]] = true;
                }
            }
            hit
        };
        let recipients: Vec<&str> =
            std::iter::once(message.to.as_str()).chain(message.recipients.iter().map(String::as_str)).collect();
        let sender = hits(&self.sender, &[&message.from]);
        let recipient = hits(&self.recipient, &recipients);
        let subject = hits(&self.subject, &[&message.subject]);
        rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (r.sender.is_none() || sender[i])
                    && (r.recipient.is_none() || recipient[i])
                    && (r.subject.is_none() || subject[i])
            })
            .collect()
    }
}

impl RuleSet {
    /// The built-in rules only.
    pub fn built_in() -> Result<Self, RuleError> {
        let mut rules = Vec::new();
        for (name, text) in BUILT_IN {
            rules.push(compile(text, &PathBuf::from(format!("<built-in {name}>")), Origin::BuiltIn)?);
        }
        Self::from_rules(rules)
    }

    fn from_rules(rules: Vec<CompiledRule>) -> Result<Self, RuleError> {
        let lexicon = rules.iter().find(|r| r.name == "generic").and_then(|r| r.lexicon.clone()).ok_or_else(|| {
            RuleError::new(
                RuleErrorKind::Incomplete,
                Path::new("<built-in generic>"),
                "the generic rule has no [generic] table",
            )
        })?;
        Ok(Self { rules, lexicon, selectors: std::sync::OnceLock::new() })
    }

    /// The built-in rules, then every `*.toml` in `dir` (if it exists).
    pub fn with_dir(dir: Option<&Path>) -> Result<Self, RuleError> {
        let mut set = Self::built_in()?;
        if let Some(dir) = dir {
            set.add_dir(dir)?;
        }
        Ok(set)
    }

    /// Adds every `*.toml` file in `dir`, in name order.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), RuleError> {
        let files = match rule_files_in(dir) {
            Ok(files) => files,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(RuleError::new(RuleErrorKind::Read, dir, format!("cannot read the rules directory: {e}")));
            }
        };
        for file in files {
            self.add_file(&file)?;
        }
        Ok(())
    }

    /// Adds one rule file; it replaces a rule of the same name.
    pub fn add_file(&mut self, path: &Path) -> Result<(), RuleError> {
        self.add(check_file(path)?);
        Ok(())
    }

    /// Adds one rule given as TOML text, as a test suite might keep its
    /// site's rule beside its tests; it replaces a rule of the same name.
    /// `label` names it in errors and in [`RuleSet::rules`].
    pub fn add_toml(&mut self, label: &str, text: &str) -> Result<(), RuleError> {
        self.add(compile(text, Path::new(label), Origin::Text(label.to_owned()))?);
        Ok(())
    }

    fn add(&mut self, rule: CompiledRule) {
        if rule.name == "generic" && rule.lexicon.is_some() {
            self.lexicon = rule.lexicon.clone().unwrap_or_else(|| self.lexicon.clone());
        }
        self.rules.retain(|r| r.name != rule.name);
        self.rules.push(rule);
        self.selectors = std::sync::OnceLock::new();
    }

    /// The rules, in the order they are tried on a message that all match.
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.ordered()
            .map(|r| RuleInfo {
                name: r.name.clone(),
                description: r.description.clone(),
                origin: r.origin.clone(),
                selective: r.has_matcher,
            })
            .collect()
    }

    /// Rule indices: rules with a `[match]` first (they know the sender),
    /// then the others, the generic rule last.
    fn order(&self) -> Vec<usize> {
        let indices = || self.rules.iter().enumerate();
        let selective = indices().filter(|(_, r)| r.has_matcher);
        let general = indices().filter(|(_, r)| !r.has_matcher && r.name != "generic");
        let generic = indices().filter(|(_, r)| !r.has_matcher && r.name == "generic");
        selective.chain(general).chain(generic).map(|(i, _)| i).collect()
    }

    fn ordered(&self) -> impl Iterator<Item = &CompiledRule> {
        self.order().into_iter().map(|i| &self.rules[i])
    }

    /// Finds the code and the link with every rule that applies: an
    /// overview of what the message holds. The generic heuristic reports
    /// only values whose score clears its bar.
    pub fn extract(&self, message: &Message) -> Extraction {
        self.extract_wanted(message, &[(Target::Code, Bar::Overview), (Target::Link, Bar::Overview)])
    }

    /// Finds the code, because the caller asked for one: the generic
    /// heuristic returns its best candidate that anything points at, unless
    /// it is a known decoy. Cheaper than [`RuleSet::extract`].
    pub fn extract_code(&self, message: &Message) -> Extraction {
        self.extract_wanted(message, &[(Target::Code, Bar::Asked)])
    }

    /// Finds the link, because the caller asked for one: the generic
    /// heuristic returns its best link that anything points at, unless it
    /// is a known non-action (unsubscribe, help, a logo, "this wasn't me").
    pub fn extract_link(&self, message: &Message) -> Extraction {
        self.extract_wanted(message, &[(Target::Link, Bar::Asked)])
    }

    /// Finds both, the one asked for as [`RuleSet::extract_code`] or
    /// [`RuleSet::extract_link`] would, the other as [`RuleSet::extract`]
    /// would: for a caller that wants one value and shows both.
    pub fn extract_asking(&self, message: &Message, asked: Asked) -> Extraction {
        let (code, link) = match asked {
            Asked::Code => (Bar::Asked, Bar::Overview),
            Asked::Link => (Bar::Overview, Bar::Asked),
        };
        self.extract_wanted(message, &[(Target::Code, code), (Target::Link, link)])
    }

    fn extract_wanted(&self, message: &Message, targets: &[(Target, Bar)]) -> Extraction {
        let applicable = self.selectors.get_or_init(|| Selectors::new(&self.rules)).applicable(&self.rules, message);
        let candidates: Vec<&CompiledRule> =
            self.order().into_iter().filter(|&i| applicable[i]).map(|i| &self.rules[i]).collect();
        self.extract_with(&candidates, message, targets)
    }

    /// Why the rule named `rule` would not be tried on `message` when it
    /// is chosen by its `[match]` (as `wait-for-code` without `--rule`
    /// does), or `None` if it would be. Running a rule by name bypasses
    /// its `[match]`; this says what that hides.
    pub fn mismatch(&self, rule: &str, message: &Message) -> Option<String> {
        let rule = self.rules.iter().find(|r| r.name == rule)?;
        let recipients: Vec<&str> =
            std::iter::once(message.to.as_str()).chain(message.recipients.iter().map(String::as_str)).collect();
        let fields: [(&str, &Option<String>, Vec<&str>); 3] = [
            ("sender", &rule.sender, vec![message.from.as_str()]),
            ("recipient", &rule.recipient, recipients),
            ("subject", &rule.subject, vec![message.subject.as_str()]),
        ];
        fields.into_iter().find_map(|(field, pattern, values)| {
            let pattern = pattern.as_deref()?;
            let regex = regex::Regex::new(pattern).ok()?;
            (!values.iter().any(|v| regex.is_match(v))).then(|| {
                format!(
                    "[match] {field} '{pattern}' does not match {:?}: without --rule, the rule would not be tried on \
                     this message",
                    values.first().copied().unwrap_or_default()
                )
            })
        })
    }

    /// Finds the code and the link with the named rule only, whether or not
    /// its `[match]` accepts the message, as if both were asked for. `None`
    /// if there is no such rule.
    pub fn extract_by(&self, rule: &str, message: &Message) -> Option<Extraction> {
        let rule = self.rules.iter().find(|r| r.name == rule)?;
        Some(self.extract_with(&[rule], message, &[(Target::Code, Bar::Asked), (Target::Link, Bar::Asked)]))
    }

    fn extract_with(&self, rules: &[&CompiledRule], message: &Message, targets: &[(Target, Bar)]) -> Extraction {
        let sources = Sources::new(message);
        let mut extraction = Extraction::default();
        for &(target, bar) in targets {
            let (found, runners_up) = match target {
                Target::Code => (&mut extraction.code, &mut extraction.code_runners_up),
                Target::Link => (&mut extraction.link, &mut extraction.link_runners_up),
            };
            for rule in rules {
                match rule.run(target, &sources, &self.lexicon, bar, runners_up) {
                    Ok(value) => {
                        *found = Some(value);
                        break;
                    }
                    Err(why) => extraction.misses.push(format!("{}: {why}", rule.name)),
                }
            }
        }
        if rules.is_empty() {
            extraction.misses.push("no rule applies to this message".to_owned());
        }
        extraction
    }

    /// Compiles now everything extraction would otherwise compile on first
    /// use, so that a caller who waits for a message first can pay for it
    /// while waiting rather than after the message arrives.
    pub fn warm_up(&self) {
        // One extraction compiles the rest: the [match] sets, the static
        // patterns of the heuristic, the HTML parser's tables. The sample is
        // shaped like real verification mail (a styled table layout, a
        // code, a link, a footer) so that the regex engines' lazily built
        // state machines also hold the states such mail needs.
        let _ = self.lexicon.validate();
        let _ = self.extract(&warm_up_sample());
    }

    /// The generic heuristic's vocabulary in force.
    #[cfg(feature = "training")]
    pub(crate) fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Whether a rule of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.rules.iter().any(|r| r.name == name)
    }
}

/// A verification email of typical shape and size, for [`RuleSet::warm_up`].
fn warm_up_sample() -> Message {
    Message {
        id: String::new(),
        time: 0,
        expires_at: 0,
        time_ms: None,
        subject: "Your verification code".to_owned(),
        from: "Example <no-reply@otpcatch.test>".to_owned(),
        to: "warm-up@otpcatch.test".to_owned(),
        recipients: Vec::new(),
        text: WARM_UP_TEXT.repeat(8),
        html: [WARM_UP_HTML_HEAD, &WARM_UP_HTML_SECTION.repeat(WARM_UP_SECTIONS), WARM_UP_HTML_TAIL].concat(),
        attachments: Vec::new(),
    }
}

/// The text part of the warm-up sample.
const WARM_UP_TEXT: &str = "Hi there,\n\nThanks for signing up. Your verification code is 123456: enter it \
to confirm your email address. It expires in 10 minutes.\n\nOr open \
https://otpcatch.test/verify?token=0123456789abcdef&utm_source=email\n\nIf you didn't request this, \
ignore this email.\n\n";

/// The HTML part of the warm-up sample, before its repeated sections.
const WARM_UP_HTML_HEAD: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Verify</title>\
<style>body{font-family:Arial,sans-serif;color:#333333}.btn{background:#22bc66;color:#ffffff}</style></head>\
<body><div style=\"display:none\">Your code inside</div><table width=\"100%\" cellpadding=\"0\" \
cellspacing=\"0\" role=\"presentation\"><tr><td align=\"center\"><table width=\"600\"><tr><td>\
<img src=\"cid:logo\" alt=\"Example\" width=\"120\" height=\"40\"><h1>Confirm your email</h1>\
<p>Hi there,</p><p>Thanks for signing up. Your verification code is</p>\
<p style=\"font-size:32px;letter-spacing:4px\"><b>123456</b></p><p>It expires in 10 minutes.</p>\
<a class=\"btn\" href=\"https://otpcatch.test/verify?token=0123456789abcdef&amp;utm_source=email\">Verify \
email</a></td></tr>";

/// A section of the warm-up sample's HTML, repeated to a typical size.
const WARM_UP_HTML_SECTION: &str = "<tr><td style=\"padding:8px 0\"><p>Set up your workspace, invite your \
team and keep your account secure. Order #204518 shipped on 2024-03-08. Call +1 (555) 010-4477. \
<a href=\"https://help.otpcatch.test/articles/42\">Read more</a></p></td></tr>";

/// The end of the warm-up sample's HTML.
const WARM_UP_HTML_TAIL: &str = "<tr><td><p>If you didn&#39;t request this, ignore this email. &copy; 2024 \
Example Inc. All rights reserved. <a href=\"https://otpcatch.test/unsubscribe\">Unsubscribe</a></p></td></tr>\
</table></td></tr></table></body></html>";

/// How many times the section repeats: about 24 KB of HTML, the size of a
/// typical styled verification email. Buffers the regex engines size to
/// their input then need no growing when a real message comes.
const WARM_UP_SECTIONS: usize = 80;

/// Loads and compiles one rule file, as `otpcatch rules check` does.
pub(crate) fn check_file(path: &Path) -> Result<CompiledRule, RuleError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| RuleError::new(RuleErrorKind::Read, path, format!("cannot read the file: {e}")))?;
    compile(&text, path, Origin::File(path.to_owned()))
}

/// Checks a rule file and returns its name.
pub fn check(path: &Path) -> Result<RuleInfo, RuleError> {
    let rule = check_file(path)?;
    Ok(RuleInfo { name: rule.name, description: rule.description, origin: rule.origin, selective: rule.has_matcher })
}

/// The rule files of a directory: every `*.toml` in it, in name order.
pub fn rule_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_sample_reads_as_a_verification_email() {
        // Warming up with mail that yields nothing would leave the code and
        // link paths cold.
        let sample = warm_up_sample();
        assert!((20_000..40_000).contains(&sample.html.len()), "{} bytes", sample.html.len());
        let found = RuleSet::built_in().unwrap().extract(&sample);
        assert_eq!(found.code.map(|c| c.value).as_deref(), Some("123456"));
        assert_eq!(
            found.link.map(|l| l.value).as_deref(),
            Some("https://otpcatch.test/verify?token=0123456789abcdef&utm_source=email")
        );
    }
}
