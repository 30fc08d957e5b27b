//! `otpcatch-bench`: the load generator and latency probes behind
//! BENCHMARKS.md. It talks to a server that is already running (otpcatch
//! or another mail sink) over loopback, and prints one table.

mod fleet;
mod mail;
mod quota;
mod smtp;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use serde_json::{Value, json};

#[derive(Debug, Parser)]
#[command(name = "otpcatch-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Send MESSAGES messages over CONNECTIONS concurrent connections and
    /// report messages per second.
    Ingest {
        #[arg(long)]
        smtp: SocketAddr,
        #[arg(long, default_value_t = 8)]
        connections: usize,
        #[arg(long, default_value_t = 10_000)]
        messages: usize,
        /// The size of each message in bytes (about).
        #[arg(long, default_value_t = 20_000)]
        size: usize,
        /// The recipient domain.
        #[arg(long, default_value = "otpcatch.test")]
        domain: String,
    },
    /// Against otpcatch: time from the SMTP reply to DATA until the
    /// message is listed by `POST /inbox`.
    Visible {
        #[arg(long)]
        smtp: SocketAddr,
        /// The API base URL, such as http://127.0.0.1:8025/api/v2.
        #[arg(long)]
        api: String,
        #[arg(long)]
        token: String,
        #[arg(long, default_value_t = 300)]
        samples: usize,
    },
    /// Against otpcatch: time from the SMTP reply to DATA until a running
    /// `otpcatch wait-for-code` prints the code.
    CodeLatency {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 200)]
        samples: usize,
    },
    /// Against `otpcatch serve --qps 20 --catch-all`: many waits at once, in
    /// one process and in many, each for a message sent at a random moment.
    /// Reports 429s, codes delivered, and arrival → code times.
    Quota {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 200)]
        waits: usize,
        #[arg(long, default_value_t = 16)]
        processes: usize,
        /// Messages arrive at random moments within this many seconds.
        #[arg(long, default_value_t = 20)]
        spread: u64,
    },
    /// A fleet of machines on one account (see `fleet.rs`).
    Fleet {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 4)]
        machines: usize,
        /// Concurrent library waits on each machine.
        #[arg(long, default_value_t = 50)]
        waits: usize,
        /// `otpcatch wait-for-code` processes on each machine.
        #[arg(long, default_value_t = 8)]
        processes: usize,
        /// Messages arrive at random moments within this many seconds.
        #[arg(long, default_value_t = 20)]
        spread: u64,
        /// The Redis every machine shares the quota through.
        #[arg(long)]
        quota_url: Option<String>,
    },
    /// The time one request takes through the client, sequentially, with the
    /// machine's file quota and with the fleet's quota in Redis: the
    /// difference is what Redis adds per request.
    QuotaLatency {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        quota_url: String,
        #[arg(long, default_value_t = 1000)]
        samples: usize,
    },
    /// Against MailDev: time from the SMTP reply to DATA until a client
    /// polling MailDev's REST API every 5 ms with its own filter has the code.
    MaildevLatency {
        #[arg(long)]
        smtp: SocketAddr,
        /// MailDev's web address, such as http://127.0.0.1:11080.
        #[arg(long)]
        web: String,
        #[arg(long, default_value_t = 200)]
        samples: usize,
    },
    /// A null SMTP sink on this address: answers every command at once and
    /// throws the mail away, to show the generator's own ceiling.
    Sink {
        #[arg(long)]
        listen: SocketAddr,
    },
    /// Print a process's resident memory in MiB (from /proc).
    Rss {
        #[arg(long)]
        pid: u32,
    },
    /// Write one corpus message (raw, CRLF) of about SIZE bytes to stdout.
    Email {
        #[arg(long, default_value_t = 50_000)]
        size: usize,
    },
    /// Run a command RUNS times (output discarded) and report its wall time.
    Exec {
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
}

/// A running `otpcatch serve` and the `otpcatch` binary to drive it with.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Target {
    /// The server's SMTP address.
    #[arg(long)]
    pub(crate) smtp: SocketAddr,
    /// The server's API base URL, such as http://127.0.0.1:8025/api/v2.
    #[arg(long)]
    pub(crate) api: String,
    /// An API token the server accepts.
    #[arg(long)]
    pub(crate) token: String,
    /// The otpcatch binary.
    #[arg(long)]
    pub(crate) otpcatch: String,
}

impl Target {
    /// `otpcatch ARGS` pointed at this server, with its own token cache.
    pub(crate) fn command(&self, cache: &std::path::Path, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.otpcatch);
        command
            .args(args)
            .env("OTPCATCH_API_URL", &self.api)
            .env("OTPCATCH_TOKEN", &self.token)
            .env("OTPCATCH_CACHE_DIR", cache);
        command
    }
}

/// The `q` quantile (0 to 1) of sorted durations, in milliseconds.
pub(crate) fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() {
    let outcome = match Cli::parse().command {
        Command::Ingest { smtp, connections, messages, size, domain } => {
            ingest(smtp, connections, messages, size, &domain).await
        }
        Command::Visible { smtp, api, token, samples } => visible(smtp, &api, &token, samples).await,
        Command::CodeLatency { target, samples } => code_latency(&target, samples).await,
        Command::Quota { target, waits, processes, spread } => {
            quota::run(&target, waits, processes, Duration::from_secs(spread)).await
        }
        Command::Fleet { target, machines, waits, processes, spread, quota_url } => {
            fleet::run(&target, machines, waits, processes, Duration::from_secs(spread), quota_url.as_deref()).await
        }
        Command::QuotaLatency { target, quota_url, samples } => fleet::latency(&target, &quota_url, samples).await,
        Command::MaildevLatency { smtp, web, samples } => maildev_latency(smtp, &web, samples).await,
        Command::Sink { listen } => sink(listen).await,
        Command::Rss { pid } => rss_mib(pid).map(|mib| println!("{mib:.1}")),
        Command::Email { size } => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&mail::message(1, "user@otpcatch.test", size)).map_err(|e| e.to_string())
        }
        Command::Exec { runs, command } => exec(runs, &command),
    };
    if let Err(err) = outcome {
        eprintln!("otpcatch-bench: {err}");
        std::process::exit(1);
    }
}

async fn ingest(
    smtp: SocketAddr,
    connections: usize,
    messages: usize,
    size: usize,
    domain: &str,
) -> Result<(), String> {
    let per_connection = messages.div_ceil(connections.max(1));
    // Build every message before the clock starts: the generator must not be the bottleneck.
    let corpus: Vec<Vec<Vec<u8>>> = (0..connections)
        .map(|c| {
            (0..per_connection)
                .map(|i| mail::message(c * per_connection + i, &format!("load{c}@{domain}"), size))
                .collect()
        })
        .collect();
    let bytes: usize = corpus.iter().flatten().map(Vec::len).sum();
    let started = Instant::now();
    let tasks: Vec<_> = corpus
        .into_iter()
        .enumerate()
        .map(|(c, messages)| {
            let domain = domain.to_owned();
            tokio::spawn(async move {
                let mut client = smtp::SmtpClient::connect(smtp).await?;
                for data in &messages {
                    client.send(&format!("load{c}@{domain}"), data).await?;
                }
                Ok::<usize, String>(messages.len())
            })
        })
        .collect();
    let mut sent = 0;
    for task in tasks {
        sent += task.await.map_err(|e| e.to_string())??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "ingest\tconnections={connections}\tmessages={sent}\tavg_size={}B\tseconds={elapsed:.2}\tmessages_per_s={:.0}\tMB_per_s={:.1}",
        bytes / sent.max(1),
        sent as f64 / elapsed,
        bytes as f64 / elapsed / 1e6
    );
    Ok(())
}

async fn visible(smtp: SocketAddr, api: &str, token: &str, samples: usize) -> Result<(), String> {
    let http = reqwest::Client::new();
    let call = |path: &str, body: Value, bearer: Option<&str>| {
        let mut request = http.post(format!("{api}{path}")).json(&body);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        request.send()
    };
    let grant: Value = call("/token", json!({ "token": token }), None)
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let bearer = grant["data"]["Bearer"].as_str().ok_or("no Bearer: is the token right?")?.to_owned();
    let mut client = smtp::SmtpClient::connect(smtp).await?;
    let mut latencies = Vec::with_capacity(samples);
    for i in 0..samples {
        let account: Value = call("/account", json!({}), Some(&bearer))
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let address = account["data"]["email"].as_str().ok_or("no address")?.to_owned();
        let end_of_data = client.send(&address, &mail::message(i, &address, 20_000)).await?;
        loop {
            let listing: Value = call("/inbox", json!({ "email": address }), Some(&bearer))
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            if listing["data"].as_array().is_some_and(|l| !l.is_empty()) {
                latencies.push(end_of_data.elapsed());
                break;
            }
            if end_of_data.elapsed() > Duration::from_secs(5) {
                return Err(format!("message {i} never became visible"));
            }
        }
    }
    latencies.sort();
    let at = |q| quantile_ms(&latencies, q);
    println!(
        "visible\tsamples={}\tp50={:.3}ms\tp90={:.3}ms\tp99={:.3}ms\tmax={:.3}ms",
        latencies.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
    Ok(())
}

async fn code_latency(target: &Target, samples: usize) -> Result<(), String> {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let cache = std::env::temp_dir().join(format!("otpcatch-bench-{}", std::process::id()));
    let mut client = smtp::SmtpClient::connect(target.smtp).await?;
    let mut latencies = Vec::with_capacity(samples);
    for i in 0..samples {
        let address = target.command(&cache, &["new-address"]).output().await.map_err(|e| e.to_string())?;
        let address = String::from_utf8_lossy(&address.stdout).trim().to_owned();
        let mut waiter = target
            .command(&cache, &["-q", "wait-for-code", "--address", &address, "--timeout", "10s"])
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut stdout = BufReader::new(waiter.stdout.take().ok_or("no stdout")?).lines();
        // Let it start and connect its push stream, as a test's wait would have.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let end_of_data = client.send(&address, &mail::message(i, &address, 20_000)).await?;
        let line = stdout.next_line().await.map_err(|e| e.to_string())?.ok_or("wait-for-code printed nothing")?;
        latencies.push(end_of_data.elapsed());
        if line.len() != 6 {
            return Err(format!("unexpected output {line:?}"));
        }
        let _ = waiter.wait().await;
    }
    let _ = std::fs::remove_dir_all(&cache);
    latencies.sort();
    let at = |q| quantile_ms(&latencies, q);
    println!("code\tsamples={}\tp50={:.2}ms\tp90={:.2}ms\tp99={:.2}ms", latencies.len(), at(0.5), at(0.9), at(0.99));
    Ok(())
}

/// MailDev's side of the latency comparison: a test's wait written against
/// MailDev's REST API. Like a test, it starts polling (every 5 ms, with
/// MailDev's `to.address` filter and a regex for the code) before the mail
/// is sent, and the mail goes out at a moment unrelated to the polls.
async fn maildev_latency(smtp: SocketAddr, web: &str, samples: usize) -> Result<(), String> {
    let http = reqwest::Client::new();
    let code_pattern = regex::Regex::new(r"verification code is ([0-9]{6})").map_err(|e| e.to_string())?;
    let mut client = smtp::SmtpClient::connect(smtp).await?;
    let mut latencies = Vec::with_capacity(samples);
    for i in 0..samples {
        let address = format!("md{}-{i}@otpcatch.test", std::process::id());
        let poller =
            tokio::spawn(poll_maildev(http.clone(), format!("{web}/api/email"), address.clone(), code_pattern.clone()));
        // 20 to 70 ms, spread evenly across the 5 ms poll period.
        tokio::time::sleep(Duration::from_micros(20_000 + (i as u64 * 7_919) % 50_000)).await;
        let end_of_data = client.send(&address, &mail::message(i, &address, 20_000)).await?;
        let found = poller.await.map_err(|e| e.to_string())??;
        latencies.push(found.saturating_duration_since(end_of_data));
    }
    latencies.sort();
    let at = |q| quantile_ms(&latencies, q);
    println!("code\tsamples={}\tp50={:.2}ms\tp90={:.2}ms\tp99={:.2}ms", latencies.len(), at(0.5), at(0.9), at(0.99));
    Ok(())
}

/// Polls MailDev every 5 ms until a message to `address` shows a code;
/// returns when it did.
async fn poll_maildev(
    http: reqwest::Client,
    url: String,
    address: String,
    code: regex::Regex,
) -> Result<Instant, String> {
    let started = Instant::now();
    loop {
        let emails: Value = http
            .get(&url)
            .query(&[("to.address", address.as_str())])
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let found = emails
            .as_array()
            .and_then(|list| list.first())
            .and_then(|email| email["text"].as_str())
            .is_some_and(|text| code.is_match(text));
        if found {
            return Ok(Instant::now());
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("no message to {address} showed up in MailDev"));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn sink(listen: SocketAddr) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| e.to_string())?;
    loop {
        let (mut stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = stream.write_all(b"220 sink\r\n").await;
            let mut buffer = vec![0u8; 64 * 1024];
            let mut in_data = false;
            let mut tail: Vec<u8> = Vec::new();
            loop {
                let Ok(read) = stream.read(&mut buffer).await else { return };
                if read == 0 {
                    return;
                }
                let mut replies = Vec::new();
                tail.extend_from_slice(&buffer[..read]);
                loop {
                    if in_data {
                        match tail.windows(5).position(|w| w == b"\r\n.\r\n") {
                            Some(at) => {
                                tail.drain(..at + 5);
                                in_data = false;
                                replies.extend_from_slice(b"250 ok\r\n");
                            }
                            None => {
                                let keep = tail.len().min(4);
                                tail.drain(..tail.len() - keep);
                                break;
                            }
                        }
                    } else {
                        let Some(end) = tail.iter().position(|&b| b == b'\n') else { break };
                        let line: Vec<u8> = tail.drain(..=end).collect();
                        if line.starts_with(b"DATA") {
                            in_data = true;
                            tail.splice(0..0, b"\r\n".iter().copied());
                            replies.extend_from_slice(b"354 go\r\n");
                        } else if line.starts_with(b"QUIT") {
                            let _ = stream.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            replies.extend_from_slice(b"250 ok\r\n");
                        }
                    }
                }
                if !replies.is_empty() && stream.write_all(&replies).await.is_err() {
                    return;
                }
            }
        });
    }
}

fn exec(runs: usize, command: &[String]) -> Result<(), String> {
    let (program, arguments) = command.split_first().ok_or("no command")?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let status = std::process::Command::new(program)
            .args(arguments)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("{program}: {e}"))?;
        times.push(started.elapsed());
        if !status.success() {
            return Err(format!("{program} exited with {status}"));
        }
    }
    times.sort();
    let at = |q| quantile_ms(&times, q);
    println!("exec\truns={}\tp50={:.2}ms\tp90={:.2}ms\tmin={:.2}ms", times.len(), at(0.5), at(0.9), at(0.0));
    Ok(())
}

fn rss_mib(pid: u32) -> Result<f64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| format!("process {pid}: {e}"))?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or("no VmRSS")?;
    Ok(kib / 1024.0)
}
