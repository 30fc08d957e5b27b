//! What happens to a value once found: codes are made what a user types,
//! links lose their HTML entities.

/// How a code's separators are treated (a rule's `strip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strip {
    /// The default: spaces go; dashes go from a code of digits (`481-923`
    /// is typed `481923`) and stay in one with letters (`KTNM-QXBR`).
    Auto,
    /// `strip = true`: spaces and dashes go.
    All,
    /// `strip = false`: the code as matched.
    None,
}

/// A code as a user types it: full-width and other scripts' digits as
/// ASCII (see [`crate::chars`]), separators treated as `strip` says.
pub(crate) fn typed_code(value: &str, strip: Strip) -> String {
    let read = crate::chars::read(value);
    let dash = |c: char| matches!(c, '-' | '\u{2010}'..='\u{2015}');
    match strip {
        Strip::None => read.trim().to_owned(),
        Strip::All => read.chars().filter(|&c| !c.is_whitespace() && !dash(c)).collect(),
        Strip::Auto => {
            let digits_only = read.chars().all(|c| c.is_ascii_digit() || c.is_whitespace() || dash(c));
            read.chars().filter(|&c| !(c.is_whitespace() || digits_only && dash(c))).collect()
        }
    }
}

/// Decodes the entities a link may carry in HTML source or a text part:
/// named (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`) and numeric.
/// Anything else is left as written.
pub(crate) fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // An entity is short: look for its `;` in the next few bytes (a byte
        // search, since those bytes may end inside a character).
        let Some(end) = rest.as_bytes()[..rest.len().min(12)].iter().position(|&b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ampersand_before_multibyte_characters_is_left_alone() {
        // Found by fuzzing (mime_extraction): the entity search cut a
        // character in half.
        assert_eq!(decode_entities("&oob\u{fffd}\u{fffd}\u{fffd}x"), "&oob\u{fffd}\u{fffd}\u{fffd}x");
        assert_eq!(
            decode_entities("a&\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9};b"),
            "a&\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9};b"
        );
        assert_eq!(decode_entities("&#233;t&eacute;"), "\u{e9}t&eacute;");
    }

    #[test]
    fn codes_are_made_what_a_user_types() {
        assert_eq!(typed_code("481 923", Strip::Auto), "481923");
        assert_eq!(typed_code("4 8 1-9 2 3", Strip::Auto), "481923");
        assert_eq!(typed_code("４８１９２３", Strip::Auto), "481923");
        assert_eq!(typed_code("KTNM-QXBR", Strip::Auto), "KTNM-QXBR");
        assert_eq!(typed_code("ABC–DEF", Strip::Auto), "ABC-DEF");
        assert_eq!(typed_code("ABC–DEF", Strip::All), "ABCDEF");
        assert_eq!(typed_code(" 481 923 ", Strip::None), "481 923");
    }

    #[test]
    fn links_lose_their_entities() {
        assert_eq!(decode_entities("https://x.test/v?a=1&amp;b=2&#38;c=3&#x26;d"), "https://x.test/v?a=1&b=2&c=3&d");
        assert_eq!(decode_entities("a&b&unknown;&"), "a&b&unknown;&");
    }
}
