//! The exit codes: a documented contract, mapped from errors in one place.
//!
//! 0 success; 2 usage or configuration error; 3 no matching message in
//! time; 4 messages matched but no code or link was found in any of them;
//! 5 authentication failed; 6 quota or network retries exhausted; 7 the
//! result could not be written to stdout.
//!
//! The libraries' errors describe what happened in their own terms (the
//! base URL, the API token); this is where they are turned into hints that
//! name this program's flags and environment variables.
//! `otpcatch run` passes its command's code through (126 and 127 when the
//! command cannot be run, as shells do).

use std::process::ExitCode;

/// The command line or the configuration is wrong.
pub(crate) const USAGE: u8 = 2;
/// No matching message arrived in time.
pub(crate) const TIMEOUT: u8 = 3;
/// Messages matched, but no code or link could be extracted from any of them.
pub(crate) const NOTHING_EXTRACTED: u8 = 4;
/// The credential was refused.
pub(crate) const AUTH: u8 = 5;
/// The quota or the network failed after every retry.
pub(crate) const UNAVAILABLE: u8 = 6;
/// The result could not be written to stdout (a full disk, a closed stdout).
pub(crate) const OUTPUT: u8 = 7;
/// `otpcatch run`: the command could not be found (as shells report it).
pub(crate) const COMMAND_NOT_FOUND: u8 = 127;
/// `otpcatch run`: the command could not be executed.
pub(crate) const COMMAND_NOT_EXECUTABLE: u8 = 126;

/// A command's failure: what to print and how to exit.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) code: u8,
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self { message: message.into(), code: USAGE }
    }

    pub(crate) fn output(message: impl Into<String>) -> Self {
        Self { message: message.into(), code: OUTPUT }
    }
}

impl From<otpcatch_core::Error> for Failure {
    fn from(error: otpcatch_core::Error) -> Self {
        let code = if error.wait_timeout().is_some_and(|t| t.polls == 0) {
            UNAVAILABLE // the API never answered: a network failure, not an empty inbox
        } else if error.wait_timeout().is_some_and(|t| !t.passed_over.is_empty()) {
            NOTHING_EXTRACTED // messages matched, and none had the code or link
        } else if error.is_wait_timeout() || error.is_unexpected_message() {
            TIMEOUT
        } else if error.is_auth() {
            AUTH
        } else if error.is_transient() || error.is_transport() || error.is_decode() {
            UNAVAILABLE
        } else {
            USAGE
        };
        let message = match cli_hint(&error) {
            Some(hint) => format!("{}\nhint: {hint}", with_causes(&error.headline(), &error)),
            None => match error.hint() {
                Some(hint) => format!("{}\nhint: {hint}", with_causes(&error.headline(), &error)),
                None => with_causes(&error.headline(), &error),
            },
        };
        Self { message, code }
    }
}

/// `headline: cause: cause…`, the error's sources in order. A failure to
/// connect whose cause is known (refused, unresolved, TLS) is said in the
/// headline; its chain of socket errors only repeats it.
fn with_causes(headline: &str, error: &otpcatch_core::Error) -> String {
    use otpcatch_core::TransportFailure;
    let mut text = headline.to_owned();
    if error.transport_failure().is_some_and(|failure| failure != TransportFailure::Other) {
        return text;
    }
    let error: &dyn std::error::Error = error;
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The hint for `error` in this program's terms, where its flags and
/// variables are what the user would change; `None` to keep the library's.
fn cli_hint(error: &otpcatch_core::Error) -> Option<String> {
    use otpcatch_core::CredentialKind;
    if error.is_auth() {
        return Some(match error.credential() {
            Some(CredentialKind::None) | None => "no credential is configured: set OTPCATCH_TOKEN to your 22.do API \
                 token (or to the token `otpcatch serve` printed), or OTPCATCH_ADDRESS and OTPCATCH_PASSWORD"
                .to_owned(),
            Some(CredentialKind::Password) => {
                "check the account's address and password (OTPCATCH_ADDRESS, OTPCATCH_PASSWORD)".to_owned()
            }
            Some(_) => "check the API token (OTPCATCH_TOKEN or --token): it was refused or has been revoked".to_owned(),
        });
    }
    if error.status() == Some(405) || error.is_decode() {
        return Some("the base URL (OTPCATCH_API_URL or --api-url) may not point at a 22.do v2 API".to_owned());
    }
    if error.is_quota() {
        return Some(
            "the account's quota was exceeded after every retry; lower OTPCATCH_QPS or run fewer waits at once"
                .to_owned(),
        );
    }
    if error.status() == Some(422) && error.endpoint() == Some(otpcatch_wire::endpoint::PRIVATE_ACCOUNT.name) {
        return Some(
            "the local server makes private addresses only when started with --private-domain DOMAIN".to_owned(),
        );
    }
    if let Some(failure) = error.transport_failure() {
        use otpcatch_core::TransportFailure;
        // The headline already names the address and what happened.
        return Some(match failure {
            TransportFailure::Refused => {
                "is `otpcatch serve` running, and is OTPCATCH_API_URL (or --api-url) right?".to_owned()
            }
            TransportFailure::Unresolved => {
                "are you offline, or is OTPCATCH_API_URL (or --api-url) mistyped?".to_owned()
            }
            TransportFailure::Tls => "the local server speaks plain http://: check that OTPCATCH_API_URL (or \
                 --api-url) does not say https://"
                .to_owned(),
            _ => "is the server running, and is OTPCATCH_API_URL (or --api-url) right? the request was retried with \
                  backoff"
                .to_owned(),
        });
    }
    let timeout = error.wait_timeout()?;
    if timeout.polls == 0 {
        Some("the inbox could not be listed even once: is the API reachable and OTPCATCH_API_URL right?".to_owned())
    } else if timeout.matched == 0 && !timeout.passed_over.is_empty() {
        Some(format!(
            "mail matched but none had {}: `otpcatch extract --json` on such a message shows what was found and why",
            timeout.required.as_deref().unwrap_or("what the wait required")
        ))
    } else {
        None
    }
}

impl From<otpcatch_rules::RuleError> for Failure {
    fn from(error: otpcatch_rules::RuleError) -> Self {
        Self::usage(format!(
            "{error}\nhint: `otpcatch rules check PATH` lists every error in a file or directory; the README's rule reference says what each key takes"
        ))
    }
}

impl From<otpcatch_server::ServerError> for Failure {
    fn from(error: otpcatch_server::ServerError) -> Self {
        use otpcatch_server::{Listener, ServerError};
        let message = match &error {
            ServerError::Bind { listener, address, source, .. } => {
                let flag = match listener {
                    Listener::Http => "--http",
                    Listener::Smtp => "--smtp",
                };
                format!(
                    "could not listen on {address} for {listener}: {source}\nhint: is another server using the port? \
                     choose another with {flag}, or {flag} 127.0.0.1:0 for a free one"
                )
            }
            ServerError::Config(problem) => format!(
                "the server settings cannot work: {problem}\nhint: `otpcatch serve --help` lists each setting and its \
                 default"
            ),
            _ => error.to_string(),
        };
        Self::usage(message)
    }
}

impl Failure {
    /// Prints the failure to stderr and returns the exit code.
    pub(crate) fn report(self) -> ExitCode {
        eprintln!("otpcatch: {}", crate::escape::text(&self.message));
        ExitCode::from(self.code)
    }
}

/// The exit code of a finished child process, passed through.
pub(crate) fn of_child(status: std::process::ExitStatus) -> ExitCode {
    if let Some(code) = status.code() {
        return ExitCode::from(code.clamp(0, 255) as u8);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ExitCode::from((128 + signal).clamp(0, 255) as u8);
        }
    }
    ExitCode::from(1)
}
