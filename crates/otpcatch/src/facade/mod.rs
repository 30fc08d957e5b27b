//! The one-crate API: a local server or a client, mailboxes, and waits
//! that end in a code or a link.

pub(crate) mod error;
pub(crate) mod local;
pub(crate) mod mailbox;
pub(crate) mod wait;
