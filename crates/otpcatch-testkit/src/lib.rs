//! # otpcatch-testkit
//!
//! One fake of the 22.do API for every test that needs a misbehaving
//! server: the client's tests and the command line's fault tests. Not
//! published.
//!
//! [`FakeApi`] serves every endpoint of otpcatch-wire's table on
//! `127.0.0.1:0`, from memory, with one API token and one address and
//! password. It records every request, so a test can count requests per
//! endpoint and per second, and it fails on command:
//!
//! - [`FakeApi::inject`] answers the next request to a path with a
//!   [`Fault`]: a status, a raw body (garbled JSON, a gateway's HTML), 429
//!   with or without `Retry-After`, a stall, or a response cut halfway;
//! - [`FakeApi::script`] answers the n-th request to a path by a function
//!   of n, for faults that follow a pattern;
//! - [`FakeApi::expire_first_bearer_after`] and [`FakeApi::revoke_bearers`]
//!   end Bearers before their stated expiry;
//! - [`FakeApi::sloppy_listings`] lists every message twice, newest first.
//!
//! It also speaks otpcatch's push extension when asked
//! ([`FakeApi::enable_push`]), with otpcatch-wire's framing.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use otpcatch_wire::endpoint::{self, Endpoint, Method};
use otpcatch_wire::{
    Account, BearerGrant, Domain, DomainKind, Envelope, Family, GmailIds, GmailList, MessageDetail, MessageSummary,
    MicrosoftAccounts, MicrosoftList, push,
};
use serde_json::Value;
use tokio::sync::broadcast;

/// The API token the fake accepts.
pub const API_TOKEN: &str = "7a3d5e2f8b9c1a6d4f7e0b2c5a8f9d3e";
/// The account address the fake accepts at `/auth`, with [`PASSWORD`].
pub const ADDRESS: &str = "owner@example.com";
/// The account password the fake accepts at `/auth`.
pub const PASSWORD: &str = "correct horse battery staple";

/// A request the fake received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// When it arrived.
    pub at: Instant,
    /// `GET`, `POST` or `DELETE`.
    pub method: String,
    /// The path below the base URL, such as `/inbox`.
    pub path: String,
}

/// A canned answer for a request, instead of the real one.
#[derive(Debug, Clone)]
pub struct Fault {
    path: String,
    status: u16,
    body: String,
    retry_after: Option<String>,
    stall: Option<Duration>,
    cut: bool,
}

impl Fault {
    /// An error status with the envelope a real server would send.
    pub fn status(path: &str, status: u16) -> Self {
        let body = serde_json::to_string(&Envelope::<()>::failure(status, format!("injected {status}")))
            .expect("an envelope serializes");
        Self::raw(path, status, &body)
    }

    /// A status with this body, verbatim: garbled JSON, a gateway's HTML.
    pub fn raw(path: &str, status: u16, body: &str) -> Self {
        Self { path: path.to_owned(), status, body: body.to_owned(), retry_after: None, stall: None, cut: false }
    }

    /// 429 Too Many Requests, with no `Retry-After`.
    pub fn too_many_requests(path: &str) -> Self {
        Self::status(path, 429)
    }

    /// An empty 200 listing, as an inbox with nothing in it answers.
    pub fn empty_listing(path: &str) -> Self {
        let body = serde_json::to_string(&Envelope::success(Vec::<MessageSummary>::new())).expect("serializes");
        Self::raw(path, 200, &body)
    }

    /// Answers only after `delay` (with `{}`, which is not the API's JSON):
    /// long enough, and no client waits for it.
    pub fn stall(path: &str, delay: Duration) -> Self {
        Self { stall: Some(delay), ..Self::raw(path, 200, "{}") }
    }

    /// Starts a 200 answer and drops the connection halfway through it.
    pub fn cut(path: &str) -> Self {
        Self { cut: true, ..Self::raw(path, 200, r#"{"code":200,"status":true,"msg":"success","data":[{"time":1,"#) }
    }

    /// Adds a `Retry-After` header with this value (seconds or a date).
    pub fn retry_after(mut self, value: &str) -> Self {
        self.retry_after = Some(value.to_owned());
        self
    }
}

/// Answers the n-th request (from 0) to a path: a fault, or `None` to
/// serve it normally.
type Script = dyn Fn(usize) -> Option<Fault> + Send + Sync;

#[derive(Default)]
struct FakeState {
    requests: Mutex<Vec<Recorded>>,
    faults: Mutex<VecDeque<Fault>>,
    scripts: Mutex<HashMap<String, (Arc<Script>, usize)>>,
    /// Bearer → (expiry, uses so far).
    bearers: Mutex<HashMap<String, (i64, usize)>>,
    /// After how many uses the first Bearer granted is refused.
    first_bearer_uses: Mutex<Option<usize>>,
    /// Address → messages, oldest first.
    inboxes: Mutex<HashMap<String, Vec<MessageDetail>>>,
    exchanges: AtomicUsize,
    next_id: AtomicUsize,
    bearer_lifetime: AtomicI64,
    /// The `time` the next delivered message gets; 0 means "now".
    clock: AtomicI64,
    push: AtomicBool,
    /// Push each message whole in its event, as otpcatch's server does,
    /// rather than a bare wake-up.
    push_whole: AtomicBool,
    /// List every message twice, newest first, as a sloppy server might.
    sloppy_listing: AtomicBool,
    /// (address, event) for each delivery.
    arrivals: Option<broadcast::Sender<(String, String)>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running fake. Dropping it stops the server.
pub struct FakeApi {
    /// The base URL, `http://127.0.0.1:PORT/api/v2`.
    pub url: String,
    state: Arc<FakeState>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
    /// The fake's own runtime, when it was started outside one.
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakeApi {
    /// Starts the fake on the current tokio runtime.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
        Self::serve(listener, None)
    }

    /// Starts the fake on a runtime of its own, for tests that are not
    /// async (the command line's, which run the binary).
    ///
    /// # Panics
    /// If the runtime cannot start or no loopback port can be bound.
    pub fn spawn() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the fake");
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("a free loopback port");
        let _entered = runtime.enter();
        Self::serve(listener, Some(runtime))
    }

    fn serve(listener: tokio::net::TcpListener, runtime: Option<tokio::runtime::Runtime>) -> Self {
        let (arrivals, _) = broadcast::channel(64);
        let state = Arc::new(FakeState { arrivals: Some(arrivals), ..FakeState::default() });
        state.bearer_lifetime.store(3600, Ordering::SeqCst);
        let url = format!("http://{}/api/v2", listener.local_addr().expect("a bound address"));
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new().fallback(handle).with_state(Arc::clone(&state));
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            let _ = serve.await;
        });
        Self { url, state, _shutdown: shutdown, runtime }
    }

    /// Answers the next request to the fault's path with it. Faults queue.
    pub fn inject(&self, fault: Fault) {
        lock(&self.state.faults).push_back(fault);
    }

    /// Answers the n-th request to `path` (from 0) by `script`: a fault,
    /// or `None` to serve it normally. An injected fault goes first.
    pub fn script(&self, path: &str, script: impl Fn(usize) -> Option<Fault> + Send + Sync + 'static) {
        lock(&self.state.scripts).insert(path.to_owned(), (Arc::new(script), 0));
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state.requests).clone()
    }

    /// How many requests went to `path`.
    pub fn count(&self, path: &str) -> usize {
        lock(&self.state.requests).iter().filter(|r| r.path == path).count()
    }

    /// How many Bearers were granted.
    pub fn exchanges(&self) -> usize {
        self.state.exchanges.load(Ordering::SeqCst)
    }

    /// How long later Bearers live, in seconds (default an hour).
    pub fn set_bearer_lifetime(&self, seconds: i64) {
        self.state.bearer_lifetime.store(seconds, Ordering::SeqCst);
    }

    /// Revokes every Bearer, as a server that expires them early would.
    pub fn revoke_bearers(&self) {
        lock(&self.state.bearers).clear();
    }

    /// Refuses (401) the first Bearer granted once it has served `uses`
    /// requests, long before its stated expiry.
    pub fn expire_first_bearer_after(&self, uses: usize) {
        *lock(&self.state.first_bearer_uses) = Some(uses);
    }

    /// Lists every message twice, newest first.
    pub fn sloppy_listings(&self) {
        self.state.sloppy_listing.store(true, Ordering::SeqCst);
    }

    /// Advertises and serves the push stream, with bare wake-ups.
    pub fn enable_push(&self) {
        self.state.push.store(true, Ordering::SeqCst);
    }

    /// Advertises the push stream and sends each message whole in it.
    pub fn enable_push_whole(&self) {
        self.enable_push();
        self.state.push_whole.store(true, Ordering::SeqCst);
    }

    /// Sends a bare wake-up on `to`'s push stream, as a server that fell
    /// behind would.
    pub fn wake(&self, to: &str) {
        if let Some(arrivals) = &self.state.arrivals {
            let _ = arrivals.send((to.to_owned(), push::WAKE.to_owned()));
        }
    }

    /// Stamps every later delivery with this `time` (0: the real clock).
    pub fn set_clock(&self, unix: i64) {
        self.state.clock.store(unix, Ordering::SeqCst);
    }

    /// Delivers a message with this HTML (and the text `text of SUBJECT`)
    /// to `to`, as the service would after SMTP; returns its id.
    pub fn deliver(&self, to: &str, from: &str, subject: &str, html: &str) -> String {
        self.deliver_bodies(to, from, subject, &format!("text of {subject}"), html)
    }

    /// Delivers a message with only a text part.
    pub fn deliver_text(&self, to: &str, from: &str, subject: &str, text: &str) -> String {
        self.deliver_bodies(to, from, subject, text, "")
    }

    fn deliver_bodies(&self, to: &str, from: &str, subject: &str, text: &str, html: &str) -> String {
        let n = self.state.next_id.fetch_add(1, Ordering::SeqCst);
        let id = format!("msg{n:04}");
        let clock = self.state.clock.load(Ordering::SeqCst);
        let time = if clock == 0 { now() } else { clock };
        let detail = MessageDetail {
            time,
            subject: subject.to_owned(),
            body: text.to_owned(),
            html: html.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            tos: vec![to.to_owned()],
            message_id: id.clone(),
            expire_time: time + 4 * 3600,
            attachments: Vec::new(),
            time_ms: None,
        };
        let event = if self.state.push_whole.load(Ordering::SeqCst) {
            push::arrival_event(&detail)
        } else {
            push::WAKE.to_owned()
        };
        lock(&self.state.inboxes).entry(to.to_owned()).or_default().push(detail);
        if let Some(arrivals) = &self.state.arrivals {
            let _ = arrivals.send((to.to_owned(), event));
        }
        id
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        // A stalled answer must not keep the fake's runtime alive.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The time now, in Unix seconds.
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

type Shared = Arc<FakeState>;

/// Every request: recorded, then a fault if one is due, then the Bearer
/// check, then the endpoint.
async fn handle(State(state): State<Shared>, request: Request) -> Response {
    let path = request.uri().path().strip_prefix("/api/v2").unwrap_or(request.uri().path()).to_owned();
    let method = request.method().as_str().to_owned();
    let query = request.uri().query().unwrap_or_default().to_owned();
    lock(&state.requests).push(Recorded { at: Instant::now(), method: method.clone(), path: path.clone() });
    if let Some(fault) = due_fault(&state, &path) {
        return play(fault).await;
    }
    let is_exchange = [endpoint::AUTH.path, endpoint::TOKEN.path].contains(&path.as_str());
    if !is_exchange && !authorized(&state, request.headers()) {
        return envelope_error(401, "Invalid or expired token");
    }
    let body = axum::body::to_bytes(request.into_body(), 1 << 20).await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut response = match Family::ALL.into_iter().find(|f| f.inbox().events == path) {
        Some(_) => events(&state, &query),
        None => match endpoint::all().into_iter().find(|e| e.path == path && e.method.as_str() == method) {
            Some(endpoint) => answer(&state, &endpoint, &body),
            None => envelope_error(404, "no such endpoint"),
        },
    };
    if state.push.load(Ordering::SeqCst) {
        response.headers_mut().insert(push::PUSH_HEADER, HeaderValue::from_static(push::PUSH_SSE));
    }
    response
}

/// The injected fault for `path`, or the script's answer.
fn due_fault(state: &FakeState, path: &str) -> Option<Fault> {
    let injected = {
        let mut faults = lock(&state.faults);
        let index = faults.iter().position(|f| f.path == path);
        index.and_then(|i| faults.remove(i))
    };
    injected.or_else(|| {
        let mut scripts = lock(&state.scripts);
        let (script, calls) = scripts.get_mut(path)?;
        let n = *calls;
        *calls += 1;
        script(n)
    })
}

async fn play(fault: Fault) -> Response {
    if let Some(delay) = fault.stall {
        tokio::time::sleep(delay).await;
    }
    if fault.cut {
        // Promise more than is sent, then end the stream with an error.
        let stream = futures_util::stream::iter(vec![
            Ok::<_, std::io::Error>(Bytes::from(fault.body)),
            Err(std::io::Error::other("connection dropped mid-response")),
        ]);
        let mut response = Response::new(Body::from_stream(stream));
        response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
        response.headers_mut().insert("content-length", HeaderValue::from_static("4096"));
        return response;
    }
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, fault.body).into_response();
    if let Some(value) = fault.retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

fn authorized(state: &FakeState, headers: &HeaderMap) -> bool {
    let Some(bearer) = headers.get("authorization").and_then(|v| v.to_str().ok()) else { return false };
    let Some(bearer) = bearer.strip_prefix("Bearer ") else { return false };
    let limit = *lock(&state.first_bearer_uses);
    let mut bearers = lock(&state.bearers);
    let Some((expiry, uses)) = bearers.get_mut(bearer) else { return false };
    *uses += 1;
    let expired_early = limit.is_some_and(|limit| bearer.starts_with("bearer.0.") && *uses > limit);
    *expiry > now() && !expired_early
}

fn envelope_error(status: u16, msg: &str) -> Response {
    let status_code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status_code, axum::Json(Envelope::<()>::failure(status, msg))).into_response()
}

fn ok<T: serde::Serialize>(data: T) -> Response {
    axum::Json(Envelope::success(data)).into_response()
}

fn text<'a>(body: &'a Value, field: &str) -> Option<&'a str> {
    body.get(field).and_then(Value::as_str)
}

fn number(body: &Value, field: &str) -> Option<u32> {
    body.get(field).and_then(Value::as_u64).map(|n| n as u32)
}

/// The endpoint's answer, from the fake's memory.
fn answer(state: &FakeState, endpoint: &Endpoint, body: &Value) -> Response {
    let inbox = Family::ALL.into_iter().map(Family::inbox).find(|i| [i.list, i.read, i.delete].contains(endpoint));
    if let Some(inbox) = inbox {
        return match endpoint.method {
            Method::Post if *endpoint == inbox.list => list(state, body),
            Method::Post => read(state, body),
            _ => delete(state, body),
        };
    }
    let premium = |name: &str| Domain { domain: name.into(), kind: DomainKind::Premium, mx: None };
    let private = || Domain { domain: "mine.test".into(), kind: DomainKind::Private, mx: Some(true) };
    match *endpoint {
        e if e == endpoint::TOKEN => match text(body, "token") {
            None => envelope_error(400, "token is required"),
            Some(API_TOKEN) => grant(state),
            Some(_) => envelope_error(401, "Invalid token"),
        },
        e if e == endpoint::AUTH => match (text(body, "address"), text(body, "password")) {
            (Some(ADDRESS), Some(PASSWORD)) => grant(state),
            (Some(_), Some(_)) => envelope_error(401, "Invalid address or password"),
            _ => envelope_error(400, "address and password are required"),
        },
        e if e == endpoint::DOMAINS || e == endpoint::PREMIUM_DOMAINS => {
            ok(vec![premium("otpcatch.test"), premium("example.com")])
        }
        e if e == endpoint::PRIVATE_DOMAINS => ok(vec![private()]),
        e if e == endpoint::ACCOUNT || e == endpoint::PREMIUM_ACCOUNT => {
            new_account(state, "otpcatch.test", DomainKind::Premium)
        }
        e if e == endpoint::PRIVATE_ACCOUNT => new_account(state, "mine.test", DomainKind::Private),
        e if e == endpoint::GMAIL_LIST => {
            let gmail = vec!["@gmail.com".into(), "@googlemail.com".into()];
            let (current, limit) = (number(body, "page").unwrap_or(1), number(body, "limit").unwrap_or(20));
            ok(GmailList { items: vec!["aa.bb.cc".into(), "dd.ee".into()], domains: gmail, count: 2, limit, current })
        }
        e if e == endpoint::GMAIL_PURCHASE => {
            let Some(n) = number(body, "number") else { return envelope_error(400, "number is required") };
            let items = (0..n).map(|i| format!("bought.id{i}")).collect();
            purchased(
                format!("Successfully purchased {n} GmailId"),
                GmailIds { items, domains: vec!["@gmail.com".into()] },
            )
        }
        e if e == endpoint::GMAIL_GENERATE => {
            let Some(n) = number(body, "number") else { return envelope_error(400, "number is required") };
            let id = text(body, "gmailId").unwrap_or("aa.bb.cc");
            let plus = body.get("plus").and_then(Value::as_bool).unwrap_or(false);
            let items = (0..n).map(|i| if plus { format!("{id}+tag{i}") } else { format!("{id}.{i}") }).collect();
            ok(GmailIds { items, domains: vec!["@gmail.com".into(), "@googlemail.com".into()] })
        }
        e if e == endpoint::MICROSOFT_LIST => {
            let (current, limit) = (number(body, "page").unwrap_or(1), number(body, "limit").unwrap_or(20));
            ok(MicrosoftList { items: vec!["someone@outlook.com".into()], count: 1, limit, current })
        }
        e if e == endpoint::MICROSOFT_PURCHASE => {
            let Some(n) = number(body, "number") else { return envelope_error(400, "number is required") };
            let items = (0..n).map(|i| format!("bought{i}@outlook.com")).collect();
            purchased(
                format!("Successfully purchased {n} microsoft account"),
                MicrosoftAccounts { items, domains: vec![] },
            )
        }
        e if e == endpoint::MICROSOFT_GENERATE => {
            let Some(n) = number(body, "number") else { return envelope_error(400, "number is required") };
            let account = text(body, "account").unwrap_or("someone@outlook.com");
            let (local, domain) = account.split_once('@').unwrap_or((account, "outlook.com"));
            let items = (0..n).map(|i| format!("{local}+tag{i}@{domain}")).collect();
            ok(MicrosoftAccounts { items, domains: vec![] })
        }
        _ => envelope_error(404, "no such endpoint"),
    }
}

fn purchased<T: serde::Serialize>(msg: String, data: T) -> Response {
    axum::Json(Envelope::success_with_msg(msg, data)).into_response()
}

fn grant(state: &FakeState) -> Response {
    let n = state.exchanges.fetch_add(1, Ordering::SeqCst);
    let bearer = format!("bearer.{n}.secretvalue");
    let expiry = now() + state.bearer_lifetime.load(Ordering::SeqCst);
    lock(&state.bearers).insert(bearer.clone(), (expiry, 0));
    ok(BearerGrant { bearer: bearer.into(), expire_time: expiry })
}

fn new_account(state: &FakeState, domain: &str, kind: DomainKind) -> Response {
    let n = state.next_id.fetch_add(1, Ordering::SeqCst);
    let account = format!("user{n}");
    ok(Account { email: format!("{account}@{domain}"), account, domain: domain.into(), kind })
}

fn list(state: &FakeState, body: &Value) -> Response {
    let Some(email) = text(body, "email") else { return envelope_error(400, "email is required") };
    if !email.contains('@') {
        return envelope_error(422, "email is not a valid address");
    }
    let after = body.get("time").and_then(Value::as_i64);
    let inboxes = lock(&state.inboxes);
    let listing: Vec<MessageSummary> = inboxes
        .get(email)
        .into_iter()
        .flatten()
        .filter(|m| after.is_none_or(|t| m.time > t))
        .map(MessageDetail::summary)
        .collect();
    if state.sloppy_listing.load(Ordering::SeqCst) {
        let reversed: Vec<MessageSummary> = listing.iter().rev().cloned().collect();
        return ok([reversed.clone(), reversed].concat());
    }
    ok(listing)
}

fn read(state: &FakeState, body: &Value) -> Response {
    let Some(id) = text(body, "messageId") else { return envelope_error(400, "messageId is required") };
    let inboxes = lock(&state.inboxes);
    match inboxes.values().flatten().find(|m| m.message_id == id) {
        Some(m) => ok(m.clone()),
        None => envelope_error(404, "Message not found"),
    }
}

fn delete(state: &FakeState, body: &Value) -> Response {
    let Some(id) = text(body, "messageId") else { return envelope_error(400, "messageId is required") };
    let mut inboxes = lock(&state.inboxes);
    for messages in inboxes.values_mut() {
        if let Some(i) = messages.iter().position(|m| m.message_id == id) {
            messages.remove(i);
            return axum::Json(Envelope::message_only("Message deleted successfully")).into_response();
        }
    }
    envelope_error(404, "Message not found")
}

/// The push stream: the opening comment, then one event per delivery to
/// the address.
fn events(state: &FakeState, query: &str) -> Response {
    let email = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == push::ADDRESS_QUERY)
        .map(|(_, value)| value.replace("%40", "@"));
    let Some(email) = email else { return envelope_error(400, "email is required") };
    let Some(arrivals) = &state.arrivals else { return envelope_error(404, "no push") };
    let receiver = arrivals.subscribe();
    let opening =
        futures_util::stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(push::READY.as_bytes())) });
    let arrivals = futures_util::stream::unfold((receiver, email), |(mut receiver, email)| async move {
        loop {
            match receiver.recv().await {
                Ok((to, event)) if to == email => return Some((Ok(Bytes::from(event)), (receiver, email))),
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let mut response = Response::new(Body::from_stream(opening.chain(arrivals)));
    response.headers_mut().insert("content-type", HeaderValue::from_static("text/event-stream"));
    response
}
