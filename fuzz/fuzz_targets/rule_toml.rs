//! Any text as a rule file: it loads or fails with an error that names
//! the file, and a rule that loads runs on a message without panicking.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use otpcatch_rules::{RuleSet, input};

static BUILT_IN: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::built_in().expect("the built-in rules compile"));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut rules = BUILT_IN.clone();
    match rules.add_toml("fuzzed.toml", text) {
        Ok(()) => {
            let message = input::parse(
                input::Format::Eml,
                b"From: a@b.test\r\nSubject: Your code\r\n\r\nYour verification code is 123456 https://b.test/v?t=1\r\n",
            );
            let _ = rules.extract(&message);
        }
        Err(error) => assert!(error.to_string().starts_with("fuzzed.toml"), "{error}"),
    }
});
