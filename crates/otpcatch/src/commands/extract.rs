//! `otpcatch extract`: the code or link in an email file, on stdout.

use std::process::ExitCode;

use crate::cli::ExtractArgs;
use crate::exit::{self, Failure};
use crate::output;
use crate::settings;

pub(crate) fn extract(args: ExtractArgs) -> Result<ExitCode, Failure> {
    let rules = settings::rule_set(&args.rules)?;
    let message = settings::read_email(&args.file)?;
    if let Some(mismatch) = args.rule.as_deref().and_then(|name| rules.mismatch(name, &message)) {
        eprintln!("otpcatch: note: {}", crate::escape::text(&mismatch));
    }
    let extraction = match &args.rule {
        Some(name) => rules.extract_by(name, &message).ok_or_else(|| {
            Failure::usage(format!("no rule named {name:?}\nhint: `otpcatch rules list` shows the rules in force"))
        })?,
        None if args.json && args.link => rules.extract_asking(&message, otpcatch_rules::Asked::Link),
        None if args.json => rules.extract(&message),
        None if args.link => rules.extract_link(&message),
        None => rules.extract_code(&message),
    };
    // The process ends next: freeing every compiled pattern one by one
    // would cost it a tenth of a millisecond for nothing.
    std::mem::forget(rules);
    if args.json {
        output::print_json(&output::ExtractionJson::new(&extraction))?;
    }
    // `--json` without `--link` is the overview: it succeeds when it found
    // either, since it prints both.
    let (wanted, what) = match (args.link, args.json) {
        (true, _) => (extraction.link.as_ref(), "link"),
        (false, true) => (extraction.code.as_ref().or(extraction.link.as_ref()), "code or link"),
        (false, false) => (extraction.code.as_ref(), "code"),
    };
    match wanted {
        Some(found) => {
            if !args.json {
                output::print_value(&crate::escape::field(&found.value))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        None => Err(Failure {
            message: format!("no {what} found in {}\n{}", args.file.display(), output::misses(&extraction)),
            code: exit::NOTHING_EXTRACTED,
        }),
    }
}
