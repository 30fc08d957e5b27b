//! The wait commands and the plain API commands against `otpcatch serve`,
//! with mail sent by Python's smtplib as a site would.

use std::process::Output;

use crate::util::{Served, otpcatch, stderr, stdout};

const TOKEN: &str = "e2e-wait-token";

fn served() -> Served {
    Served::start(&["--api-token", TOKEN])
}

fn cli(served: &Served, args: &[&str]) -> Output {
    let cache = std::env::temp_dir().join(format!("otpcatch-e2e-cache-{}", std::process::id()));
    otpcatch()
        .args(args)
        .env("OTPCATCH_API_URL", &served.api_url)
        .env("OTPCATCH_TOKEN", TOKEN)
        .env("OTPCATCH_CACHE_DIR", cache)
        .env("OTPCATCH_RULES_DIR", crate::util::no_user_rules())
        .output()
        .unwrap()
}

fn new_address(served: &Served) -> String {
    let output = cli(served, &["new-address"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let address = stdout(&output);
    assert!(address.ends_with("@otpcatch.test\n"), "{address:?}");
    address.trim().to_owned()
}

#[test]
fn wait_for_code_prints_only_the_code() {
    let served = served();
    let address = new_address(&served);
    served.send(&address, "Verify your email", "Your verification code is 418273. It expires in 10 minutes.");
    let output = cli(&served, &["wait-for-code", "--address", &address, "--subject", "verify", "--timeout", "10s"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "418273\n");
    assert!(stderr(&output).is_empty(), "nothing on stderr when stderr is not a terminal: {}", stderr(&output));
}

#[test]
fn wait_for_link_and_wait_json() {
    let served = served();
    let address = new_address(&served);
    served.send(
        &address,
        "Confirm your account",
        "Please confirm your account: https://site.test/confirm?token=abcdef0123456789",
    );
    let output = cli(&served, &["wait-for-link", "--address", &address, "--timeout", "10s"]);
    assert_eq!(stdout(&output), "https://site.test/confirm?token=abcdef0123456789\n", "{}", stderr(&output));
    let output = cli(&served, &["wait", "--address", &address, "--json", "--delete"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["subject"], "Confirm your account");
    assert_eq!(json["link"], "https://site.test/confirm?token=abcdef0123456789");
    assert!(json["code"].is_null());
    let inbox = cli(&served, &["inbox", "--address", &address]);
    assert_eq!(stdout(&inbox), "", "--delete removed it");
}

#[test]
fn a_timeout_exits_3_and_lists_what_arrived() {
    let served = served();
    let address = new_address(&served);
    served.send(&address, "Weekly newsletter", "Nothing to see");
    let output = cli(&served, &["wait-for-code", "--address", &address, "--subject", "verify", "--timeout", "1s"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stdout(&output).is_empty());
    let err = stderr(&output);
    assert!(err.contains("no message matching subject ~ /verify/"), "{err}");
    assert!(err.contains("subject \"Weekly newsletter\""), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn messages_without_a_code_are_passed_over_and_exit_4_when_time_runs_out() {
    let served = served();
    let address = new_address(&served);
    served.send(&address, "Welcome", "Thanks for joining. See you around.");
    let output = cli(&served, &["wait-for-code", "--address", &address, "--timeout", "2s", "--delete"]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let kept = stdout(&cli(&served, &["inbox", "--address", &address]));
    assert_eq!(kept.lines().count(), 1, "--delete deletes only a message whose value was printed: {kept:?}");
    let err = stderr(&output);
    assert!(err.contains("no message with a code arrived at"), "{err}");
    assert!(err.contains("1 matching message(s) had no code:\n  from"), "{err}");
    assert!(err.contains("subject \"Welcome\""), "{err}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn a_wait_for_a_code_takes_the_message_that_has_one() {
    let served = served();
    let address = new_address(&served);
    // Sent before the wait starts: the welcome mail is listed first.
    served.send(&address, "Welcome to Example", "Thanks for joining. Your account is ready.");
    served.send(&address, "Your code", "Your verification code is 605813.");
    let output = cli(&served, &["wait-for-code", "--address", &address, "--timeout", "10s"]);
    assert_eq!((output.status.code(), stdout(&output)), (Some(0), "605813\n".to_owned()), "{}", stderr(&output));

    // Sent while the wait runs: the welcome mail arrives first and is passed over.
    let address = new_address(&served);
    let cache = std::env::temp_dir().join(format!("otpcatch-e2e-cache-{}", std::process::id()));
    let waiting = otpcatch()
        .args(["wait-for-link", "--address", &address, "--timeout", "20s"])
        .env("OTPCATCH_API_URL", &served.api_url)
        .env("OTPCATCH_TOKEN", TOKEN)
        .env("OTPCATCH_CACHE_DIR", cache)
        .env("OTPCATCH_RULES_DIR", crate::util::no_user_rules())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    served.send(&address, "Welcome to Example", "Thanks for joining. Your account is ready.");
    served.send(&address, "Confirm your email", "Confirm your email: https://site.test/confirm/9f8e7d6c5b4a3210");
    let output = waiting.wait_with_output().unwrap();
    assert_eq!(stdout(&output), "https://site.test/confirm/9f8e7d6c5b4a3210\n", "{}", stderr(&output));
}

#[test]
fn expect_none_succeeds_on_silence_and_fails_on_mail() {
    let served = served();
    let address = new_address(&served);
    let quiet = cli(&served, &["expect-none", "--address", &address, "--for", "1s"]);
    assert_eq!(quiet.status.code(), Some(0), "{}", stderr(&quiet));
    served.send(&address, "Password reset", "Reset it here");
    let noisy = cli(&served, &["expect-none", "--address", &address, "--for", "1s"]);
    assert_eq!(noisy.status.code(), Some(3));
    assert!(stderr(&noisy).contains("expected no message"), "{}", stderr(&noisy));
}

#[test]
fn inbox_message_delete_and_domains() {
    let served = served();
    let address = new_address(&served);
    served.send(&address, "Hello", "Body text 1");
    let listing = stdout(&cli(&served, &["inbox", "--address", &address]));
    let fields: Vec<&str> = listing.trim().split('\t').collect();
    assert_eq!(fields.len(), 4, "{listing}");
    assert_eq!(fields[3], "Hello");
    let message = stdout(&cli(&served, &["message", fields[0]]));
    assert!(message.contains("Subject: Hello") && message.contains("Body text 1"), "{message}");
    assert!(cli(&served, &["delete", fields[0]]).status.success());
    let gone = cli(&served, &["message", fields[0]]);
    assert_eq!(gone.status.code(), Some(2), "a missing message is a usage error");
    assert_eq!(stdout(&cli(&served, &["domains"])), "otpcatch.test\tpremium\n");
}

#[test]
fn credentials_are_checked_and_never_printed() {
    let served = served();
    let output = otpcatch()
        .args(["new-address"])
        .env("OTPCATCH_API_URL", &served.api_url)
        .env("OTPCATCH_TOKEN", "wrong-secret-token-value")
        .env("OTPCATCH_CACHE_DIR", std::env::temp_dir().join("otpcatch-e2e-wrong"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    let err = stderr(&output);
    assert!(err.contains("401") && err.contains("hint: check the API token"), "{err}");
    assert!(!err.contains("wrong-secret-token-value"));

    let none = otpcatch().args(["new-address"]).env("HOME", "/nonexistent-home").output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("no credential is configured") && stderr(&none).contains("otpcatch serve"));
}

#[test]
fn an_unreachable_api_exits_6() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let output = otpcatch()
        .args(["wait-for-code", "--address", "a@otpcatch.test", "--timeout", "1s"])
        .env("OTPCATCH_API_URL", format!("http://127.0.0.1:{port}/api/v2"))
        .env("OTPCATCH_TOKEN", TOKEN)
        .env("OTPCATCH_CACHE_DIR", std::env::temp_dir().join("otpcatch-e2e-unreachable"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let expected = format!("nothing listens on 127.0.0.1:{port}");
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    assert_eq!(stderr(&output).lines().count(), 2, "one line and a hint: {}", stderr(&output));
}

#[test]
fn the_demo_runs_offline_and_extracts_what_it_sent() {
    let output = otpcatch().arg("demo").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("code ") && text.contains("link ") && text.contains("(push)"), "{text}");
}

#[test]
fn completions_are_printed() {
    let output = otpcatch().args(["completions", "bash"]).output().unwrap();
    assert!(output.status.success());
    assert!(stdout(&output).contains("wait-for-code"));
}

#[test]
fn a_malformed_setting_is_a_usage_error() {
    let output = otpcatch()
        .args(["domains"])
        .env("OTPCATCH_API_URL", "http://127.0.0.1:9/api/v2")
        .env("OTPCATCH_TOKEN", TOKEN)
        .env("OTPCATCH_QPS", "fast")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("OTPCATCH_QPS must be a whole number"), "{}", stderr(&output));
    let output = otpcatch()
        .args(["wait-for-code", "--address", "a@otpcatch.test"])
        .env("OTPCATCH_API_URL", "http://127.0.0.1:9/api/v2")
        .env("OTPCATCH_TOKEN", TOKEN)
        .env("OTPCATCH_TIMEOUT", "soon")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("OTPCATCH_TIMEOUT"), "{}", stderr(&output));
}

#[test]
fn header_fields_cannot_forge_rows_or_reach_the_terminal() {
    let served = served();
    let address = new_address(&served);
    // "Hi\t<tab>\nFAKEID\t0\tx\ty" and an ESC sequence, in an encoded word
    // as a hostile sender would write them.
    let subject = "=?utf-8?b?SGkJdGFiCkZBS0VJRAkwCXgJeRtbMko=?=";
    let raw = format!(
        "From: =?utf-8?q?Evil=1B]0;pwned=07?= <evil@site.test>\r\nTo: {address}\r\nSubject: {subject}\r\n\
         Content-Type: text/plain\r\n\r\nYour code is 123456\x1b[2J\r\nbye\r\n"
    );
    served.send_raw(&address, raw.as_bytes());
    let listing = cli(&served, &["inbox", "--address", &address]);
    assert!(listing.status.success(), "{}", stderr(&listing));
    let rows = stdout(&listing);
    assert_eq!(rows.lines().count(), 1, "one message, one row: {rows:?}");
    assert_eq!(rows.trim_end().split('\t').count(), 4, "four columns: {rows:?}");
    assert!(rows.contains("Hi\\ttab\\nFAKEID") && !rows.contains('\x1b'), "{rows:?}");

    let id = rows.split('\t').next().unwrap();
    let shown = stdout(&cli(&served, &["message", id]));
    assert!(!shown.contains('\x1b') && !shown.contains('\x07'), "no escape reaches the terminal: {shown:?}");
    assert!(shown.contains("Subject: Hi\\ttab\\nFAKEID"), "{shown:?}");
    assert!(shown.contains("Your code is 123456\\u{1b}[2J\nbye"), "the body keeps its lines: {shown:?}");
    assert!(shown.contains("Date: 20"), "a readable date: {shown:?}");
}

#[test]
fn inbox_since_is_at_or_after_as_for_waits() {
    let served = served();
    let address = new_address(&served);
    served.send(&address, "Your code", "Your code is 314159");
    let listing = stdout(&cli(&served, &["inbox", "--address", &address]));
    let time = listing.split('\t').nth(1).unwrap().to_owned();
    let at = stdout(&cli(&served, &["inbox", "--address", &address, "--since", &time]));
    assert_eq!(at.lines().count(), 1, "a message at exactly --since is listed: {at:?}");
    let after = (time.parse::<i64>().unwrap() + 1).to_string();
    assert!(stdout(&cli(&served, &["inbox", "--address", &address, "--since", &after])).is_empty());
    let waited = cli(&served, &["wait-for-code", "--address", &address, "--since", &time, "--timeout", "5s"]);
    assert_eq!(stdout(&waited), "314159\n");
}

#[test]
fn a_since_in_the_future_and_a_url_without_the_api_path_say_what_is_wrong() {
    let served = served();
    let output = cli(&served, &["wait-for-code", "--address", "a@otpcatch.test", "--since", "9999999999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--since 9999999999 is in the future"), "{}", stderr(&output));

    let root = served.api_url.trim_end_matches("/api/v2").to_owned();
    let output = otpcatch()
        .arg("new-address")
        .env("OTPCATCH_API_URL", &root)
        .env("OTPCATCH_TOKEN", TOKEN)
        .env("OTPCATCH_CACHE_DIR", std::env::temp_dir().join(format!("otpcatch-e2e-root-{}", std::process::id())))
        .output()
        .unwrap();
    assert!(stderr(&output).contains("does the base URL end in /api/v2?"), "{}", stderr(&output));
}

#[test]
fn resent_codes_are_reached_by_id_by_position_and_by_start_time() {
    let served = served();
    let address = new_address(&served);
    served.send(&address, "Your code", "Your verification code is 111111.");
    let first = stdout(&cli(&served, &["wait", "--address", &address, "--timeout", "5s"])).trim().to_owned();
    served.send(&address, "Your code", "Your verification code is 222222.");
    let code = |args: &[&str]| {
        let mut all = vec!["wait-for-code", "--address", address.as_str(), "--timeout", "5s"];
        all.extend_from_slice(args);
        stdout(&cli(&served, &all))
    };
    assert_eq!(code(&["--after-id", &first]), "222222\n");
    assert_eq!(code(&["--latest"]), "222222\n");
    assert_eq!(code(&["--nth", "2"]), "222222\n");
    assert_eq!(code(&[]), "111111\n", "by default, the first that has a code");

    // --since-now counts from the command's start: mail sent right after
    // it starts is found, mail already there is not.
    let cache = std::env::temp_dir().join(format!("otpcatch-e2e-cache-{}", std::process::id()));
    let waiting = otpcatch()
        .args(["wait-for-code", "--address", &address, "--since-now", "--timeout", "10s"])
        .env("OTPCATCH_API_URL", &served.api_url)
        .env("OTPCATCH_TOKEN", TOKEN)
        .env("OTPCATCH_CACHE_DIR", cache)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    served.send(&address, "Your code", "Your verification code is 333333.");
    let output = waiting.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "333333\n");
}

#[test]
fn message_shows_its_attachments_and_a_readable_date() {
    let served = served();
    let address = new_address(&served);
    let raw = format!(
        "From: Site <noreply@site.test>\r\nTo: {address}\r\nSubject: Your invoice\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n\
         Attached.\r\n--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=invoice.pdf\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B--\r\n"
    );
    served.send_raw(&address, raw.as_bytes());
    let id = stdout(&cli(&served, &["wait", "--address", &address, "--timeout", "5s"])).trim().to_owned();
    let shown = stdout(&cli(&served, &["message", &id]));
    assert!(shown.contains("Attachment: invoice.pdf (application/pdf, 9 bytes)"), "{shown}");
    assert!(shown.lines().any(|l| l.starts_with("Date: 20") && l.ends_with('Z')), "{shown}");
}

#[test]
fn a_wait_for_the_id_alone_needs_no_rules_and_a_tls_mistake_fails_at_once() {
    let served = served();
    let address = new_address(&served);
    served.send(&address, "Hello", "Hi there");
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("bad.toml"), "name = \"bad\"\n").unwrap();
    let output = otpcatch()
        .args(["wait", "--address", &address, "--timeout", "5s"])
        .env("OTPCATCH_API_URL", &served.api_url)
        .env("OTPCATCH_TOKEN", TOKEN)
        .env("OTPCATCH_CACHE_DIR", std::env::temp_dir().join(format!("otpcatch-e2e-norules-{}", std::process::id())))
        .env("OTPCATCH_RULES_DIR", broken.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "a broken rule file does not stop a wait that extracts nothing: {}",
        stderr(&output)
    );

    let https = served.api_url.replacen("http://", "https://", 1);
    let started = std::time::Instant::now();
    let output = otpcatch()
        .arg("domains")
        .env("OTPCATCH_API_URL", https)
        .env("OTPCATCH_TOKEN", TOKEN)
        .env("OTPCATCH_CACHE_DIR", std::env::temp_dir().join(format!("otpcatch-e2e-tls-{}", std::process::id())))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(stderr(&output).contains("TLS handshake"), "{}", stderr(&output));
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "not retried: {:?}", started.elapsed());
}
