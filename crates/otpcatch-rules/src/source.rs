//! Which text of a message is read: the one vocabulary for it ([`Source`]),
//! shared by rule files (`source = "rendered"`), extractors and the
//! heuristic; and a message's texts, computed once ([`Sources`]).

use std::sync::OnceLock;

use otpcatch_core::Message;
use serde::Deserialize;

use crate::generic::{Lexicon, Reading};
use crate::render::{Rendered, render};

/// One of a message's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Source {
    /// The text/plain part, or the rendered HTML when there is none.
    Text,
    /// The HTML source.
    Html,
    /// The HTML rendered to text as a reader sees it (hidden parts left out).
    Rendered,
    /// The subject line.
    Subject,
}

impl Source {
    /// How a reason names the text: "in the {describe}".
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Subject => "subject",
            Self::Text => "text part",
            // A reader sees the HTML rendered; so does the heuristic.
            Self::Rendered => "HTML",
            Self::Html => "HTML source",
        }
    }
}

/// A message's texts, with the HTML rendered and the heuristic's reading
/// made on first use.
#[derive(Debug)]
pub(crate) struct Sources<'a> {
    pub(crate) message: &'a Message,
    rendered: OnceLock<Rendered>,
    /// The text part with its line endings made `\n`, so that a rule's `$`
    /// ends a line whatever the sender used.
    text: OnceLock<std::borrow::Cow<'a, str>>,
    /// The heuristic's reading, and the address of the lexicon it was made
    /// with: a code and a link are sought in the same reading.
    reading: OnceLock<(usize, Reading)>,
}

impl<'a> Sources<'a> {
    pub(crate) fn new(message: &'a Message) -> Self {
        Self { message, rendered: OnceLock::new(), text: OnceLock::new(), reading: OnceLock::new() }
    }

    pub(crate) fn rendered(&self) -> &Rendered {
        self.rendered.get_or_init(|| render(&self.message.html))
    }

    /// The text/plain part, or the rendered HTML when there is none.
    pub(crate) fn text(&self) -> &str {
        if self.message.text.trim().is_empty() {
            return &self.rendered().text;
        }
        self.text.get_or_init(|| {
            let text = self.message.text.as_str();
            if text.contains('\r') {
                std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
            } else {
                std::borrow::Cow::Borrowed(text)
            }
        })
    }

    pub(crate) fn get(&self, source: Source) -> &str {
        match source {
            Source::Text => self.text(),
            Source::Html => &self.message.html,
            Source::Rendered => &self.rendered().text,
            Source::Subject => &self.message.subject,
        }
    }

    /// What the heuristic did not read of this message, in words, if it
    /// skipped anything: a miss must not read as "there is nothing" when
    /// the value may lie past what was scanned.
    pub(crate) fn unread(&self) -> Option<String> {
        let mib = |bytes: usize| format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20));
        let mut notes = Vec::new();
        if self.message.text.len() > crate::generic::SCAN_BYTES {
            notes.push(format!(
                "scanned the first {} KiB of the {} text part",
                crate::generic::SCAN_BYTES >> 10,
                mib(self.message.text.len())
            ));
        }
        if self.message.html.len() > crate::render::MAX_HTML_BYTES {
            notes.push(format!(
                "read the first {} MiB of the {} HTML part",
                crate::render::MAX_HTML_BYTES >> 20,
                mib(self.message.html.len())
            ));
        } else if self.rendered().text.len() > crate::generic::SCAN_BYTES {
            notes.push(format!("scanned the first {} KiB of the HTML's text", crate::generic::SCAN_BYTES >> 10));
        }
        (!notes.is_empty()).then(|| notes.join(", "))
    }

    /// Runs `f` on the message as the heuristic reads it with `lexicon`.
    pub(crate) fn with_reading<R>(&self, lexicon: &Lexicon, f: impl FnOnce(&Reading) -> R) -> R {
        let key = std::ptr::from_ref(lexicon) as usize;
        let read = || Reading::new(lexicon, &self.message.subject, &self.message.text, self.rendered());
        let (cached_key, cached) = self.reading.get_or_init(|| (key, read()));
        if *cached_key == key { f(cached) } else { f(&read()) }
    }
}
