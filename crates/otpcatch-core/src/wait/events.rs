//! What a wait reports while it runs, for progress displays.

use std::time::Duration;

/// One step of a wait, sent to the channel given to
/// [`Wait::events`](crate::Wait::events). The library never prints; the
/// caller decides how to show these.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitEvent {
    /// The wait began.
    Started {
        /// The address being watched.
        address: String,
        /// The filter, as text.
        filter: String,
        /// How long the wait will last at most.
        timeout: Duration,
    },
    /// The inbox was listed.
    Polled {
        /// How many listings so far.
        polls: u32,
        /// How many messages this listing returned.
        listed: usize,
    },
    /// The server's push stream was opened: the wait now lists the inbox
    /// when the server says mail arrived, instead of on a timer.
    PushConnected,
    /// A new message arrived.
    Arrived {
        /// Its sender.
        from: String,
        /// Its subject.
        subject: String,
        /// Whether it matched the filter.
        matched: bool,
    },
    /// A message matched the filter but lacked what the wait required (see
    /// [`Wait::require`](crate::Wait::require)); the wait goes on.
    PassedOver {
        /// Its sender.
        from: String,
        /// Its subject.
        subject: String,
        /// Why it was passed over.
        why: String,
    },
    /// A listing failed after the client's retries; the wait goes on.
    PollFailed {
        /// The error, as text.
        error: String,
    },
    /// The wait found its message.
    Matched {
        /// The message's id.
        id: String,
        /// How long the wait took.
        elapsed: Duration,
    },
}
