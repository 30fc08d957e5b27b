//! The command line as clap sees it: raw values, converted to library
//! settings in `settings.rs`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Create email addresses, wait for verification emails, and read them, for
/// tests of sites you own. Uses the 22.do API (https://22.do) or otpcatch's
/// own local server.
#[derive(Debug, Parser)]
#[command(name = "otpcatch", version, propagate_version = true)]
pub(crate) struct Cli {
    /// Print nothing on stderr but errors.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// Log what happens on stderr (-vv for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the API is and how to log in: on the commands that call it only.
/// Flags, then the environment, then ~/.config/otpcatch/config.toml, laid
/// over each other by otpcatch-core.
#[derive(Debug, Clone, Args)]
pub(crate) struct ApiArgs {
    /// The API base URL: 22.do's (the default) or a local server's
    /// [env: OTPCATCH_API_URL].
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) api_url: Option<String>,
    /// The API token; prefer the environment variable, since flags show in
    /// `ps` [env: OTPCATCH_TOKEN].
    #[arg(long, global = true, value_name = "TOKEN")]
    pub(crate) token: Option<String>,
}

/// Which messages a wait accepts.
#[derive(Debug, Clone, Args)]
pub(crate) struct FilterArgs {
    /// The address to watch.
    #[arg(long, value_name = "ADDRESS")]
    pub(crate) address: String,
    /// The address's family, when its domain does not say.
    #[arg(long, value_enum)]
    pub(crate) family: Option<FamilyArg>,
    /// Only mail whose sender matches this regex (case-insensitive).
    #[arg(long, value_name = "REGEX")]
    pub(crate) from: Option<String>,
    /// Only mail whose subject matches this regex (case-insensitive).
    #[arg(long, value_name = "REGEX")]
    pub(crate) subject: Option<String>,
    /// Only mail whose text or HTML matches this regex.
    #[arg(long, value_name = "REGEX")]
    pub(crate) body: Option<String>,
    /// Only mail received at or after this Unix time (seconds).
    #[arg(long, value_name = "UNIX", conflicts_with = "since_now", allow_negative_numbers = true)]
    pub(crate) since: Option<i64>,
    /// Only mail that arrives after this command started, to the
    /// millisecond against the local server (to the second against 22.do):
    /// start the wait, then trigger the mail.
    #[arg(long)]
    pub(crate) since_now: bool,
    /// Only mail that arrived after the message ID (from an earlier
    /// `wait --json`, `inbox` or `wait`), for a resent code: the mail may
    /// already be there when this runs.
    #[arg(long, value_name = "ID")]
    pub(crate) after_id: Option<String>,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

/// A family of addresses, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FamilyArg {
    Temp,
    Gmail,
    Microsoft,
}

/// `otpcatch wait-for-code`, `wait-for-link` and `wait`.
#[derive(Debug, Args)]
pub(crate) struct WaitArgs {
    #[command(flatten)]
    pub(crate) filter: FilterArgs,
    /// How long to wait, such as 60s or 2m [env: OTPCATCH_TIMEOUT].
    #[arg(long, value_name = "DURATION", value_parser = duration, allow_hyphen_values = true)]
    pub(crate) timeout: Option<Duration>,
    /// Of several matching messages, the newest (for a code sent again:
    /// the latest one is the one that works).
    #[arg(long, conflicts_with = "nth")]
    pub(crate) latest: bool,
    /// The Nth matching message, in order of arrival (1 is the first).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) nth: Option<u32>,
    /// Extract with this rule only.
    #[arg(long, value_name = "NAME")]
    pub(crate) rule: Option<String>,
    /// Delete the message once its code, link or id has been printed.
    #[arg(long)]
    pub(crate) delete: bool,
    /// Print the message and what was extracted from it as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) rules: RuleSources,
}

/// `otpcatch expect-none`.
#[derive(Debug, Args)]
pub(crate) struct ExpectNoneArgs {
    #[command(flatten)]
    pub(crate) filter: FilterArgs,
    /// How long no matching mail must arrive, such as 10s.
    #[arg(long = "for", value_name = "DURATION", value_parser = duration, allow_hyphen_values = true)]
    pub(crate) duration: Duration,
}

/// A duration such as `60s`, `2m` or `500ms`; a negative one is refused in
/// so many words (clap would take `-1` for a flag).
fn duration(text: &str) -> Result<Duration, String> {
    if text.trim_start().starts_with('-') {
        return Err(format!("{text:?}: durations cannot be negative"));
    }
    humantime::parse_duration(text.trim()).map_err(|e| format!("{text:?} is not a duration such as 60s or 2m: {e}"))
}

/// A socket address: `127.0.0.1:8025`, or a host name such as
/// `localhost:8025`, resolved to its first address.
fn socket_address(text: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(address) = text.parse() {
        return Ok(address);
    }
    let mut resolved = text
        .to_socket_addrs()
        .map_err(|e| format!("{text:?} is not an address such as 127.0.0.1:8025 (host:port): {e}"))?;
    resolved.next().ok_or_else(|| format!("{text:?} resolves to no address"))
}

/// The commands that read messages, with the Gmail and Microsoft
/// families' commands under them.
#[derive(Debug, Args)]
pub(crate) struct FamilyGroup {
    #[command(flatten)]
    pub(crate) api: ApiArgs,
    #[command(subcommand)]
    pub(crate) command: FamilyCommand,
}

/// The Gmail and Microsoft families' commands.
#[derive(Debug, Subcommand)]
pub(crate) enum FamilyCommand {
    /// List the ids (Gmail) or accounts (Microsoft) bought.
    List {
        /// The page, from 1.
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// How many a page holds.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Buy ids from the account's balance (never retried after a failure).
    Purchase {
        /// How many.
        number: u32,
    },
    /// Make addresses from an id: `+tag` variants with --plus, else dot variants.
    Generate {
        /// The id or account to vary (default: a random one).
        #[arg(long, value_name = "ID")]
        id: Option<String>,
        /// How many addresses to make.
        #[arg(long, default_value_t = 1)]
        number: u32,
        /// Make `+tag` variants rather than dot variants.
        #[arg(long)]
        plus: bool,
    },
    /// List an address's messages.
    Inbox {
        /// The address.
        #[arg(long)]
        address: String,
        /// One line of 22.do's JSON per message.
        #[arg(long)]
        json: bool,
    },
    /// Print a message.
    Message {
        /// The message's id.
        id: String,
        /// 22.do's JSON for the message.
        #[arg(long)]
        json: bool,
    },
    /// Delete a message.
    Delete {
        /// The message's id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the local server: SMTP in, a 22.do-compatible API out.
    Serve(ServeCommand),
    /// Start the local server on free ports, run a command with
    /// OTPCATCH_API_URL, OTPCATCH_TOKEN, OTPCATCH_SMTP_HOST and
    /// OTPCATCH_SMTP_PORT set, stop the server, and exit with the
    /// command's status.
    Run(RunArgs),
    /// Create a fresh address and print it.
    NewAddress {
        /// On a premium domain (`GET /account/premium`).
        #[arg(long, conflicts_with = "private")]
        premium: bool,
        /// On one of the account's private domains.
        #[arg(long)]
        private: bool,
        /// Print {"email", "account", "domain", "type"}.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Wait for a matching email and print the code in it.
    WaitForCode(WaitArgs),
    /// Wait for a matching email and print the confirmation link in it.
    WaitForLink(WaitArgs),
    /// Wait for a matching email and print its id (--json: the message and its code and link).
    Wait(WaitArgs),
    /// Succeed only if no matching email arrives for a while.
    ExpectNone(ExpectNoneArgs),
    /// List an address's messages: id, time, sender, subject (one per
    /// line, tab-separated, control characters escaped).
    Inbox {
        /// The address.
        #[arg(long)]
        address: String,
        /// The address's family, when its domain does not say.
        #[arg(long, value_enum)]
        family: Option<FamilyArg>,
        /// Only messages received at or after this Unix time (seconds).
        #[arg(long, value_name = "UNIX")]
        since: Option<i64>,
        /// One line of 22.do's JSON per message.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Print a message: headers and text (--json: everything).
    Message {
        /// The message's id.
        id: String,
        /// The family of the address it was sent to.
        #[arg(long, value_enum, default_value = "temp")]
        family: FamilyArg,
        /// 22.do's JSON for the message.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Delete a message.
    Delete {
        /// The message's id.
        id: String,
        /// The family of the address it was sent to.
        #[arg(long, value_enum, default_value = "temp")]
        family: FamilyArg,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// List the domains addresses can be made on.
    Domains {
        /// Only the service's shared (premium) domains.
        #[arg(long, conflicts_with = "private")]
        premium: bool,
        /// Only the account's own (private) domains.
        #[arg(long)]
        private: bool,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Gmail ids: list, purchase, generate, inbox, message, delete.
    Gmail(FamilyGroup),
    /// Microsoft accounts: list, purchase, generate, inbox, message, delete.
    Microsoft(FamilyGroup),
    /// The whole product in one command, offline: a local server, an
    /// address, a signup email over SMTP, the wait, the code and the link.
    Demo,
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Find the code (or the link) in an email file and print it.
    Extract(ExtractArgs),
    /// List, check and try rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print the current RFC 6238 code of a two-factor secret, for the
    /// step after signup.
    Totp(TotpArgs),
}

/// `otpcatch totp`.
#[derive(Debug, Args)]
pub(crate) struct TotpArgs {
    /// The base32 secret or the otpauth://totp/ URI the site shows; `-`
    /// reads it from stdin (prefer that: arguments show in `ps`).
    #[arg(value_name = "SECRET|URI|-")]
    pub(crate) secret: String,
    /// Digits in a code, 6 to 8 [default: the URI's, else 6].
    #[arg(long, value_name = "N")]
    pub(crate) digits: Option<u8>,
    /// Seconds a code lasts [default: the URI's, else 30].
    #[arg(long, value_name = "SECONDS")]
    pub(crate) period: Option<u64>,
    /// SHA1, SHA256 or SHA512 [default: the URI's, else SHA1].
    #[arg(long, value_name = "HASH")]
    pub(crate) algorithm: Option<String>,
    /// The code for this moment (Unix seconds) instead of now.
    #[arg(long, value_name = "UNIX", conflicts_with = "fresh")]
    pub(crate) at: Option<u64>,
    /// When less than this is left of the current code's window, wait for
    /// the next code, so it does not expire while a form is sent.
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub(crate) fresh: Option<Duration>,
    /// Print {"code", "period", "valid_from", "valid_until"}.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Where rules come from, beyond the built-in ones.
#[derive(Debug, Clone, Args)]
pub(crate) struct RuleSources {
    /// A directory of user rules (default: OTPCATCH_RULES_DIR, then
    /// otpcatch/rules in the user's config directory).
    #[arg(long, value_name = "DIR", global = true)]
    pub(crate) rules_dir: Option<PathBuf>,
    /// One more rule file, loaded last.
    #[arg(long, value_name = "FILE", global = true)]
    pub(crate) rules_file: Option<PathBuf>,
}

/// `otpcatch extract`.
#[derive(Debug, Args)]
pub(crate) struct ExtractArgs {
    /// The email: a raw .eml, a 22.do message-detail .json, an .html or a
    /// .txt body; `-` reads stdin.
    #[arg(long, value_name = "PATH")]
    pub(crate) file: PathBuf,
    /// Print the confirmation link instead of the code.
    #[arg(long)]
    pub(crate) link: bool,
    /// Print {"code", "link", "rule", "reason"} as JSON (nulls for what was
    /// not found); exit 4 only when neither was (with --link: no link).
    #[arg(long)]
    pub(crate) json: bool,
    /// Use only this rule.
    #[arg(long, value_name = "NAME")]
    pub(crate) rule: Option<String>,
    #[command(flatten)]
    pub(crate) rules: RuleSources,
}

/// `otpcatch rules …`.
#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// List the rules in force, in the order they are tried.
    List {
        #[command(flatten)]
        rules: RuleSources,
    },
    /// Check rule files: TOML, keys, patterns and selectors.
    Check {
        /// The rule files, or directories of them (every `.toml` inside).
        #[arg(required = true, value_name = "PATH")]
        files: Vec<PathBuf>,
    },
    /// Run one rule file on one email and show what it finds and why.
    Test {
        /// The rule file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The email (as for `extract --file`).
        #[arg(long, value_name = "PATH")]
        email: PathBuf,
    },
}

/// The local server's settings. Each is optional: what is not given is
/// `ServerConfig`'s default, which `--help` shows.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServeArgs {
    #[arg(long, value_name = "ADDR", value_parser = socket_address, help = defaults::http())]
    pub(crate) http: Option<SocketAddr>,
    #[arg(long, value_name = "ADDR", value_parser = socket_address, help = defaults::smtp())]
    pub(crate) smtp: Option<SocketAddr>,
    #[arg(long = "domain", value_name = "DOMAIN", help = defaults::domains())]
    pub(crate) domains: Vec<String>,
    /// A private domain, for `/account/private` (repeatable).
    #[arg(long = "private-domain", value_name = "DOMAIN")]
    pub(crate) private_domains: Vec<String>,
    /// An API token to accept, one account each (repeatable). One is
    /// generated and printed on stderr when neither this nor --user is given.
    /// Prefer the environment variable, since flags show in `ps`.
    #[arg(long = "api-token", value_name = "TOKEN", env = "OTPCATCH_SERVE_API_TOKEN", hide_env_values = true)]
    pub(crate) api_tokens: Vec<String>,
    /// An account's address and password for `/auth` (repeatable).
    #[arg(long = "user", value_name = "EMAIL:PASSWORD")]
    pub(crate) users: Vec<String>,
    #[arg(long, help = defaults::qps())]
    pub(crate) qps: Option<u32>,
    #[arg(long, value_name = "DURATION", value_parser = duration, help = defaults::retention())]
    pub(crate) retention: Option<Duration>,
    #[arg(long, value_name = "SIZE", value_parser = parse_size, help = defaults::max_message_size())]
    pub(crate) max_message_size: Option<usize>,
    #[arg(long, help = defaults::max_messages())]
    pub(crate) max_messages: Option<usize>,
    #[arg(long, value_name = "SIZE", value_parser = parse_size, help = defaults::max_store())]
    pub(crate) max_store: Option<usize>,
    /// Keep messages in this SQLite file across restarts.
    #[arg(long, value_name = "FILE")]
    pub(crate) data: Option<PathBuf>,
    /// Let any account read any address on the served domains.
    #[arg(long)]
    pub(crate) catch_all: bool,
    #[arg(long, help = defaults::balance())]
    pub(crate) balance: Option<f64>,
    #[arg(long, help = defaults::price())]
    pub(crate) price: Option<f64>,
    /// Do not offer the push stream: clients poll, as against 22.do.
    #[arg(long)]
    pub(crate) no_push: bool,
}

/// The server flags' help, with the defaults `ServerConfig` has, so that
/// they are written in one place.
mod defaults {
    use otpcatch_server::ServerConfig;

    fn with_default(what: &str, default: impl std::fmt::Display) -> String {
        format!("{what} [default: {default}]")
    }

    pub(super) fn http() -> String {
        with_default("Where the HTTP API listens (`run`: a free port)", ServerConfig::default().http)
    }

    pub(super) fn smtp() -> String {
        with_default("Where the SMTP receiver listens (`run`: a free port)", ServerConfig::default().smtp)
    }

    pub(super) fn domains() -> String {
        with_default(
            "A domain to receive mail for and make addresses on (repeatable)",
            ServerConfig::default().domains.join(", "),
        )
    }

    pub(super) fn qps() -> String {
        with_default("Requests per second each account may make before 429", ServerConfig::default().qps)
    }

    pub(super) fn retention() -> String {
        let retention = humantime::format_duration(ServerConfig::default().retention);
        with_default("How long messages are kept, such as 4h or 30m", retention)
    }

    pub(super) fn max_message_size() -> String {
        let size = ServerConfig::default().max_message_size;
        with_default("The largest message accepted, such as 10MB or 512KB", format!("{}MB", size >> 20))
    }

    pub(super) fn max_store() -> String {
        let size = ServerConfig::default().max_store_bytes;
        with_default(
            "How many bytes of mail are kept at most (compressed); the oldest go first",
            format!("{}MB", size >> 20),
        )
    }

    pub(super) fn max_messages() -> String {
        with_default("How many messages are kept at most; the oldest go first", ServerConfig::default().max_messages)
    }

    pub(super) fn balance() -> String {
        with_default("Each account's balance for Gmail and Microsoft purchases", ServerConfig::default().balance)
    }

    pub(super) fn price() -> String {
        with_default("What one Gmail id or Microsoft account costs", ServerConfig::default().price)
    }
}

/// `otpcatch serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeCommand {
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
    /// Print the ready line as JSON: {"api_url", "smtp_host", "smtp_port"}.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `otpcatch run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
    /// After SIGTERM or SIGINT, how long the command's process group has
    /// to exit before it is killed.
    #[arg(long, value_name = "DURATION", value_parser = duration, default_value = "5s")]
    pub(crate) grace: Duration,
    /// The command to run and its arguments (after `--` if they look like
    /// flags of this command).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true, value_name = "COMMAND")]
    pub(crate) command: Vec<String>,
}

/// A size such as `10MB`, `512KB`, `1GB` or a plain number of bytes.
fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: usize = number.parse().map_err(|_| format!("{text:?} is not a size such as 10MB"))?;
    let factor = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        other => return Err(format!("unknown size unit {other:?}: use B, KB, MB or GB")),
    };
    number.checked_mul(factor).ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("10MB"), Ok(10 << 20));
        assert_eq!(parse_size("512kb"), Ok(512 << 10));
        assert_eq!(parse_size("2000"), Ok(2000));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5TB").unwrap_err().contains("unknown size unit"));
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
