//! `otpcatch rules list|check|test`.

use std::process::ExitCode;

use otpcatch_rules::{Origin, RuleSet};

use crate::cli::RulesCommand;
use crate::exit::{self, Failure};
use crate::output;
use crate::settings;

pub(crate) fn rules(command: RulesCommand) -> Result<ExitCode, Failure> {
    match command {
        RulesCommand::List { rules } => {
            let set = settings::rule_set(&rules)?;
            for rule in set.rules() {
                let origin = match &rule.origin {
                    Origin::BuiltIn => "built-in".to_owned(),
                    Origin::File(path) => path.display().to_string(),
                    Origin::Text(label) => label.clone(),
                };
                let scope = if rule.selective { "matching senders" } else { "every message" };
                output::print_value(&format!("{}\t{origin}\t{scope}\t{}", rule.name, rule.description))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Check { files } => {
            let mut failed = false;
            for file in &rule_files(&files)? {
                match otpcatch_rules::check(file) {
                    Ok(rule) => output::print_value(&format!("ok\t{}\t{}", file.display(), rule.name))?,
                    Err(error) => {
                        eprintln!("otpcatch: {}", crate::escape::text(&error.to_string()));
                        failed = true;
                    }
                }
            }
            if failed {
                return Err(Failure::usage("some rule files are invalid (see above)"));
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Test { file, email } => {
            let mut set = RuleSet::built_in()?;
            set.add_file(&file)?;
            let name = otpcatch_rules::check(&file)?.name;
            let message = settings::read_email(&email)?;
            if let Some(mismatch) = set.mismatch(&name, &message) {
                eprintln!("otpcatch: note: {}", crate::escape::text(&mismatch));
            }
            let extraction = set.extract_by(&name, &message).unwrap_or_default();
            output::print_json(&output::ExtractionJson::new(&extraction))?;
            if extraction.code.is_none() && extraction.link.is_none() {
                return Err(Failure {
                    message: format!(
                        "rule {name:?} found nothing in {}\n{}",
                        email.display(),
                        output::misses(&extraction)
                    ),
                    code: exit::NOTHING_EXTRACTED,
                });
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The rule files named: each file as given, and each directory's `.toml`
/// files in name order, so that every error in a directory is reported.
fn rule_files(paths: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>, Failure> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let in_dir = otpcatch_rules::rule_files_in(path)
            .map_err(|e| Failure::usage(format!("cannot read the directory {}: {e}", path.display())))?;
        files.extend(in_dir);
    }
    Ok(files)
}
