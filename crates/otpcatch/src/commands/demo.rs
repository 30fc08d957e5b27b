//! `otpcatch demo`: the whole product on one machine, with no account and
//! no network: a local server, a fresh address, a signup email sent over
//! real SMTP as a site would, the wait, and the code and link extracted.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use otpcatch_core::{Client, Filter};
use otpcatch_rules::RuleSet;
use otpcatch_server::{Server, ServerConfig};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::exit::Failure;
use crate::output::print_value;

pub(crate) async fn demo() -> Result<ExitCode, Failure> {
    let started = Instant::now();
    let cache = std::env::temp_dir().join(format!("otpcatch-demo-{}", std::process::id()));
    let rules = RuleSet::built_in()?;
    let config = ServerConfig { explainer: Some(crate::inbox::explainer(rules.clone())), ..ServerConfig::ephemeral() };
    let server = Server::start(config).await?;
    let token = server.token().cloned().ok_or_else(|| Failure::usage("the demo server has no token"))?;
    let client = Client::builder().base_url(server.api_url()).api_token(token).cache_dir(&cache).build()?;
    let server_ready = started.elapsed();
    print_value("otpcatch demo: everything runs on this machine; nothing is sent anywhere.")?;
    print_value(&format!(
        "  local server   api {}  smtp {}  (ready in {})",
        server.api_url(),
        server.smtp_addr(),
        ms(server_ready)
    ))?;
    print_value(&format!(
        "  web inbox      {}  (while the demo runs; `otpcatch serve` keeps one up)",
        server.inbox_url()
    ))?;
    rules.warm_up();
    let mailbox = client.create_mailbox().await?;
    print_value(&format!("  new address    {}", mailbox.address()))?;

    // The site under test signs the user up and sends the email; the test
    // starts waiting right away, as a Playwright test would.
    let waiting = tokio::spawn(
        mailbox.wait_for(Filter::new().subject("verify|confirm")?).timeout(Duration::from_secs(30)).into_future(),
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let code = format!("{:06}", started.elapsed().subsec_nanos() % 1_000_000);
    let email = signup_email(mailbox.address(), &code);
    let sent = Instant::now();
    send(&server.smtp_addr().to_string(), mailbox.address(), &email)
        .await
        .map_err(|e| Failure::usage(format!("the demo could not send its email: {e}")))?;
    let acknowledged = Instant::now();
    print_value(&format!(
        "  email sent     over SMTP, {} bytes, DATA acknowledged in {}",
        email.len(),
        ms(acknowledged - sent)
    ))?;

    let message = waiting.await.map_err(|e| Failure::usage(format!("the wait failed: {e}")))??;
    let arrived = acknowledged.elapsed();
    let how = if client.push_advertised() { "push" } else { "polling" };
    print_value(&format!(
        "  message        {:?} from {}, in the test {} after DATA ({how})",
        message.subject,
        message.from,
        ms(arrived)
    ))?;

    let extracting = Instant::now();
    let extraction = rules.extract(&message);
    let extracted = extracting.elapsed();
    let code_found = extraction.code.as_ref().map_or("(none)", |f| f.value.as_str());
    let link_found = extraction.link.as_ref().map_or("(none)", |f| f.value.as_str());
    print_value(&format!("  code           {code_found}   (sent {code}; rule {})", rule(&extraction.code)))?;
    print_value(&format!("  link           {link_found}   (rule {})", rule(&extraction.link)))?;
    print_value(&format!("  extraction     {}   total {}", ms(extracted), ms(started.elapsed())))?;
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&cache);
    if code_found != code {
        return Err(Failure::usage(format!("the demo extracted {code_found:?}, not the {code:?} it sent")));
    }
    Ok(ExitCode::SUCCESS)
}

fn rule(found: &Option<otpcatch_rules::Found>) -> String {
    found.as_ref().map_or_else(|| "-".to_owned(), |f| format!("{}, {}", f.rule, f.reason))
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

/// A typical signup email: a text part and a styled HTML part with a code,
/// a verify button and the decoys real ones carry.
fn signup_email(to: &str, code: &str) -> String {
    let link = format!("https://shop.example.test/verify?token=9f8e7d6c5b4a3210&amp;email={}", to.replace('@', "%40"));
    format!(
        "From: \"Example Shop\" <no-reply@shop.example.test>\r\n\
         To: <{to}>\r\n\
         Subject: Confirm your email address\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=\"demo\"\r\n\
         \r\n\
         --demo\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Welcome to Example Shop!\r\n\r\nYour verification code is {code}. It expires in 10 minutes.\r\n\
         Or confirm with this link: {}\r\n\r\nOrder help: +1 (555) 010-4477. Example Shop, 12 Market St, Springfield 62701.\r\n\
         --demo\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         \r\n\
         <html><body><div style=\"display:none\">Welcome! One last step.</div>\
         <a href=\"https://shop.example.test/\"><img src=\"https://shop.example.test/logo.png\" alt=\"Example Shop\"></a>\
         <h1>Confirm your email address</h1><p>Your verification code is</p>\
         <p style=\"font-size:28px;letter-spacing:4px\"><b>{code}</b></p><p>It expires in 10 minutes.</p>\
         <p><a href=\"{link}\" style=\"background:#22bc66;color:#fff;padding:12px 24px\">Verify email</a></p>\
         <p style=\"color:#999\">Example Shop, 12 Market St, Springfield 62701 &middot; \
         <a href=\"https://shop.example.test/unsubscribe\">Unsubscribe</a></p></body></html>\r\n\
         --demo--\r\n",
        link.replace("&amp;", "&")
    )
}

/// Sends one message over SMTP with the minimum a site's mailer does.
async fn send(address: &str, to: &str, data: &str) -> std::io::Result<()> {
    let stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut expect = async |code: &str| -> std::io::Result<()> {
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await?;
            if line.len() < 4 || !line.starts_with(code) {
                return Err(std::io::Error::other(format!("expected {code}, got {line:?}")));
            }
            if line.as_bytes()[3] == b' ' {
                return Ok(());
            }
        }
    };
    expect("220").await?;
    writer.write_all(b"EHLO shop.example.test\r\n").await?;
    expect("250").await?;
    writer
        .write_all(format!("MAIL FROM:<no-reply@shop.example.test>\r\nRCPT TO:<{to}>\r\nDATA\r\n").as_bytes())
        .await?;
    expect("250").await?;
    expect("250").await?;
    expect("354").await?;
    writer.write_all(data.as_bytes()).await?;
    writer.write_all(b"\r\n.\r\n").await?;
    expect("250").await?;
    writer.write_all(b"QUIT\r\n").await?;
    Ok(())
}
