//! Configuring a client: the defaults, then layers of [`Settings`] (a
//! configuration file, the environment, command-line flags) applied in
//! order, then explicit builder calls.

use std::path::{Path, PathBuf};
use std::time::Duration;

use backon::ExponentialBuilder;
use serde::Deserialize;

use super::{Client, Inner};
use crate::auth::{Auth, Credential};
use crate::error::{Error, Result};
use crate::quota::{FleetQuota, Limiter};
use crate::{DEFAULT_TIMEOUT, Secret};

/// The 22.do API's base URL, the default.
pub const DEFAULT_BASE_URL: &str = "https://22.do/api/v2";

/// The account quota 22.do documents: 20 requests per second.
pub const DEFAULT_QUOTA_PER_SECOND: u32 = otpcatch_wire::QUOTA_PER_SECOND;

/// The environment variables [`Settings::from_env`] reads, with what each
/// sets. A program that documents its configuration can list these.
pub const ENV_VARS: [(&str, &str); 9] = [
    ("OTPCATCH_API_URL", "the API's base URL"),
    ("OTPCATCH_TOKEN", "the API token"),
    ("OTPCATCH_ADDRESS", "the account's address, with OTPCATCH_PASSWORD"),
    ("OTPCATCH_PASSWORD", "the account's password"),
    ("OTPCATCH_QPS", "the account's quota in requests per second"),
    ("OTPCATCH_CACHE_DIR", "where the Bearer cache and the shared quota log are kept"),
    ("OTPCATCH_TIMEOUT", "how long a wait lasts, such as 60s or 2m"),
    ("OTPCATCH_QUOTA_URL", "a Redis URL whose quota every machine of a fleet shares, such as redis://host:6379/0"),
    ("OTPCATCH_QUOTA_FALLBACK_SHARE", "the share of the quota a machine uses while Redis is unreachable, such as 1/4"),
];

/// One layer of client settings, every one optional: what a configuration
/// file, the environment or a command line says. [`ClientBuilder::apply`]
/// lays them over each other; what a layer leaves unset, it leaves alone.
///
/// It deserializes from a configuration file's keys: `api-url`, `token`,
/// `address`, `password`, `qps`, `cache-dir` and `timeout` (a duration
/// such as `90s`). Unknown keys are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// The API's base URL.
    pub api_url: Option<String>,
    /// An API token, exchanged at `POST /token`. It wins over an address
    /// and password, whichever layers set them.
    pub token: Option<Secret>,
    /// An account's address, exchanged with `password` at `POST /auth`.
    pub address: Option<String>,
    /// The account's password.
    pub password: Option<Secret>,
    /// The account's quota in requests per second.
    pub qps: Option<u32>,
    /// Where the Bearer cache and the shared quota log are kept.
    pub cache_dir: Option<PathBuf>,
    /// How long a wait lasts unless the wait says otherwise.
    #[serde(default, deserialize_with = "duration_text")]
    pub timeout: Option<Duration>,
    /// A Redis URL (`redis://host:6379/0`) that holds the account's quota
    /// for every machine that uses it. It may carry a password, so it is a
    /// secret.
    pub quota_url: Option<Secret>,
    /// The share of the quota a machine uses while Redis is unreachable.
    #[serde(default, deserialize_with = "share_text")]
    pub quota_fallback_share: Option<Share>,
}

/// A share of the quota: `1/4`, `0.25` or `25%`, above 0 and at most 1,
/// kept in thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    thousandths: u16,
}

impl Share {
    /// A quarter: what each of a typical matrix's machines may take alone.
    pub const QUARTER: Self = Self { thousandths: 250 };

    /// `per_second` scaled by this share, and at least 1.
    pub fn of(self, per_second: u32) -> u32 {
        ((u64::from(per_second) * u64::from(self.thousandths)) / 1000).max(1) as u32
    }
}

impl std::str::FromStr for Share {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let text = text.trim();
        let value = || -> Option<f64> {
            if let Some((numerator, denominator)) = text.split_once('/') {
                Some(numerator.trim().parse::<f64>().ok()? / denominator.trim().parse::<f64>().ok()?)
            } else if let Some(percent) = text.strip_suffix('%') {
                Some(percent.trim().parse::<f64>().ok()? / 100.0)
            } else {
                text.parse().ok()
            }
        };
        match value() {
            Some(value) if value.is_finite() && value > 0.0 && value <= 1.0 => {
                Ok(Self { thousandths: ((value * 1000.0).round() as u16).max(1) })
            }
            _ => Err(format!("{text:?} is not a share of the quota such as 1/4, 0.25 or 25% (above 0, at most 1)")),
        }
    }
}

fn share_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Option<Share>, D::Error> {
    Option::<String>::deserialize(deserializer)?.map(|text| text.parse().map_err(serde::de::Error::custom)).transpose()
}

fn duration_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Option<Duration>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|text| humantime::parse_duration(text.trim()).map_err(serde::de::Error::custom))
        .transpose()
}

impl Settings {
    /// The settings the process environment holds (see [`ENV_VARS`]).
    /// Unset and empty variables are left unset; a malformed one is an
    /// error that names it.
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place the library reads the environment, when its caller asks"
    )]
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings an environment holds, read through `lookup` (a
    /// variable's name to its value), as [`Settings::from_env`] reads the
    /// process's.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let qps = var("OTPCATCH_QPS")
            .map(|text| {
                text.trim().parse().ok().filter(|&q| q > 0).ok_or_else(|| {
                    Error::config(format!(
                        "OTPCATCH_QPS must be a whole number of requests per second above 0, not {text:?}"
                    ))
                })
            })
            .transpose()?;
        let timeout = var("OTPCATCH_TIMEOUT")
            .map(|text| {
                humantime::parse_duration(text.trim()).map_err(|err| {
                    Error::config(format!("OTPCATCH_TIMEOUT={text:?} is not a duration such as 60s: {err}"))
                })
            })
            .transpose()?;
        let quota_fallback_share = var("OTPCATCH_QUOTA_FALLBACK_SHARE")
            .map(|text| text.parse().map_err(|why| Error::config(format!("OTPCATCH_QUOTA_FALLBACK_SHARE: {why}"))))
            .transpose()?;
        Ok(Self {
            quota_url: var("OTPCATCH_QUOTA_URL").map(Secret::new),
            quota_fallback_share,
            api_url: var("OTPCATCH_API_URL"),
            token: var("OTPCATCH_TOKEN").map(Secret::new),
            address: var("OTPCATCH_ADDRESS"),
            password: var("OTPCATCH_PASSWORD").map(Secret::new),
            qps,
            cache_dir: var("OTPCATCH_CACHE_DIR").map(PathBuf::from),
            timeout,
        })
    }

    /// Whether the layer sets a credential, or half of one.
    pub fn has_credential(&self) -> bool {
        self.token.is_some() || self.address.is_some() || self.password.is_some()
    }
}

/// Where the client keeps its Bearer cache and shared quota log.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CacheDir {
    /// The user's cache directory, `otpcatch` under it.
    Default,
    /// A directory of the caller's choosing.
    At(PathBuf),
    /// No files: Bearer and quota are per process.
    Off,
}

/// Configures a [`Client`]. Start from [`Client::builder`] (the defaults),
/// lay [`Settings`] over it with [`ClientBuilder::apply`], and set anything
/// else explicitly; each call overrides what came before.
///
/// ```
/// use otpcatch_core::{Client, Settings};
///
/// let from_file = Settings { qps: Some(10), ..Settings::default() };
/// let client = Client::builder()
///     .apply(&from_file)
///     .apply(&Settings::from_lookup(|_| None)?) // or Settings::from_env()?
///     .base_url("http://127.0.0.1:8025/api/v2")
///     .api_token("token")
///     .build()?;
/// # Ok::<(), otpcatch_core::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    token: Option<Secret>,
    address: Option<String>,
    password: Option<Secret>,
    quota_per_second: u32,
    cache_dir: CacheDir,
    max_retries: usize,
    min_backoff: Duration,
    max_backoff: Duration,
    request_timeout: Duration,
    wait_timeout: Duration,
    retry_budget: Duration,
    quota_url: Option<Secret>,
    quota_fallback_share: Share,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            token: None,
            address: None,
            password: None,
            quota_per_second: DEFAULT_QUOTA_PER_SECOND,
            cache_dir: CacheDir::Default,
            max_retries: 5,
            min_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            request_timeout: Duration::from_secs(30),
            wait_timeout: DEFAULT_TIMEOUT,
            retry_budget: Duration::from_secs(10),
            quota_url: None,
            quota_fallback_share: Share::QUARTER,
        }
    }
}

impl ClientBuilder {
    /// Lays `settings` over the current ones: what it sets replaces, what it
    /// leaves unset stays. Apply layers from the lowest (a configuration
    /// file) to the highest (command-line flags).
    pub fn apply(mut self, settings: &Settings) -> Self {
        if let Some(url) = &settings.api_url {
            self.base_url.clone_from(url);
        }
        if let Some(token) = &settings.token {
            self.token = Some(token.clone());
        }
        if let Some(address) = &settings.address {
            self.address = Some(address.clone());
        }
        if let Some(password) = &settings.password {
            self.password = Some(password.clone());
        }
        if let Some(qps) = settings.qps {
            self.quota_per_second = qps;
        }
        if let Some(dir) = &settings.cache_dir {
            self.cache_dir = CacheDir::At(dir.clone());
        }
        if let Some(timeout) = settings.timeout {
            self.wait_timeout = timeout;
        }
        if let Some(url) = &settings.quota_url {
            self.quota_url = Some(url.clone());
        }
        if let Some(share) = settings.quota_fallback_share {
            self.quota_fallback_share = share;
        }
        self
    }

    /// Lays the environment's settings over the current ones (see
    /// [`Settings::from_env`]).
    pub fn from_env(self) -> Result<Self> {
        Ok(self.apply(&Settings::from_env()?))
    }

    /// The API's base URL, such as `https://22.do/api/v2` or the local
    /// server's `http://127.0.0.1:8025/api/v2`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Authenticate with an API token (`POST /token`).
    pub fn api_token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        (self.address, self.password) = (None, None);
        self
    }

    /// Authenticate with an account's address and password (`POST /auth`).
    pub fn password(mut self, address: impl Into<String>, password: impl Into<Secret>) -> Self {
        (self.address, self.password) = (Some(address.into()), Some(password.into()));
        self.token = None;
        self
    }

    /// Authenticate with `credential`.
    pub fn credential(self, credential: Credential) -> Self {
        match credential {
            Credential::ApiToken(token) => self.api_token(token),
            Credential::Password { address, password } => self.password(address, password),
        }
    }

    /// Whether a credential (or half of one) has been set.
    pub fn has_credential(&self) -> bool {
        self.token.is_some() || self.address.is_some() || self.password.is_some()
    }

    /// Whether the base URL is still the default, 22.do's.
    pub fn uses_default_base_url(&self) -> bool {
        self.base_url == DEFAULT_BASE_URL
    }

    /// The account's quota in requests per second (default 20).
    pub fn quota_per_second(mut self, per_second: u32) -> Self {
        self.quota_per_second = per_second;
        self
    }

    /// Share the account's quota with every machine that uses the Redis at
    /// `url` (`redis://host:6379/0`), falling back to `fallback_share` of
    /// it on this machine while Redis is unreachable.
    pub fn fleet_quota(mut self, url: impl Into<Secret>, fallback_share: Share) -> Self {
        self.quota_url = Some(url.into());
        self.quota_fallback_share = fallback_share;
        self
    }

    /// Keep the Bearer cache and the shared quota log in `dir` instead of
    /// the user's cache directory.
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = CacheDir::At(dir.into());
        self
    }

    /// Keep nothing on disk: the Bearer and the quota are this process's own.
    pub fn no_disk_cache(mut self) -> Self {
        self.cache_dir = CacheDir::Off;
        self
    }

    /// How many times a failed request is retried (default 5).
    pub fn max_retries(mut self, retries: usize) -> Self {
        self.max_retries = retries;
        self
    }

    /// The shortest and longest pause between retries (default 250 ms to 8 s).
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.min_backoff = min;
        self.max_backoff = max.max(min);
        self
    }

    /// How long one HTTP request may take (default 30 s), within the
    /// retry budget.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long one call may take in all, its retries and its Bearer
    /// exchange included (default 10 s): a failing server fails a command
    /// in about this long, not in retries multiplied by retries. (A wait
    /// gives each of its listings this budget, and is bounded by its own
    /// timeout.)
    pub fn retry_budget(mut self, budget: Duration) -> Self {
        self.retry_budget = budget;
        self
    }

    /// How long a wait lasts unless it says otherwise (default 60 s; see
    /// [`Wait::timeout`](crate::Wait::timeout)).
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.wait_timeout = timeout;
        self
    }

    /// Builds the client. Fails on a base URL that is not http(s), a quota
    /// of zero, or an address without a password (or the reverse).
    pub fn build(self) -> Result<Client> {
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|err| Error::config(format!("the API base URL {base_url:?} is not a URL: {err}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::config(format!("the API base URL {base_url:?} must start with http:// or https://")));
        }
        if self.quota_per_second == 0 {
            return Err(Error::config("the quota must allow at least one request per second"));
        }
        let credential = match (self.token, self.address, self.password) {
            (Some(token), ..) => Some(Credential::ApiToken(token)),
            (None, Some(address), Some(password)) => Some(Credential::Password { address, password }),
            (None, Some(_), None) => {
                return Err(Error::config("an account address is set but no password: set both, or an API token"));
            }
            (None, None, Some(_)) => {
                return Err(Error::config("a password is set but no account address: set both, or an API token"));
            }
            (None, None, None) => None,
        };
        let http = reqwest::Client::builder()
            .user_agent(concat!("otpcatch/", env!("CARGO_PKG_VERSION"), " (uses the 22.do API, https://22.do)"))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|err| Error::config(format!("could not set up the HTTP client: {err}")))?;

        let cache_dir = match self.cache_dir {
            CacheDir::Default => dirs::cache_dir().map(|d| d.join("otpcatch")),
            CacheDir::At(dir) => Some(dir),
            CacheDir::Off => None,
        }
        .and_then(|dir| match create_private_dir(&dir) {
            Ok(()) => Some(dir),
            Err(err) => {
                tracing::warn!("cache directory {} is unusable ({err}); caching nothing", dir.display());
                None
            }
        });
        let key = credential
            .as_ref()
            .map_or_else(|| Credential::ApiToken(Secret::new("")).cache_key(&base_url), |c| c.cache_key(&base_url));
        let bearer_file = cache_dir.as_ref().map(|d| d.join(format!("bearer-{key}.json")));
        let quota_file = cache_dir.as_ref().map(|d| d.join(format!("quota-{key}.log")));

        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.min_backoff)
            .with_max_delay(self.max_backoff)
            .with_max_times(self.max_retries)
            .with_jitter();
        Ok(Client::from_inner(Inner {
            http,
            base_url,
            auth: Auth::new(credential, bearer_file),
            limiter: Limiter::new(
                self.quota_per_second,
                quota_file,
                self.quota_url.map(|url| FleetQuota {
                    url,
                    key: format!("otpcatch:quota:{key}"),
                    fallback_share: self.quota_fallback_share,
                }),
            ),
            backoff,
            max_retry_after: self.max_backoff.max(Duration::from_secs(30)),
            push_advertised: Default::default(),
            wait_timeout: self.wait_timeout,
            retry_budget: self.retry_budget,
            request_timeout: self.request_timeout,
        }))
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fallback_share_reads_as_a_fraction_a_decimal_or_a_percentage() {
        for text in ["1/4", "0.25", "25%", " 1 / 4 "] {
            assert_eq!(text.parse::<Share>(), Ok(Share::QUARTER), "{text}");
        }
        assert_eq!(Share::QUARTER.of(20), 5);
        assert_eq!("1/100".parse::<Share>().unwrap().of(20), 1, "never below one request a second");
        for bad in ["0", "2", "-1/4", "1/0", "a quarter", "150%"] {
            assert!(bad.parse::<Share>().is_err(), "{bad}");
        }
        let settings =
            Settings::from_lookup(|name| (name == "OTPCATCH_QUOTA_FALLBACK_SHARE").then(|| "half".to_owned()));
        assert!(settings.unwrap_err().to_string().contains("OTPCATCH_QUOTA_FALLBACK_SHARE"));
        let url =
            Settings::from_lookup(|name| (name == "OTPCATCH_QUOTA_URL").then(|| "redis://:pw@r:6379/0".to_owned()));
        assert!(!format!("{:?}", url.unwrap()).contains("pw"), "the URL may hold a password");
    }

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_environment_is_read_through_the_lookup_and_blank_means_unset() {
        let settings = Settings::from_lookup(lookup(&[
            ("OTPCATCH_API_URL", "http://127.0.0.1:1/api/v2"),
            ("OTPCATCH_TOKEN", "  "),
            ("OTPCATCH_QPS", "7"),
            ("OTPCATCH_TIMEOUT", "90s"),
        ]))
        .unwrap();
        assert_eq!(settings.api_url.as_deref(), Some("http://127.0.0.1:1/api/v2"));
        assert_eq!(settings.token, None);
        assert_eq!((settings.qps, settings.timeout), (Some(7), Some(Duration::from_secs(90))));
        let err = Settings::from_lookup(lookup(&[("OTPCATCH_QPS", "fast")])).unwrap_err();
        assert!(err.to_string().contains("OTPCATCH_QPS must be a whole number"), "{err}");
        let err = Settings::from_lookup(lookup(&[("OTPCATCH_TIMEOUT", "soon")])).unwrap_err();
        assert!(err.to_string().contains("OTPCATCH_TIMEOUT"), "{err}");
    }

    #[test]
    fn later_layers_override_what_they_set_and_keep_the_rest() {
        let file = Settings { qps: Some(5), token: Some("file-token".into()), ..Settings::default() };
        let env = Settings { api_url: Some("http://127.0.0.1:9/api/v2".into()), ..Settings::default() };
        let flags = Settings { token: Some("flag-token".into()), ..Settings::default() };
        let builder = Client::builder().apply(&file).apply(&env).apply(&flags);
        assert_eq!(builder.quota_per_second, 5);
        assert_eq!(builder.base_url, "http://127.0.0.1:9/api/v2");
        assert_eq!(builder.token.as_ref().map(Secret::expose), Some("flag-token"));
        // An explicit call is the top layer.
        let explicit = builder.password("a@x.test", "pw");
        assert!(explicit.token.is_none() && explicit.address.is_some());
    }

    #[test]
    fn a_token_wins_over_a_login_and_half_a_login_is_an_error() {
        let both = Settings { token: Some("t".into()), address: Some("a@x.test".into()), ..Settings::default() };
        assert!(Client::builder().apply(&both).no_disk_cache().build().is_ok());
        let half = Settings { address: Some("a@x.test".into()), ..Settings::default() };
        let err = Client::builder().apply(&half).no_disk_cache().build().unwrap_err();
        assert!(err.to_string().contains("no password"), "{err}");
    }

    #[test]
    fn a_configuration_file_deserializes_into_a_layer() {
        let settings: Settings = serde_json::from_str(r#"{"api-url":"http://x.test/api/v2","timeout":"2m"}"#).unwrap();
        assert_eq!(settings.timeout, Some(Duration::from_secs(120)));
        assert!(serde_json::from_str::<Settings>(r#"{"api_url":"x"}"#).is_err(), "unknown keys are refused");
    }
}
