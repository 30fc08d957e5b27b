//! Extraction speed: a typical 50 KB HTML verification email and a 2 MB
//! one, through every built-in rule. Results are in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use otpcatch_rules::{RuleSet, input};

/// A styled HTML verification email of about `size` bytes.
fn email(size: usize) -> Vec<u8> {
    let mut html = String::from(
        "<html><head><style>.btn{background:#22bc66;color:#fff}</style></head><body>\
         <div style=\"display:none\">Your code inside</div><table width=\"100%\"><tr><td>\
         <h1>Confirm your email</h1><p>Your verification code is</p><p style=\"font-size:32px\"><b>481923</b></p>\
         <p>It expires in 10 minutes.</p>\
         <a class=\"btn\" href=\"https://app.example.test/verify?token=abc123&amp;utm_source=email\">Verify email</a>",
    );
    let mut i = 0;
    while html.len() < size {
        html.push_str(&format!(
            "<tr><td><p>Section {i}: set up your workspace, invite your team and keep your account secure. \
             Order #{:06} shipped on 2024-03-{:02}. Call +1 (555) 010-{:04}. \
             <a href=\"https://help.example.test/articles/{i}\">Read more</a></p></td></tr>",
            100_000 + i,
            i % 28 + 1,
            i % 10_000
        ));
        i += 1;
    }
    html.push_str(
        "<p><a href=\"https://app.example.test/unsubscribe\">Unsubscribe</a></p></td></tr></table></body></html>",
    );
    html.into_bytes()
}

fn extract(c: &mut Criterion) {
    let rules = RuleSet::built_in().expect("the built-in rules compile");
    for (name, size) in [("50KB", 50_000), ("2MB", 2_000_000)] {
        let message = input::parse(input::Format::Html, &email(size));
        let found = rules.extract(&message);
        assert_eq!(found.code.as_ref().map(|f| f.value.as_str()), Some("481923"), "{:?}", found.misses);
        c.bench_function(&format!("extract {name} HTML"), |b| b.iter(|| rules.extract(black_box(&message))));
    }
    c.bench_function("compile the built-in rules", |b| b.iter(|| RuleSet::built_in().expect("compiles")));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = extract
}
criterion_main!(benches);
