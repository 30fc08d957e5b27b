//! The client: configuration, and the one path every request takes.
//!
//! A request passes, in order: the Bearer (exchanged or renewed as needed),
//! the quota, the HTTP send, and the envelope decoding. Failures that may
//! succeed on a second try are retried with exponential backoff and jitter,
//! honouring `Retry-After`, as the endpoint's [`RetryPolicy`] allows.
//!
//! [`RetryPolicy`]: crate::api

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::Endpoint;
use crate::auth::{Auth, Credential};
use crate::error::{CredentialKind, Error, ErrorKind, Result};
use crate::quota::{Limiter, Priority};
use crate::wire::Envelope;
use crate::{Family, Mailbox, Secret};

/// The 22.do API's base URL, the default.
pub const DEFAULT_BASE_URL: &str = "https://22.do/api/v2";

/// The account quota 22.do documents: 20 requests per second.
pub const DEFAULT_QUOTA_PER_SECOND: u32 = 20;

/// The response header with which otpcatch's local server advertises its
/// push extension (a stream of new-message events per address).
pub const PUSH_HEADER: &str = "x-otpcatch-push";

/// The largest response body the client reads, to keep memory bounded.
const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// A 22.do API client. Cheap to clone: clones share the connection pool,
/// the Bearer and the quota.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    auth: Auth,
    limiter: Limiter,
    backoff: ExponentialBuilder,
    max_retry_after: Duration,
    push_advertised: AtomicBool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credential", &self.inner.auth.credential())
            .field("quota_per_second", &self.inner.limiter.per_second())
            .finish_non_exhaustive()
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

/// Configures a [`Client`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    credential: Option<Credential>,
    quota_per_second: u32,
    cache_dir: CacheDir,
    max_retries: usize,
    min_backoff: Duration,
    max_backoff: Duration,
    request_timeout: Duration,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            credential: None,
            quota_per_second: DEFAULT_QUOTA_PER_SECOND,
            cache_dir: CacheDir::Default,
            max_retries: 5,
            min_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl ClientBuilder {
    /// The API's base URL, such as `https://22.do/api/v2` or the local
    /// server's `http://127.0.0.1:8025/api/v2`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Authenticate with an API token (`POST /token`).
    pub fn api_token(mut self, token: impl Into<Secret>) -> Self {
        self.credential = Some(Credential::ApiToken(token.into()));
        self
    }

    /// Authenticate with an account's address and password (`POST /auth`).
    pub fn password(mut self, address: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.credential = Some(Credential::Password { address: address.into(), password: password.into() });
        self
    }

    /// Authenticate with `credential`.
    pub fn credential(mut self, credential: Credential) -> Self {
        self.credential = Some(credential);
        self
    }

    /// The account's quota in requests per second (default 20).
    pub fn quota_per_second(mut self, per_second: u32) -> Self {
        self.quota_per_second = per_second;
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

    /// How long one HTTP request may take (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Reads the environment over the current settings:
    /// `OTPCATCH_API_URL`, `OTPCATCH_TOKEN`, or `OTPCATCH_ADDRESS` with
    /// `OTPCATCH_PASSWORD`, `OTPCATCH_QPS` and `OTPCATCH_CACHE_DIR`.
    /// Unset and empty variables are ignored; a malformed one is an error.
    pub fn from_env(mut self) -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(url) = var("OTPCATCH_API_URL") {
            self.base_url = url;
        }
        if let Some(token) = var("OTPCATCH_TOKEN") {
            self = self.api_token(token);
        } else if let Some(address) = var("OTPCATCH_ADDRESS") {
            let Some(password) = var("OTPCATCH_PASSWORD") else {
                return Err(Error::config(
                    "OTPCATCH_ADDRESS is set but OTPCATCH_PASSWORD is not\nhint: set both, or set OTPCATCH_TOKEN instead",
                ));
            };
            self = self.password(address, password);
        }
        if let Some(qps) = var("OTPCATCH_QPS") {
            self.quota_per_second = qps.trim().parse().ok().filter(|&q| q > 0).ok_or_else(|| {
                Error::config(format!(
                    "OTPCATCH_QPS must be a whole number of requests per second above 0, not {qps:?}"
                ))
            })?;
        }
        if let Some(dir) = var("OTPCATCH_CACHE_DIR") {
            self.cache_dir = CacheDir::At(dir.into());
        }
        Ok(self)
    }

    /// Builds the client. Fails only on a base URL that is not http(s) or a
    /// quota of zero.
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
        let http = reqwest::Client::builder()
            .user_agent(concat!("otpcatch/", env!("CARGO_PKG_VERSION"), " (uses the 22.do API, https://22.do)"))
            .connect_timeout(Duration::from_secs(10))
            .timeout(self.request_timeout)
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
        let key = self
            .credential
            .as_ref()
            .map_or_else(|| Credential::ApiToken(Secret::new("")).cache_key(&base_url), |c| c.cache_key(&base_url));
        let bearer_file = cache_dir.as_ref().map(|d| d.join(format!("bearer-{key}.json")));
        let quota_file = cache_dir.as_ref().map(|d| d.join(format!("quota-{key}.log")));

        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.min_backoff)
            .with_max_delay(self.max_backoff)
            .with_max_times(self.max_retries)
            .with_jitter();
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                auth: Auth::new(self.credential, bearer_file),
                limiter: Limiter::new(self.quota_per_second, quota_file),
                backoff,
                max_retry_after: self.max_backoff.max(Duration::from_secs(30)),
                push_advertised: AtomicBool::new(false),
            }),
        })
    }
}

fn create_private_dir(dir: &PathBuf) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

impl Client {
    /// A builder with the defaults: 22.do, no credential, 20 requests/s,
    /// the user's cache directory.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (see
    /// [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Self> {
        Self::builder().from_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A mailbox for an address that already exists; its family is guessed
    /// from the domain (see [`Family::guess`]).
    pub fn mailbox(&self, address: impl Into<String>) -> Mailbox {
        let address = address.into();
        let family = Family::guess(&address);
        Mailbox::new(self.clone(), address, family)
    }

    /// A mailbox for an address of a known family.
    pub fn mailbox_in(&self, family: Family, address: impl Into<String>) -> Mailbox {
        Mailbox::new(self.clone(), address.into(), family)
    }

    /// Whether the server has advertised otpcatch's push extension in any
    /// response so far.
    pub fn push_advertised(&self) -> bool {
        self.inner.push_advertised.load(Ordering::Relaxed)
    }

    pub(crate) fn auth(&self) -> &Auth {
        &self.inner.auth
    }

    /// Calls an authenticated endpoint and returns its `data`.
    pub(crate) async fn call<B, T>(&self, endpoint: &Endpoint, body: Option<&B>) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let envelope = self.retrying(endpoint, || self.send_authenticated(endpoint, body)).await?;
        require_data(endpoint, envelope)
    }

    /// Calls an authenticated endpoint that takes no body.
    pub(crate) async fn call_without_body<T: DeserializeOwned>(&self, endpoint: &Endpoint) -> Result<T> {
        self.call(endpoint, None::<&()>).await
    }

    /// Calls an authenticated endpoint whose answer is only a status, such
    /// as a deletion.
    pub(crate) async fn call_for_status<B: Serialize + ?Sized>(&self, endpoint: &Endpoint, body: &B) -> Result<()> {
        let _: Envelope<serde::de::IgnoredAny> =
            self.retrying(endpoint, || self.send_authenticated(endpoint, Some(body))).await?;
        Ok(())
    }

    /// Calls `/auth` or `/token`, which take no Bearer.
    pub(crate) async fn call_unauthenticated<B, T>(&self, endpoint: &Endpoint, body: &B) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let envelope = self.retrying(endpoint, || self.send(endpoint, Some(body), None)).await?;
        require_data(endpoint, envelope)
    }

    /// Opens a streaming request to an extension path (the push stream);
    /// the caller reads the body. Passes the Bearer and the quota like any
    /// other request, but is not retried: the wait falls back to polling.
    pub(crate) async fn open_stream(&self, path: &str, query: &[(&str, &str)]) -> Result<reqwest::Response> {
        const STREAM: &str = "GET (push stream)";
        let bearer = self.inner.auth.bearer(self).await?;
        self.inner.limiter.acquire(Priority::Foreground).await;
        let mut request = self
            .inner
            .http
            .get(format!("{}{path}", self.inner.base_url))
            .query(query)
            .timeout(Duration::from_secs(24 * 3600));
        if let Some(bearer) = &bearer {
            request = request.bearer_auth(bearer.expose());
        }
        let response = request
            .send()
            .await
            .map_err(|source| Error::new(ErrorKind::Transport { endpoint: STREAM, source: source.without_url() }))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(Error::new(ErrorKind::Api {
                endpoint: STREAM,
                status,
                msg: String::new(),
                retry_after: None,
                credential: self.inner.auth.credential_kind(),
            }));
        }
        Ok(response)
    }

    async fn retrying<T, F, Fut>(&self, endpoint: &Endpoint, attempt: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let max_retry_after = self.inner.max_retry_after;
        attempt
            .retry(self.inner.backoff)
            .when(|err: &Error| endpoint.retry.allows(err))
            .adjust(|err: &Error, backoff| {
                // Only lengthen a pause the policy already allows; never
                // turn an exhausted policy into another try.
                backoff.map(|pause| err.retry_after().map_or(pause, |asked| asked.min(max_retry_after)))
            })
            .notify(|err: &Error, pause| {
                tracing::warn!(
                    "{} failed ({}); retrying in {pause:.2?}",
                    endpoint.name,
                    err.to_string().lines().next().unwrap_or_default()
                );
            })
            .await
    }

    /// Sends once with the current Bearer; on a 401, renews the Bearer and
    /// sends once more.
    async fn send_authenticated<B, T>(&self, endpoint: &Endpoint, body: Option<&B>) -> Result<Envelope<T>>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let bearer = self.inner.auth.bearer(self).await?;
        match self.send(endpoint, body, bearer.as_ref()).await {
            Err(err) if err.is_auth() && bearer.is_some() => {
                if let Some(rejected) = &bearer {
                    tracing::debug!("{} answered 401; renewing the Bearer", endpoint.name);
                    self.inner.auth.forget(rejected).await;
                }
                let renewed = self.inner.auth.bearer(self).await?;
                self.send(endpoint, body, renewed.as_ref()).await
            }
            other => other,
        }
    }

    /// One HTTP exchange: quota, send, read, decode.
    async fn send<B, T>(&self, endpoint: &Endpoint, body: Option<&B>, bearer: Option<&Secret>) -> Result<Envelope<T>>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.inner.limiter.acquire(endpoint.priority).await;
        let url = format!("{}{}", self.inner.base_url, endpoint.path);
        let mut request = self.inner.http.request(endpoint.method.into(), url);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer.expose());
        }
        tracing::debug!("{}", endpoint.name);
        let transport = |source: reqwest::Error| {
            Error::new(ErrorKind::Transport { endpoint: endpoint.name, source: source.without_url() })
        };
        let mut response = request.send().await.map_err(transport)?;
        if response.headers().get(PUSH_HEADER).is_some() {
            self.inner.push_advertised.store(true, Ordering::Relaxed);
        }
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(Error::new(ErrorKind::Decode {
                    endpoint: endpoint.name,
                    detail: format!("the response is larger than {} MiB", MAX_RESPONSE_BYTES >> 20),
                }));
            }
            bytes.extend_from_slice(&chunk);
        }
        decode(endpoint, status, retry_after, &bytes, self.inner.auth.credential_kind())
    }
}

/// Decodes a response: the one place the envelope is interpreted.
///
/// A non-2xx HTTP status is an error with the body's `msg` if it has one.
/// A 2xx whose envelope says `status: false` or a `code` outside 200–204 is
/// an error with the envelope's code, as some servers report errors that way.
fn decode<T: DeserializeOwned>(
    endpoint: &Endpoint,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    credential: CredentialKind,
) -> Result<Envelope<T>> {
    let api_error = |status: u16, msg: String| {
        Error::new(ErrorKind::Api { endpoint: endpoint.name, status, msg, retry_after, credential })
    };
    if !(200..300).contains(&status) {
        let msg = match serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(body) {
            Ok(envelope) => envelope.msg,
            Err(_) if endpoint.secret_response => String::new(),
            Err(_) => excerpt(body),
        };
        return Err(api_error(status, msg));
    }
    let envelope: Envelope<T> = serde_json::from_slice(body).map_err(|err| {
        let detail = if endpoint.secret_response {
            // serde's message may quote the value, and the value may be a Bearer.
            format!("{:?} error at line {} column {}", err.classify(), err.line(), err.column())
        } else {
            format!("{err}; the body began {:?}", excerpt(body))
        };
        Error::new(ErrorKind::Decode { endpoint: endpoint.name, detail })
    })?;
    if !envelope.status || !(200..=204).contains(&envelope.code) {
        let code = if (200..300).contains(&envelope.code) { 500 } else { envelope.code };
        return Err(api_error(code, envelope.msg));
    }
    Ok(envelope)
}

/// Decodes `body` as each endpoint kind would, for the fuzz targets, and
/// checks that a response that may carry a secret is never quoted.
#[cfg(feature = "fuzzing")]
pub(crate) fn fuzz_decode(status: u16, body: &[u8]) {
    use crate::api::FUZZED;
    let [listing, read, token] = &FUZZED;
    let kind = CredentialKind::ApiToken;
    use crate::wire;
    let _ = decode::<Vec<wire::MessageSummary>>(listing, status, None, body, kind).map(|e| e.data);
    let _ = decode::<wire::MessageDetail>(read, status, None, body, kind).map(|e| e.data);
    if let Err(error) = decode::<wire::BearerGrant>(token, status, None, body, kind) {
        let shown = format!("{error} {error:?}");
        // The envelope's own `msg` may be shown; nothing else of the body.
        let msg = serde_json::from_slice::<Envelope<serde::de::IgnoredAny>>(body).map(|e| e.msg).unwrap_or_default();
        let text = String::from_utf8_lossy(body);
        for run in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|run| run.len() >= 24) {
            assert!(msg.contains(run) || !shown.contains(run), "a /token body was quoted: {run:?} in {shown:?}");
        }
    }
}

fn require_data<T>(endpoint: &Endpoint, envelope: Envelope<T>) -> Result<T> {
    envelope.data.ok_or_else(|| {
        Error::new(ErrorKind::Decode { endpoint: endpoint.name, detail: "the envelope has no `data`".to_owned() })
    })
}

/// The first 200 characters of a body, for error messages.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut excerpt: String = text.chars().take(200).collect();
    if text.chars().nth(200).is_some() {
        excerpt.push('…');
    }
    excerpt
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{RetryPolicy, Verb};

    const TEST: Endpoint = Endpoint {
        method: Verb::Post,
        path: "/test",
        name: "POST /test",
        retry: RetryPolicy::Idempotent,
        priority: Priority::Foreground,
        secret_response: false,
    };

    #[test]
    fn envelope_errors_inside_a_200_are_errors() {
        let body = br#"{"code":422,"status":false,"msg":"bad domain"}"#;
        let err = decode::<()>(&TEST, 200, None, body, CredentialKind::None).unwrap_err();
        assert_eq!(err.status(), Some(422));
        assert_eq!(err.server_msg(), Some("bad domain"));
    }

    #[test]
    fn a_secret_response_is_never_quoted() {
        let secret = Endpoint { secret_response: true, ..TEST };
        let body = br#"{"code":200,"status":true,"msg":"ok","data":{"Bearer":123456789,"expireTime":1}}"#;
        let err = decode::<crate::wire::BearerGrant>(&secret, 200, None, body, CredentialKind::ApiToken).unwrap_err();
        assert!(!err.to_string().contains("123456789"), "{err}");
        let err = decode::<crate::wire::BearerGrant>(&secret, 500, None, b"Bearer abc.def", CredentialKind::ApiToken)
            .unwrap_err();
        assert!(!err.to_string().contains("abc.def"), "{err}");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        headers.insert(reqwest::header::RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
        let parsed = retry_after(&headers).unwrap();
        assert!(parsed > Duration::from_secs(100) && parsed <= Duration::from_secs(120), "{parsed:?}");
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
