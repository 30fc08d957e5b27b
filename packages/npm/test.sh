#!/usr/bin/env bash
# Tests the npm package as a user installs it:
#
#  1. `npm ci` in packages/npm/otpcatch (skipped while the lock is the one
#     it was made from), a strict type check, and the build (tsc);
#  2. stages $OTPCATCH_BINARY (default: the workspace's target/debug/otpcatch)
#     into the @otpcatch/linux-x64 platform package;
#  3. `npm pack`s otpcatch and @otpcatch/linux-x64, and checks what is in them;
#  4. makes a fresh project in a temporary directory from packages/npm/e2e/,
#     installs the two tarballs and @playwright/test from the npm cache
#     (offline), type-checks the tests against the installed types, and runs
#     `npx playwright test --workers 4` there, without OTPCATCH_BINARY: the
#     binary must come from the platform package. Each worker starts its own
#     `otpcatch serve`;
#  5. runs the flows, isolation and README tests once more under
#     `otpcatch run`, where the fixtures use the one server it names in
#     OTPCATCH_API_URL (and every worker shares it).
#
# Needs node ≥ 20.3, npm, python3 and Chromium (/usr/bin/chromium, or
# CHROMIUM_PATH). Never builds otpcatch: point OTPCATCH_BINARY at a build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="$(realpath "${OTPCATCH_BINARY:-$root/target/debug/otpcatch}")"
platform=linux-x64
started=$SECONDS

log() { printf '\n== %s\n' "$*" >&2; }

[ -x "$binary" ] || { echo "test.sh: no otpcatch binary at $binary (set OTPCATCH_BINARY)" >&2; exit 1; }
for command in "totp --help" "serve --help"; do
  # shellcheck disable=SC2086
  "$binary" $command >/dev/null 2>&1 || { echo "test.sh: $binary has no \`otpcatch ${command% --help}\`: it is older than this package" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

log "Installing the package's dev dependencies"
(
  cd "$here/otpcatch"
  lock=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "$(cat node_modules/.installed-from 2>/dev/null)" != "$lock" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock" > node_modules/.installed-from
  fi
)

log "Type check (strict) and build"
(
  cd "$here/otpcatch"
  npx --no-install tsc -p tsconfig.json --noEmit
  rm -rf dist
)

log "Staging $binary into @otpcatch/$platform"
"$here/scripts/stage-platform.sh" "$platform" "$binary"

log "Packing"
mkdir -p "$work/tarballs"
main_tgz="$work/tarballs/$(cd "$here/otpcatch" && npm pack --silent --pack-destination "$work/tarballs" | tail -1)" # prepack builds dist/
platform_tgz="$work/tarballs/$(cd "$here/platforms/$platform" && npm pack --silent --pack-destination "$work/tarballs" | tail -1)"
contents=$(tar -tzf "$main_tgz" | sort | tr '\n' ' ')
for file in package/package.json package/README.md package/dist/index.js package/dist/index.d.ts \
  package/dist/playwright.js package/dist/playwright.d.ts; do
  case " $contents " in *" $file "*) ;; *) echo "test.sh: $file is missing from $(basename "$main_tgz"): $contents" >&2; exit 1 ;; esac
done
case "$contents" in *package/src/*|*node_modules*|*.tgz*) echo "test.sh: $(basename "$main_tgz") holds more than it should: $contents" >&2; exit 1 ;; esac
[ "$(tar -tzf "$platform_tgz" | sort | tr '\n' ' ')" = "package/README.md package/bin/otpcatch package/package.json " ] ||
  { echo "test.sh: unexpected files in $(basename "$platform_tgz"): $(tar -tzf "$platform_tgz" | tr '\n' ' ')" >&2; exit 1; }
tar -tvzf "$platform_tgz" package/bin/otpcatch | grep -q '^-rwx' || { echo "test.sh: bin/otpcatch is not executable in the tarball" >&2; exit 1; }
ls -lh "$work/tarballs" | tail -n +2 >&2

log "A fresh project: installing the tarballs offline, from the npm cache"
project="$work/project"
cp -r "$here/e2e/." "$project"
(
  cd "$project"
  npm install --offline --no-audit --no-fund --loglevel=error --save-exact \
    "$main_tgz" "$platform_tgz" @playwright/test@1.65.1 typescript@7.0.2 @types/node@20.19.43
  npx --no-install tsc -p tsconfig.json # the tests, against the installed package's types
)

# What the tests see: none of otpcatch's settings from this shell, and above
# all no OTPCATCH_BINARY.
clean_env=(env -u OTPCATCH_BINARY -u OTPCATCH_API_URL -u OTPCATCH_TOKEN -u OTPCATCH_ADDRESS -u OTPCATCH_PASSWORD
  -u OTPCATCH_SMTP_HOST -u OTPCATCH_SMTP_PORT -u OTPCATCH_TIMEOUT -u OTPCATCH_RULES_DIR
  OTPCATCH_EXAMPLE_SITE="$root/examples/site/site.py")

log "Playwright, 4 workers, a server of each worker's own"
(cd "$project" && "${clean_env[@]}" npx --no-install playwright test --workers 4)

log "Playwright under \`otpcatch run\`: the workers share the server it started"
(cd "$project" && "${clean_env[@]}" "$project/node_modules/@otpcatch/$platform/bin/otpcatch" run -- \
  npx --no-install playwright test --workers 2 --project=e2e flows isolation readme)

echo "npm package: all tests passed in $((SECONDS - started)) s" >&2
