//! `serve --data` keeps what it acknowledged through a `kill -9`: every
//! message that got its 250 and every address `new-address` printed is
//! there after a restart. A second server cannot open the same file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::{Served, otpcatch, stderr, stdout};

const TOKEN: &str = "e2e-durability-token";

/// Sends numbered messages to `ADDRESS` over one SMTP connection until the
/// server goes away, printing each number once the server acknowledged it.
const SEND_UNTIL_KILLED: &str = r#"
import smtplib, sys
host, port, to = sys.argv[1:4]
smtp = smtplib.SMTP(host, int(port), timeout=10)
i = 0
try:
    while True:
        smtp.sendmail("site@site.test", [to], f"Subject: k-{i}\r\n\r\nbody {i}\r\n")
        print(i, flush=True)
        i += 1
except Exception:
    pass
"#;

fn cli(served: &Served, args: &[&str]) -> std::process::Output {
    let cache = tempfile::tempdir().unwrap();
    otpcatch()
        .args(args)
        .env("OTPCATCH_API_URL", &served.api_url)
        .env("OTPCATCH_TOKEN", TOKEN)
        .env("OTPCATCH_CACHE_DIR", cache.path())
        .output()
        .unwrap()
}

#[test]
fn a_kill_9_loses_no_acknowledged_mail_and_no_address() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("otpcatch.db");
    let data = data.to_str().unwrap();
    let mut served = Served::start(&["--api-token", TOKEN, "--data", data]);
    let addresses: Vec<String> = (0..5)
        .map(|_| {
            let output = cli(&served, &["new-address"]);
            assert!(output.status.success(), "{}", stderr(&output));
            stdout(&output).trim().to_owned()
        })
        .collect();

    let mut sender = Command::new("python3")
        .args(["-c", SEND_UNTIL_KILLED, "127.0.0.1", &served.smtp_port.to_string(), &addresses[0]])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let acknowledged = BufReader::new(sender.stdout.take().unwrap());
    let mut lines = acknowledged.lines();
    // Let some mail through, then kill the server mid-stream.
    let mut last = 0;
    for _ in 0..50 {
        last = lines.next().unwrap().unwrap().parse().unwrap();
    }
    std::thread::sleep(Duration::from_millis(200));
    served.child.kill().unwrap();
    served.child.wait().unwrap();
    for line in lines.map_while(Result::ok) {
        last = line.parse().unwrap();
    }
    sender.wait().unwrap();
    assert!(last >= 49);

    let served = Served::start(&["--api-token", TOKEN, "--data", data]);
    let listed = cli(&served, &["inbox", "--address", &addresses[0]]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let subjects: Vec<String> =
        stdout(&listed).lines().map(|l| l.rsplit('\t').next().unwrap_or_default().to_owned()).collect();
    for i in 0..=last {
        assert!(subjects.contains(&format!("k-{i}")), "k-{i} was acknowledged and is gone ({} listed)", subjects.len());
    }
    for address in &addresses {
        let output = cli(&served, &["inbox", "--address", address]);
        assert!(output.status.success(), "{address} was created and is gone: {}", stderr(&output));
    }
}

#[test]
fn a_second_server_cannot_open_the_same_data_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("otpcatch.db");
    let data = data.to_str().unwrap();
    let first = Served::start(&["--api-token", TOKEN, "--data", data]);
    let output = otpcatch()
        .args(["serve", "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--api-token", TOKEN, "--data", data])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains(&format!("in use by process {}", first.child.id())), "{message}");
}
