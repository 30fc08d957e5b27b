//! What a wait has seen: de-duplication, the `time` cursor, and the record
//! a timeout reports.

use std::collections::HashSet;

use crate::error::{Error, PassedOver, Unmatched};
use crate::{Message, MessageSummary};

/// How many seconds the `time` cursor trails the newest message seen.
///
/// `time` is in whole seconds and the API does not say whether it is
/// inclusive, so the cursor stays behind the newest second: a message that
/// lands later in that second is still listed, and one that a server indexes
/// a little late is too. What is listed twice is dropped by id.
const CURSOR_LAG_SECONDS: i64 = 2;

/// A message that passed the filter, with its body once it has been read.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) summary: MessageSummary,
    pub(crate) message: Option<Message>,
}

/// The state of one wait.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    seen: HashSet<String>,
    newest: Option<i64>,
    earliest: Option<i64>,
    /// Successful listings so far.
    pub(crate) polls: u32,
    /// Matches in the order they arrived.
    pub(crate) matches: Vec<Candidate>,
    /// Messages that arrived and did not match.
    pub(crate) unmatched: Vec<Unmatched>,
    /// Messages that matched but lacked what the wait required.
    pub(crate) passed_over: Vec<PassedOver>,
    /// Candidates whose body could not be read yet.
    pub(crate) unread: Vec<MessageSummary>,
    /// The last listing failure, cleared by the next success.
    pub(crate) last_error: Option<Error>,
}

impl Tracker {
    /// Remembers why a listing or read failed, to explain the wait's end.
    /// A request that only timed out, after the inbox was listed before,
    /// is the wait running out of time (its requests end with it), not a
    /// broken API: the wait then ends as a plain timeout.
    pub(crate) fn record_failure(&mut self, err: Error) {
        let cut_short = self.polls > 0 && err.transport_failure() == Some(crate::TransportFailure::TimedOut);
        if !cut_short {
            self.last_error = Some(err);
        }
    }

    /// A tracker for a filter whose earliest accepted time is `earliest`.
    pub(crate) fn new(earliest: Option<i64>) -> Self {
        Self { earliest, ..Self::default() }
    }

    /// The `time` to list the inbox with: `None` lists everything.
    pub(crate) fn cursor(&self) -> Option<i64> {
        let from_newest = self.newest.map(|t| t.saturating_sub(CURSOR_LAG_SECONDS));
        let from_filter = self.earliest.map(|t| t.saturating_sub(1));
        from_newest.max(from_filter)
    }

    /// The messages of `listing` not seen before, in order of arrival; they
    /// are now seen.
    pub(crate) fn fresh(&mut self, mut listing: Vec<MessageSummary>) -> Vec<MessageSummary> {
        // Within one second only the listing's order tells arrival order.
        // A listing that runs newest first is turned round so that the
        // stable sort below keeps same-second messages in arrival order.
        if listing.first().zip(listing.last()).is_some_and(|(first, last)| first.time > last.time) {
            listing.reverse();
        }
        listing.sort_by_key(|m| m.time);
        listing.retain(|m| self.seen.insert(m.id.clone()));
        if let Some(newest) = listing.iter().map(|m| m.time).max() {
            self.newest = Some(self.newest.map_or(newest, |n| n.max(newest)));
        }
        listing
    }

    /// Marks every message of `listing` as seen without looking at it: the
    /// starting point of a wait for new mail only.
    pub(crate) fn skip(&mut self, listing: Vec<MessageSummary>) {
        let _ = self.fresh(listing);
    }

    /// Marks as seen the message `id` and every message that arrived before
    /// it (in arrival order); returns the rest of `listing`, to be judged.
    /// If `id` is not there (deleted, or expired with everything older),
    /// nothing is skipped.
    pub(crate) fn skip_through(&mut self, id: &str, listing: Vec<MessageSummary>) -> Vec<MessageSummary> {
        let mut fresh = self.fresh(listing);
        if let Some(position) = fresh.iter().position(|m| m.id == id) {
            fresh.drain(..=position);
        }
        fresh
    }

    /// Records a message that matched but lacked what the wait required.
    pub(crate) fn pass_over(&mut self, summary: &MessageSummary, why: String) {
        self.passed_over.push(PassedOver { from: summary.from.clone(), subject: summary.subject.clone(), why });
    }

    /// Records a message that did not match.
    pub(crate) fn reject(&mut self, summary: &MessageSummary) {
        self.unmatched.push(Unmatched {
            from: summary.from.clone(),
            subject: summary.subject.clone(),
            to: summary.to.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: &str, time: i64) -> MessageSummary {
        MessageSummary {
            id: id.into(),
            time,
            expires_at: time + 100,
            subject: id.into(),
            from: "f".into(),
            to: "t".into(),
            time_ms: None,
        }
    }

    #[test]
    fn a_message_listed_twice_is_fresh_once() {
        let mut tracker = Tracker::new(None);
        assert_eq!(tracker.cursor(), None);
        let first = tracker.fresh(vec![at("a", 100)]);
        assert_eq!(first.len(), 1);
        // Next poll at the same second: `a` again, and `b` from later in that second.
        let second = tracker.fresh(vec![at("b", 100), at("a", 100)]);
        assert_eq!(second.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["b"]);
        assert!(tracker.fresh(vec![at("a", 100), at("b", 100)]).is_empty());
    }

    #[test]
    fn the_cursor_stays_behind_the_newest_second() {
        let mut tracker = Tracker::new(None);
        tracker.fresh(vec![at("a", 100), at("b", 105), at("c", 103)]);
        assert_eq!(tracker.cursor(), Some(103));
        let mut after = Tracker::new(Some(200));
        assert_eq!(after.cursor(), Some(199));
        after.fresh(vec![at("a", 100)]);
        assert_eq!(after.cursor(), Some(199), "an old message never moves the cursor back");
    }

    #[test]
    fn a_newest_first_listing_keeps_same_second_arrivals_in_order() {
        let mut tracker = Tracker::new(None);
        let fresh = tracker.fresh(vec![at("third", 2), at("second", 1), at("first", 1)]);
        assert_eq!(fresh.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["first", "second", "third"]);
    }

    #[test]
    fn skipping_through_an_id_keeps_only_what_came_after_it() {
        let mut tracker = Tracker::new(None);
        let rest = tracker.skip_through("b", vec![at("c", 3), at("a", 1), at("b", 2)]);
        assert_eq!(rest.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["c"]);
        let mut tracker = Tracker::new(None);
        let all = tracker.skip_through("gone", vec![at("a", 1), at("b", 2)]);
        assert_eq!(all.len(), 2, "an id that is not there skips nothing");
    }

    #[test]
    fn fresh_messages_come_oldest_first() {
        let mut tracker = Tracker::new(None);
        let fresh = tracker.fresh(vec![at("new", 3), at("old", 1), at("mid", 2)]);
        assert_eq!(fresh.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["old", "mid", "new"]);
    }
}
