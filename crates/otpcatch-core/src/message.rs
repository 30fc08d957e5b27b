//! The messages otpcatch reads, independent of how they travel: converted
//! from the wire types, never serialized.

use otpcatch_wire as wire;

/// One message as an inbox listing shows it: no bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSummary {
    /// The service's id for the message.
    pub id: String,
    /// When it arrived, in Unix seconds.
    pub time: i64,
    /// When the service will drop it, in Unix seconds.
    pub expires_at: i64,
    /// The decoded subject.
    pub subject: String,
    /// The sender as the service shows it.
    pub from: String,
    /// The address it was delivered to.
    pub to: String,
    /// When it arrived, in Unix milliseconds, where the server says
    /// (otpcatch's local server does; 22.do counts whole seconds only).
    pub time_ms: Option<i64>,
}

/// A whole message: what a wait returns and what rules extract from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The service's id for the message.
    pub id: String,
    /// When it arrived, in Unix seconds.
    pub time: i64,
    /// When the service will drop it, in Unix seconds.
    pub expires_at: i64,
    /// When it arrived, in Unix milliseconds, where the server says.
    pub time_ms: Option<i64>,
    /// The decoded subject.
    pub subject: String,
    /// The sender as the service shows it.
    pub from: String,
    /// The address it was delivered to.
    pub to: String,
    /// Every recipient the message names.
    pub recipients: Vec<String>,
    /// The plain-text body (empty when the message has none).
    pub text: String,
    /// The HTML body (empty when the message has none).
    pub html: String,
    /// The attachments, where the server lists them (otpcatch's local
    /// server does; 22.do does not).
    pub attachments: Vec<Attachment>,
}

/// An attachment of a message: its name, type and size, not its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name, if the part has one.
    pub filename: String,
    /// The MIME type, such as `application/pdf`.
    pub content_type: String,
    /// The decoded size in bytes.
    pub size: u64,
}

impl From<wire::Attachment> for Attachment {
    fn from(w: wire::Attachment) -> Self {
        Self { filename: w.filename, content_type: w.content_type, size: w.size }
    }
}

impl From<Attachment> for wire::Attachment {
    fn from(a: Attachment) -> Self {
        Self { filename: a.filename, content_type: a.content_type, size: a.size }
    }
}

impl From<wire::MessageSummary> for MessageSummary {
    fn from(w: wire::MessageSummary) -> Self {
        Self {
            id: w.message_id,
            time: w.time,
            expires_at: w.expire_time,
            subject: w.subject,
            from: w.from,
            to: w.to,
            time_ms: w.time_ms,
        }
    }
}

impl From<MessageSummary> for wire::MessageSummary {
    fn from(m: MessageSummary) -> Self {
        Self {
            time: m.time,
            subject: m.subject,
            from: m.from,
            to: m.to,
            message_id: m.id,
            expire_time: m.expires_at,
            time_ms: m.time_ms,
        }
    }
}

impl From<wire::MessageDetail> for Message {
    fn from(w: wire::MessageDetail) -> Self {
        Self {
            id: w.message_id,
            time: w.time,
            expires_at: w.expire_time,
            time_ms: w.time_ms,
            subject: w.subject,
            from: w.from,
            to: w.to,
            recipients: w.tos,
            text: w.body,
            html: w.html,
            attachments: w.attachments.into_iter().map(Attachment::from).collect(),
        }
    }
}

impl From<Message> for wire::MessageDetail {
    fn from(m: Message) -> Self {
        Self {
            time: m.time,
            subject: m.subject,
            body: m.text,
            html: m.html,
            from: m.from,
            to: m.to,
            tos: m.recipients,
            message_id: m.id,
            expire_time: m.expires_at,
            attachments: m.attachments.into_iter().map(wire::Attachment::from).collect(),
            time_ms: m.time_ms,
        }
    }
}

impl Message {
    /// The listing entry for this message.
    pub fn summary(&self) -> MessageSummary {
        MessageSummary {
            id: self.id.clone(),
            time: self.time,
            expires_at: self.expires_at,
            subject: self.subject.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            time_ms: self.time_ms,
        }
    }
}
