//! Tokens, passwords and Bearers never appear in output or logs, even at
//! the most verbose level and on the error paths.

use crate::util::{Served, otpcatch};

const TOKEN: &str = "s3cret-token-e2e-0123456789abcdef";

/// A command line and the environment it runs with.
type Run<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>);

#[test]
fn no_secret_appears_in_any_output_at_any_verbosity() {
    let served = Served::start(&["--api-token", TOKEN, "--user", "owner@otpcatch.test:hunter2-password"]);
    let cache = tempfile::tempdir().unwrap();
    let runs: Vec<Run<'_>> = vec![
        (vec!["-vvv", "new-address"], vec![("OTPCATCH_TOKEN", TOKEN)]),
        (vec!["-vvv", "domains"], vec![("OTPCATCH_TOKEN", TOKEN)]),
        (
            vec!["-vvv", "wait-for-code", "--address", "nobody@otpcatch.test", "--timeout", "1s"],
            vec![("OTPCATCH_TOKEN", TOKEN)],
        ),
        (
            vec!["-vvv", "domains"],
            vec![("OTPCATCH_ADDRESS", "owner@otpcatch.test"), ("OTPCATCH_PASSWORD", "hunter2-password")],
        ),
        (
            vec!["-vvv", "domains"],
            vec![("OTPCATCH_ADDRESS", "owner@otpcatch.test"), ("OTPCATCH_PASSWORD", "wrong-hunter3-password")],
        ),
        (vec!["-vvv", "domains"], vec![("OTPCATCH_TOKEN", "wrong-s3cret-token-value")]),
        (vec!["-vvv", "--help"], vec![("OTPCATCH_TOKEN", TOKEN)]),
    ];
    let mut bearers_seen = 0;
    for (args, env) in runs {
        let mut command = otpcatch();
        command.args(&args).env("OTPCATCH_API_URL", &served.api_url).env("OTPCATCH_CACHE_DIR", cache.path());
        for (key, value) in &env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        let all = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        for secret in [TOKEN, "hunter2-password", "wrong-hunter3-password", "wrong-s3cret-token-value"] {
            assert!(!all.contains(secret), "{args:?} printed a secret:\n{all}");
        }
        // The Bearer the server issued is in the 0600 cache file, never in output.
        for entry in std::fs::read_dir(cache.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().to_string_lossy().starts_with("bearer-") {
                let cached = std::fs::read_to_string(&path).unwrap();
                if let Some(bearer) = cached.split('"').nth(3).filter(|b| b.len() > 20) {
                    bearers_seen += 1;
                    assert!(!all.contains(bearer), "{args:?} printed the Bearer");
                }
            }
        }
    }
    assert!(bearers_seen > 0, "the Bearer check ran");
}

#[test]
fn a_config_file_holding_a_secret_must_be_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/otpcatch");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(&config, format!("api-url = \"http://127.0.0.1:9/api/v2\"\ntoken = \"{TOKEN}\"\n")).unwrap();
    let run = || {
        let output = otpcatch()
            .args(["wait-for-code", "--address", "a@otpcatch.test", "--timeout", "1s"])
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("OTPCATCH_CACHE_DIR", home.path().join("cache"))
            .output()
            .unwrap();
        String::from_utf8(output.stderr).unwrap()
    };
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let loose = run();
    assert!(loose.contains("other users can read it") && loose.contains("chmod 600"), "{loose}");
    assert!(!loose.contains(TOKEN), "{loose}");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let private = run();
    assert!(!private.contains("other users can read it"), "{private}");
    assert!(!private.contains(TOKEN), "{private}");
}
