//! The `otpcatch` command line: parses, converts, calls the libraries, and
//! prints. stdout carries only results; everything else goes to stderr.

mod cli;
mod commands;
mod escape;
mod exit;
mod inbox;
mod output;
mod progress;
mod settings;
mod ui;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let started = std::time::SystemTime::now();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return clap_exit(&error),
    };
    init_logging(&cli);
    // Commands that do no I/O beyond files run without an async runtime:
    // starting one costs a one-shot `otpcatch extract` its worker threads.
    let outcome = match cli.command {
        Command::Extract(args) => commands::extract::extract(args),
        Command::Rules(command) => commands::rules::rules(command),
        command => return run_async(Cli { command, ..cli }, started),
    };
    match outcome {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

/// What clap says for `--help`, `--version` and bad arguments: help and
/// the version on stdout (a failed write is exit 7, as for any result),
/// errors on stderr (exit 2).
fn clap_exit(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            match output::print_bytes(error.render().to_string().as_bytes()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(failure) => failure.report(),
            }
        }
        _ => {
            let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let rendered = error.render();
            let text = if color { rendered.ansi().to_string() } else { rendered.to_string() };
            eprint!("{text}");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn run_async(cli: Cli, started: std::time::SystemTime) -> ExitCode {
    // The server commands want every core for taking mail in. A client
    // command is one request or one wait: on a single thread, a push event
    // is read, the message fetched and the code printed without waking
    // another thread, which on a busy or virtual machine can cost more
    // than all the rest of the work.
    let serves = matches!(cli.command, Command::Serve(_) | Command::Run(_) | Command::Demo);
    let mut builder = if serves {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return exit::Failure::usage(format!("could not start the async runtime: {err}")).report(),
    };
    let ui = ui::Ui::new(cli.quiet);
    let outcome = runtime.block_on(dispatch(cli, ui, started));
    match outcome {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

async fn dispatch(cli: Cli, ui: ui::Ui, started: std::time::SystemTime) -> Result<ExitCode, exit::Failure> {
    use commands::{mailbox, wait};
    use otpcatch_core::Family;
    let client = |api: &cli::ApiArgs| settings::client(api, &settings::config_file()?);
    match cli.command {
        Command::Serve(args) => commands::serve::serve(args, ui).await,
        Command::Run(args) => commands::run::run(args).await,
        Command::Extract(args) => commands::extract::extract(args),
        Command::Rules(command) => commands::rules::rules(command),
        Command::Demo => commands::demo::demo().await,
        Command::Totp(args) => commands::totp::totp(args).await,
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "otpcatch", &mut script);
            output::print_bytes(&script)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::NewAddress { premium, private, json, api } => {
            mailbox::new_address(&client(&api)?, premium, private, json).await
        }
        Command::WaitForCode(args) => {
            wait::wait(&client(&args.filter.api)?, args, wait::Print::Code, ui, started).await
        }
        Command::WaitForLink(args) => {
            wait::wait(&client(&args.filter.api)?, args, wait::Print::Link, ui, started).await
        }
        Command::Wait(args) => wait::wait(&client(&args.filter.api)?, args, wait::Print::Message, ui, started).await,
        Command::ExpectNone(args) => wait::expect_none(&client(&args.filter.api)?, args, ui, started).await,
        Command::Inbox { address, family, since, json, api } => {
            let family = settings::family(family, &address);
            mailbox::inbox(&client(&api)?, family, &address, since, json).await
        }
        Command::Message { id, family, json, api } => {
            mailbox::message(&client(&api)?, settings::family(Some(family), ""), &id, json).await
        }
        Command::Delete { id, family, api } => {
            mailbox::delete(&client(&api)?, settings::family(Some(family), ""), &id).await
        }
        Command::Domains { premium, private, api } => mailbox::domains(&client(&api)?, premium, private).await,
        Command::Gmail(group) => mailbox::family(&client(&group.api)?, Family::Gmail, group.command).await,
        Command::Microsoft(group) => mailbox::family(&client(&group.api)?, Family::Microsoft, group.command).await,
    }
}

/// Logs go to stderr: warnings by default, more with -v, none with -q.
#[expect(clippy::disallowed_methods, reason = "the command line honours NO_COLOR, as every CLI should")]
fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => tracing::level_filters::LevelFilter::ERROR,
        (false, 0) => tracing::level_filters::LevelFilter::WARN,
        (false, 1) => tracing::level_filters::LevelFilter::INFO,
        (false, 2) => tracing::level_filters::LevelFilter::DEBUG,
        (false, _) => tracing::level_filters::LevelFilter::TRACE,
    };
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_ansi(color)
        .with_target(false)
        .init();
}
