//! otpcatch-core against an in-test fake of the 22.do API (`fake.rs`),
//! started on 127.0.0.1:0 by each test. Nothing here touches the internet.

mod auth;
mod endpoints;
mod errors;
mod fake;
mod faults;
mod quickstart;
mod quota;
mod retry;
mod wait;
