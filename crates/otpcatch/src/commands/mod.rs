//! One module per command: each turns settings into library calls and
//! prints the result.

pub(crate) mod demo;
pub(crate) mod extract;
pub(crate) mod mailbox;
pub(crate) mod rules;
pub(crate) mod run;
pub(crate) mod serve;
pub(crate) mod totp;
pub(crate) mod wait;
