//! Which text an extractor reads, computed once per message.

use std::sync::OnceLock;

use otpcatch_core::Message;

use crate::model::SourceName;
use crate::render::{Rendered, render};

/// A message's texts, with the HTML rendered on first use.
#[derive(Debug)]
pub(crate) struct Sources<'a> {
    pub(crate) message: &'a Message,
    rendered: OnceLock<Rendered>,
}

impl<'a> Sources<'a> {
    pub(crate) fn new(message: &'a Message) -> Self {
        Self { message, rendered: OnceLock::new() }
    }

    pub(crate) fn rendered(&self) -> &Rendered {
        self.rendered.get_or_init(|| render(&self.message.html))
    }

    /// The text/plain part, or the rendered HTML when there is none.
    pub(crate) fn text(&self) -> &str {
        if self.message.text.trim().is_empty() { &self.rendered().text } else { &self.message.text }
    }

    pub(crate) fn get(&self, name: SourceName) -> &str {
        match name {
            SourceName::Text => self.text(),
            SourceName::Html => &self.message.html,
            SourceName::Rendered => &self.rendered().text,
            SourceName::Subject => &self.message.subject,
        }
    }
}
