//! The one path every request takes: Bearer, quota, send, bounded read,
//! decode; and the retry wrapper around it.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use backon::Retryable;
use otpcatch_wire::endpoint::{Endpoint, Method, Retry};
use otpcatch_wire::{Envelope, push};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Client;
use super::decode::{decode, require_data, retry_after};
use crate::Secret;
use crate::error::{Error, Result};
use crate::quota::Priority;

/// The largest response body the client reads, to keep memory bounded.
const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// How long a push stream may stay open: as long as any wait.
const STREAM_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The shortest time a request is given, even when the budget is spent.
const MIN_ATTEMPT: Duration = Duration::from_millis(500);

/// The shortest time a request is given inside [`answer_by`]: its deadline
/// is a promise to the caller (a wait that must report before its time is
/// up), so it is kept even when little time is left.
const MIN_ATTEMPT_ANSWERING: Duration = Duration::from_millis(50);

tokio::task_local! {
    /// The latest moment any call made inside [`answer_by`] may still be
    /// retrying: a wait sets it so that a call's last failure comes back
    /// to it before the wait's own time is up, rather than being cut off
    /// unreported.
    static ANSWER_BY: Instant;
}

/// Runs `work` with every call inside it bounded by `deadline`, on top of
/// the client's own retry budget.
pub(crate) async fn answer_by<F: Future>(deadline: Instant, work: F) -> F::Output {
    ANSWER_BY.scope(deadline, work).await
}

/// The deadline of a call starting now: the retry budget, or an enclosing
/// [`answer_by`] if that ends sooner.
fn call_deadline(budget: Duration) -> Instant {
    let own = Instant::now() + budget;
    ANSWER_BY.try_with(|&outer| outer.min(own)).unwrap_or(own)
}

/// Whether a failed call may be sent again, by its endpoint's retry class.
fn may_retry(retry: Retry, error: &Error) -> bool {
    match retry {
        Retry::Idempotent => error.is_transient(),
        Retry::OnlyIfRefused => error.is_quota(),
    }
}

/// An error's headline and the causes behind it, for a log line.
fn with_causes(error: &Error) -> String {
    let mut line = error.headline();
    let mut cause = std::error::Error::source(error);
    while let Some(c) = cause {
        line.push_str(": ");
        line.push_str(&c.to_string());
        cause = c.source();
    }
    line
}

/// Inbox listings yield the quota to every other request.
fn priority(endpoint: &Endpoint) -> Priority {
    if endpoint.listing { Priority::Background } else { Priority::Foreground }
}

fn method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Delete => reqwest::Method::DELETE,
    }
}

impl Client {
    /// Calls an authenticated endpoint and returns its `data`.
    pub(crate) async fn call<B, T>(&self, endpoint: &Endpoint, body: Option<&B>) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let envelope = self.retrying(endpoint, |deadline| self.send_authenticated(endpoint, body, deadline)).await?;
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
            self.retrying(endpoint, |deadline| self.send_authenticated(endpoint, Some(body), deadline)).await?;
        Ok(())
    }

    /// Calls `/auth` or `/token`, which take no Bearer, once: the exchange
    /// happens inside another call, whose retries cover it too, so retries
    /// never multiply.
    pub(crate) async fn call_unauthenticated<B, T>(&self, endpoint: &Endpoint, body: &B) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let deadline = call_deadline(self.inner.retry_budget);
        let envelope = self.send(endpoint, Some(body), None, deadline).await?;
        require_data(endpoint, envelope)
    }

    /// Opens otpcatch's push stream at `path`; the caller reads the body.
    /// Passes the Bearer and the quota like any other request, but is not
    /// retried: the wait falls back to polling.
    pub(crate) async fn open_stream(&self, path: &str, address: &str) -> Result<reqwest::Response> {
        const STREAM: &str = "GET (push stream)";
        let bearer = self.inner.auth.bearer(self).await?;
        self.inner.limiter.acquire(Priority::Foreground).await;
        let mut request = self
            .inner
            .http
            .get(format!("{}{path}", self.inner.base_url))
            .query(&[(push::ADDRESS_QUERY, address)])
            .timeout(STREAM_LIFETIME);
        if let Some(bearer) = &bearer {
            request = request.bearer_auth(bearer.expose());
        }
        let response = request.send().await.map_err(|source| Error::transport(STREAM, source))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(Error::api(STREAM, status, String::new(), None, self.inner.auth.credential_kind()));
        }
        Ok(response)
    }

    /// Runs `attempt` until it succeeds, fails for good, or the call's
    /// retry budget is spent: one deadline for every try, the Bearer
    /// exchange included, and each try's HTTP timeout ends at it too.
    async fn retrying<T, F, Fut>(&self, endpoint: &Endpoint, mut attempt: F) -> Result<T>
    where
        F: FnMut(Instant) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let max_retry_after = self.inner.max_retry_after;
        let deadline = call_deadline(self.inner.retry_budget);
        (|| attempt(deadline))
            .retry(self.inner.backoff)
            .when(|err: &Error| may_retry(endpoint.retry, err))
            .adjust(|err: &Error, backoff| {
                // Only lengthen a pause the policy already allows; never
                // turn an exhausted policy into another try, nor try after
                // the budget is spent.
                backoff
                    .map(|pause| err.retry_after().map_or(pause, |asked| asked.min(max_retry_after)))
                    .filter(|&pause| Instant::now() + pause < deadline)
            })
            .notify(|err: &Error, pause| {
                tracing::info!("{} failed ({}); retrying in {pause:.2?}", endpoint.name, with_causes(err));
            })
            .await
    }

    /// Sends once with the current Bearer; on a 401, renews the Bearer and
    /// sends once more.
    async fn send_authenticated<B, T>(
        &self,
        endpoint: &Endpoint,
        body: Option<&B>,
        deadline: Instant,
    ) -> Result<Envelope<T>>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let bearer = self.inner.auth.bearer(self).await?;
        match self.send(endpoint, body, bearer.as_ref(), deadline).await {
            Err(err) if err.is_auth() && bearer.is_some() => {
                if let Some(rejected) = &bearer {
                    tracing::debug!("{} answered 401; renewing the Bearer", endpoint.name);
                    self.inner.auth.forget(rejected).await;
                }
                let renewed = self.inner.auth.bearer(self).await?;
                self.send(endpoint, body, renewed.as_ref(), deadline).await
            }
            other => other,
        }
    }

    /// One HTTP exchange: quota, send, read, decode; its timeout ends at
    /// `deadline` at the latest.
    async fn send<B, T>(
        &self,
        endpoint: &Endpoint,
        body: Option<&B>,
        bearer: Option<&Secret>,
        deadline: Instant,
    ) -> Result<Envelope<T>>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.inner.limiter.acquire(priority(endpoint)).await;
        let url = format!("{}{}", self.inner.base_url, endpoint.path);
        let floor = if ANSWER_BY.try_with(|_| ()).is_ok() { MIN_ATTEMPT_ANSWERING } else { MIN_ATTEMPT };
        let remaining = deadline.saturating_duration_since(Instant::now()).max(floor);
        let mut request =
            self.inner.http.request(method(endpoint.method), url).timeout(remaining.min(self.inner.request_timeout));
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer.expose());
        }
        tracing::debug!("{}", endpoint.name);
        let transport = |source: reqwest::Error| Error::transport(endpoint.name, source);
        let mut response = request.send().await.map_err(transport)?;
        if response.headers().get(push::PUSH_HEADER).is_some() {
            self.inner.push_advertised.store(true, Ordering::Relaxed);
        }
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(Error::decode(
                    endpoint.name,
                    format!("the response is larger than {} MiB", MAX_RESPONSE_BYTES >> 20),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        decode(endpoint, status, retry_after, &bytes, self.inner.auth.credential_kind())
    }
}
