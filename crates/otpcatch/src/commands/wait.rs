//! `otpcatch wait-for-code`, `wait-for-link`, `wait` and `expect-none`.

use std::process::ExitCode;

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use otpcatch_core::{Client, Message};
use otpcatch_rules::{Asked, Extraction, RuleSet};

use crate::cli::{ExpectNoneArgs, WaitArgs};
use crate::escape;
use crate::exit::{self, Failure};
use crate::output::{self, print_json, print_value};
use crate::progress;
use crate::settings;
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
    args: WaitArgs,
    print: Print,
    ui: Ui,
    started: SystemTime,
) -> Result<ExitCode, Failure> {
    let mut wait = settings::wait(client, &args.filter, args.timeout, started)?;
    if args.latest {
        wait = wait.latest();
    }
    if let Some(n) = args.nth {
        wait = wait.nth(n as usize);
    }
    // A wait that prints only the id extracts nothing: it needs no rules.
    let extracts = print != Print::Message || args.json || args.rule.is_some();
    let extractor = if extracts {
        // Load the rules before waiting: a broken rule file should fail at once.
        let rules = settings::rule_set(&args.rules)?;
        if let Some(rule) = &args.rule
            && !rules.contains(rule)
        {
            return Err(Failure::usage(format!(
                "no rule named {rule:?}\nhint: `otpcatch rules list` shows the rules in force"
            )));
        }
        // Compile the rules now, not after the mail arrives, and on this
        // thread: the regex engines' caches are per thread, and the
        // extraction runs here.
        rules.warm_up();
        Some(Arc::new(Extractor { rules, rule: args.rule.clone(), print, json: args.json, last: Mutex::default() }))
    } else {
        None
    };
    // A wait for a code waits for a message that has one: a welcome mail
    // sent before the code is passed over.
    if let (Some(what), Some(extractor)) = (print.wanted(), &extractor) {
        let judge = Arc::clone(extractor);
        wait = wait.require(format!("a {what}"), move |message| judge.require(message));
    }
    let (events, received) = tokio::sync::mpsc::unbounded_channel();
    let spinner = tokio::spawn(progress::show(received, progress::wanted(ui.is_quiet())));
    let outcome = wait.events(events).await;
    let _ = spinner.await;
    let message = outcome.map_err(|error| with_inbox_link(error, client, &args.filter.address))?;
    let extraction = extractor.map(|e| e.extract(&message)).unwrap_or_default();
    if args.json {
        print_json(&output::MessageJson::new(&message, &extraction))?;
    }
    let wanted = match print {
        Print::Code => &extraction.code,
        Print::Link => &extraction.link,
        Print::Message => {
            if !args.json {
                print_value(&escape::field(&message.id))?;
            }
            return delete_once_printed(client, &args, &message).await;
        }
    };
    match wanted {
        Some(found) => {
            if !args.json {
                print_value(&escape::field(&found.value))?;
            }
            delete_once_printed(client, &args, &message).await
        }
        // The wait required the value, so this happens only if a rule
        // judged the same message differently twice. The message is kept.
        None => Err(Failure {
            message: format!(
                "a message arrived (from {:?}, subject {:?}) but no {} was found in it\n{}",
                message.from,
                message.subject,
                print.wanted().unwrap_or("value"),
                output::misses(&extraction)
            ),
            code: exit::NOTHING_EXTRACTED,
        }),
    }
}

/// A failed wait on a local server: the failure, and where the web inbox
/// shows that mailbox (each message, and why its code or link was or was not
/// found). Against a remote API there is no inbox to point to.
fn with_inbox_link(error: otpcatch_core::Error, client: &Client, address: &str) -> Failure {
    let timed_out = error.is_wait_timeout();
    let mut failure = Failure::from(error);
    if let Some(inbox) = local_inbox(client.base_url()).filter(|_| timed_out) {
        failure.message.push_str(&format!("\nsee what arrived, and why: {inbox}#mailbox={address}"));
    }
    failure
}

/// The web inbox of a local otpcatch server at `api_url`
/// (`http://127.0.0.1:PORT/api/v2` → `http://127.0.0.1:PORT/`).
fn local_inbox(api_url: &str) -> Option<String> {
    let root = api_url.trim_end_matches('/').strip_suffix("/api/v2")?;
    let host = root.strip_prefix("http://")?;
    let loopback = ["127.", "localhost:", "[::1]:"].iter().any(|prefix| host.starts_with(prefix));
    loopback.then(|| format!("{root}/"))
}

/// `--delete`: the message goes only after what the command prints has
/// been written, so nothing is lost when the printing fails.
async fn delete_once_printed(client: &Client, args: &WaitArgs, message: &Message) -> Result<ExitCode, Failure> {
    if args.delete {
        let family = settings::family(args.filter.family, &args.filter.address);
        client.delete_message(family, &message.id).await?;
    }
    Ok(ExitCode::SUCCESS)
}

impl Print {
    /// The value printed, if it is extracted from the message.
    fn wanted(self) -> Option<&'static str> {
        match self {
            Self::Code => Some("code"),
            Self::Link => Some("link"),
            Self::Message => None,
        }
    }
}

/// Extracts what a wait command prints, and remembers the last extraction
/// so that the message the wait returns is not extracted twice.
struct Extractor {
    rules: RuleSet,
    rule: Option<String>,
    print: Print,
    json: bool,
    last: Mutex<Option<(String, Extraction)>>,
}

impl Extractor {
    fn run(&self, message: &Message) -> Extraction {
        match (&self.rule, self.print, self.json) {
            (Some(rule), ..) => self.rules.extract_by(rule, message).unwrap_or_default(),
            (None, Print::Code, false) => self.rules.extract_code(message),
            (None, Print::Link, false) => self.rules.extract_link(message),
            (None, Print::Code, true) => self.rules.extract_asking(message, Asked::Code),
            (None, Print::Link, true) => self.rules.extract_asking(message, Asked::Link),
            (None, Print::Message, _) => self.rules.extract(message),
        }
    }

    /// `Ok` if the message has the value printed; else why not.
    fn require(&self, message: &Message) -> Result<(), String> {
        let extraction = self.run(message);
        let found = match self.print {
            Print::Code => extraction.code.is_some(),
            Print::Link => extraction.link.is_some(),
            Print::Message => true,
        };
        let why = extraction.misses.join("; ");
        if let Ok(mut last) = self.last.lock() {
            *last = Some((message.id.clone(), extraction));
        }
        if found { Ok(()) } else { Err(why) }
    }

    /// The extraction of `message`, reusing the one the wait made.
    fn extract(&self, message: &Message) -> Extraction {
        let cached = self.last.lock().ok().and_then(|mut last| last.take());
        match cached {
            Some((id, extraction)) if id == message.id => extraction,
            _ => self.run(message),
        }
    }
}

pub(crate) async fn expect_none(
    client: &Client,
    args: ExpectNoneArgs,
    ui: Ui,
    started: SystemTime,
) -> Result<ExitCode, Failure> {
    let wait = settings::wait(client, &args.filter, Some(args.duration), started)?;
    let (events, received) = tokio::sync::mpsc::unbounded_channel();
    let spinner = tokio::spawn(progress::show(received, progress::wanted(ui.is_quiet())));
    let outcome = wait.events(events).expect_none().await;
    let _ = spinner.await;
    outcome?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::local_inbox;

    #[test]
    fn only_a_local_server_has_an_inbox_to_point_to() {
        assert_eq!(local_inbox("http://127.0.0.1:8025/api/v2").as_deref(), Some("http://127.0.0.1:8025/"));
        assert_eq!(local_inbox("http://localhost:8025/api/v2/").as_deref(), Some("http://localhost:8025/"));
        assert_eq!(local_inbox("https://api.22.do/api/v2"), None);
        assert_eq!(local_inbox("http://10.0.0.5:8025/api/v2"), None);
    }
}
