//! Interpreting a response: the one place the `{code, status, msg, data}`
//! envelope and the `Retry-After` header are read.

use std::time::Duration;

use otpcatch_wire::Envelope;
use otpcatch_wire::endpoint::Endpoint;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::{CredentialKind, Error, Result};

/// How much of an unexpected body an error quotes.
const EXCERPT_CHARS: usize = 200;

/// Decodes a response.
///
/// A non-2xx HTTP status is an error with the body's `msg` if it has one.
/// A 2xx whose envelope says `status: false` or a `code` outside 200–204 is
/// an error with the envelope's code, as some servers report errors that way.
/// The body of an endpoint whose answer holds a secret is never quoted.
pub(super) fn decode<T: DeserializeOwned>(
    endpoint: &Endpoint,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    credential: CredentialKind,
) -> Result<Envelope<T>> {
    let api_error = |status: u16, msg: String| Error::api(endpoint.name, status, msg, retry_after, credential);
    if !(200..300).contains(&status) {
        let msg = match serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(body) {
            Ok(envelope) => envelope.msg,
            Err(_) if endpoint.secret_response => String::new(),
            Err(_) => excerpt(body),
        };
        return Err(api_error(status, msg));
    }
    let envelope: Envelope<T> = serde_json::from_slice(body).map_err(|err| {
        let detail = if endpoint.secret_response {
            // serde's message may quote the value, and the value may be a Bearer.
            format!("{:?} error at line {} column {}", err.classify(), err.line(), err.column())
        } else {
            format!("{err}; the body began {:?}", excerpt(body))
        };
        Error::decode(endpoint.name, detail)
    })?;
    if !envelope.status || !(200..=204).contains(&envelope.code) {
        let code = if (200..300).contains(&envelope.code) { 500 } else { envelope.code };
        return Err(api_error(code, envelope.msg));
    }
    Ok(envelope)
}

/// The envelope's `data`, which every endpoint but a deletion must have.
pub(super) fn require_data<T>(endpoint: &Endpoint, envelope: Envelope<T>) -> Result<T> {
    envelope.data.ok_or_else(|| Error::decode(endpoint.name, "the envelope has no `data`"))
}

/// The start of a body, for error messages.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        excerpt.push('…');
    }
    excerpt
}

/// `Retry-After` as seconds or as an HTTP date.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// Decodes `body` as each endpoint kind would, for the fuzz targets, and
/// checks that a response that may carry a secret is never quoted.
#[cfg(feature = "fuzzing")]
pub(crate) fn fuzz_decode(status: u16, body: &[u8]) {
    use otpcatch_wire::endpoint::{TEMP_INBOX, TOKEN};
    use otpcatch_wire::{BearerGrant, MessageDetail, MessageSummary};
    let kind = CredentialKind::ApiToken;
    let _ = decode::<Vec<MessageSummary>>(&TEMP_INBOX.list, status, None, body, kind).map(|e| e.data);
    let _ = decode::<MessageDetail>(&TEMP_INBOX.read, status, None, body, kind).map(|e| e.data);
    if let Err(error) = decode::<BearerGrant>(&TOKEN, status, None, body, kind) {
        let shown = format!("{error} {error:?}");
        // The envelope's own `msg` may be shown; nothing else of the body.
        let msg = serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(body).map(|e| e.msg).unwrap_or_default();
        let text = String::from_utf8_lossy(body);
        for run in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|run| run.len() >= 24) {
            assert!(msg.contains(run) || !shown.contains(run), "a /token body was quoted: {run:?} in {shown:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use otpcatch_wire::BearerGrant;
    use otpcatch_wire::endpoint::{TEMP_INBOX, TOKEN};

    use super::*;

    #[test]
    fn envelope_errors_inside_a_200_are_errors() {
        let body = br#"{"code":422,"status":false,"msg":"bad domain"}"#;
        let err = decode::<()>(&TEMP_INBOX.list, 200, None, body, CredentialKind::None).unwrap_err();
        assert_eq!(err.status(), Some(422));
        assert_eq!(err.server_msg(), Some("bad domain"));
    }

    #[test]
    fn a_secret_response_is_never_quoted() {
        let body = br#"{"code":200,"status":true,"msg":"ok","data":{"Bearer":123456789,"expireTime":1}}"#;
        let err = decode::<BearerGrant>(&TOKEN, 200, None, body, CredentialKind::ApiToken).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("123456789"), "{err}");
        let err = decode::<BearerGrant>(&TOKEN, 500, None, b"Bearer abc.def", CredentialKind::ApiToken).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("abc.def"), "{err}");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        headers.insert(reqwest::header::RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
        let parsed = retry_after(&headers).unwrap();
        assert!(parsed > Duration::from_secs(100) && parsed <= Duration::from_secs(120), "{parsed:?}");
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
