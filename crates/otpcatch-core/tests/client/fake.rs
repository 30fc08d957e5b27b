//! An in-test fake of the 22.do API on 127.0.0.1:0, with knobs for faults
//! and a log of every request it received.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use otpcatch_core::wire::*;
use serde_json::Value;
use tokio::sync::broadcast;

pub(crate) const API_TOKEN: &str = "7a3d5e2f8b9c1a6d4f7e0b2c5a8f9d3e";
pub(crate) const ADDRESS: &str = "owner@example.com";
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// A request the fake received.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) at: Instant,
    pub(crate) method: String,
    pub(crate) path: String,
}

/// A canned answer for the next request to `path`, instead of the real one.
#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub(crate) path: &'static str,
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) retry_after: Option<&'static str>,
    /// Wait this long before answering (to outlast the client's timeout).
    pub(crate) stall: Option<Duration>,
    /// Send half the body, then drop the connection.
    pub(crate) cut: bool,
}

impl Fault {
    pub(crate) fn status(path: &'static str, status: u16) -> Self {
        let body = serde_json::to_string(&Envelope::<()>::failure(status, format!("injected {status}"))).unwrap();
        Self { path, status, body, retry_after: None, stall: None, cut: false }
    }

    pub(crate) fn raw(path: &'static str, status: u16, body: &str) -> Self {
        Self { path, status, body: body.to_owned(), retry_after: None, stall: None, cut: false }
    }

    /// Answers 200 only after `delay`.
    pub(crate) fn stall(path: &'static str, delay: Duration) -> Self {
        Self { stall: Some(delay), ..Self::raw(path, 200, "{}") }
    }

    /// Starts a 200 answer and drops the connection halfway through it.
    pub(crate) fn cut(path: &'static str) -> Self {
        Self { cut: true, ..Self::raw(path, 200, r#"{"code":200,"status":true,"msg":"success","data":[{"time":1,"#) }
    }

    pub(crate) fn retry_after(mut self, value: &'static str) -> Self {
        self.retry_after = Some(value);
        self
    }
}

#[derive(Default)]
pub(crate) struct FakeState {
    requests: Mutex<Vec<Recorded>>,
    faults: Mutex<VecDeque<Fault>>,
    bearers: Mutex<HashMap<String, i64>>,
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

/// A running fake. Dropping it stops the server.
pub(crate) struct Fake {
    pub(crate) url: String,
    pub(crate) state: Arc<FakeState>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl Fake {
    pub(crate) async fn start() -> Self {
        let (arrivals, _) = broadcast::channel(64);
        let state = Arc::new(FakeState { arrivals: Some(arrivals), ..FakeState::default() });
        state.bearer_lifetime.store(3600, Ordering::SeqCst);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api/v2", listener.local_addr().unwrap());
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router(state.clone());
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self { url, state, _shutdown: shutdown }
    }

    /// A client for this fake with its own cache directory and the API token.
    pub(crate) fn client(&self, cache: &std::path::Path) -> otpcatch_core::Client {
        self.builder(cache).build().unwrap()
    }

    pub(crate) fn builder(&self, cache: &std::path::Path) -> otpcatch_core::ClientBuilder {
        otpcatch_core::Client::builder()
            .base_url(&self.url)
            .api_token(API_TOKEN)
            .cache_dir(cache)
            .backoff(Duration::from_millis(10), Duration::from_millis(50))
    }

    pub(crate) fn inject(&self, fault: Fault) {
        self.state.faults.lock().unwrap().push_back(fault);
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    pub(crate) fn count(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }

    pub(crate) fn exchanges(&self) -> usize {
        self.state.exchanges.load(Ordering::SeqCst)
    }

    pub(crate) fn set_bearer_lifetime(&self, seconds: i64) {
        self.state.bearer_lifetime.store(seconds, Ordering::SeqCst);
    }

    /// Revokes every Bearer, as a server that expires them early would.
    pub(crate) fn revoke_bearers(&self) {
        self.state.bearers.lock().unwrap().clear();
    }

    /// List every message twice and out of order.
    pub(crate) fn sloppy_listings(&self) {
        self.state.sloppy_listing.store(true, Ordering::SeqCst);
    }

    /// Advertise and serve the push stream.
    pub(crate) fn enable_push(&self) {
        self.state.push.store(true, Ordering::SeqCst);
    }

    /// Advertise the push stream and send each message whole in it.
    pub(crate) fn enable_push_whole(&self) {
        self.enable_push();
        self.state.push_whole.store(true, Ordering::SeqCst);
    }

    /// Sends a bare wake-up on `to`'s push stream, as a server that fell
    /// behind would.
    pub(crate) fn wake(&self, to: &str) {
        if let Some(arrivals) = &self.state.arrivals {
            let _ = arrivals.send((to.to_owned(), "event: wake\ndata:\n\n".to_owned()));
        }
    }

    /// Stamps every later delivery with this `time` (0: the real clock).
    pub(crate) fn set_clock(&self, unix: i64) {
        self.state.clock.store(unix, Ordering::SeqCst);
    }

    /// Delivers a message to `to`, as the service would after SMTP.
    pub(crate) fn deliver(&self, to: &str, from: &str, subject: &str, html: &str) -> String {
        let n = self.state.next_id.fetch_add(1, Ordering::SeqCst);
        let id = format!("msg{n:04}");
        let clock = self.state.clock.load(Ordering::SeqCst);
        let time = if clock == 0 { now() } else { clock };
        let detail = MessageDetail {
            time,
            subject: subject.to_owned(),
            body: format!("text of {subject}"),
            html: html.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            tos: vec![to.to_owned()],
            message_id: id.clone(),
            expire_time: time + 4 * 3600,
            attachments: Vec::new(),
        };
        let event = if self.state.push_whole.load(Ordering::SeqCst) {
            format!("event: message\ndata: {}\n\n", serde_json::to_string(&detail).unwrap())
        } else {
            format!("event: message\ndata: {to}\n\n")
        };
        self.state.inboxes.lock().unwrap().entry(to.to_owned()).or_default().push(detail);
        if let Some(arrivals) = &self.state.arrivals {
            let _ = arrivals.send((to.to_owned(), event));
        }
        id
    }
}

pub(crate) fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

type Shared = Arc<FakeState>;

fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/v2/token", post(token))
        .route("/api/v2/auth", post(auth))
        .route("/api/v2/domains", get(domains))
        .route("/api/v2/domains/premium", get(domains))
        .route("/api/v2/domains/private", get(private_domains))
        .route("/api/v2/account", post(account))
        .route("/api/v2/account/premium", get(account))
        .route("/api/v2/account/private", get(private_account))
        .route("/api/v2/inbox", post(inbox))
        .route("/api/v2/inbox/message", post(message).delete(delete_message))
        .route("/api/v2/inbox/events", get(events))
        .route("/api/v2/gmail", post(gmail_list))
        .route("/api/v2/gmail/purchase", post(gmail_purchase))
        .route("/api/v2/gmail/generate", post(gmail_generate))
        .route("/api/v2/gmail/inbox", post(inbox))
        .route("/api/v2/gmail/message", post(message).delete(delete_message))
        .route("/api/v2/microsoft", post(microsoft_list))
        .route("/api/v2/microsoft/purchase", post(microsoft_purchase))
        .route("/api/v2/microsoft/generate", post(microsoft_generate))
        .route("/api/v2/microsoft/inbox", post(inbox))
        .route("/api/v2/microsoft/message", post(message).delete(delete_message))
        .layer(middleware::from_fn_with_state(state.clone(), gatekeeper))
        .with_state(state)
}

/// Records the request, plays an injected fault, checks the Bearer, and
/// advertises push.
async fn gatekeeper(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let path = request.uri().path().trim_start_matches("/api/v2").to_owned();
    state.requests.lock().unwrap().push(Recorded {
        at: Instant::now(),
        method: request.method().to_string(),
        path: path.clone(),
    });
    let fault = {
        let mut faults = state.faults.lock().unwrap();
        let index = faults.iter().position(|f| f.path == path);
        index.and_then(|i| faults.remove(i))
    };
    if let Some(fault) = fault {
        if let Some(delay) = fault.stall {
            tokio::time::sleep(delay).await;
        }
        if fault.cut {
            // Promise more than is sent, then end the stream with an error.
            let head = Bytes::from(fault.body);
            let stream = futures_util::stream::iter(vec![
                Ok::<_, std::io::Error>(head),
                Err(std::io::Error::other("connection dropped mid-response")),
            ]);
            return Response::builder()
                .header("content-type", "application/json")
                .header("content-length", "4096")
                .body(Body::from_stream(stream))
                .unwrap();
        }
        let mut response = (StatusCode::from_u16(fault.status).unwrap(), fault.body).into_response();
        if let Some(value) = fault.retry_after {
            response.headers_mut().insert("retry-after", HeaderValue::from_static(value));
        }
        return response;
    }
    if path != "/token" && path != "/auth" && !authorized(&state, request.headers()) {
        return envelope_error(401, "Invalid or expired token");
    }
    let mut response = next.run(request).await;
    if state.push.load(Ordering::SeqCst) {
        response.headers_mut().insert("x-otpcatch-push", HeaderValue::from_static("sse"));
    }
    response
}

fn authorized(state: &FakeState, headers: &HeaderMap) -> bool {
    let Some(bearer) = headers.get("authorization").and_then(|v| v.to_str().ok()) else { return false };
    let Some(bearer) = bearer.strip_prefix("Bearer ") else { return false };
    state.bearers.lock().unwrap().get(bearer).is_some_and(|&expiry| expiry > now())
}

fn envelope_error(status: u16, msg: &str) -> Response {
    (StatusCode::from_u16(status).unwrap(), Json(Envelope::<()>::failure(status, msg))).into_response()
}

fn ok<T: serde::Serialize>(data: T) -> Response {
    Json(Envelope::success(data)).into_response()
}

fn grant(state: &FakeState) -> Response {
    let n = state.exchanges.fetch_add(1, Ordering::SeqCst);
    let bearer = format!("bearer.{n}.secretvalue");
    let expiry = now() + state.bearer_lifetime.load(Ordering::SeqCst);
    state.bearers.lock().unwrap().insert(bearer.clone(), expiry);
    ok(BearerGrant { bearer: bearer.into(), expire_time: expiry })
}

async fn token(State(state): State<Shared>, Json(body): Json<Value>) -> Response {
    match body.get("token").and_then(Value::as_str) {
        None => envelope_error(400, "token is required"),
        Some(API_TOKEN) => grant(&state),
        Some(_) => envelope_error(401, "Invalid token"),
    }
}

async fn auth(State(state): State<Shared>, Json(body): Json<Value>) -> Response {
    let address = body.get("address").and_then(Value::as_str);
    let password = body.get("password").and_then(Value::as_str);
    match (address, password) {
        (Some(ADDRESS), Some(PASSWORD)) => grant(&state),
        (Some(_), Some(_)) => envelope_error(401, "Invalid address or password"),
        _ => envelope_error(400, "address and password are required"),
    }
}

async fn domains() -> Response {
    ok(vec![
        Domain { domain: "otpcatch.test".into(), kind: DomainKind::Premium, mx: None },
        Domain { domain: "example.com".into(), kind: DomainKind::Premium, mx: None },
    ])
}

async fn private_domains() -> Response {
    ok(vec![Domain { domain: "mine.test".into(), kind: DomainKind::Private, mx: Some(true) }])
}

fn new_account(state: &FakeState, domain: &str, kind: DomainKind) -> Response {
    let n = state.next_id.fetch_add(1, Ordering::SeqCst);
    let account = format!("user{n}");
    ok(Account { email: format!("{account}@{domain}"), account, domain: domain.into(), kind })
}

async fn account(State(state): State<Shared>) -> Response {
    new_account(&state, "otpcatch.test", DomainKind::Premium)
}

async fn private_account(State(state): State<Shared>) -> Response {
    new_account(&state, "mine.test", DomainKind::Private)
}

async fn inbox(State(state): State<Shared>, Json(body): Json<Value>) -> Response {
    let Some(email) = body.get("email").and_then(Value::as_str) else {
        return envelope_error(400, "email is required");
    };
    if !email.contains('@') {
        return envelope_error(422, "email is not a valid address");
    }
    let after = body.get("time").and_then(Value::as_i64);
    let inboxes = state.inboxes.lock().unwrap();
    let listing: Vec<MessageSummary> = inboxes
        .get(email)
        .into_iter()
        .flatten()
        .filter(|m| after.is_none_or(|t| m.time > t))
        .map(|m| MessageSummary {
            time: m.time,
            subject: m.subject.clone(),
            from: m.from.clone(),
            to: m.to.clone(),
            message_id: m.message_id.clone(),
            expire_time: m.expire_time,
        })
        .collect();
    if state.sloppy_listing.load(Ordering::SeqCst) {
        let reversed: Vec<MessageSummary> = listing.iter().rev().cloned().collect();
        return ok([reversed.clone(), reversed].concat());
    }
    ok(listing)
}

fn message_id(body: &Value) -> Option<&str> {
    body.get("messageId").and_then(Value::as_str)
}

async fn message(State(state): State<Shared>, Json(body): Json<Value>) -> Response {
    let Some(id) = message_id(&body) else { return envelope_error(400, "messageId is required") };
    let inboxes = state.inboxes.lock().unwrap();
    match inboxes.values().flatten().find(|m| m.message_id == id) {
        Some(m) => ok(m.clone()),
        None => envelope_error(404, "Message not found"),
    }
}

async fn delete_message(State(state): State<Shared>, Json(body): Json<Value>) -> Response {
    let Some(id) = message_id(&body) else { return envelope_error(400, "messageId is required") };
    let mut inboxes = state.inboxes.lock().unwrap();
    for messages in inboxes.values_mut() {
        if let Some(i) = messages.iter().position(|m| m.message_id == id) {
            messages.remove(i);
            return Json(Envelope::message_only("Message deleted successfully")).into_response();
        }
    }
    envelope_error(404, "Message not found")
}

/// The push stream: a comment when it opens, then one event per delivery
/// to the address (a bare wake-up, or the message whole).
async fn events(State(state): State<Shared>, Query(query): Query<HashMap<String, String>>) -> Response {
    let Some(email) = query.get("email").cloned() else { return envelope_error(400, "email is required") };
    let receiver = state.arrivals.as_ref().unwrap().subscribe();
    let opening = futures_util::stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(b": ready\n\n")) });
    let arrivals = futures_util::stream::unfold((receiver, email), |(mut receiver, email)| async move {
        loop {
            match receiver.recv().await {
                Ok((to, event)) if to == email => return Some((Ok(Bytes::from(event)), (receiver, email))),
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    use futures_util::StreamExt;
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(Body::from_stream(opening.chain(arrivals)))
        .unwrap()
}

fn page(body: &Value) -> (u32, u32) {
    let page = body.get("page").and_then(Value::as_u64).unwrap_or(1) as u32;
    let limit = body.get("limit").and_then(Value::as_u64).unwrap_or(20) as u32;
    (page, limit)
}

fn number(body: &Value) -> Option<u32> {
    body.get("number").and_then(Value::as_u64).map(|n| n as u32)
}

async fn gmail_list(Json(body): Json<Value>) -> Response {
    let (current, limit) = page(&body);
    ok(GmailList {
        items: vec!["aa.bb.cc".into(), "dd.ee".into()],
        domains: vec!["@gmail.com".into(), "@googlemail.com".into()],
        count: 2,
        limit,
        current,
    })
}

async fn gmail_purchase(Json(body): Json<Value>) -> Response {
    let Some(n) = number(&body) else { return envelope_error(400, "number is required") };
    let items = (0..n).map(|i| format!("bought.id{i}")).collect();
    Json(Envelope::success_with_msg(
        format!("Successfully purchased {n} GmailId"),
        GmailIds { items, domains: vec!["@gmail.com".into()] },
    ))
    .into_response()
}

async fn gmail_generate(Json(body): Json<Value>) -> Response {
    let Some(n) = number(&body) else { return envelope_error(400, "number is required") };
    let id = body.get("gmailId").and_then(Value::as_str).unwrap_or("aa.bb.cc").to_owned();
    let plus = body.get("plus").and_then(Value::as_bool).unwrap_or(false);
    let items = (0..n).map(|i| if plus { format!("{id}+tag{i}") } else { format!("{id}.{i}") }).collect();
    ok(GmailIds { items, domains: vec!["@gmail.com".into(), "@googlemail.com".into()] })
}

async fn microsoft_list(Json(body): Json<Value>) -> Response {
    let (current, limit) = page(&body);
    ok(MicrosoftList { items: vec!["someone@outlook.com".into()], count: 1, limit, current })
}

async fn microsoft_purchase(Json(body): Json<Value>) -> Response {
    let Some(n) = number(&body) else { return envelope_error(400, "number is required") };
    let items = (0..n).map(|i| format!("bought{i}@outlook.com")).collect();
    Json(Envelope::success_with_msg(
        format!("Successfully purchased {n} microsoft account"),
        MicrosoftAccounts { items, domains: vec![] },
    ))
    .into_response()
}

async fn microsoft_generate(Json(body): Json<Value>) -> Response {
    let Some(n) = number(&body) else { return envelope_error(400, "number is required") };
    let account = body.get("account").and_then(Value::as_str).unwrap_or("someone@outlook.com").to_owned();
    let (local, domain) = account.split_once('@').unwrap();
    let items = (0..n).map(|i| format!("{local}+tag{i}@{domain}")).collect();
    ok(MicrosoftAccounts { items, domains: vec![] })
}
