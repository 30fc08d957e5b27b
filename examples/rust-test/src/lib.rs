//! An example, not a library: see `tests/signup.rs`, a Rust integration
//! test that signs up on a site and reads the verification code with
//! otpcatch-core.
