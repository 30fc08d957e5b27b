//! The stderr spinner shown while a wait runs, when stderr is a terminal.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use otpcatch_core::WaitEvent;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::escape;

/// Draws wait events until the channel closes. Returns at once (drawing
/// nothing) unless stderr is a terminal and the user did not ask for -q.
pub(crate) async fn show(mut events: UnboundedReceiver<WaitEvent>, enabled: bool) {
    if !enabled {
        while events.recv().await.is_some() {}
        return;
    }
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.enable_steady_tick(Duration::from_millis(100));
    let (mut timeout, mut seen, mut passed, mut address, mut push) =
        (Duration::ZERO, 0usize, 0usize, String::new(), false);
    while let Some(event) = events.recv().await {
        match event {
            WaitEvent::Started { address: a, timeout: t, .. } => {
                address = a;
                timeout = t;
            }
            WaitEvent::Arrived { .. } => seen += 1,
            WaitEvent::PassedOver { .. } => passed += 1,
            WaitEvent::PushConnected => push = true,
            WaitEvent::Matched { .. } => break,
            _ => {}
        }
        let how = if push { "push" } else { "polling" };
        let passed = if passed > 0 { format!(", {passed} without what was asked for") } else { String::new() };
        spinner.set_message(format!(
            "waiting for mail at {} (timeout {timeout:?}, {seen} seen{passed}, {how})",
            escape::field(&address)
        ));
    }
    spinner.finish_and_clear();
}

/// Whether a spinner may be drawn: stderr is a terminal, -q is off.
pub(crate) fn wanted(quiet: bool) -> bool {
    !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr())
}
