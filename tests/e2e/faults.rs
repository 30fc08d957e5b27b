//! `otpcatch wait-for-code` against an API that misbehaves on command
//! (otpcatch-testkit's fake, scripted per request): every wait either
//! prints the right code exactly once or exits with the documented code
//! and a clear message, within its timeout.

use std::process::Output;
use std::time::{Duration, Instant};

use otpcatch_testkit::{API_TOKEN, FakeApi, Fault};

use crate::util::{otpcatch, stderr, stdout};

const ADDRESS: &str = "me@otpcatch.test";
const CODE: &str = "739154";
const INBOX: &str = "/inbox";

/// A fake whose inbox holds the verification message, and whose n-th
/// listing (from 0) is answered by `script`.
fn api_with_message(script: impl Fn(usize) -> Option<Fault> + Send + Sync + 'static) -> FakeApi {
    let api = FakeApi::spawn();
    api.deliver_text(
        ADDRESS,
        "App <no-reply@app.test>",
        "Verify your email",
        &format!("Your verification code is {CODE}. It expires in 10 minutes."),
    );
    api.script(INBOX, script);
    api
}

/// Runs `otpcatch wait-for-code` against the fake; returns its output and
/// how long it took.
fn wait_for_code(api: &FakeApi, timeout: &str) -> (Output, Duration) {
    let cache = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = otpcatch()
        .args(["wait-for-code", "--address", ADDRESS, "--timeout", timeout])
        .env("OTPCATCH_API_URL", &api.url)
        .env("OTPCATCH_TOKEN", API_TOKEN)
        .env("OTPCATCH_CACHE_DIR", cache.path())
        .env("OTPCATCH_RULES_DIR", crate::util::no_user_rules())
        .output()
        .unwrap();
    (output, started.elapsed())
}

/// The code, printed once, and exit 0.
fn assert_code_once(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    assert_eq!(stdout(output), format!("{CODE}\n"));
}

#[test]
fn server_errors_then_the_message_prints_the_code_once() {
    let api = api_with_message(|n| match n {
        0 => Some(Fault::status(INBOX, 500)),
        1 => Some(Fault::status(INBOX, 502)),
        2 => Some(Fault::status(INBOX, 503)),
        _ => None,
    });
    let (output, _) = wait_for_code(&api, "20s");
    assert_code_once(&output);
}

#[test]
fn a_server_that_only_fails_exits_6_within_the_timeout() {
    let api = api_with_message(|_| Some(Fault::status(INBOX, 503)));
    let (output, took) = wait_for_code(&api, "2s");
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(stderr(&output).contains("503"), "says what failed: {}", stderr(&output));
    assert!(stdout(&output).is_empty());
    assert!(took < Duration::from_secs(5), "bounded by its timeout: {took:?}");
}

#[test]
fn a_429_storm_with_retry_after_is_waited_out() {
    let api = api_with_message(|n| (n < 3).then(|| Fault::raw(INBOX, 429, "").retry_after("1")));
    let (output, _) = wait_for_code(&api, "20s");
    assert_code_once(&output);
}

#[test]
fn an_endless_429_storm_without_retry_after_exits_6_with_bounded_retries() {
    let api = api_with_message(|_| Some(Fault::too_many_requests(INBOX)));
    let (output, took) = wait_for_code(&api, "3s");
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(stderr(&output).contains("429"), "{}", stderr(&output));
    assert!(took < Duration::from_secs(6), "{took:?}");
    let listings = api.count(INBOX);
    assert!(listings < 40, "backs off instead of hammering: {listings} listings in {took:?}");
}

#[test]
fn garbled_answers_are_survived_and_a_garbled_api_exits_6() {
    let recovers = api_with_message(|n| match n {
        0 => Some(Fault::raw(INBOX, 200, "<html>502 Bad Gateway</html>")),
        1 => Some(Fault::raw(INBOX, 200, r#"{"code":200,"status":true,"msg":"success","data":{"not":"a list"}}"#)),
        2 => Some(Fault::cut(INBOX)),
        _ => None,
    });
    assert_code_once(&wait_for_code(&recovers, "20s").0);

    let garbled = api_with_message(|_| Some(Fault::raw(INBOX, 200, "not json at all")));
    let (output, took) = wait_for_code(&garbled, "2s");
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_stalled_api_cannot_hold_a_wait_past_its_timeout() {
    let api = api_with_message(|_| Some(Fault::stall(INBOX, Duration::from_secs(3600))));
    let (output, took) = wait_for_code(&api, "2s");
    assert_ne!(output.status.code(), Some(0));
    assert!([3, 6].contains(&output.status.code().unwrap_or(-1)), "{:?}: {}", output.status, stderr(&output));
    assert!(took < Duration::from_secs(5), "the timeout holds against a silent server: {took:?}");
}

#[test]
fn an_expired_bearer_is_renewed_mid_wait() {
    // The first Bearer works for one listing and is then refused, long
    // before its stated expiry.
    let api = api_with_message(|n| (n == 0).then(|| Fault::empty_listing(INBOX)));
    api.expire_first_bearer_after(1);
    let (output, _) = wait_for_code(&api, "20s");
    assert_code_once(&output);
    assert_eq!(api.exchanges(), 2, "exchanged once, renewed once after the 401");
}

#[test]
fn the_same_message_listed_twice_and_out_of_order_is_printed_once() {
    let api = FakeApi::spawn();
    let text = format!("Your verification code is {CODE}. It expires in 10 minutes.");
    api.set_clock(otpcatch_testkit::now() - 1);
    api.deliver_text(ADDRESS, "App <no-reply@app.test>", "Verify your email", &text);
    api.set_clock(0);
    api.deliver_text(ADDRESS, "App <no-reply@app.test>", "Verify your email", &text);
    // Newest first, every message twice, after an empty first listing.
    api.sloppy_listings();
    api.script(INBOX, |n| (n == 0).then(|| Fault::empty_listing(INBOX)));
    let (output, _) = wait_for_code(&api, "20s");
    assert_code_once(&output);
}
