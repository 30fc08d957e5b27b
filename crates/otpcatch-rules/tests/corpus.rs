//! The fixture corpus: every `NAME.eml` beside its `NAME.expected.json`,
//! extracted with the built-in rules. Prints a line per email and the
//! precision and recall of codes and links, and fails below the floors.
//!
//! Suites: `generic/` (real-world shapes, languages, charsets, decoys),
//! `senders/` (one per built-in sender rule, which must be the rule that
//! answers), `negatives/` (newsletters, receipts, notices: nothing to find).

use std::path::{Path, PathBuf};

use otpcatch_rules::{RuleSet, input};
use serde_json::Value;

const FLOOR: f64 = 0.95;

#[derive(Default)]
struct Tally {
    expected: usize,
    predicted: usize,
    correct: usize,
}

impl Tally {
    fn add(&mut self, expected: Option<&str>, got: Option<&str>) -> bool {
        self.expected += usize::from(expected.is_some());
        self.predicted += usize::from(got.is_some());
        let right = expected == got;
        self.correct += usize::from(right && got.is_some());
        right
    }

    fn precision(&self) -> f64 {
        if self.predicted == 0 { 1.0 } else { self.correct as f64 / self.predicted as f64 }
    }

    fn recall(&self) -> f64 {
        if self.expected == 0 { 1.0 } else { self.correct as f64 / self.expected as f64 }
    }
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut cases: Vec<PathBuf> = ["generic", "senders", "negatives"]
        .iter()
        .flat_map(|suite| std::fs::read_dir(root.join(suite)).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    cases.sort();
    cases
}

#[test]
fn the_corpus_is_extracted_with_high_precision_and_recall() {
    let rules = RuleSet::built_in().unwrap();
    let (mut codes, mut links) = (Tally::default(), Tally::default());
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 40, "the corpus has {} emails", cases.len());
    for eml in &cases {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(eml.with_extension("expected.json")).unwrap()).unwrap();
        let message = input::from_eml(&std::fs::read(eml).unwrap());
        let found = rules.extract(&message);
        let got_code = found.code.as_ref().map(|f| f.value.as_str());
        let got_link = found.link.as_ref().map(|f| f.value.as_str());
        let code_ok = codes.add(expected["code"].as_str(), got_code);
        let link_ok = links.add(expected["link"].as_str(), got_link);
        let rule_ok = expected["rule"]
            .as_str()
            .is_none_or(|rule| [&found.code, &found.link].iter().filter_map(|f| f.as_ref()).all(|f| f.rule == rule));
        let name = eml.strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap().display().to_string();
        let verdict = if code_ok && link_ok && rule_ok { "ok  " } else { "FAIL" };
        println!("{verdict} {name}: code {got_code:?} link {got_link:?}");
        if !(code_ok && link_ok && rule_ok) {
            failures.push(format!(
                "{name}: expected {expected}, got code {:?} link {:?}; misses {:?}",
                found.code.as_ref().map(|f| (&f.value, &f.rule, &f.reason)),
                found.link.as_ref().map(|f| (&f.value, &f.rule, &f.reason)),
                found.misses
            ));
        }
    }
    println!(
        "codes: precision {:.3} recall {:.3} ({} expected); links: precision {:.3} recall {:.3} ({} expected); {} emails",
        codes.precision(),
        codes.recall(),
        codes.expected,
        links.precision(),
        links.recall(),
        links.expected,
        cases.len()
    );
    for failure in &failures {
        println!("{failure}");
    }
    for (what, value) in [
        ("code precision", codes.precision()),
        ("code recall", codes.recall()),
        ("link precision", links.precision()),
        ("link recall", links.recall()),
    ] {
        assert!(value >= FLOOR, "{what} {value:.3} is below {FLOOR}:\n{}", failures.join("\n"));
    }
}
