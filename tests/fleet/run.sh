#!/usr/bin/env bash
# A fleet of CI machines on one account, against `otpcatch serve --qps 20`
# and a real redis-server, both on free loopback ports and stopped by PID.
# Four "machines" (cache directories of their own, so the file lock cannot
# coordinate them), each with 50 concurrent library waits and 8
# `otpcatch wait-for-code` processes, every wait for a message that arrives
# at a random moment within 20 s (otpcatch-bench's `fleet`):
#
#   1. sharing the quota in Redis: no 429, every code delivered;
#   2. without Redis: 429s (the problem the shared quota solves, so this
#      test can fail);
#   3. sharing it, with Redis killed 8 s in: every code delivered, each
#      machine at its fallback share.
#
# Usage: tests/fleet/run.sh [BIN_DIR]   (default: the workspace's target/debug)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-target/debug}
[ -x "$bin/otpcatch-bench" ] || cargo build -q -p otpcatch -p otpcatch-bench

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

start_redis() {
  redis_port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >/dev/null &
  redis_pid=$!
  pids+=("$redis_pid")
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && return 0; sleep 0.05; done
  echo "redis-server did not start" >&2
  exit 1
}

http=$(free_port)
smtp=$(free_port)
"$bin/otpcatch" -q serve --http "127.0.0.1:$http" --smtp "127.0.0.1:$smtp" --api-token fleet --qps 20 --catch-all >/dev/null &
pids+=("$!")
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$smtp") 2>/dev/null && break; sleep 0.05; done

fleet() {
  "$bin/otpcatch-bench" fleet --smtp "127.0.0.1:$smtp" --api "http://127.0.0.1:$http/api/v2" --token fleet \
    --otpcatch "$bin/otpcatch" "$@" 2>/dev/null
}
field() { tr '\t' '\n' | sed -n "s/^$1=//p"; }
failed=0
check() { # name, result line, condition (a bash test on $waits $delivered $refused)
  local waits delivered refused
  waits=$(echo "$2" | field waits)
  delivered=$(echo "$2" | field delivered)
  refused=$(echo "$2" | field 429s)
  if eval "$3"; then
    echo "ok: $1 ($delivered/$waits delivered, $refused x 429)" >&2
  else
    echo "FAILED: $1: $2" >&2
    failed=1
  fi
}

start_redis
result=$(fleet --quota-url "redis://127.0.0.1:$redis_port/0")
check "the fleet shares the quota in Redis: no 429, every code" "$result" '[ "$refused" -eq 0 ] && [ "$delivered" -eq "$waits" ]'

result=$(fleet)
check "without Redis the machines together exceed the quota" "$result" '[ "$refused" -gt 0 ]'

(sleep 8; kill "$redis_pid" 2>/dev/null) &
result=$(fleet --quota-url "redis://127.0.0.1:$redis_port/0")
check "Redis killed 8 s in: every code still delivered, at the fallback share" "$result" '[ "$delivered" -eq "$waits" ]'

[ "$failed" -eq 0 ] && echo "fleet: 3 passed, 0 failed" >&2
exit "$failed"
