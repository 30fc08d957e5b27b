//! The API's plain endpoints: addresses, domains, inboxes, messages, and
//! the Gmail and Microsoft families.

use std::process::ExitCode;

use otpcatch_core::{Client, Family, Message};
use otpcatch_wire as wire;

use crate::cli::FamilyCommand;
use crate::escape::{field, text};
use crate::exit::Failure;
use crate::output::{AddressJson, print_json, print_value, print_values};

pub(crate) async fn new_address(
    client: &Client,
    premium: bool,
    private: bool,
    json: bool,
) -> Result<ExitCode, Failure> {
    let account = if private {
        client.create_private_account().await?
    } else if premium {
        client.create_premium_account().await?
    } else {
        client.create_account().await?
    };
    if json {
        print_json(&AddressJson::new(&account))?;
    } else {
        print_value(&field(&account.email))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn domains(client: &Client, premium: bool, private: bool) -> Result<ExitCode, Failure> {
    let domains = if premium {
        client.premium_domains().await?
    } else if private {
        client.private_domains().await?
    } else {
        client.domains().await?
    };
    for domain in domains {
        print_value(&format!("{}\t{}", field(&domain.name), domain.kind.name()))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn inbox(
    client: &Client,
    family: Family,
    address: &str,
    since: Option<i64>,
    json: bool,
) -> Result<ExitCode, Failure> {
    // The API lists mail received strictly after `time`; `--since` is "at or
    // after", as it is for the wait commands.
    let listing = client.inbox(family, address, since.map(|at| at.saturating_sub(1))).await?;
    for message in listing {
        if json {
            print_json(&wire::MessageSummary::from(message))?;
        } else {
            let (id, from, subject) = (field(&message.id), field(&message.from), field(&message.subject));
            print_value(&format!("{id}\t{}\t{from}\t{subject}", message.time))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn message(client: &Client, family: Family, id: &str, json: bool) -> Result<ExitCode, Failure> {
    let message = client.message(family, id).await?;
    print_message(message, json)?;
    Ok(ExitCode::SUCCESS)
}

fn print_message(message: Message, json: bool) -> Result<(), Failure> {
    if json { print_json(&wire::MessageDetail::from(message)) } else { print_value(&message_text(&message)) }
}

/// `message` in text mode: its headers, its attachments, then its text
/// part (or its HTML, if it has no text), every field escaped.
fn message_text(message: &Message) -> String {
    let date = u64::try_from(message.time)
        .ok()
        .and_then(|secs| std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(secs)))
        .map_or_else(|| message.time.to_string(), |at| humantime::format_rfc3339_seconds(at).to_string());
    let mut out = format!(
        "From: {}\nTo: {}\nSubject: {}\nDate: {date}\n",
        field(&message.from),
        field(&message.to),
        field(&message.subject)
    );
    for attachment in &message.attachments {
        out.push_str(&format!(
            "Attachment: {} ({}, {} bytes)\n",
            field(&attachment.filename),
            field(&attachment.content_type),
            attachment.size
        ));
    }
    let body = if message.text.is_empty() { &message.html } else { &message.text };
    out.push('\n');
    out.push_str(&text(body));
    out
}

pub(crate) async fn delete(client: &Client, family: Family, id: &str) -> Result<ExitCode, Failure> {
    client.delete_message(family, id).await?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn family(client: &Client, family: Family, command: FamilyCommand) -> Result<ExitCode, Failure> {
    match command {
        FamilyCommand::List { page, limit } => {
            let items = match family {
                Family::Microsoft => client.microsoft().list(page, limit).await?.items,
                _ => client.gmail().list(page, limit).await?.items,
            };
            print_values(&items)?;
        }
        FamilyCommand::Purchase { number } => {
            let items = match family {
                Family::Microsoft => client.microsoft().purchase(number).await?.items,
                _ => client.gmail().purchase(number).await?.items,
            };
            print_values(&items)?;
        }
        FamilyCommand::Generate { id, number, plus } => match family {
            Family::Microsoft => {
                let generated = client.microsoft().generate(id.as_deref(), number, plus).await?;
                print_values(&generated.items)?;
            }
            _ => {
                let generated = client.gmail().generate(id.as_deref(), number, plus).await?;
                let domain = generated.domains.first().map_or("@gmail.com", String::as_str);
                let addresses: Vec<String> = generated.items.iter().map(|item| format!("{item}{domain}")).collect();
                print_values(&addresses)?;
            }
        },
        FamilyCommand::Inbox { address, json } => return inbox(client, family, &address, None, json).await,
        FamilyCommand::Message { id, json } => return message(client, family, &id, json).await,
        FamilyCommand::Delete { id } => return delete(client, family, &id).await,
    }
    Ok(ExitCode::SUCCESS)
}
