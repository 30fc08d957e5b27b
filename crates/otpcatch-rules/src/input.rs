//! Messages from files: a raw `.eml`, a 22.do message-detail `.json`, an
//! `.html` or a `.txt` body. Never fails on content: anything unreadable
//! becomes a message with little in it.

use mail_parser::{MessageParser, PartType};
use otpcatch_core::{Message, wire};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An RFC 5322 message, MIME and all.
    Eml,
    /// The `data` (or the whole envelope) of `POST /inbox/message`.
    Json,
    /// An HTML body.
    Html,
    /// A plain-text body.
    Text,
}

impl Format {
    /// The format a file name suggests, or a guess from the content.
    pub fn detect(name: Option<&str>, content: &[u8]) -> Self {
        let extension = name.and_then(|n| n.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase());
        match extension.as_deref() {
            Some("eml" | "msg" | "mime") => return Self::Eml,
            Some("json") => return Self::Json,
            Some("html" | "htm") => return Self::Html,
            Some("txt" | "text") => return Self::Text,
            _ => {}
        }
        let head = String::from_utf8_lossy(&content[..content.len().min(2048)]).to_ascii_lowercase();
        let trimmed = head.trim_start();
        if trimmed.starts_with('{') {
            Self::Json
        } else if trimmed.starts_with('<') {
            Self::Html
        } else if head
            .lines()
            .take(30)
            .any(|l| l.starts_with("subject:") || l.starts_with("content-type:") || l.starts_with("from:"))
        {
            Self::Eml
        } else {
            Self::Text
        }
    }
}

/// Reads a message from `content` in `format`.
pub fn parse(format: Format, content: &[u8]) -> Message {
    match format {
        Format::Eml => from_eml(content),
        Format::Json => {
            from_json(content).unwrap_or_else(|| body(String::from_utf8_lossy(content).into_owned(), String::new()))
        }
        Format::Html => body(String::new(), String::from_utf8_lossy(content).into_owned()),
        Format::Text => body(String::from_utf8_lossy(content).into_owned(), String::new()),
    }
}

fn body(text: String, html: String) -> Message {
    Message {
        id: String::new(),
        time: 0,
        expires_at: 0,
        subject: String::new(),
        from: String::new(),
        to: String::new(),
        recipients: Vec::new(),
        text,
        html,
        attachments: Vec::new(),
    }
}

fn from_json(content: &[u8]) -> Option<Message> {
    if let Ok(envelope) = serde_json::from_slice::<wire::Envelope<wire::MessageDetail>>(content)
        && let Some(detail) = envelope.data
    {
        return Some(detail.into());
    }
    serde_json::from_slice::<wire::MessageDetail>(content).ok().map(Message::from)
}

/// How many inline text (or HTML) parts are read: a message may split its
/// body (a signature part, a list footer), but hundreds of parts are
/// hostile, not mail.
const MAX_BODY_PARTS: usize = 32;

/// Decodes an `.eml` with mail-parser: every inline text part, joined, and
/// every inline HTML part, joined (up to [`MAX_BODY_PARTS`] of each).
pub fn from_eml(content: &[u8]) -> Message {
    let Some(parsed) = MessageParser::default().parse(content) else {
        return body(String::from_utf8_lossy(content).into_owned(), String::new());
    };
    let joined = |parts: Vec<Option<&mail_parser::MessagePart<'_>>>, html: bool| {
        let texts: Vec<String> = parts
            .into_iter()
            .flatten()
            .filter_map(|part| match (&part.body, html) {
                (PartType::Html(text), true) | (PartType::Text(text), false) => Some(text.to_string()),
                _ => None,
            })
            .collect();
        texts.join(if html { "\n" } else { "\n\n" })
    };
    let count = |n: usize| n.min(MAX_BODY_PARTS) as u32;
    let texts = (0..count(parsed.text_body_count())).map(|i| parsed.text_part(i)).collect();
    let htmls = (0..count(parsed.html_body_count())).map(|i| parsed.html_part(i)).collect();
    let address = |list: Option<&mail_parser::Address<'_>>| {
        list.and_then(|l| l.first()).map(|a| match (a.name(), a.address()) {
            (Some(name), Some(address)) => format!("{name} <{address}>"),
            (None, Some(address)) => address.to_owned(),
            (Some(name), None) => name.to_owned(),
            (None, None) => String::new(),
        })
    };
    let mut message = body(joined(texts, false), joined(htmls, true));
    message.subject = parsed.subject().unwrap_or_default().to_owned();
    message.from = address(parsed.from()).unwrap_or_default();
    message.to = address(parsed.to()).unwrap_or_default();
    message.recipients = parsed
        .to()
        .into_iter()
        .chain(parsed.cc())
        .flat_map(|l| l.iter().filter_map(|a| a.address().map(str::to_owned)).collect::<Vec<_>>())
        .collect();
    message.time = parsed.date().map_or(0, |d| d.to_timestamp());
    message
}
