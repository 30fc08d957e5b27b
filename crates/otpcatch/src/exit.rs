//! The exit codes: a documented contract, mapped from errors in one place.
//!
//! 0 success; 2 usage or configuration error; 3 no matching message in
//! time; 4 messages matched but no code or link was found in any of them;
//! 5 authentication failed; 6 quota or network retries exhausted.
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
}

impl From<otpcatch_core::Error> for Failure {
    fn from(error: otpcatch_core::Error) -> Self {
        let code = if error.wait_timeout().is_some_and(|t| t.polls == 0) {
            UNAVAILABLE // the API never answered: a network failure, not an empty inbox
        } else if error.wait_timeout().is_some_and(|t| !t.passed_over.is_empty()) {
            NOTHING_EXTRACTED // messages matched, and none had the code or link
        } else if error.is_timeout() || error.is_unexpected_message() {
            TIMEOUT
        } else if error.is_auth() {
            AUTH
        } else if error.is_transient() || error.is_decode() {
            UNAVAILABLE
        } else {
            USAGE
        };
        Self { message: error.to_string(), code }
    }
}

impl From<otpcatch_rules::RuleError> for Failure {
    fn from(error: otpcatch_rules::RuleError) -> Self {
        Self::usage(format!(
            "{error}\nhint: check the rule file against rules/generic.toml and the README's rule reference"
        ))
    }
}

impl From<otpcatch_server::ServerError> for Failure {
    fn from(error: otpcatch_server::ServerError) -> Self {
        Self::usage(error.to_string())
    }
}

impl Failure {
    /// Prints the failure to stderr and returns the exit code.
    pub(crate) fn report(self) -> ExitCode {
        eprintln!("otpcatch: {}", self.message);
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
