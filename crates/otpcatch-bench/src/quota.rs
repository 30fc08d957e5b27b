//! The quota benchmark: many waits against a server that enforces 20
//! requests a second, each for a message that arrives at a random moment.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use otpcatch_core::{Client, Filter};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::{Target, mail, quantile_ms, smtp};

/// A small deterministic generator for the arrival moments.
pub(crate) fn moments(count: usize, spread: Duration, seed: u64) -> Vec<Duration> {
    let mut state = seed.max(1);
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            Duration::from_millis(state % spread.as_millis().max(1) as u64)
        })
        .collect()
}

pub(crate) async fn refused(api: &str) -> Result<u64, String> {
    let health: serde_json::Value = reqwest::get(format!("{api}/health"))
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    Ok(health["rateLimited"].as_u64().unwrap_or(0))
}

/// Sends message `i` to `address` after `delay`; returns when its DATA ended.
pub(crate) async fn deliver(
    smtp: SocketAddr,
    address: String,
    i: usize,
    delay: Duration,
    started: Instant,
) -> Result<Instant, String> {
    tokio::time::sleep_until((started + delay).into()).await;
    let mut client = smtp::SmtpClient::connect(smtp).await?;
    client.send(&address, &mail::message(i, &address, 20_000)).await
}

/// Runs `command` (an `otpcatch wait-for-code` for `address`) while
/// message `i` is sent there after `delay`; gives the code it printed and
/// the time from the end of that message's DATA to the code.
pub(crate) fn code_from_process(
    mut command: tokio::process::Command,
    smtp: SocketAddr,
    address: String,
    i: usize,
    delay: Duration,
    started: Instant,
) -> tokio::task::JoinHandle<Result<(String, Duration), String>> {
    let child = command.stdout(std::process::Stdio::piped()).kill_on_drop(true).spawn();
    let sent = tokio::spawn(deliver(smtp, address, i, delay, started));
    tokio::spawn(async move {
        let mut child = child.map_err(|e| e.to_string())?;
        let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        let code = lines.next_line().await.map_err(|e| e.to_string())?.ok_or("no code printed")?;
        let received = Instant::now();
        let end_of_data = sent.await.map_err(|e| e.to_string())??;
        let _ = child.wait().await;
        Ok((code, received.saturating_duration_since(end_of_data)))
    })
}

pub(crate) fn report(name: &str, total: usize, latencies: &mut [Duration], refused: u64) {
    latencies.sort();
    let at = |q| quantile_ms(latencies, q);
    println!(
        "quota\t{name}\twaits={total}\tdelivered={}\t429s={refused}\tp50={:.1}ms\tp90={:.1}ms\tp99={:.1}ms\tmax={:.1}ms",
        latencies.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

pub(crate) async fn run(target: &Target, waits: usize, processes: usize, spread: Duration) -> Result<(), String> {
    let (smtp, api, token) = (target.smtp, target.api.as_str(), target.token.as_str());
    let cache = std::env::temp_dir().join(format!("otpcatch-quota-{}", std::process::id()));
    let run = std::process::id();

    // In one process: `waits` concurrent waits sharing one client.
    let before = refused(api).await?;
    let client =
        Client::builder().base_url(api).api_token(token).cache_dir(&cache).build().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let tasks: Vec<_> = moments(waits, spread, 7)
        .into_iter()
        .enumerate()
        .map(|(i, delay)| {
            let address = format!("q{run}-{i}@otpcatch.test");
            let wait = client.mailbox(&address).wait_for(Filter::new()).timeout(spread + Duration::from_secs(60));
            let sent = tokio::spawn(deliver(smtp, address, i, delay, started));
            tokio::spawn(async move {
                let message = wait.await.map_err(|e| e.to_string())?;
                let received = Instant::now();
                let end_of_data = sent.await.map_err(|e| e.to_string())??;
                Ok::<_, String>((message, received.saturating_duration_since(end_of_data)))
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        if let Ok(Ok((_, latency))) = task.await {
            latencies.push(latency);
        }
    }
    report("one-process", waits, &mut latencies, refused(api).await? - before);

    // In many processes: `otpcatch wait-for-code`, sharing the quota through the cache dir.
    let before = refused(api).await?;
    let started = Instant::now();
    let tasks: Vec<_> = moments(processes, spread, 11)
        .into_iter()
        .enumerate()
        .map(|(i, delay)| {
            let address = format!("p{run}-{i}@otpcatch.test");
            let timeout = format!("{}s", spread.as_secs() + 60);
            let command =
                target.command(&cache, &["-q", "wait-for-code", "--address", &address, "--timeout", &timeout]);
            code_from_process(command, smtp, address, 10_000 + i, delay, started)
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        if let Ok(Ok((code, latency))) = task.await
            && code.len() == 6
        {
            latencies.push(latency);
        }
    }
    report("processes", processes, &mut latencies, refused(api).await? - before);
    let _ = std::fs::remove_dir_all(&cache);
    Ok(())
}
