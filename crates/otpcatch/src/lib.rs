//! # otpcatch
//!
//! Create an email address, hand it to the code under test, and get the
//! one-time code or confirmation link from the email it sends: in one
//! crate, for Rust tests. It uses the [22.do](https://22.do) temp-mail API
//! or otpcatch's own local server (SMTP in, the same API out), which runs
//! inside the test. Use it only on sites you own or may test.
//!
//! # Example: a signup test against a local server
//!
//! ```
//! # async fn sign_up(address: &str, smtp: std::net::SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
//! #     use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
//! #     let mail = Message::builder().from("Site <no-reply@site.test>".parse()?).to(address.parse()?)
//! #         .subject("Confirm your account").body(String::from("Your verification code is 482913."))?;
//! #     AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.ip().to_string()).port(smtp.port())
//! #         .build().send(mail).await?;
//! #     Ok(())
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mail = otpcatch::LocalServer::start().await?;
//! let mailbox = mail.mailbox().await?;
//! sign_up(mailbox.address(), mail.smtp_addr()).await?; // the code under test sends the email
//! let code = mailbox.code().subject("confirm").await?;
//! assert_eq!(code, "482913");
//! # Ok(())
//! # }
//! ```
//!
//! Against 22.do, the first line becomes `otpcatch::Client::from_env()?`
//! (`OTPCATCH_TOKEN`, and `OTPCATCH_API_URL` for another server), and the
//! rest is the same.
//!
//! # What is in it
//!
//! - [`LocalServer`] and [`Client`] make [`Mailbox`]es: a fresh address each.
//! - [`Mailbox::code`], [`Mailbox::link`], [`Mailbox::message`] and
//!   [`Mailbox::expect_none`] return a [`Wait`]: narrow it by sender,
//!   subject or body and set its timeout, then `.await` it. A bad pattern
//!   is reported when the wait runs, so the chain needs no `?` at each step.
//!   Codes and links are found by the built-in rules.
//! - [`Totp`] makes the RFC 6238 codes of a two-factor step.
//! - The parts, for what the facade does not cover: [`core`] (the API
//!   client and the wait engine), [`rules`] (extraction) and [`server`]
//!   (the local server).

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod facade;
pub mod totp;

pub use facade::error::{Error, Result};
pub use facade::local::LocalServer;
pub use facade::mailbox::{Client, Mailbox};
pub use facade::wait::{AnyMessage, Code, Link, NoMessage, Wait, Wanted};
pub use totp::{Algorithm, Totp, TotpCode, TotpError, TotpSettings};

pub use otpcatch_core as core;
pub use otpcatch_rules as rules;
pub use otpcatch_server as server;
