//! The facade's error: whichever part failed, with that part's message.

/// What can go wrong in a test that uses otpcatch.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API refused, failed or timed out, or no matching mail arrived in
    /// time. A timed-out wait's message lists every message that arrived.
    #[error(transparent)]
    Api(#[from] otpcatch_core::Error),
    /// The local server could not start.
    #[error("the local server could not start: {0}")]
    Server(#[from] otpcatch_server::ServerError),
    /// The built-in rules could not be loaded (a defect of this build).
    #[error("otpcatch's built-in rules could not be loaded: {0}")]
    Rules(String),
}

impl Error {
    /// Whether no matching message (with a code or link, where one was
    /// asked for) arrived in time, or an unwanted one did.
    pub fn is_wait_timeout(&self) -> bool {
        matches!(self, Self::Api(error) if error.is_wait_timeout() || error.is_unexpected_message())
    }
}

/// A result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
