//! The client-side request quota.
//!
//! Every request the client sends first asks the [`Limiter`] for a slot. The
//! limiter admits at most `per_second` requests in any window of one second
//! (plus a margin for network jitter). With a cache directory it keeps its
//! log in a locked file, so every otpcatch process on the machine that talks
//! to the same account shares one budget; without one it is per process.

mod redis_window;
mod window;

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Mutex as StdMutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Mutex;

use window::WindowLog;

/// The window the quota counts over, with a margin so that requests admitted
/// at the edges of a window do not land in one server-side second because of
/// network jitter.
const QUOTA_WINDOW: Duration = Duration::from_millis(1_050);

/// Whether a request may be overtaken when the budget is short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Priority {
    /// Inbox listings: they queue behind every other request.
    Background,
    /// Everything else.
    Foreground,
}

/// Where a fleet's shared quota is, and what a machine does without it.
#[derive(Debug, Clone)]
pub(crate) struct FleetQuota {
    /// The Redis URL (it may carry a password).
    pub(crate) url: otpcatch_wire::Secret,
    /// The account's key in Redis: a hash of the base URL and credential,
    /// never the credential.
    pub(crate) key: String,
    /// The share of the quota this machine uses while Redis is unreachable.
    pub(crate) fallback_share: crate::client::Share,
}

/// The window a fleet's quota counts over. A request is admitted in Redis
/// and reaches the API some time later; when those delays differ by `d`
/// between requests (different networks, a busy runner that pauses a
/// process), the API sees the admissions of a window of `1 s + d` in one of
/// its seconds. This window tolerates half a second of difference, for a
/// third of the quota.
const FLEET_WINDOW: Duration = Duration::from_millis(1_500);

/// How long Redis may take to answer one admission before this machine
/// falls back to its own share.
const REDIS_DEADLINE: Duration = Duration::from_millis(250);
/// How long after a failure Redis is tried again.
const REDIS_RETRY_AFTER: Duration = Duration::from_secs(2);

/// The fleet's quota in Redis, and the state of the connection to it.
#[derive(Debug)]
struct Fleet {
    quota: FleetQuota,
    window: tokio::sync::OnceCell<redis_window::RedisWindow>,
    /// Until when Redis is not tried (after a failure), and whether the
    /// failure was said.
    down: StdMutex<Option<std::time::Instant>>,
    warned: std::sync::atomic::AtomicBool,
}

impl Fleet {
    /// Redis's verdict, or `None` when Redis is unreachable (which is said
    /// once, and then tried again every few seconds).
    async fn admit(&self, per_second: u32) -> Option<Result<(), Duration>> {
        let retry_at = *self.down.lock().unwrap_or_else(|p| p.into_inner());
        if retry_at.is_some_and(|at| std::time::Instant::now() < at) {
            return None;
        }
        let attempt = tokio::time::timeout(REDIS_DEADLINE * 4, async {
            let window = self
                .window
                .get_or_try_init(|| {
                    redis_window::RedisWindow::connect(
                        self.quota.url.expose(),
                        self.quota.key.clone(),
                        per_second,
                        FLEET_WINDOW,
                    )
                })
                .await?;
            tokio::time::timeout(REDIS_DEADLINE, window.try_admit(rand_member()))
                .await
                .map_err(|_| redis::RedisError::from((redis::ErrorKind::Io, "no answer in time")))?
        })
        .await;
        let verdict = match attempt {
            Ok(Ok(verdict)) => verdict,
            Ok(Err(err)) => return self.unreachable(&err.to_string(), per_second),
            Err(_) => return self.unreachable("no answer in time", per_second),
        };
        if self.down.lock().unwrap_or_else(|p| p.into_inner()).take().is_some() {
            tracing::warn!("the fleet's quota in Redis answers again: sharing it");
        }
        Some(verdict)
    }

    fn unreachable(&self, why: &str, per_second: u32) -> Option<Result<(), Duration>> {
        *self.down.lock().unwrap_or_else(|p| p.into_inner()) = Some(std::time::Instant::now() + REDIS_RETRY_AFTER);
        if !self.warned.swap(true, std::sync::atomic::Ordering::Relaxed) {
            tracing::warn!(
                "the fleet's quota in Redis is unreachable ({why}); this machine keeps to {} requests a second \
                 until it answers",
                self.quota.fallback_share.of(per_second)
            );
        }
        None
    }
}

/// A member name unique enough among one account's admissions.
fn rand_member() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(now_nanos());
    hasher.finish()
}

/// Holds the client to a number of requests per second.
#[derive(Debug)]
pub(crate) struct Limiter {
    per_second: u32,
    /// Background requests queue here first, so at most one of them at a
    /// time stands in `turn` before foreground requests.
    background: Mutex<()>,
    /// In-process queue: tasks take slots in the order they asked.
    turn: Mutex<()>,
    /// The log when no file is used, or after the file failed.
    memory: StdMutex<WindowLog>,
    /// The shared log file, when a cache directory is configured.
    file: Option<PathBuf>,
    /// The fleet's log in Redis, when one is configured.
    fleet: Option<Fleet>,
}

impl Limiter {
    /// A limiter whose log is shared through `file` when given.
    pub(crate) fn new(per_second: u32, file: Option<PathBuf>, fleet: Option<FleetQuota>) -> Self {
        let fleet = fleet.map(|quota| Fleet {
            quota,
            window: tokio::sync::OnceCell::new(),
            down: StdMutex::new(None),
            warned: std::sync::atomic::AtomicBool::new(false),
        });
        // Without Redis, a fleet's machine keeps to its share, in memory
        // and in the file alike.
        let local = fleet.as_ref().map_or(per_second, |f| f.quota.fallback_share.of(per_second));
        Self {
            per_second,
            background: Mutex::new(()),
            turn: Mutex::new(()),
            memory: StdMutex::new(WindowLog::new(local, QUOTA_WINDOW)),
            file,
            fleet,
        }
    }

    /// The requests per second this machine takes when it limits alone.
    fn local_per_second(&self) -> u32 {
        self.fleet.as_ref().map_or(self.per_second, |f| f.quota.fallback_share.of(self.per_second))
    }

    /// The configured requests per second.
    pub(crate) fn per_second(&self) -> u32 {
        self.per_second
    }

    /// Waits until a request may be sent, and records that it is.
    pub(crate) async fn acquire(&self, priority: Priority) {
        let _background = match priority {
            Priority::Background => Some(self.background.lock().await),
            Priority::Foreground => None,
        };
        let _turn = self.turn.lock().await;
        loop {
            if let Some(fleet) = &self.fleet
                && let Some(verdict) = fleet.admit(self.per_second).await
            {
                match verdict {
                    Ok(()) => return,
                    Err(wait) => {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                }
            }
            let per_second = self.local_per_second();
            let verdict = match &self.file {
                Some(path) => {
                    // Uncontended, the file is locked, read and rewritten in
                    // microseconds, so it is done on this thread: a hop to the
                    // blocking pool costs more than the work. Only when
                    // another process holds the lock does the wait for it
                    // move off the async thread.
                    let attempt = match admit_in_file(path, per_second, Locking::IfFree) {
                        Ok(None) => {
                            let path = path.clone();
                            tokio::task::spawn_blocking(move || admit_in_file(&path, per_second, Locking::Wait))
                                .await
                                .unwrap_or_else(|_| Err(std::io::Error::other("the quota task failed")))
                        }
                        attempt => attempt,
                    };
                    match attempt {
                        Ok(Some(verdict)) => verdict,
                        Ok(None) => self.admit_in_memory(),
                        Err(err) => {
                            tracing::warn!(
                                "the shared quota file could not be used ({err}); limiting this process alone"
                            );
                            self.admit_in_memory()
                        }
                    }
                }
                None => self.admit_in_memory(),
            };
            match verdict {
                Ok(()) => return,
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    fn admit_in_memory(&self) -> Result<(), Duration> {
        let mut log = self.memory.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        log.try_admit(now_nanos())
    }
}

/// How [`admit_in_file`] takes the file's lock.
#[derive(Debug, Clone, Copy)]
enum Locking {
    /// Give up (`Ok(None)`) if another process holds it.
    IfFree,
    /// Block until it is free.
    Wait,
}

/// One admission attempt against the log in `path`, under an exclusive lock.
/// `Ok(None)` when `locking` is [`Locking::IfFree`] and the lock is taken.
fn admit_in_file(path: &PathBuf, per_second: u32, locking: Locking) -> std::io::Result<Option<Result<(), Duration>>> {
    let mut file = open_private(path)?;
    match locking {
        Locking::Wait => file.lock()?,
        Locking::IfFree => match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(err)) => return Err(err),
        },
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let mut log = WindowLog::new(per_second, QUOTA_WINDOW);
    log.decode(&bytes);
    let verdict = log.try_admit(now_nanos());
    if verdict.is_ok() {
        file.seek(SeekFrom::Start(0))?;
        file.set_len(0)?;
        file.write_all(&log.encode())?;
    }
    // Dropping the file releases the lock.
    Ok(Some(verdict))
}

/// Opens (creating if needed) a file only its owner can read and write.
pub(crate) fn open_private(path: &PathBuf) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn now_nanos() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}
