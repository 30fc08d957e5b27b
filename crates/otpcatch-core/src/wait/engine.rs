//! The wait engine: list, judge, sleep or listen, until the message a test
//! is waiting for arrives.
//!
//! How a wait works: it lists the inbox, reads what is new (de-duplicated by
//! message id, since the `time` cursor is in whole seconds and deliberately
//! lists the newest second again), checks each new message against the
//! plan, and returns once it has its match. Between listings it sleeps,
//! from the shortest pause growing by half to the longest, or, where the
//! server offers push, until the server says mail arrived; a pushed message
//! is judged as it comes, without listing or reading.
//!
//! What to do with a message is decided by pure functions of the [`Plan`]
//! ([`Plan::triage`], [`Plan::verdict`], [`Plan::choose`], and
//! [`next_pause`]); the loop around them does the I/O, through a
//! [`Source`], so its tests run on a scripted source in paused time.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use super::tracker::{Candidate, Tracker};
use super::{Filter, WaitEvent};
use crate::client::answer_by;
use crate::error::{Error, Result, UnexpectedMessage, WaitTimeout};
use crate::{Message, MessageSummary};

/// With push, the inbox is still listed this often, in case an event is lost.
const PUSH_SAFETY_POLL: Duration = Duration::from_secs(10);

/// After an `expect none` wait's time is up, how long its last listing may take.
const FINAL_CHECK_LIMIT: Duration = Duration::from_secs(5);

/// However short a wait's timeout, its first listing may take this long
/// (from the start of the wait), so a message already there is found.
const FIRST_CHECK_LIMIT: Duration = Duration::from_secs(1);

/// Where a wait reads mail: a [`Mailbox`](super::Mailbox) in use, a
/// scripted inbox in tests.
pub(crate) trait Source: Sync {
    /// The push stream this source offers.
    type Events: Events;

    /// The address being watched.
    fn address(&self) -> &str;

    /// Lists the inbox, everything or what arrived after `after`.
    fn list(&self, after: Option<i64>) -> impl Future<Output = Result<Vec<MessageSummary>>> + Send;

    /// Reads one message.
    fn read(&self, id: &str) -> impl Future<Output = Result<Message>> + Send;

    /// Deletes one message.
    fn delete(&self, id: &str) -> impl Future<Output = Result<()>> + Send;

    /// Whether the server has said it pushes arrivals.
    fn push_advertised(&self) -> bool;

    /// Opens the push stream.
    fn subscribe(&self) -> impl Future<Output = Result<Self::Events>> + Send;
}

/// A push stream, as the engine reads it.
pub(crate) trait Events: Send {
    /// The next event; `None` when the stream has ended or failed.
    fn next(&mut self) -> impl Future<Output = Option<Pushed>> + Send;
}

/// What the push stream said.
#[derive(Debug)]
pub(crate) enum Pushed {
    /// A message arrived: its listing entry, and the message itself when
    /// the server sent it whole.
    Arrived(MessageSummary, Option<Box<Message>>),
    /// Something may have arrived: list the inbox.
    Wake,
}

/// Which match a wait returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick {
    /// The nth match in order of arrival, counting from 1.
    Nth(usize),
    /// The newest match at the time the first one is seen.
    Latest,
}

/// Judges whether a message has what a wait requires: `Err` says why not.
pub(crate) type Accept = dyn Fn(&Message) -> std::result::Result<(), String> + Send + Sync;

/// What a wait requires of a matching message beyond its filter.
#[derive(Clone)]
pub(crate) struct Requirement {
    /// What is required, for explanations: "a code".
    pub(crate) what: String,
    pub(crate) accept: Arc<Accept>,
}

impl std::fmt::Debug for Requirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Requirement").field("what", &self.what).finish_non_exhaustive()
    }
}

/// Everything a wait was told: what it accepts, which match it returns,
/// and how it paces itself.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) filter: Filter,
    pub(crate) timeout: Duration,
    pub(crate) pick: Pick,
    pub(crate) requirement: Option<Requirement>,
    pub(crate) only_new: bool,
    /// Count only messages that arrived after this one.
    pub(crate) after_id: Option<String>,
    pub(crate) delete_after_read: bool,
    pub(crate) events: Option<UnboundedSender<WaitEvent>>,
    pub(crate) min_interval: Duration,
    pub(crate) max_interval: Duration,
}

/// What to do with a listed message, before reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Triage {
    /// Its listing entry fails the filter.
    Reject,
    /// It may match, and the body decides: read it.
    Read,
    /// It matches on its listing entry alone.
    Accept,
}

/// What a read message is to the wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It fails the filter.
    Reject,
    /// It matches the filter but lacks what the wait requires, for this reason.
    PassOver(String),
    /// It counts.
    Match,
}

impl Plan {
    pub(crate) fn new(filter: Filter, timeout: Duration) -> Self {
        Self {
            filter,
            timeout,
            pick: Pick::Nth(1),
            requirement: None,
            only_new: false,
            after_id: None,
            delete_after_read: false,
            events: None,
            min_interval: Duration::from_millis(250),
            max_interval: Duration::from_secs(2),
        }
    }

    /// What to do with a listed message.
    pub(crate) fn triage(&self, summary: &MessageSummary) -> Triage {
        if !self.filter.matches_summary(summary) {
            Triage::Reject
        } else if self.filter.needs_body() || self.requirement.is_some() {
            Triage::Read
        } else {
            Triage::Accept
        }
    }

    /// What a read message is to the wait.
    pub(crate) fn verdict(&self, message: &Message) -> Verdict {
        if !self.filter.matches(message) {
            return Verdict::Reject;
        }
        match &self.requirement {
            Some(requirement) => match (requirement.accept)(message) {
                Ok(()) => Verdict::Match,
                Err(why) => Verdict::PassOver(why),
            },
            None => Verdict::Match,
        }
    }

    /// The match the wait returns, once it has one.
    pub(crate) fn choose<'m>(&self, matches: &'m [Candidate]) -> Option<&'m Candidate> {
        match self.pick {
            Pick::Nth(n) => matches.get(n - 1),
            Pick::Latest => matches.iter().max_by_key(|c| c.summary.time),
        }
    }

    /// How many matches the wait needs.
    fn wanted(&self) -> usize {
        match self.pick {
            Pick::Nth(n) => n,
            Pick::Latest => 1,
        }
    }

    fn emit(&self, event: WaitEvent) {
        if let Some(events) = &self.events {
            let _ = events.send(event);
        }
    }

    fn timeout_error(&self, address: &str, tracker: &Tracker, started: Instant) -> Error {
        Error::wait_timed_out(WaitTimeout {
            address: address.to_owned(),
            filter: self.filter.to_string(),
            waited: started.elapsed(),
            polls: tracker.polls,
            wanted: self.wanted(),
            matched: tracker.matches.len(),
            unmatched: tracker.unmatched.clone(),
            required: self.requirement.as_ref().map(|r| r.what.clone()),
            passed_over: tracker.passed_over.clone(),
        })
    }
}

/// The pause after `pause` while polling: half as long again, up to `max`.
pub(crate) fn next_pause(pause: Duration, max: Duration) -> Duration {
    pause.saturating_add(pause / 2).min(max)
}

/// How long into a wait its requests may keep retrying: a little less
/// than the wait, so that a request failing to the end reports why before
/// the wait's time is up.
fn answer_deadline(started: Instant, timeout: Duration) -> std::time::Instant {
    /// Far enough to mean "never" for any wait, near enough not to overflow.
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    let answer_time = timeout.saturating_sub((timeout / 4).min(Duration::from_secs(1))).min(CENTURY);
    (started + answer_time).into_std()
}

/// Runs a wait to its end: the matching message, or why there is none.
pub(crate) async fn wait<S: Source>(source: &S, plan: &Plan) -> Result<Message> {
    let started = Instant::now();
    let mut tracker = Tracker::new(plan.filter.earliest());
    let running = answer_by(answer_deadline(started, plan.timeout), run(source, plan, &mut tracker));
    let outcome = match tokio::time::timeout(plan.timeout, running).await {
        Ok(outcome) => outcome.map(Some),
        // However short the timeout, the inbox is looked at once: a message
        // that is already there is found.
        Err(_elapsed) if tracker.polls == 0 => {
            let left = FIRST_CHECK_LIMIT.saturating_sub(started.elapsed());
            final_check(source, plan, &mut tracker, left).await
        }
        Err(_elapsed) => Ok(None),
    };
    match outcome {
        Ok(Some(message)) => {
            plan.emit(WaitEvent::Matched { id: message.id.clone(), elapsed: started.elapsed() });
            Ok(message)
        }
        Err(err) => Err(err),
        // A listing that kept failing explains the timeout better than
        // "nothing arrived" would.
        Ok(None) => {
            Err(tracker.last_error.take().unwrap_or_else(|| plan.timeout_error(source.address(), &tracker, started)))
        }
    }
}

/// One last listing when a wait's time is up, bounded in time of its own.
async fn final_check<S: Source>(
    source: &S,
    plan: &Plan,
    tracker: &mut Tracker,
    limit: Duration,
) -> Result<Option<Message>> {
    match tokio::time::timeout(limit, poll_once(source, plan, tracker)).await {
        Ok(outcome) => outcome,
        Err(_elapsed) => Ok(None),
    }
}

/// Runs an `expect none` wait: `Ok` if nothing matched in time.
pub(crate) async fn expect_none<S: Source>(source: &S, plan: Plan) -> Result<()> {
    let started = Instant::now();
    let plan = Plan { pick: Pick::Nth(1), delete_after_read: false, ..plan };
    let mut tracker = Tracker::new(plan.filter.earliest());
    let unexpected = |message: Message| {
        Error::unexpected(UnexpectedMessage {
            filter: plan.filter.to_string(),
            from: message.from,
            subject: message.subject,
            after: started.elapsed(),
        })
    };
    let running = answer_by(answer_deadline(started, plan.timeout), run(source, &plan, &mut tracker));
    match tokio::time::timeout(plan.timeout, running).await {
        Ok(Ok(message)) => return Err(unexpected(message)),
        Ok(Err(err)) => return Err(err),
        Err(_elapsed) => {}
    }
    // Nothing matched if, and only if, the last listing worked and showed
    // nothing: a wait that could not look has not seen "no mail".
    tracker.last_error = None;
    let polls = tracker.polls;
    match final_check(source, &plan, &mut tracker, FINAL_CHECK_LIMIT).await {
        Ok(Some(message)) => Err(unexpected(message)),
        Ok(None) if tracker.polls > polls => Ok(()),
        Ok(None) => {
            Err(tracker.last_error.take().unwrap_or_else(|| plan.timeout_error(source.address(), &tracker, started)))
        }
        Err(err) => Err(err),
    }
}

/// Lists, checks and sleeps until a match; the caller bounds it in time.
async fn run<S: Source>(source: &S, plan: &Plan, tracker: &mut Tracker) -> Result<Message> {
    plan.emit(WaitEvent::Started {
        address: source.address().to_owned(),
        filter: plan.filter.to_string(),
        timeout: plan.timeout,
    });
    // A wait for mail after a point first lists what is there and sets
    // aside what came before the point; what came after it is judged.
    let mut after_point = None;
    if plan.only_new || plan.after_id.is_some() {
        loop {
            match list(source, plan, tracker).await {
                Ok(listing) => {
                    match &plan.after_id {
                        Some(id) => after_point = Some(tracker.skip_through(id, listing)),
                        None => tracker.skip(listing),
                    }
                    break;
                }
                Err(err) if survivable(&err) => {
                    tracker.record_failure(err);
                    tokio::time::sleep(plan.min_interval).await;
                }
                Err(err) => return Err(err),
            }
        }
    }
    let mut pause = plan.min_interval;
    let mut push: Option<S::Events> = None;
    let mut push_tried = false;
    // When the client already knows the server pushes, subscribe before
    // the first listing: that listing then covers everything earlier,
    // and the wait costs two requests instead of three (it matters when
    // a hundred waits share a quota of twenty a second).
    if source.push_advertised() {
        push_tried = true;
        push = open_push(source, plan).await;
    }
    // A message the server pushed whole (or announced), judged without
    // listing the inbox.
    let mut pushed: Option<(MessageSummary, Option<Box<Message>>)> = None;
    if let Some(after) = after_point.filter(|after| !after.is_empty())
        && let Some(message) = judge_candidates(source, plan, tracker, after, None).await?
    {
        return Ok(message);
    }
    loop {
        let found = match pushed.take() {
            Some((summary, message)) => judge(source, plan, tracker, vec![summary], message.map(|m| *m)).await?,
            None => poll_once(source, plan, tracker).await?,
        };
        if let Some(message) = found {
            return Ok(message);
        }
        if !push_tried && source.push_advertised() {
            push_tried = true;
            push = open_push(source, plan).await;
            if push.is_some() {
                // List once more: mail may have landed before the stream opened.
                continue;
            }
        }
        match &mut push {
            Some(stream) => {
                tokio::select! {
                    event = stream.next() => match event {
                        Some(Pushed::Arrived(summary, message)) => pushed = Some((summary, message)),
                        Some(Pushed::Wake) => {}
                        None => {
                            tracing::debug!("push stream ended; polling instead");
                            push = None;
                        }
                    },
                    () = tokio::time::sleep(PUSH_SAFETY_POLL) => {}
                }
            }
            None => {
                tokio::time::sleep(pause).await;
                pause = next_pause(pause, plan.max_interval);
            }
        }
    }
}

/// Opens the server's push stream, or `None` to poll.
async fn open_push<S: Source>(source: &S, plan: &Plan) -> Option<S::Events> {
    match source.subscribe().await {
        Ok(stream) => {
            plan.emit(WaitEvent::PushConnected);
            Some(stream)
        }
        Err(err) => {
            tracing::debug!("push stream unavailable, polling instead: {err}");
            None
        }
    }
}

/// One round: list the inbox, judge what is new, return the match if the
/// wait is satisfied. Transient failures are recorded, not returned.
async fn poll_once<S: Source>(source: &S, plan: &Plan, tracker: &mut Tracker) -> Result<Option<Message>> {
    let listing = match list(source, plan, tracker).await {
        Ok(listing) => listing,
        Err(err) if survivable(&err) => {
            plan.emit(WaitEvent::PollFailed { error: err.to_string() });
            tracker.record_failure(err);
            return Ok(None);
        }
        Err(err) => return Err(err),
    };
    judge(source, plan, tracker, listing, None).await
}

/// Judges the messages of `arrived` not seen before (and any whose body
/// could not be read earlier), and returns the match if the wait is
/// satisfied. `pushed` is one of them already read.
async fn judge<S: Source>(
    source: &S,
    plan: &Plan,
    tracker: &mut Tracker,
    arrived: Vec<MessageSummary>,
    pushed: Option<Message>,
) -> Result<Option<Message>> {
    let fresh = tracker.fresh(arrived);
    judge_candidates(source, plan, tracker, fresh, pushed).await
}

/// Judges messages already known to be fresh (and any whose body could
/// not be read earlier); `pushed` is one of them already read.
async fn judge_candidates<S: Source>(
    source: &S,
    plan: &Plan,
    tracker: &mut Tracker,
    fresh: Vec<MessageSummary>,
    mut pushed: Option<Message>,
) -> Result<Option<Message>> {
    let mut candidates = std::mem::take(&mut tracker.unread);
    candidates.extend(fresh);
    for summary in candidates {
        let triage = plan.triage(&summary);
        if triage == Triage::Reject {
            reject(plan, tracker, &summary);
            continue;
        }
        let body = pushed.take_if(|m| m.id == summary.id);
        let message = if body.is_some() {
            body
        } else if triage == Triage::Read {
            match read(source, &summary).await {
                Ok(Some(message)) => Some(message),
                Ok(None) => continue,
                Err(err) if survivable(&err) => {
                    tracker.unread.push(summary);
                    tracker.record_failure(err);
                    continue;
                }
                Err(err) => return Err(err),
            }
        } else {
            None
        };
        match message.as_ref().map_or(Verdict::Match, |m| plan.verdict(m)) {
            Verdict::Reject => {
                reject(plan, tracker, &summary);
                continue;
            }
            Verdict::PassOver(why) => {
                plan.emit(WaitEvent::PassedOver {
                    from: summary.from.clone(),
                    subject: summary.subject.clone(),
                    why: why.clone(),
                });
                tracker.pass_over(&summary, why);
                continue;
            }
            Verdict::Match => {}
        }
        plan.emit(WaitEvent::Arrived { from: summary.from.clone(), subject: summary.subject.clone(), matched: true });
        tracker.matches.push(Candidate { summary, message });
    }
    let Some(chosen) = plan.choose(&tracker.matches).cloned() else { return Ok(None) };
    let message = match chosen.message {
        Some(message) => message,
        None => match read(source, &chosen.summary).await? {
            Some(message) => message,
            None => {
                // It vanished between the listing and the read: forget it.
                tracker.matches.retain(|c| c.summary.id != chosen.summary.id);
                return Ok(None);
            }
        },
    };
    if plan.delete_after_read {
        source.delete(&message.id).await?;
    }
    Ok(Some(message))
}

/// Records and reports a message that arrived but did not match.
fn reject(plan: &Plan, tracker: &mut Tracker, summary: &MessageSummary) {
    plan.emit(WaitEvent::Arrived { from: summary.from.clone(), subject: summary.subject.clone(), matched: false });
    tracker.reject(summary);
}

async fn list<S: Source>(source: &S, plan: &Plan, tracker: &mut Tracker) -> Result<Vec<MessageSummary>> {
    let listing = source.list(tracker.cursor()).await?;
    tracker.polls += 1;
    tracker.last_error = None;
    plan.emit(WaitEvent::Polled { polls: tracker.polls, listed: listing.len() });
    Ok(listing)
}

/// Reads a message; `None` if it no longer exists (expired or deleted).
async fn read<S: Source>(source: &S, summary: &MessageSummary) -> Result<Option<Message>> {
    match source.read(&summary.id).await {
        Ok(message) => Ok(Some(message)),
        Err(err) if err.is_not_found() => Ok(None),
        Err(err) => Err(err),
    }
}

/// Whether a wait may carry on after `error`: a failure that may not
/// happen again (429, 5xx, a lost connection, a garbled answer from a
/// gateway). The wait records it, and reports it if the time runs out.
fn survivable(error: &Error) -> bool {
    error.is_transient() || error.is_decode()
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::sync::mpsc;

    use super::*;
    use crate::error::CredentialKind;

    /// An inbox in memory, listed and read through the engine's `Source`,
    /// recording when it was listed.
    #[derive(Default)]
    struct Scripted {
        inbox: Mutex<Vec<Message>>,
        listed_at: Mutex<Vec<Instant>>,
        reads: AtomicUsize,
        failures: Mutex<VecDeque<Error>>,
        fail_forever: bool,
        push: Mutex<Option<mpsc::UnboundedReceiver<Pushed>>>,
    }

    impl Events for mpsc::UnboundedReceiver<Pushed> {
        async fn next(&mut self) -> Option<Pushed> {
            self.recv().await
        }
    }

    impl Source for Scripted {
        type Events = mpsc::UnboundedReceiver<Pushed>;

        fn address(&self) -> &str {
            "me@otpcatch.test"
        }

        async fn list(&self, after: Option<i64>) -> Result<Vec<MessageSummary>> {
            self.listed_at.lock().unwrap().push(Instant::now());
            if self.fail_forever {
                return Err(unavailable());
            }
            if let Some(err) = self.failures.lock().unwrap().pop_front() {
                return Err(err);
            }
            let inbox = self.inbox.lock().unwrap();
            Ok(inbox.iter().filter(|m| after.is_none_or(|t| m.time > t)).map(Message::summary).collect())
        }

        async fn read(&self, id: &str) -> Result<Message> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            let inbox = self.inbox.lock().unwrap();
            let found = inbox.iter().find(|m| m.id == id).cloned();
            found.ok_or_else(|| Error::api("POST /inbox/message", 404, String::new(), None, CredentialKind::None))
        }

        async fn delete(&self, id: &str) -> Result<()> {
            self.inbox.lock().unwrap().retain(|m| m.id != id);
            Ok(())
        }

        fn push_advertised(&self) -> bool {
            self.push.lock().unwrap().is_some()
        }

        async fn subscribe(&self) -> Result<Self::Events> {
            self.push.lock().unwrap().take().ok_or_else(unavailable)
        }
    }

    fn unavailable() -> Error {
        Error::api("POST /inbox", 503, "down".into(), None, CredentialKind::ApiToken)
    }

    fn message(id: &str, subject: &str, text: &str) -> Message {
        Message {
            id: id.into(),
            time: 1_750_000_000,
            expires_at: 1_750_003_600,
            subject: subject.into(),
            from: "App <no-reply@app.test>".into(),
            to: "me@otpcatch.test".into(),
            recipients: vec!["me@otpcatch.test".into()],
            time_ms: None,
            text: text.into(),
            html: String::new(),
            attachments: Vec::new(),
        }
    }

    /// Puts `message` in the inbox `after` from now, in virtual time.
    fn deliver_later(source: &Arc<Scripted>, after: Duration, message: Message) {
        let source = Arc::clone(source);
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            source.inbox.lock().unwrap().push(message);
        });
    }

    fn gaps(source: &Scripted) -> Vec<Duration> {
        let at = source.listed_at.lock().unwrap();
        at.windows(2).map(|w| w[1] - w[0]).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn polling_grows_by_half_from_the_shortest_pause_to_the_longest() {
        let source = Arc::new(Scripted::default());
        deliver_later(&source, Duration::from_secs(10), message("m1", "Your code", "123456"));
        let started = Instant::now();
        let found = wait(&*source, &Plan::new(Filter::new(), Duration::from_secs(60))).await.unwrap();
        assert_eq!(found.id, "m1");
        let expected_micros = [250_000, 375_000, 562_500, 843_750, 1_265_625, 1_898_437, 2_000_000, 2_000_000];
        let gaps = gaps(&source);
        for (gap, expected) in gaps.iter().zip(expected_micros) {
            // The timer rounds a pause up to the next millisecond.
            let expected = Duration::from_micros(expected);
            assert!(*gap >= expected && *gap < expected + Duration::from_millis(1), "{gaps:?}");
        }
        assert!(started.elapsed() <= Duration::from_secs(12), "found within one pause: {:?}", started.elapsed());
    }

    #[tokio::test(start_paused = true)]
    async fn a_pushed_message_is_judged_without_listing_or_reading_it() {
        let source = Arc::new(Scripted::default());
        let (push, events) = mpsc::unbounded_channel();
        *source.push.lock().unwrap() = Some(events);
        let pusher = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            let arrived = message("m1", "Your code", "123456");
            push.send(Pushed::Arrived(arrived.summary(), Some(Box::new(arrived)))).unwrap();
            push
        });
        let plan = Plan { requirement: Some(requirement()), ..Plan::new(Filter::new(), Duration::from_secs(60)) };
        let found = wait(&*source, &plan).await.unwrap();
        assert_eq!(found.id, "m1");
        assert_eq!(source.listed_at.lock().unwrap().len(), 1, "one listing, after subscribing");
        assert_eq!(source.reads.load(Ordering::SeqCst), 0);
        drop(pusher);
    }

    #[tokio::test(start_paused = true)]
    async fn with_push_a_lost_event_costs_one_safety_poll() {
        let source = Arc::new(Scripted::default());
        let (_push, events) = mpsc::unbounded_channel();
        *source.push.lock().unwrap() = Some(events);
        deliver_later(&source, Duration::from_secs(1), message("m1", "Your code", "123456"));
        let started = Instant::now();
        let found = wait(&*source, &Plan::new(Filter::new(), Duration::from_secs(60))).await.unwrap();
        assert_eq!(found.id, "m1");
        assert_eq!(started.elapsed(), PUSH_SAFETY_POLL);
        assert_eq!(source.listed_at.lock().unwrap().len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_that_only_failed_reports_the_failure_not_an_empty_inbox() {
        let source = Scripted { fail_forever: true, ..Scripted::default() };
        let err = wait(&source, &Plan::new(Filter::new(), Duration::from_secs(5))).await.unwrap_err();
        assert_eq!(err.status(), Some(503), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_listing_is_survived() {
        let source = Arc::new(Scripted::default());
        source.failures.lock().unwrap().extend([unavailable(), unavailable()]);
        source.inbox.lock().unwrap().push(message("m1", "Your code", "123456"));
        let found = wait(&*source, &Plan::new(Filter::new(), Duration::from_secs(5))).await.unwrap();
        assert_eq!(found.id, "m1");
        assert_eq!(source.listed_at.lock().unwrap().len(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn after_an_id_only_what_came_later_counts() {
        let source = Scripted::default();
        let old = message("m1", "Your code", "111111");
        let new = Message { id: "m2".into(), time: old.time + 1, ..message("m2", "Your code", "222222") };
        source.inbox.lock().unwrap().extend([old, new]);
        let plan = Plan { after_id: Some("m1".into()), ..Plan::new(Filter::new(), Duration::from_secs(5)) };
        assert_eq!(wait(&source, &plan).await.unwrap().id, "m2");
        let plan = Plan { after_id: Some("m2".into()), ..Plan::new(Filter::new(), Duration::from_secs(5)) };
        assert!(wait(&source, &plan).await.unwrap_err().is_wait_timeout(), "nothing after the newest");
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_with_no_time_still_looks_once() {
        let source = Scripted::default();
        source.inbox.lock().unwrap().push(message("m1", "Your code", "123456"));
        let found = wait(&source, &Plan::new(Filter::new(), Duration::ZERO)).await.unwrap();
        assert_eq!(found.id, "m1");
        let empty = Scripted::default();
        let err = wait(&empty, &Plan::new(Filter::new(), Duration::ZERO)).await.unwrap_err();
        assert_eq!(err.wait_timeout().map(|t| t.polls), Some(1), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn expect_none_that_could_not_look_fails() {
        let source = Scripted { fail_forever: true, ..Scripted::default() };
        let err = expect_none(&source, Plan::new(Filter::new(), Duration::from_secs(3))).await.unwrap_err();
        assert_eq!(err.status(), Some(503), "not a success: {err}");
    }

    #[tokio::test(start_paused = true)]
    async fn expect_none_lists_once_more_when_its_time_is_up() {
        let source = Arc::new(Scripted::default());
        deliver_later(&source, Duration::from_millis(9_900), message("m1", "Your code", "123456"));
        let err = expect_none(&*source, Plan::new(Filter::new(), Duration::from_secs(10))).await.unwrap_err();
        let unexpected = err.unexpected_message().expect("an unexpected message");
        assert_eq!(unexpected.subject, "Your code");

        let quiet = Scripted::default();
        expect_none(&quiet, Plan::new(Filter::new(), Duration::from_secs(10))).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_lists_what_was_passed_over_and_why() {
        let source = Scripted::default();
        source.inbox.lock().unwrap().push(message("m1", "Welcome", "no code here"));
        let plan = Plan { requirement: Some(requirement()), ..Plan::new(Filter::new(), Duration::from_secs(5)) };
        let err = wait(&source, &plan).await.unwrap_err();
        let timeout = err.wait_timeout().expect("a wait timeout");
        assert_eq!(timeout.passed_over.len(), 1);
        assert_eq!(timeout.passed_over[0].why, "no digits");
        assert_eq!(timeout.waited, Duration::from_secs(5));
    }

    /// A requirement that a message's text has a digit.
    fn requirement() -> Requirement {
        let accept = |m: &Message| {
            if m.text.chars().any(|c| c.is_ascii_digit()) { Ok(()) } else { Err("no digits".to_owned()) }
        };
        Requirement { what: "a code".into(), accept: Arc::new(accept) }
    }

    #[test]
    fn triage_and_verdict_follow_the_filter_and_the_requirement() {
        let plan = Plan::new(Filter::new().subject("code").unwrap(), Duration::from_secs(1));
        let welcome = message("m1", "Welcome", "hello");
        let code = message("m2", "Your code", "123456");
        assert_eq!(plan.triage(&welcome.summary()), Triage::Reject);
        assert_eq!(plan.triage(&code.summary()), Triage::Accept, "the listing entry is enough");
        let strict = Plan { requirement: Some(requirement()), ..plan };
        assert_eq!(strict.triage(&code.summary()), Triage::Read, "the requirement needs the body");
        assert_eq!(strict.verdict(&code), Verdict::Match);
        let no_code = message("m3", "Your code", "none");
        assert_eq!(strict.verdict(&no_code), Verdict::PassOver("no digits".into()));
        assert_eq!(strict.verdict(&welcome), Verdict::Reject);
    }

    #[test]
    fn the_pick_chooses_among_matches() {
        let candidate = |id: &str, time| Candidate {
            summary: MessageSummary { time, ..message(id, "s", "").summary() },
            message: None,
        };
        let matches = [candidate("a", 3), candidate("b", 5), candidate("c", 4)];
        let mut plan = Plan::new(Filter::new(), Duration::from_secs(1));
        assert_eq!(plan.choose(&matches).unwrap().summary.id, "a");
        plan.pick = Pick::Nth(2);
        assert_eq!(plan.choose(&matches).unwrap().summary.id, "b");
        plan.pick = Pick::Nth(4);
        assert!(plan.choose(&matches).is_none());
        plan.pick = Pick::Latest;
        assert_eq!(plan.choose(&matches).unwrap().summary.id, "b");
    }

    #[tokio::test(start_paused = true)]
    async fn the_longest_durations_a_caller_can_give_do_not_overflow() {
        let source = Scripted::default();
        source.inbox.lock().unwrap().push(message("m1", "Your code", "123456"));
        let plan = Plan {
            min_interval: Duration::MAX,
            max_interval: Duration::MAX,
            ..Plan::new(Filter::new().received_after(i64::MIN), Duration::MAX)
        };
        assert_eq!(wait(&source, &plan).await.unwrap().id, "m1");
    }

    #[test]
    fn pauses_saturate_instead_of_overflowing() {
        assert_eq!(next_pause(Duration::MAX, Duration::MAX), Duration::MAX);
        assert_eq!(next_pause(Duration::from_secs(1), Duration::from_secs(2)), Duration::from_millis(1500));
    }
}
