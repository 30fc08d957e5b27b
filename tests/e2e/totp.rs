//! `otpcatch totp`: RFC 6238 codes for the two-factor step.

use std::io::Write;
use std::process::Stdio;

use crate::util::otpcatch;

/// RFC 6238's SHA-1 seed, "12345678901234567890", in base32.
const RFC_SHA1_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// Runs `otpcatch totp ARGS` with `stdin`, and returns its exit code, stdout and stderr.
fn totp(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = otpcatch()
        .arg("totp")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.code().unwrap(), text(output.stdout), text(output.stderr))
}

#[test]
fn the_code_of_a_moment_matches_rfc_6238() {
    assert_eq!(totp(&[RFC_SHA1_SECRET, "--digits", "8", "--at", "59"], ""), (0, "94287082\n".into(), String::new()));
    let (code, stdout, _) = totp(&[RFC_SHA1_SECRET, "--digits", "8", "--at", "1111111109", "--json"], "");
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["code"], "07081804");
    assert_eq!((json["valid_from"].as_u64(), json["valid_until"].as_u64()), (Some(1_111_111_080), Some(1_111_111_110)));
    assert_eq!(json["period"], 30);
}

#[test]
fn a_uri_on_stdin_gives_its_own_settings() {
    // RFC 6238's SHA-256 seed, 32 bytes.
    let uri = "otpauth://totp/Site:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&digits=8&algorithm=SHA256\n";
    assert_eq!(totp(&["-", "--at", "59"], uri), (0, "46119246\n".into(), String::new()));
    // A flag overrides the URI.
    assert_eq!(totp(&["-", "--at", "59", "--digits", "6"], uri).1, "119246\n");
}

#[test]
fn the_current_code_has_the_digits_asked_for() {
    let (code, stdout, _) = totp(&["-"], "jbsw y3dp ehpk 3pxp\n");
    assert_eq!(code, 0);
    assert!(stdout.trim_end().len() == 6 && stdout.trim_end().bytes().all(|b| b.is_ascii_digit()), "{stdout:?}");
}

#[test]
fn a_bad_secret_is_a_usage_error_that_does_not_echo_it() {
    let (code, stdout, stderr) = totp(&["-"], "otpauth://totp/x?secret=NOT!BASE32SECRET\n");
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("not base32") && !stderr.contains("NOT!BASE32SECRET"), "{stderr}");
    let (code, _, stderr) = totp(&[RFC_SHA1_SECRET, "--algorithm", "MD5"], "");
    assert_eq!(code, 2);
    assert!(stderr.contains("SHA1, SHA256 or SHA512"), "{stderr}");
    let (code, _, stderr) = totp(&[RFC_SHA1_SECRET, "--at", "59", "--fresh", "5s"], "");
    assert_eq!(code, 2, "{stderr}");
}
