//! Retries: backoff on 429, 5xx and transport failures; purchases are not
//! repeated blindly.

use std::time::{Duration, Instant};

use crate::fake::{ClientFor, Fake, Fault};

#[tokio::test]
async fn a_429_is_retried_after_the_pause_the_server_asks_for() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    client.domains().await.unwrap();
    fake.inject(Fault::status("/domains", 429).retry_after("1"));
    let started = Instant::now();
    let domains = client.domains().await.unwrap();
    assert!(!domains.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(950), "Retry-After: 1 was honoured: {:?}", started.elapsed());
    assert_eq!(fake.count("/domains"), 3);
}

#[tokio::test]
async fn a_storm_of_429s_and_5xx_is_ridden_out() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    fake.inject(Fault::status("/domains", 429));
    fake.inject(Fault::status("/domains", 503));
    fake.inject(Fault::status("/domains", 429));
    fake.inject(Fault::raw("/domains", 502, "<html>Bad Gateway</html>"));
    client.domains().await.unwrap();
    assert_eq!(fake.count("/domains"), 5);
}

#[tokio::test]
async fn retries_are_bounded() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.builder(cache.path()).max_retries(3).build().unwrap();
    for _ in 0..10 {
        fake.inject(Fault::status("/domains", 500));
    }
    let err = client.domains().await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(fake.count("/domains"), 4, "the first try and three retries");
}

#[tokio::test]
async fn a_purchase_is_not_repeated_after_a_server_error() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    fake.inject(Fault::status("/gmail/purchase", 502));
    let err = client.gmail().purchase(1).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(fake.count("/gmail/purchase"), 1, "the purchase may have gone through: never sent twice");

    fake.inject(Fault::status("/microsoft/purchase", 500));
    client.microsoft().purchase(1).await.unwrap_err();
    assert_eq!(fake.count("/microsoft/purchase"), 1);
}

#[tokio::test]
async fn a_purchase_refused_with_429_is_retried() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    fake.inject(Fault::status("/gmail/purchase", 429));
    let bought = client.gmail().purchase(2).await.unwrap();
    assert_eq!(bought.items.len(), 2);
    assert_eq!(fake.count("/gmail/purchase"), 2);
}
