//! The wait engine against the fake: races, de-duplication, picks,
//! diagnostics, expect-none, cancellation and push.

use std::time::{Duration, Instant};

use otpcatch_core::{Filter, Message, Wait, WaitEvent};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::fake::{ClientFor, Fake, Fault};

const FAST: Duration = Duration::from_millis(20);

#[tokio::test]
async fn mail_that_landed_before_the_wait_is_found() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    let id = fake.deliver(mailbox.address(), "Shop", "Verify your email", "<p>code 123456</p>");
    let message = mailbox.wait_for(Filter::new().subject("verify").unwrap()).timeout(Duration::from_secs(5)).await;
    assert_eq!(message.unwrap().id, id);
}

#[tokio::test]
async fn mail_that_lands_during_the_wait_is_found_and_others_are_skipped() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    let address = mailbox.address().to_owned();
    fake.deliver(&address, "Newsletter <news@shop.test>", "This week's deals", "");
    let waiting = tokio::spawn(
        mailbox
            .wait_for(Filter::new().from("noreply@shop").unwrap().subject("code").unwrap())
            .poll_interval(FAST, FAST)
            .timeout(Duration::from_secs(5))
            .into_future(),
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    fake.deliver(&address, "Shop <noreply@shop.test>", "Your receipt", "");
    let id = fake.deliver(&address, "Shop <noreply@shop.test>", "Your code", "<b>654321</b>");
    let message = waiting.await.unwrap().unwrap();
    assert_eq!(message.id, id);
    assert_eq!(message.html, "<b>654321</b>");
}

#[tokio::test]
async fn a_message_is_neither_missed_nor_counted_twice_at_a_second_boundary() {
    let fake = Fake::start().await;
    fake.set_clock(1_750_000_000);
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    let address = mailbox.address().to_owned();
    let first = fake.deliver(&address, "s", "code 1", "");
    let (events, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let waiting = tokio::spawn(
        mailbox
            .wait_for(Filter::new())
            .nth(2)
            .poll_interval(FAST, FAST)
            .events(events)
            .timeout(Duration::from_secs(5))
            .into_future(),
    );
    // Let the wait list `first`, then deliver a second message stamped with the same second.
    loop {
        if let Some(WaitEvent::Polled { listed: 1, .. }) = seen.recv().await {
            break;
        }
    }
    let second = fake.deliver(&address, "s", "code 2", "");
    let message = waiting.await.unwrap().unwrap();
    assert_ne!(message.id, first, "the first message was counted twice");
    assert_eq!(message.id, second);
}

#[tokio::test]
async fn nth_and_latest_pick_among_several_matches() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    fake.set_clock(1_750_000_000);
    let a = fake.deliver(mailbox.address(), "s", "code", "1");
    fake.set_clock(1_750_000_001);
    let b = fake.deliver(mailbox.address(), "s", "code", "2");
    fake.set_clock(1_750_000_002);
    let c = fake.deliver(mailbox.address(), "s", "code", "3");
    let wait = || mailbox.wait_for(Filter::new()).timeout(Duration::from_secs(5));
    assert_eq!(wait().await.unwrap().id, a, "the first match by default");
    assert_eq!(wait().nth(2).await.unwrap().id, b);
    assert_eq!(wait().latest().await.unwrap().id, c);
}

#[tokio::test]
async fn only_new_ignores_what_is_already_there() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    let address = mailbox.address().to_owned();
    fake.deliver(&address, "s", "first code", "");
    let (events, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let waiting = tokio::spawn(
        mailbox
            .wait_for(Filter::new())
            .only_new()
            .poll_interval(FAST, FAST)
            .events(events)
            .timeout(Duration::from_secs(5))
            .into_future(),
    );
    while !matches!(seen.recv().await, Some(WaitEvent::Polled { .. })) {}
    let second = fake.deliver(&address, "s", "second code", "");
    assert_eq!(waiting.await.unwrap().unwrap().id, second);
}

#[tokio::test]
async fn a_body_filter_reads_candidates_in_full() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    fake.deliver(mailbox.address(), "s", "hello", "<p>no code here</p>");
    let id = fake.deliver(mailbox.address(), "s", "hello", "<p>your code is 99887766</p>");
    let message = mailbox.wait_for(Filter::new().body(r"\b\d{8}\b").unwrap()).timeout(Duration::from_secs(5)).await;
    assert_eq!(message.unwrap().id, id);
}

#[tokio::test]
async fn delete_after_read_removes_the_message() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    fake.deliver(mailbox.address(), "s", "code", "");
    mailbox.wait_for(Filter::new()).delete_after_read().timeout(Duration::from_secs(5)).await.unwrap();
    assert!(mailbox.messages().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_timeout_lists_what_arrived_and_did_not_match() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    fake.deliver(mailbox.address(), "Shop <news@shop.test>", "Weekly deals", "");
    fake.deliver(mailbox.address(), "Bank <alerts@bank.test>", "New sign-in", "");
    let started = Instant::now();
    let err = mailbox
        .wait_for(Filter::new().subject("verify").unwrap())
        .poll_interval(Duration::from_millis(100), Duration::from_millis(200))
        .timeout(Duration::from_millis(800))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "the timeout is kept");
    assert!(err.is_wait_timeout());
    let details = err.wait_timeout().unwrap();
    assert_eq!(details.address, mailbox.address());
    assert_eq!(details.filter, "subject ~ /verify/");
    assert!(details.waited >= Duration::from_millis(800));
    assert!(details.polls >= 3, "{} polls", details.polls);
    let subjects: Vec<_> = details.unmatched.iter().map(|u| u.subject.as_str()).collect();
    assert_eq!(subjects, ["Weekly deals", "New sign-in"]);
    let text = err.to_string();
    assert!(text.contains("no message matching subject ~ /verify/ arrived at"), "{text}");
    assert!(text.contains("2 other message(s) arrived:"), "{text}");
    assert!(text.contains(r#"from "Bank <alerts@bank.test>" subject "New sign-in""#), "{text}");
    assert!(text.contains("hint: mail arrived but none matched"), "{text}");
}

#[tokio::test]
async fn a_timeout_with_no_mail_at_all_says_so() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    let err = mailbox.wait_for(Filter::new()).timeout(Duration::from_millis(300)).await.unwrap_err();
    assert!(err.to_string().contains("no other mail arrived"), "{err}");
    assert!(err.to_string().contains("hint: no mail arrived at all"), "{err}");
}

#[tokio::test]
async fn expect_none_succeeds_when_nothing_matches() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    fake.deliver(mailbox.address(), "s", "Welcome", "");
    let started = Instant::now();
    let verdict = mailbox
        .wait_for(Filter::new().subject("password reset").unwrap())
        .poll_interval(FAST, Duration::from_millis(100))
        .timeout(Duration::from_millis(500))
        .expect_none()
        .await;
    assert!(verdict.is_ok(), "{verdict:?}");
    assert!(started.elapsed() >= Duration::from_millis(500), "it waited the whole time");
}

#[tokio::test]
async fn expect_none_fails_on_a_match_even_one_that_lands_at_the_last_moment() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    let address = mailbox.address().to_owned();
    let delivering = async {
        tokio::time::sleep(Duration::from_millis(600)).await;
        fake.deliver(&address, "Shop", "Password reset", "");
    };
    // Polls at 0 s and then only every 5 s: only the final check can see the message.
    let expectation = mailbox
        .wait_for(Filter::new().subject("reset").unwrap())
        .poll_interval(Duration::from_secs(5), Duration::from_secs(5))
        .timeout(Duration::from_secs(1))
        .expect_none();
    let (verdict, ()) = tokio::join!(expectation, delivering);
    let err = verdict.unwrap_err();
    assert!(err.is_unexpected_message(), "{err:?}");
    assert!(err.to_string().contains(r#"subject "Password reset""#), "{err}");
}

#[tokio::test]
async fn transient_failures_during_a_wait_do_not_end_it() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.builder(cache.path()).max_retries(0).build().unwrap();
    let mailbox = client.create_mailbox().await.unwrap();
    for status in [503, 502, 429] {
        fake.inject(Fault::status("/inbox", status));
    }
    let id = fake.deliver(mailbox.address(), "s", "code", "");
    let message = mailbox.wait_for(Filter::new()).poll_interval(FAST, FAST).timeout(Duration::from_secs(5)).await;
    assert_eq!(message.unwrap().id, id);
    assert_eq!(fake.count("/inbox"), 4);
}

#[tokio::test]
async fn a_wait_that_only_ever_failed_reports_the_failure() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.builder(cache.path()).max_retries(0).build().unwrap();
    let mailbox = client.create_mailbox().await.unwrap();
    for _ in 0..200 {
        fake.inject(Fault::status("/inbox", 503));
    }
    let err = mailbox.wait_for(Filter::new()).poll_interval(FAST, FAST).timeout(Duration::from_millis(300)).await;
    let err = err.unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
}

#[tokio::test]
async fn dropping_a_wait_stops_polling() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    let waiting = tokio::spawn(mailbox.wait_for(Filter::new()).poll_interval(FAST, FAST).into_future());
    tokio::time::sleep(Duration::from_millis(200)).await;
    waiting.abort();
    let _ = waiting.await;
    let polls = fake.count("/inbox");
    assert!(polls >= 2, "it was polling: {polls}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.count("/inbox"), polls, "no request after the wait was dropped");
}

/// Starts `wait` with polls 30 s apart, so that only push can end it
/// quickly; returns it and its progress events.
fn start_slow_polling(
    wait: Wait,
) -> (tokio::task::JoinHandle<otpcatch_core::Result<Message>>, UnboundedReceiver<WaitEvent>) {
    let (events, seen) = tokio::sync::mpsc::unbounded_channel();
    let wait = wait
        .poll_interval(Duration::from_secs(30), Duration::from_secs(30))
        .events(events)
        .timeout(Duration::from_secs(20));
    (tokio::spawn(wait.into_future()), seen)
}

/// Waits until the wait has subscribed and listed once: what comes after
/// comes by push.
async fn until_listed(seen: &mut UnboundedReceiver<WaitEvent>) {
    while !matches!(seen.recv().await, Some(WaitEvent::Polled { .. })) {}
}

#[tokio::test]
async fn push_wakes_the_wait_instead_of_a_timer() {
    let fake = Fake::start().await;
    fake.enable_push();
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    let (waiting, mut seen) = start_slow_polling(mailbox.wait_for(Filter::new()));
    while seen.recv().await != Some(WaitEvent::PushConnected) {}
    tokio::time::sleep(Duration::from_millis(100)).await;
    let delivered = Instant::now();
    let id = fake.deliver(mailbox.address(), "s", "code", "");
    let message = waiting.await.unwrap().unwrap();
    assert_eq!(message.id, id);
    assert!(delivered.elapsed() < Duration::from_secs(2), "woken by push: {:?}", delivered.elapsed());
    assert_eq!(fake.count("/inbox/events"), 1);
    assert_eq!(fake.count("/inbox"), 2, "subscribed first (the client knew of push), then listed, then the event");
}

#[tokio::test]
async fn a_message_pushed_whole_is_judged_without_listing_or_reading() {
    let fake = Fake::start().await;
    fake.enable_push_whole();
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    let (waiting, mut seen) = start_slow_polling(mailbox.wait_for(Filter::new().body("Your code is 4242").unwrap()));
    until_listed(&mut seen).await;
    fake.deliver(mailbox.address(), "News", "Deals", "<p>50% off</p>");
    let id = fake.deliver(mailbox.address(), "Shop", "Verify", "<p>Your code is 4242</p>");
    let message = waiting.await.unwrap().unwrap();
    assert_eq!((message.id.as_str(), message.html.as_str()), (id.as_str(), "<p>Your code is 4242</p>"));
    assert_eq!(fake.count("/inbox"), 1, "listed once, before the events");
    assert_eq!(fake.count("/inbox/message"), 0, "both bodies came in the events");
}

#[tokio::test]
async fn a_pushed_message_counts_once_among_listed_ones() {
    let fake = Fake::start().await;
    fake.enable_push_whole();
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    let first = fake.deliver(mailbox.address(), "Shop", "code 1", "");
    let (waiting, mut seen) = start_slow_polling(mailbox.wait_for(Filter::new()).nth(3));
    until_listed(&mut seen).await;
    let second = fake.deliver(mailbox.address(), "Shop", "code 2", "");
    // A wake-up lists the inbox, which shows the second message again.
    fake.wake(mailbox.address());
    let third = fake.deliver(mailbox.address(), "Shop", "code 3", "");
    let message = waiting.await.unwrap().unwrap();
    assert_eq!(message.id, third, "the third distinct message, after {first} and {second}");
    assert_eq!(fake.count("/inbox"), 2, "the first listing and the one the wake-up asked for");
}

#[tokio::test]
async fn progress_events_tell_the_story_of_a_wait() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    fake.deliver(mailbox.address(), "News", "Deals", "");
    fake.set_clock(crate::fake::now() + 1);
    fake.deliver(mailbox.address(), "Shop", "Your code", "");
    let (events, mut seen) = tokio::sync::mpsc::unbounded_channel();
    mailbox.wait_for(Filter::new().subject("code").unwrap()).events(events).await.unwrap();
    let mut story = Vec::new();
    while let Ok(event) = seen.try_recv() {
        story.push(event);
    }
    assert!(matches!(&story[0], WaitEvent::Started { filter, .. } if filter == "subject ~ /code/"));
    assert!(matches!(&story[1], WaitEvent::Polled { polls: 1, listed: 2 }));
    assert!(matches!(&story[2], WaitEvent::Arrived { subject, matched: false, .. } if subject == "Deals"));
    assert!(matches!(&story[3], WaitEvent::Arrived { subject, matched: true, .. } if subject == "Your code"));
    assert!(matches!(&story[4], WaitEvent::Matched { .. }));
}

/// A requirement that a message's HTML holds a six-digit number, as the
/// command line requires a code.
fn has_digits(message: &Message) -> Result<(), String> {
    let digits = message.html.chars().filter(char::is_ascii_digit).count();
    if digits >= 6 { Ok(()) } else { Err("no code in it".to_owned()) }
}

#[tokio::test]
async fn a_required_value_passes_over_messages_without_it() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    fake.deliver(mailbox.address(), "Shop", "Welcome", "<p>Thanks for joining</p>");
    let id = fake.deliver(mailbox.address(), "Shop", "Your code", "<p>code 246810</p>");
    let (events, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let message = mailbox
        .wait_for(Filter::new())
        .require("a code", has_digits)
        .events(events)
        .timeout(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(message.id, id, "the welcome mail is passed over");
    let mut passed_over = Vec::new();
    while let Ok(event) = seen.try_recv() {
        if let WaitEvent::PassedOver { subject, why, .. } = event {
            passed_over.push((subject, why));
        }
    }
    assert_eq!(passed_over, [("Welcome".to_owned(), "no code in it".to_owned())]);
}

#[tokio::test]
async fn a_timeout_lists_the_messages_passed_over_and_why() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    fake.deliver(mailbox.address(), "Shop", "Welcome", "<p>Thanks for joining</p>");
    let err = mailbox
        .wait_for(Filter::new())
        .require("a code", has_digits)
        .poll_interval(FAST, FAST)
        .timeout(Duration::from_millis(500))
        .await
        .unwrap_err();
    let timeout = err.wait_timeout().expect("a timeout");
    assert_eq!((timeout.matched, timeout.required.as_deref()), (0, Some("a code")));
    assert_eq!(timeout.passed_over.len(), 1);
    assert_eq!(
        (timeout.passed_over[0].subject.as_str(), timeout.passed_over[0].why.as_str()),
        ("Welcome", "no code in it")
    );
    let text = err.to_string();
    assert!(text.starts_with("no message with a code arrived at"), "{text}");
    assert!(
        text.contains("1 matching message(s) had no code:\n  from \"Shop\" subject \"Welcome\": no code in it"),
        "{text}"
    );
    assert!(text.contains("hint: mail matched but none had a code"), "{text}");
}

#[tokio::test]
async fn expect_none_and_nth_count_only_messages_with_the_required_value() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    fake.deliver(mailbox.address(), "Shop", "Welcome", "<p>Thanks for joining</p>");
    let quiet = mailbox.wait_for(Filter::new()).require("a code", has_digits).poll_interval(FAST, FAST);
    quiet.timeout(Duration::from_millis(300)).expect_none().await.unwrap();
    let first = fake.deliver(mailbox.address(), "Shop", "Your code", "<p>code 111111</p>");
    fake.deliver(mailbox.address(), "Shop", "Tips", "<p>no digits</p>");
    let second = fake.deliver(mailbox.address(), "Shop", "Your new code", "<p>code 222222</p>");
    let wait = || mailbox.wait_for(Filter::new()).require("a code", has_digits).timeout(Duration::from_secs(5));
    assert_eq!(wait().nth(2).await.unwrap().id, second);
    assert_eq!(wait().nth(1).await.unwrap().id, first);
}
