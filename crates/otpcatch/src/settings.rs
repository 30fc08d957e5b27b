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
