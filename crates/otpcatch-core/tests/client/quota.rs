//! The quota: no one-second window ever holds more than 20 requests, however
//! many waits run at once in one process or across processes.

use std::time::{Duration, Instant};

use otpcatch_core::Filter;

use crate::fake::{API_TOKEN, ClientFor, Fake};

const CHILD_URL: &str = "OTPCATCH_TEST_QUOTA_CHILD_URL";
const CHILD_CACHE: &str = "OTPCATCH_TEST_QUOTA_CHILD_CACHE";
const REQUESTS_PER_CHILD: usize = 10;

/// The most requests the fake received in any one-second window.
/// Held by each test that counts requests per second at the server: two of
/// them at once (eight processes, and a hundred waits) load two cores enough
/// to delay a request's arrival past the quota's margin for jitter, and the
/// count would then measure the machine, not the limiter.
static MEASURING_RATES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn busiest_second(fake: &Fake) -> usize {
    let mut times: Vec<Instant> = fake.requests().iter().map(|r| r.at).collect();
    times.sort();
    (0..times.len())
        .map(|i| times[i..].iter().take_while(|&&t| t.duration_since(times[i]) < Duration::from_secs(1)).count())
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_waits_stay_within_20_requests_a_second() {
    let _alone = MEASURING_RATES.lock().await;
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client = fake.client(cache.path());
    let addresses: Vec<String> = (0..100).map(|i| format!("worker{i}@otpcatch.test")).collect();
    let expected: Vec<Option<String>> = addresses
        .iter()
        .enumerate()
        .map(|(i, address)| (i % 20 == 0).then(|| fake.deliver(address, "s", "code", "")))
        .collect();
    let waits: Vec<_> = addresses
        .iter()
        .map(|address| {
            let wait = client
                .mailbox(address)
                .wait_for(Filter::new())
                .poll_interval(Duration::from_millis(10), Duration::from_millis(50))
                .timeout(Duration::from_secs(8));
            tokio::spawn(wait.into_future())
        })
        .collect();
    let mut found = 0;
    for (wait, expected) in waits.into_iter().zip(expected) {
        match (wait.await.unwrap(), expected) {
            (Ok(message), Some(id)) => {
                assert_eq!(message.id, id);
                found += 1;
            }
            (Err(err), None) => assert!(err.is_wait_timeout(), "{err}"),
            (outcome, expected) => panic!("expected {expected:?}, got {outcome:?}"),
        }
    }
    assert_eq!(found, 5, "every wait whose mail arrived got it, within the budget");
    let busiest = busiest_second(&fake);
    assert!(busiest <= 20, "{busiest} requests in one second");
    assert!(busiest >= 15, "the budget was used, not wasted: {busiest}");
    assert!(fake.requests().iter().all(|r| r.path != "/inbox" || r.method == "POST"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_share_one_budget_through_the_cache_dir() {
    let _alone = MEASURING_RATES.lock().await;
    let fake = Fake::start().await;
    let cache = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..8)
        .map(|_| {
            tokio::process::Command::new(std::env::current_exe().unwrap())
                .args(["quota::child_process_makes_requests", "--exact", "--nocapture", "--test-threads=1"])
                .env(CHILD_URL, &fake.url)
                .env(CHILD_CACHE, cache.path())
                .kill_on_drop(true)
                .output()
        })
        .collect();
    for child in children {
        let output = child.await.unwrap();
        assert!(output.status.success(), "child failed: {}", String::from_utf8_lossy(&output.stdout));
    }
    assert_eq!(fake.count("/domains"), 8 * REQUESTS_PER_CHILD);
    assert_eq!(fake.exchanges(), 1, "the processes shared one Bearer");
    let busiest = busiest_second(&fake);
    assert!(busiest <= 20, "{busiest} requests in one second");
}

/// Run by `eight_processes_share_one_budget_through_the_cache_dir` in a
/// child process; does nothing when run by the test harness itself.
#[tokio::test]
#[expect(clippy::disallowed_methods, reason = "the parent test passes the child its server in the environment")]
async fn child_process_makes_requests() {
    let (Ok(url), Ok(cache)) = (std::env::var(CHILD_URL), std::env::var(CHILD_CACHE)) else { return };
    let client = otpcatch_core::Client::builder().base_url(url).api_token(API_TOKEN).cache_dir(cache).build().unwrap();
    for _ in 0..REQUESTS_PER_CHILD {
        client.domains().await.unwrap();
    }
}
