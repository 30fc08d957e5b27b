//! The emulated Gmail and Microsoft families.

use std::time::Duration;

use otpcatch_core::{Family, Filter};
use otpcatch_server::ServerConfig;

use crate::support::{send, start, start_with};

#[tokio::test]
async fn gmail_ids_are_bought_varied_and_receive_mail_on_every_variant() {
    let (server, client, _cache) = start().await;
    let bought = client.gmail().purchase(2).await.unwrap();
    assert_eq!(bought.items.len(), 2);
    assert_eq!(bought.domains, ["@gmail.com", "@googlemail.com"]);
    let list = client.gmail().list(1, 1).await.unwrap();
    assert_eq!((list.total, list.page_size, list.page, list.items.len()), (2, 1, 1, 1));
    assert_eq!(client.gmail().list(2, 1).await.unwrap().items.len(), 1);

    let id = &bought.items[0];
    let dotted = client.gmail().generate(Some(id), 3, false).await.unwrap();
    let tagged = client.gmail().generate(Some(id), 3, true).await.unwrap();
    assert!(tagged.items.iter().all(|v| v.starts_with(&format!("{id}+"))), "{tagged:?}");
    let plain: String = id.chars().filter(|&c| c != '.').collect();
    assert!(dotted.items.iter().all(|v| v.replace('.', "") == plain), "{dotted:?}");

    let variant = format!("{}@googlemail.com", tagged.items[0]);
    send(&server, &variant, "to a variant", "t", "<p>h</p>").await;
    let other_variant = format!("{}@gmail.com", dotted.items[0]);
    let listing = client.inbox(Family::Gmail, &other_variant, None).await.unwrap();
    assert_eq!(listing.len(), 1, "every variant reads the id's inbox");
    assert_eq!(listing[0].to, variant);

    let mailbox = client.gmail().create_mailbox(Some(id)).await.unwrap();
    let message = mailbox.wait_for(Filter::new()).timeout(Duration::from_secs(5)).await.unwrap();
    mailbox.delete(&message.id).await.unwrap();
    assert!(client.inbox(Family::Gmail, &variant, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn gmail_mail_is_refused_for_ids_nobody_bought() {
    let (server, client, _cache) = start().await;
    let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.smtp_addr().port())
        .build();
    let message = lettre::Message::builder()
        .from("a@shop.test".parse().unwrap())
        .to("not.bought@gmail.com".parse().unwrap())
        .subject("x")
        .body("x".to_owned())
        .unwrap();
    use lettre::AsyncTransport;
    let err = transport.send(message).await.unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert!(client.inbox(Family::Gmail, "not.bought@gmail.com", None).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn purchases_are_limited_by_the_balance() {
    let config = ServerConfig { balance: 3.0, price: 1.0, ..ServerConfig::ephemeral() };
    let (_server, client, _cache) = start_with(config).await;
    client.gmail().purchase(2).await.unwrap();
    let err = client.microsoft().purchase(2).await.unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert!(err.server_msg().unwrap().contains("insufficient balance"), "{err}");
    assert_eq!(client.microsoft().purchase(1).await.unwrap().items.len(), 1);
    let none_left = client.gmail().generate(Some("never.bought"), 1, true).await.unwrap_err();
    assert!(none_left.is_not_found(), "{none_left}");
}

#[tokio::test]
async fn microsoft_accounts_receive_mail_on_their_variants() {
    let (server, client, _cache) = start().await;
    let bought = client.microsoft().purchase(1).await.unwrap();
    let account = &bought.items[0];
    assert!(account.ends_with("@outlook.com"));
    assert_eq!(&client.microsoft().list(1, 20).await.unwrap().items, std::slice::from_ref(account));
    let generated = client.microsoft().generate(Some(account), 2, true).await.unwrap();
    let variant = &generated.items[0];
    assert!(variant.ends_with("@outlook.com") && variant.contains('+'), "{variant}");
    send(&server, variant, "ms mail", "t", "<p>h</p>").await;
    let listing = client.inbox(Family::Microsoft, account, None).await.unwrap();
    assert_eq!(listing[0].subject, "ms mail");
    let message = client.message(Family::Microsoft, &listing[0].id).await.unwrap();
    assert_eq!(message.to, *variant);
    assert!(client.message(Family::Temp, &listing[0].id).await.unwrap_err().is_not_found(), "families stay apart");
    client.delete_message(Family::Microsoft, &listing[0].id).await.unwrap();
}
