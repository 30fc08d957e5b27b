use serde::{Deserialize, Serialize};

/// The `{code, status, msg, data}` wrapper around every 22.do response.
///
/// `data` is absent on deletions and on errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The HTTP-like status code, repeated in the body.
    pub code: u16,
    /// Whether the call succeeded.
    pub status: bool,
    /// A human-readable result, such as `success` or the reason of an error.
    #[serde(default, deserialize_with = "crate::null_as_default")]
    pub msg: String,
    /// The payload.
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

impl<T> Envelope<T> {
    /// A successful response with `msg` = `success`.
    pub fn success(data: T) -> Self {
        Self::success_with_msg("success", data)
    }

    /// A successful response with a message of its own, as purchases have.
    pub fn success_with_msg(msg: impl Into<String>, data: T) -> Self {
        Self { code: 200, status: true, msg: msg.into(), data: Some(data) }
    }

    /// A failed response: `status` false and no `data`.
    pub fn failure(code: u16, msg: impl Into<String>) -> Self {
        Self { code, status: false, msg: msg.into(), data: None }
    }
}

impl Envelope<()> {
    /// A successful response that carries only a message, as deletions do.
    pub fn message_only(msg: impl Into<String>) -> Self {
        Self { code: 200, status: true, msg: msg.into(), data: None }
    }
}
