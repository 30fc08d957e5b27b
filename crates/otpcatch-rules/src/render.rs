//! HTML as a reader sees it: visible text, in reading order, with the
//! links it contains.
//!
//! Hidden parts are left out (`display:none`, zero size or opacity,
//! `hidden`, scripts, styles, the head): that is where preheaders repeat the
//! body and templates keep decoys. Block elements start new lines; table
//! cells are separated by a space, so a code laid out one digit per cell
//! reads "4 8 1 9 2 3"; inline elements join without a space, so a code
//! split across spans reads whole. The traversal is iterative, so deeply
//! nested HTML cannot overflow the stack.

use scraper::{ElementRef, Html, Node};

/// A link and what a reader sees of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Anchor {
    /// The `href`, entities decoded by the HTML parser, otherwise as written.
    pub(crate) href: String,
    /// The visible text inside the link, including `alt` of images.
    pub(crate) text: String,
    /// `title` and `aria-label`.
    pub(crate) label: String,
    /// Whether it is styled as a button (a class or a background colour).
    pub(crate) button: bool,
    /// Whether it holds only an image.
    pub(crate) image_only: bool,
    /// Where its text starts in the rendered text.
    pub(crate) offset: usize,
    /// Where its text ends in the rendered text.
    pub(crate) end: usize,
}

/// Rendered HTML.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rendered {
    pub(crate) text: String,
    pub(crate) anchors: Vec<Anchor>,
    /// The spans of the text that are set apart for the eye: bold, large,
    /// monospaced, letter-spaced, boxed, or a heading. Senders set a code
    /// so. In document order; nested spans are all listed.
    pub(crate) emphasis: Vec<(usize, usize)>,
    /// The spans of the text inside `<blockquote>`: in a reply, the older
    /// messages quoted below it.
    pub(crate) quoted: Vec<(usize, usize)>,
}

/// Elements that start a new line. A sorted list, searched by bisection.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];
const INVISIBLE: &[&str] =
    &["head", "script", "style", "title", "template", "noscript", "meta", "link", "object", "iframe", "svg"];

/// How deep elements may nest before the rest are read as text. Real
/// email nests a few dozen levels; the HTML parser's cost grows with the
/// square of the depth, so hostile nesting is flattened first.
const MAX_DEPTH: usize = 256;

/// How much HTML is parsed. Gmail clips messages at 102 KB, so senders put
/// codes and links near the top; ten times that bounds the work on a
/// hostile message without losing a real one.
pub(crate) const MAX_HTML_BYTES: usize = 1024 * 1024;

/// The most attributes an element keeps. html5ever checks each new
/// attribute against the element's earlier ones, so its time grows with
/// the square of their number: 200,000 on one tag take half a minute. Real
/// mail has a dozen at most.
pub(crate) const MAX_ATTRIBUTES: usize = 256;

/// Parses HTML, its size, nesting and attributes bounded (see
/// [`MAX_HTML_BYTES`], [`MAX_DEPTH`] and [`MAX_ATTRIBUTES`]).
pub(crate) fn parse(html: &str) -> Html {
    let bounded = flatten_deep(prefix(html, MAX_HTML_BYTES), MAX_DEPTH);
    Html::parse_document(&cap_attributes(&bounded, MAX_ATTRIBUTES))
}

/// Drops the attributes of each start tag beyond the first `max`, in one
/// linear scan that follows the HTML tokenizer's rules for attribute names
/// and quoted values (a `>` inside quotes does not end the tag).
fn cap_attributes(html: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let bytes = html.as_bytes();
    // Cheap bound first: each attribute after the first is preceded by
    // white space or a slash.
    if bytes.iter().filter(|&&c| is_tag_space(c) || c == b'/').count() <= max {
        return std::borrow::Cow::Borrowed(html);
    }
    let skip_while = |at: usize, keep: fn(u8) -> bool| skip_bytes(bytes, at, keep);
    let is_space = is_tag_space;
    let mut cuts = Vec::new();
    let mut at = 0;
    while let Some(offset) = memchr::memchr(b'<', &bytes[at..]) {
        at += offset;
        if !bytes.get(at + 1).is_some_and(u8::is_ascii_alphabetic) {
            at += 1;
            continue;
        }
        at = skip_while(at + 1, |c| !is_tag_space(c) && c != b'/' && c != b'>');
        let (mut count, mut cut_from) = (0usize, None);
        loop {
            at = skip_while(at, |c| is_tag_space(c) || c == b'/');
            if at >= bytes.len() || bytes[at] == b'>' {
                break;
            }
            let start = at;
            // A name may start with '='; it ends at space, '/', '>' or '='.
            at = skip_while(at + 1, |c| !is_tag_space(c) && !matches!(c, b'/' | b'>' | b'='));
            let equals = skip_while(at, is_space);
            if bytes.get(equals) == Some(&b'=') {
                at = skip_while(equals + 1, is_space);
                at = match bytes.get(at) {
                    Some(&quote @ (b'"' | b'\'')) => {
                        memchr::memchr(quote, &bytes[at + 1..]).map_or(bytes.len(), |end| at + end + 2)
                    }
                    _ => skip_while(at, |c| !is_tag_space(c) && c != b'>'),
                };
            }
            count += 1;
            if count == max + 1 {
                cut_from = Some(start);
            }
        }
        if let Some(start) = cut_from {
            cuts.push(start..at);
        }
    }
    if cuts.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut capped = String::with_capacity(html.len());
    let mut last = 0;
    for cut in cuts {
        capped.push_str(&html[last..cut.start]);
        last = cut.end;
    }
    capped.push_str(&html[last..]);
    std::borrow::Cow::Owned(capped)
}

/// White space as the HTML tokenizer knows it.
#[inline]
fn is_tag_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// The first index from `at` whose byte `keep` refuses, or the end.
#[inline]
fn skip_bytes(bytes: &[u8], at: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes.get(at..).and_then(|rest| rest.iter().position(|&c| !keep(c))).map_or(bytes.len(), |n| at + n)
}

/// The longest prefix of `text` of at most `max` bytes that ends on a
/// character boundary.
pub(crate) fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let end = (0..=max).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    &text[..end]
}

/// Renders an HTML document or fragment.
pub(crate) fn render(html: &str) -> Rendered {
    let document = parse(html);
    let mut out = Rendered::default();
    let mut hidden_depth = 0usize;
    // Font sizes set on the way down, innermost last: text is invisible
    // where the innermost says zero. Layouts zero the font size of a
    // wrapper (to close the gaps between inline blocks) and set it again
    // inside, so a zero font size hides only the text it governs.
    let mut font_sizes: Vec<(usize, bool)> = Vec::new();
    // The anchor being read, and how deep it opened (anchors do not nest).
    let mut open_anchor: Option<(Anchor, usize)> = None;
    // Emphasised elements being read: their depth and where their text starts.
    let mut open_emphasis: Vec<(usize, usize)> = Vec::new();
    let mut open_quotes: Vec<(usize, usize)> = Vec::new();
    let mut depth = 0usize;
    for edge in document.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => {
                depth += 1;
                match node.value() {
                    Node::Element(element) => {
                        let name = element.name();
                        if hidden_depth > 0 {
                            hidden_depth += 1;
                            continue;
                        }
                        // The style attribute, compacted once for every question asked of it.
                        let style = compact_style(element);
                        let style = style.as_deref();
                        if is_hidden(name, element, style) {
                            hidden_depth += 1;
                            continue;
                        }
                        if BLOCKS.binary_search(&name).is_ok() {
                            newline(&mut out.text);
                        } else if name == "td" || name == "th" {
                            space(&mut out.text);
                        }
                        if is_emphasised(name, style) {
                            open_emphasis.push((depth, out.text.len()));
                        }
                        if name == "blockquote" {
                            open_quotes.push((depth, out.text.len()));
                        }
                        if let Some(zero) = style.and_then(font_size_is_zero) {
                            font_sizes.push((depth, zero));
                        }
                        if name == "img"
                            && let Some(alt) = element.attr("alt")
                            && let Some((anchor, _)) = open_anchor.as_mut()
                        {
                            anchor.text.push_str(alt.trim());
                            anchor.text.push(' ');
                        }
                        if name == "a"
                            && let Some(href) = element.attr("href")
                        {
                            let class = element.attr("class").unwrap_or_default().to_ascii_lowercase();
                            let style = element.attr("style").unwrap_or_default().to_ascii_lowercase();
                            let label = [element.attr("title"), element.attr("aria-label")]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" ");
                            // A button: so named, or given a background,
                            // or padded into a block (the background then
                            // sits on the table cell around it).
                            let padded_block = style.contains("padding")
                                && (style.contains("inline-block")
                                    || style.contains("display:block")
                                    || style.contains("display: block"));
                            let button = class.contains("button")
                                || class.contains("btn")
                                || class.contains("cta")
                                || style.contains("background")
                                || padded_block;
                            let anchor = Anchor {
                                href: href.trim().to_owned(),
                                label,
                                button,
                                offset: out.text.len(),
                                ..Anchor::default()
                            };
                            open_anchor = Some((anchor, depth));
                        }
                    }
                    Node::Text(text) if hidden_depth == 0 && !font_sizes.last().is_some_and(|&(_, zero)| zero) => {
                        push_text(&mut out.text, text);
                        if let Some((anchor, _)) = open_anchor.as_mut() {
                            push_text(&mut anchor.text, text);
                        }
                    }
                    _ => {}
                }
            }
            ego_tree::iter::Edge::Close(node) => {
                if let Node::Element(element) = node.value() {
                    if hidden_depth > 0 {
                        hidden_depth -= 1;
                    } else {
                        let name = element.name();
                        if font_sizes.last().is_some_and(|&(d, _)| d == depth) {
                            font_sizes.pop();
                        }
                        if open_quotes.last().is_some_and(|&(d, _)| d == depth) {
                            let (_, start) = open_quotes.pop().unwrap_or_default();
                            out.quoted.push((start, out.text.len()));
                        }
                        if open_emphasis.last().is_some_and(|&(d, _)| d == depth) {
                            let (_, start) = open_emphasis.pop().unwrap_or_default();
                            let end = out.text.trim_end().len();
                            if end > start {
                                out.emphasis.push((start, end));
                            }
                        }
                        if BLOCKS.binary_search(&name).is_ok() && name != "br" {
                            newline(&mut out.text);
                        }
                        if open_anchor.as_ref().is_some_and(|(_, d)| *d == depth) {
                            let (mut anchor, _) = open_anchor.take().unwrap_or_default();
                            anchor.end = out.text.trim_end().len().max(anchor.offset);
                            anchor.text = anchor.text.split_whitespace().collect::<Vec<_>>().join(" ");
                            anchor.image_only = ElementRef::wrap(node).is_some_and(|e| {
                                e.text().all(|t| t.trim().is_empty()) && e.select(&IMG).next().is_some()
                            });
                            out.anchors.push(anchor);
                        }
                    }
                }
                depth = depth.saturating_sub(1);
            }
        }
    }
    while out.text.ends_with([' ', '\n']) {
        out.text.pop();
    }
    out.emphasis.sort_unstable();
    out
}

/// Elements that set their text apart for the eye.
const EMPHASIS: &[&str] = &["b", "big", "code", "h1", "h2", "h3", "h4", "kbd", "mark", "pre", "samp", "strong", "tt"];

/// Whether `element` sets its text apart: an emphasising element, or a
/// style that makes text bold, large (18px and up), monospaced,
/// letter-spaced or boxed.
fn is_emphasised(name: &str, style: Option<&str>) -> bool {
    if EMPHASIS.contains(&name) {
        return true;
    }
    let Some(style) = style else { return false };
    let value = |property: &str| {
        style.match_indices(property).find_map(|(at, _)| {
            let boundary = at == 0 || style[..at].ends_with(';');
            let rest = style[at + property.len()..].strip_prefix(':')?;
            boundary.then(|| rest.split(';').next().unwrap_or_default())
        })
    };
    let large = value("font-size").is_some_and(|size| {
        let split = size.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(size.len());
        let number: f64 = size[..split].parse().unwrap_or(0.0);
        match &size[split..] {
            unit if unit.starts_with("px") => number >= 18.0,
            unit if unit.starts_with("pt") => number >= 14.0,
            unit if unit.starts_with("em") || unit.starts_with("rem") => number >= 1.3,
            _ => size.contains("large"),
        }
    });
    let bold = value("font-weight").is_some_and(|w| w.starts_with("bold") || w.parse::<u32>().is_ok_and(|w| w >= 600));
    let mono =
        value("font-family").is_some_and(|f| f.contains("mono") || f.contains("courier") || f.contains("consolas"));
    let spaced = value("letter-spacing").is_some_and(|s| !s.starts_with('0') && !s.starts_with("normal"));
    let boxed = value("border").is_some_and(|b| !b.starts_with('0') && !b.starts_with("none"))
        || value("background-color").or_else(|| value("background")).is_some_and(|b| !b.starts_with("transparent"));
    large || bold || mono || spaced || boxed
}

const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

/// Drops the tags (not the text) of elements nested deeper than `max`.
/// A linear scan that only approximates HTML's nesting rules, which is all
/// a depth limit needs.
fn flatten_deep(html: &str, max: usize) -> std::borrow::Cow<'_, str> {
    // Cheap bound first: nesting deeper than `max` needs more than `max` tags.
    if html.bytes().filter(|&b| b == b'<').count() <= max {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut tags = Vec::new();
    let bytes = html.as_bytes();
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let start = at + offset;
        let Some(length) = html[start..].find('>') else { break };
        let end = start + length + 1;
        let tag = &html[start + 1..end - 1];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let opening = !closing && bytes.get(start + 1).is_some_and(u8::is_ascii_alphabetic);
        if opening && !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            depth += 1;
            deepest = deepest.max(depth);
            tags.push((start, end, depth));
        } else if closing && !name.is_empty() {
            tags.push((start, end, depth));
            depth = depth.saturating_sub(1);
        }
        at = end;
    }
    if deepest <= max {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut flat = String::with_capacity(html.len());
    let mut last = 0;
    for (start, end, depth) in tags {
        if depth > max {
            flat.push_str(&html[last..start]);
            last = end;
        }
    }
    flat.push_str(&html[last..]);
    std::borrow::Cow::Owned(flat)
}

static IMG: std::sync::LazyLock<scraper::Selector> =
    std::sync::LazyLock::new(|| scraper::Selector::parse("img").expect("a valid selector"));

/// An element's style attribute without white space, in lower case.
fn compact_style(element: &scraper::node::Element) -> Option<String> {
    element
        .attr("style")
        .map(|style| style.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect())
}

fn is_hidden(name: &str, element: &scraper::node::Element, style: Option<&str>) -> bool {
    if INVISIBLE.contains(&name) || element.attr("hidden").is_some() {
        return true;
    }
    let Some(style) = style else { return false };
    // Not `mso-hide:all`: it hides from Outlook only, and the buttons of
    // bulletproof layouts carry it on the link every other client shows.
    style.contains("display:none")
        || style.contains("visibility:hidden")
        || ["max-height", "height", "opacity", "max-width", "width"].iter().any(|property| is_zero(style, property))
        || (style.contains("font-size:1px") && (style.contains("color:#fff") || style.contains("line-height:1px")))
}

/// Whether an element sets its font size to zero (`Some(true)`), to
/// something else (`Some(false)`), or not at all.
fn font_size_is_zero(style: &str) -> Option<bool> {
    let declared = style.match_indices("font-size:").any(|(at, _)| at == 0 || style[..at].ends_with(';'));
    declared.then(|| is_zero(style, "font-size"))
}

/// Whether `property` is set to zero (`0`, `0px`, `0%`, …) in a compacted,
/// lower-cased style attribute.
fn is_zero(style: &str, property: &str) -> bool {
    style.match_indices(property).any(|(at, _)| {
        let boundary = at == 0 || style[..at].ends_with([';', '{', '"']);
        let Some(value) = style[at + property.len()..].strip_prefix(':') else { return false };
        let number = &value[..value.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(value.len())];
        boundary && number.starts_with('0') && number.chars().all(|c| c == '0' || c == '.')
    })
}

/// Appends text as a reader reads it (see [`crate::chars`]), with its white
/// space collapsed.
fn push_text(out: &mut String, text: &str) {
    let text = crate::chars::read(text);
    let mut pending_space = text.starts_with(char::is_whitespace);
    for word in text.split_whitespace() {
        if pending_space {
            space(out);
        }
        out.push_str(word);
        pending_space = true;
    }
    if text.ends_with(char::is_whitespace) && !text.trim().is_empty() {
        space(out);
    }
}

fn space(out: &mut String) {
    if !out.is_empty() && !out.ends_with([' ', '\n']) {
        out.push(' ');
    }
}

fn newline(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_parts_are_left_out_and_blocks_break_lines() {
        let rendered = render(
            "<html><head><title>T</title><style>.x{color:#ff0000}</style></head><body>\
             <div style=\"display:none;max-height:0\">Preheader 999999</div>\
             <h1>Your code</h1><p>Enter <b>48</b><b>19</b><b>23</b> to continue.</p>\
             <table><tr><td>4</td><td>8</td><td>1</td></tr></table></body></html>",
        );
        assert_eq!(rendered.text, "Your code\nEnter 481923 to continue.\n4 8 1");
        let styles = render(
            "<p style=\"font-size:0px\">a</p><p style=\"opacity: 0\">b</p><p style=\"line-height:0;opacity:0.9\">c</p>\
             <p style=\"max-height:0;overflow:hidden\">d</p><p style=\"width:100%;border-width:0\">e</p>",
        );
        assert_eq!(styles.text, "c\ne");
        let layout =
            render("<td style=\"font-size:0px\"> <div style=\"font-size:16px\">Code <b>481923</b></div> </td>");
        assert_eq!(layout.text, "Code 481923", "a zeroed wrapper hides only its own text");
    }

    #[test]
    fn anchors_carry_their_text_and_hints() {
        let rendered = render(
            "<p>Hi</p><a class=\"btn\" href=\"https://x.test/verify?a=1&amp;b=2\">Verify <i>email</i></a>\
             <a href=\"https://x.test/\"><img alt=\"Logo\" src=\"l.png\"></a>",
        );
        assert_eq!(rendered.anchors.len(), 2);
        let verify = &rendered.anchors[0];
        assert_eq!(
            (verify.href.as_str(), verify.text.as_str(), verify.button),
            ("https://x.test/verify?a=1&b=2", "Verify email", true)
        );
        assert!(rendered.anchors[1].image_only);
        assert_eq!(rendered.anchors[1].text, "Logo");
    }

    #[test]
    fn attributes_beyond_the_cap_are_dropped_in_linear_time() {
        let many: String = (0..100_000).map(|i| format!(" a{i}")).collect();
        let html =
            format!("<p><a href='https://x.test/verify?a>b'{many} title=\"x\">Verify</a> and <b c=1>bold</b></p>");
        let capped = cap_attributes(&html, 3);
        assert_eq!(capped, "<p><a href='https://x.test/verify?a>b' a0 a1 >Verify</a> and <b c=1>bold</b></p>");
        let rendered = render(&html);
        assert!(rendered.text.contains("Verify and bold"), "{:?}", rendered.text);
        let plain = "<p class=a id=b>fine</p>";
        assert!(matches!(cap_attributes(plain, 3), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let html = format!("{}481923{}", "<div><span>".repeat(50_000), "</span></div>".repeat(50_000));
        assert!(render(&html).text.contains("481923"));
        let unclosed = format!("{}code 135790", "<div>".repeat(100_000));
        assert!(render(&unclosed).text.contains("code 135790"));
    }
}
