//! What happens to a value once found: codes lose their spaces and dashes,
//! links their HTML entities.

/// `481 923`, `481-923` and `4 8 1 9 2 3` all become `481923`.
pub(crate) fn strip_code(value: &str) -> String {
    value.chars().filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}'..='\u{2015}')).collect()
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
    fn codes_lose_spaces_and_dashes() {
        assert_eq!(strip_code("481 923"), "481923");
        assert_eq!(strip_code("4 8 1-9 2 3"), "481923");
        assert_eq!(strip_code("ABC–DEF"), "ABCDEF");
    }

    #[test]
    fn links_lose_their_entities() {
        assert_eq!(decode_entities("https://x.test/v?a=1&amp;b=2&#38;c=3&#x26;d"), "https://x.test/v?a=1&b=2&c=3&d");
        assert_eq!(decode_entities("a&b&unknown;&"), "a&b&unknown;&");
    }
}
