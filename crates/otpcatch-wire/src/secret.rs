//! A string that must never be shown: API tokens, passwords and Bearers.

use std::fmt;

use serde::{Deserialize, Deserializer, Serializer};

/// A secret string whose `Debug` and `Display` print `[redacted]`.
///
/// The only way to read the value is [`Secret::expose`], so every place that
/// sends a secret over the wire is easy to find. A `Secret` does not
/// implement `Serialize`: serializing a struct that holds one (a
/// configuration, a log record) cannot write the value by accident. The
/// request and response bodies that must carry a secret write it with
/// `#[serde(serialize_with = …)]`, which is easy to find too.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Returns the secret itself. Call it only to put the value on the wire
    /// or into the 0600 token cache, never to print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

/// Writes the secret's value: for the body fields that carry one
/// (`#[serde(serialize_with = "crate::secret::on_the_wire")]`).
pub(crate) fn on_the_wire<S: Serializer>(secret: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("hunter2-token");
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{secret}").contains("hunter2"));
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
    }

    #[test]
    fn a_body_field_writes_the_plain_string_and_reads_it_back() {
        #[derive(serde::Serialize)]
        struct Body {
            #[serde(serialize_with = "on_the_wire")]
            token: Secret,
        }
        assert_eq!(serde_json::to_string(&Body { token: Secret::new("abc") }).unwrap(), r#"{"token":"abc"}"#);
        let back: Secret = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(back.expose(), "abc");
    }
}
