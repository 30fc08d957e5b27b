//! The command line's user-facing errors, pinned by snapshots (insta): what
//! a user reads when there is no credential, when a wait times out with
//! mail that did not match, when nothing could be extracted, when a rule
//! file is bad, when a port is taken and when the server is unreachable.
//! Values that change from run to run (ports, addresses, durations, paths)
//! are replaced by placeholders. `cargo insta review` updates a snapshot
//! after a deliberate change.

use std::process::Output;

use crate::util::{Served, otpcatch, stderr};

const TOKEN: &str = "e2e-errors-token";

/// Runs the binary with no user configuration: an empty config directory,
/// a cache of its own, no user rules.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join("rules")).unwrap();
    otpcatch()
        .args(args)
        .envs(env.iter().copied())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("OTPCATCH_CACHE_DIR", home.path().join("cache"))
        .env("OTPCATCH_RULES_DIR", home.path().join("rules"))
        .output()
        .unwrap()
}

/// Snapshots stderr with what varies replaced.
macro_rules! assert_stderr_snapshot {
    ($name:literal, $output:expr) => {
        insta::with_settings!({
            filters => vec![
                (r"127\.0\.0\.1:[1-9]\d*", "127.0.0.1:[PORT]"),
                (r"[a-z0-9]{10}@otpcatch\.test", "[ADDRESS]@otpcatch.test"),
                (r"within \d+(\.\d+)?m?s \(\d+ polls", "within [DURATION] ([N] polls"),
                (r"/tmp/[^\s:]+", "[TMP]"),
            ],
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, stderr(&$output));
        });
    };
}

fn served() -> Served {
    Served::start(&["--api-token", TOKEN])
}

fn against(served: &Served, args: &[&str]) -> Output {
    run(args, &[("OTPCATCH_API_URL", &served.api_url), ("OTPCATCH_TOKEN", TOKEN)])
}

fn new_address(served: &Served) -> String {
    String::from_utf8(against(served, &["new-address"]).stdout).unwrap().trim().to_owned()
}

#[test]
fn no_credential() {
    let output = run(&["wait-for-code", "--address", "a@otpcatch.test"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_stderr_snapshot!("no_credential", output);
}

#[test]
fn a_refused_token() {
    let served = served();
    let output = run(&["domains"], &[("OTPCATCH_API_URL", &served.api_url), ("OTPCATCH_TOKEN", "not-the-token")]);
    assert_eq!(output.status.code(), Some(5));
    assert_stderr_snapshot!("refused_token", output);
}

#[test]
fn timeout_with_unmatched_mail() {
    let served = served();
    let address = new_address(&served);
    served.send(&address, "Weekly deals", "Half price on everything.");
    let output = against(&served, &["wait-for-code", "--address", &address, "--subject", "verify", "--timeout", "1s"]);
    assert_eq!(output.status.code(), Some(3));
    assert_stderr_snapshot!("timeout_with_unmatched_mail", output);
}

#[test]
fn nothing_extracted() {
    let served = served();
    let address = new_address(&served);
    served.send(&address, "Welcome to Example", "Thanks for joining. Your account is ready.");
    let output = against(&served, &["wait-for-code", "--address", &address, "--timeout", "1s"]);
    assert_eq!(output.status.code(), Some(4));
    assert_stderr_snapshot!("nothing_extracted", output);
}

#[test]
fn a_bad_rule_file() {
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("shop.toml");
    std::fs::write(&rule, "name = \"shop\"\n\n[[code]]\nkind = \"regex\"\npattern = '(unclosed'\n").unwrap();
    let email = dir.path().join("mail.txt");
    std::fs::write(&email, "Your code is 123456").unwrap();
    let output = run(&["extract", "--file", email.to_str().unwrap(), "--rules-file", rule.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_stderr_snapshot!("bad_rule_file", output);
}

#[test]
fn port_in_use() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = run(&["serve", "--smtp", &format!("127.0.0.1:{port}"), "--http", "127.0.0.1:0"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_stderr_snapshot!("port_in_use", output);
}

#[test]
fn unreachable_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/api/v2");
    let output = run(
        &["-q", "wait-for-code", "--address", "a@otpcatch.test", "--timeout", "1s"],
        &[("OTPCATCH_API_URL", &url), ("OTPCATCH_TOKEN", TOKEN)],
    );
    assert_eq!(output.status.code(), Some(6));
    assert_stderr_snapshot!("unreachable_server", output);
}
