//! Every endpoint, called through the client and decoded.

use otpcatch_core::{DomainKind, Family, Filter};

use crate::fake::{ClientFor, Fake};

#[tokio::test]
async fn domains_premium_and_private() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    let all = client.domains().await.unwrap();
    assert_eq!(all[0].name, "otpcatch.test");
    assert_eq!(client.premium_domains().await.unwrap().len(), 2);
    let private = client.private_domains().await.unwrap();
    assert_eq!((private[0].kind, private[0].mx_ok), (DomainKind::Private, Some(true)));
    assert_eq!(fake.count("/domains"), 1);
    assert_eq!(fake.count("/domains/premium"), 1);
    assert_eq!(fake.count("/domains/private"), 1);
}

#[tokio::test]
async fn accounts_of_each_kind() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    let plain = client.create_account().await.unwrap();
    assert!(plain.email.ends_with("@otpcatch.test"));
    assert_eq!(plain.email, format!("{}@{}", plain.local_part, plain.domain));
    let premium = client.create_premium_account().await.unwrap();
    assert_eq!(premium.kind, DomainKind::Premium);
    let private = client.create_private_account().await.unwrap();
    assert_eq!((private.domain.as_str(), private.kind), ("mine.test", DomainKind::Private));
    let mailbox = client.create_mailbox().await.unwrap();
    assert_eq!(mailbox.family(), Family::Temp);
    assert!(mailbox.address().ends_with("@otpcatch.test"));
}

#[tokio::test]
async fn inbox_message_and_delete() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    let id = fake.deliver("a@otpcatch.test", "Shop <noreply@shop.test>", "Your code", "<p>123456</p>");
    fake.deliver("other@otpcatch.test", "x", "not for a", "");

    let listing = client.inbox(Family::Temp, "a@otpcatch.test", None).await.unwrap();
    assert_eq!(listing.len(), 1);
    assert_eq!((listing[0].id.as_str(), listing[0].subject.as_str()), (id.as_str(), "Your code"));
    assert!(listing[0].expires_at > listing[0].time);
    let later = client.inbox(Family::Temp, "a@otpcatch.test", Some(listing[0].time)).await.unwrap();
    assert!(later.is_empty(), "time filters out what is not newer");

    let message = client.message(Family::Temp, &id).await.unwrap();
    assert_eq!(message.html, "<p>123456</p>");
    assert_eq!(message.text, "text of Your code");
    assert_eq!(message.recipients, ["a@otpcatch.test"]);

    client.delete_message(Family::Temp, &id).await.unwrap();
    assert!(client.inbox(Family::Temp, "a@otpcatch.test", None).await.unwrap().is_empty());
    let gone = client.message(Family::Temp, &id).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
}

#[tokio::test]
async fn gmail_family() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    let list = client.gmail().list(2, 10).await.unwrap();
    assert_eq!((list.page, list.page_size, list.total), (2, 10, 2));
    let bought = client.gmail().purchase(3).await.unwrap();
    assert_eq!(bought.items.len(), 3);
    let generated = client.gmail().generate(Some("aa.bb.cc"), 2, true).await.unwrap();
    assert_eq!(generated.items, ["aa.bb.cc+tag0", "aa.bb.cc+tag1"]);
    let mailbox = client.gmail().create_mailbox(Some("aa.bb.cc")).await.unwrap();
    assert_eq!(mailbox.address(), "aa.bb.cc+tag0@gmail.com");
    assert_eq!(mailbox.family(), Family::Gmail);

    let id = fake.deliver(mailbox.address(), "g", "gmail code", "<b>4242</b>");
    let message = mailbox.wait_for(Filter::new()).await.unwrap();
    assert_eq!(message.id, id);
    mailbox.delete(&id).await.unwrap();
    assert_eq!(fake.count("/gmail/inbox"), 1);
    assert_eq!(fake.count("/gmail/message"), 2, "one read and one delete");
    assert_eq!(fake.count("/inbox"), 0, "gmail never uses the temp-mail inbox");
}

#[tokio::test]
async fn microsoft_family() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    let list = client.microsoft().list(1, 20).await.unwrap();
    assert_eq!(list.items, ["someone@outlook.com"]);
    let bought = client.microsoft().purchase(2).await.unwrap();
    assert_eq!(bought.items, ["bought0@outlook.com", "bought1@outlook.com"]);
    let mailbox = client.microsoft().create_mailbox(None).await.unwrap();
    assert_eq!(mailbox.address(), "someone+tag0@outlook.com");
    assert_eq!(mailbox.family(), Family::Microsoft);

    let id = fake.deliver(mailbox.address(), "m", "ms code", "");
    let listing = mailbox.messages().await.unwrap();
    assert_eq!(listing[0].id, id);
    assert_eq!(mailbox.message(&id).await.unwrap().subject, "ms code");
    mailbox.delete(&id).await.unwrap();
    assert_eq!(fake.count("/microsoft/inbox"), 1);
    assert_eq!(fake.count("/microsoft/message"), 2);
}

#[tokio::test]
async fn a_mailbox_for_an_existing_address_guesses_its_family() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    assert_eq!(client.mailbox("x.y+z@gmail.com").family(), Family::Gmail);
    assert_eq!(client.mailbox("x@otpcatch.test").family(), Family::Temp);
    assert_eq!(client.mailbox_in(Family::Microsoft, "x@corp.test").family(), Family::Microsoft);
}
