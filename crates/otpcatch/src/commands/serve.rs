//! `otpcatch serve`: the local server in the foreground.

use std::process::ExitCode;

use otpcatch_server::{RunningServer, Server, ServerConfig};

use crate::cli::ServeArgs;
use crate::exit::Failure;
use crate::output::print_value;
use crate::settings;
use crate::ui::Ui;

pub(crate) async fn serve(args: ServeArgs, ui: Ui) -> Result<ExitCode, Failure> {
    let mut signal = ShutdownSignal::install()?;
    settings::raise_open_file_limit();
    let server = Server::start(settings::server_config(&args, ServerConfig::default())?).await?;
    announce(&server, ui)?;
    if settings::client_token_is_set() {
        // A newcomer who exported OTPCATCH_TOKEN for the client would
        // otherwise get 401 from a server that never read it.
        ui.status(
            "warning: OTPCATCH_TOKEN is set, but `serve` does not read it: the server accepts --api-token values \
             (or the token above); start it with --api-token \"$OTPCATCH_TOKEN\" to accept that one",
        );
    }
    signal.received().await;
    ui.status("shutting down");
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// The ready line on stdout (scripts wait for it), the token on stderr.
fn announce(server: &RunningServer, ui: Ui) -> Result<(), Failure> {
    print_value(&format!("otpcatch serve: api {} smtp {}", server.api_url(), server.smtp_addr()))?;
    if let Some(token) = server.token() {
        ui.status(&format!("no --api-token or --user given; this server's API token is {}", token.expose()));
        ui.status(&format!("export OTPCATCH_API_URL={} OTPCATCH_TOKEN={}", server.api_url(), token.expose()));
    }
    Ok(())
}

/// SIGINT and SIGTERM, listened for from the moment it is installed, so a
/// signal that arrives right after the ready line is not lost.
pub(crate) struct ShutdownSignal {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl ShutdownSignal {
    pub(crate) fn install() -> Result<Self, Failure> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |kind| signal(kind).map_err(|e| Failure::usage(format!("could not listen for signals: {e}")));
            Ok(Self { interrupt: listen(SignalKind::interrupt())?, terminate: listen(SignalKind::terminate())? })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Resolves on the next SIGINT or SIGTERM, and says which.
    pub(crate) async fn received(&mut self) -> Received {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => Received::Interrupt,
            _ = self.terminate.recv() => Received::Terminate,
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Received::Interrupt
        }
    }
}

/// The signal that asked for a shutdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Received {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (a CI runner cancelling the job, `kill`).
    Terminate,
}

impl Received {
    /// The signal's number, as the shell reports it in `128 + N`.
    pub(crate) fn number(self) -> u8 {
        match self {
            Self::Interrupt => 2,
            Self::Terminate => 15,
        }
    }
}
