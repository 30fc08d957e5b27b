#!/usr/bin/env bash
# Extraction speed: the criterion benchmark (a 50 KB and a 2 MB HTML email
# through every built-in rule) and whole-process start-up of the binary.
# Usage: bench/extract.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -q -p otpcatch -p otpcatch-bench
otpcatch=target/release/otpcatch
bench=target/release/otpcatch-bench
email=$(mktemp --suffix=.eml)
trap 'rm -f "$email"' EXIT
"$bench" email --size 50000 >"$email"

criterion=$(cargo bench -q -p otpcatch-rules --bench extract -- --warm-up-time 2 --measurement-time 5 2>/dev/null | grep -E "time:")
median() { echo "$criterion" | sed -n "$1p" | sed -E 's/.*\[[^ ]+ [^ ]+ ([^ ]+ [^ ]+) .*/\1/'; }
field() { tr '\t' '\n' | sed -n "s/^$1=//p"; }
extract=$("$bench" exec --runs 300 -- "$otpcatch" extract --file "$email")
help=$("$bench" exec --runs 300 -- "$otpcatch" --help)

echo "| measure | result (median) | target |"
echo "| --- | --- | --- |"
echo "| a 50 KB HTML email through all built-in rules | $(median 1) | ≤ 1 ms |"
echo "| a 2 MB HTML email through all built-in rules | $(median 2) | ≤ 20 ms |"
echo "| loading the built-in rules (once per process; keyword lists compile on first use) | $(median 3) | |"
echo "| \`otpcatch extract\` on a $(wc -c <"$email")-byte email, whole process | $(echo "$extract" | field p50) (p90 $(echo "$extract" | field p90)) | ≤ 15 ms |"
echo "| \`otpcatch --help\`, whole process | $(echo "$help" | field p50) (p90 $(echo "$help" | field p90)) | ≤ 10 ms |"
