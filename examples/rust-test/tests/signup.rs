//! Sign up on the example site, read the verification code with otpcatch,
//! verify, then turn on two-factor sign-in with a TOTP code.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

// README:begin
use otpcatch::{LocalServer, Totp, TotpSettings};

#[tokio::test]
async fn a_new_user_verifies_their_email_and_turns_on_two_factor() -> Result<(), Box<dyn std::error::Error>> {
    // The five lines a test needs: a mail server, an address, the action, the code.
    let mail = LocalServer::start().await?;
    let mailbox = mail.mailbox().await?;
    let site = Site::start(mail.smtp_addr());
    site.post("/signup", &[("email", mailbox.address())]).await?;
    let code = mailbox.code().subject("confirm").await?;

    let verified = site.post("/verify", &[("email", mailbox.address()), ("code", &code)]).await?;
    assert!(verified.contains("Account verified"), "{verified}");

    // The two-factor step: the site shows a secret; an authenticator app
    // would show this code.
    let page = site.get(&format!("/2fa?email={}", mailbox.address())).await?;
    let secret =
        page.split("id=\"secret\">").nth(1).and_then(|rest| rest.split('<').next()).ok_or("no secret shown")?;
    let totp = Totp::new(secret, TotpSettings::default())?;
    let one_time = totp.fresh(std::time::Duration::from_secs(3)).await.code;
    let enabled = site.post("/2fa", &[("email", mailbox.address()), ("code", &one_time)]).await?;
    assert!(enabled.contains("Two-factor sign-in is on"), "{enabled}");
    Ok(())
}
// README:end

/// The example site (`examples/site/site.py`), mailing `smtp`: `get` and
/// `post` return the page. Stopped when dropped.
struct Site {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Site {
    fn start(smtp: std::net::SocketAddr) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../site/site.py");
        let mut child = Command::new("python3")
            .args([script, "--port", "0"])
            .env("OTPCATCH_SMTP_HOST", smtp.ip().to_string())
            .env("OTPCATCH_SMTP_PORT", smtp.port().to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the example site");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the site says where it listens");
        let url = line.trim().trim_start_matches("listening on ").to_owned();
        Self { child, url, http: reqwest::Client::new() }
    }

    async fn get(&self, path: &str) -> reqwest::Result<String> {
        self.http.get(format!("{}{path}", self.url)).send().await?.text().await
    }

    /// Posts a form and returns the page it leads to.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Result<String, Box<dyn std::error::Error>> {
        let body: String = fields
            .iter()
            .map(|(key, value)| format!("{key}={}", value.replace('@', "%40").replace('+', "%2B")))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        Ok(response.text().await?)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
