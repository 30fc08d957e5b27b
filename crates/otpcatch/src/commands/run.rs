//! `otpcatch run -- CMD ARGS...`: a command with a local server around it.

use std::io::ErrorKind;
use std::process::ExitCode;

use otpcatch_server::{Server, ServerConfig};

use crate::cli::RunArgs;
use crate::commands::serve::ShutdownSignal;
use crate::exit::{self, Failure};
use crate::settings;

pub(crate) async fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    // Free ports, unless the user chose ports.
    let config = settings::server_config(&args.serve, ServerConfig::ephemeral())?;
    let token = config.api_tokens.first().cloned();
    let signal = ShutdownSignal::install()?;
    let server = Server::start(config).await?;
    let token = token.or_else(|| server.token().cloned());
    let (program, arguments) = args.command.split_first().ok_or_else(|| Failure::usage("no command given after --"))?;

    let mut command = tokio::process::Command::new(program);
    command
        .args(arguments)
        .env("OTPCATCH_API_URL", server.api_url())
        .env("OTPCATCH_SMTP_HOST", server.smtp_addr().ip().to_string())
        .env("OTPCATCH_SMTP_PORT", server.smtp_addr().port().to_string());
    if let Some(token) = &token {
        command.env("OTPCATCH_TOKEN", token.expose());
    }
    tracing::info!("running {program:?} against {}", server.api_url());
    let mut child = match command.kill_on_drop(true).spawn() {
        Ok(child) => child,
        Err(err) => {
            server.shutdown().await;
            let (code, what) = match err.kind() {
                ErrorKind::NotFound => (exit::COMMAND_NOT_FOUND, "was not found"),
                ErrorKind::PermissionDenied => (exit::COMMAND_NOT_EXECUTABLE, "is not executable"),
                _ => (exit::COMMAND_NOT_EXECUTABLE, "could not be started"),
            };
            return Err(Failure { message: format!("the command {program:?} {what}: {err}"), code });
        }
    };
    let status = tokio::select! {
        status = child.wait() => status,
        () = signal.received() => {
            // Stop the command too: it must not outlive the server it was given.
            let _ = child.start_kill();
            child.wait().await
        }
    };
    server.shutdown().await;
    let status = status.map_err(|e| Failure::usage(format!("could not wait for {program:?}: {e}")))?;
    Ok(exit::of_child(status))
}
