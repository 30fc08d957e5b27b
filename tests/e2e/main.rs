//! End-to-end tests of the `otpcatch` binary. Each module is one feature;
//! `util.rs` is the harness that runs the binary and talks to what it starts.

mod durability;
mod errors;
mod extract;
mod faults;
mod run;
mod secrets;
mod serve;
mod totp;
mod util;
mod wait;
