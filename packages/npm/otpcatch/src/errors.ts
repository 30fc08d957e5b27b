/**
 * The errors otpcatch's calls reject with: one class per exit code of the
 * binary, all deriving from {@link OtpcatchError}.
 *
 * | exit code | class |
 * | --- | --- |
 * | 2 | {@link UsageError} |
 * | 3 | {@link WaitTimeoutError} (`expectNone`: {@link UnexpectedMessageError}) |
 * | 4 | {@link NothingExtractedError}, a {@link WaitTimeoutError} |
 * | 5 | {@link AuthError} |
 * | 6 | {@link UnavailableError} |
 * | others | {@link OtpcatchError} |
 *
 * The message is the binary's own explanation (its stderr): for a timeout,
 * every message that did arrive and why it did not count, and a `hint:`.
 * No error holds a token or a TOTP secret: those never reach the command
 * line, so `argv` is safe to print.
 */

/** What every otpcatch error carries besides its message. */
export interface OtpcatchErrorDetails {
  /** The binary's exit code; `null` when it did not run or was killed by a signal. */
  exitCode: number | null;
  /** The signal that ended the binary, if one did. */
  signal?: NodeJS.Signals | null;
  /** Everything the binary wrote on stderr. */
  stderr?: string;
  /** The command line, `otpcatch` first; it never holds a secret. */
  argv?: readonly string[];
}

/** The base class of every error this package throws. */
export class OtpcatchError extends Error {
  /** The binary's exit code; `null` when it did not run or was killed by a signal. */
  readonly exitCode: number | null;
  /** The signal that ended the binary, if one did. */
  readonly signal: NodeJS.Signals | null;
  /** Everything the binary wrote on stderr (its error and `hint:` lines). */
  readonly stderr: string;
  /** The command line that failed, `otpcatch` first; it never holds a secret. */
  readonly argv: readonly string[];

  constructor(message: string, details: OtpcatchErrorDetails) {
    super(message);
    this.exitCode = details.exitCode;
    this.signal = details.signal ?? null;
    this.stderr = details.stderr ?? '';
    this.argv = Object.freeze([...(details.argv ?? [])]);
  }
}

/** Exit 2: the command line or the configuration is wrong (a bad flag, a missing setting). */
export class UsageError extends OtpcatchError {}

/** Exit 3: no matching message arrived in time. The message lists what did arrive. */
export class WaitTimeoutError extends OtpcatchError {}

/**
 * Exit 4: messages matched, but none had a code (or a link). The message
 * says, for each, what the rules saw.
 */
export class NothingExtractedError extends WaitTimeoutError {}

/** `expectNone` (exit 3): a matching message arrived; the message names it. */
export class UnexpectedMessageError extends OtpcatchError {}

/** Exit 5: the API refused the credential (OTPCATCH_TOKEN, or the address and password). */
export class AuthError extends OtpcatchError {}

/** Exit 6: the quota or the network failed after every retry. */
export class UnavailableError extends OtpcatchError {}

/**
 * The otpcatch binary could not be found: no platform package for this
 * machine is installed, and OTPCATCH_BINARY is not set.
 */
export class BinaryNotFoundError extends OtpcatchError {
  constructor(message: string) {
    super(message, { exitCode: null });
  }
}

for (const type of [
  OtpcatchError,
  UsageError,
  WaitTimeoutError,
  NothingExtractedError,
  UnexpectedMessageError,
  AuthError,
  UnavailableError,
  BinaryNotFoundError,
]) {
  // `name` shows in stack traces and test reports: make it the class's, on
  // the prototype so that it is not an own property of every error.
  Object.defineProperty(type.prototype, 'name', { value: type.name, writable: true, configurable: true });
}

/**
 * The error for a run of the binary that exited with `exitCode`.
 *
 * @param subcommand the subcommand that ran (`expect-none` turns exit 3 into {@link UnexpectedMessageError}).
 * @param message the error's message (by default, the binary's stderr).
 */
export function errorForExit(subcommand: string, message: string, details: OtpcatchErrorDetails): OtpcatchError {
  switch (details.exitCode) {
    case 2:
      return new UsageError(message, details);
    case 3:
      return subcommand === 'expect-none'
        ? new UnexpectedMessageError(message, details)
        : new WaitTimeoutError(message, details);
    case 4:
      return new NothingExtractedError(message, details);
    case 5:
      return new AuthError(message, details);
    case 6:
      return new UnavailableError(message, details);
    default:
      return new OtpcatchError(message, details);
  }
}
