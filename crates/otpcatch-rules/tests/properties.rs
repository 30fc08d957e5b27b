//! Properties of extraction over generated input.

use otpcatch_rules::{RuleSet, input};
use proptest::prelude::*;

fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| RuleSet::built_in().unwrap())
}

const KEYWORDS: &[&str] = &[
    "Your verification code is",
    "Use this code to sign in:",
    "Votre code de vérification est",
    "Ihr Bestätigungscode lautet:",
    "Tu código de verificación es",
    "Ваш код подтверждения:",
    "您的验证码是",
    "認証コード：",
    "인증번호:",
];

const FILLER: &[&str] = &[
    "Hi there,",
    "Thanks for signing up.",
    "If you did not request this, ignore this email.",
    "Never share this code with anyone.",
    "The Acme team",
    "Need help? Contact support.",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn extraction_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4000)) {
        for format in [input::Format::Eml, input::Format::Html, input::Format::Text, input::Format::Json] {
            let _ = rules().extract(&input::parse(format, &bytes));
        }
    }

    #[test]
    fn extraction_never_panics_on_arbitrary_html_like_text(text in "(<[a-z/!]{0,6}( [a-z]{1,5}=\"[^\"]{0,12}\")?>|[^<]{0,20}|&#?[a-z0-9]{0,5};?){0,80}") {
        let _ = rules().extract(&input::parse(input::Format::Html, text.as_bytes()));
    }

    #[test]
    fn a_code_after_a_keyword_in_a_random_template_is_found(
        code in 100_000u32..999_999,
        keyword in proptest::sample::select(KEYWORDS),
        before in proptest::collection::vec(proptest::sample::select(FILLER), 0..4),
        after in proptest::collection::vec(proptest::sample::select(FILLER), 0..4),
        html in any::<bool>(),
    ) {
        let body = if html {
            format!("<html><body>{}<p>{keyword} <b>{code}</b></p>{}</body></html>",
                before.iter().map(|l| format!("<p>{l}</p>")).collect::<String>(),
                after.iter().map(|l| format!("<p>{l}</p>")).collect::<String>())
        } else {
            format!("{}\n{keyword} {code}\n{}", before.join("\n"), after.join("\n"))
        };
        let format = if html { input::Format::Html } else { input::Format::Text };
        let found = rules().extract(&input::parse(format, body.as_bytes()));
        prop_assert_eq!(found.code.map(|f| f.value), Some(code.to_string()));
    }

    #[test]
    fn a_template_without_a_code_yields_nothing(
        lines in proptest::collection::vec(proptest::sample::select(FILLER), 1..8),
        order in 10_000u32..99_999,
        year in 1990u32..2040,
    ) {
        let body = format!("{}\nOrder #{order} was placed in {year}.\nCall +1 (555) 010-{:04}.", lines.join("\n"), order % 10_000);
        let found = rules().extract(&input::parse(input::Format::Text, body.as_bytes()));
        prop_assert!(found.code.is_none(), "{:?}", found.code);
    }
}
