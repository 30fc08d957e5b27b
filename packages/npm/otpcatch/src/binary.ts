/**
 * Where the otpcatch binary is: OTPCATCH_BINARY if set, otherwise the file
 * the platform package for this machine (`@otpcatch/linux-x64`, …) ships,
 * as esbuild and Biome ship theirs. Nothing is ever downloaded.
 */

import { existsSync } from 'node:fs';
import * as path from 'node:path';

import { BinaryNotFoundError } from './errors';

/** The platform packages, by `${process.platform}-${process.arch}`. */
export const PLATFORM_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  'linux-x64': '@otpcatch/linux-x64',
  'linux-arm64': '@otpcatch/linux-arm64',
  'darwin-x64': '@otpcatch/darwin-x64',
  'darwin-arm64': '@otpcatch/darwin-arm64',
  'win32-x64': '@otpcatch/win32-x64',
});

/**
 * The path of the otpcatch binary this package runs.
 *
 * 1. `OTPCATCH_BINARY`, if set (a relative path is taken from the current
 *    directory): an otpcatch you built or installed yourself.
 * 2. `bin/otpcatch` (`bin/otpcatch.exe` on Windows) of the platform package
 *    for this machine, an optional dependency of `otpcatch`.
 *
 * @throws {BinaryNotFoundError} when neither is there, saying what to do.
 */
export function binaryPath(): string {
  const fromEnv = process.env.OTPCATCH_BINARY;
  if (fromEnv) {
    const file = path.resolve(fromEnv);
    if (!existsSync(file)) {
      throw new BinaryNotFoundError(`OTPCATCH_BINARY is set to ${fromEnv}, and there is no file there`);
    }
    return file;
  }

  const platform = `${process.platform}-${process.arch}`;
  const name = PLATFORM_PACKAGES[platform];
  if (name === undefined) {
    throw new BinaryNotFoundError(
      `otpcatch has no binary for ${platform} (there are packages for ${Object.keys(PLATFORM_PACKAGES).join(', ')}).\n` +
        'hint: build otpcatch for this machine (cargo install --path crates/otpcatch, in its repository) and set OTPCATCH_BINARY to its path',
    );
  }

  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw new BinaryNotFoundError(
      `the package ${name}, which holds otpcatch's binary for ${platform}, is not installed.\n` +
        `hint: it is an optional dependency of otpcatch: install again without --omit=optional or --no-optional ` +
        `(a package-lock.json made on another platform may lack it: add it with npm install ${name}), ` +
        'or set OTPCATCH_BINARY to an otpcatch binary',
    );
  }

  const file = path.join(path.dirname(manifest), 'bin', process.platform === 'win32' ? 'otpcatch.exe' : 'otpcatch');
  if (!existsSync(file)) {
    throw new BinaryNotFoundError(
      `${name} is installed at ${path.dirname(manifest)} but has no ${path.relative(path.dirname(manifest), file)}.\n` +
        `hint: reinstall it (npm install ${name}), or set OTPCATCH_BINARY to an otpcatch binary`,
    );
  }
  return file;
}
