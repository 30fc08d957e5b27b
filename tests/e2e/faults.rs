//! `otpcatch wait-for-code` against an API that misbehaves on command:
//! every wait either prints the right code exactly once or exits with the
//! documented code and a clear message, within its timeout.
//!
//! The fake is a few lines of blocking HTTP over `std::net`: each request
//! to the inbox is answered by a script, by how many came before it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::util::otpcatch;

const ADDRESS: &str = "me@otpcatch.test";
const CODE: &str = "739154";

/// What the fake does with one request.
#[derive(Debug, Clone)]
enum Answer {
    /// A status, headers and a body.
    Reply(u16, Vec<(&'static str, String)>, String),
    /// Half of a 200 answer, then the connection is closed.
    Cut,
    /// Nothing, for longer than any timeout here.
    Stall,
}

fn ok(body: String) -> Answer {
    Answer::Reply(200, Vec::new(), body)
}

fn status(code: u16) -> Answer {
    Answer::Reply(code, Vec::new(), format!(r#"{{"code":{code},"status":false,"msg":"failure {code}"}}"#))
}

fn summary(id: &str, time: i64) -> String {
    format!(
        r#"{{"time":{time},"subject":"Verify your email","from":"App <no-reply@app.test>","to":"{ADDRESS}","messageId":"{id}","expireTime":{}}}"#,
        time + 3600
    )
}

fn listing(entries: &[String]) -> Answer {
    ok(format!(r#"{{"code":200,"status":true,"msg":"success","data":[{}]}}"#, entries.join(",")))
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The message every listing here points to.
fn detail(id: &str) -> Answer {
    ok(format!(
        r#"{{"code":200,"status":true,"msg":"success","data":{{"time":{},"subject":"Verify your email","body":"Your verification code is {CODE}. It expires in 10 minutes.","html":"","from":"App <no-reply@app.test>","to":"{ADDRESS}","tos":["{ADDRESS}"],"messageId":"{id}","expireTime":{}}}}}"#,
        now(),
        now() + 3600
    ))
}

type Script = dyn Fn(usize) -> Answer + Send + Sync;

/// A scripted API. Token exchanges always succeed (unless `bearers_expire`
/// says otherwise), message reads return [`detail`], and the n-th inbox
/// listing (from 0) gets `script(n)`.
struct FaultyApi {
    url: String,
    listings: Arc<AtomicUsize>,
    exchanges: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl FaultyApi {
    fn start(script: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Self {
        Self::start_with(script, false)
    }

    /// With `first_bearer_expires`, the first Bearer granted is refused
    /// (401) once it has been used for one listing, as if it had expired
    /// early.
    fn start_with(script: impl Fn(usize) -> Answer + Send + Sync + 'static, first_bearer_expires: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/api/v2", listener.local_addr().unwrap());
        let script: Arc<Script> = Arc::new(script);
        let listings = Arc::new(AtomicUsize::new(0));
        let exchanges = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (l, e, s) = (listings.clone(), exchanges.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (script, l, e, s) = (script.clone(), l.clone(), e.clone(), s.clone());
                        std::thread::spawn(move || serve(stream, &*script, &l, &e, &s, first_bearer_expires));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Self { url, listings, exchanges, stop }
    }

    fn listings(&self) -> usize {
        self.listings.load(Ordering::SeqCst)
    }

    /// Runs `otpcatch wait-for-code` against the fake; returns its output
    /// and how long it took.
    fn wait_for_code(&self, timeout: &str) -> (Output, Duration) {
        let cache = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let output = otpcatch()
            .args(["wait-for-code", "--address", ADDRESS, "--timeout", timeout])
            .env("OTPCATCH_API_URL", &self.url)
            .env("OTPCATCH_TOKEN", "faults-token")
            .env("OTPCATCH_CACHE_DIR", cache.path())
            .env("OTPCATCH_RULES_DIR", "/nonexistent-otpcatch-rules")
            .output()
            .unwrap();
        (output, started.elapsed())
    }
}

impl Drop for FaultyApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Answers the requests of one connection until it closes.
fn serve(
    stream: TcpStream,
    script: &Script,
    listings: &AtomicUsize,
    exchanges: &AtomicUsize,
    stop: &AtomicBool,
    first_bearer_expires: bool,
) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let (mut length, mut bearer) = (0usize, String::new());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "authorization" => bearer = value.trim().trim_start_matches("Bearer ").to_owned(),
                _ => {}
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let answer = if path.ends_with("/token") {
            let granted = format!("bearer-{}", exchanges.fetch_add(1, Ordering::SeqCst));
            ok(format!(
                r#"{{"code":200,"status":true,"msg":"success","data":{{"Bearer":"{granted}","expireTime":{}}}}}"#,
                now() + 3600
            ))
        } else if first_bearer_expires && bearer == "bearer-0" && listings.load(Ordering::SeqCst) > 0 {
            status(401)
        } else if path.ends_with("/inbox/message") {
            let id = String::from_utf8_lossy(&body).split('"').nth(3).unwrap_or("m1").to_owned();
            detail(&id)
        } else if path.ends_with("/inbox") {
            script(listings.fetch_add(1, Ordering::SeqCst))
        } else {
            status(404)
        };
        let (code, headers, body) = match answer {
            Answer::Reply(code, headers, body) => (code, headers, body),
            Answer::Cut => {
                let _ = writer.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"code\":200,\"status\":true,\"data\":[{\"time\":1,");
                return;
            }
            Answer::Stall => {
                while !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return;
            }
        };
        let mut head =
            format!("HTTP/1.1 {code} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n", body.len());
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        if writer.write_all(head.as_bytes()).and_then(|()| writer.write_all(body.as_bytes())).is_err() {
            return;
        }
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The code, printed once, and exit 0.
fn assert_code_once(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    assert_eq!(stdout(output), format!("{CODE}\n"));
}

#[test]
fn server_errors_then_the_message_prints_the_code_once() {
    let api = FaultyApi::start(|n| match n {
        0 => status(500),
        1 => status(502),
        2 => status(503),
        _ => listing(&[summary("m1", now())]),
    });
    let (output, _) = api.wait_for_code("20s");
    assert_code_once(&output);
}

#[test]
fn a_server_that_only_fails_exits_6_within_the_timeout() {
    let api = FaultyApi::start(|_| status(503));
    let (output, took) = api.wait_for_code("2s");
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(stderr(&output).contains("503"), "says what failed: {}", stderr(&output));
    assert!(stdout(&output).is_empty());
    assert!(took < Duration::from_secs(5), "bounded by its timeout: {took:?}");
}

#[test]
fn a_429_storm_with_retry_after_is_waited_out() {
    let api = FaultyApi::start(|n| match n {
        0..3 => Answer::Reply(429, vec![("retry-after", "1".to_owned())], String::new()),
        _ => listing(&[summary("m1", now())]),
    });
    let (output, _) = api.wait_for_code("20s");
    assert_code_once(&output);
}

#[test]
fn an_endless_429_storm_without_retry_after_exits_6_with_bounded_retries() {
    let api = FaultyApi::start(|_| status(429));
    let (output, took) = api.wait_for_code("3s");
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(stderr(&output).contains("429"), "{}", stderr(&output));
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert!(api.listings() < 40, "backs off instead of hammering: {} listings in {took:?}", api.listings());
}

#[test]
fn garbled_answers_are_survived_and_a_garbled_api_exits_6() {
    let recovers = FaultyApi::start(|n| match n {
        0 => ok("<html>502 Bad Gateway</html>".to_owned()),
        1 => ok(r#"{"code":200,"status":true,"msg":"success","data":{"not":"a list"}}"#.to_owned()),
        2 => Answer::Cut,
        _ => listing(&[summary("m1", now())]),
    });
    assert_code_once(&recovers.wait_for_code("20s").0);

    let garbled = FaultyApi::start(|_| ok("not json at all".to_owned()));
    let (output, took) = garbled.wait_for_code("2s");
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_stalled_api_cannot_hold_a_wait_past_its_timeout() {
    let api = FaultyApi::start(|_| Answer::Stall);
    let (output, took) = api.wait_for_code("2s");
    assert_ne!(output.status.code(), Some(0));
    assert!([3, 6].contains(&output.status.code().unwrap_or(-1)), "{:?}: {}", output.status, stderr(&output));
    assert!(took < Duration::from_secs(5), "the timeout holds against a silent server: {took:?}");
}

#[test]
fn an_expired_bearer_is_renewed_mid_wait() {
    // The first Bearer works for one listing and is then refused, long
    // before its stated expiry.
    let api = FaultyApi::start_with(|n| if n == 0 { listing(&[]) } else { listing(&[summary("m1", now())]) }, true);
    let (output, _) = api.wait_for_code("20s");
    assert_code_once(&output);
    assert_eq!(api.exchanges.load(Ordering::SeqCst), 2, "exchanged once, renewed once after the 401");
}

#[test]
fn the_same_message_listed_twice_and_out_of_order_is_printed_once() {
    let api = FaultyApi::start(|n| {
        let t = now();
        match n {
            0 => listing(&[]),
            // Newest first, with the match listed twice.
            _ => listing(&[summary("m2", t), summary("m1", t - 1), summary("m2", t)]),
        }
    });
    let (output, _) = api.wait_for_code("20s");
    assert_code_once(&output);
}
