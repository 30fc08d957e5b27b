/**
 * otpcatch's local mail server (`otpcatch serve`), started and stopped from
 * Node: SMTP in for the site under test, a 22.do-compatible API out for the
 * client, on free loopback ports, with a random token.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { binaryPath } from './binary';
import { createClient, type Client } from './client';
import { errorForExit, OtpcatchError, UsageError } from './errors';
import { stackOfCall, withStack } from './runner';

/** A mail server the tests use: where the site sends mail, and a client that reads it. */
export interface MailServerInfo {
  /** The API base URL, such as `http://127.0.0.1:41234/api/v2`. */
  readonly apiUrl: string;
  /** The SMTP host the site under test sends its mail to. */
  readonly smtpHost: string;
  /** The SMTP port the site under test sends its mail to. */
  readonly smtpPort: number;
  /** A client bound to this server. */
  readonly client: Client;
  /** The API token (a secret: do not log it). */
  readonly token: string | undefined;
  /**
   * The variables `otpcatch run` would set: OTPCATCH_API_URL,
   * OTPCATCH_TOKEN, OTPCATCH_SMTP_HOST and OTPCATCH_SMTP_PORT, for a
   * process (the site, another tool) that needs them.
   */
  env(): Record<string, string>;
}

/** How to start the server. */
export interface StartMailServerOptions {
  /** The otpcatch binary. Default: {@link binaryPath}. */
  binary?: string;
  /** More flags for `otpcatch serve`, such as `['--domain', 'example.test']`. */
  args?: readonly string[];
  /** How long to wait for it to listen, in milliseconds. Default: 10 000. */
  readyTimeout?: number;
}

/** The ready line `otpcatch serve --json` prints once it listens. */
interface ReadyLine {
  api_url: string;
  smtp_host: string;
  smtp_port: number;
}

/** The last bytes of stderr kept for an error. */
const STDERR_KEPT = 64 * 1024;

/** A running `otpcatch serve`. Stop it with {@link MailServer.stop}; it is also stopped when Node exits. */
export class MailServer implements MailServerInfo {
  readonly apiUrl: string;
  readonly smtpHost: string;
  readonly smtpPort: number;
  readonly client: Client;
  /** The server's process id. */
  readonly pid: number;
  readonly #token: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #killOnExit: () => void;
  /** The clients' Bearer cache for this server: it means nothing once the server is gone. */
  readonly #cacheDir: string;

  /** @internal Use {@link startMailServer}. */
  constructor(child: ChildProcess, ready: ReadyLine, token: string, binary: string, exited: Promise<void>) {
    this.#child = child;
    this.#token = token;
    this.#exited = exited;
    this.pid = child.pid ?? -1;
    this.apiUrl = ready.api_url;
    this.smtpHost = ready.smtp_host;
    this.smtpPort = ready.smtp_port;
    this.#cacheDir = mkdtempSync(join(tmpdir(), 'otpcatch-cache-'));
    this.client = createClient({ apiUrl: this.apiUrl, token, binary, cacheDir: this.#cacheDir });
    // A process that exits without stopping it must not leave it running.
    this.#killOnExit = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      this.#removeCache();
    };
    process.once('exit', this.#killOnExit);
  }

  /** The API token it accepts (a secret: do not log it). */
  get token(): string {
    return this.#token;
  }

  env(): Record<string, string> {
    return {
      OTPCATCH_API_URL: this.apiUrl,
      OTPCATCH_TOKEN: this.#token,
      OTPCATCH_SMTP_HOST: this.smtpHost,
      OTPCATCH_SMTP_PORT: String(this.smtpPort),
      OTPCATCH_CACHE_DIR: this.#cacheDir,
    };
  }

  #removeCache(): void {
    rmSync(this.#cacheDir, { recursive: true, force: true });
  }

  /** Stops the server (SIGTERM to its pid, then SIGKILL after 5 s) and resolves once it has exited. */
  async stop(): Promise<void> {
    process.removeListener('exit', this.#killOnExit);
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) {
      this.#removeCache();
      return;
    }
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 5_000);
    });
    await Promise.race([this.#exited, killed]);
    clearTimeout(timer);
    await this.#exited;
    this.#removeCache();
  }
}

/**
 * Starts `otpcatch serve --json` on free loopback ports with a random API
 * token (given through OTPCATCH_SERVE_API_TOKEN, never on its command
 * line), and resolves once it listens.
 *
 * @throws {OtpcatchError} (the subclass for its exit code) when it exits
 *   before it is ready, with its stderr; or when it is not ready in time.
 */
export async function startMailServer(options: StartMailServerOptions = {}): Promise<MailServer> {
  const callSite = stackOfCall(startMailServer);
  const binary = options.binary ?? binaryPath();
  const readyTimeout = options.readyTimeout ?? 10_000;
  const token = randomBytes(16).toString('hex');
  const args = ['serve', '--http', '127.0.0.1:0', '--smtp', '127.0.0.1:0', '--json', ...(options.args ?? [])];
  const argv = [binary, ...args];

  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', OTPCATCH_SERVE_API_TOKEN: token };
  delete env.OTPCATCH_API_URL;
  delete env.OTPCATCH_TOKEN;

  const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      fail(new OtpcatchError(`otpcatch serve did not print its ready line within ${readyTimeout / 1000} s` + tail(stderr), { exitCode: null, stderr, argv }));
      child.kill('SIGKILL');
    }, readyTimeout);
    const onError = (error: Error) =>
      fail(new OtpcatchError(`could not run ${binary}: ${error.message}`, { exitCode: null, stderr, argv }));
    const onExit = () => {
      // Wait for 'close' so that stderr has been read to its end.
      void exited.then(() => {
        const { exitCode, signalCode: signal } = child;
        const how = exitCode === null ? `was killed by ${signal}` : `exited with code ${exitCode}`;
        const message = `otpcatch serve ${how} before it was ready` + tail(stderr);
        fail(exitCode === null ? new OtpcatchError(message, { exitCode, signal, stderr, argv }) : errorForExit('serve', message, { exitCode, stderr, argv }));
      });
    };
    const cleanUp = () => {
      clearTimeout(timer);
      child.removeListener('error', onError);
      child.removeListener('exit', onExit);
      lines.removeAllListeners('line');
    };
    const fail = (error: Error) => {
      cleanUp();
      lines.close();
      reject(withStack(callSite, error));
    };
    lines.on('line', (line) => {
      const parsed = parseReady(line);
      if (parsed) {
        cleanUp();
        lines.close();
        resolve(parsed);
      }
    });
    child.once('error', onError);
    child.once('exit', onExit);
  });

  // From now on, keep reading its output (so that it never blocks on a full
  // pipe), and let Node exit without waiting for it: the exit hook stops it.
  child.stdout.resume();
  child.unref();
  // The pipes are sockets, which can be unref'd too (Readable does not say so).
  for (const pipe of [child.stdout, child.stderr] as unknown as Socket[]) pipe.unref();
  return new MailServer(child, ready, token, binary, exited);
}

function parseReady(line: string): ReadyLine | undefined {
  try {
    const value = JSON.parse(line) as Partial<ReadyLine>;
    if (typeof value.api_url === 'string' && typeof value.smtp_host === 'string' && typeof value.smtp_port === 'number') {
      return { api_url: value.api_url, smtp_host: value.smtp_host, smtp_port: value.smtp_port };
    }
  } catch {
    // Not the ready line.
  }
  return undefined;
}

function tail(stderr: string): string {
  const text = stderr.trim();
  return text ? `:\n${text}` : ' (it wrote nothing on stderr)';
}

/**
 * The server the environment names, as `otpcatch run` sets it:
 * OTPCATCH_API_URL, OTPCATCH_TOKEN, OTPCATCH_SMTP_HOST and
 * OTPCATCH_SMTP_PORT. `smtpHost` and `smtpPort` throw when their variable
 * is not set (against 22.do, the site sends real mail: there is no SMTP
 * server to point it at).
 *
 * @throws {UsageError} when OTPCATCH_API_URL is not set.
 */
export function mailServerFromEnv(): MailServerInfo {
  return new EnvMailServer();
}

class EnvMailServer implements MailServerInfo {
  readonly apiUrl: string;
  readonly client: Client;
  readonly #token: string | undefined;

  constructor() {
    const apiUrl = process.env.OTPCATCH_API_URL;
    if (!apiUrl) throw new UsageError('OTPCATCH_API_URL is not set', { exitCode: null });
    this.apiUrl = apiUrl;
    this.#token = process.env.OTPCATCH_TOKEN || undefined;
    this.client = createClient({ apiUrl, ...(this.#token === undefined ? {} : { token: this.#token }) });
  }

  get token(): string | undefined {
    return this.#token;
  }

  get smtpHost(): string {
    return requireVariable('OTPCATCH_SMTP_HOST');
  }

  get smtpPort(): number {
    const port = Number(requireVariable('OTPCATCH_SMTP_PORT'));
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new UsageError(`OTPCATCH_SMTP_PORT is not a port: ${process.env.OTPCATCH_SMTP_PORT}`, { exitCode: null });
    }
    return port;
  }

  env(): Record<string, string> {
    const env: Record<string, string> = { OTPCATCH_API_URL: this.apiUrl };
    if (this.#token !== undefined) env.OTPCATCH_TOKEN = this.#token;
    for (const name of ['OTPCATCH_SMTP_HOST', 'OTPCATCH_SMTP_PORT', 'OTPCATCH_ADDRESS', 'OTPCATCH_PASSWORD']) {
      const value = process.env[name];
      if (value) env[name] = value;
    }
    return env;
  }
}

function requireVariable(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new UsageError(
      `OTPCATCH_API_URL is set, so the tests use that server, but ${name} is not: there is no SMTP address to give the site.\n` +
        'hint: run the tests under `otpcatch run -- npx playwright test`, which sets all four variables, or unset OTPCATCH_API_URL ' +
        'to let each worker start its own server',
      { exitCode: null },
    );
  }
  return value;
}
