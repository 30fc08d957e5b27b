//! `otpcatch wait-for-code`, `wait-for-link`, `wait` and `expect-none`.

use std::process::ExitCode;

use otpcatch_core::{Client, Message};
use otpcatch_rules::{Extraction, RuleSet};

use crate::cli::{ExpectNoneArgs, WaitArgs};
use crate::exit::{self, Failure};
use crate::output::{self, print_json, print_value};
use crate::progress;
use crate::settings::{self, ConfigFile};
use crate::ui::Ui;

/// What a wait command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Print {
    Code,
    Link,
    Message,
}

pub(crate) async fn wait(
    client: &Client,
    config: &ConfigFile,
    args: WaitArgs,
    print: Print,
    ui: Ui,
) -> Result<ExitCode, Failure> {
    // Load the rules before waiting: a broken rule file should fail at once.
    let rules = settings::rule_set(&args.rules)?;
    if let Some(rule) = &args.rule
        && !rules.contains(rule)
    {
        return Err(Failure::usage(format!(
            "no rule named {rule:?}\nhint: `otpcatch rules list` shows the rules in force"
        )));
    }
    let timeout = settings::timeout(args.timeout, config)?;
    let mut wait = settings::wait(client, &args.filter, timeout)?;
    if args.delete {
        wait = wait.delete_after_read();
    }
    let (events, received) = tokio::sync::mpsc::unbounded_channel();
    let spinner = tokio::spawn(progress::show(received, progress::wanted(ui.is_quiet())));
    // Compile the rules now, not after the mail arrives, and on this thread:
    // the regex engines' caches are per thread, and the extraction runs here.
    rules.warm_up();
    let outcome = wait.events(events).await;
    let _ = spinner.await;
    let message = outcome?;
    let extraction = extract(&rules, args.rule.as_deref(), &message, print, args.json);
    if args.json {
        print_json(&output::MessageJson::new(&message, &extraction));
    }
    let (wanted, what) = match print {
        Print::Code => (&extraction.code, "code"),
        Print::Link => (&extraction.link, "link"),
        Print::Message => {
            if !args.json {
                print_value(&message.id);
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    match wanted {
        Some(found) => {
            if !args.json {
                print_value(&found.value);
            }
            Ok(ExitCode::SUCCESS)
        }
        None => Err(Failure {
            message: format!(
                "a message arrived (from {:?}, subject {:?}) but no {what} was found in it\n{}",
                message.from,
                message.subject,
                output::misses(&extraction)
            ),
            code: exit::NOTHING_EXTRACTED,
        }),
    }
}

fn extract(rules: &RuleSet, rule: Option<&str>, message: &Message, print: Print, json: bool) -> Extraction {
    match (rule, print, json) {
        (Some(rule), ..) => rules.extract_by(rule, message).unwrap_or_default(),
        (None, Print::Code, false) => rules.extract_code(message),
        (None, Print::Link, false) => rules.extract_link(message),
        (None, ..) => rules.extract(message),
    }
}

pub(crate) async fn expect_none(client: &Client, args: ExpectNoneArgs, ui: Ui) -> Result<ExitCode, Failure> {
    let wait = settings::wait(client, &args.filter, args.duration)?;
    let (events, received) = tokio::sync::mpsc::unbounded_channel();
    let spinner = tokio::spawn(progress::show(received, progress::wanted(ui.is_quiet())));
    let outcome = wait.events(events).expect_none().await;
    let _ = spinner.await;
    outcome?;
    Ok(ExitCode::SUCCESS)
}
