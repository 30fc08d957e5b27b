use serde::{Deserialize, Serialize};

use crate::{lenient_number, lenient_optional_number, null_as_default};

/// `POST /inbox` (and `/gmail/inbox`, `/microsoft/inbox`): list an address's
/// messages, all of them or those received after `time`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRequest {
    /// The address whose messages to list.
    pub email: String,
    /// Only list messages received after this Unix time, in seconds.
    /// `null`, `""` and absence all mean all time, as the reference says.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_optional_number")]
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
    #[serde(default, deserialize_with = "lenient_number")]
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
    #[serde(rename = "expireTime", default, deserialize_with = "lenient_number")]
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
    #[serde(default, deserialize_with = "lenient_number")]
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
    #[serde(rename = "expireTime", default, deserialize_with = "lenient_number")]
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

/// The `data` of `POST /inbox`, read entry by entry: an entry that cannot
/// be read (no `messageId`, a field of the wrong kind) is skipped and
/// counted, and the others are kept. One odd message must not hide the
/// rest of the inbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The entries that could be read, in the server's order.
    pub entries: Vec<MessageSummary>,
    /// Why each skipped entry could not be read.
    pub skipped: Vec<String>,
}

impl<'de> Deserialize<'de> for Listing {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Option::<Vec<serde_json::Value>>::deserialize(deserializer)?.unwrap_or_default();
        let mut listing = Self::default();
        for entry in raw {
            match serde_json::from_value::<MessageSummary>(entry) {
                Ok(summary) => listing.entries.push(summary),
                Err(err) => listing.skipped.push(err.to_string()),
            }
        }
        Ok(listing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_odd_entry_is_skipped_and_odd_fields_are_read_leniently() {
        let data = serde_json::json!([
            {"messageId": "a", "time": 1745411165, "subject": null, "from": "x@y.test", "to": "me@z.test", "expireTime": null},
            {"messageId": "b", "time": "1745411166", "subject": "s", "expireTime": "1745414766"},
            {"subject": "no id at all", "time": 1},
            {"messageId": "c", "time": "yesterday"},
        ]);
        let listing: Listing = serde_json::from_value(data).unwrap();
        let ids: Vec<&str> = listing.entries.iter().map(|e| e.message_id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!((listing.entries[0].subject.as_str(), listing.entries[0].expire_time), ("", 0));
        assert_eq!((listing.entries[1].time, listing.entries[1].expire_time), (1_745_411_166, 1_745_414_766));
        assert_eq!(listing.skipped.len(), 2, "{:?}", listing.skipped);
        assert!(serde_json::from_value::<Listing>(serde_json::Value::Null).unwrap().entries.is_empty());
    }

    #[test]
    fn an_empty_time_lists_all_time() {
        for body in
            [r#"{"email":"a@b.test","time":""}"#, r#"{"email":"a@b.test","time":null}"#, r#"{"email":"a@b.test"}"#]
        {
            assert_eq!(serde_json::from_str::<InboxRequest>(body).unwrap().time, None, "{body}");
        }
        let body = r#"{"email":"a@b.test","time":"1745411478"}"#;
        assert_eq!(serde_json::from_str::<InboxRequest>(body).unwrap().time, Some(1_745_411_478));
        assert!(serde_json::from_str::<InboxRequest>(r#"{"email":"a@b.test","time":"abc"}"#).is_err());
    }
}
