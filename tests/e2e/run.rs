//! `otpcatch run -- CMD`: the command gets a server and its settings, and
//! its exit status becomes otpcatch's.

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

#[test]
fn sigterm_stops_the_command_and_the_server() {
    let mut child = otpcatch().args(["run", "--", "sleep", "30"]).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let killed = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "otpcatch run did not stop");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(128 + 9), "the command was killed and its status passed through");
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
