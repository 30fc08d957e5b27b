//! Running the binary and the helpers tests share.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::time::Duration;

/// The `otpcatch` binary under test.
pub(crate) fn otpcatch() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_otpcatch"));
    command.env_remove("OTPCATCH_TOKEN").env_remove("OTPCATCH_API_URL").env("NO_COLOR", "1");
    command
}

/// A `otpcatch serve` process on free ports, killed when dropped.
pub(crate) struct Served {
    pub(crate) child: Child,
    pub(crate) api_url: String,
    pub(crate) smtp_port: u16,
    _stdout: BufReader<ChildStdout>,
}

impl Served {
    pub(crate) fn start(extra: &[&str]) -> Self {
        Self::start_with(extra, &[])
    }

    /// As [`Served::start`], with environment variables set for the server.
    pub(crate) fn start_with_env(env: &[(&str, &str)]) -> Self {
        Self::start_with(&[], env)
    }

    fn start_with(extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = otpcatch()
            .args(["serve", "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0"])
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut ready = String::new();
        stdout.read_line(&mut ready).unwrap();
        // "otpcatch serve: api http://127.0.0.1:PORT/api/v2 smtp 127.0.0.1:PORT"
        let words: Vec<&str> = ready.split_whitespace().collect();
        assert_eq!(words.get(2), Some(&"api"), "unexpected ready line {ready:?}");
        let api_url = words[3].to_owned();
        let smtp_port = words[5].rsplit(':').next().unwrap().parse().unwrap();
        Self { child, api_url, smtp_port, _stdout: stdout }
    }

    /// Sends SIGTERM and waits for the process to end.
    pub(crate) fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(std::time::Instant::now() < deadline, "the server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        use std::io::Read;
        self.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        (status, stderr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Python script that sends one email with smtplib, as many sites' test
/// suites do: `python3 -c SEND_WITH_SMTPLIB HOST PORT TO SUBJECT BODY`.
pub(crate) const SEND_WITH_SMTPLIB: &str = r#"
import smtplib, sys
from email.message import EmailMessage
host, port, to, subject, body = sys.argv[1:6]
message = EmailMessage()
message["From"] = "Site <noreply@site.test>"
message["To"] = to
message["Subject"] = subject
message.set_content(body)
message.add_alternative("<p>" + body + "</p>", subtype="html")
with smtplib.SMTP(host, int(port), timeout=10) as smtp:
    smtp.send_message(message)
"#;

/// What a command printed on stdout.
pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What a command printed on stderr.
pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `python3 -c SEND_RAW HOST PORT TO` sends stdin as the message, unchanged.
const SEND_RAW: &str = r#"
import smtplib, sys
host, port, to = sys.argv[1:4]
with smtplib.SMTP(host, int(port), timeout=10) as smtp:
    smtp.sendmail("noreply@site.test", [to], sys.stdin.buffer.read())
"#;

impl Served {
    /// Sends `raw`, a whole message with its headers, exactly as given.
    pub(crate) fn send_raw(&self, to: &str, raw: &[u8]) {
        use std::io::Write;
        let mut child = Command::new("python3")
            .args(["-c", SEND_RAW, "127.0.0.1", &self.smtp_port.to_string(), to])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(raw).unwrap();
        assert!(child.wait().unwrap().success());
    }

    /// Sends one email to the server with Python's smtplib, as a site would.
    pub(crate) fn send(&self, to: &str, subject: &str, body: &str) {
        let status = Command::new("python3")
            .args(["-c", SEND_WITH_SMTPLIB, "127.0.0.1", &self.smtp_port.to_string(), to, subject, body])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// An empty rules directory, so that a test sees the built-in rules only
/// whatever the machine's own configuration holds.
pub(crate) fn no_user_rules() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("otpcatch-e2e-no-user-rules");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
