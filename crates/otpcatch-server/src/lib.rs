//! # otpcatch-server
//!
//! otpcatch's local server: an SMTP receiver whose messages are read back
//! through a 22.do-compatible HTTP API, so tests of a site run offline with
//! the same client that reads 22.do.
//!
//! This crate is laid out with the workspace; the server arrives with the
//! local-server issue.
