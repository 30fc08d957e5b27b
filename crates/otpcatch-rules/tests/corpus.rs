//! Extraction on whole emails, each a hard pass or fail.
//!
//! Two corpora:
//! - the project's own, `tests/corpus/<suite>/NAME.eml` beside
//!   `NAME.expected.json`, written for the project (see
//!   `tests/corpus/README.md`);
//! - emails rendered from the real templates of open-source projects, read
//!   from `../shared/corpus/real-templates` where that directory exists (it
//!   is not part of the repository: its text belongs to those projects).
//!
//! Every email must give exactly the expected code and link in the
//! overview (`RuleSet::extract`, the stricter bar), and the expected value
//! again when it is asked for (`extract_code`, `extract_link`). An email
//! that is known to fail is listed, with the reason, in
//! `tests/corpus/known-misses.toml`; it must still fail (so the list stays
//! true), and the list may hold at most 2% of each corpus.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use otpcatch_rules::{RuleSet, input};
use serde::Deserialize;

/// An email's expected answer.
#[derive(Debug, Deserialize)]
struct Expected {
    code: Option<String>,
    link: Option<String>,
    /// The built-in rule that must answer, for sender rules.
    #[serde(default)]
    rule: Option<String>,
}

/// `tests/corpus/known-misses.toml`: email name → why it fails.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct KnownMisses {
    #[serde(default)]
    own: BTreeMap<String, String>,
    #[serde(default)]
    real_templates: BTreeMap<String, String>,
}

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn known_misses() -> KnownMisses {
    let text = std::fs::read_to_string(corpus_root().join("known-misses.toml")).expect("known-misses.toml exists");
    toml::from_str(&text).expect("known-misses.toml parses")
}

/// Checks one email; `Err` says what went wrong.
fn check(rules: &RuleSet, eml: &[u8], expected: &Expected) -> Result<(), String> {
    let message = input::from_eml(eml);
    let found = rules.extract(&message);
    let code = found.code.as_ref().map(|f| f.value.as_str());
    let link = found.link.as_ref().map(|f| f.value.as_str());
    let mut problems = Vec::new();
    if code != expected.code.as_deref() {
        problems.push(format!(
            "code: expected {:?}, got {code:?} ({})",
            expected.code,
            found.code.as_ref().map_or_else(|| found.misses.join("; "), |f| f.reason.clone())
        ));
    }
    if link != expected.link.as_deref() {
        problems.push(format!(
            "link: expected {:?}, got {link:?} ({})",
            expected.link,
            found.link.as_ref().map_or_else(|| found.misses.join("; "), |f| f.reason.clone())
        ));
    }
    if let Some(rule) = &expected.rule {
        for f in [&found.code, &found.link].into_iter().flatten() {
            if &f.rule != rule {
                problems.push(format!("{:?} was found by rule {:?}, not {rule:?}", f.value, f.rule));
            }
        }
    }
    // Asking for a value must not lose it.
    if let Some(code) = &expected.code {
        let asked = rules.extract_code(&message);
        if asked.code.as_ref().map(|f| &f.value) != Some(code) {
            problems.push(format!("asked for the code: got {:?}", asked.code.map(|f| f.value)));
        }
    }
    if let Some(link) = &expected.link {
        let asked = rules.extract_link(&message);
        if asked.link.as_ref().map(|f| &f.value) != Some(link) {
            problems.push(format!("asked for the link: got {:?}", asked.link.map(|f| f.value)));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n    ")) }
}

/// Runs `cases` (name, eml, expected) against the known misses of their corpus.
fn run(corpus: &str, cases: Vec<(String, Vec<u8>, Expected)>, known: &BTreeMap<String, String>) {
    let rules = RuleSet::built_in().unwrap();
    let mut failures = Vec::new();
    let mut fixed = Vec::new();
    for (name, eml, expected) in &cases {
        let outcome = check(&rules, eml, expected);
        match (outcome, known.get(name)) {
            (Ok(()), None) => println!("ok   {name}"),
            (Ok(()), Some(_)) => fixed.push(name.clone()),
            (Err(why), Some(reason)) => println!("miss {name} (known: {reason})\n    {why}"),
            (Err(why), None) => failures.push(format!("{name}\n    {why}")),
        }
    }
    for name in known.keys() {
        assert!(cases.iter().any(|(n, ..)| n == name), "known-misses.toml lists {name}, which is not in {corpus}");
    }
    let allowed = cases.len() / 50; // 2%
    println!("{corpus}: {} emails, {} failed, {} known misses", cases.len(), failures.len(), known.len());
    assert!(
        failures.is_empty(),
        "{} of {} {corpus} emails failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(fixed.is_empty(), "these {corpus} emails now pass: take them off known-misses.toml: {fixed:?}");
    assert!(known.len() <= allowed, "{} known misses in {corpus}, more than 2% ({allowed})", known.len());
}

fn expected(path: &Path) -> Expected {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_projects_own_corpus_is_extracted_right() {
    let root = corpus_root();
    let mut cases = Vec::new();
    let mut suites: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    suites.sort();
    for suite in suites {
        let mut emails: Vec<PathBuf> = std::fs::read_dir(&suite)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        emails.sort();
        for eml in emails {
            let name = eml.strip_prefix(&root).unwrap().display().to_string();
            cases.push((name, std::fs::read(&eml).unwrap(), expected(&eml.with_extension("expected.json"))));
        }
    }
    assert!(cases.len() >= 250, "the corpus has {} emails", cases.len());
    run("the project's corpus", cases, &known_misses().own);
}

/// One entry of the real templates' manifest.
#[derive(Debug, Deserialize)]
struct ManifestEntry {
    file: String,
    code: Option<String>,
    link: Option<String>,
}

#[test]
fn emails_from_real_projects_templates_are_extracted_right() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real-templates");
    let Ok(manifest) = std::fs::read_to_string(root.join("manifest.json")) else {
        println!("skipped: {} is not here", root.display());
        return;
    };
    let manifest: Vec<ManifestEntry> = serde_json::from_str(&manifest).expect("the manifest parses");
    let cases = manifest
        .into_iter()
        .map(|entry| {
            let eml = std::fs::read(root.join(&entry.file)).unwrap_or_else(|e| panic!("{}: {e}", entry.file));
            (entry.file, eml, Expected { code: entry.code, link: entry.link, rule: None })
        })
        .collect();
    run("the real templates", cases, &known_misses().real_templates);
}
