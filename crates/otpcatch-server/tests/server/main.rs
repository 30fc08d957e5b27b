//! otpcatch-server end to end: real SMTP clients deliver real MIME, and the
//! otpcatch-core client (or raw HTTP, for the error cases) reads it back.
//! Every test starts its own server on 127.0.0.1:0 and stops it.

mod api;
mod families;
mod hostile;
mod inbox;
mod mime;
mod persistence;
mod smtp;
mod support;
mod waiting;
