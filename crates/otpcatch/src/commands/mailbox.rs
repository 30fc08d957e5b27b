//! The API's plain endpoints: addresses, domains, inboxes, messages, and
//! the Gmail and Microsoft families.

use std::process::ExitCode;

use otpcatch_core::{Client, Family, Message};
use otpcatch_wire as wire;

use crate::cli::FamilyCommand;
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
        print_value(&account.email)?;
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
        print_value(&format!("{}\t{}", domain.name, domain.kind.name()))?;
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
    let listing = client.inbox(family, address, since).await?;
    for message in listing {
        if json {
            print_json(&wire::MessageSummary::from(message))?;
        } else {
            print_value(&format!("{}\t{}\t{}\t{}", message.id, message.time, message.from, message.subject))?;
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
    if json {
        print_json(&wire::MessageDetail::from(message))
    } else {
        print_value(&format!(
            "From: {}\nTo: {}\nSubject: {}\nDate: {}\n\n{}",
            message.from,
            message.to,
            message.subject,
            message.time,
            if message.text.is_empty() { &message.html } else { &message.text }
        ))
    }
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
