//! An example, not a library: see `tests/signup.rs`, a Rust integration
//! test that signs up on a site, reads the verification code with the
//! `otpcatch` crate, and turns on two-factor sign-in with a TOTP code.
