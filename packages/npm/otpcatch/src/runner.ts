/**
 * Runs the otpcatch binary once: no shell, the arguments as given, secrets
 * only through the environment and stdin, and a failure turned into the
 * typed error for its exit code.
 */

import { execFile } from 'node:child_process';

import { errorForExit, OtpcatchError } from './errors';

/** One run of the binary. */
export interface RunOptions {
  /** The binary's path. */
  binary: string;
  /** The arguments, subcommand first. They must hold no secret: they show in `ps` and in errors. */
  args: readonly string[];
  /** The child's whole environment (where the token goes). */
  env: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (a TOTP secret, for `totp -`). */
  input?: string;
  /** Aborting it kills the child; the call then rejects with an `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Exit codes besides 0 that resolve (with the output) instead of rejecting. */
  acceptExitCodes?: readonly number[];
}

/** What a run that succeeded printed. */
export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Large enough for any message otpcatch prints (the server caps them at 10 MB by default). */
const MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * Runs the binary and resolves with its output once it exits 0 (or with
 * one of `acceptExitCodes`).
 *
 * @throws {OtpcatchError} (the subclass for its exit code) when it fails;
 *   the message is its stderr.
 */
export function run(options: RunOptions): Promise<RunResult> {
  const { binary, args, env, input, signal } = options;
  const argv = [binary, ...args];
  const subcommand = args[0] ?? '';
  // The binary's exit is reported from a callback whose stack says nothing
  // of the caller: give the errors the stack of the call instead, so that a
  // test report points at the test's line.
  const callSite = stackOfCall(run);
  return new Promise<RunResult>((resolve, reject) => {
    const child = execFile(
      binary,
      args,
      { env, encoding: 'utf8', maxBuffer: MAX_OUTPUT, windowsHide: true, signal },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ exitCode: 0, stdout, stderr });
          return;
        }
        if (error.name === 'AbortError') {
          reject(error);
          return;
        }
        const code = error.code;
        if (typeof code === 'number') {
          if (options.acceptExitCodes?.includes(code)) {
            resolve({ exitCode: code, stdout, stderr });
            return;
          }
          const message = stderr.trim() || `otpcatch ${subcommand} exited with code ${code}`;
          reject(withStack(callSite, errorForExit(subcommand, message, { exitCode: code, stderr, argv })));
          return;
        }
        if (error.signal) {
          const message = `otpcatch ${subcommand} was killed by ${error.signal}` + (stderr.trim() ? `:\n${stderr.trim()}` : '');
          reject(withStack(callSite, new OtpcatchError(message, { exitCode: null, signal: error.signal, stderr, argv })));
          return;
        }
        // The binary did not start (ENOENT, EACCES) or its output overflowed.
        reject(withStack(callSite, new OtpcatchError(`could not run ${binary}: ${error.message.split('\n')[0]}`, { exitCode: null, stderr, argv })));
      },
    );
    if (child.stdin) {
      // A child that exits before reading its stdin closes the pipe: its exit code says why.
      child.stdin.on('error', () => {});
      child.stdin.end(input ?? '');
    }
  });
}

/** The stack frames of the caller of `fn`, without the "Error" line. */
export function stackOfCall(fn: (...args: never[]) => unknown): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, fn);
  return (holder.stack ?? '').split('\n').slice(1).join('\n');
}

/** `error`, with the stack frames `callSite` under its own first line. */
export function withStack<E extends Error>(callSite: string, error: E): E {
  error.stack = `${error.name}: ${error.message}\n${callSite}`;
  return error;
}
