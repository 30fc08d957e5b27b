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
    /// The `--data` database's directory or lock file cannot be used.
    #[error(
        "the message database {path} cannot be opened: {source}\nhint: check that its directory exists and is writable"
    )]
    DataFile {
        /// The database file.
        path: String,
        /// The failure.
        source: std::io::Error,
    },
    /// Another server holds the `--data` database.
    #[error(
        "the message database {path} is in use by {}\nhint: stop that server, or give this one a database of its own",
        pid.map_or_else(|| "another process".to_owned(), |pid| format!("process {pid}"))
    )]
    InUse {
        /// The database file.
        path: String,
        /// The process that holds it, if it said.
        pid: Option<u32>,
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
