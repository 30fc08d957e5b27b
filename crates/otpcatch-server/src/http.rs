//! The HTTP listener: a bounded number of connections, each with a limit
//! on how long its request headers may take.
//!
//! A crowd of slow or idle HTTP clients must not use up the process's file
//! descriptors, or SMTP could not accept mail. So HTTP stops accepting at
//! its cap (further clients wait in the kernel's backlog, holding no
//! descriptor here), the cap leaves SMTP its share of the descriptor
//! limit, and a client that does not finish its headers in time is
//! disconnected.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// How long an HTTP listener waits for open connections to finish when
/// the server stops: push streams end on their own, others are cut.
const DRAIN_LIMIT: Duration = Duration::from_secs(5);

/// Descriptors kept free of both listeners: the database, its lock, logs.
const RESERVED_DESCRIPTORS: usize = 64;

/// The HTTP listener's bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HttpLimits {
    /// Connections served at once; more wait to be accepted.
    pub(crate) max_connections: usize,
    /// How long a request's headers may take to arrive, idle keep-alive
    /// time included.
    pub(crate) header_read_timeout: Duration,
}

/// The HTTP connection cap: `wanted`, lowered so that SMTP's own cap
/// (`smtp_connections`) and a reserve still fit under the process's limit
/// on open files (`open_files`, if known).
pub(crate) fn connection_cap(wanted: usize, smtp_connections: usize, open_files: Option<u64>) -> usize {
    let Some(limit) = open_files.and_then(|n| usize::try_from(n).ok()) else { return wanted };
    let left = limit.saturating_sub(RESERVED_DESCRIPTORS).saturating_sub(smtp_connections);
    // Even a tiny limit leaves HTTP a few connections; SMTP sheds load
    // on its own.
    wanted.min(left).max(16)
}

/// The process's current limit on open files, where the OS says.
pub(crate) fn open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::Nofile).current
    }
    #[cfg(not(unix))]
    None
}

/// Serves `router` on `listener` until `stop` turns true.
pub(crate) async fn serve(listener: TcpListener, router: Router, limits: HttpLimits, mut stop: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_closed) => break,
            },
            _ = stop.changed() => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(err) => {
                    // Out of descriptors, most likely: wait, do not spin.
                    tracing::warn!("HTTP accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        // Without TCP_NODELAY a push event can sit in Nagle's buffer until
        // the client's delayed ACK, 40 to 200 ms later.
        let _ = stream.set_nodelay(true);
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!("HTTP connection ended: {err}");
            }
            drop(slot);
        });
    }
    if tokio::time::timeout(DRAIN_LIMIT, graceful.shutdown()).await.is_err() {
        tracing::debug!("HTTP connections still open after {DRAIN_LIMIT:?}; closing them");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_leaves_smtp_its_descriptors() {
        assert_eq!(connection_cap(4096, 1024, None), 4096, "no known limit");
        assert_eq!(connection_cap(4096, 1024, Some(1024 * 1024)), 4096, "a high limit");
        assert_eq!(connection_cap(4096, 512, Some(1024)), 1024 - 64 - 512, "the inherited 1,024");
        assert_eq!(connection_cap(4096, 1024, Some(1024)), 16, "never none at all");
    }
}
