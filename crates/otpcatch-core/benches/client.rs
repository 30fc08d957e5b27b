//! The client's hot paths: decoding the two responses a wait reads (an
//! inbox listing and a message), and one whole request on loopback
//! (Bearer, quota, HTTP, envelope). Results are in BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use criterion::{Criterion, criterion_group, criterion_main};
use otpcatch_core::{Client, Family};
use otpcatch_wire::{Envelope, MessageDetail, MessageSummary};

/// A listing of `count` messages, as 22.do sends it.
fn listing(count: usize) -> Vec<u8> {
    let messages: Vec<MessageSummary> = (0..count)
        .map(|i| MessageSummary {
            time: 1_760_000_000 + i as i64,
            subject: format!("Your verification code ({i})"),
            from: "Example App <no-reply@app.example.test>".to_owned(),
            to: "me@otpcatch.test".to_owned(),
            message_id: format!("{i:032x}"),
            expire_time: 1_760_014_400 + i as i64,
            time_ms: None,
        })
        .collect();
    serde_json::to_vec(&Envelope::success(messages)).expect("serializable")
}

/// A message of about 14 KB: styled HTML and a text part.
fn message() -> Vec<u8> {
    let html: String = std::iter::once("<p>Your verification code is <b>481923</b></p>".to_owned())
        .chain((0..120).map(|i| {
            format!("<tr><td class=\"x\"><p>Section {i}: invite your team. <a href=\"https://x.test/{i}\">More</a></p></td></tr>")
        }))
        .collect();
    let detail = MessageDetail {
        time: 1_760_000_000,
        subject: "Your verification code".to_owned(),
        body: "Your verification code is 481923\n".repeat(40),
        html,
        from: "Example App <no-reply@app.example.test>".to_owned(),
        to: "me@otpcatch.test".to_owned(),
        tos: vec!["me@otpcatch.test".to_owned()],
        message_id: "f".repeat(32),
        expire_time: 1_760_014_400,
        attachments: Vec::new(),
        time_ms: None,
    };
    serde_json::to_vec(&Envelope::success(detail)).expect("serializable")
}

fn decoding(c: &mut Criterion) {
    let fifty = listing(50);
    c.bench_function("decode an inbox listing of 50 messages", |b| {
        b.iter(|| serde_json::from_slice::<Envelope<Vec<MessageSummary>>>(black_box(&fifty)).expect("decodes"))
    });
    let detail = message();
    c.bench_function(&format!("decode a message of {} KB", detail.len() / 1000), |b| {
        b.iter(|| serde_json::from_slice::<Envelope<MessageDetail>>(black_box(&detail)).expect("decodes"))
    });
}

/// A server that answers the token exchange and inbox listings with
/// canned bodies, so the bench measures the client, not a server.
async fn canned_server() -> String {
    let grant = r#"{"code":200,"status":true,"msg":"success","data":{"Bearer":"b","expireTime":4102444800}}"#;
    let listing = listing(3);
    let app = Router::new()
        .route("/api/v2/token", post(move || async move { ([("content-type", "application/json")], grant) }))
        .route("/api/v2/inbox", post(move || async move { ([("content-type", "application/json")], listing) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("http://{}/api/v2", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn requests(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let url = runtime.block_on(canned_server());
    let client = Client::builder()
        .base_url(url)
        .api_token("bench")
        .no_disk_cache()
        .quota_per_second(1_000_000)
        .request_timeout(Duration::from_secs(5))
        .build()
        .expect("a client");
    runtime.block_on(client.inbox(Family::Temp, "me@otpcatch.test", None)).expect("lists");
    c.bench_function("one inbox listing on loopback (Bearer, quota, HTTP, decode)", |b| {
        b.iter(|| runtime.block_on(client.inbox(Family::Temp, black_box("me@otpcatch.test"), None)).expect("lists"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = decoding, requests
}
criterion_main!(benches);
