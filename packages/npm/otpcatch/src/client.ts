/**
 * The API: each call runs one otpcatch command with `--json` and returns
 * what it printed, typed.
 */

import { binaryPath } from './binary';
import { OtpcatchError } from './errors';
import { Mailbox, type MailboxOptions } from './mailbox';
import { run } from './runner';
import type {
  CallOptions,
  Duration,
  ExpectNoneOptions,
  Extraction,
  ExtractOptions,
  Filter,
  MatchFilter,
  Message,
  MessageSummary,
  NewAddress,
  Pattern,
  TotpOptions,
} from './types';

/** Which server a {@link Client} talks to, and with which binary. */
export interface ClientOptions {
  /**
   * The API base URL, such as a local server's `http://127.0.0.1:8025/api/v2`.
   * Default: OTPCATCH_API_URL, else 22.do's.
   */
  apiUrl?: string;
  /**
   * The API token. It reaches the binary only through its environment, and
   * replaces any credential the environment holds (OTPCATCH_TOKEN,
   * OTPCATCH_ADDRESS and OTPCATCH_PASSWORD). Default: those of the environment.
   */
  token?: string;
  /** The otpcatch binary to run. Default: {@link binaryPath}. */
  binary?: string;
  /**
   * Where the binary keeps its Bearer cache and quota log
   * (OTPCATCH_CACHE_DIR). Default: the environment's, else the user's
   * cache directory.
   */
  cacheDir?: string;
}

/** The credential variables a client's own token replaces. */
const CREDENTIAL_VARIABLES = ['OTPCATCH_TOKEN', 'OTPCATCH_ADDRESS', 'OTPCATCH_PASSWORD'] as const;

/**
 * A client of one mail API (22.do or an otpcatch server). Make one with
 * {@link createClient}; the package's top-level functions use one that
 * reads the environment at each call.
 */
export class Client {
  /** The API base URL given, if any (otherwise OTPCATCH_API_URL or 22.do's). */
  readonly apiUrl: string | undefined;
  // Private fields: the token shows neither in util.inspect nor in JSON.stringify.
  readonly #token: string | undefined;
  readonly #binary: string | undefined;
  readonly #cacheDir: string | undefined;

  constructor(options: ClientOptions = {}) {
    this.apiUrl = options.apiUrl;
    this.#token = options.token;
    this.#binary = options.binary;
    this.#cacheDir = options.cacheDir;
  }

  /** The binary this client runs. @throws {BinaryNotFoundError} when there is none. */
  binaryPath(): string {
    return this.#binary ?? binaryPath();
  }

  /** Creates a fresh address and resolves with it. */
  async newAddress(options: CallOptions = {}): Promise<string> {
    const address = await this.#json<NewAddress>(['new-address', '--json'], options.signal);
    return address.email;
  }

  /**
   * Creates a fresh address and resolves with a {@link Mailbox} for it.
   *
   * @param options a default timeout for its waits, and a signal that stops them all.
   */
  async newMailbox(options: MailboxOptions = {}): Promise<Mailbox> {
    const address = await this.newAddress(options.signal ? { signal: options.signal } : {});
    return new Mailbox(this, address, options);
  }

  /**
   * Waits for a message matching `filter` that has a one-time code, and
   * resolves with the code.
   *
   * @throws {WaitTimeoutError} when none arrived in time; the message lists what did.
   * @throws {NothingExtractedError} when messages matched but none had a code.
   */
  async waitForCode(address: string, filter: Filter = {}): Promise<string> {
    const message = await this.#json<Message>(['wait-for-code', `--address=${address}`, ...filterArgs(filter), '--json'], filter.signal);
    return required(message.code, 'wait-for-code', 'code');
  }

  /**
   * Waits for a message matching `filter` that has a confirmation or
   * sign-in link, and resolves with the link.
   *
   * @throws {WaitTimeoutError} when none arrived in time; the message lists what did.
   * @throws {NothingExtractedError} when messages matched but none had a link.
   */
  async waitForLink(address: string, filter: Filter = {}): Promise<string> {
    const message = await this.#json<Message>(['wait-for-link', `--address=${address}`, ...filterArgs(filter), '--json'], filter.signal);
    return required(message.link, 'wait-for-link', 'link');
  }

  /**
   * Waits for any message matching `filter` (a code or a link is not
   * required), and resolves with it and what was extracted from it.
   *
   * @throws {WaitTimeoutError} when none arrived in time; the message lists what did.
   */
  waitForMessage(address: string, filter: Filter = {}): Promise<Message> {
    return this.#json<Message>(['wait', `--address=${address}`, ...filterArgs(filter), '--json'], filter.signal);
  }

  /**
   * Resolves once no message matching the filter has arrived for
   * `options.for`. Mail already in the inbox counts: narrow it with
   * `sinceNow`, `since` or `afterId`.
   *
   * @throws {UnexpectedMessageError} when one arrived; the message names it.
   */
  async expectNone(address: string, options: ExpectNoneOptions): Promise<void> {
    if (options?.for === undefined) {
      throw new TypeError('expectNone needs `for`: how long no matching message may arrive, such as { for: "5s" }');
    }
    await this.#run(['expect-none', `--address=${address}`, ...matchArgs(options), `--for=${duration(options.for, 'for')}`], options.signal);
  }

  /** Resolves with the messages the address has received, as the inbox lists them. */
  async inbox(address: string, options: CallOptions = {}): Promise<MessageSummary[]> {
    const { stdout } = await this.#run(['inbox', `--address=${address}`, '--json'], options.signal);
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => parseJson<MessageSummary>(line, 'inbox'));
  }

  /**
   * Finds the code and the link in an email file (a raw `.eml`, a 22.do
   * message-detail `.json`, an `.html` or a `.txt` body). What is not found
   * is `null`; `misses` says why.
   *
   * @throws {NothingExtractedError} when it has neither a code nor a link.
   * @throws {UsageError} when the file cannot be read.
   */
  async extract(file: string, options: ExtractOptions = {}): Promise<Extraction> {
    const args = ['extract', `--file=${file}`, '--json', ...(options.rule === undefined ? [] : [`--rule=${options.rule}`])];
    const { stdout } = await this.#run(args, options.signal);
    return parseJson<Extraction>(stdout, 'extract');
  }

  /**
   * The current RFC 6238 code of a TOTP secret (base32, as sites show it)
   * or of an `otpauth://` URI. The secret reaches the binary on its stdin,
   * never on its command line.
   */
  async totp(secret: string, options: TotpOptions = {}): Promise<string> {
    const args = ['totp', '-'];
    if (options.digits !== undefined) args.push(`--digits=${integer(options.digits, 'digits')}`);
    if (options.period !== undefined) args.push(`--period=${integer(options.period, 'period')}`);
    if (options.algorithm !== undefined) args.push(`--algorithm=${options.algorithm}`);
    if (options.at !== undefined) args.push(`--at=${unixSeconds(options.at, 'at')}`);
    if (options.fresh !== undefined) args.push(`--fresh=${duration(options.fresh, 'fresh')}`);
    args.push('--json');
    const { stdout } = await this.#run(args, options.signal, [], `${secret.trim()}\n`);
    const result = parseJson<{ code: string }>(stdout, 'totp');
    return required(result.code, 'totp', 'code');
  }

  /** The child's environment: the parent's, with this client's server and token. */
  #env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    if (this.apiUrl !== undefined) env.OTPCATCH_API_URL = this.apiUrl;
    if (this.#cacheDir !== undefined) env.OTPCATCH_CACHE_DIR = this.#cacheDir;
    if (this.#token !== undefined) {
      for (const name of CREDENTIAL_VARIABLES) delete env[name];
      env.OTPCATCH_TOKEN = this.#token;
    }
    return env;
  }

  #run(args: string[], signal: AbortSignal | undefined, acceptExitCodes: readonly number[] = [], input?: string) {
    return run({
      binary: this.binaryPath(),
      args,
      env: this.#env(),
      signal,
      acceptExitCodes,
      ...(input === undefined ? {} : { input }),
    });
  }

  async #json<T>(args: string[], signal: AbortSignal | undefined): Promise<T> {
    const { stdout } = await this.#run(args, signal);
    return parseJson<T>(stdout, args[0] ?? '');
  }
}

/** A client of the server at `options.apiUrl` (default: the environment's, else 22.do). */
export function createClient(options: ClientOptions = {}): Client {
  return new Client(options);
}

// Values go in `--flag=value` form, so that one that starts with `-` (a
// regex, a file name) is never taken for a flag.

/** The flags of a {@link MatchFilter}. */
export function matchArgs(filter: MatchFilter): string[] {
  const args: string[] = [];
  if (filter.from !== undefined) args.push(`--from=${pattern(filter.from)}`);
  if (filter.subject !== undefined) args.push(`--subject=${pattern(filter.subject)}`);
  if (filter.body !== undefined) args.push(`--body=${pattern(filter.body)}`);
  if (filter.since !== undefined) args.push(`--since=${unixSeconds(filter.since, 'since')}`);
  if (filter.sinceNow) args.push('--since-now');
  if (filter.afterId !== undefined) args.push(`--after-id=${filter.afterId}`);
  return args;
}

/** The flags of a {@link Filter}. */
export function filterArgs(filter: Filter): string[] {
  const args = matchArgs(filter);
  if (filter.timeout !== undefined) args.push(`--timeout=${duration(filter.timeout, 'timeout')}`);
  if (filter.latest) args.push('--latest');
  if (filter.nth !== undefined) args.push(`--nth=${integer(filter.nth, 'nth')}`);
  if (filter.rule !== undefined) args.push(`--rule=${filter.rule}`);
  if (filter.delete) args.push('--delete');
  return args;
}

/** A RegExp's source (otpcatch matches case-insensitively), or the string as it is. */
function pattern(value: Pattern): string {
  return value instanceof RegExp ? value.source : value;
}

/** A duration as otpcatch reads it: strings as they are, numbers as milliseconds. */
function duration(value: Duration, name: string): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a duration such as '5s' or a number of milliseconds ≥ 0, not ${value}`);
  return `${Math.round(value)}ms`;
}

/** Unix seconds, from a Date or a number of seconds. */
function unixSeconds(value: number | Date, name: string): string {
  const seconds = value instanceof Date ? value.getTime() / 1000 : value;
  if (!Number.isFinite(seconds)) throw new RangeError(`${name} must be a Date or Unix seconds, not ${String(value)}`);
  return String(Math.floor(seconds));
}

function integer(value: number, name: string): string {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return String(value);
}

function parseJson<T>(text: string, subcommand: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw new OtpcatchError(`otpcatch ${subcommand} printed something that is not JSON: ${JSON.stringify(shown)}`, { exitCode: 0 });
  }
}

function required(value: string | null | undefined, subcommand: string, what: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new OtpcatchError(`otpcatch ${subcommand} succeeded but printed no ${what}`, { exitCode: 0 });
}
