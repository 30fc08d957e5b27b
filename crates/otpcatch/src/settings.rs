//! Raw command-line values converted into library settings, in one place:
//! the client (whose layers otpcatch-core lays over each other), the
//! server, the rules, the email to read.

use std::path::{Path, PathBuf};

use otpcatch_core::{Client, Secret, Settings};
use otpcatch_server::ServerConfig;

use crate::cli::{ApiArgs, RuleSources, ServeArgs};
use crate::exit::Failure;

/// The server configuration `serve` (over `ServerConfig::default()`) and
/// `run` (over `ServerConfig::ephemeral()`) ask for: what the flags set,
/// over `base`.
pub(crate) fn server_config(args: &ServeArgs, base: ServerConfig) -> Result<ServerConfig, Failure> {
    let users = args
        .users
        .iter()
        .map(|user| match user.split_once(':') {
            Some((email, password)) if !email.is_empty() && !password.is_empty() => {
                Ok((email.to_owned(), Secret::new(password)))
            }
            _ => {
                Err(Failure::usage("--user takes EMAIL:PASSWORD, such as --user owner@otpcatch.test:s3cret".to_owned()))
            }
        })
        .collect::<Result<_, _>>()?;
    let mut config = base;
    config.http = args.http.unwrap_or(config.http);
    config.smtp = args.smtp.unwrap_or(config.smtp);
    if !args.domains.is_empty() {
        config.domains.clone_from(&args.domains);
    }
    config.private_domains.clone_from(&args.private_domains);
    config.api_tokens = args.api_tokens.iter().map(Secret::new).collect();
    config.users = users;
    config.qps = args.qps.unwrap_or(config.qps);
    config.retention = args.retention.unwrap_or(config.retention);
    config.max_message_size = args.max_message_size.unwrap_or(config.max_message_size);
    config.max_messages = args.max_messages.unwrap_or(config.max_messages);
    config.max_store_bytes = args.max_store.unwrap_or(config.max_store_bytes);
    config.data.clone_from(&args.data);
    config.catch_all = args.catch_all;
    config.balance = args.balance.unwrap_or(config.balance);
    config.price = args.price.unwrap_or(config.price);
    config.push = !args.no_push;
    config.explainer = inbox_rules().map(crate::inbox::explainer);
    Ok(config)
}

/// The rules the web inbox explains with: the user's, as the waits use
/// them; the built-in ones, with a warning, when the user's do not load (the
/// server's other work does not depend on them).
fn inbox_rules() -> Option<otpcatch_rules::RuleSet> {
    let sources = RuleSources { rules_dir: None, rules_file: None };
    rule_set(&sources)
        .inspect_err(|failure| {
            tracing::warn!("the web inbox explains with the built-in rules only: {}", failure.message);
        })
        .ok()
        .or_else(|| otpcatch_rules::RuleSet::built_in().ok())
}

/// The rules in force: built-in, then the user's directory, then one file.
pub(crate) fn rule_set(sources: &RuleSources) -> Result<otpcatch_rules::RuleSet, Failure> {
    let mut rules = otpcatch_rules::RuleSet::with_dir(user_rules_dir(sources.rules_dir.as_deref())?.as_deref())?;
    if let Some(file) = &sources.rules_file {
        rules.add_file(file)?;
    }
    Ok(rules)
}

/// The user's rules directory: `--rules-dir`, else `OTPCATCH_RULES_DIR`,
/// else `otpcatch/rules` in the user's configuration directory. A
/// directory named explicitly must exist: a typo must not silently turn
/// the user's rules off. The default one may be absent.
#[expect(clippy::disallowed_methods, reason = "the command line reads its own configuration")]
fn user_rules_dir(flag: Option<&Path>) -> Result<Option<PathBuf>, Failure> {
    let explicit = flag.map(|dir| (dir.to_owned(), "--rules-dir")).or_else(|| {
        std::env::var_os("OTPCATCH_RULES_DIR").filter(|v| !v.is_empty()).map(|v| (v.into(), "OTPCATCH_RULES_DIR"))
    });
    match explicit {
        Some((dir, _)) if dir.is_dir() => Ok(Some(dir)),
        Some((dir, source)) => Err(Failure::usage(format!(
            "the rules directory {} ({source}) {}\nhint: give an existing directory, or leave {source} unset for \
             the default one",
            dir.display(),
            if dir.exists() { "is not a directory" } else { "does not exist" }
        ))),
        None => Ok(dirs::config_dir().map(|d| d.join("otpcatch").join("rules"))),
    }
}

/// The largest email file `extract` reads.
const MAX_EMAIL_BYTES: u64 = 64 * 1024 * 1024;

/// Reads an email from a path, or from stdin for `-`, as a message.
pub(crate) fn read_email(path: &Path) -> Result<otpcatch_core::Message, Failure> {
    use std::io::Read;
    let mut content = Vec::new();
    let name = path.to_str().filter(|p| *p != "-");
    let read = match name {
        Some(_) => std::fs::File::open(path).and_then(|f| f.take(MAX_EMAIL_BYTES + 1).read_to_end(&mut content)),
        None => std::io::stdin().take(MAX_EMAIL_BYTES + 1).read_to_end(&mut content),
    };
    read.map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    if content.len() as u64 > MAX_EMAIL_BYTES {
        return Err(Failure::usage(format!("{} is larger than 64 MiB: not an email otpcatch reads", path.display())));
    }
    let format = otpcatch_rules::input::Format::detect(name, &content);
    if format == otpcatch_rules::input::Format::Json && !otpcatch_rules::input::is_api_message(&content) {
        tracing::warn!(
            "{} is JSON but not a message as the API gives it (`otpcatch message --json`): it was read as plain text",
            path.display()
        );
    }
    Ok(otpcatch_rules::input::parse(format, &content))
}

/// `~/.config/otpcatch/config.toml`: the lowest layer of client settings,
/// below the environment and the flags. Its keys are those of
/// [`otpcatch_core::Settings`]. A malformed file is an error that says where.
pub(crate) fn config_file() -> Result<Settings, Failure> {
    let Some(path) = dirs::config_dir().map(|d| d.join("otpcatch").join("config.toml")) else {
        return Ok(Settings::default());
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let settings: Settings = toml::from_str(&text).map_err(|e| {
                let at = e.span().map(|span| {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    format!(":{line}:{column}")
                });
                Failure::usage(format!(
                    "{}{}: {}\nhint: keys are api-url, token, address, password, qps, cache-dir, timeout",
                    path.display(),
                    at.unwrap_or_default(),
                    e.message()
                ))
            })?;
            if settings.token.is_some() || settings.password.is_some() {
                warn_if_readable_by_others(&path);
            }
            Ok(settings)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
        Err(e) => Err(Failure::usage(format!("cannot read {}: {e}", path.display()))),
    }
}

/// A config file that holds a secret should be readable by its owner only.
fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(metadata) = std::fs::metadata(path)
            && metadata.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                "{} holds a secret and other users can read it\nhint: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
}

/// The API client: the config file, then the environment, then the flags.
pub(crate) fn client(api: &ApiArgs, config: &Settings) -> Result<Client, Failure> {
    let flags =
        Settings { api_url: api.api_url.clone(), token: api.token.clone().map(Secret::new), ..Settings::default() };
    let builder = Client::builder().apply(config).apply(&Settings::from_env()?).apply(&flags);
    if !builder.has_credential() {
        let hint = if builder.uses_default_base_url() {
            "hint: for 22.do (https://22.do), set OTPCATCH_TOKEN to your API token, or OTPCATCH_ADDRESS and \
             OTPCATCH_PASSWORD; for the offline local server, run `otpcatch serve` and set OTPCATCH_API_URL \
             and OTPCATCH_TOKEN, or wrap your tests in `otpcatch run -- COMMAND`"
        } else {
            "hint: set OTPCATCH_TOKEN to the token `otpcatch serve` printed (or pass --api-token to serve)"
        };
        return Err(Failure::usage(format!("no credential is configured\n{hint}")));
    }
    Ok(builder.build()?)
}

/// The family a command names, or the one the address suggests.
pub(crate) fn family(flag: Option<crate::cli::FamilyArg>, address: &str) -> otpcatch_core::Family {
    use crate::cli::FamilyArg;
    match flag {
        Some(FamilyArg::Temp) => otpcatch_core::Family::Temp,
        Some(FamilyArg::Gmail) => otpcatch_core::Family::Gmail,
        Some(FamilyArg::Microsoft) => otpcatch_core::Family::Microsoft,
        None => otpcatch_core::Family::guess(address),
    }
}

/// The library filter and wait for the command-line filter; the wait lasts
/// `timeout` if given, else the client's wait timeout (its layers' or 60 s).
/// `started` is when the command started: what `--since-now` means.
pub(crate) fn wait(
    client: &Client,
    args: &crate::cli::FilterArgs,
    timeout: Option<std::time::Duration>,
    started: std::time::SystemTime,
) -> Result<otpcatch_core::Wait, Failure> {
    let mut filter = otpcatch_core::Filter::new();
    if let Some(from) = &args.from {
        filter = filter.from(from)?;
    }
    if let Some(subject) = &args.subject {
        filter = filter.subject(subject)?;
    }
    if let Some(body) = &args.body {
        filter = filter.body(body)?;
    }
    if let Some(since) = args.since {
        // Mail from the future never arrives: the wait would run out its
        // time and say "no mail arrived at all" while mail is there.
        let now = started.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        if since > now + 60 {
            return Err(Failure::usage(format!(
                "--since {since} is in the future (it is now {now})\nhint: --since takes Unix seconds, such as \
                 $(date +%s); to wait for mail that arrives from now on, use --since-now"
            )));
        }
        filter = filter.received_after(since);
    }
    if args.since_now {
        let millis = started.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        filter = filter.received_after_ms(millis);
    }
    let mailbox = client.mailbox_in(family(args.family, &args.address), args.address.clone());
    let mut wait = mailbox.wait_for(filter);
    if let Some(timeout) = timeout {
        wait = wait.timeout(timeout);
    }
    if let Some(id) = &args.after_id {
        wait = wait.after_id(id);
    }
    Ok(wait)
}

/// Whether the client's `OTPCATCH_TOKEN` is set: `serve` warns that it
/// does not read it.
#[expect(clippy::disallowed_methods, reason = "the command line reads its own configuration")]
pub(crate) fn client_token_is_set() -> bool {
    std::env::var_os("OTPCATCH_TOKEN").is_some_and(|value| !value.is_empty())
}

/// `PATH` with `dir` in front, so that a command `run` starts finds this
/// very binary as `otpcatch`.
#[expect(clippy::disallowed_methods, reason = "the command line reads its own configuration")]
pub(crate) fn path_with(dir: &Path) -> std::ffi::OsString {
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(dir.to_owned()).chain(std::env::split_paths(&inherited))).unwrap_or(inherited)
}

/// Raises the soft limit on open files to the hard limit, for the local
/// server: the inherited soft limit (often 1,024) is what a crowd of
/// clients runs into, and the server sizes its connection caps under it.
pub(crate) fn raise_open_file_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current != limit.maximum {
            let raised = rustix::process::Rlimit { current: limit.maximum, maximum: limit.maximum };
            if let Err(err) = setrlimit(Resource::Nofile, raised) {
                tracing::debug!("could not raise the open-file limit: {err}");
            }
        }
    }
}
