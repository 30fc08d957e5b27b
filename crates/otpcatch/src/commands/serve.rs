//! `otpcatch serve`: the local server in the foreground.

use std::process::ExitCode;

use otpcatch_server::{RunningServer, Server};

use crate::cli::ServeArgs;
use crate::exit::Failure;
use crate::settings;
use crate::ui::Ui;

pub(crate) async fn serve(args: ServeArgs, ui: Ui) -> Result<ExitCode, Failure> {
    let server = Server::start(settings::server_config(&args)?).await?;
    announce(&server, ui);
    shutdown_signal().await;
    ui.status("shutting down");
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// The ready line on stdout (scripts wait for it), the token on stderr.
fn announce(server: &RunningServer, ui: Ui) {
    println!("otpcatch serve: api {} smtp {}", server.api_url(), server.smtp_addr());
    if let Some(token) = server.token() {
        ui.status(&format!("no --api-token or --user given; this server's API token is {}", token.expose()));
        ui.status(&format!("export OTPCATCH_API_URL={} OTPCATCH_TOKEN={}", server.api_url(), token.expose()));
    }
}

/// Resolves on SIGINT or SIGTERM.
pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = match signal(SignalKind::terminate()) {
            Ok(terminate) => terminate,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
