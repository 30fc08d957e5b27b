#!/usr/bin/env bash
# The quota under parallel load: against `otpcatch serve --qps 20`, 200
# concurrent waits in one process and 16 concurrent `otpcatch wait-for-code`
# processes, each for a message sent at a random moment within 20 s.
# Reports 429s received (target 0), codes delivered (target all) and the
# time from arrival to code.
# Usage: bench/quota.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -q -p otpcatch -p otpcatch-bench
otpcatch=$PWD/target/release/otpcatch
"$otpcatch" -q serve --http 127.0.0.1:18026 --smtp 127.0.0.1:12526 --api-token bench --qps 20 --catch-all >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/12526) 2>/dev/null && break; sleep 0.05; done
target/release/otpcatch-bench quota --smtp 127.0.0.1:12526 --api http://127.0.0.1:18026/api/v2 --token bench \
  --otpcatch "$otpcatch" --waits 200 --processes 16 --spread 20
