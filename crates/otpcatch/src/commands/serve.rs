//! `otpcatch serve`: the local server in the foreground.

use std::process::ExitCode;

use otpcatch_server::{RunningServer, Server, ServerConfig};

use crate::cli::ServeCommand;
use crate::exit::Failure;
use crate::output::{print_json, print_value};
use crate::settings;
use crate::ui::Ui;

pub(crate) async fn serve(command: ServeCommand, ui: Ui) -> Result<ExitCode, Failure> {
    let mut signal = ShutdownSignal::install()?;
    settings::raise_open_file_limit();
    let server = Server::start(settings::server_config(&command.serve, ServerConfig::default())?).await?;
    announce(&server, command.json, ui)?;
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

/// The ready line on stdout (scripts and the npm and Python packages wait
/// for it), the token on stderr.
fn announce(server: &RunningServer, json: bool, ui: Ui) -> Result<(), Failure> {
    if json {
        let smtp = server.smtp_addr();
        print_json(&ReadyLine {
            api_url: server.api_url(),
            smtp_host: smtp.ip().to_string(),
            smtp_port: smtp.port(),
            inbox_url: server.inbox_url(),
        })?;
    } else {
        print_value(&format!("otpcatch serve: api {} smtp {}", server.api_url(), server.smtp_addr()))?;
    }
    ui.status(&format!("web inbox: {} (sign in with the API token)", server.inbox_url()));
    if let Some(token) = server.token() {
        ui.status(&format!("no --api-token or --user given; this server's API token is {}", token.expose()));
        ui.status(&format!("export OTPCATCH_API_URL={} OTPCATCH_TOKEN={}", server.api_url(), token.expose()));
    }
    Ok(())
}

/// `serve --json`'s ready line: where the API, the SMTP receiver and the
/// web inbox are.
#[derive(serde::Serialize)]
struct ReadyLine {
    api_url: String,
    smtp_host: String,
    smtp_port: u16,
    inbox_url: String,
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
