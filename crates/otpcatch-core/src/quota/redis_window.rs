//! The quota's log in Redis, for a fleet: every otpcatch process on every
//! machine that uses one account admits its requests against one sorted
//! set, in one script run atomically by Redis, on Redis's clock.
//!
//! One round trip per admission (`EVALSHA`, with `EVAL` once if the server
//! has not seen the script). The caller bounds each call with a timeout, and
//! limits locally while Redis is unreachable.

use std::time::Duration;

use redis::aio::ConnectionManager;

/// Admits one request if fewer than `ARGV[1]` were admitted in the last
/// `ARGV[2]` microseconds (Redis's `TIME`), and answers 0; else answers how
/// many microseconds until the oldest leaves the window. `ARGV[3]` makes the
/// member unique when two admissions share a microsecond.
const ADMIT: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
";

/// One account's log in Redis.
pub(crate) struct RedisWindow {
    connection: ConnectionManager,
    key: String,
    per_window: u32,
    window: Duration,
    admit: redis::Script,
}

impl std::fmt::Debug for RedisWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisWindow").field("key", &self.key).field("per_window", &self.per_window).finish()
    }
}

impl RedisWindow {
    /// The log under `key` at `url` (`redis://host:port/db`), admitting
    /// `per_window` requests in any `window`. The connection is made here
    /// and remade by the manager after a failure.
    pub(crate) async fn connect(url: &str, key: String, per_window: u32, window: Duration) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_millis(500)))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self { connection, key, per_window, window, admit: redis::Script::new(ADMIT) })
    }

    /// One admission attempt: `Ok(Ok(()))` when admitted, `Ok(Err(wait))`
    /// when the budget is spent for `wait`, `Err` when Redis failed.
    pub(crate) async fn try_admit(&self, member: u64) -> redis::RedisResult<Result<(), Duration>> {
        let mut connection = self.connection.clone();
        let wait_micros: u64 = self
            .admit
            .key(&self.key)
            .arg(self.per_window)
            .arg(self.window.as_micros() as u64)
            .arg(member)
            .invoke_async(&mut connection)
            .await?;
        Ok(if wait_micros == 0 { Ok(()) } else { Err(Duration::from_micros(wait_micros)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `redis-server` on a free loopback port, stopped (by PID) when dropped.
    struct RedisServer {
        child: std::process::Child,
        url: String,
    }

    impl RedisServer {
        /// `None` when the machine has no `redis-server` (scripts/test.sh installs it).
        async fn start() -> Option<Self> {
            let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
            let child = std::process::Command::new("redis-server")
                .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .ok()?;
            let server = Self { child, url: format!("redis://127.0.0.1:{port}/0") };
            for _ in 0..100 {
                if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                    return Some(server);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            None
        }
    }

    impl Drop for RedisServer {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    #[tokio::test]
    #[expect(clippy::print_stderr, reason = "a skipped test says so")]
    async fn two_machines_share_one_budget_and_accounts_do_not() {
        let Some(redis) = RedisServer::start().await else {
            eprintln!("skipped: no redis-server on this machine");
            return;
        };
        let window = Duration::from_secs(1);
        let first = RedisWindow::connect(&redis.url, "quota:a".into(), 20, window).await.unwrap();
        let second = RedisWindow::connect(&redis.url, "quota:a".into(), 20, window).await.unwrap();
        let other_account = RedisWindow::connect(&redis.url, "quota:b".into(), 20, window).await.unwrap();
        let mut admitted = 0;
        let mut waits = Vec::new();
        for member in 0..30 {
            let machine = if member % 2 == 0 { &first } else { &second };
            match machine.try_admit(member).await.unwrap() {
                Ok(()) => admitted += 1,
                Err(wait) => waits.push(wait),
            }
        }
        assert_eq!(admitted, 20, "both machines together get 20 in the window");
        assert!(waits.iter().all(|wait| *wait > Duration::ZERO && *wait <= window), "{waits:?}");
        assert_eq!(other_account.try_admit(0).await.unwrap(), Ok(()), "another account has its own budget");
        tokio::time::sleep(waits[0]).await;
        assert_eq!(first.try_admit(99).await.unwrap(), Ok(()), "the window moves on");
    }

    #[tokio::test]
    #[expect(clippy::print_stderr, reason = "a skipped test says so")]
    async fn a_stopped_redis_is_an_error_not_a_hang() {
        let Some(mut redis) = RedisServer::start().await else {
            eprintln!("skipped: no redis-server on this machine");
            return;
        };
        let window = RedisWindow::connect(&redis.url, "quota:a".into(), 20, Duration::from_secs(1)).await.unwrap();
        assert_eq!(window.try_admit(0).await.unwrap(), Ok(()));
        let _ = redis.child.kill();
        let _ = redis.child.wait();
        let started = std::time::Instant::now();
        assert!(window.try_admit(1).await.is_err());
        assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    }
}
