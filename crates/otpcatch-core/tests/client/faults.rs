//! Faults a real network and a real service produce: dropped connections,
//! stalls, sloppy listings. Every wait returns the right message exactly
//! once, or fails clearly within its timeout.

use std::time::{Duration, Instant};

use otpcatch_core::Filter;

use crate::fake::{ClientFor, Fake, Fault};

const FAST: Duration = Duration::from_millis(20);

#[tokio::test]
async fn a_connection_dropped_mid_response_is_retried() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    client.domains().await.unwrap();
    fake.inject(Fault::cut("/domains"));
    let domains = client.domains().await.unwrap();
    assert!(!domains.is_empty());
    assert_eq!(fake.count("/domains"), 3, "the cut response, then the retry");
}

#[tokio::test]
async fn a_stalled_request_times_out_and_is_retried() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.builder(cache.path()).request_timeout(Duration::from_millis(300)).build().unwrap();
    client.domains().await.unwrap();
    fake.inject(Fault::stall("/domains", Duration::from_secs(5)));
    let started = Instant::now();
    client.domains().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_wait_through_stalls_and_cuts_still_finds_its_message() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.builder(cache.path()).request_timeout(Duration::from_millis(300)).max_retries(0).build().unwrap();
    let mailbox = client.create_mailbox().await.unwrap();
    fake.inject(Fault::stall("/inbox", Duration::from_secs(5)));
    fake.inject(Fault::cut("/inbox"));
    fake.inject(Fault::raw("/inbox", 200, "not json at all"));
    let id = fake.deliver(mailbox.address(), "s", "code", "");
    let started = Instant::now();
    let message = mailbox.wait_for(Filter::new()).poll_interval(FAST, FAST).timeout(Duration::from_secs(10)).await;
    let message = message.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(message.id, id);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_sloppy_listing_yields_each_message_once_in_arrival_order() {
    let fake = Fake::start().await;
    fake.sloppy_listings();
    let cache = tempfile::tempdir().unwrap();
    let mailbox = fake.client(cache.path()).create_mailbox().await.unwrap();
    fake.set_clock(1_750_000_000);
    let first = fake.deliver(mailbox.address(), "s", "first", "");
    fake.set_clock(1_750_000_001);
    let second = fake.deliver(mailbox.address(), "s", "second", "");
    let wait = || mailbox.wait_for(Filter::new()).poll_interval(FAST, FAST).timeout(Duration::from_secs(5));
    assert_eq!(wait().await.unwrap().id, first);
    assert_eq!(wait().nth(2).await.unwrap().id, second, "duplicates are not counted as matches");
    let err = wait().nth(3).timeout(Duration::from_millis(300)).await.unwrap_err();
    assert_eq!(err.wait_timeout().unwrap().matched, 2);
}

#[tokio::test]
async fn a_wait_against_a_server_that_only_stalls_fails_within_its_timeout() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.builder(cache.path()).request_timeout(Duration::from_secs(30)).build().unwrap();
    let mailbox = client.create_mailbox().await.unwrap();
    for _ in 0..5 {
        fake.inject(Fault::stall("/inbox", Duration::from_secs(20)));
    }
    let started = Instant::now();
    let err = mailbox.wait_for(Filter::new()).timeout(Duration::from_millis(500)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "the wait's timeout bounds it: {:?}", started.elapsed());
    // The listing's own timeout ends before the wait's, so the error says
    // why the inbox could not be listed.
    assert_eq!(err.transport_failure(), Some(otpcatch_core::TransportFailure::TimedOut), "{err}");
    assert!(err.to_string().contains("POST /inbox got no answer: it timed out"), "{err}");
}
