//! The client-side request quota.
//!
//! Every request the client sends first asks the [`Limiter`] for a slot. The
//! limiter admits at most `per_second` requests in any window of one second
//! (plus a margin for network jitter). With a cache directory it keeps its
//! log in a locked file, so every otpcatch process on the machine that talks
//! to the same account shares one budget; without one it is per process.

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
}

impl Limiter {
    /// A limiter whose log is shared through `file` when given.
    pub(crate) fn new(per_second: u32, file: Option<PathBuf>) -> Self {
        Self {
            per_second,
            background: Mutex::new(()),
            turn: Mutex::new(()),
            memory: StdMutex::new(WindowLog::new(per_second, QUOTA_WINDOW)),
            file,
        }
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
            let verdict = match &self.file {
                Some(path) => {
                    // Uncontended, the file is locked, read and rewritten in
                    // microseconds, so it is done on this thread: a hop to the
                    // blocking pool costs more than the work. Only when
                    // another process holds the lock does the wait for it
                    // move off the async thread.
                    let attempt = match admit_in_file(path, self.per_second, Locking::IfFree) {
                        Ok(None) => {
                            let path = path.clone();
                            let per_second = self.per_second;
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
