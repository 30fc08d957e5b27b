//! `otpcatch run -- CMD`: the command gets a server and its settings, and
//! its exit status becomes otpcatch's.

use std::time::{Duration, Instant};

use crate::util::{SEND_WITH_SMTPLIB, otpcatch};

#[test]
fn the_command_sees_the_server_and_its_status_is_passed_through() {
    let output = otpcatch()
        .args(["run", "--", "sh", "-c", "echo \"$OTPCATCH_API_URL $OTPCATCH_SMTP_HOST $OTPCATCH_SMTP_PORT\"; exit 7"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let words: Vec<&str> = stdout.split_whitespace().collect();
    assert!(words[0].starts_with("http://127.0.0.1:") && words[0].ends_with("/api/v2"), "{stdout}");
    assert_eq!(words[1], "127.0.0.1");
    assert!(words[2].parse::<u16>().unwrap() > 0);
    // The web inbox is on the API's address, and said on stderr only.
    let inbox = format!("{}/", words[0].trim_end_matches("/api/v2"));
    assert!(String::from_utf8(output.stderr).unwrap().contains(&format!("web inbox at {inbox}")));
}

#[test]
fn a_whole_signup_flow_in_python_runs_against_the_server() {
    // What a site's own test suite does: make an address through the API,
    // send the verification mail over SMTP, read it back through the API.
    let script = format!(
        r#"
import json, os, subprocess, sys, time, urllib.request
api = os.environ["OTPCATCH_API_URL"]
def call(method, path, body=None, bearer=None):
    request = urllib.request.Request(api + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if bearer:
        request.add_header("Authorization", "Bearer " + bearer)
    return json.load(urllib.request.urlopen(request))["data"]
bearer = call("POST", "/token", {{"token": os.environ["OTPCATCH_TOKEN"]}})["Bearer"]
address = call("POST", "/account", bearer=bearer)["email"]
subprocess.run([sys.executable, "-c", {send:?}, os.environ["OTPCATCH_SMTP_HOST"], os.environ["OTPCATCH_SMTP_PORT"], address, "Verify", "code 118822"], check=True)
listing = call("POST", "/inbox", {{"email": address}}, bearer)
message = call("POST", "/inbox/message", {{"messageId": listing[0]["messageId"]}}, bearer)
print(message["body"].strip())
"#,
        send = SEND_WITH_SMTPLIB
    );
    let output = otpcatch().args(["run", "--", "python3", "-c", &script]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap().trim(), "code 118822");
}

#[test]
fn a_missing_command_exits_127() {
    let output = otpcatch().args(["run", "--", "no-such-command-otpcatch"]).output().unwrap();
    assert_eq!(output.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&output.stderr).contains("was not found"));
}

/// Waits for `child` to exit, at most `limit`.
fn exit_within(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(started.elapsed() < limit, "otpcatch run did not stop within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until `path` exists, at most 10 s.
fn appears(path: &std::path::Path) {
    let started = Instant::now();
    while !path.exists() {
        assert!(started.elapsed() < Duration::from_secs(10), "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_reaches_the_command_and_its_children_which_may_tear_down() {
    // A command that starts a grandchild (as `npm test` starts a browser),
    // and both clean up on SIGTERM, slowly: the teardown must be let run.
    let dir = tempfile::tempdir().unwrap();
    let script = r#"
        sh -c 'trap "touch grandchild-stopped; exit 0" TERM; touch grandchild-ready; while :; do sleep 0.05; done' &
        trap 'sleep 0.3; touch child-stopped; exit 0' TERM
        touch child-ready
        while :; do sleep 0.05; done
    "#;
    let mut run = otpcatch().args(["run", "sh", "-c", script]).current_dir(dir.path()).spawn().unwrap();
    appears(&dir.path().join("child-ready"));
    appears(&dir.path().join("grandchild-ready"));
    let killed = std::process::Command::new("kill").args(["-TERM", &run.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = exit_within(&mut run, Duration::from_secs(10));
    assert_eq!(status.code(), Some(128 + 15), "run exits as the shell reports SIGTERM");
    assert!(dir.path().join("child-stopped").exists(), "the command tore down instead of being killed");
    assert!(dir.path().join("grandchild-stopped").exists(), "its children got the signal too");
}

#[test]
fn a_command_that_ignores_sigterm_is_killed_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let script = "trap '' TERM; touch ready; while :; do sleep 0.05; done";
    let mut run =
        otpcatch().args(["run", "--grace", "300ms", "sh", "-c", script]).current_dir(dir.path()).spawn().unwrap();
    appears(&dir.path().join("ready"));
    let started = Instant::now();
    std::process::Command::new("kill").args(["-TERM", &run.id().to_string()]).status().unwrap();
    let status = exit_within(&mut run, Duration::from_secs(10));
    assert_eq!(status.code(), Some(143));
    assert!(started.elapsed() >= Duration::from_millis(300), "the grace period was given");
}

#[test]
fn the_command_gets_this_servers_credential_and_no_other() {
    // An inherited token (a real 22.do one, say) must not reach the local
    // server; with --user, the command gets that account's address and
    // password, and can use them through otpcatch found on its PATH.
    let script = r#"echo "token=${OTPCATCH_TOKEN:-unset} address=$OTPCATCH_ADDRESS"; otpcatch new-address"#;
    let output = otpcatch()
        .args(["run", "--user", "owner@otpcatch.test:s3cret-pw", "sh", "-c", script])
        .env("OTPCATCH_TOKEN", "inherited-real-token")
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout} {}", String::from_utf8_lossy(&output.stderr));
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("token=unset address=owner@otpcatch.test"));
    assert!(lines.next().is_some_and(|address| address.ends_with("@otpcatch.test")), "{stdout}");

    let output = otpcatch()
        .args(["run", "--api-token", "local-token", "sh", "-c", "echo $OTPCATCH_TOKEN"])
        .env("OTPCATCH_TOKEN", "inherited-real-token")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "local-token");
}

#[test]
fn explicit_ports_are_used() {
    let free = |_| std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (http, smtp) = (free(0), free(1));
    let output = otpcatch()
        .args(["run", "--http", &format!("127.0.0.1:{http}"), "--smtp", &format!("127.0.0.1:{smtp}")])
        .args(["--", "sh", "-c", "echo \"$OTPCATCH_API_URL $OTPCATCH_SMTP_PORT\""])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), format!("http://127.0.0.1:{http}/api/v2 {smtp}"));
}

#[test]
fn the_command_gets_a_cache_of_its_own_which_goes_with_the_run() {
    let output = otpcatch().args(["run", "sh", "-c", "echo $OTPCATCH_CACHE_DIR"]).output().unwrap();
    assert!(output.status.success());
    let dir = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(dir.contains("otpcatch-run-"), "{dir}");
    assert!(!std::path::Path::new(&dir).exists(), "{dir} was removed when the run ended");
}
