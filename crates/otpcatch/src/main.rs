//! The `otpcatch` command line: parses, converts, calls the libraries, and
//! prints. stdout carries only results; everything else goes to stderr.

mod cli;
mod commands;
mod exit;
mod output;
mod settings;
mod ui;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return exit::Failure::usage(format!("could not start the async runtime: {err}")).report(),
    };
    let ui = ui::Ui::new(cli.quiet);
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => commands::serve::serve(args, ui).await,
            Command::Run(args) => commands::run::run(args).await,
            Command::Extract(args) => commands::extract::extract(args),
            Command::Rules(command) => commands::rules::rules(command),
        }
    });
    match outcome {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

/// Logs go to stderr: warnings by default, more with -v, none with -q.
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
