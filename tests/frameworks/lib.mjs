// Shared helpers for the framework tests: the otpcatch commands (run as a user runs them), the
// host servers (127.0.0.1, a free port, stopped by PID), and headless Chromium.
//
// The suite runs under `otpcatch run --domain otpcatch.test --domain example.com -- …`, which
// starts `otpcatch serve` on free ports and sets OTPCATCH_API_URL, OTPCATCH_TOKEN,
// OTPCATCH_SMTP_HOST and OTPCATCH_SMTP_PORT; every host app sends its mail there.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const HOSTS = path.join(HERE, 'hosts');
export const PYTHON = path.join(HERE, '.venv', 'bin', 'python');
export const VENV_BIN = path.join(HERE, '.venv', 'bin');
const LOGS = path.join(HERE, 'logs');
const STATE = path.join(HERE, '.state');

/** The two moments a wait can start: before the mail is triggered, or after it was sent. */
export const TIMINGS = ['before', 'after'];

for (const v of ['OTPCATCH_API_URL', 'OTPCATCH_TOKEN', 'OTPCATCH_SMTP_HOST', 'OTPCATCH_SMTP_PORT']) {
  if (!process.env[v]) {
    throw new Error(`${v} is not set: run the suite under ` +
      '`otpcatch run --domain otpcatch.test --domain example.com -- node --test …` (see README.md)');
  }
}

const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);

// ---------------------------------------------------------------------------------------------
// otpcatch, as a user runs it

/** Run `otpcatch ARGS…` and resolve with { status, stdout, stderr } (never rejects on exit code). */
export function otpcatch(args, { timeoutMs = 90_000 } = {}) {
  return finished(spawnOtpcatch(args), timeoutMs);
}

function spawnOtpcatch(args) {
  const child = spawn('otpcatch', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.out = '';
  child.err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { child.out += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { child.err += d; });
  child.args = args;
  track(child);
  return child;
}

async function finished(child, timeoutMs) {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const done = child.exitCode !== null || child.signalCode !== null;
    const [status, signal] = done ? [child.exitCode, child.signalCode] : await once(child, 'exit');
    // 'exit' can precede the last 'data' events: wait for the pipes to close too.
    await Promise.all([child.stdout, child.stderr].map((s) => (s.closed ? null : once(s, 'close'))));
    return { status: status ?? `signal ${signal}`, stdout: child.out, stderr: child.err };
  } finally {
    clearTimeout(timer);
  }
}

/** stderr without the -vv debug lines. */
const messages = (stderr) => stderr.split('\n').filter((l) => l && !/^\S+Z\s+(TRACE|DEBUG|INFO)\b/.test(l)).join('\n');

/** A fresh address from `otpcatch new-address`; with `domain`, one on that domain (new-address
 * picks among the served domains, so ask again until it is the one wanted). */
export async function newAddress(domain) {
  for (let i = 0; i < 40; i++) {
    const r = await otpcatch(['new-address', '--json']);
    if (r.status !== 0) throw new Error(`otpcatch new-address: exit ${r.status}\n${r.stderr}`);
    const { email, domain: d } = JSON.parse(r.stdout);
    if (!domain || d === domain) return email;
  }
  throw new Error(`otpcatch new-address gave no address on ${domain} in 40 tries: is it served (--domain ${domain})?`);
}

/** Poll `otpcatch inbox --address A` until a message whose subject matches `subject` is listed. */
export async function inboxShows(address, subject, timeoutMs = 20_000) {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < timeoutMs) {
    const r = await otpcatch(['inbox', '--address', address]);
    if (r.status !== 0) throw new Error(`otpcatch inbox: exit ${r.status}\n${r.stderr}`);
    last = r.stdout;
    // id <TAB> time <TAB> sender <TAB> subject
    const hit = last.split('\n').filter(Boolean).map((l) => l.split('\t')).find((f) => subject.test(f[3] ?? ''));
    if (hit) return hit;
    await sleep(150);
  }
  throw new Error(`otpcatch inbox --address ${address} listed no message with a subject ~ ${subject} ` +
    `within ${timeoutMs} ms; it listed:\n${last || '(nothing)'}`);
}

/**
 * Run `otpcatch wait-for-KIND --address A …`, started at `timing`:
 * - 'before': the wait is spawned and has listed the inbox once (seen in its -vv log) before
 *   `trigger()` makes the framework send the mail; then the wait's answer is awaited.
 * - 'after': `trigger()` runs first, `otpcatch inbox` must list the mail (subject ~ `subject`),
 *   and only then is the wait run.
 * `subject` also filters the wait (--subject) unless `filter` is false; `args` are extra flags.
 */
async function runWait(kind, address, { timing, trigger, subject, filter = true, args = [], timeout = '30s' }) {
  const cmd = [`wait-for-${kind}`, '--address', address, '--timeout', timeout, ...args];
  if (filter) cmd.push('--subject', subject.source);
  if (timing === 'before') {
    const child = spawnOtpcatch(['-vv', ...cmd]);
    try {
      await waitStarted(child);
      await trigger();
    } catch (e) {
      child.kill();
      throw e;
    }
    return { cmd, ...(await finished(child, 120_000)) };
  }
  if (timing === 'after') {
    await trigger();
    await inboxShows(address, subject);
    return { cmd, ...(await otpcatch(cmd)) };
  }
  throw new Error(`unknown timing ${timing}`);
}

/** The code or link that `otpcatch wait-for-KIND` prints (see runWait for the options). */
export async function obtain(kind, address, options) {
  const r = await runWait(kind, address, options);
  const value = r.stdout.trim();
  if (r.status !== 0 || !value) {
    const saved = await saveInbox(address, `${kind}-${options.timing}`);
    throw new Error(`otpcatch ${r.cmd.join(' ')} (started ${options.timing} the mail): exit ${r.status}, ` +
      `stdout ${JSON.stringify(r.stdout)}\n${messages(r.stderr)}\nthe inbox is saved in ${saved}`);
  }
  log(`${kind} (wait started ${options.timing} the mail): ${value}`);
  return value;
}

/**
 * Show that `otpcatch wait-for-KIND` passes over notice mails that carry no code or link: the
 * wait (see runWait) must end with exit 4, print nothing, and name every notice in `notices`
 * (subject regexes) among the mail that had no KIND. Returns the wait's messages.
 */
export async function expectPassedOver(kind, address, { notices, ...options }) {
  const r = await runWait(kind, address, options);
  const err = messages(r.stderr);
  const problems = [];
  if (r.status !== 4) problems.push(`exit ${r.status}, expected 4 (mail matched, none had a ${kind})`);
  if (r.stdout.trim()) problems.push(`printed ${JSON.stringify(r.stdout.trim())}, expected nothing`);
  if (!err.includes(`had no ${kind}`)) problems.push(`stderr does not say the mail "had no ${kind}"`);
  for (const n of notices) {
    const named = err.split('\n').some((l) => l.includes('subject "') && n.test(l.slice(l.indexOf('subject "'))));
    if (!named) problems.push(`stderr does not name the notice ~ ${n}`);
  }
  if (problems.length) {
    const saved = await saveInbox(address, `passover-${kind}-${options.timing}`);
    throw new Error(`otpcatch ${r.cmd.join(' ')} (started ${options.timing}): ${problems.join('; ')}\n` +
      `stderr:\n${err}\nthe inbox is saved in ${saved}`);
  }
  log(`no ${kind} (wait started ${options.timing} the notice): exit 4:\n  ${err.split('\n').join('\n  ')}`);
  return err;
}

/** The newest message listed by `otpcatch inbox` whose subject matches, as `otpcatch message
 * --json ID` prints it ({subject, body, html, …}): to check which MIME parts a mode sent. */
export async function messageJson(address, subject) {
  const r = await otpcatch(['inbox', '--address', address]);
  const ids = r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')).filter((f) => subject.test(f[3] ?? ''));
  if (!ids.length) throw new Error(`otpcatch inbox --address ${address}: no subject ~ ${subject}\n${r.stdout}`);
  const m = await otpcatch(['message', '--json', ids.at(-1)[0]]);
  if (m.status !== 0) throw new Error(`otpcatch message --json: exit ${m.status}\n${m.stderr}`);
  return JSON.parse(m.stdout);
}

/** Resolve once the wait has listed the inbox (its -vv log shows the first POST /inbox). */
async function waitStarted(child, timeoutMs = 15_000) {
  const t0 = Date.now();
  while (!/POST \/inbox/.test(child.err)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`otpcatch ${child.args.join(' ')} exited ${child.exitCode ?? child.signalCode} before the mail was triggered:\n${messages(child.err)}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`otpcatch ${child.args.join(' ')} did not list the inbox within ${timeoutMs} ms:\n${child.err}`);
    await sleep(20);
  }
}

/** For a failure report: the inbox and every message in it, as otpcatch prints them. */
async function saveInbox(address, what) {
  const dir = path.join(LOGS, 'failures', `${address}-${what}`);
  fs.mkdirSync(dir, { recursive: true });
  const inbox = await otpcatch(['inbox', '--address', address]);
  fs.writeFileSync(path.join(dir, 'inbox.txt'), inbox.stdout + inbox.stderr);
  for (const line of inbox.stdout.split('\n').filter(Boolean)) {
    const id = line.split('\t')[0];
    const m = await otpcatch(['message', '--json', id]);
    fs.writeFileSync(path.join(dir, `${id}.json`), m.stdout || m.stderr);
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Servers: 127.0.0.1, a free port, stopped by PID (also when a test fails or the run is cut short)

const live = new Set();
function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
}
process.once('exit', () => { for (const c of live) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } } });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => { for (const c of live) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } } process.exit(130); });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** A fresh, empty directory for one host's data (sqlite files, pb_data), under .state/. */
export function stateDir(name) {
  const dir = path.join(STATE, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Start a server directly (no npx, no shell): `command(port)` gives [file, ...args], `env(port)`
 * extra environment. Waits until `readyPath` answers over HTTP. Output goes to logs/NAME.log.
 * Returns { url, port, pid, stop }. Tries another free port if the server exits while starting.
 */
export async function startServer(name, { command, cwd, env = () => ({}), readyPath = '/' }) {
  fs.mkdirSync(LOGS, { recursive: true });
  const logFile = path.join(LOGS, `${name}.log`);
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const [file, ...args] = command(port);
    const fd = fs.openSync(logFile, attempt === 1 ? 'w' : 'a');
    const t0 = Date.now();
    const child = spawn(file, args, {
      cwd, stdio: ['ignore', fd, fd],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', PORT: String(port), ...env(port) },
    });
    fs.closeSync(fd);
    track(child);
    const url = `http://127.0.0.1:${port}`;
    const stop = () => stopChild(child);
    try {
      await waitHttp(`${url}${readyPath}`, child, 30_000);
      log(`${name} up on ${url} (pid ${child.pid}) in ${Date.now() - t0} ms`);
      return { url, port, pid: child.pid, stop };
    } catch (e) {
      await stop();
      lastError = new Error(`${name} did not start (attempt ${attempt}): ${e.message}\n${tail(logFile)}`);
      if (child.exitCode === null && !/exited/.test(e.message)) break; // hung, not a port clash
    }
  }
  throw lastError;
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = once(child, 'exit');
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(t);
}

async function waitHttp(url, child, timeoutMs) {
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${url} answered`);
    try {
      await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
      return;
    } catch { /* not yet */ }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const tail = (file) => { try { return fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n'); } catch { return ''; } };

/** Run a short Python command (manage.py migrate, shell) to completion; throw with its output on failure. */
export async function runPython(args, { cwd, env = {} }) {
  const child = spawn(PYTHON, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env } });
  track(child);
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const [status] = await once(child, 'exit');
  if (status !== 0) throw new Error(`python ${args.join(' ')}: exit ${status}\n${out}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Chromium: Debian's, headless, never downloaded

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A fresh context and page; on failure the test can call `shot(name)` for a screenshot in logs/. */
export async function newPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.shot = async (name) => {
    fs.mkdirSync(path.join(LOGS, 'failures'), { recursive: true });
    const file = path.join(LOGS, 'failures', `${name}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    return file;
  };
  return page;
}

/** Run `body(page)` in a fresh page; on failure, save a screenshot and say where the page was. */
export async function withPage(browser, name, body) {
  const page = await newPage(browser);
  try {
    return await body(page);
  } catch (e) {
    const file = await page.shot(name);
    e.message += `\n(page ${page.url()}, screenshot ${file})`;
    throw e;
  } finally {
    await page.context().close();
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const uniq = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

// ---------------------------------------------------------------------------------------------
// Django hosts: `manage.py migrate` once, then `manage.py runserver 127.0.0.1:PORT --noreload`
// (one process, no autoreloader child), with the sqlite file in DJANGO_DB.

export async function migrateDjango(hostDir, db) {
  await runPython(['manage.py', 'migrate', '-v0'], { cwd: hostDir, env: { DJANGO_DB: db } });
}

export function startDjango(name, hostDir, { db, env = {} }) {
  return startServer(name, {
    cwd: hostDir,
    command: (port) => [PYTHON, 'manage.py', 'runserver', `127.0.0.1:${port}`, '--noreload'],
    env: () => ({ DJANGO_DB: db, ...env }),
  });
}
