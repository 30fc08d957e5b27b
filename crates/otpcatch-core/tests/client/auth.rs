//! The Bearer: exchanged once, cached on disk, renewed before expiry and
//! after a 401.

use std::time::Duration;

use crate::fake::{self, ADDRESS, API_TOKEN, ClientFor, Fake, Fault, PASSWORD};

#[tokio::test]
async fn one_exchange_serves_many_calls_and_clients_sharing_a_cache() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    for _ in 0..5 {
        client.domains().await.unwrap();
    }
    assert_eq!(fake.exchanges(), 1);

    // A new client is what a new CLI process has: nothing in memory.
    for _ in 0..5 {
        fake.client(cache.path()).domains().await.unwrap();
    }
    assert_eq!(fake.exchanges(), 1, "later processes reuse the cached Bearer");

    let elsewhere = tempfile::tempdir().unwrap();
    fake.client(elsewhere.path()).domains().await.unwrap();
    assert_eq!(fake.exchanges(), 2, "a different cache is a different store");
}

#[tokio::test]
async fn clients_that_start_together_make_one_exchange() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let calls = (0..10).map(|_| {
        let client = fake.client(cache.path());
        tokio::spawn(async move { client.domains().await.unwrap() })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap();
    }
    assert_eq!(fake.exchanges(), 1);
}

#[tokio::test]
async fn the_cache_file_is_private_and_holds_no_credential() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    fake.client(cache.path()).domains().await.unwrap();
    let bearer_files: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("bearer-"))
        .collect();
    assert_eq!(bearer_files.len(), 1);
    let file = &bearer_files[0];
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let contents = std::fs::read_to_string(file).unwrap();
    assert!(!name.contains(API_TOKEN) && !contents.contains(API_TOKEN));
    assert!(contents.contains("bearer.0.secretvalue"));
}

#[tokio::test]
async fn password_credentials_use_auth() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.builder(cache.path()).password(ADDRESS, PASSWORD).build().unwrap();
    client.domains().await.unwrap();
    assert_eq!((fake.count("/auth"), fake.count("/token")), (1, 0));
    let expires = client.authenticate().await.unwrap().unwrap();
    assert!(expires > fake::now());
    assert_eq!(fake.count("/auth"), 2, "authenticate() always exchanges");
}

#[tokio::test]
async fn a_bearer_is_renewed_before_it_expires() {
    let fake = Fake::start().await;
    fake.set_bearer_lifetime(1);
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    client.domains().await.unwrap();
    let issued = fake::now();
    // Wait until the server would refuse the first Bearer.
    while fake::now() < issued + 1 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.domains().await.unwrap();
    assert_eq!(fake.exchanges(), 2);
    assert_eq!(fake.count("/domains"), 2, "renewed ahead of time: no request was refused and replayed");
}

#[tokio::test]
async fn a_401_renews_the_bearer_once_and_replays() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    client.domains().await.unwrap();
    fake.revoke_bearers();
    client.domains().await.unwrap();
    assert_eq!(fake.exchanges(), 2);
    assert_eq!(fake.count("/domains"), 3);

    // The revoked Bearer is gone from disk too: a new process does not use it.
    fake.client(cache.path()).domains().await.unwrap();
    assert_eq!(fake.exchanges(), 2);
}

#[tokio::test]
async fn a_401_that_persists_is_reported_after_one_renewal() {
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    fake.inject(Fault::status("/domains", 401));
    fake.inject(Fault::status("/domains", 401));
    let err = client.domains().await.unwrap_err();
    assert!(err.is_auth());
    assert_eq!(fake.count("/domains"), 2, "one try, one replay, no loop");
    assert_eq!(fake.exchanges(), 2);
}
