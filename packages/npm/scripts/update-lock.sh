#!/usr/bin/env bash
# Regenerates packages/npm/otpcatch/package-lock.json with `npm install`.
# Run it after changing the package's dependencies or version.
#
# Until the platform packages (@otpcatch/linux-x64, …) are on the registry,
# npm cannot resolve otpcatch's optionalDependencies and leaves them out of
# the lock, which `npm ci` then refuses ("Missing: @otpcatch/… from lock
# file"). This adds each missing one as npm records a published platform
# package (version, os, cpu, optional), which `npm ci` accepts, skipping the
# ones for other platforms and, while it is not published, the one for this
# platform; `npm install` keeps such entries. Once they are published, a
# plain `npm install` writes the same entries, with their tarball URL and
# integrity, and this script adds nothing.
set -euo pipefail
cd "$(dirname "$0")/../otpcatch"

# Drop the platform packages' entries, so that npm resolves them afresh
# (from the registry, once they are published).
if [ -f package-lock.json ]; then
  node -e '
    const fs = require("node:fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
    for (const key of Object.keys(lock.packages)) if (key.startsWith("node_modules/@otpcatch/")) delete lock.packages[key];
    fs.writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
  '
fi
npm install --no-audit --no-fund --loglevel=error
node - <<'EOF'
const fs = require('node:fs');
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8'));
let added = 0;
for (const [name, version] of Object.entries(manifest.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const platform = JSON.parse(fs.readFileSync(`../platforms/${name.split('/')[1]}/package.json`, 'utf8'));
  if (platform.version !== version) throw new Error(`${name}: otpcatch wants ${version}, the template is ${platform.version}`);
  lock.packages[key] = { version, cpu: platform.cpu, license: platform.license, optional: true, os: platform.os };
  added++;
}
fs.writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.error(`update-lock: added ${added} platform package entr${added === 1 ? 'y' : 'ies'}`);
EOF
# Let npm write the lock in its own order and check that `npm ci` takes it.
npm install --no-audit --no-fund --loglevel=error
rm -rf node_modules
npm ci --no-audit --no-fund --loglevel=error
