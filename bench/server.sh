#!/usr/bin/env bash
# The local server's speed targets, measured on this machine, as one table:
# ingest rate over 8 SMTP connections, in memory and with --data (every
# message on disk before its 250), time from the end of DATA to the
# message listed by /inbox, and resident memory holding 10,000 messages.
# Usage: bench/server.sh            (builds release binaries first)
#        BIN_DIR=DIR bench/server.sh   (measures the binaries in DIR, such
#                                       as an older build, without building)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BIN_DIR:-}" ]; then
  cargo build --release -q -p otpcatch -p otpcatch-bench
  BIN_DIR=target/release
fi
otpcatch=$BIN_DIR/otpcatch
bench=$BIN_DIR/otpcatch-bench
http=127.0.0.1:18025
smtp=127.0.0.1:12525

server_pid=
data_dir=$(mktemp -d)
start_server() {
  "$otpcatch" -q serve --http "$http" --smtp "$smtp" --api-token bench --qps 1000000 "$@" >/dev/null &
  server_pid=$!
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/12525) 2>/dev/null && return 0
    sleep 0.05
  done
  echo "the server did not start" >&2
  exit 1
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
trap 'stop_server; rm -rf "$data_dir"' EXIT

field() { tr '\t' '\n' | sed -n "s/^$1=//p"; }

start_server
ingest=$("$bench" ingest --smtp "$smtp" --connections 8 --messages 20000)
stop_server

start_server --data "$data_dir/bench.db"
durable=$("$bench" ingest --smtp "$smtp" --connections 8 --messages 20000)
stop_server

start_server
"$bench" ingest --smtp "$smtp" --connections 8 --messages 10000 >/dev/null
rss=$("$bench" rss --pid "$server_pid")
visible=$("$bench" visible --smtp "$smtp" --api "http://$http/api/v2" --token bench --samples 500)
stop_server

echo "| measure | result | target |"
echo "| --- | --- | --- |"
echo "| ingest, 8 connections, $(echo "$ingest" | field avg_size) messages | $(echo "$ingest" | field messages_per_s) messages/s | ≥ 2,000 messages/s |"
echo "| ingest with --data (acknowledged after commit), 8 connections | $(echo "$durable" | field messages_per_s) messages/s | ≥ 5,000 messages/s |"
echo "| end of DATA → listed by /inbox, p50 | $(echo "$visible" | field p50) | ≤ 1 ms |"
echo "| … p90 / p99 | $(echo "$visible" | field p90) / $(echo "$visible" | field p99) | |"
echo "| resident memory holding 10,000 messages | ${rss} MiB | ≤ 100 MB |"
