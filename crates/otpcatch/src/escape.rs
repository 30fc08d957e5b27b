//! Mail is written by strangers: before a header field or body reaches a
//! terminal or a line-oriented script, the characters that could forge a
//! row, move the cursor or reorder the text are shown as escapes.
//!
//! JSON output needs none of this: serde_json escapes control characters.

use std::borrow::Cow;
use std::fmt::Write;

/// `s` as one line: every control character, tab and newline included,
/// becomes a visible escape (`\t`, `\n`, `\u{1b}`), so a field can neither
/// start a new row nor split a tab-separated one.
pub(crate) fn field(s: &str) -> Cow<'_, str> {
    escape(s, |_| false)
}

/// `s` as lines of text: line ends (CRLF becoming LF) and tabs are kept,
/// every other control character becomes a visible escape.
pub(crate) fn text(s: &str) -> Cow<'_, str> {
    let keep = |c| c == '\n' || c == '\t';
    if s.contains("\r\n") { Cow::Owned(escape(&s.replace("\r\n", "\n"), keep).into_owned()) } else { escape(s, keep) }
}

/// Whether `c` may change what a terminal shows or how a line splits:
/// C0 and C1 controls, DEL, and the bidirectional overrides and isolates
/// that can make text read in another order than it is stored.
fn is_hazard(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_hazard(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if keep(c) || !is_hazard(c) => out.push(c),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_cannot_start_a_row_or_reach_the_terminal() {
        assert_eq!(field("Hi\tthere\r\nfake-id\t1\x1b[2J"), "Hi\\tthere\\r\\nfake-id\\t1\\u{1b}[2J");
        assert_eq!(field("abc\u{202e}gpj.exe"), "abc\\u{202e}gpj.exe");
        assert_eq!(field("\u{9b}31m"), "\\u{9b}31m");
    }

    #[test]
    fn text_keeps_its_lines_and_loses_its_escapes() {
        assert_eq!(text("line 1\r\n\tline 2\r\x1b]0;title\x07"), "line 1\n\tline 2\\r\\u{1b}]0;title\\u{7}");
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert!(matches!(field("Your code is 123456 — ünïcode"), Cow::Borrowed(_)));
        assert!(matches!(text("two\nlines"), Cow::Borrowed(_)));
    }
}
