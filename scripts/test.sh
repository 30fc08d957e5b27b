#!/usr/bin/env bash
# Runs otpcatch's whole test suite, installing first whatever it needs that
# a fresh machine with only Rust lacks: Chromium, ChromeDriver and
# redis-server (Debian packages), playwright-core (npm) and selenium (pip) for the examples, the
# real auth frameworks of tests/frameworks (npm, and a Python venv),
# playwright-core for the web inbox's tests (npm), and maturin to build the
# wheel. Then it builds the npm and PyPI packages and
# tests them as users install them.
# Safe to run again: installs are skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*" >&2; }

log "Installing what the examples need"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v redis-server >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # redis-server: the fleet quota's tests start their own on a free port; the
  # package's service is not needed (and not started in a container).
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver redis-server >/dev/null
fi
(cd examples/playwright && npm ci --no-audit --no-fund --loglevel=error)
python3 -m pip install -q --disable-pip-version-check -r examples/selenium/requirements.txt

log "Installing what the framework tests need"
# tests/frameworks: Auth.js and playwright-core from npm, the Python frameworks in one venv.
# Each install is skipped while its lock file is the one it was made from.
(
  cd tests/frameworks
  lock=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "$(cat node_modules/.installed-from 2>/dev/null)" != "$lock" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock" > node_modules/.installed-from
  fi
  reqs=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ "$(cat .venv/.installed-from 2>/dev/null)" != "$reqs" ]; then
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
    echo "$reqs" > .venv/.installed-from
  fi
)

log "Rust tests (unit, integration, end-to-end, doc)"
cargo test --workspace --all-targets
cargo test --workspace --doc

log "Examples, run as their READMEs say"
cargo build -q -p otpcatch
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
export PATH="$target_dir/debug:$PATH"
export SE_OFFLINE=true # Selenium: use the Debian driver, never download one
(cd examples/playwright && otpcatch run -- npm test)
otpcatch run -- python3 -m unittest discover -s examples/selenium -v
# The CI example's last step is the command just run for Playwright.
grep -qx '        run: otpcatch run -- npm test' examples/ci/github-actions.yml
echo "examples: 3 passed, 0 failed" >&2

log "Framework tests: real auth frameworks mail otpcatch serve, used in headless Chromium"
(cd tests/frameworks && npm test)

log "Web inbox: otpcatch serve's page in headless Chromium (and the README's screenshots)"
(
  cd tests/web
  lock=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "$(cat node_modules/.installed-from 2>/dev/null)" != "$lock" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock" > node_modules/.installed-from
  fi
  OTPCATCH_BIN="$target_dir/debug/otpcatch" npm test
)

log "Fleet quota: four machines on one account share 20 requests a second through Redis"
tests/fleet/run.sh "$target_dir/debug"

log "Packages: npm and PyPI, built, then installed and tested as users install them"
# npm: both tarballs installed offline into a fresh project; @playwright/test with 4 workers.
OTPCATCH_BINARY="$target_dir/debug/otpcatch" packages/npm/test.sh
# PyPI: maturin (pinned, in a venv of its own under target/) builds the wheel, with the debug
# binary, stripped: the same code as a release, built in seconds from what the tests built.
tools="$target_dir/package-tools"
reqs=$(sha256sum packages/python/build-requirements.txt | cut -d' ' -f1)
if [ "$(cat "$tools/.installed-from" 2>/dev/null)" != "$reqs" ]; then
  rm -rf "$tools"
  python3 -m venv "$tools"
  "$tools/bin/pip" install -q --disable-pip-version-check -r packages/python/build-requirements.txt
  echo "$reqs" > "$tools/.installed-from"
fi
rm -rf "$target_dir/wheels"
if ! built=$(cd packages/python && "$tools/bin/maturin" build --profile dev --out "$target_dir/wheels" 2>&1); then
  echo "$built" >&2
  exit 1
fi
echo "${built##*$'\n'}" >&2 # "Built wheel to …"
OTPCATCH_WHEEL=$(ls "$target_dir"/wheels/otpcatch-*.whl) packages/python/test.sh
