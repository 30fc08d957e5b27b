//! The one error type of otpcatch-core.
//!
//! [`Error`] is opaque: callers branch on its predicates ([`Error::is_auth`],
//! [`Error::is_quota`], [`Error::is_timeout`], [`Error::status`], …) or match
//! on [`Error::kind`], never on its text. Its text names the endpoint, the
//! server's `msg`, and ends with a `hint:` line where one helps. No secret is
//! ever part of it.

use std::fmt;
use std::time::Duration;

/// Everything that can go wrong in otpcatch-core.
pub struct Error {
    kind: Box<ErrorKind>,
}

/// What went wrong. Match on it when the predicates are not enough.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server answered with an error status (in HTTP or in the envelope).
    Api {
        /// The endpoint, such as `POST /inbox`.
        endpoint: &'static str,
        /// The status code: 400, 401, 404, 405, 422, 429, 5xx, …
        status: u16,
        /// The server's `msg`, or a short excerpt of a body that had none.
        msg: String,
        /// How long the server asked us to wait (`Retry-After`), if it did.
        retry_after: Option<Duration>,
        /// Which credential the request was authenticated with.
        credential: CredentialKind,
    },
    /// The request never got an answer: connection refused, reset, timed out.
    Transport {
        /// The endpoint, such as `POST /inbox`.
        endpoint: &'static str,
        /// The underlying HTTP client error (its URL carries no secret).
        source: reqwest::Error,
    },
    /// The server answered 2xx, but not with the JSON the reference describes.
    Decode {
        /// The endpoint, such as `POST /inbox`.
        endpoint: &'static str,
        /// What did not fit, with a short excerpt of the body.
        detail: String,
    },
    /// A wait ended without a matching message.
    Timeout(Box<WaitTimeout>),
    /// An `expect none` wait saw a message that matched.
    UnexpectedMessage {
        /// The filter that should have matched nothing.
        filter: String,
        /// The sender of the message that matched.
        from: String,
        /// The subject of the message that matched.
        subject: String,
        /// How long into the wait it arrived.
        after: Duration,
    },
    /// A filter's regular expression did not compile.
    InvalidFilter {
        /// Which part of the filter: `from`, `to`, `subject` or `body`.
        field: &'static str,
        /// Why the pattern is invalid.
        source: regex::Error,
    },
    /// The client was configured in a way that cannot work.
    Config(String),
}

/// Which credential a request carried; used for the 401 hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialKind {
    /// No credential was configured.
    None,
    /// An API token, exchanged at `POST /token`.
    ApiToken,
    /// An address and password, exchanged at `POST /auth`.
    Password,
}

/// Why a wait timed out: enough to debug a failing test without rerunning it.
#[derive(Debug, Clone)]
pub struct WaitTimeout {
    /// The address that was watched.
    pub address: String,
    /// The filter, as text.
    pub filter: String,
    /// How long the wait lasted.
    pub waited: Duration,
    /// How many times the inbox was listed.
    pub polls: u32,
    /// How many matches were needed (more than 1 with `nth`).
    pub wanted: usize,
    /// How many matching messages did arrive (fewer than `wanted`).
    pub matched: usize,
    /// Every message that arrived but did not match.
    pub unmatched: Vec<Unmatched>,
    /// What the wait required of a matching message ("a code"), if anything
    /// beyond its filter (see [`Wait::require`](crate::Wait::require)).
    pub required: Option<String>,
    /// Every message that matched the filter but was passed over because
    /// it lacked what the wait required, with the reason.
    pub passed_over: Vec<PassedOver>,
}

/// A message that matched a wait's filter but lacked what the wait
/// required (a code, a link), and so was passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedOver {
    /// Its sender.
    pub from: String,
    /// Its subject.
    pub subject: String,
    /// Why it was passed over.
    pub why: String,
}

/// A message that arrived during a wait but did not match its filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmatched {
    /// Its sender.
    pub from: String,
    /// Its subject.
    pub subject: String,
    /// The recipient it was listed under.
    pub to: String,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self { kind: Box::new(kind) }
    }

    pub(crate) fn config(msg: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config(msg.into()))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The status code the server answered with, for API errors.
    pub fn status(&self) -> Option<u16> {
        match *self.kind {
            ErrorKind::Api { status, .. } => Some(status),
            _ => None,
        }
    }

    /// The server's `msg`, for API errors.
    pub fn server_msg(&self) -> Option<&str> {
        match &*self.kind {
            ErrorKind::Api { msg, .. } => Some(msg),
            _ => None,
        }
    }

    /// The endpoint the error came from, such as `POST /inbox`.
    pub fn endpoint(&self) -> Option<&'static str> {
        match *self.kind {
            ErrorKind::Api { endpoint, .. }
            | ErrorKind::Transport { endpoint, .. }
            | ErrorKind::Decode { endpoint, .. } => Some(endpoint),
            _ => None,
        }
    }

    /// The credential was missing, wrong or expired (401).
    pub fn is_auth(&self) -> bool {
        self.status() == Some(401)
    }

    /// The account's request quota was exceeded (429).
    pub fn is_quota(&self) -> bool {
        self.status() == Some(429)
    }

    /// The server has no such account or message (404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The server failed (5xx).
    pub fn is_server(&self) -> bool {
        self.status().is_some_and(|s| (500..600).contains(&s))
    }

    /// The request got no answer (connection or read failure).
    pub fn is_transport(&self) -> bool {
        matches!(*self.kind, ErrorKind::Transport { .. })
    }

    /// The answer was not the JSON the reference describes.
    pub fn is_decode(&self) -> bool {
        matches!(*self.kind, ErrorKind::Decode { .. })
    }

    /// A wait ended without a match.
    pub fn is_timeout(&self) -> bool {
        matches!(*self.kind, ErrorKind::Timeout(_))
    }

    /// An `expect none` wait saw a matching message.
    pub fn is_unexpected_message(&self) -> bool {
        matches!(*self.kind, ErrorKind::UnexpectedMessage { .. })
    }

    /// The details of a wait that timed out.
    pub fn wait_timeout(&self) -> Option<&WaitTimeout> {
        match &*self.kind {
            ErrorKind::Timeout(t) => Some(t),
            _ => None,
        }
    }

    /// How long the server asked to wait before the next request.
    pub fn retry_after(&self) -> Option<Duration> {
        match *self.kind {
            ErrorKind::Api { retry_after, .. } => retry_after,
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed: 429, 5xx and
    /// transport failures. Whether it is *safe* to is the caller's business.
    pub fn is_transient(&self) -> bool {
        self.is_quota() || self.is_server() || self.is_transport()
    }

    /// A suggestion of what to do, where there is a useful one.
    pub fn hint(&self) -> Option<String> {
        match &*self.kind {
            ErrorKind::Api { status: 401, credential, .. } => Some(match credential {
                CredentialKind::None => "no credential is configured: set OTPCATCH_TOKEN to your 22.do API \
                     token (or to the token `otpcatch serve` printed), or OTPCATCH_ADDRESS and OTPCATCH_PASSWORD"
                    .to_owned(),
                CredentialKind::ApiToken => "check the API token (OTPCATCH_TOKEN): it was refused or has been revoked".to_owned(),
                CredentialKind::Password => {
                    "check the account's address and password (OTPCATCH_ADDRESS, OTPCATCH_PASSWORD)".to_owned()
                }
            }),
            ErrorKind::Api { status: 404, .. } => {
                Some("the address or message does not exist, has expired, or belongs to another account".to_owned())
            }
            ErrorKind::Api { status: 405, .. } => {
                Some("the base URL (OTPCATCH_API_URL) may not point at a 22.do v2 API".to_owned())
            }
            ErrorKind::Api { status: 422, .. } => Some("a value in the request was refused; see the message above".to_owned()),
            ErrorKind::Api { status: 429, .. } => Some(
                "the account's quota was exceeded after every retry; lower the request rate (quota setting) or run fewer waits at once"
                    .to_owned(),
            ),
            ErrorKind::Api { status, .. } if (500..600).contains(status) => {
                Some("the server failed after every retry; try again later".to_owned())
            }
            ErrorKind::Transport { .. } => Some(
                "is the server running and is OTPCATCH_API_URL right? the request was retried with backoff".to_owned(),
            ),
            ErrorKind::Decode { .. } => Some("the base URL (OTPCATCH_API_URL) may not point at a 22.do v2 API".to_owned()),
            ErrorKind::Timeout(t) if t.polls == 0 => Some(
                "the inbox could not be listed even once: is the API reachable and OTPCATCH_API_URL right?".to_owned(),
            ),
            ErrorKind::Timeout(t) if t.matched == 0 && !t.passed_over.is_empty() => Some(format!(
                "mail matched but none had {}: `otpcatch extract --json` on such a message shows what was found and why",
                t.required.as_deref().unwrap_or("what the wait required")
            )),
            ErrorKind::Timeout(t) if t.unmatched.is_empty() && t.matched == 0 => Some(
                "no mail arrived at all: check that the site under test sent it, and to this address".to_owned(),
            ),
            ErrorKind::Timeout(t) if t.matched == 0 => {
                Some("mail arrived but none matched: loosen the filter or check the sender and subject above".to_owned())
            }
            ErrorKind::Timeout(_) => Some("fewer messages matched than the wait asked for".to_owned()),
            ErrorKind::InvalidFilter { .. } => Some("filters are Rust regular expressions (docs.rs/regex)".to_owned()),
            _ => None,
        }
    }

    fn headline(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            ErrorKind::Api { endpoint, status, msg, .. } => {
                write!(f, "{endpoint} failed with {status} {}", status_reason(*status))?;
                if !msg.is_empty() {
                    write!(f, ": {msg}")?;
                }
                Ok(())
            }
            ErrorKind::Transport { endpoint, source } => {
                write!(f, "{endpoint} got no answer: {source}")?;
                let mut cause = std::error::Error::source(source);
                while let Some(c) = cause {
                    write!(f, ": {c}")?;
                    cause = c.source();
                }
                Ok(())
            }
            ErrorKind::Decode { endpoint, detail } => write!(f, "{endpoint} answered with unexpected JSON: {detail}"),
            ErrorKind::Timeout(t) => {
                let with = t.required.as_ref().map(|r| format!(" with {r}")).unwrap_or_default();
                let matching = if t.filter == "any message" && !with.is_empty() {
                    String::new()
                } else {
                    format!(" matching {}", t.filter)
                };
                write!(
                    f,
                    "no message{matching}{with} arrived at {} within {:.1?} ({} polls",
                    t.address, t.waited, t.polls
                )?;
                if t.wanted > 1 {
                    write!(f, ", {} of {} matches", t.matched, t.wanted)?;
                }
                write!(f, ")")?;
                if !t.passed_over.is_empty() {
                    let required = t.required.as_deref().unwrap_or("what was required");
                    write!(
                        f,
                        "; {} matching message(s) had no {}:",
                        t.passed_over.len(),
                        required.trim_start_matches("a ")
                    )?;
                    for p in &t.passed_over {
                        write!(f, "\n  from {:?} subject {:?}: {}", p.from, p.subject, p.why)?;
                    }
                }
                if t.unmatched.is_empty() {
                    if t.passed_over.is_empty() { write!(f, "; no other mail arrived") } else { Ok(()) }
                } else {
                    let separator = if t.passed_over.is_empty() { "; " } else { "\n" };
                    write!(f, "{separator}{} other message(s) arrived:", t.unmatched.len())?;
                    for u in &t.unmatched {
                        write!(f, "\n  from {:?} subject {:?}", u.from, u.subject)?;
                    }
                    Ok(())
                }
            }
            ErrorKind::UnexpectedMessage { filter, from, subject, after } => write!(
                f,
                "expected no message matching {filter}, but one arrived after {after:.1?}: from {from:?} subject {subject:?}"
            ),
            ErrorKind::InvalidFilter { field, source } => write!(f, "invalid {field} pattern: {source}"),
            ErrorKind::Config(msg) => f.write_str(msg),
        }
    }
}

fn status_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.headline(f)?;
        if let Some(hint) = self.hint() {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error").field("kind", &self.kind).finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.kind {
            ErrorKind::Transport { source, .. } => Some(source),
            ErrorKind::InvalidFilter { source, .. } => Some(source),
            _ => None,
        }
    }
}
