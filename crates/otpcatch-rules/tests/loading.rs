//! Loading and compiling rule files: errors name the file, line, column
//! and what is wrong; user rules replace built-ins; patterns cannot hang.

use std::path::{Path, PathBuf};

use otpcatch_rules::{Origin, RuleErrorKind, RuleSet, check, input};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn html(body: &str) -> otpcatch_core::Message {
    input::parse(input::Format::Html, body.as_bytes())
}

#[test]
fn every_built_in_rule_compiles_and_is_listed_generic_last() {
    let rules = RuleSet::built_in().unwrap();
    let listed = rules.rules();
    assert_eq!(listed.len(), otpcatch_rules::BUILT_IN.len());
    assert!(listed.len() >= 13);
    assert_eq!(listed.last().unwrap().name, "generic");
    assert!(listed.iter().all(|r| r.origin == Origin::BuiltIn && !r.description.is_empty()));
}

#[test]
fn invalid_toml_is_reported_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "broken.toml", "name = \"x\"\n[[code]\nkind = \"regex\"\n");
    let err = check(&file).unwrap_err();
    assert_eq!(err.position.map(|p| p.0), Some(2), "{err}");
    assert!(err.to_string().starts_with(&format!("{}:2:", file.display())), "{err}");
}

#[test]
fn an_unknown_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "typo.toml", "name = \"x\"\n\n[[code]]\nkind = \"regex\"\npatern = '\\d+'\n");
    let err = check(&file).unwrap_err();
    assert_eq!(err.kind, RuleErrorKind::Syntax);
    assert!(err.message.contains("unknown field `patern`"), "the typo is named: {err}");
    assert_eq!(err.position.map(|p| p.0), Some(5), "{err}");
}

#[test]
fn a_bad_regex_names_the_extractor_and_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "bad.toml",
        "name = \"x\"\n[[code]]\nkind = \"regex\"\npattern = 'a'\n[[code]]\nkind = \"regex\"\npattern = '(unclosed'\n",
    );
    let err = check(&file).unwrap_err();
    assert_eq!(err.location.as_deref(), Some("[[code]] 2"), "{err}");
    assert_eq!(err.position, Some((7, 11)), "{err}");
    assert_eq!(err.kind, RuleErrorKind::Pattern, "{err}");
}

#[test]
fn a_bad_selector_and_a_missing_pattern_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "css.toml", "name = \"x\"\n[[link]]\nkind = \"css\"\nselector = 'a[[##'\n");
    let err = check(&file).unwrap_err();
    assert_eq!(err.kind, RuleErrorKind::Selector, "{err}");
    assert_eq!(err.location.as_deref(), Some("[[link]] 1"));
    let file = write(dir.path(), "empty.toml", "name = \"x\"\n[[code]]\nkind = \"fancy\"\n");
    let err = check(&file).unwrap_err();
    assert_eq!(err.kind, RuleErrorKind::Incomplete);
    assert!(err.message.contains("needs `pattern`"), "says what is missing: {err}");
    let file = write(dir.path(), "nothing.toml", "name = \"x\"\n");
    assert_eq!(check(&file).unwrap_err().kind, RuleErrorKind::Incomplete);
}

#[test]
fn a_user_rule_replaces_a_built_in_of_the_same_name_and_runs_first_when_it_matches() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "acme.toml",
        "name = \"acme\"\ndescription = \"Acme\"\n[match]\nsender = 'acme\\.test'\n[[code]]\nkind = \"regex\"\nsource = \"rendered\"\npattern = 'ref (?P<code>\\d{5})'\n",
    );
    write(dir.path(), "slack.toml", "name = \"slack\"\n[[code]]\nkind = \"regex\"\npattern = 'never'\n");
    let rules = RuleSet::with_dir(Some(dir.path())).unwrap();
    let listed = rules.rules();
    assert_eq!(listed.iter().filter(|r| r.name == "slack").count(), 1);
    assert!(matches!(&listed.iter().find(|r| r.name == "slack").unwrap().origin, Origin::File(_)));
    let mut message = html("<p>Your verification code is 111222, ref 55555</p>");
    message.from = "Acme <no-reply@acme.test>".into();
    let found = rules.extract(&message).code.unwrap();
    assert_eq!((found.value.as_str(), found.rule.as_str()), ("55555", "acme"));
    message.from = "Other <x@other.test>".into();
    assert_eq!(rules.extract(&message).code.unwrap().value, "111222", "the generic rule for other senders");
}

#[test]
fn a_pathological_fancy_pattern_stops_at_its_backtrack_limit() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "slow.toml",
        "name = \"slow\"\n[[code]]\nkind = \"fancy\"\nsource = \"text\"\nbacktrack-limit = 10000\npattern = '^(a|aa)+(?!a)b'\n",
    );
    let mut rules = RuleSet::built_in().unwrap();
    rules.add_file(&file).unwrap();
    let message = input::parse(input::Format::Text, "a".repeat(40).as_bytes());
    let started = std::time::Instant::now();
    let extraction = rules.extract_by("slow", &message).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(extraction.code.is_none());
    assert!(extraction.misses.iter().any(|m| m.contains("exceeded its backtrack limit")), "{:?}", extraction.misses);
}

#[test]
fn a_fancy_pattern_quadratic_across_positions_is_stopped_by_its_time_budget() {
    // Each position costs a scan to the end of the text and no backtrack:
    // only a budget over the whole search stops it.
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "slow.toml",
        "name = \"slow\"\n[[code]]\nkind = \"fancy\"\nsource = \"text\"\npattern = '(?<=a)(a+)+b'\n",
    );
    let mut rules = RuleSet::built_in().unwrap();
    rules.add_file(&file).unwrap();
    let message = input::parse(input::Format::Text, format!("{}!", "a".repeat(100_000)).as_bytes());
    let extraction = rules.extract_by("slow", &message).unwrap();
    assert!(extraction.code.is_none());
    assert!(extraction.misses.iter().any(|m| m.contains("was stopped after 1s")), "{:?}", extraction.misses);
    // The same pattern still finds a match where there is one.
    let message = input::parse(input::Format::Text, b"xaaab and more");
    assert_eq!(rules.extract_by("slow", &message).unwrap().code.map(|c| c.value).as_deref(), Some("aa"));
}

#[test]
fn css_extractors_take_attributes_or_text_narrowed_by_a_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "css.toml",
        "name = \"css\"\n[[code]]\nkind = \"css\"\nselector = 'td.code'\npattern = '(\\d{3} \\d{3})'\n[[link]]\nkind = \"css\"\nselector = 'a.verify'\nattribute = \"href\"\n",
    );
    let mut rules = RuleSet::built_in().unwrap();
    rules.add_file(&file).unwrap();
    let message = html(
        "<table><tr><td class=code>Code: 123 456</td></tr></table><a class=verify href=\"https://x.test/v?a=1&amp;b=2\">go</a>",
    );
    let found = rules.extract_by("css", &message).unwrap();
    assert_eq!(found.code.unwrap().value, "123456", "spaces stripped from codes");
    assert_eq!(found.link.unwrap().value, "https://x.test/v?a=1&b=2");
}

#[test]
fn every_answer_says_which_rule_and_why() {
    let rules = RuleSet::built_in().unwrap();
    let found = rules.extract(&html("<h1>Your verification code</h1><p>482913</p>")).code.unwrap();
    assert_eq!((found.rule.as_str(), found.extractor.as_str()), ("generic", "code[1]"));
    assert!(found.reason.contains("score") && found.reason.contains("verification code"), "{}", found.reason);
    assert!(found.context.contains("[482913]"), "{}", found.context);
    let nothing = rules.extract(&html("<p>Thanks for your order of 3 items.</p>"));
    assert!(nothing.code.is_none() && nothing.link.is_none());
    assert!(!nothing.misses.is_empty(), "an empty answer has a reason");
}

#[test]
fn binary_garbage_yields_nothing() {
    let rules = RuleSet::built_in().unwrap();
    let garbage: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for format in [input::Format::Eml, input::Format::Html, input::Format::Text, input::Format::Json] {
        let extraction = rules.extract(&input::parse(format, &garbage));
        assert!(extraction.code.is_none(), "{format:?}: {:?}", extraction.code);
    }
}

#[test]
fn input_formats_are_detected() {
    assert_eq!(input::Format::detect(Some("a.eml"), b""), input::Format::Eml);
    assert_eq!(input::Format::detect(None, b"{\"code\":200}"), input::Format::Json);
    assert_eq!(input::Format::detect(None, b"  <html>"), input::Format::Html);
    assert_eq!(input::Format::detect(None, b"From: a@b.test\r\nSubject: x\r\n\r\nhi"), input::Format::Eml);
    assert_eq!(input::Format::detect(None, b"just text"), input::Format::Text);
    let detail = r#"{"code":200,"status":true,"msg":"success","data":{"time":1,"subject":"s","body":"code 123456","html":"","from":"f","to":"t","tos":[],"messageId":"m","expireTime":2}}"#;
    let message = input::parse(input::Format::Json, detail.as_bytes());
    assert_eq!((message.subject.as_str(), message.text.as_str()), ("s", "code 123456"));
}

#[test]
fn a_rule_given_as_text_is_used_and_named_by_its_label() {
    let mut rules = RuleSet::built_in().unwrap();
    rules
        .add_toml(
            "myshop rule",
            "name = \"myshop\"\ndescription = \"MyShop order codes\"\n\n[match]\nsender = 'myshop\\.test'\n\n\
             [[code]]\nkind = \"regex\"\nsource = \"text\"\npattern = 'Order code: (?P<code>[A-Z]{3}-[0-9]{3})'\n",
        )
        .unwrap();
    let mut message = html("<p>Order code: ABC-123. Your verification code is 998877.</p>");
    message.from = "MyShop <no-reply@myshop.test>".to_owned();
    message.text = "Order code: ABC-123. Your verification code is 998877.".to_owned();
    let found = rules.extract_code(&message);
    assert_eq!(
        found.code.map(|c| (c.value, c.rule)),
        Some(("ABC-123".to_owned(), "myshop".to_owned())),
        "the rule wins; a code with letters keeps its printed hyphen"
    );
    let listed = rules.rules().into_iter().find(|r| r.name == "myshop").unwrap();
    assert_eq!(listed.origin, Origin::Text("myshop rule".to_owned()));

    let err = rules.add_toml("broken inline rule", "name = \"x\"\n[[code]\n").unwrap_err();
    assert!(err.to_string().starts_with("broken inline rule:2:"), "{err}");
}

#[test]
fn a_rule_run_by_name_says_when_its_match_would_not_have_chosen_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "acme.toml",
        "name = \"acme\"\n[match]\nsender = '@acme\\.test'\n[[code]]\nkind = \"regex\"\nsource = \"text\"\npattern = 'Code: (?P<code>[0-9]{6})'\n",
    );
    let mut rules = RuleSet::built_in().unwrap();
    rules.add_file(&file).unwrap();
    let mut message = input::parse(input::Format::Text, b"Code: 123456");
    message.from = "no-reply@other.test".into();
    let note = rules.mismatch("acme", &message).unwrap();
    assert!(note.contains("[match] sender '@acme\\.test' does not match \"no-reply@other.test\""), "{note}");
    message.from = "Acme <no-reply@acme.test>".into();
    assert_eq!(rules.mismatch("acme", &message), None);
}

#[test]
fn a_rule_with_thousands_of_extractors_is_refused_where_the_excess_starts() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("name = \"huge\"\n");
    for i in 0..5000 {
        text.push_str(&format!("[[code]]\nkind = \"regex\"\npattern = 'zz{i} (\\d{{6}})'\n"));
    }
    let file = write(dir.path(), "huge.toml", &text);
    let err = RuleSet::built_in().unwrap().add_file(&file).unwrap_err().to_string();
    assert!(err.contains("huge.toml:302:1: [[code]] 101: a rule has at most 100 [[code]] extractors"), "{err}");
}
