//! SMTP in: the conversation ([`session`]) and the sockets ([`listener`]).

pub(crate) mod listener;
pub(crate) mod session;
