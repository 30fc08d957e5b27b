//! The SQLite file behind `--data`: messages, address ownership and a
//! little metadata, so a restart loses nothing.
//!
//! Writes go to one background thread that batches whatever is queued into
//! a single transaction, so SMTP ingest never waits for the disk.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, params};

use super::StoredMessage;
use crate::error::ServerError;

/// How many queued writes go into one transaction at most.
const BATCH: usize = 1000;

enum Op {
    InsertMessages(Vec<Arc<StoredMessage>>),
    DeleteMessages(Vec<String>),
    Own { address: String, account: String },
    SetMeta { key: String, value: String },
    Flush(Sender<()>),
}

/// A SQLite database and its writer thread.
#[derive(Debug)]
pub(crate) struct Database {
    path: PathBuf,
    ops: Mutex<Option<Sender<Op>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Op")
    }
}

impl Database {
    /// Opens (creating if needed) the database at `path`.
    pub(crate) fn open(path: &Path) -> Result<Self, ServerError> {
        let connection = connect(path)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 CREATE TABLE IF NOT EXISTS messages (
                     id TEXT PRIMARY KEY, mailbox TEXT NOT NULL, recipient TEXT NOT NULL,
                     envelope_from TEXT NOT NULL, from_header TEXT NOT NULL, subject TEXT NOT NULL,
                     time INTEGER NOT NULL, expire_time INTEGER NOT NULL, raw_zstd BLOB NOT NULL);
                 CREATE TABLE IF NOT EXISTS owners (address TEXT PRIMARY KEY, account TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
            )
            .map_err(|e| ServerError::database(path, e))?;
        let (ops, queue) = mpsc::channel();
        let writer_path = path.to_owned();
        let writer = std::thread::Builder::new()
            .name("otpcatch-sqlite".into())
            .spawn(move || write_loop(connection, queue, &writer_path))
            .map_err(|e| ServerError::Io { what: "start the database writer".into(), source: e })?;
        Ok(Self { path: path.to_owned(), ops: Mutex::new(Some(ops)), writer: Mutex::new(Some(writer)) })
    }

    fn send(&self, op: Op) {
        if let Some(ops) = self.ops.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = ops.send(op);
        }
    }

    /// Every stored message, in the order they arrived.
    pub(crate) fn load_messages(&self) -> Result<Vec<StoredMessage>, ServerError> {
        let connection = connect(&self.path)?;
        let mut statement = connection
            .prepare(
                "SELECT id, mailbox, recipient, envelope_from, from_header, subject, time, expire_time, raw_zstd
                 FROM messages ORDER BY rowid",
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

    pub(crate) fn insert_messages(&self, messages: &[Arc<StoredMessage>]) {
        self.send(Op::InsertMessages(messages.to_vec()));
    }

    pub(crate) fn delete_messages(&self, ids: Vec<String>) {
        if !ids.is_empty() {
            self.send(Op::DeleteMessages(ids));
        }
    }

    pub(crate) fn own(&self, address: &str, account: &str) {
        self.send(Op::Own { address: address.to_owned(), account: account.to_owned() });
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

fn connect(path: &Path) -> Result<Connection, ServerError> {
    let connection = Connection::open(path).map_err(|e| ServerError::database(path, e))?;
    connection.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| ServerError::database(path, e))?;
    Ok(connection)
}

fn write_loop(mut connection: Connection, queue: Receiver<Op>, path: &Path) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH
            && let Ok(op) = queue.try_recv()
        {
            batch.push(op);
        }
        let mut done = Vec::new();
        if let Err(err) = write_batch(&mut connection, batch, &mut done) {
            tracing::error!("could not write to {}: {err}", path.display());
        }
        for signal in done {
            let _ = signal.send(());
        }
    }
}

fn write_batch(connection: &mut Connection, batch: Vec<Op>, done: &mut Vec<Sender<()>>) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    for op in batch {
        match op {
            Op::InsertMessages(messages) => {
                let mut insert = transaction.prepare_cached(
                    "INSERT OR REPLACE INTO messages
                     (id, mailbox, recipient, envelope_from, from_header, subject, time, expire_time, raw_zstd)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
                        &m.compressed[..]
                    ])?;
                }
            }
            Op::DeleteMessages(ids) => {
                let mut delete = transaction.prepare_cached("DELETE FROM messages WHERE id = ?1")?;
                for id in ids {
                    delete.execute([id])?;
                }
            }
            Op::Own { address, account } => {
                transaction
                    .execute("INSERT OR REPLACE INTO owners (address, account) VALUES (?1, ?2)", [address, account])?;
            }
            Op::SetMeta { key, value } => {
                transaction.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", [key, value])?;
            }
            Op::Flush(signal) => done.push(signal),
        }
    }
    transaction.commit()
}
