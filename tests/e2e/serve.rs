//! `otpcatch serve`: mail sent by Python's smtplib is read back with the
//! core client; SIGTERM stops the server cleanly.

use std::process::Command;
use std::time::Duration;

use otpcatch_core::{Client, Filter};

use crate::util::{SEND_WITH_SMTPLIB, Served, otpcatch};

#[tokio::test]
async fn mail_from_smtplib_is_read_through_the_api() {
    let served = Served::start(&["--api-token", "e2e-token"]);
    let cache = tempfile::tempdir().unwrap();
    let client =
        Client::builder().base_url(&served.api_url).api_token("e2e-token").cache_dir(cache.path()).build().unwrap();
    let mailbox = client.create_mailbox().await.unwrap();
    let sent = Command::new("python3")
        .args(["-c", SEND_WITH_SMTPLIB, "127.0.0.1", &served.smtp_port.to_string()])
        .args([mailbox.address(), "Confirm your account", "Your code is 734519"])
        .status()
        .unwrap();
    assert!(sent.success(), "smtplib could not send");
    let message =
        mailbox.wait_for(Filter::new().subject("confirm").unwrap()).timeout(Duration::from_secs(10)).await.unwrap();
    assert_eq!(message.from, "Site <noreply@site.test>");
    assert_eq!(message.text.trim(), "Your code is 734519");
    assert_eq!(message.html.trim(), "<p>Your code is 734519</p>");

    let (status, stderr) = served.terminate();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
}

#[test]
fn a_generated_token_is_printed_on_stderr_only() {
    let served = Served::start(&[]);
    let (status, stderr) = served.terminate();
    assert!(status.success());
    assert!(stderr.contains("this server's API token is "), "{stderr}");
    assert!(stderr.contains("export OTPCATCH_API_URL="), "{stderr}");
}

#[test]
fn a_busy_port_is_a_clear_usage_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output =
        otpcatch().args(["serve", "--http", &format!("127.0.0.1:{port}"), "--smtp", "127.0.0.1:0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "nothing on stdout when it fails");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("could not listen on 127.0.0.1:{port} for HTTP")), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");
}

#[test]
fn a_bad_user_flag_says_what_it_expects() {
    let output = otpcatch().args(["serve", "--user", "no-colon"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--user takes EMAIL:PASSWORD"));
}

#[test]
fn client_flags_are_refused_and_an_ignored_client_token_is_warned_about() {
    for command in ["serve", "run", "extract", "completions", "rules", "demo"] {
        for flag in [["--token", "dev-token"], ["--api-url", "http://127.0.0.1:1/api/v2"]] {
            let output = otpcatch().arg(command).args(flag).output().unwrap();
            assert_eq!(output.status.code(), Some(2), "{command} {flag:?}");
            assert!(String::from_utf8_lossy(&output.stderr).contains(flag[0]), "names the flag");
        }
    }
    let (_, stderr) =
        serve_until_ready(&["--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"], &[("OTPCATCH_TOKEN", "dev-token")]);
    assert!(stderr.contains("OTPCATCH_TOKEN is set, but `serve` does not read it"), "{stderr}");
}

#[test]
fn settings_that_would_hide_mail_are_refused() {
    for (flag, value, says) in [
        ("--max-messages", "0", "at least one message"),
        ("--retention", "0s", "at least 1 second"),
        ("--retention", "300000000000y", "at most 100 years"),
        ("--qps", "0", "at least 1 request per second"),
        ("--api-token", "", "cannot be empty"),
        ("--domain", "bad domain", "not a domain name"),
        ("--domain", "", "not a domain name"),
        ("--max-store", "1KB", "byte budget"),
    ] {
        let output = otpcatch().args(["serve", "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0", flag, value]).output();
        let output = output.unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(says), "{flag} {value}: {stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn arguments_say_what_is_wrong_with_them() {
    let output =
        otpcatch().args(["wait-for-code", "--address", "a@otpcatch.test", "--timeout", "-1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("durations cannot be negative"));
    // A host name is resolved, as a user would expect.
    let (ready, _) = serve_until_ready(&["--http", "localhost:0", "--smtp", "localhost:0"], &[]);
    assert!(
        ready.starts_with("otpcatch serve: api http://127.0.0.1:")
            || ready.starts_with("otpcatch serve: api http://[::1]:"),
        "{ready}"
    );
    // A bad config file is named with the line and column of the problem.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("otpcatch")).unwrap();
    std::fs::write(
        home.path().join("otpcatch/config.toml"),
        "api-url = \"http://127.0.0.1:1/api/v2\"\nqps = \"many\"\n",
    )
    .unwrap();
    let output = otpcatch().arg("domains").env("XDG_CONFIG_HOME", home.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("config.toml:2:7:"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_json_ready_line_says_where_to_connect_and_the_token_comes_from_the_environment() {
    let token = "a-token-from-the-environment";
    let (ready, stderr) = serve_until_ready(
        &["--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--json"],
        &[("OTPCATCH_SERVE_API_TOKEN", token)],
    );
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    let api_url = ready["api_url"].as_str().unwrap();
    assert!(api_url.starts_with("http://127.0.0.1:") && api_url.ends_with("/api/v2"), "{ready}");
    assert_eq!(ready["smtp_host"], "127.0.0.1");
    assert!(ready["smtp_port"].as_u64().is_some_and(|port| port > 0), "{ready}");
    assert_eq!(ready["inbox_url"].as_str(), Some(format!("{}/", api_url.trim_end_matches("/api/v2")).as_str()));
    assert!(stderr.contains("web inbox: http://127.0.0.1:"), "{stderr}");
    // The token was accepted rather than one generated and printed.
    assert!(!stderr.contains("API token is") && !stderr.contains(token), "{stderr}");
}

#[test]
fn a_token_from_the_environment_is_the_one_accepted() {
    let served = Served::start_with_env(&[("OTPCATCH_SERVE_API_TOKEN", "env-token")]);
    let cache = tempfile::tempdir().unwrap();
    let new_address = |token: &str| {
        otpcatch()
            .args(["new-address", "--api-url", &served.api_url])
            .env("OTPCATCH_TOKEN", token)
            .env("OTPCATCH_CACHE_DIR", cache.path())
            .output()
            .unwrap()
    };
    assert!(new_address("env-token").status.success());
    assert_eq!(new_address("another-token").status.code(), Some(5));
}

/// Starts `otpcatch serve ARGS`, reads its ready line, stops it with
/// SIGTERM, and returns the ready line and everything it wrote on stderr.
fn serve_until_ready(args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let mut served = otpcatch()
        .arg("serve")
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(served.stdout.take().unwrap()), &mut ready).unwrap();
    let _ = std::process::Command::new("kill").args(["-TERM", &served.id().to_string()]).status();
    let output = served.wait_with_output().unwrap();
    (ready, String::from_utf8_lossy(&output.stderr).into_owned())
}
