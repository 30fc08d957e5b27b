#!/usr/bin/env bash
# The otpcatch wheel, tested as a user installs it.
#
#   OTPCATCH_WHEEL=target/wheels/otpcatch-0.1.0-py3-none-linux_x86_64.whl packages/python/test.sh
#
# Installs the wheel and the suite's requirements (e2e/requirements.txt) in a fresh virtual
# environment in a temporary directory, offline: the requirements come from a wheelhouse that is
# filled from PyPI once and reused while requirements.txt, the Python version and the platform
# stay the same (OTPCATCH_WHEELHOUSE, default ~/.cache/otpcatch/python-e2e-wheelhouse). Then runs
# e2e/tests (Selenium and Playwright for Python against examples/site/site.py, Debian's chromium
# and chromedriver; never `playwright install`) three times: plain, with `pytest -n 4` (one server
# started by the controller for all the workers), and under `otpcatch run` (the server it
# starts, named by OTPCATCH_API_URL). OTPCATCH_BINARY is unset: the suite checks that the binary
# it runs is the one the wheel installed.
#
# Environment: OTPCATCH_WHEEL (required), PYTHON (python3), CHROMIUM_PATH (/usr/bin/chromium),
# CHROMEDRIVER_PATH (/usr/bin/chromedriver), OTPCATCH_WHEELHOUSE.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
started=$SECONDS

wheel="${OTPCATCH_WHEEL:-}"
if [[ -z $wheel || ! -f $wheel ]]; then
    echo "test.sh: set OTPCATCH_WHEEL to the otpcatch wheel to test (built by maturin from packages/python); got '${wheel}'" >&2
    exit 2
fi
wheel="$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")"
python="${PYTHON:-python3}"
requirements="$here/e2e/requirements.txt"
wheelhouse="${OTPCATCH_WHEELHOUSE:-${XDG_CACHE_HOME:-$HOME/.cache}/otpcatch/python-e2e-wheelhouse}"

# What a user's shell may carry must not steer the suite: it finds the wheel's own binary, and
# starts (or is handed) its own server.
unset OTPCATCH_BINARY OTPCATCH_API_URL OTPCATCH_TOKEN OTPCATCH_ADDRESS OTPCATCH_PASSWORD \
    OTPCATCH_SMTP_HOST OTPCATCH_SMTP_PORT OTPCATCH_TIMEOUT PYTHONPATH
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export CHROMEDRIVER_PATH="${CHROMEDRIVER_PATH:-/usr/bin/chromedriver}"
export SE_OFFLINE=true                  # Selenium Manager downloads nothing
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PYTHONDONTWRITEBYTECODE=1        # no __pycache__ in the source tree
export PIP_DISABLE_PIP_VERSION_CHECK=1
export OTPCATCH_EXAMPLE_SITE="$repo/examples/site/site.py"
for tool in "$CHROMIUM_PATH" "$CHROMEDRIVER_PATH" "$OTPCATCH_EXAMPLE_SITE"; do
    [[ -e $tool ]] || { echo "test.sh: $tool is missing (apt-get install chromium chromium-driver)" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/otpcatch-python-e2e.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== a fresh virtual environment"
"$python" -m venv "$work/venv"
venv="$work/venv"

# The wheelhouse: filled once per requirements.txt, Python version and platform.
key="$( { cat "$requirements"; "$venv/bin/python" -c 'import sys, sysconfig; print(sys.version, sysconfig.get_platform())'; } \
    | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$wheelhouse/.key" 2>/dev/null || true)" != "$key" ]]; then
    echo "== filling the wheelhouse $wheelhouse from PyPI (once)"
    mkdir -p "$(dirname "$wheelhouse")"
    fresh="$(mktemp -d "$(dirname "$wheelhouse")/.wheelhouse.XXXXXX")"
    "$venv/bin/pip" wheel --quiet --wheel-dir "$fresh" -r "$requirements"
    echo "$key" >"$fresh/.key"
    rm -rf "$wheelhouse"
    mv "$fresh" "$wheelhouse"
fi

echo "== pip install (offline) $(basename "$wheel") and the suite's requirements"
"$venv/bin/pip" install --quiet --no-index --find-links "$wheelhouse" -r "$requirements" "$wheel"
[[ -x $venv/bin/otpcatch ]] || { echo "test.sh: the wheel installed no $venv/bin/otpcatch" >&2; exit 1; }

cd "$here/e2e"
pytest=("$venv/bin/pytest" -q)

# The plugin must stop every server it started (this looks, and never kills, by name).
no_server_left() {
    if pgrep -f "^$venv/bin/otpcatch serve" >/dev/null; then
        echo "test.sh: an otpcatch serve started by the plugin is still running after pytest" >&2
        exit 1
    fi
}

echo "== pytest (one process)"
"${pytest[@]}" --basetemp "$work/plain"
no_server_left

echo "== pytest -n 4 (one server, started by the controller)"
"${pytest[@]}" -n 4 --dist loadgroup --basetemp "$work/xdist"
no_server_left

echo "== otpcatch run -- pytest -n 2 (the server named by OTPCATCH_API_URL)"
"$venv/bin/otpcatch" run -- "${pytest[@]}" -n 2 --dist loadgroup --basetemp "$work/run" \
    tests/test_readme.py tests/test_isolation.py::test_every_worker_shares_the_one_server \
    tests/test_api.py::test_the_server_fixture tests/test_api.py::test_a_resent_code_with_after_id_and_nth
no_server_left

echo "== the otpcatch wheel passed its end-to-end suite in $((SECONDS - started))s"
