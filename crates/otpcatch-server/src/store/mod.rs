//! The message store: in memory, indexed by mailbox, with retention and
//! caps, optionally written through to SQLite.
//!
//! Messages are kept as zstd-compressed raw source plus the few header
//! fields a listing shows; bodies are decoded when a message is read. That
//! keeps 10,000 typical 20 KB messages in a few tens of megabytes.
//!
//! The store publishes each arrival (the stored message itself) on a
//! broadcast channel; the API's push path subscribes. The store knows
//! nothing of HTTP.

mod persist;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use otpcatch_wire as wire;
use tokio::sync::broadcast;

use crate::error::ServerError;
use crate::ingest;
pub(crate) use persist::{Database, Durable};

/// Compression level for stored messages: fast, and still 4–6× on HTML mail.
const ZSTD_LEVEL: i32 = 1;

/// One stored message, as delivered to one recipient.
#[derive(Debug)]
pub(crate) struct StoredMessage {
    pub(crate) id: String,
    /// The mailbox it is filed in (see `addresses::mailbox_key`).
    pub(crate) mailbox: String,
    /// The address it was sent to (RCPT TO).
    pub(crate) recipient: String,
    pub(crate) envelope_from: String,
    pub(crate) from: String,
    pub(crate) subject: String,
    pub(crate) time: i64,
    /// When it arrived, in Unix milliseconds (`time` is its second).
    pub(crate) time_ms: i64,
    pub(crate) expire_time: i64,
    /// The raw source, zstd-compressed; shared by a message's recipients.
    pub(crate) compressed: Arc<[u8]>,
}

impl StoredMessage {
    /// The raw source's size in bytes, as the compressed frame records it.
    pub(crate) fn size(&self) -> u64 {
        zstd::zstd_safe::get_frame_content_size(&self.compressed).ok().flatten().unwrap_or(0)
    }

    /// The raw source.
    pub(crate) fn raw(&self) -> Vec<u8> {
        zstd::decode_all(&self.compressed[..]).unwrap_or_default()
    }

    pub(crate) fn summary(&self) -> wire::MessageSummary {
        wire::MessageSummary {
            time: self.time,
            subject: self.subject.clone(),
            from: self.from.clone(),
            to: self.recipient.clone(),
            message_id: self.id.clone(),
            expire_time: self.expire_time,
            time_ms: Some(self.time_ms),
        }
    }

    /// The message with its bodies, decoded from the raw source.
    pub(crate) fn detail(&self) -> wire::MessageDetail {
        let decoded = otpcatch_wire::mime::decode(&self.raw());
        let tos = if decoded.recipients.is_empty() { vec![self.recipient.clone()] } else { decoded.recipients };
        wire::MessageDetail {
            time: self.time,
            subject: self.subject.clone(),
            body: decoded.text,
            html: decoded.html,
            from: self.from.clone(),
            to: self.recipient.clone(),
            tos,
            message_id: self.id.clone(),
            expire_time: self.expire_time,
            attachments: decoded.attachments,
            time_ms: Some(self.time_ms),
        }
    }

    fn cost(&self) -> usize {
        self.compressed.len() + self.from.len() + self.subject.len() + self.recipient.len() + 128
    }
}

/// A mailbox as the web inbox lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MailboxSummary {
    pub(crate) mailbox: String,
    pub(crate) count: usize,
    pub(crate) latest_ms: i64,
}

/// Limits on what the store keeps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) retention: Duration,
    pub(crate) max_messages: usize,
    pub(crate) max_bytes: usize,
}

/// The store. Cheap operations under one short-held lock; parsing and
/// compression happen before the lock is taken.
#[derive(Debug)]
pub(crate) struct Store {
    inner: Mutex<Index>,
    arrivals: broadcast::Sender<Arc<StoredMessage>>,
    deletions: broadcast::Sender<Arc<StoredMessage>>,
    limits: Limits,
    database: Option<Arc<Database>>,
}

#[derive(Debug, Default)]
struct Index {
    next_seq: u64,
    messages: BTreeMap<u64, Arc<StoredMessage>>,
    by_id: HashMap<String, u64>,
    by_mailbox: HashMap<String, BTreeSet<u64>>,
    bytes: usize,
}

/// A delivery on its way into the store (see [`Store::stage`]).
#[derive(Debug)]
pub(crate) struct Staged {
    messages: Vec<Arc<StoredMessage>>,
    durable: Durable,
}

/// One recipient of a delivery: the address and the mailbox it files into.
#[derive(Debug, Clone)]
pub(crate) struct Recipient {
    pub(crate) address: String,
    pub(crate) mailbox: String,
}

impl Store {
    /// An empty store, or one loaded from `database` when given.
    pub(crate) fn open(limits: Limits, database: Option<Arc<Database>>) -> Result<Self, ServerError> {
        let (arrivals, _) = broadcast::channel(1024);
        let (deletions, _) = broadcast::channel(1024);
        let store = Self { inner: Mutex::new(Index::default()), arrivals, deletions, limits, database };
        if let Some(database) = &store.database {
            let now = unix_now();
            let mut index = store.lock();
            for message in database.load_messages()? {
                if message.expire_time > now {
                    index.insert(Arc::new(message));
                }
            }
            drop(index);
            let mut evicted = Vec::new();
            store.enforce_caps(&mut evicted);
            database.delete_messages(evicted);
        }
        Ok(store)
    }

    fn lock(&self) -> MutexGuard<'_, Index> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Prepares a message for each recipient and, with a database, queues
    /// them for its next commit. [`Store::finish`] makes them visible.
    pub(crate) fn stage(&self, envelope_from: &str, recipients: &[Recipient], raw: &[u8]) -> Staged {
        let (from, subject) = ingest::headers(raw, envelope_from);
        let compressed: Arc<[u8]> = zstd::bulk::compress(raw, ZSTD_LEVEL).unwrap_or_else(|_| raw.to_vec()).into();
        let time_ms = unix_now_ms();
        let time = time_ms.div_euclid(1000);
        let retention = i64::try_from(self.limits.retention.as_secs()).unwrap_or(i64::MAX);
        let expire_time = time.saturating_add(retention);
        let messages: Vec<Arc<StoredMessage>> = recipients
            .iter()
            .map(|r| {
                Arc::new(StoredMessage {
                    id: new_id(),
                    mailbox: r.mailbox.clone(),
                    recipient: r.address.clone(),
                    envelope_from: envelope_from.to_owned(),
                    from: from.clone(),
                    subject: subject.clone(),
                    time,
                    time_ms,
                    expire_time,
                    compressed: compressed.clone(),
                })
            })
            .collect();
        let durable = match &self.database {
            Some(database) => database.insert_messages(&messages),
            None => Durable::now(),
        };
        Staged { messages, durable }
    }

    /// Waits until the staged messages are on disk (at once without a
    /// database), then stores them, publishes them and returns their ids;
    /// or says why they could not be written, and stores nothing.
    pub(crate) async fn finish(&self, staged: Staged) -> Result<Vec<String>, String> {
        staged.durable.wait().await?;
        Ok(self.publish(staged.messages))
    }

    /// Stores a message for each recipient at once; returns their ids.
    #[cfg(test)]
    pub(crate) fn deliver(&self, envelope_from: &str, recipients: &[Recipient], raw: &[u8]) -> Vec<String> {
        self.publish(self.stage(envelope_from, recipients, raw).messages)
    }

    /// Makes messages visible: indexed, within the caps, announced.
    fn publish(&self, messages: Vec<Arc<StoredMessage>>) -> Vec<String> {
        {
            let mut index = self.lock();
            for message in &messages {
                index.insert(message.clone());
            }
        }
        let mut evicted = Vec::new();
        self.enforce_caps(&mut evicted);
        if let Some(database) = &self.database {
            database.delete_messages(evicted);
        }
        for message in &messages {
            let _ = self.arrivals.send(message.clone());
        }
        messages.iter().map(|m| m.id.clone()).collect()
    }

    /// Why the database is failing, if it is.
    pub(crate) fn failure(&self) -> Option<String> {
        self.database.as_ref().and_then(|database| database.failure())
    }

    /// The unexpired messages of `mailbox` received after `after`, oldest first.
    pub(crate) fn list(&self, mailbox: &str, after: Option<i64>) -> Vec<Arc<StoredMessage>> {
        let now = unix_now();
        let index = self.lock();
        let Some(seqs) = index.by_mailbox.get(mailbox) else { return Vec::new() };
        seqs.iter()
            .filter_map(|seq| index.messages.get(seq))
            .filter(|m| m.expire_time > now && after.is_none_or(|t| m.time > t))
            .cloned()
            .collect()
    }

    /// A message by id, if it exists and has not expired.
    pub(crate) fn get(&self, id: &str) -> Option<Arc<StoredMessage>> {
        let index = self.lock();
        let message = index.by_id.get(id).and_then(|seq| index.messages.get(seq))?;
        (message.expire_time > unix_now()).then(|| message.clone())
    }

    /// Deletes a message; returns it if it existed.
    pub(crate) fn delete(&self, id: &str) -> Option<Arc<StoredMessage>> {
        let removed = {
            let mut index = self.lock();
            let seq = *index.by_id.get(id)?;
            index.remove(seq)
        };
        if let (Some(database), Some(message)) = (&self.database, &removed) {
            database.delete_messages(vec![message.id.clone()]);
        }
        if let Some(message) = &removed {
            let _ = self.deletions.send(message.clone());
        }
        removed
    }

    /// Deletes every message of `mailbox`; returns how many there were.
    pub(crate) fn delete_mailbox(&self, mailbox: &str) -> usize {
        let removed: Vec<Arc<StoredMessage>> = {
            let mut index = self.lock();
            let seqs: Vec<u64> =
                index.by_mailbox.get(mailbox).map(|seqs| seqs.iter().copied().collect()).unwrap_or_default();
            seqs.into_iter().filter_map(|seq| index.remove(seq)).collect()
        };
        if let Some(database) = &self.database
            && !removed.is_empty()
        {
            database.delete_messages(removed.iter().map(|m| m.id.clone()).collect());
        }
        for message in &removed {
            let _ = self.deletions.send(message.clone());
        }
        removed.len()
    }

    /// Every mailbox that holds mail: its key, how many messages, and when
    /// the newest arrived (Unix milliseconds).
    pub(crate) fn mailboxes(&self) -> Vec<MailboxSummary> {
        let index = self.lock();
        index
            .by_mailbox
            .iter()
            .map(|(mailbox, seqs)| MailboxSummary {
                mailbox: mailbox.clone(),
                count: seqs.len(),
                latest_ms: seqs.last().and_then(|seq| index.messages.get(seq)).map_or(0, |m| m.time_ms),
            })
            .collect()
    }

    /// Up to `limit` unexpired messages that `keep` accepts, newest first:
    /// of `mailbox`, or of every mailbox; only those older than the message
    /// `before` when it is given. The flag says whether more remain.
    pub(crate) fn newest(
        &self,
        mailbox: Option<&str>,
        before: Option<&str>,
        limit: usize,
        keep: impl Fn(&StoredMessage) -> bool,
    ) -> (Vec<Arc<StoredMessage>>, bool) {
        let now = unix_now();
        let index = self.lock();
        let below = before.and_then(|id| index.by_id.get(id).copied()).unwrap_or(u64::MAX);
        let seqs: Box<dyn Iterator<Item = u64> + '_> = match mailbox {
            Some(mailbox) => match index.by_mailbox.get(mailbox) {
                Some(seqs) => Box::new(seqs.range(..below).rev().copied()),
                None => Box::new(std::iter::empty()),
            },
            None => Box::new(index.messages.range(..below).rev().map(|(&seq, _)| seq)),
        };
        let mut matching = seqs
            .filter_map(|seq| index.messages.get(&seq))
            .filter(|m| m.expire_time > now && keep(m))
            .take(limit + 1)
            .cloned()
            .collect::<Vec<_>>();
        let more = matching.len() > limit;
        matching.truncate(limit);
        (matching, more)
    }

    /// Deletions: each message deleted through the API or the inbox.
    pub(crate) fn subscribe_deletions(&self) -> broadcast::Receiver<Arc<StoredMessage>> {
        self.deletions.subscribe()
    }

    /// How many messages are stored.
    pub(crate) fn len(&self) -> usize {
        self.lock().messages.len()
    }

    /// Arrivals: each new message, as stored, once per recipient.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<StoredMessage>> {
        self.arrivals.subscribe()
    }

    /// Drops expired messages.
    pub(crate) fn purge_expired(&self) {
        let now = unix_now();
        let expired: Vec<String> = {
            let mut index = self.lock();
            let seqs: Vec<u64> =
                index.messages.iter().take_while(|(_, m)| m.expire_time <= now).map(|(&seq, _)| seq).collect();
            seqs.into_iter().filter_map(|seq| index.remove(seq)).map(|m| m.id.clone()).collect()
        };
        if let Some(database) = &self.database
            && !expired.is_empty()
        {
            database.delete_messages(expired);
        }
    }

    /// Evicts the oldest messages until the caps hold; records their ids.
    fn enforce_caps(&self, evicted: &mut Vec<String>) {
        let mut index = self.lock();
        while index.messages.len() > self.limits.max_messages || index.bytes > self.limits.max_bytes {
            let Some(&oldest) = index.messages.keys().next() else { break };
            if let Some(message) = index.remove(oldest) {
                evicted.push(message.id.clone());
            }
        }
    }
}

impl Index {
    fn insert(&mut self, message: Arc<StoredMessage>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.bytes += message.cost();
        self.by_id.insert(message.id.clone(), seq);
        self.by_mailbox.entry(message.mailbox.clone()).or_default().insert(seq);
        self.messages.insert(seq, message);
    }

    fn remove(&mut self, seq: u64) -> Option<Arc<StoredMessage>> {
        let message = self.messages.remove(&seq)?;
        self.bytes -= message.cost();
        self.by_id.remove(&message.id);
        if let Some(seqs) = self.by_mailbox.get_mut(&message.mailbox) {
            seqs.remove(&seq);
            if seqs.is_empty() {
                self.by_mailbox.remove(&message.mailbox);
            }
        }
        Some(message)
    }
}

/// A fresh message id: 32 hex digits, like 22.do's.
fn new_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The time now, in Unix milliseconds.
pub(crate) fn unix_now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Loads messages from `path` for tests of persistence.
#[cfg(test)]
pub(crate) fn open_at(path: &std::path::Path, limits: Limits) -> Store {
    let database = Arc::new(Database::open(path).unwrap());
    Store::open(limits, Some(database)).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits { retention: Duration::from_secs(3600), max_messages: 1000, max_bytes: 1 << 30 }
    }

    fn to(address: &str) -> Vec<Recipient> {
        vec![Recipient { address: address.into(), mailbox: address.into() }]
    }

    fn mail(subject: &str) -> Vec<u8> {
        format!("From: Shop <s@shop.test>\r\nSubject: {subject}\r\n\r\nbody of {subject}\r\n").into_bytes()
    }

    #[test]
    fn messages_are_listed_per_mailbox_oldest_first() {
        let store = Store::open(limits(), None).unwrap();
        let a = store.deliver("s@shop.test", &to("a@x.test"), &mail("one"));
        store.deliver("s@shop.test", &to("b@x.test"), &mail("other"));
        let b = store.deliver("s@shop.test", &to("a@x.test"), &mail("two"));
        let listed: Vec<_> = store.list("a@x.test", None).iter().map(|m| m.id.clone()).collect();
        assert_eq!(listed, [a[0].clone(), b[0].clone()]);
        let message = store.get(&a[0]).unwrap();
        assert_eq!((message.from.as_str(), message.subject.as_str()), ("Shop <s@shop.test>", "one"));
        assert_eq!(message.detail().body, "body of one\r\n");
        assert!(store.list("a@x.test", Some(message.time)).is_empty(), "`after` is exclusive");
    }

    #[test]
    fn one_delivery_to_several_recipients_stores_one_message_each() {
        let store = Store::open(limits(), None).unwrap();
        let recipients = [to("a@x.test"), to("b@x.test")].concat();
        let ids = store.deliver("s@shop.test", &recipients, &mail("hi"));
        assert_eq!(ids.len(), 2);
        assert_ne!(ids[0], ids[1]);
        store.delete(&ids[0]).unwrap();
        assert!(store.get(&ids[0]).is_none());
        assert_eq!(store.get(&ids[1]).unwrap().recipient, "b@x.test");
    }

    #[test]
    fn the_oldest_messages_are_evicted_at_the_caps() {
        let store = Store::open(Limits { max_messages: 3, ..limits() }, None).unwrap();
        let ids: Vec<String> =
            (0..5).map(|i| store.deliver("s", &to("a@x.test"), &mail(&i.to_string())).remove(0)).collect();
        assert_eq!(store.len(), 3);
        assert!(store.get(&ids[0]).is_none() && store.get(&ids[1]).is_none());
        assert!(store.get(&ids[4]).is_some());

        let small = Store::open(Limits { max_bytes: 1000, ..limits() }, None).unwrap();
        for i in 0..20 {
            small.deliver("s", &to("a@x.test"), &mail(&i.to_string()));
        }
        assert!(small.lock().bytes <= 1000);
        assert!(small.len() < 20 && small.len() > 0);
    }

    #[test]
    fn expired_messages_are_gone() {
        let store = Store::open(Limits { retention: Duration::ZERO, ..limits() }, None).unwrap();
        let id = store.deliver("s", &to("a@x.test"), &mail("old")).remove(0);
        assert!(store.get(&id).is_none());
        assert!(store.list("a@x.test", None).is_empty());
        store.purge_expired();
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn messages_survive_a_restart_with_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("otpcatch.db");
        let (kept, deleted) = {
            let store = open_at(&path, limits());
            let kept = store.deliver("s@shop.test", &to("a@x.test"), &mail("kept")).remove(0);
            let deleted = store.deliver("s@shop.test", &to("a@x.test"), &mail("deleted")).remove(0);
            store.delete(&deleted);
            store.database.as_ref().unwrap().flush();
            (kept, deleted)
        };
        let store = open_at(&path, limits());
        let message = store.get(&kept).expect("the message survived");
        assert_eq!(message.subject, "kept");
        assert_eq!(message.detail().body, "body of kept\r\n");
        assert!(store.get(&deleted).is_none());
        assert_eq!(store.list("a@x.test", None).len(), 1);
    }

    #[tokio::test]
    async fn arrivals_are_published() {
        let store = Store::open(limits(), None).unwrap();
        let mut arrivals = store.subscribe();
        store.deliver("s", &to("a@x.test"), &mail("x"));
        assert_eq!(arrivals.recv().await.unwrap().mailbox, "a@x.test");
    }
}
