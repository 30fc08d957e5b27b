#!/usr/bin/env bash
# The web inbox on a mailbox of 10,000 messages: how long the page of the
# newest 100 takes to list (GET /ui/api/messages, from curl), and the
# first paint of the signed-in page opened on that mailbox, in headless
# Chromium (bench/inbox-paint.mjs, with tests/web's playwright-core).
# Usage: bench/inbox.sh            (builds release binaries first)
#        BIN_DIR=DIR bench/inbox.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BIN_DIR:-}" ]; then
  cargo build --release -q -p otpcatch -p otpcatch-bench
  BIN_DIR=target/release
fi
(cd tests/web && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error)
http=127.0.0.1:18035
smtp=127.0.0.1:12535
"$BIN_DIR/otpcatch" -q serve --http "$http" --smtp "$smtp" --api-token bench --qps 1000000 --catch-all >/dev/null &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/12535) 2>/dev/null && break; sleep 0.05; done

# One connection: every message goes to load0@otpcatch.test.
"$BIN_DIR/otpcatch-bench" ingest --smtp "$smtp" --connections 1 --messages 10000 --size 5000 >/dev/null
bearer=$(curl -s -X POST "http://$http/api/v2/token" -H 'content-type: application/json' -d '{"token":"bench"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["Bearer"])')
list_ms=$(for _ in $(seq 50); do
  curl -s -o /dev/null -w '%{time_total}\n' -H "authorization: Bearer $bearer" \
    "http://$http/ui/api/messages?mailbox=load0@otpcatch.test"
done | sort -n | sed -n 25p | awk '{ printf "%.1f", $1 * 1000 }')
paint=$(node bench/inbox-paint.mjs "http://$http/" bench load0@otpcatch.test 20)
field() { tr '\t' '\n' | sed -n "s/^$1=//p"; }

echo "| measure (a mailbox of 10,000 messages) | result | target |"
echo "| --- | --- | --- |"
echo "| GET /ui/api/messages, the newest 100, p50 of 50 | ${list_ms} ms | |"
echo "| first paint of the signed-in page on that mailbox, p50 / p90 of 20 | $(echo "$paint" | field p50) / $(echo "$paint" | field p90) | < 200 ms |"
