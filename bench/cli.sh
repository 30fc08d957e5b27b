#!/usr/bin/env bash
# The CLI's speed targets: a running `otpcatch wait-for-code` prints the
# code within milliseconds of the end of the email's DATA (push),
# and `otpcatch --help` and `otpcatch extract` start fast.
# Usage: bench/cli.sh [SAMPLES]
#        BIN_DIR=DIR bench/cli.sh [SAMPLES]   (measures the binaries in DIR,
#                                              such as an older build)
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-200}

if [ -z "${BIN_DIR:-}" ]; then
  cargo build --release -q -p otpcatch -p otpcatch-bench
  BIN_DIR=$PWD/target/release
fi
otpcatch=$(realpath "$BIN_DIR/otpcatch")
bench=$(realpath "$BIN_DIR/otpcatch-bench")
email=$(mktemp --suffix=.eml)
"$otpcatch" -q serve --http 127.0.0.1:18025 --smtp 127.0.0.1:12525 --api-token bench --qps 1000000 >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$email"' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/12525) 2>/dev/null && break; sleep 0.05; done
"$bench" email --size 50000 >"$email"

field() { tr '\t' '\n' | sed -n "s/^$1=//p"; }
code=$("$bench" code-latency --smtp 127.0.0.1:12525 --api http://127.0.0.1:18025/api/v2 --token bench --otpcatch "$otpcatch" --samples "$samples")
help=$("$bench" exec --runs 300 -- "$otpcatch" --help)
extract=$("$bench" exec --runs 300 -- "$otpcatch" extract --file "$email")

echo "| measure | result | target |"
echo "| --- | --- | --- |"
echo "| end of DATA → \`otpcatch wait-for-code\` prints the code, p50 ($samples samples) | $(echo "$code" | field p50) | ≤ 5 ms |"
echo "| … p90 / p99 | $(echo "$code" | field p90) / $(echo "$code" | field p99) | p99 ≤ 20 ms |"
echo "| \`otpcatch --help\`, whole process, p50 | $(echo "$help" | field p50) | ≤ 10 ms |"
echo "| \`otpcatch extract\` on a 53 KB email, whole process, p50 | $(echo "$extract" | field p50) | ≤ 10 ms |"
