use serde::{Deserialize, Serialize};

use crate::null_as_default;

/// `POST /inbox` (and `/gmail/inbox`, `/microsoft/inbox`): list an address's
/// messages, all of them or those received after `time`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRequest {
    /// The address whose messages to list.
    pub email: String,
    /// Only list messages received after this Unix time, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<i64>,
}

/// `POST` and `DELETE /inbox/message` (and the Gmail and Microsoft forms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageIdRequest {
    /// The message to read or delete.
    #[serde(rename = "messageId")]
    pub message_id: String,
}

/// One entry of an inbox listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSummary {
    /// When the message arrived, in Unix seconds.
    pub time: i64,
    /// The decoded subject.
    #[serde(default, deserialize_with = "null_as_default")]
    pub subject: String,
    /// The sender as the service shows it (a name, an address, or both).
    #[serde(default, deserialize_with = "null_as_default")]
    pub from: String,
    /// The address the message was delivered to.
    #[serde(default, deserialize_with = "null_as_default")]
    pub to: String,
    /// The message's id in the service.
    #[serde(rename = "messageId")]
    pub message_id: String,
    /// When the service will drop the message, in Unix seconds.
    #[serde(rename = "expireTime", default)]
    pub expire_time: i64,
    /// When the message arrived, in Unix milliseconds: an otpcatch
    /// extension (its local server sends it; 22.do does not, and the field
    /// is then left out).
    #[serde(rename = "timeMs", default, skip_serializing_if = "Option::is_none")]
    pub time_ms: Option<i64>,
}

/// An attachment of a message: listed, never decoded into the body.
///
/// An otpcatch extension: its local server lists attachments in the
/// message detail; 22.do sends none, and the field is then left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The file name, if the part has one.
    #[serde(default, deserialize_with = "null_as_default")]
    pub filename: String,
    /// The MIME type, such as `application/pdf`.
    #[serde(rename = "contentType", default, deserialize_with = "null_as_default")]
    pub content_type: String,
    /// The decoded size in bytes.
    #[serde(default)]
    pub size: u64,
}

/// The `data` of `POST /inbox/message`: a message with its bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDetail {
    /// When the message arrived, in Unix seconds.
    pub time: i64,
    /// The decoded subject.
    #[serde(default, deserialize_with = "null_as_default")]
    pub subject: String,
    /// The plain-text body.
    #[serde(default, deserialize_with = "null_as_default")]
    pub body: String,
    /// The HTML body.
    #[serde(default, deserialize_with = "null_as_default")]
    pub html: String,
    /// The sender as the service shows it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub from: String,
    /// The address the message was delivered to.
    #[serde(default, deserialize_with = "null_as_default")]
    pub to: String,
    /// Every recipient named by the message.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tos: Vec<String>,
    /// The message's id in the service.
    #[serde(rename = "messageId")]
    pub message_id: String,
    /// When the service will drop the message, in Unix seconds.
    #[serde(rename = "expireTime", default)]
    pub expire_time: i64,
    /// The attachments (an otpcatch extension; absent from 22.do).
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub attachments: Vec<Attachment>,
    /// When the message arrived, in Unix milliseconds (an otpcatch
    /// extension; absent from 22.do).
    #[serde(rename = "timeMs", default, skip_serializing_if = "Option::is_none")]
    pub time_ms: Option<i64>,
}

impl MessageDetail {
    /// The message's entry in an inbox listing.
    pub fn summary(&self) -> MessageSummary {
        MessageSummary {
            time: self.time,
            subject: self.subject.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            message_id: self.message_id.clone(),
            expire_time: self.expire_time,
            time_ms: self.time_ms,
        }
    }
}
