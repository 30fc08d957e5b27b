//! Raw command-line values converted into library settings, in one place.

use otpcatch_core::Secret;
use otpcatch_server::ServerConfig;

use crate::cli::{RuleSources, ServeArgs};
use crate::exit::Failure;

/// The server configuration `otpcatch serve` and `otpcatch run` ask for.
pub(crate) fn server_config(args: &ServeArgs) -> Result<ServerConfig, Failure> {
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
    Ok(ServerConfig {
        http: args.http,
        smtp: args.smtp,
        domains: args.domains.clone(),
        private_domains: args.private_domains.clone(),
        api_tokens: args.api_tokens.iter().map(Secret::new).collect(),
        users,
        qps: args.qps.max(1),
        retention: args.retention,
        max_message_size: args.max_message_size,
        max_messages: args.max_messages.max(1),
        data: args.data.clone(),
        catch_all: args.catch_all,
        balance: args.balance,
        price: args.price,
        push: !args.no_push,
        ..ServerConfig::default()
    })
}

/// The rules in force: built-in, then the user's directory, then one file.
pub(crate) fn rule_set(sources: &RuleSources) -> Result<otpcatch_rules::RuleSet, Failure> {
    let mut rules =
        otpcatch_rules::RuleSet::with_dir(otpcatch_rules::user_rules_dir(sources.rules_dir.clone()).as_deref())?;
    if let Some(file) = &sources.rules_file {
        rules.add_file(file)?;
    }
    Ok(rules)
}

/// The largest email file `extract` reads.
const MAX_EMAIL_BYTES: u64 = 64 * 1024 * 1024;

/// Reads an email from a path, or from stdin for `-`, as a message.
pub(crate) fn read_email(path: &std::path::Path) -> Result<otpcatch_core::Message, Failure> {
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
    Ok(otpcatch_rules::input::parse(format, &content))
}

/// `~/.config/otpcatch/config.toml`: the settings below flags and the environment.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ConfigFile {
    api_url: Option<String>,
    token: Option<Secret>,
    address: Option<String>,
    password: Option<Secret>,
    qps: Option<u32>,
    #[serde(default, with = "humantime_serde_opt")]
    timeout: Option<std::time::Duration>,
}

mod humantime_serde_opt {
    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<std::time::Duration>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| humantime::parse_duration(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

impl ConfigFile {
    /// Reads the file if it exists; a malformed one is an error that says where.
    pub(crate) fn load() -> Result<Self, Failure> {
        let Some(path) = dirs::config_dir().map(|d| d.join("otpcatch").join("config.toml")) else {
            return Ok(Self::default());
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let config: Self = toml::from_str(&text).map_err(|e| {
                    Failure::usage(format!(
                        "{}: {}\nhint: keys are api-url, token, address, password, qps, timeout",
                        path.display(),
                        e.message()
                    ))
                })?;
                if config.token.is_some() || config.password.is_some() {
                    warn_if_readable_by_others(&path);
                }
                Ok(config)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(Failure::usage(format!("cannot read {}: {e}", path.display()))),
        }
    }
}

/// A config file that holds a secret should be readable by its owner only.
fn warn_if_readable_by_others(path: &std::path::Path) {
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

/// The API client: flags, then the environment, then the config file.
pub(crate) fn client(api: &crate::cli::ApiArgs, config: &ConfigFile) -> Result<otpcatch_core::Client, Failure> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let url = api.api_url.clone().or_else(|| config.api_url.clone());
    let token = api.token.clone().map(Secret::new).or_else(|| config.token.clone());
    let login = env("OTPCATCH_ADDRESS")
        .or_else(|| config.address.clone())
        .zip(env("OTPCATCH_PASSWORD").map(Secret::new).or_else(|| config.password.clone()));
    let mut builder = otpcatch_core::Client::builder();
    if let Some(url) = &url {
        builder = builder.base_url(url);
    }
    builder = match (token, login) {
        (Some(token), _) => builder.api_token(token),
        (None, Some((address, password))) => builder.password(address, password),
        (None, None) => {
            let hint = if url.is_some() {
                "hint: set OTPCATCH_TOKEN to the token `otpcatch serve` printed (or pass --api-token to serve)"
            } else {
                "hint: for 22.do (https://22.do), set OTPCATCH_TOKEN to your API token, or OTPCATCH_ADDRESS and \
                 OTPCATCH_PASSWORD; for the offline local server, run `otpcatch serve` and set OTPCATCH_API_URL \
                 and OTPCATCH_TOKEN, or wrap your tests in `otpcatch run -- COMMAND`"
            };
            return Err(Failure::usage(format!("no credential is configured\n{hint}")));
        }
    };
    let qps = match env("OTPCATCH_QPS") {
        Some(text) => Some(text.trim().parse::<u32>().ok().filter(|&q| q > 0).ok_or_else(|| {
            Failure::usage(format!("OTPCATCH_QPS must be a whole number of requests per second above 0, not {text:?}"))
        })?),
        None => config.qps,
    };
    if let Some(qps) = qps {
        builder = builder.quota_per_second(qps);
    }
    if let Some(dir) = env("OTPCATCH_CACHE_DIR") {
        builder = builder.cache_dir(dir);
    }
    Ok(builder.build()?)
}

/// How long a wait lasts: the flag, then OTPCATCH_TIMEOUT, then the config
/// file, then 60 s.
pub(crate) fn timeout(flag: Option<std::time::Duration>, config: &ConfigFile) -> Result<std::time::Duration, Failure> {
    if let Some(timeout) = flag {
        return Ok(timeout);
    }
    if let Some(text) = std::env::var("OTPCATCH_TIMEOUT").ok().filter(|t| !t.trim().is_empty()) {
        return humantime::parse_duration(text.trim())
            .map_err(|e| Failure::usage(format!("OTPCATCH_TIMEOUT={text:?} is not a duration such as 60s: {e}")));
    }
    Ok(config.timeout.unwrap_or(otpcatch_core::DEFAULT_TIMEOUT))
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

/// The library filter and wait for the command-line filter.
pub(crate) fn wait(
    client: &otpcatch_core::Client,
    args: &crate::cli::FilterArgs,
    timeout: std::time::Duration,
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
        filter = filter.received_after(since);
    }
    let mailbox = client.mailbox_in(family(args.family, &args.address), args.address.clone());
    let wait = mailbox.wait_for(filter).timeout(timeout);
    Ok(if args.since_now { wait.only_new() } else { wait })
}
