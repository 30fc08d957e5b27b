//! Which text an extractor reads, computed once per message.

use std::sync::OnceLock;

use otpcatch_core::Message;

use crate::generic::{Lexicon, Reading};
use crate::model::SourceName;
use crate::render::{Rendered, render};

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

    pub(crate) fn get(&self, name: SourceName) -> &str {
        match name {
            SourceName::Text => self.text(),
            SourceName::Html => &self.message.html,
            SourceName::Rendered => &self.rendered().text,
            SourceName::Subject => &self.message.subject,
        }
    }

    /// Runs `f` on the message as the heuristic reads it with `lexicon`.
    pub(crate) fn with_reading<R>(&self, lexicon: &Lexicon, f: impl FnOnce(&Reading) -> R) -> R {
        let key = std::ptr::from_ref(lexicon) as usize;
        let read = || Reading::new(lexicon, &self.message.subject, &self.message.text, self.rendered());
        let (cached_key, cached) = self.reading.get_or_init(|| (key, read()));
        if *cached_key == key { f(cached) } else { f(&read()) }
    }
}
