#!/usr/bin/env bash
# The fleet quota (OTPCATCH_QUOTA_URL): what Redis adds to each request, and
# arrival → code for four machines sharing one account through Redis,
# against the same load on one machine with its file limiter.
# Usage: bench/fleet.sh            (builds release binaries first)
#        BIN_DIR=DIR bench/fleet.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BIN_DIR:-}" ]; then
  cargo build --release -q -p otpcatch -p otpcatch-bench
  BIN_DIR=target/release
fi
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done' EXIT
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; exit 1; }

redis=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis" --save "" --appendonly no >/dev/null &
pids+=("$!")
wait_port "$redis"
serve() { # qps; sets $http and $smtp (in this shell, so that the trap stops it)
  http=$(free_port)
  smtp=$(free_port)
  "$BIN_DIR/otpcatch" -q serve --http "127.0.0.1:$http" --smtp "127.0.0.1:$smtp" --api-token bench --qps "$1" --catch-all >/dev/null &
  pids+=("$!")
  wait_port "$smtp"
}
field() { tr '\t' '\n' | sed -n "s/^$1=//p"; }

serve 1000000
latency=$("$BIN_DIR/otpcatch-bench" quota-latency --smtp "127.0.0.1:$smtp" --api "http://127.0.0.1:$http/api/v2" \
  --token bench --otpcatch "$BIN_DIR/otpcatch" --quota-url "redis://127.0.0.1:$redis/0" --samples 2000)
serve 20
target=(--smtp "127.0.0.1:$smtp" --api "http://127.0.0.1:$http/api/v2" --token bench --otpcatch "$BIN_DIR/otpcatch")
fleet=$("$BIN_DIR/otpcatch-bench" fleet "${target[@]}" --quota-url "redis://127.0.0.1:$redis/0" 2>/dev/null)
one=$("$BIN_DIR/otpcatch-bench" fleet "${target[@]}" --machines 1 --waits 200 --processes 32 2>/dev/null)

echo "| measure | result |"
echo "| --- | --- |"
echo "| one request, file limiter, p50 / p99 | $(echo "$latency" | field file_p50) / $(echo "$latency" | field file_p99) |"
echo "| one request, Redis limiter, p50 / p99 | $(echo "$latency" | field redis_p50) / $(echo "$latency" | field redis_p99) |"
echo "| added by Redis, p50 / p99 | $(echo "$latency" | field added_p50) / $(echo "$latency" | field added_p99) |"
for line in "$fleet" "$one"; do
  name=$(echo "$line" | cut -f2)
  echo "| $name: $(echo "$line" | field waits) waits, delivered / 429s | $(echo "$line" | field delivered) / $(echo "$line" | field 429s) |"
  echo "| $name: end of DATA → code, p50 / p90 / p99 | $(echo "$line" | field p50) / $(echo "$line" | field p90) / $(echo "$line" | field p99) |"
done
