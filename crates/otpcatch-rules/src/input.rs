//! Messages from files: a raw `.eml`, a 22.do message-detail `.json`, an
//! `.html` or a `.txt` body. Never fails on content: anything unreadable
//! becomes a message with little in it.

use otpcatch_core::Message;
use otpcatch_wire as wire;

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
        time_ms: None,
        subject: String::new(),
        from: String::new(),
        to: String::new(),
        recipients: Vec::new(),
        text,
        html,
        attachments: Vec::new(),
    }
}

/// Whether `content` is a message as the API gives it (`otpcatch message
/// --json`, with or without the envelope): other JSON is read as text.
pub fn is_api_message(content: &[u8]) -> bool {
    from_json(content).is_some()
}

fn from_json(content: &[u8]) -> Option<Message> {
    if let Ok(envelope) = serde_json::from_slice::<wire::Envelope<wire::MessageDetail>>(content)
        && let Some(detail) = envelope.data
    {
        return Some(detail.into());
    }
    serde_json::from_slice::<wire::MessageDetail>(content).ok().map(Message::from)
}

/// Decodes an `.eml` as otpcatch's local server reports a message (see
/// [`otpcatch_wire::mime`]): every inline text part, joined, and every
/// inline HTML part, joined; the time is the `Date` header's.
pub fn from_eml(content: &[u8]) -> Message {
    let fields = wire::mime::decode(content);
    let mut message = body(fields.text, fields.html);
    message.subject = fields.subject;
    message.from = fields.from;
    message.to = fields.to;
    message.recipients = fields.recipients;
    message.time = fields.date.unwrap_or(0);
    message.attachments = fields.attachments.into_iter().map(Into::into).collect();
    message
}
