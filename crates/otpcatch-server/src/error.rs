//! Why a server could not start.

use std::path::Path;

/// A failure to start or run the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// A listener could not bind its address.
    #[error(
        "could not listen on {address} for {listener}: {source}\nhint: is another server using the port? choose another address, or port 0 for a free one"
    )]
    Bind {
        /// Which listener.
        listener: Listener,
        /// The address asked for.
        address: std::net::SocketAddr,
        /// Why binding failed.
        source: std::io::Error,
    },
    /// The `--data` database could not be used.
    #[error(
        "the message database {path} is unusable: {source}\nhint: check the path, its permissions, or move the file aside to start empty"
    )]
    Database {
        /// The database file.
        path: String,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// Another I/O failure.
    #[error("could not {what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The failure.
        source: std::io::Error,
    },
    /// The configuration cannot work.
    #[error("{0}")]
    Config(String),
}

/// The server's two listeners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listener {
    /// The HTTP API ([`ServerConfig::http`](crate::ServerConfig::http)).
    Http,
    /// The SMTP receiver ([`ServerConfig::smtp`](crate::ServerConfig::smtp)).
    Smtp,
}

impl std::fmt::Display for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Http => "HTTP",
            Self::Smtp => "SMTP",
        })
    }
}

impl ServerError {
    pub(crate) fn database(path: &Path, source: rusqlite::Error) -> Self {
        Self::Database { path: path.display().to_string(), source }
    }
}
