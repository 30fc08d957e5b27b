//! The README's examples are tested code: each code block that follows a
//! `<!-- tested: PATH -->` marker must be that file of the repository (or
//! the part of it between the comment lines `README:begin` and `README:end`),
//! and the suites that run those files are in `scripts/test.sh`.

use std::path::Path;

const MARKER: &str = "<!-- tested: ";

/// Whether `line` is the comment `// MARK` or `# MARK`, and nothing else.
fn is_mark(line: &str, mark: &str) -> bool {
    line.trim().trim_start_matches(['/', '#']).trim() == mark
}

/// The part of `source` between its `README:begin` and `README:end`
/// comment lines, or all of it.
fn shown_part(source: &str) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let begin = lines.iter().position(|line| is_mark(line, "README:begin"));
    let end = lines.iter().position(|line| is_mark(line, "README:end"));
    let shown = match (begin, end) {
        (Some(begin), Some(end)) if begin < end => &lines[begin + 1..end],
        _ => &lines[..],
    };
    shown.join("\n").trim_end().to_owned()
}

/// Every `(path, block)` the README marks as tested.
fn marked_blocks(readme: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(path) = line.trim().strip_prefix(MARKER).and_then(|rest| rest.strip_suffix(" -->")) else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(fence.starts_with("```"), "the marker for {path} must be followed by a code block, not {fence:?}");
        let block: Vec<&str> = lines.by_ref().take_while(|line| !line.starts_with("```")).collect();
        blocks.push((path.to_owned(), block.join("\n").trim_end().to_owned()));
    }
    blocks
}

/// Checks the marked blocks of the README at `readme` (from the
/// repository's root), and returns the paths they show.
fn check_readme(root: &Path, readme: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root.join(readme)).unwrap_or_else(|e| panic!("{readme}: {e}"));
    let blocks = marked_blocks(&text);
    for (path, block) in &blocks {
        let source = std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{readme} shows {path}: {e}"));
        assert_eq!(block, &shown_part(&source), "{readme}'s copy of {path} differs from the file");
    }
    blocks.into_iter().map(|(path, _)| path).collect()
}

#[test]
fn every_marked_example_is_the_file_the_tests_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shown = check_readme(&root, "README.md");
    for language in ["packages/npm/", "packages/python/", "examples/rust-test/"] {
        assert!(
            shown.iter().any(|path| path.starts_with(language)),
            "the README shows no tested example from {language}"
        );
    }
    // What npm and PyPI show.
    for (readme, language) in
        [("packages/npm/otpcatch/README.md", "packages/npm/"), ("packages/python/README.md", "packages/python/")]
    {
        let shown = check_readme(&root, readme);
        assert!(shown.iter().any(|path| path.starts_with(language)), "{readme} shows no tested example");
    }
}
