//! A fleet of CI machines on one account: `machines` groups, each with a
//! cache directory of its own (so the file lock cannot coordinate them),
//! each running `waits` concurrent library waits and `processes`
//! `otpcatch wait-for-code` processes, every wait for a message that arrives
//! at a random moment. With `--quota-url`, every group shares the quota in
//! Redis; without it, each keeps to the quota alone, as machines did before.

use std::time::{Duration, Instant};

use otpcatch_core::{Client, Filter, Share};

use crate::Target;
use crate::quota::{code_from_process, deliver, moments, refused, report};

/// What one wait gave: the code (or message id) and the time from the end
/// of its message's DATA to the wait's answer.
type Outcome = Result<Duration, String>;

pub(crate) async fn run(
    target: &Target,
    machines: usize,
    waits: usize,
    processes: usize,
    spread: Duration,
    quota_url: Option<&str>,
) -> Result<(), String> {
    let (smtp, api, token) = (target.smtp, target.api.as_str(), target.token.as_str());
    let run = std::process::id();
    let root = std::env::temp_dir().join(format!("otpcatch-fleet-{run}"));
    let before = refused(api).await?;
    let started = Instant::now();
    let timeout = spread + Duration::from_secs(60);
    let mut tasks: Vec<tokio::task::JoinHandle<Outcome>> = Vec::new();
    for machine in 0..machines {
        let cache = root.join(format!("machine-{machine}"));
        let mut builder = Client::builder().base_url(api).api_token(token).cache_dir(&cache);
        if let Some(url) = quota_url {
            builder = builder.fleet_quota(url, Share::QUARTER);
        }
        let client = builder.build().map_err(|e| e.to_string())?;
        let seed = 101 + machine as u64;
        for (i, delay) in moments(waits, spread, seed).into_iter().enumerate() {
            let address = format!("f{run}-m{machine}-w{i}@otpcatch.test");
            let wait = client.mailbox(&address).wait_for(Filter::new()).timeout(timeout);
            let sent = tokio::spawn(deliver(smtp, address, i, delay, started));
            tasks.push(tokio::spawn(async move {
                wait.await.map_err(|e| e.to_string())?;
                let received = Instant::now();
                let end_of_data = sent.await.map_err(|e| e.to_string())??;
                Ok(received.saturating_duration_since(end_of_data))
            }));
        }
        for (i, delay) in moments(processes, spread, seed * 7).into_iter().enumerate() {
            let address = format!("f{run}-m{machine}-p{i}@otpcatch.test");
            let timeout = format!("{}s", timeout.as_secs());
            let mut command =
                target.command(&cache, &["-q", "wait-for-code", "--address", &address, "--timeout", &timeout]);
            match quota_url {
                Some(url) => command.env("OTPCATCH_QUOTA_URL", url),
                None => command.env_remove("OTPCATCH_QUOTA_URL"),
            };
            let waited = code_from_process(command, smtp, address, 10_000 + i, delay, started);
            tasks.push(tokio::spawn(async move {
                let (code, latency) = waited.await.map_err(|e| e.to_string())??;
                if code.len() == 6 { Ok(latency) } else { Err(code) }
            }));
        }
    }
    let total = tasks.len();
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for task in tasks {
        match task.await.map_err(|e| e.to_string()).and_then(|outcome| outcome) {
            Ok(latency) => latencies.push(latency),
            Err(why) => failures.push(why),
        }
    }
    let name = if quota_url.is_some() { "fleet-redis" } else { "fleet-alone" };
    report(name, total, &mut latencies, refused(api).await? - before);
    if let Some(first) = failures.first() {
        eprintln!("{} waits failed; the first: {first}", failures.len());
    }
    let _ = std::fs::remove_dir_all(&root);
    Ok(())
}

/// `GET /domains`, `samples` times in a row, with each limiter; prints the
/// p50 and p99 of each and of the difference. The quota is set far above
/// the rate, so no request waits for it: what is measured is the limiter's
/// own cost.
pub(crate) async fn latency(target: &Target, quota_url: &str, samples: usize) -> Result<(), String> {
    let root = std::env::temp_dir().join(format!("otpcatch-quota-latency-{}", std::process::id()));
    let mut results = Vec::new();
    for fleet in [false, true] {
        let mut builder = Client::builder()
            .base_url(&target.api)
            .api_token(target.token.as_str())
            .cache_dir(root.join(if fleet { "fleet" } else { "file" }))
            .quota_per_second(1_000_000);
        if fleet {
            builder = builder.fleet_quota(quota_url, Share::QUARTER);
        }
        let client = builder.build().map_err(|e| e.to_string())?;
        client.domains().await.map_err(|e| e.to_string())?; // the Bearer, and Redis's connection
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            let started = Instant::now();
            client.domains().await.map_err(|e| e.to_string())?;
            times.push(started.elapsed());
        }
        times.sort();
        results.push(times);
    }
    let at = |times: &[Duration], q| crate::quantile_ms(times, q);
    let (file, redis) = (&results[0], &results[1]);
    println!(
        "quota_latency\tsamples={samples}\tfile_p50={:.3}ms\tfile_p99={:.3}ms\tredis_p50={:.3}ms\tredis_p99={:.3}ms\tadded_p50={:.3}ms\tadded_p99={:.3}ms",
        at(file, 0.5),
        at(file, 0.99),
        at(redis, 0.5),
        at(redis, 0.99),
        at(redis, 0.5) - at(file, 0.5),
        at(redis, 0.99) - at(file, 0.99)
    );
    let _ = std::fs::remove_dir_all(&root);
    Ok(())
}
