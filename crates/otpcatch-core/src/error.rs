//! The one error type of otpcatch-core.
//!
//! [`Error`] is opaque: callers branch on [`Error::kind`] and its predicates
//! ([`Error::is_auth`], [`Error::is_quota`], [`Error::is_wait_timeout`],
//! [`Error::status`], …), never on its text. The errors of the crates it
//! builds on (reqwest, regex) are reached through
//! [`std::error::Error::source`] only, so they are not part of this API.
//!
//! Its `Display` is one headline (the endpoint, the status, the server's
//! `msg`) followed by a `hint:` line where one helps; it does not repeat
//! the source's text, which a reporter that prints the chain of sources
//! would print twice. Hints describe the situation in the library's terms
//! (the base URL, the API token): a program built on this crate knows
//! which of its own flags or variables set those. No secret is ever part of
//! an error.

use std::fmt;
use std::time::Duration;

/// Everything that can go wrong in otpcatch-core.
pub struct Error {
    repr: Box<Repr>,
}

/// What went wrong, for branching. [`Error`]'s accessors give the details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server answered with an error status, in HTTP or in the envelope
    /// ([`Error::status`], [`Error::server_msg`]).
    Api,
    /// The request got no answer: the connection was refused, reset or
    /// timed out (the HTTP client's error is the [`source`]).
    ///
    /// [`source`]: std::error::Error::source
    Transport,
    /// The server answered 2xx, but not with the JSON the reference describes.
    Decode,
    /// A wait ended without its message ([`Error::wait_timeout`]).
    WaitTimeout,
    /// An `expect none` wait saw a message that matched
    /// ([`Error::unexpected_message`]).
    UnexpectedMessage,
    /// A filter's regular expression did not compile (the pattern's error is
    /// the [`source`]).
    ///
    /// [`source`]: std::error::Error::source
    InvalidFilter,
    /// The client was configured in a way that cannot work.
    Config,
}

/// The details behind an [`Error`], private so that the third-party errors
/// in it are not part of the API.
#[derive(Debug)]
enum Repr {
    Api { endpoint: &'static str, status: u16, msg: String, retry_after: Option<Duration>, credential: CredentialKind },
    Transport { endpoint: &'static str, failure: TransportFailure, target: String, source: reqwest::Error },
    Decode { endpoint: &'static str, detail: String },
    WaitTimeout(WaitTimeout),
    UnexpectedMessage(UnexpectedMessage),
    InvalidFilter { field: &'static str, source: regex::Error },
    Config(String),
}

/// Why a request got no answer, as far as the client can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportFailure {
    /// Nothing listens at the address (connection refused).
    Refused,
    /// The host name could not be resolved: offline, or a typo.
    Unresolved,
    /// The TLS handshake failed: a certificate, or `https` to a server that
    /// speaks plain HTTP.
    Tls,
    /// The request timed out.
    TimedOut,
    /// The connection broke or something else went wrong on the way.
    Other,
}

/// Which credential a request carried; the CLI words its 401 hint by it.
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
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct Unmatched {
    /// Its sender.
    pub from: String,
    /// Its subject.
    pub subject: String,
    /// The recipient it was listed under.
    pub to: String,
}

/// The message that failed an `expect none` wait.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnexpectedMessage {
    /// The filter that should have matched nothing.
    pub filter: String,
    /// The sender of the message that matched.
    pub from: String,
    /// The subject of the message that matched.
    pub subject: String,
    /// How long into the wait it arrived.
    pub after: Duration,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn new(repr: Repr) -> Self {
        Self { repr: Box::new(repr) }
    }

    pub(crate) fn api(
        endpoint: &'static str,
        status: u16,
        msg: String,
        retry_after: Option<Duration>,
        credential: CredentialKind,
    ) -> Self {
        Self::new(Repr::Api { endpoint, status, msg, retry_after, credential })
    }

    pub(crate) fn transport(endpoint: &'static str, source: reqwest::Error) -> Self {
        let failure = classify(&source);
        let target = source
            .url()
            .and_then(|url| Some(format!("{}:{}", url.host_str()?, url.port_or_known_default()?)))
            .unwrap_or_default();
        Self::new(Repr::Transport { endpoint, failure, target, source: source.without_url() })
    }

    pub(crate) fn decode(endpoint: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Repr::Decode { endpoint, detail: detail.into() })
    }

    pub(crate) fn wait_timed_out(timeout: WaitTimeout) -> Self {
        Self::new(Repr::WaitTimeout(timeout))
    }

    pub(crate) fn unexpected(message: UnexpectedMessage) -> Self {
        Self::new(Repr::UnexpectedMessage(message))
    }

    pub(crate) fn invalid_filter(field: &'static str, source: regex::Error) -> Self {
        Self::new(Repr::InvalidFilter { field, source })
    }

    pub(crate) fn config(msg: impl Into<String>) -> Self {
        Self::new(Repr::Config(msg.into()))
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        match &*self.repr {
            Repr::Api { .. } => ErrorKind::Api,
            Repr::Transport { .. } => ErrorKind::Transport,
            Repr::Decode { .. } => ErrorKind::Decode,
            Repr::WaitTimeout(_) => ErrorKind::WaitTimeout,
            Repr::UnexpectedMessage(_) => ErrorKind::UnexpectedMessage,
            Repr::InvalidFilter { .. } => ErrorKind::InvalidFilter,
            Repr::Config(_) => ErrorKind::Config,
        }
    }

    /// The status code the server answered with, for API errors.
    pub fn status(&self) -> Option<u16> {
        match *self.repr {
            Repr::Api { status, .. } => Some(status),
            _ => None,
        }
    }

    /// The server's `msg` (or a short excerpt of a body that had none), for
    /// API errors.
    pub fn server_msg(&self) -> Option<&str> {
        match &*self.repr {
            Repr::Api { msg, .. } => Some(msg),
            _ => None,
        }
    }

    /// The endpoint the error came from, such as `POST /inbox`.
    pub fn endpoint(&self) -> Option<&'static str> {
        match *self.repr {
            Repr::Api { endpoint, .. } | Repr::Transport { endpoint, .. } | Repr::Decode { endpoint, .. } => {
                Some(endpoint)
            }
            _ => None,
        }
    }

    /// Why the request got no answer, for transport errors.
    pub fn transport_failure(&self) -> Option<TransportFailure> {
        match *self.repr {
            Repr::Transport { failure, .. } => Some(failure),
            _ => None,
        }
    }

    /// The host and port a transport error was about, such as
    /// `127.0.0.1:8025`.
    pub fn target(&self) -> Option<&str> {
        match &*self.repr {
            Repr::Transport { target, .. } if !target.is_empty() => Some(target),
            _ => None,
        }
    }

    /// Which credential the failed request carried, for API errors.
    pub fn credential(&self) -> Option<CredentialKind> {
        match *self.repr {
            Repr::Api { credential, .. } => Some(credential),
            _ => None,
        }
    }

    /// The part of a filter whose pattern was invalid: `from`, `to`,
    /// `subject` or `body`.
    pub fn filter_field(&self) -> Option<&'static str> {
        match *self.repr {
            Repr::InvalidFilter { field, .. } => Some(field),
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
        self.kind() == ErrorKind::Transport
    }

    /// The answer was not the JSON the reference describes.
    pub fn is_decode(&self) -> bool {
        self.kind() == ErrorKind::Decode
    }

    /// A wait ended without its message. (Not a request's timeout: a
    /// request that timed out is a transport error, [`Error::is_transport`].)
    pub fn is_wait_timeout(&self) -> bool {
        self.kind() == ErrorKind::WaitTimeout
    }

    /// An `expect none` wait saw a matching message.
    pub fn is_unexpected_message(&self) -> bool {
        self.kind() == ErrorKind::UnexpectedMessage
    }

    /// The details of a wait that timed out.
    pub fn wait_timeout(&self) -> Option<&WaitTimeout> {
        match &*self.repr {
            Repr::WaitTimeout(t) => Some(t),
            _ => None,
        }
    }

    /// The message that failed an `expect none` wait.
    pub fn unexpected_message(&self) -> Option<&UnexpectedMessage> {
        match &*self.repr {
            Repr::UnexpectedMessage(m) => Some(m),
            _ => None,
        }
    }

    /// How long the server asked to wait before the next request.
    pub fn retry_after(&self) -> Option<Duration> {
        match *self.repr {
            Repr::Api { retry_after, .. } => retry_after,
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed: 429, 5xx, and
    /// transport failures that may pass (a timeout, a dropped connection, a
    /// refused connection to another machine, which may be restarting).
    /// Not a name that does not resolve, a failed TLS handshake, or nothing
    /// listening on this machine: those fail at once. Whether it is *safe*
    /// to send again is the caller's business.
    pub fn is_transient(&self) -> bool {
        match &*self.repr {
            Repr::Transport { failure, target, .. } => match failure {
                TransportFailure::Unresolved | TransportFailure::Tls => false,
                TransportFailure::Refused => !is_loopback(target),
                TransportFailure::TimedOut | TransportFailure::Other => true,
            },
            _ => self.is_quota() || self.is_server(),
        }
    }

    /// A suggestion of what to do, where there is a useful one, in the
    /// library's terms (the base URL, the API token, the filter).
    pub fn hint(&self) -> Option<String> {
        let hint = match &*self.repr {
            Repr::Api { status: 401, credential, .. } => match credential {
                CredentialKind::None => {
                    "no credential is configured: give the client an API token, or an account's address and password"
                }
                CredentialKind::ApiToken => "check the API token: it was refused or has been revoked",
                CredentialKind::Password => "check the account's address and password",
            },
            // A server that does not know the path (or answers with no
            // envelope at all) is not at a 22.do v2 base URL.
            Repr::Api { status: 404, msg, .. } if msg.is_empty() || msg.contains("no such endpoint") => {
                "no such endpoint: does the base URL end in /api/v2?"
            }
            Repr::Api { status: 404, .. } => {
                "the address or message does not exist, has expired, or belongs to another account"
            }
            Repr::Api { status: 405, .. } | Repr::Decode { .. } => "the base URL may not point at a 22.do v2 API",
            Repr::Api { status: 422, .. } => "a value in the request was refused; see the message above",
            Repr::Api { status: 429, .. } => {
                "the account's quota was exceeded after every retry; lower the client's quota or run fewer waits at once"
            }
            Repr::Api { status, .. } if (500..600).contains(status) => {
                "the server failed after every retry; try again later"
            }
            Repr::Transport { failure: TransportFailure::Refused, .. } => {
                "is the server running, and is the base URL right? nothing listens at that address"
            }
            Repr::Transport { failure: TransportFailure::Unresolved, .. } => {
                "the host name could not be resolved: are you offline, or is the base URL mistyped?"
            }
            Repr::Transport { failure: TransportFailure::Tls, .. } => {
                "the TLS handshake failed: does the base URL say https:// for a server that speaks plain http://?"
            }
            Repr::Transport { .. } => {
                "is the server running, and is the base URL right? the request was retried with backoff"
            }
            Repr::WaitTimeout(t) if t.polls == 0 => {
                "the inbox could not be listed even once: is the API reachable, and is the base URL right?"
            }
            Repr::WaitTimeout(t) if t.matched == 0 && !t.passed_over.is_empty() => {
                return Some(format!(
                    "mail matched but none had {}; each message's reason is listed above",
                    t.required.as_deref().unwrap_or("what the wait required")
                ));
            }
            Repr::WaitTimeout(t) if t.unmatched.is_empty() && t.matched == 0 => {
                "no mail arrived at all: check that the site under test sent it, and to this address"
            }
            Repr::WaitTimeout(t) if t.matched == 0 => {
                "mail arrived but none matched: loosen the filter or check the sender and subject above"
            }
            Repr::WaitTimeout(_) => "fewer messages matched than the wait asked for",
            Repr::InvalidFilter { .. } => "filters are Rust regular expressions (docs.rs/regex)",
            _ => return None,
        };
        Some(hint.to_owned())
    }

    /// What went wrong, without the hint: the first part of `Display`.
    pub fn headline(&self) -> String {
        Headline(self).to_string()
    }
}

/// The headline of an error, written without allocating per part.
struct Headline<'a>(&'a Error);

impl fmt::Display for Headline<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0.repr {
            Repr::Api { endpoint, status, msg, .. } => {
                write!(f, "{endpoint} failed with {status} {}", status_reason(*status))?;
                if !msg.is_empty() {
                    write!(f, ": {msg}")?;
                }
                Ok(())
            }
            Repr::Transport { endpoint, failure, target, .. } => {
                write!(f, "{endpoint} got no answer")?;
                let host = target.rsplit_once(':').map_or(target.as_str(), |(host, _)| host);
                match failure {
                    TransportFailure::Refused => write!(f, ": nothing listens on {target}"),
                    TransportFailure::Unresolved => write!(f, ": could not resolve {host}"),
                    TransportFailure::Tls => write!(f, ": the TLS handshake with {target} failed"),
                    TransportFailure::TimedOut => write!(f, ": it timed out"),
                    TransportFailure::Other => Ok(()),
                }
            }
            Repr::Decode { endpoint, detail } => write!(f, "{endpoint} answered with unexpected JSON: {detail}"),
            Repr::WaitTimeout(t) => write_timeout(f, t),
            Repr::UnexpectedMessage(m) => write!(
                f,
                "expected no message matching {}, but one arrived after {:.1?}: from {:?} subject {:?}",
                m.filter, m.after, m.from, m.subject
            ),
            Repr::InvalidFilter { field, .. } => write!(f, "invalid {field} pattern"),
            Repr::Config(msg) => f.write_str(msg),
        }
    }
}

fn write_timeout(f: &mut fmt::Formatter<'_>, t: &WaitTimeout) -> fmt::Result {
    let with = t.required.as_ref().map(|r| format!(" with {r}")).unwrap_or_default();
    let matching = if t.filter == "any message" { String::new() } else { format!(" matching {}", t.filter) };
    write!(f, "no message{matching}{with} arrived at {} within {:.1?} ({} polls", t.address, t.waited, t.polls)?;
    if t.wanted > 1 {
        write!(f, ", {} of {} matches", t.matched, t.wanted)?;
    }
    write!(f, ")")?;
    if !t.passed_over.is_empty() {
        let required = t.required.as_deref().unwrap_or("what was required");
        write!(f, "; {} matching message(s) had no {}:", t.passed_over.len(), required.trim_start_matches("a "))?;
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

/// Why a request got no answer, from the chain of errors behind it.
fn classify(error: &reqwest::Error) -> TransportFailure {
    if error.is_timeout() {
        return TransportFailure::TimedOut;
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return TransportFailure::Refused,
                std::io::ErrorKind::InvalidData => return TransportFailure::Tls,
                std::io::ErrorKind::TimedOut => return TransportFailure::TimedOut,
                _ => {}
            }
        }
        let text = c.to_string();
        if text.starts_with("dns error") {
            return TransportFailure::Unresolved;
        }
        if text.contains("certificate") || text.contains("corrupt message") || text.contains("handshake") {
            return TransportFailure::Tls;
        }
        cause = c.source();
    }
    TransportFailure::Other
}

/// Whether `target` (host:port) is this machine.
fn is_loopback(target: &str) -> bool {
    let host = target.rsplit_once(':').map_or(target, |(host, _)| host).trim_matches(['[', ']']);
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
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
        Headline(self).fmt(f)?;
        if let Some(hint) = self.hint() {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error").field("kind", &self.kind()).field("details", &self.repr).finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.repr {
            Repr::Transport { source, .. } => Some(source),
            Repr::InvalidFilter { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_the_source_to_the_chain() {
        let unclosed = String::from("(unclosed");
        let source = regex::Regex::new(&unclosed).unwrap_err();
        let shown = source.to_string();
        let err = Error::invalid_filter("subject", source);
        assert_eq!(err.kind(), ErrorKind::InvalidFilter);
        assert!(err.to_string().starts_with("invalid subject pattern\nhint:"), "{err}");
        assert!(!err.to_string().contains(&shown), "the source is not repeated: {err}");
        assert_eq!(std::error::Error::source(&err).map(ToString::to_string), Some(shown));
    }

    #[test]
    fn no_hint_names_a_command_line_flag_or_variable() {
        let timeout = |polls, matched, passed_over: Vec<PassedOver>, unmatched: Vec<Unmatched>| WaitTimeout {
            address: "a@x.test".into(),
            filter: "any message".into(),
            waited: Duration::from_secs(1),
            polls,
            wanted: 1,
            matched,
            unmatched,
            required: Some("a code".into()),
            passed_over,
        };
        let passed = PassedOver { from: "f".into(), subject: "s".into(), why: "no code".into() };
        let other = Unmatched { from: "f".into(), subject: "s".into(), to: "t".into() };
        let mut errors: Vec<Error> = [400, 401, 404, 405, 422, 429, 500]
            .into_iter()
            .flat_map(|status| {
                [CredentialKind::None, CredentialKind::ApiToken, CredentialKind::Password]
                    .map(|credential| Error::api("POST /inbox", status, String::new(), None, credential))
            })
            .collect();
        errors.push(Error::decode("POST /inbox", "x"));
        errors.extend([
            Error::wait_timed_out(timeout(0, 0, Vec::new(), Vec::new())),
            Error::wait_timed_out(timeout(3, 0, vec![passed], Vec::new())),
            Error::wait_timed_out(timeout(3, 0, Vec::new(), vec![other])),
            Error::wait_timed_out(timeout(3, 0, Vec::new(), Vec::new())),
        ]);
        for err in errors {
            let text = err.to_string();
            assert!(!text.contains("OTPCATCH_") && !text.contains("--") && !text.contains("otpcatch "), "{text}");
        }
    }
}
