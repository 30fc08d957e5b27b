//! # otpcatch-rules
//!
//! The TOML rule model and the extraction engine that find the one-time
//! code or confirmation link in an [`otpcatch_core::Message`]. Pure: no
//! network, no I/O beyond reading rule files.
//!
//! This crate is laid out with the workspace; its engine arrives with the
//! rules issue.
