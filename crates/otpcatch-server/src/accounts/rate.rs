//! The per-account QPS limit: a window of the last second's requests.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The window a QPS limit counts over.
const WINDOW: Duration = Duration::from_secs(1);

/// When an account's recent requests were admitted.
#[derive(Debug, Default)]
pub(super) struct RateWindow {
    recent: VecDeque<Instant>,
}

impl RateWindow {
    /// Admits a request at `now` if fewer than `per_second` were admitted in
    /// the second before it; `Err` with how long until one would be.
    pub(super) fn admit(&mut self, now: Instant, per_second: u32) -> Result<(), Duration> {
        while self.recent.front().is_some_and(|&t| now.duration_since(t) >= WINDOW) {
            self.recent.pop_front();
        }
        if self.recent.len() >= per_second as usize {
            let oldest = self.recent.front().copied().unwrap_or(now);
            return Err(WINDOW.saturating_sub(now.duration_since(oldest)));
        }
        self.recent.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holds_at_most_the_limit() {
        let mut window = RateWindow::default();
        let start = Instant::now();
        for _ in 0..3 {
            window.admit(start, 3).unwrap();
        }
        let wait = window.admit(start + Duration::from_millis(400), 3).unwrap_err();
        assert_eq!(wait, Duration::from_millis(600));
        window.admit(start + WINDOW, 3).unwrap();
    }
}
