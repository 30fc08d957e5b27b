//! `otpcatch totp`: the code an authenticator app would show.

use std::io::Read;
use std::process::ExitCode;

use otpcatch::totp::{Totp, TotpCode, TotpSettings};

use crate::cli::TotpArgs;
use crate::exit::Failure;
use crate::output::{print_json, print_value};

/// The most read from stdin: an otpauth URI is far shorter.
const MAX_SECRET_BYTES: u64 = 64 * 1024;

pub(crate) async fn totp(args: TotpArgs) -> Result<ExitCode, Failure> {
    let secret = if args.secret == "-" { read_stdin()? } else { args.secret.clone() };
    let algorithm = args.algorithm.as_deref().map(str::parse).transpose().map_err(usage)?;
    let settings = TotpSettings { digits: args.digits, period: args.period, algorithm };
    let totp = Totp::new(&secret, settings).map_err(usage)?;
    let code = match (args.at, args.fresh) {
        (Some(at), _) => totp.at(at),
        (None, Some(min_left)) => totp.fresh(min_left).await,
        (None, None) => totp.now(),
    };
    if args.json {
        print_json(&CodeJson { code: &code, period: totp.period() })?;
    } else {
        print_value(&code.code)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn usage(error: otpcatch::TotpError) -> Failure {
    Failure::usage(format!("{error}\nhint: pass the base32 secret the site shows, or its otpauth://totp/ URI"))
}

/// The secret from stdin, up to the first line end.
fn read_stdin() -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .take(MAX_SECRET_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("could not read the secret from stdin: {e}")))?;
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

/// `totp --json`.
#[derive(serde::Serialize)]
struct CodeJson<'a> {
    #[serde(flatten)]
    code: &'a TotpCode,
    period: u64,
}
