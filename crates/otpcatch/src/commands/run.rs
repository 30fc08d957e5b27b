//! `otpcatch run CMD ARGS...`: a command with a local server around it.
//!
//! `run` is the command's parent, and behaves as a good one: the command
//! gets its own process group, so that a signal reaches everything it
//! started (a browser, the site under test); SIGTERM and SIGINT are passed
//! on to that group, which gets a grace period to tear down before it is
//! killed; and `run` exits as the shell would report the signal.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use otpcatch_server::{Server, ServerConfig};

use crate::cli::RunArgs;
use crate::commands::serve::{Received, ShutdownSignal};
use crate::exit::{self, Failure};
use crate::settings;

/// The client settings `run` sets for its command. Inherited values of
/// these (a real 22.do token, say) would point the command elsewhere, so
/// each is either set to this server's or removed.
const EXPORTED: [&str; 6] = [
    "OTPCATCH_API_URL",
    "OTPCATCH_TOKEN",
    "OTPCATCH_ADDRESS",
    "OTPCATCH_PASSWORD",
    "OTPCATCH_SMTP_HOST",
    "OTPCATCH_SMTP_PORT",
];

pub(crate) async fn run(args: RunArgs) -> Result<ExitCode, Failure> {
    let (program, arguments) = args.command.split_first().ok_or_else(|| Failure::usage("no command given"))?;
    if program.starts_with('-') {
        // An unknown flag of `run` itself, taken for the command.
        return Err(Failure::usage(format!(
            "{program} is not a flag of `otpcatch run`\nhint: `otpcatch run --help` lists them; the command it runs \
             gets the server's settings (OTPCATCH_API_URL, OTPCATCH_TOKEN, ...) from the environment"
        )));
    }
    // Free ports, unless the user chose ports.
    let config = settings::server_config(&args.serve, ServerConfig::ephemeral())?;
    let token = config.api_tokens.first().cloned();
    let user = config.users.first().cloned();
    let mut signal = ShutdownSignal::install()?;
    settings::raise_open_file_limit();
    let server = Server::start(config).await?;
    let cache = RunCache::create()?;

    let mut command = tokio::process::Command::new(program);
    command.args(arguments);
    for name in EXPORTED {
        command.env_remove(name);
    }
    command
        .env("OTPCATCH_API_URL", server.api_url())
        .env("OTPCATCH_SMTP_HOST", server.smtp_addr().ip().to_string())
        .env("OTPCATCH_SMTP_PORT", server.smtp_addr().port().to_string())
        .env("OTPCATCH_CACHE_DIR", &cache.0);
    match (token.or_else(|| server.token().cloned()), user) {
        (Some(token), _) => {
            command.env("OTPCATCH_TOKEN", token.expose());
        }
        (None, Some((address, password))) => {
            command.env("OTPCATCH_ADDRESS", address).env("OTPCATCH_PASSWORD", password.expose());
        }
        (None, None) => {}
    }
    if let Some(dir) = std::env::current_exe().ok().and_then(|exe| exe.parent().map(PathBuf::from)) {
        command.env("PATH", settings::path_with(&dir));
    }
    #[cfg(unix)]
    command.process_group(0);
    tracing::info!("running {program:?} against {}", server.api_url());
    eprintln!("otpcatch run: web inbox at {} (sign in with the OTPCATCH_TOKEN the command gets)", server.inbox_url());
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
    let group = ProcessGroup::of(&child);
    let (status, interrupted) = tokio::select! {
        status = child.wait() => (status, None),
        received = signal.received() => {
            group.signal(received);
            let status = tokio::select! {
                status = child.wait() => status,
                () = tokio::time::sleep(args.grace) => {
                    tracing::warn!("the command did not exit within {:?} of the signal; killing it", args.grace);
                    group.kill();
                    child.wait().await
                }
                // A second signal: the user does not want to wait.
                _ = signal.received() => {
                    group.kill();
                    child.wait().await
                }
            };
            (status, Some(received))
        }
    };
    // Whatever the command left running in its group must not outlive the
    // server it was given.
    group.terminate_leftovers(Duration::from_millis(500)).await;
    server.shutdown().await;
    let status = status.map_err(|e| Failure::usage(format!("could not wait for {program:?}: {e}")))?;
    Ok(match interrupted {
        Some(received) => ExitCode::from(128 + received.number()),
        None => exit::of_child(status),
    })
}

/// A cache directory of the run's own, removed when the run ends: the
/// command's Bearer and quota files do not pile up in the user's cache.
struct RunCache(PathBuf);

impl RunCache {
    fn create() -> Result<Self, Failure> {
        let dir = std::env::temp_dir().join(format!("otpcatch-run-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure::usage(format!("could not create the cache directory {}: {e}", dir.display())))?;
        Ok(Self(dir))
    }
}

impl Drop for RunCache {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The command's process group, which `process_group(0)` made its own.
struct ProcessGroup {
    #[cfg(unix)]
    leader: Option<rustix::process::Pid>,
}

impl ProcessGroup {
    fn of(child: &tokio::process::Child) -> Self {
        Self {
            #[cfg(unix)]
            leader: child.id().and_then(|id| rustix::process::Pid::from_raw(id.cast_signed())),
        }
    }

    /// Passes `received` on to every process in the group.
    fn signal(&self, received: Received) {
        #[cfg(unix)]
        self.send(match received {
            Received::Interrupt => rustix::process::Signal::INT,
            Received::Terminate => rustix::process::Signal::TERM,
        });
    }

    fn kill(&self) {
        #[cfg(unix)]
        self.send(rustix::process::Signal::KILL);
    }

    /// SIGTERM to what is left of the group, then SIGKILL after `grace`.
    async fn terminate_leftovers(&self, grace: Duration) {
        #[cfg(unix)]
        if let Some(leader) = self.leader
            && rustix::process::test_kill_process_group(leader).is_ok()
        {
            tracing::info!("stopping what the command left running");
            self.send(rustix::process::Signal::TERM);
            let deadline = tokio::time::Instant::now() + grace;
            while rustix::process::test_kill_process_group(leader).is_ok() {
                if tokio::time::Instant::now() >= deadline {
                    self.kill();
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }

    #[cfg(unix)]
    fn send(&self, signal: rustix::process::Signal) {
        if let Some(leader) = self.leader {
            // The group may be gone already; there is nothing to report.
            let _ = rustix::process::kill_process_group(leader, signal);
        }
    }
}
