//! What the CLI says on stderr besides errors: status lines, silenced by -q.

/// Where status lines go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ui {
    quiet: bool,
}

impl Ui {
    pub(crate) fn new(quiet: bool) -> Self {
        Self { quiet }
    }

    /// Whether -q was given.
    pub(crate) fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// A status line on stderr, unless -q.
    pub(crate) fn status(&self, message: &str) {
        if !self.quiet {
            eprintln!("otpcatch: {}", crate::escape::text(message));
        }
    }
}
