//! The rate-limit algorithm: a sliding log of the last requests' send times.

use std::collections::VecDeque;
use std::time::Duration;

/// Admits at most `limit` requests in any window of `window` length.
///
/// Times are wall-clock nanoseconds since the Unix epoch, so processes can
/// share one log through a file (an `Instant` means nothing to another
/// process). A token bucket would allow a burst *plus* the refill within one
/// second; a log of send times holds the count in every window exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WindowLog {
    limit: usize,
    window: u64,
    sends: VecDeque<u64>,
}

impl WindowLog {
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        let limit = limit.max(1) as usize;
        Self { limit, window: window.as_nanos() as u64, sends: VecDeque::with_capacity(limit) }
    }

    /// Records a send at `now` if the window has room; otherwise returns how
    /// long until it will.
    pub(crate) fn try_admit(&mut self, now: u64) -> Result<(), Duration> {
        // A send time far in the future means the clock went back: start over
        // rather than stall until the clock catches up.
        if self.sends.back().is_some_and(|&last| last > now.saturating_add(self.window)) {
            self.sends.clear();
        }
        while self.sends.front().is_some_and(|&t| t.saturating_add(self.window) <= now) {
            self.sends.pop_front();
        }
        while self.sends.len() > self.limit {
            self.sends.pop_front();
        }
        if self.sends.len() < self.limit {
            self.sends.push_back(now);
            return Ok(());
        }
        let oldest = self.sends.front().copied().unwrap_or(now);
        let wait = oldest.saturating_add(self.window).saturating_sub(now);
        Err(Duration::from_nanos(wait.max(1_000_000)))
    }

    /// The log as bytes: each send time as 8 little-endian bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        self.sends.iter().flat_map(|t| t.to_le_bytes()).collect()
    }

    /// Replaces the log with one read from bytes. Anything that is not a
    /// whole number of ascending times is discarded: the worst a corrupt
    /// file can do is let one window through unthrottled.
    pub(crate) fn decode(&mut self, bytes: &[u8]) {
        self.sends.clear();
        if !bytes.len().is_multiple_of(8) {
            return;
        }
        for chunk in bytes.chunks_exact(8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let t = u64::from_le_bytes(word);
            if self.sends.back().is_some_and(|&last| t < last) {
                self.sends.clear();
                return;
            }
            self.sends.push_back(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn admits_up_to_the_limit_then_says_how_long_to_wait() {
        let mut log = WindowLog::new(3, Duration::from_secs(1));
        assert!(log.try_admit(0).is_ok());
        assert!(log.try_admit(10 * MS).is_ok());
        assert!(log.try_admit(20 * MS).is_ok());
        assert_eq!(log.try_admit(30 * MS), Err(Duration::from_millis(970)));
        assert!(log.try_admit(1000 * MS).is_ok(), "the first send left the window");
        assert!(log.try_admit(1000 * MS).is_err());
    }

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        let mut log = WindowLog::new(20, Duration::from_secs(1));
        let mut admitted = Vec::new();
        let mut now = 0;
        while admitted.len() < 200 {
            match log.try_admit(now) {
                Ok(()) => admitted.push(now),
                Err(wait) => now += wait.as_nanos() as u64,
            }
            now += 3 * MS;
        }
        for (i, &start) in admitted.iter().enumerate() {
            let in_window = admitted[i..].iter().take_while(|&&t| t < start + 1000 * MS).count();
            assert!(in_window <= 20, "{in_window} sends in the window starting at {start}");
        }
    }

    #[test]
    fn survives_a_round_trip_and_rejects_garbage() {
        let mut log = WindowLog::new(5, Duration::from_secs(1));
        log.try_admit(5).unwrap();
        log.try_admit(7).unwrap();
        let mut other = WindowLog::new(5, Duration::from_secs(1));
        other.decode(&log.encode());
        assert_eq!(other, log);

        other.decode(b"not a log");
        assert_eq!(other.encode(), Vec::<u8>::new());
        let descending: Vec<u8> = [9u64, 3].iter().flat_map(|t| t.to_le_bytes()).collect();
        other.decode(&descending);
        assert_eq!(other.encode(), Vec::<u8>::new());
    }

    #[test]
    fn a_clock_that_went_back_does_not_stall() {
        let mut log = WindowLog::new(1, Duration::from_secs(1));
        log.try_admit(100_000 * MS).unwrap();
        assert!(log.try_admit(10 * MS).is_ok());
    }
}
