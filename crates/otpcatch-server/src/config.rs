//! How a server is set up: an explicit struct, loopback by default, no
//! globals and no environment reads.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use otpcatch_wire::Secret;

/// Everything [`Server::start`](crate::Server::start) needs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where the HTTP API listens. Port 0 picks a free port.
    pub http: SocketAddr,
    /// Where the SMTP receiver listens. Port 0 picks a free port.
    pub smtp: SocketAddr,
    /// Premium domains: `POST /account` makes addresses on them, and SMTP
    /// accepts mail for any address on them.
    pub domains: Vec<String>,
    /// Private domains, for `GET /account/private`; also accepted by SMTP.
    pub private_domains: Vec<String>,
    /// API tokens that `POST /token` accepts, one account each.
    pub api_tokens: Vec<Secret>,
    /// Addresses and passwords that `POST /auth` accepts, one account each.
    pub users: Vec<(String, Secret)>,
    /// Requests per second each account may make before getting 429.
    pub qps: u32,
    /// How long a message is kept (its `expireTime` is `time` plus this).
    pub retention: Duration,
    /// The largest message SMTP accepts (advertised as SIZE; 552 above it).
    pub max_message_size: usize,
    /// How many messages are kept at most; the oldest go first.
    pub max_messages: usize,
    /// How many bytes of (compressed) messages are kept at most.
    pub max_store_bytes: usize,
    /// Keep messages in this SQLite file, so they survive a restart.
    pub data: Option<PathBuf>,
    /// Let any account read any address on the served domains, without
    /// creating it first.
    pub catch_all: bool,
    /// Each account's starting balance for Gmail and Microsoft purchases.
    pub balance: f64,
    /// What one Gmail id or Microsoft account costs.
    pub price: f64,
    /// How many SMTP connections are served at once; more get 421.
    pub max_connections: usize,
    /// How long an SMTP client may stay silent before it is disconnected.
    pub idle_timeout: Duration,
    /// How long an SMTP client may stay silent while the server is busy
    /// (over three quarters of `max_connections` in use): a crowd of silent
    /// connections is shed quickly, so that clients with mail get in.
    pub busy_idle_timeout: Duration,
    /// How long one SMTP connection may last in all, however busy: a client
    /// trickling a byte at a time (slowloris) cannot hold a slot for ever.
    pub session_limit: Duration,
    /// How many HTTP connections are served at once (push streams
    /// included); more wait to be accepted. Lowered at start, if need be,
    /// so that `max_connections` SMTP connections still fit under the
    /// process's open-file limit.
    pub max_http_connections: usize,
    /// How long an HTTP client may take to send a request's headers, idle
    /// keep-alive time included, before it is disconnected.
    pub header_read_timeout: Duration,
    /// How long a Bearer from `/auth` or `/token` is valid.
    pub bearer_lifetime: Duration,
    /// The name the SMTP server greets with.
    pub hostname: String,
    /// Advertise and serve the push stream (on by default; off makes
    /// clients poll, as they do against 22.do).
    pub push: bool,
    /// What the web inbox's extraction panel shows for a message (none:
    /// the panel says extraction is not available).
    pub explainer: Option<crate::Explainer>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            http: SocketAddr::from(([127, 0, 0, 1], 8025)),
            smtp: SocketAddr::from(([127, 0, 0, 1], 2525)),
            domains: vec!["otpcatch.test".to_owned()],
            private_domains: Vec::new(),
            api_tokens: Vec::new(),
            users: Vec::new(),
            qps: otpcatch_wire::QUOTA_PER_SECOND,
            retention: Duration::from_secs(4 * 3600),
            max_message_size: 10 * 1024 * 1024,
            max_messages: 100_000,
            max_store_bytes: 512 * 1024 * 1024,
            data: None,
            catch_all: false,
            balance: 100.0,
            price: 1.0,
            max_connections: 1024,
            idle_timeout: Duration::from_secs(60),
            busy_idle_timeout: Duration::from_secs(5),
            session_limit: Duration::from_secs(600),
            max_http_connections: 4096,
            header_read_timeout: Duration::from_secs(30),
            bearer_lifetime: Duration::from_secs(24 * 3600),
            hostname: "otpcatch.local".to_owned(),
            push: true,
            explainer: None,
        }
    }
}

impl ServerConfig {
    /// The default configuration on ports the OS picks: what tests and
    /// `otpcatch run` use.
    pub fn ephemeral() -> Self {
        Self {
            http: SocketAddr::from(([127, 0, 0, 1], 0)),
            smtp: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Self::default()
        }
    }

    /// Checks that the settings can work together, or says which cannot.
    /// A setting that would make the server accept mail and then show
    /// none of it (no room for one message, mail that expires at once) is
    /// refused here rather than discovered later.
    pub fn validate(&self) -> Result<(), String> {
        if self.domains.is_empty() {
            return Err("at least one domain to serve is needed".into());
        }
        for domain in self.domains.iter().chain(&self.private_domains) {
            check_domain(domain)?;
        }
        if self.api_tokens.iter().any(|token| token.expose().trim().is_empty()) {
            return Err("an API token cannot be empty".into());
        }
        if let Some((email, _)) = self.users.iter().find(|(email, _)| !email.contains('@')) {
            return Err(format!("a user's address must be an email address, not {email:?}"));
        }
        if self.qps == 0 {
            return Err("the quota must allow at least 1 request per second".into());
        }
        if self.retention < Duration::from_secs(1) {
            return Err("mail must be kept for at least 1 second".into());
        }
        if self.retention > MAX_RETENTION {
            return Err("mail can be kept for at most 100 years".into());
        }
        if self.max_messages == 0 {
            return Err("the store must have room for at least one message".into());
        }
        if self.max_message_size == 0 {
            return Err("the largest message size must be at least 1 byte".into());
        }
        if self.max_store_bytes < self.max_message_size {
            return Err(format!(
                "the store's byte budget ({} bytes) is smaller than the largest message accepted ({} bytes)",
                self.max_store_bytes, self.max_message_size
            ));
        }
        if self.max_connections == 0 || self.max_http_connections == 0 {
            return Err("at least one connection must be allowed".into());
        }
        Ok(())
    }

    /// Whether either listener binds beyond the loopback interface.
    pub fn is_exposed(&self) -> bool {
        !self.http.ip().is_loopback() || !self.smtp.ip().is_loopback()
    }
}

/// The longest retention: far beyond any test run, and far from the
/// overflow of a millisecond expiry time.
const MAX_RETENTION: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A domain name as DNS writes it: dot-separated labels of letters,
/// digits and hyphens, none empty or longer than 63, 253 in all.
fn check_domain(domain: &str) -> Result<(), String> {
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if domain.len() <= 253 && domain.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(format!("{domain:?} is not a domain name such as otpcatch.test"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_listens_on_loopback_only_and_anything_else_is_exposed() {
        assert!(!ServerConfig::default().is_exposed());
        assert!(!ServerConfig::ephemeral().is_exposed());
        let on =
            |ip: &str| ServerConfig { smtp: SocketAddr::new(ip.parse().unwrap(), 2525), ..ServerConfig::default() };
        assert!(!on("127.0.0.2").is_exposed());
        assert!(!on("::1").is_exposed());
        assert!(on("0.0.0.0").is_exposed());
        assert!(on("::").is_exposed());
        assert!(on("192.168.1.10").is_exposed());
    }

    #[test]
    fn settings_that_would_hide_mail_are_refused() {
        let refused = |config: ServerConfig| config.validate().unwrap_err();
        assert!(ServerConfig::default().validate().is_ok());
        assert!(refused(ServerConfig { max_messages: 0, ..ServerConfig::default() }).contains("one message"));
        assert!(refused(ServerConfig { retention: Duration::ZERO, ..ServerConfig::default() }).contains("1 second"));
        assert!(refused(ServerConfig { retention: Duration::MAX, ..ServerConfig::default() }).contains("100 years"));
        assert!(refused(ServerConfig { qps: 0, ..ServerConfig::default() }).contains("1 request"));
        assert!(refused(ServerConfig { max_store_bytes: 10, ..ServerConfig::default() }).contains("byte budget"));
        for domain in ["", "bad domain", "a..b", "-x.test", "ü.test"] {
            let config = ServerConfig { domains: vec![domain.to_owned()], ..ServerConfig::default() };
            assert!(refused(config).contains("not a domain name"), "{domain:?}");
        }
        let empty_token = ServerConfig { api_tokens: vec![Secret::new("")], ..ServerConfig::default() };
        assert!(refused(empty_token).contains("empty"));
    }
}
