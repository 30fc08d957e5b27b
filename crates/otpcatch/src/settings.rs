//! Raw command-line values converted into library settings, in one place.

use otpcatch_core::Secret;
use otpcatch_server::ServerConfig;

use crate::cli::ServeArgs;
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
