//! Any bytes as an email: MIME decoding (both the server's and the
//! extractor's) and every built-in rule must neither panic nor hang.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use otpcatch_rules::{RuleSet, input};

static RULES: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::built_in().expect("the built-in rules compile"));

fuzz_target!(|data: &[u8]| {
    otpcatch_server::fuzzing::mime(data);
    let message = input::parse(input::Format::Eml, data);
    let found = RULES.extract(&message);
    if let Some(code) = &found.code {
        assert!(!code.value.is_empty(), "an empty code was reported as found");
    }
    // HTML and text, taken as they are.
    let text = String::from_utf8_lossy(data);
    let _ = RULES.extract(&input::parse(input::Format::Html, text.as_bytes()));
    let _ = RULES.extract(&input::parse(input::Format::Text, text.as_bytes()));
});
