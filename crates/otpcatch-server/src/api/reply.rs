//! How the API answers: the 22.do envelope for successes and errors, and
//! the request-body extractor: 400 for a body that is not a JSON object or
//! lacks a field, 422 for a value of the wrong kind or range, 413 for a
//! body over the size limit.

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, body::Bytes};
use otpcatch_wire::Envelope;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// An API error: answered with the envelope and the same HTTP status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: u16,
    msg: String,
    retry_after: Option<u64>,
}

/// The longest `msg` an error carries: values quoted from the request are
/// cut, so a 1 MB field is not echoed back.
const MAX_MSG_CHARS: usize = 300;

impl ApiError {
    pub(crate) fn new(status: u16, msg: impl Into<String>) -> Self {
        let mut msg = msg.into();
        if let Some((cut, _)) = msg.char_indices().nth(MAX_MSG_CHARS) {
            msg.truncate(cut);
            msg.push('…');
        }
        Self { status, msg, retry_after: None }
    }

    pub(crate) fn bad_request(msg: impl Into<String>) -> Self {
        Self::new(400, msg)
    }

    pub(crate) fn unauthorized(msg: impl Into<String>) -> Self {
        Self::new(401, msg)
    }

    pub(crate) fn not_found(msg: impl Into<String>) -> Self {
        Self::new(404, msg)
    }

    pub(crate) fn unprocessable(msg: impl Into<String>) -> Self {
        Self::new(422, msg)
    }

    /// The server could not save what the request made (503): the client
    /// may try again.
    pub(crate) fn not_saved(why: String) -> Self {
        Self::new(503, format!("could not save to the database: {why}"))
    }

    pub(crate) fn too_many_requests(msg: impl Into<String>, retry_after: u64) -> Self {
        Self { retry_after: Some(retry_after), ..Self::new(429, msg) }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(Envelope::<()>::failure(self.status, self.msg))).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert("retry-after", HeaderValue::from(seconds));
        }
        response
    }
}

/// A successful answer with `data`.
pub(crate) fn success<T: Serialize>(data: T) -> Response {
    Json(Envelope::success(data)).into_response()
}

/// A successful answer with its own `msg`.
pub(crate) fn success_with_msg<T: Serialize>(msg: String, data: T) -> Response {
    Json(Envelope::success_with_msg(msg, data)).into_response()
}

/// A successful answer with only a `msg`.
pub(crate) fn done(msg: &str) -> Response {
    Json(Envelope::message_only(msg)).into_response()
}

/// The JSON body of a request, decoded into a wire type; anything else is
/// an error that says what is missing or wrong.
pub(crate) struct Body<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            let status = e.status().as_u16();
            let msg = format!("could not read the request body: {}", e.body_text());
            if status == 413 { ApiError::new(413, msg) } else { ApiError::bad_request(msg) }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request("the request needs a JSON body"));
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {}", strip_position(&e.to_string()))))?;
        if !value.is_object() {
            return Err(ApiError::bad_request("the body must be a JSON object, such as {\"email\": \"…\"}"));
        }
        serde_json::from_value(value).map(Body).map_err(|e| {
            let text = e.to_string();
            let text = strip_position(&text);
            if text.starts_with("missing field") {
                ApiError::bad_request(format!("invalid request body: {text}"))
            } else {
                ApiError::unprocessable(format!("invalid value in the request body: {text}"))
            }
        })
    }
}

/// serde's "at line 1 column 12" helps nobody reading an API error.
fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}
