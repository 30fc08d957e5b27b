//! `otpcatch extract` and `otpcatch rules`: stdout carries only the value,
//! errors and reasons go to stderr, exit codes are the documented ones.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use crate::util::otpcatch;

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../otpcatch-rules/tests/corpus").join(name)
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let output = otpcatch().args(args).env("OTPCATCH_RULES_DIR", crate::util::no_user_rules()).output().unwrap();
    (output.status.code(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

#[test]
fn the_code_and_the_link_are_printed_alone() {
    let eml = corpus("generic/code_and_link.eml");
    let (code, stdout, stderr) = run(&["extract", "--file", eml.to_str().unwrap()]);
    assert_eq!((code, stdout.as_str()), (Some(0), "135790\n"), "{stderr}");
    let (code, stdout, _) = run(&["extract", "--link", "--file", eml.to_str().unwrap()]);
    assert_eq!((code, stdout.as_str()), (Some(0), "https://acme.test/verify?code=135790&uid=7\n"));
}

#[test]
fn json_has_nulls_for_what_was_not_found_and_says_why() {
    let eml = corpus("generic/en_basic.eml");
    let (code, stdout, _) = run(&["extract", "--json", "--file", eml.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["code"], "482913");
    assert!(json["link"].is_null());
    assert_eq!(json["rule"], "generic");
    assert!(json["reason"].as_str().unwrap().contains("verification code"), "{json}");
}

#[test]
fn stdin_is_read_with_a_dash() {
    let mut child =
        otpcatch().args(["extract", "--file", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"<p>Your login code: <b>246 810</b></p>").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "246810\n");
}

#[test]
fn nothing_found_exits_4_with_the_reasons_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect::<Vec<_>>()).unwrap();
    let (code, stdout, stderr) = run(&["extract", "--file", garbage.to_str().unwrap()]);
    assert_eq!(code, Some(4));
    assert!(stdout.is_empty());
    assert!(stderr.contains("no code found") && stderr.contains("hint:"), "{stderr}");
    let newsletter = corpus("negatives/newsletter.eml");
    assert_eq!(run(&["extract", "--file", newsletter.to_str().unwrap()]).0, Some(4));
}

#[test]
fn usage_errors_exit_2() {
    let eml = corpus("generic/en_basic.eml");
    let (code, _, stderr) = run(&["extract", "--rule", "no-such-rule", "--file", eml.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no rule named \"no-such-rule\""), "{stderr}");
    assert_eq!(run(&["extract", "--file", "/nonexistent/email.eml"]).0, Some(2));
}

#[test]
fn rules_are_listed_checked_and_tried() {
    let (code, stdout, _) = run(&["rules", "list"]);
    assert_eq!(code, Some(0));
    let names: Vec<&str> = stdout.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert!(names.len() >= 13 && names.contains(&"auth0") && names.last() == Some(&"generic"), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "name = \"acme\"\n[[code]]\nkind = \"regex\"\npattern = 'ACME-(?P<code>\\d{4})'\n").unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"bad\"\n[[code]]\nkind = \"regex\"\npattern = '(('\n").unwrap();
    let (code, stdout, _) = run(&["rules", "check", good.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert!(stdout.starts_with("ok\t"));
    let (code, _, stderr) = run(&["rules", "check", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains(&format!("{}:4:11: [[code]] 1: invalid pattern", bad.display())), "{stderr}");

    let email = dir.path().join("mail.txt");
    std::fs::write(&email, "Your Acme token is ACME-4821.").unwrap();
    let (code, stdout, _) = run(&["rules", "test", good.to_str().unwrap(), "--email", email.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!((json["code"].as_str(), json["rule"].as_str()), (Some("4821"), Some("acme")));
}

#[test]
fn a_user_rules_directory_is_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("generic.toml"),
        "name = \"generic\"\n[[code]]\nkind = \"regex\"\npattern = 'PIN=(\\d+)'\n[generic]\ncode-keywords = [\"pin\"]\n",
    )
    .unwrap();
    let email = dir.path().join("mail.txt");
    std::fs::write(&email, "PIN=777 and your verification code is 123456").unwrap();
    let output = otpcatch()
        .args(["extract", "--file", email.to_str().unwrap()])
        .env("OTPCATCH_RULES_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "777\n", "the user's generic replaced the built-in");
}

#[test]
fn extraction_never_fetches_what_an_email_points_to() {
    // Every kind of remote reference an HTML email can carry, all aimed at
    // a listener of ours: extraction must not connect to any of them.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let html = format!(
        "<html><head><link rel=\"stylesheet\" href=\"{origin}/style.css\">\
         <style>@import url({origin}/import.css); body {{ background: url({origin}/bg.png) }}</style>\
         <script src=\"{origin}/script.js\"></script><meta http-equiv=\"refresh\" content=\"0; url={origin}/refresh\">\
         </head><body background=\"{origin}/body.png\"><img src=\"{origin}/pixel.gif\" srcset=\"{origin}/2x.gif 2x\">\
         <iframe src=\"{origin}/frame\"></iframe><object data=\"{origin}/object\"></object>\
         <video poster=\"{origin}/poster.jpg\"><source src=\"{origin}/video.mp4\"></video>\
         <p>Your verification code is <b>552211</b>.</p>\
         <a href=\"{origin}/verify?token=abc\">Verify your email</a></body></html>"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("remote.html");
    std::fs::write(&file, html).unwrap();
    let file = file.to_str().unwrap();
    let (code, stdout, stderr) = run(&["extract", "--file", file]);
    assert_eq!((code, stdout.as_str()), (Some(0), "552211\n"), "{stderr}");
    let (code, stdout, _) = run(&["extract", "--json", "--file", file]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains(&format!("{origin}/verify?token=abc")), "the link is reported, not followed: {stdout}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("extraction connected to a URL in the email (from {peer})"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_result_that_cannot_be_written_is_an_error_and_a_closed_pipe_is_not() {
    let eml = corpus("generic/code_and_link.eml");
    // A full disk: the code was found, but the script reading stdout gets nothing.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = otpcatch().args(["extract", "--file", eml.to_str().unwrap()]).stdout(full).output().unwrap();
    assert_eq!(output.status.code(), Some(7), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("could not write the result to stdout"));
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let output = otpcatch().args(["completions", "bash"]).stdout(full).output().unwrap();
    assert_eq!(output.status.code(), Some(7), "{}", String::from_utf8_lossy(&output.stderr));

    // A reader that stopped reading (`| head -0`) wanted no more.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = otpcatch().args(["completions", "bash"]).stdout(writer).status().unwrap();
    assert_eq!(status.code(), Some(0), "a broken pipe is not a failure and not a panic");
}

#[test]
fn a_rules_directory_named_explicitly_must_exist() {
    let (code, stdout, stderr) = run(&["rules", "list", "--rules-dir", "/nonexistent/otpcatch-rules"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("/nonexistent/otpcatch-rules (--rules-dir) does not exist"), "{stderr}");
    let output =
        otpcatch().args(["rules", "list"]).env("OTPCATCH_RULES_DIR", "/nonexistent/otpcatch-rules").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("(OTPCATCH_RULES_DIR) does not exist"));
}

#[test]
fn rules_check_reports_every_bad_file_of_a_directory_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), "name = \"a\"\n").unwrap();
    std::fs::write(
        dir.path().join("b.toml"),
        "name = \"b\"\n[[code]]\nkind = \"css\"\nsource = \"text\"\nselector = \"b\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("c.toml"), "name = \"c\"\n[[code]]\nkind = \"css\"\nselector = \"a[=x]\"\n")
        .unwrap();
    let (code, _, stderr) = run(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(2));
    for expected in [
        "a.toml:1:8: the rule has no [[code]] or [[link]] extractor",
        "b.toml:2:1: [[code]] 1: a css extractor reads the html source",
        "c.toml:4:12: [[code]] 1: invalid selector: no qualified name in attribute selector",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    assert!(!stderr.contains("report this to the developer"), "{stderr}");
}

#[test]
fn an_email_that_is_only_html_and_json_that_is_no_message_are_read_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let email = dir.path().join("saved.eml");
    std::fs::write(&email, "<html><body><p>Your verification code is</p><p><b>4</b><b>8</b><b>1</b><b>9</b><b>2</b><b>3</b></p></body></html>\n").unwrap();
    let (code, stdout, stderr) = run(&["extract", "--file", email.to_str().unwrap()]);
    assert_eq!((code, stdout.as_str()), (Some(0), "481923\n"), "{stderr}");

    let json = dir.path().join("data.json");
    std::fs::write(&json, r#"{"hello": "world", "code": "Your code is 123456"}"#).unwrap();
    let (_, _, stderr) = run(&["extract", "--file", json.to_str().unwrap()]);
    assert!(stderr.contains("is JSON but not a message as the API gives it"), "{stderr}");
}

#[test]
fn a_rule_run_by_name_notes_that_its_match_would_skip_the_email() {
    let dir = tempfile::tempdir().unwrap();
    let rule = dir.path().join("acme.toml");
    std::fs::write(
        &rule,
        "name = \"acme\"\n[match]\nsender = '@acme\\.test'\n[[code]]\nkind = \"regex\"\npattern = 'Code: (?P<code>[0-9]{6})'\n",
    )
    .unwrap();
    let email = dir.path().join("other.eml");
    std::fs::write(&email, "From: x@other.test\r\nSubject: hi\r\n\r\nCode: 123456\r\n").unwrap();
    let (code, stdout, stderr) = run(&["rules", "test", rule.to_str().unwrap(), "--email", email.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("123456"));
    assert!(stderr.contains("note: [match] sender '@acme\\.test' does not match \"x@other.test\""), "{stderr}");
    assert!(stdout.contains("(?P<code>"), "the pattern is shown as written, not lower-cased: {stdout}");
}

/// Runs `extract` on `text` given on stdin.
fn extract_stdin(args: &[&str], text: &str) -> (Option<i32>, String, String) {
    use std::io::Write;
    let mut child = otpcatch()
        .args(["extract", "--file", "-"])
        .args(args)
        .env("OTPCATCH_RULES_DIR", crate::util::no_user_rules())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    (output.status.code(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

#[test]
fn the_sweeps_heuristic_cases_get_the_right_answer() {
    let cases: [(&[&str], &str, Option<&str>); 6] = [
        (&[], "Your old code 111111 is no longer valid. Your new verification code is 222222.", Some("222222")),
        (&["--link"], "Click to verify: https://acme.test/v/abc123?x=1", Some("https://acme.test/v/abc123?x=1")),
        (&[], "Use 582913 to sign in to Acme.", Some("582913")),
        (
            &["--link"],
            "<a href=\"https://acme.test/verify?t=1\nX-Injected: 1\">Verify email</a>",
            Some("https://acme.test/verify?t=1X-Injected:%201"),
        ),
        (&["--link"], "Hello!\nFollow us: https://twitter.com/acme", None),
        (&[], "Enter 2417 Willow Creek Road to verify the delivery address.", None),
    ];
    for (args, text, expected) in cases {
        let (code, stdout, stderr) = extract_stdin(args, text);
        match expected {
            Some(value) => assert_eq!((code, stdout.trim()), (Some(0), value), "{text:?}: {stderr}"),
            None => assert_eq!(code, Some(4), "{text:?} gave {stdout:?}"),
        }
    }
    let ctas: String =
        (0..100).map(|i| format!("<a href=\"https://example.test/verify?token={i}\">Verify email</a><br>\n")).collect();
    let (_, stdout, _) = extract_stdin(&["--link"], &format!("<html><body>{ctas}</body></html>"));
    assert_eq!(stdout, "https://example.test/verify?token=0\n", "of identical calls to action, the first");
    let (_, _, stderr) = extract_stdin(&["--link"], "Hello!\nFollow us: https://twitter.com/acme");
    assert!(stderr.contains("is not an action: twitter.com is a social network"), "{stderr}");
}

#[test]
fn a_miss_in_a_huge_email_says_how_much_was_read() {
    let mut text = "Lorem ipsum dolor sit amet 12345 consectetur. ".repeat(8000);
    text.push_str("\nYour verification code is 481923\n");
    let (code, _, stderr) = extract_stdin(&[], &text);
    assert_eq!(code, Some(4));
    assert!(stderr.contains("scanned the first 256 KiB of the 0.4 MiB text part"), "{stderr}");
}
