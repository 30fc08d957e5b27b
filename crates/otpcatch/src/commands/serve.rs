//! `otpcatch serve`: the local server in the foreground.

use std::process::ExitCode;

use otpcatch_server::{RunningServer, Server, ServerConfig};

use crate::cli::ServeArgs;
use crate::exit::Failure;
use crate::output::print_value;
use crate::settings;
use crate::ui::Ui;

pub(crate) async fn serve(args: ServeArgs, ui: Ui) -> Result<ExitCode, Failure> {
    let signal = ShutdownSignal::install()?;
    let server = Server::start(settings::server_config(&args, ServerConfig::default())?).await?;
    announce(&server, ui)?;
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

    /// Resolves on the first SIGINT or SIGTERM.
    pub(crate) async fn received(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}
