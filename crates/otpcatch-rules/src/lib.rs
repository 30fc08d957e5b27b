//! # otpcatch-rules
//!
//! Finds the one-time code or confirmation link in an email. Rules are
//! data: TOML files with regex, fancy-regex and CSS extractors, shipped in
//! `rules/` and writable by users. The built-in `generic` rule gets real
//! verification emails right without any site-specific rule.
//!
//! # Brief overview
//!
//! A [`RuleSet`] is compiled once per process. [`RuleSet::extract`] takes
//! an [`otpcatch_core::Message`] and returns an [`Extraction`]: the code
//! and the link, each a [`Found`] that says which rule and extractor found
//! it and why, or the reasons nothing was found.
//!
//! ```
//! use otpcatch_rules::{RuleSet, input};
//!
//! let rules = RuleSet::built_in()?;
//! let message = input::parse(input::Format::Html, br#"<p>Your verification code is <b>481 923</b>.</p>
//!     <p>Or <a href="https://app.test/verify?token=7f3a9c2e51b8&amp;u=1">verify your email</a>.</p>"#);
//! let found = rules.extract(&message);
//! assert_eq!(found.code.unwrap().value, "481923");
//! assert_eq!(found.link.unwrap().value, "https://app.test/verify?token=7f3a9c2e51b8&u=1");
//! # Ok::<(), otpcatch_rules::RuleError>(())
//! ```
//!
//! Extraction never panics and never touches the network: hostile input
//! yields "nothing found" with a reason. `regex` patterns run in linear
//! time; `fancy` patterns have a backtrack limit.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod chars;
mod compile;
mod error;
mod extraction;
mod extractor;
mod generic;
pub mod input;
mod model;
mod postprocess;
mod render;
mod ruleset;
mod source;
#[cfg(feature = "training")]
#[doc(hidden)]
pub mod training;

pub use compile::Origin;
pub use error::{RuleError, RuleErrorKind};
pub use extraction::{Candidate, Confidence, Extraction, Found};
pub use ruleset::{Asked, BUILT_IN, RuleInfo, RuleSet, check, rule_files_in};
