//! The push path: waking a wait when the server says mail arrived.
//!
//! otpcatch's local server advertises, with the `x-otpcatch-push` response
//! header, a server-sent-events stream per address at `GET <inbox
//! path>/events?email=ADDRESS`. Each event means "something arrived". The
//! wait then lists the inbox as usual, so the stream is only a wake-up call:
//! correctness (de-duplication, the cursor, filters) stays in one place.
//! 22.do does not advertise it, so against 22.do the wait polls.

use crate::api::push_path;
use crate::error::Result;
use crate::{Client, Family};

/// The largest event the stream may send; anything longer is cut off.
const MAX_EVENT_BYTES: usize = 64 * 1024;

/// An open event stream.
pub(crate) struct PushStream {
    response: reqwest::Response,
    buffer: Vec<u8>,
}

impl PushStream {
    /// Opens the stream for `address`.
    pub(crate) async fn open(client: &Client, family: Family, address: &str) -> Result<Self> {
        let response = client.open_stream(push_path(family), &[("email", address)]).await?;
        Ok(Self { response, buffer: Vec::new() })
    }

    /// Waits for the next event. `false` when the stream has ended or
    /// failed; the wait then goes back to polling.
    pub(crate) async fn next_event(&mut self) -> bool {
        loop {
            if let Some(event) = take_event(&mut self.buffer) {
                if is_real_event(&event) {
                    return true;
                }
                continue;
            }
            match self.response.chunk().await {
                Ok(Some(chunk)) => {
                    self.buffer.extend_from_slice(&chunk);
                    if self.buffer.len() > MAX_EVENT_BYTES {
                        // A runaway event still says "something happened".
                        self.buffer.clear();
                        return true;
                    }
                }
                Ok(None) | Err(_) => return false,
            }
        }
    }
}

/// Removes the first complete event (ended by a blank line) from `buffer`.
fn take_event(buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    let normalized_end = buffer.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2));
    let crlf_end = buffer.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, 4));
    let (at, len) = match (normalized_end, crlf_end) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let event = buffer[..at].to_vec();
    buffer.drain(..at + len);
    Some(event)
}

/// Whether an event carries a field, rather than being only comments
/// (`: keep-alive`).
fn is_real_event(event: &[u8]) -> bool {
    event.split(|&b| b == b'\n').any(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        !line.is_empty() && !line.starts_with(b":")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_split_on_blank_lines_and_comments_are_skipped() {
        let mut buffer = b": ready\n\nevent: message\ndata: {}\n\nevent: mess".to_vec();
        let first = take_event(&mut buffer).unwrap();
        assert!(!is_real_event(&first));
        let second = take_event(&mut buffer).unwrap();
        assert!(is_real_event(&second));
        assert_eq!(take_event(&mut buffer), None);
        assert_eq!(buffer, b"event: mess");
        let mut crlf = b"data: x\r\n\r\n".to_vec();
        assert!(is_real_event(&take_event(&mut crlf).unwrap()));
    }
}
