//! Fits the generic heuristic's weights to the corpus and writes
//! `rules/generic.weights.toml`. Run it with `scripts/fit-weights`.
//!
//! The model is a logistic regression, one for codes and one for links.
//! Its examples are the candidates that may win (something points at them
//! and they are no known decoy) of every email in
//! `crates/otpcatch-rules/tests/corpus/`: a candidate is positive when it
//! is the email's expected value. The weights are fitted by Newton's
//! method with an L2 penalty (so that features the corpus separates
//! perfectly keep finite weights), and the bar is the score threshold
//! that gets the most emails right in the overview.
//!
//! Deterministic: the same corpus gives the same file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use otpcatch_rules::training::{self, Row};
use otpcatch_rules::{RuleSet, input};
use serde::Deserialize;

/// The L2 penalties tried; the one that generalises best (by
/// cross-validation over the emails) is used.
const PENALTIES: [f64; 6] = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0];

/// How many parts the emails are split into for cross-validation.
const FOLDS: usize = 5;

#[derive(Deserialize)]
struct Expected {
    code: Option<String>,
    link: Option<String>,
}

/// One email's eligible candidates, and which of them is right.
#[derive(Clone)]
struct Email {
    name: String,
    rows: Vec<Row>,
    expected: Option<String>,
}

#[expect(clippy::disallowed_methods, reason = "FIT_SHOW and FIT_VERBOSE are the script's debugging switches")]
fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("tests/corpus");
    let output = root.join("../../rules/generic.weights.toml");
    let write = std::env::args().any(|a| a == "--write");
    let rules = RuleSet::built_in().expect("the built-in rules compile");
    let mut emails: [Vec<Email>; 2] = [Vec::new(), Vec::new()];
    for eml in corpus_files(&corpus) {
        let expected: Expected = serde_json::from_str(
            &std::fs::read_to_string(eml.with_extension("expected.json")).expect("every email has its answer"),
        )
        .expect("the answer parses");
        let message = input::from_eml(&std::fs::read(&eml).expect("readable"));
        for (link, wanted) in [(false, expected.code), (true, expected.link)] {
            let rows: Vec<Row> = training::rows(&rules, &message, link).into_iter().filter(|r| r.eligible).collect();
            if std::env::var("FIT_SHOW").is_ok_and(|wanted| eml.to_string_lossy().contains(&wanted)) {
                for row in &rows {
                    eprintln!("{} link={link} {:?} {:?}", eml.display(), row.value, row.features);
                }
            }
            let name = eml.strip_prefix(&corpus).unwrap_or(&eml).display().to_string();
            emails[usize::from(link)].push(Email { name, rows, expected: wanted });
        }
    }
    let mut file = String::from(
        "# The generic heuristic's weights: how much each piece of evidence counts.\n#\n\
         # Written by scripts/fit-weights, which fits a logistic model to the corpus\n\
         # in crates/otpcatch-rules/tests/corpus/. Do not edit by hand: add a corpus\n\
         # email that shows what is missing, and fit again. ARCHITECTURE.md explains\n\
         # the features and the fit.\n",
    );
    for (link, target) in [(false, "code"), (true, "link")] {
        let names = training::feature_names(link);
        let emails = &emails[usize::from(link)];
        let penalty = best_penalty(emails, names.len());
        let (bias, weights) = fit(emails, names.len(), penalty);
        let (bar, right) = best_bar(emails, bias, &weights);
        if std::env::var_os("FIT_VERBOSE").is_some() {
            let score = |r: &Row| sigmoid(bias + r.features.iter().zip(&weights).map(|(x, w)| x * w).sum::<f64>());
            let mut tops: Vec<(f64, &str, &str)> = emails
                .iter()
                .filter_map(|e| {
                    let best = e.rows.iter().max_by(|a, b| score(a).total_cmp(&score(b)))?;
                    let verdict = match &e.expected {
                        None => "none-expected",
                        Some(v) if *v == best.value => "right",
                        Some(_) => "wrong-value",
                    };
                    Some((score(best), verdict, e.name.as_str()))
                })
                .collect();
            tops.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (s, v, n) in tops.iter().filter(|t| t.1 != "right" || t.0 < 0.7) {
                eprintln!("  {target} {s:.3} {v} {n}");
            }
        }
        eprintln!(
            "{target}: {} emails, {} candidates; bar {bar:.3} gets {right} of {} right",
            emails.len(),
            emails.iter().map(|e| e.rows.len()).sum::<usize>(),
            emails.len()
        );
        let _ = write!(
            file,
            "\n# {right} of {} emails right; L2 penalty {penalty} (chosen by {FOLDS}-fold cross-validation).\n\
             [{target}]\nbias = {}\nbar = {}\n\n[{target}.weights]\n",
            emails.len(),
            fmt(bias),
            fmt(bar)
        );
        for (name, weight) in names.iter().zip(&weights) {
            let _ = writeln!(file, "{name} = {}", fmt(*weight));
        }
    }
    if write {
        std::fs::write(&output, &file).expect("rules/generic.weights.toml is writable");
        eprintln!("wrote {}", output.display());
    } else {
        print!("{file}");
    }
}

/// Every `.eml` under `corpus`, in name order.
fn corpus_files(corpus: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus)
        .expect("the corpus exists")
        .flatten()
        .filter(|e| e.path().is_dir())
        .flat_map(|suite| std::fs::read_dir(suite.path()).expect("readable").flatten().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

/// Four significant decimals: enough, and stable across runs.
fn fmt(value: f64) -> String {
    format!("{:.4}", value)
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The penalty to fit with: the largest whose models, each fitted without
/// one fold of the emails and tested on it, get within 0.5% of the best
/// penalty's count right. A larger penalty keeps the weights small, so the
/// model leans on no feature more than the corpus demands and holds up
/// better on mail unlike the corpus; 0.5% is the price paid for that.
fn best_penalty(emails: &[Email], features: usize) -> f64 {
    let mut results = Vec::new();
    for penalty in PENALTIES {
        let mut right = 0;
        for fold in 0..FOLDS {
            let in_fold = |i: usize| i % FOLDS == fold;
            let train: Vec<Email> =
                emails.iter().enumerate().filter(|&(i, _)| !in_fold(i)).map(|(_, e)| e.clone()).collect();
            let test: Vec<Email> =
                emails.iter().enumerate().filter(|&(i, _)| in_fold(i)).map(|(_, e)| e.clone()).collect();
            let (bias, weights) = fit(&train, features, penalty);
            let (bar, _) = best_bar(&train, bias, &weights);
            right += right_at(&test, bias, &weights, bar);
        }
        eprintln!("  penalty {penalty}: {right} of {} right in cross-validation", emails.len());
        results.push((penalty, right));
    }
    let best = results.iter().map(|&(_, right)| right).max().unwrap_or(0);
    let tolerance = (emails.len() / 200).max(1);
    results.iter().rev().find(|&&(_, right)| right + tolerance >= best).map_or(1.0, |&(penalty, _)| penalty)
}

/// The bias and weights that maximise the penalised likelihood, by Newton's method.
fn fit(emails: &[Email], features: usize, penalty: f64) -> (f64, Vec<f64>) {
    let rows: Vec<(&[f64], f64)> = emails
        .iter()
        .flat_map(|e| {
            e.rows.iter().map(move |r| (r.features.as_slice(), f64::from(Some(&r.value) == e.expected.as_ref())))
        })
        .collect();
    let n = features + 1; // the bias is parameter 0
    let mut beta = vec![0.0; n];
    for _ in 0..100 {
        let mut gradient = vec![0.0; n];
        let mut hessian = vec![vec![0.0; n]; n];
        for (x, y) in &rows {
            let xs: Vec<f64> = std::iter::once(1.0).chain(x.iter().copied()).collect();
            let p = sigmoid(xs.iter().zip(&beta).map(|(a, b)| a * b).sum());
            for i in 0..n {
                gradient[i] += (y - p) * xs[i];
                for j in 0..n {
                    hessian[i][j] -= p * (1.0 - p) * xs[i] * xs[j];
                }
            }
        }
        for i in 1..n {
            gradient[i] -= penalty * beta[i];
            hessian[i][i] -= penalty;
        }
        hessian[0][0] -= 1e-6;
        let step = solve(hessian, gradient);
        let mut largest: f64 = 0.0;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b -= s;
            largest = largest.max(s.abs());
        }
        if largest < 1e-9 {
            break;
        }
    }
    (beta[0], beta[1..].to_vec())
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for column in 0..n {
        let pivot = (column..n).max_by(|&i, &j| a[i][column].abs().total_cmp(&a[j][column].abs())).unwrap_or(column);
        a.swap(column, pivot);
        b.swap(column, pivot);
        let lead = a[column][column];
        if lead.abs() < 1e-12 {
            continue;
        }
        let pivot_row = a[column].clone();
        let pivot_b = b[column];
        for (row, b_row) in a.iter_mut().zip(b.iter_mut()).skip(column + 1) {
            let factor = row[column] / lead;
            for (x, p) in row.iter_mut().zip(&pivot_row).skip(column) {
                *x -= factor * p;
            }
            *b_row -= factor * pivot_b;
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let sum: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = if a[row][row].abs() < 1e-12 { 0.0 } else { (b[row] - sum) / a[row][row] };
    }
    x
}

/// How many emails are right when each returns its best-scoring candidate
/// if that reaches `bar`, and nothing otherwise.
fn right_at(emails: &[Email], bias: f64, weights: &[f64], bar: f64) -> usize {
    let score = |r: &Row| sigmoid(bias + r.features.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>());
    emails
        .iter()
        .filter(|e| {
            let best = e.rows.iter().max_by(|a, b| score(a).total_cmp(&score(b)));
            match best {
                Some(r) if score(r) >= bar => Some(&r.value) == e.expected.as_ref(),
                _ => e.expected.is_none(),
            }
        })
        .count()
}

/// The threshold that gets the most emails right, and how many that is.
/// Of equally good thresholds, the one nearest 0.5, even odds.
fn best_bar(emails: &[Email], bias: f64, weights: &[f64]) -> (f64, usize) {
    let score = |r: &Row| sigmoid(bias + r.features.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>());
    let mut tops: Vec<f64> = emails.iter().filter_map(|e| e.rows.iter().map(score).max_by(f64::total_cmp)).collect();
    tops.extend([0.05, 0.95]);
    tops.sort_by(f64::total_cmp);
    let mut best: (f64, usize) = (0.5, right_at(emails, bias, weights, 0.5));
    for window in tops.windows(2) {
        let bar = ((window[0] + window[1]) / 2.0).clamp(0.05, 0.95);
        let right = right_at(emails, bias, weights, bar);
        if right > best.1 || (right == best.1 && (bar - 0.5).abs() < (best.0 - 0.5).abs()) {
            best = (bar, right);
        }
    }
    best
}
