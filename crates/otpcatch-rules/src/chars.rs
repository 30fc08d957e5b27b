//! Characters as a reader reads them, and as a user types them.
//!
//! CJK mail writes codes in full-width digits (`４８１９２３`), Arabic and
//! Persian mail sometimes in their own digits (`٤٨١٩٢٣`), and right-to-left
//! mail wraps numbers in invisible direction marks. A reader sees, and a
//! form takes, `481923`. Text is read through [`reading`] before anything
//! looks for codes or keywords in it.

use std::borrow::Cow;

/// How a reader reads `c`: `None` for a character with no visible form
/// (direction marks, zero-width joiners, soft hyphens, carriage returns),
/// ASCII for full-width forms and other scripts' digits, a space for the
/// wide and non-breaking spaces.
pub(crate) fn reading(c: char) -> Option<char> {
    if c.is_ascii() {
        return (c != '\r').then_some(c);
    }
    let code = c as u32;
    match c {
        '\r'
        | '\u{ad}'
        | '\u{34f}'
        | '\u{61c}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}' => None,
        '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => Some(' '),
        // Full-width digits and Latin letters, and the hyphen and colon that
        // go with codes (not the full-width comma and full stop, which end
        // a CJK clause right after a code: "验证码：836201，10分钟内有效").
        '\u{ff10}'..='\u{ff19}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' | '\u{ff0d}' | '\u{ff1a}' => {
            char::from_u32(code - 0xff01 + 0x21)
        }
        // Arabic-Indic, Eastern Arabic-Indic, Devanagari, Bengali and Thai digits.
        '\u{660}'..='\u{669}' => char::from_u32(code - 0x660 + u32::from(b'0')),
        '\u{6f0}'..='\u{6f9}' => char::from_u32(code - 0x6f0 + u32::from(b'0')),
        '\u{966}'..='\u{96f}' => char::from_u32(code - 0x966 + u32::from(b'0')),
        '\u{9e6}'..='\u{9ef}' => char::from_u32(code - 0x9e6 + u32::from(b'0')),
        '\u{e50}'..='\u{e59}' => char::from_u32(code - 0xe50 + u32::from(b'0')),
        // Dashes a code may be grouped with.
        '\u{2010}'..='\u{2013}' | '\u{2212}' => Some('-'),
        _ => Some(c),
    }
}

/// `text` read through [`reading`]; borrowed when nothing changes.
pub(crate) fn read(text: &str) -> Cow<'_, str> {
    let unchanged = if text.is_ascii() { !text.contains('\r') } else { text.chars().all(|c| reading(c) == Some(c)) };
    if unchanged {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().filter_map(reading).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_they_are_typed() {
        assert_eq!(read("認証コード：４８１９２３"), "認証コード:481923");
        assert_eq!(read("الرمز \u{200f}٤٨١٩٢٣\u{200f}"), "الرمز 481923");
        assert_eq!(read("کد ۱۲۳۴۵۶"), "کد 123456");
        assert_eq!(read("481\u{2011}923"), "481-923");
        assert_eq!(read("KTNM\u{2013}QXBR\r\n"), "KTNM-QXBR\n");
        assert_eq!(read("验证码为：８３６２０１，１０分钟"), "验证码为:836201，10分钟");
        assert!(matches!(read("plain ASCII 123"), Cow::Borrowed(_)));
    }
}
