//! The SQLite file behind `--data`: messages, address ownership and a
//! little metadata, so a restart, or a crash, loses nothing that was
//! acknowledged.
//!
//! Writes go to one background thread that takes whatever is queued as one
//! transaction and commits it with one `fsync` (WAL, `synchronous = FULL`):
//! group commit, so a crowd of SMTP clients shares each flush. A write that
//! must be durable before it is acknowledged (a message before its 250, an
//! address before `/account` answers) comes with a [`Durable`] that
//! resolves when its transaction is committed, or says why it failed. A
//! failed commit marks the database unhealthy (`/health` says so) until one
//! succeeds again. An exclusive lock on `FILE.lock` keeps a second server
//! from sharing the file.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, params};
use tokio::sync::oneshot;

use super::StoredMessage;
use crate::error::ServerError;

/// How many queued writes go into one transaction at most.
const BATCH: usize = 1000;

/// Who waits for a write's transaction, and hears how it went.
type Waiter = oneshot::Sender<Result<(), String>>;

enum Op {
    InsertMessages(Vec<Arc<StoredMessage>>, Option<Waiter>),
    DeleteMessages(Vec<String>),
    Own {
        addresses: Vec<String>,
        account: String,
        done: Option<Waiter>,
    },
    SetMeta {
        key: String,
        value: String,
    },
    Flush(Sender<()>),
    /// Caps the file's size in pages, as a full disk would.
    #[cfg(test)]
    PageLimit(u32),
}

/// A write on its way to disk: [`Durable::wait`] resolves when it is
/// committed, or says why it could not be.
#[derive(Debug)]
pub(crate) struct Durable(Option<oneshot::Receiver<Result<(), String>>>);

impl Durable {
    /// Nothing to wait for: there is no database.
    pub(crate) fn now() -> Self {
        Self(None)
    }

    /// Waits until the write is on disk.
    pub(crate) async fn wait(self) -> Result<(), String> {
        match self.0 {
            None => Ok(()),
            Some(done) => done.await.unwrap_or_else(|_| Err("the database writer stopped".to_owned())),
        }
    }
}

/// A SQLite database and its writer thread.
#[derive(Debug)]
pub(crate) struct Database {
    path: PathBuf,
    ops: Mutex<Option<Sender<Op>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    /// The last commit's failure, until a commit succeeds.
    failure: Arc<Mutex<Option<String>>>,
    /// Held for the server's lifetime: the exclusive lock on `FILE.lock`.
    _lock: File,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Op")
    }
}

impl Database {
    /// Opens (creating if needed) the database at `path`, or says which
    /// process holds it.
    pub(crate) fn open(path: &Path) -> Result<Self, ServerError> {
        let lock = lock(path)?;
        let connection = connect(path)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 CREATE TABLE IF NOT EXISTS messages (
                     id TEXT PRIMARY KEY, mailbox TEXT NOT NULL, recipient TEXT NOT NULL,
                     envelope_from TEXT NOT NULL, from_header TEXT NOT NULL, subject TEXT NOT NULL,
                     time INTEGER NOT NULL, expire_time INTEGER NOT NULL, raw_zstd BLOB NOT NULL);
                 CREATE TABLE IF NOT EXISTS owners (address TEXT PRIMARY KEY, account TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
            )
            .map_err(|e| ServerError::database(path, e))?;
        // The arrival millisecond came later than the first files: add it.
        let has_time_ms = connection
            .prepare("SELECT 1 FROM pragma_table_info('messages') WHERE name = 'time_ms'")
            .and_then(|mut statement| statement.exists([]))
            .map_err(|e| ServerError::database(path, e))?;
        if !has_time_ms {
            connection
                .execute_batch("ALTER TABLE messages ADD COLUMN time_ms INTEGER")
                .map_err(|e| ServerError::database(path, e))?;
        }
        let (ops, queue) = mpsc::channel();
        let writer_path = path.to_owned();
        let failure = Arc::new(Mutex::new(None));
        let writer_failure = Arc::clone(&failure);
        let writer = std::thread::Builder::new()
            .name("otpcatch-sqlite".into())
            .spawn(move || write_loop(connection, queue, &writer_path, &writer_failure))
            .map_err(|e| ServerError::Io { what: "start the database writer".into(), source: e })?;
        Ok(Self {
            path: path.to_owned(),
            ops: Mutex::new(Some(ops)),
            writer: Mutex::new(Some(writer)),
            failure,
            _lock: lock,
        })
    }

    fn send(&self, op: Op) {
        if let Some(ops) = self.ops.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = ops.send(op);
        }
    }

    /// Why the last commit failed, if the database is failing.
    pub(crate) fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Every stored message, in the order they arrived.
    pub(crate) fn load_messages(&self) -> Result<Vec<StoredMessage>, ServerError> {
        let connection = connect(&self.path)?;
        let mut statement = connection
            .prepare(
                "SELECT id, mailbox, recipient, envelope_from, from_header, subject, time, expire_time, raw_zstd,
                 COALESCE(time_ms, time * 1000) FROM messages ORDER BY rowid",
            )
            .map_err(|e| ServerError::database(&self.path, e))?;
        let rows = statement
            .query_map([], |row| {
                Ok(StoredMessage {
                    id: row.get(0)?,
                    mailbox: row.get(1)?,
                    recipient: row.get(2)?,
                    envelope_from: row.get(3)?,
                    from: row.get(4)?,
                    subject: row.get(5)?,
                    time: row.get(6)?,
                    expire_time: row.get(7)?,
                    compressed: row.get::<_, Vec<u8>>(8)?.into(),
                    time_ms: row.get(9)?,
                })
            })
            .map_err(|e| ServerError::database(&self.path, e))?;
        rows.collect::<Result<_, _>>().map_err(|e| ServerError::database(&self.path, e))
    }

    /// Every address → owning account pair.
    pub(crate) fn load_owners(&self) -> Result<Vec<(String, String)>, ServerError> {
        let connection = connect(&self.path)?;
        let mut statement = connection
            .prepare("SELECT address, account FROM owners")
            .map_err(|e| ServerError::database(&self.path, e))?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(|e| ServerError::database(&self.path, e))?;
        rows.collect::<Result<_, _>>().map_err(|e| ServerError::database(&self.path, e))
    }

    /// A metadata value.
    pub(crate) fn meta(&self, key: &str) -> Result<Option<String>, ServerError> {
        let connection = connect(&self.path)?;
        let value = connection.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| row.get(0));
        match value {
            Ok(value) => Ok(Some(value)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(ServerError::database(&self.path, e)),
        }
    }

    /// Queues messages for the next commit.
    pub(crate) fn insert_messages(&self, messages: &[Arc<StoredMessage>]) -> Durable {
        let (done, committed) = oneshot::channel();
        self.send(Op::InsertMessages(messages.to_vec(), Some(done)));
        Durable(Some(committed))
    }

    pub(crate) fn delete_messages(&self, ids: Vec<String>) {
        if !ids.is_empty() {
            self.send(Op::DeleteMessages(ids));
        }
    }

    /// Records that `account` owns `addresses`, at the next commit.
    pub(crate) fn own(&self, addresses: Vec<String>, account: &str) -> Durable {
        let (done, committed) = oneshot::channel();
        self.send(Op::Own { addresses, account: account.to_owned(), done: Some(done) });
        Durable(Some(committed))
    }

    pub(crate) fn set_meta(&self, key: &str, value: &str) {
        self.send(Op::SetMeta { key: key.to_owned(), value: value.to_owned() });
    }

    /// Waits until every write queued so far is committed.
    pub(crate) fn flush(&self) {
        let (done, wait) = mpsc::channel();
        self.send(Op::Flush(done));
        let _ = wait.recv();
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // Closing the queue ends the writer once it has committed the rest.
        self.ops.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(writer) = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = writer.join();
        }
    }
}

/// Takes the exclusive lock on `FILE.lock`, writing this process's id in
/// it; if another process holds it, says which.
fn lock(path: &Path) -> Result<File, ServerError> {
    let lock_path = {
        let mut name = path.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|source| ServerError::DataFile { path: path.display().to_string(), source })?;
    match file.try_lock() {
        Ok(()) => {
            let _ = file.set_len(0).and_then(|()| file.write_all(std::process::id().to_string().as_bytes()));
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            Err(ServerError::InUse { path: path.display().to_string(), pid: holder.trim().parse().ok() })
        }
        Err(std::fs::TryLockError::Error(source)) => {
            Err(ServerError::DataFile { path: path.display().to_string(), source })
        }
    }
}

fn connect(path: &Path) -> Result<Connection, ServerError> {
    let connection = Connection::open(path).map_err(|e| ServerError::database(path, e))?;
    connection.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| ServerError::database(path, e))?;
    Ok(connection)
}

fn write_loop(mut connection: Connection, queue: Receiver<Op>, path: &Path, failure: &Mutex<Option<String>>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH
            && let Ok(op) = queue.try_recv()
        {
            batch.push(op);
        }
        let mut flushed = Vec::new();
        let mut waiters = Vec::new();
        let outcome = write_batch(&mut connection, batch, &mut flushed, &mut waiters);
        let outcome = match outcome {
            Ok(()) => Ok(()),
            Err(err) => {
                tracing::error!("could not write to {}: {err}", path.display());
                Err(err.to_string())
            }
        };
        *failure.lock().unwrap_or_else(|p| p.into_inner()) = outcome.clone().err();
        for waiter in waiters {
            let _ = waiter.send(outcome.clone());
        }
        for signal in flushed {
            let _ = signal.send(());
        }
    }
}

/// Writes one batch as one transaction. Whoever waits for an op in it is
/// added to `waiters`, whatever happens, so that every one hears.
fn write_batch(
    connection: &mut Connection,
    batch: Vec<Op>,
    flushed: &mut Vec<Sender<()>>,
    waiters: &mut Vec<Waiter>,
) -> rusqlite::Result<()> {
    let mut ops = Vec::with_capacity(batch.len());
    for op in batch {
        match op {
            Op::InsertMessages(messages, Some(waiter)) => {
                waiters.push(waiter);
                ops.push(Op::InsertMessages(messages, None));
            }
            Op::Own { addresses, account, done: Some(waiter) } => {
                waiters.push(waiter);
                ops.push(Op::Own { addresses, account, done: None });
            }
            Op::Flush(signal) => flushed.push(signal),
            op => ops.push(op),
        }
    }
    let transaction = connection.transaction()?;
    for op in ops {
        match op {
            Op::InsertMessages(messages, _) => {
                let mut insert = transaction.prepare_cached(
                    "INSERT OR REPLACE INTO messages
                     (id, mailbox, recipient, envelope_from, from_header, subject, time, expire_time, raw_zstd, time_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                for m in messages {
                    insert.execute(params![
                        m.id,
                        m.mailbox,
                        m.recipient,
                        m.envelope_from,
                        m.from,
                        m.subject,
                        m.time,
                        m.expire_time,
                        &m.compressed[..],
                        m.time_ms
                    ])?;
                }
            }
            Op::DeleteMessages(ids) => {
                let mut delete = transaction.prepare_cached("DELETE FROM messages WHERE id = ?1")?;
                for id in ids {
                    delete.execute([id])?;
                }
            }
            Op::Own { addresses, account, .. } => {
                let mut own =
                    transaction.prepare_cached("INSERT OR REPLACE INTO owners (address, account) VALUES (?1, ?2)")?;
                for address in addresses {
                    own.execute([address.as_str(), account.as_str()])?;
                }
            }
            Op::SetMeta { key, value } => {
                transaction.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", [key, value])?;
            }
            Op::Flush(_) => {}
            #[cfg(test)]
            Op::PageLimit(pages) => {
                transaction.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
            }
        }
    }
    transaction.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: usize) -> Arc<StoredMessage> {
        // Random bytes do not compress: each message takes its size on disk.
        let raw: Vec<u8> = (0..16_384).map(|_| rand::random::<u8>()).collect();
        Arc::new(StoredMessage {
            id: format!("m{id}"),
            mailbox: "a@otpcatch.test".into(),
            recipient: "a@otpcatch.test".into(),
            envelope_from: "s@site.test".into(),
            from: "s@site.test".into(),
            subject: format!("s{id}"),
            time: 1,
            time_ms: 1_000,
            expire_time: i64::MAX,
            compressed: raw.into(),
        })
    }

    #[tokio::test]
    async fn a_full_disk_fails_the_write_says_so_and_recovers() {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::open(&dir.path().join("full.db")).unwrap();
        database.send(Op::PageLimit(40));
        let mut failed = None;
        for id in 0..100 {
            if let Err(why) = database.insert_messages(&[message(id)]).wait().await {
                failed = Some(why);
                break;
            }
        }
        let why = failed.expect("a write fails once the file is full");
        assert!(why.contains("full"), "{why}");
        assert!(database.failure().is_some_and(|f| f.contains("full")), "the failure is reported");

        database.send(Op::PageLimit(1_000_000));
        database.insert_messages(&[message(1000)]).wait().await.unwrap();
        assert_eq!(database.failure(), None, "healthy again once a write succeeds");
    }

    #[test]
    fn a_second_open_names_the_process_that_holds_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.db");
        let _first = Database::open(&path).unwrap();
        match Database::open(&path) {
            Err(ServerError::InUse { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected InUse, got {other:?}"),
        }
    }
}
