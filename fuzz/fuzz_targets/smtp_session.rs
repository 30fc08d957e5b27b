//! Any bytes from an SMTP client: the session answers with well-formed
//! replies, never panics, and decodes whatever it accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| otpcatch_server::fuzzing::smtp_session(data));
