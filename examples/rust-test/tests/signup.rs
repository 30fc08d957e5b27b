//! Sign up on the example site, wait for the verification email with
//! otpcatch-core, extract the code with otpcatch-rules, and verify.
//!
//! Against a local otpcatch server: the one `otpcatch run` names in
//! OTPCATCH_API_URL and OTPCATCH_TOKEN, or, when those are unset, one this
//! test starts itself. Swap in a 22.do token to run against 22.do.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use otpcatch_core::{Client, Filter};
use otpcatch_rules::RuleSet;
use otpcatch_server::{Server, ServerConfig};

/// The example site, stopped when dropped.
struct Site {
    child: Child,
    url: String,
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
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Self { child, url: line.trim().trim_start_matches("listening on ").to_owned() }
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace('@', "%40").replace('+', "%2B")))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
#[expect(clippy::disallowed_methods, reason = "under `otpcatch run`, the test uses the server it was given")]
async fn a_new_user_verifies_their_email() -> Result<(), Box<dyn std::error::Error>> {
    let server = Server::start(ServerConfig::ephemeral()).await?;
    let cache = tempfile::tempdir()?;
    let client = match Client::from_env() {
        Ok(client) if std::env::var_os("OTPCATCH_TOKEN").is_some() => client,
        _ => Client::builder()
            .base_url(server.api_url())
            .api_token(server.token().unwrap().clone())
            .cache_dir(cache.path())
            .build()?,
    };
    let smtp = match (std::env::var("OTPCATCH_SMTP_HOST"), std::env::var("OTPCATCH_SMTP_PORT")) {
        (Ok(host), Ok(port)) if std::env::var_os("OTPCATCH_TOKEN").is_some() => format!("{host}:{port}").parse()?,
        _ => server.smtp_addr(),
    };
    let site = Site::start(smtp);
    let http = reqwest::Client::new();

    // The five lines a test needs: an address, the action, the wait, the code.
    let mailbox = client.create_mailbox().await?;
    let signup = http.post(format!("{}/signup", site.url)).header("content-type", "application/x-www-form-urlencoded");
    signup.body(form(&[("email", mailbox.address())])).send().await?.error_for_status()?;
    let message = mailbox.wait_for(Filter::new().subject("confirm")?).timeout(Duration::from_secs(30)).await?;
    let code = RuleSet::built_in()?.extract(&message).code.expect("the email carries a code").value;

    let verified = http
        .post(format!("{}/verify", site.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("email", mailbox.address()), ("code", &code)]))
        .send()
        .await?;
    assert_eq!(verified.status(), 200);
    assert!(verified.text().await?.contains("Account verified"));
    server.shutdown().await;
    Ok(())
}
