//! The web inbox: `GET /` serves a page (HTML, CSS and JavaScript embedded
//! in the binary, no build step) that shows what arrived and why a code or
//! link was or was not found. Its data comes from `/ui/api/…`, behind the
//! same Bearer and quota as the 22.do API, so a browser sees only what its
//! account may read.
//!
//! Mail is hostile content. The page's Content-Security-Policy lets it
//! load nothing from anywhere but this server; a message's HTML is shown in
//! a sandboxed iframe (no scripts) whose own policy blocks remote content
//! until the user asks for it, message by message. The server never fetches
//! what mail links to.

mod data;
mod events;

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};

use crate::api::ApiState;

/// Turns a message's raw source into what the inbox's extraction panel
/// shows (the code and the link found, the rule, the runners-up, the
/// misses), as JSON. The server knows no rules: the program that runs it
/// supplies this (the `otpcatch` CLI does, with its built-in and user rules).
#[derive(Clone)]
pub struct Explainer(Arc<ExplainFn>);

/// What an [`Explainer`] calls: the raw source in, the panel's JSON out.
type ExplainFn = dyn Fn(&[u8]) -> serde_json::Value + Send + Sync;

impl Explainer {
    /// An explainer that calls `explain` on each message shown.
    pub fn new(explain: impl Fn(&[u8]) -> serde_json::Value + Send + Sync + 'static) -> Self {
        Self(Arc::new(explain))
    }

    /// What the panel shows for the message `raw`.
    pub fn explain(&self, raw: &[u8]) -> serde_json::Value {
        (self.0)(raw)
    }
}

impl std::fmt::Debug for Explainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Explainer")
    }
}

/// The page's policy. The page's own markup and script name no remote URL;
/// remote images, styles, fonts and media are allowed here only because a
/// `srcdoc` iframe inherits this policy, and the iframe's own policy (set
/// by the page, strict until the user asks) is what decides for mail.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline' http: https:; \
     img-src 'self' data: http: https:; font-src http: https:; media-src http: https:; connect-src 'self'; \
     frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// The inbox's routes: the page and its assets for anyone (they hold no
/// mail), the data behind `gate`.
pub(crate) fn routes(gated: impl FnOnce(Router<ApiState>) -> Router<ApiState>) -> Router<ApiState> {
    let data = Router::new()
        .route("/ui/api/mailboxes", get(data::mailboxes))
        .route("/ui/api/mailboxes/{address}", delete(data::delete_mailbox))
        .route("/ui/api/messages", get(data::messages))
        .route("/ui/api/messages/{id}", get(data::message).delete(data::delete_message))
        .route("/ui/api/messages/{id}/raw", get(data::raw))
        .route("/ui/api/messages/{id}/attachments/{index}", get(data::attachment))
        .route("/ui/api/events", get(events::events));
    Router::new()
        .route("/", get(|| async { asset(INDEX_HTML, "text/html; charset=utf-8") }))
        .route("/ui/app.js", get(|| async { asset(APP_JS, "text/javascript; charset=utf-8") }))
        .route("/ui/app.css", get(|| async { asset(APP_CSS, "text/css; charset=utf-8") }))
        .merge(gated(data))
}

/// An embedded asset, with the page's policy and no sniffing.
fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, PAGE_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
