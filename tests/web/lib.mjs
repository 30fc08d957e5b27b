// Helpers for the web inbox's browser tests: one `otpcatch serve` (127.0.0.1, port 0, stopped by
// PID), its API as the tests' own client, mail over SMTP (python3's smtplib), a stand-in "remote
// host" that counts what is asked of it, and headless Chromium (Debian's, driven by playwright-core).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const LOGS = path.join(HERE, 'logs');
export const BIN = path.resolve(process.env.OTPCATCH_BIN ?? path.join(REPO, 'target', 'debug', 'otpcatch'));
const PYTHON = process.env.PYTHON ?? 'python3';
const SEND = path.join(HERE, 'smtp_send.py');

export const DOMAIN = 'otpcatch.test';
// A run's failure screenshots replace the last run's.
fs.rmSync(path.join(LOGS, 'failures'), { recursive: true, force: true });
export const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const uniq = () => Date.now().toString(36) + crypto.randomBytes(3).toString('hex');

// ---------------------------------------------------------------------------------------------
// Processes we start: stopped by PID, also when a test fails or the run is cut short

const live = new Set();
function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
}
const killAll = () => { for (const c of live) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } } };
process.once('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => { killAll(); process.exit(130); });

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = once(child, 'exit');
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(t);
}

// ---------------------------------------------------------------------------------------------
// otpcatch serve

/**
 * Start `otpcatch serve --http 127.0.0.1:0 --smtp 127.0.0.1:0 --json --domain otpcatch.test`
 * with one account per entry of `tokens` ({ name: token }) and read its JSON ready line.
 * Every token goes in an `--api-token` flag: clap reads OTPCATCH_SERVE_API_TOKEN only when the
 * flag is absent, so the variable cannot add an account next to flags.
 * `httpAddr` is where the HTTP side listens (a port of a stopped server, to restart it there).
 * Returns { apiUrl, inboxUrl, origin, smtpHost, smtpPort, pid, stop }. stderr: logs/NAME.log.
 */
export async function startOtpcatch(tokens, { httpAddr = '127.0.0.1:0', name = 'otpcatch' } = {}) {
  if (!fs.existsSync(BIN)) throw new Error(`no otpcatch binary at ${BIN}: build it, or set OTPCATCH_BIN`);
  fs.mkdirSync(LOGS, { recursive: true });
  const logFile = path.join(LOGS, `${name}.log`);
  const fd = fs.openSync(logFile, 'w');
  const args = ['serve', '--http', httpAddr, '--smtp', '127.0.0.1:0', '--json', '--domain', DOMAIN];
  for (const token of Object.values(tokens)) args.push('--api-token', token);
  const env = { ...process.env };
  delete env.OTPCATCH_SERVE_API_TOKEN;
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', fd], env });
  fs.closeSync(fd);
  track(child);
  let out = '';
  child.stdout.setEncoding('utf8');
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`otpcatch serve printed no ready line in 20 s; stdout ${JSON.stringify(out)}\n${tail(logFile)}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) { clearTimeout(timer); resolve(out.slice(0, nl)); }
    });
    child.once('exit', (code, sig) => { clearTimeout(timer); reject(new Error(`otpcatch serve exited (${code ?? sig}) before its ready line\n${tail(logFile)}`)); });
  });
  const ready = JSON.parse(line);
  const inboxUrl = ready.inbox_url ?? ready.api_url.replace(/\/api\/v2\/?$/, '/');
  const server = {
    apiUrl: ready.api_url.replace(/\/$/, ''),
    inboxUrl,
    origin: new URL(inboxUrl).origin,
    smtpHost: ready.smtp_host,
    smtpPort: ready.smtp_port,
    pid: child.pid,
    logFile,
    stop: () => stopChild(child),
  };
  log(`otpcatch serve up (pid ${child.pid}): inbox ${server.inboxUrl}, SMTP ${server.smtpHost}:${server.smtpPort}`);
  return server;
}

const tail = (file) => { try { return fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n'); } catch { return ''; } };

/** A fresh random API token. */
export const newToken = () => crypto.randomBytes(16).toString('hex');

/** The account of one API token, through the server's own API, as the tests' client. */
export class Account {
  constructor(server, token) {
    this.server = server;
    this.token = token;
    this.bearer = null;
  }

  async login() {
    const r = await this.call('POST', `${this.server.apiUrl}/token`, { token: this.token }, false);
    if (r.status !== 200 || !r.body?.data?.Bearer) throw new Error(`POST /token: ${r.status} ${JSON.stringify(r.body)}`);
    this.bearer = r.body.data.Bearer;
    return this;
  }

  /** A fresh address this account owns (POST /api/v2/account). */
  async newAddress() {
    const r = await this.call('POST', `${this.server.apiUrl}/account`);
    if (r.status !== 200 || !r.body?.data?.email) throw new Error(`POST /account: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data.email;
  }

  /** GET/DELETE/POST on /ui/api/… or the 22.do API: { status, body } (body parsed when JSON). */
  async call(method, url, json, auth = true) {
    const headers = {};
    if (auth) headers.Authorization = `Bearer ${this.bearer}`;
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    const full = url.startsWith('http') ? url : `${this.server.origin}${url}`;
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(full, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
      const text = await res.text();
      // Our own bookkeeping must not fail on the per-account quota the page also spends.
      if (res.status === 429 && attempt < 10) { await sleep(300); continue; }
      let body = text;
      try { body = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, body };
    }
  }

  ui(pathAndQuery, method = 'GET') { return this.call(method, pathAndQuery); }

  /** The messages of `mailbox` as /ui/api/messages lists them (newest first). */
  async messages(mailbox, q = '') {
    const r = await this.ui(`/ui/api/messages?mailbox=${encodeURIComponent(mailbox)}&q=${encodeURIComponent(q)}&limit=500`);
    if (r.status !== 200) throw new Error(`GET /ui/api/messages?mailbox=${mailbox}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data.messages;
  }

  /** Wait until `mailbox` lists `n` messages (or one whose subject has `subject`); the list. */
  async waitForMessages(mailbox, { n = 1, subject, timeoutMs = 20_000 } = {}) {
    const t0 = Date.now();
    for (;;) {
      const list = await this.messages(mailbox);
      if (subject ? list.some((m) => m.subject.includes(subject)) : list.length >= n) return list;
      if (Date.now() - t0 > timeoutMs) {
        throw new Error(`${mailbox}: ${subject ? `no message "${subject}"` : `${list.length} of ${n} messages`} after ${timeoutMs} ms`);
      }
      await sleep(100);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Mail

/**
 * A raw RFC 5322 message (CRLF): text and/or HTML (multipart/alternative when both), and
 * `attachments` ([{ filename, contentType, content: Buffer }], base64; multipart/mixed).
 */
export function compose({ from, to, subject, text, html, attachments = [], date = new Date(), id = uniq() }) {
  const head = [
    `From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${id}@otpcatch-web-tests.example>`, 'MIME-Version: 1.0',
  ];
  const part = (type, body) => [`Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: 8bit', '', body.replace(/\r?\n/g, '\r\n')].join('\r\n');
  let content;
  if (text !== undefined && html !== undefined) {
    const b = `=_alt_${id}`;
    content = [`Content-Type: multipart/alternative; boundary="${b}"`, '', `--${b}`, part('text/plain', text),
      `--${b}`, part('text/html', html), `--${b}--`, ''].join('\r\n');
  } else {
    content = html !== undefined ? part('text/html', html) : part('text/plain', text ?? '');
  }
  if (attachments.length) {
    const b = `=_mixed_${id}`;
    const files = attachments.map((a) => [
      `Content-Type: ${a.contentType}; name="${a.filename}"`, `Content-Disposition: attachment; filename="${a.filename}"`,
      'Content-Transfer-Encoding: base64', '', a.content.toString('base64').replace(/.{76}/g, '$&\r\n'),
    ].join('\r\n'));
    content = [`Content-Type: multipart/mixed; boundary="${b}"`, '', `--${b}`, content, ...files.flatMap((f) => [`--${b}`, f]), `--${b}--`, ''].join('\r\n');
  }
  // `content` starts with its own Content-Type header line(s), then a blank line, then the body.
  return `${head.join('\r\n')}\r\n${content}\r\n`;
}

/** The envelope sender of a From: header ("Name <a@b>" → a@b). */
const envelopeFrom = (from) => (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from).trim();

/** Send messages ({ from, to, …compose fields }) over one SMTP connection (python3 smtplib). */
export async function sendMail(server, ...mails) {
  const messages = mails.map((m) => ({ from: envelopeFrom(m.from), to: [m.to], data: compose(m) }));
  await python(['send'], { host: server.smtpHost, port: server.smtpPort, messages });
}

/** Deliver `n` small messages to `to` over one SMTP connection; the seconds it took. */
export async function sendBulk(server, to, n) {
  const out = await python(['bulk'], { host: server.smtpHost, port: server.smtpPort, to, n });
  return Number(out.trim());
}

async function python(args, input) {
  const child = spawn(PYTHON, [SEND, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  track(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  child.stdin.end(JSON.stringify(input));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${PYTHON} smtp_send.py ${args.join(' ')}: exit ${code}\n${err}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// A stand-in for a remote host: counts every request; 127.0.0.1, a free port, stopped by close()

export async function startSpy() {
  const requests = [];
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
  const srv = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, referer: req.headers.referer ?? null, at: Date.now() });
    const headers = { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' };
    if (req.url.endsWith('.png')) res.writeHead(200, { ...headers, 'Content-Type': 'image/png' }).end(png);
    else if (req.url.endsWith('.css')) res.writeHead(200, { ...headers, 'Content-Type': 'text/css' }).end('body{outline:0}');
    else res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end('<p>remote</p>');
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    count: () => requests.length,
    reset: () => { requests.length = 0; },
    close: () => new Promise((r) => { srv.closeAllConnections?.(); srv.close(() => r()); }),
  };
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

/**
 * Run `body(page, watch)` in a fresh context (1280x800, light scheme). `watch` records what the
 * page did: every request, console message, dialog (dismissed) and uncaught error, and the
 * main frame's navigations. An uncaught error in the page fails the test. On failure: a
 * screenshot in logs/failures/NAME.png and the page's console errors in the message.
 */
export async function withPage(browser, name, body, { contextOptions = {} } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', ...contextOptions });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const watch = { requests: [], console: [], dialogs: [], errors: [], navigations: 0 };
  // Every request the page (or a frame in it) started, with how it ended: `failure` is the net
  // error when it failed (net::ERR_BLOCKED_BY_CSP when the policy stopped it before it left).
  const byRequest = new Map();
  page.on('request', (r) => {
    const entry = { url: r.url(), type: r.resourceType(), at: Date.now(), failure: null };
    byRequest.set(r, entry);
    watch.requests.push(entry);
  });
  page.on('requestfailed', (r) => { const e = byRequest.get(r); if (e) e.failure = r.failure()?.errorText ?? 'failed'; });
  page.on('console', (m) => watch.console.push({ type: m.type(), text: m.text(), url: m.location()?.url ?? '' }));
  page.on('dialog', (d) => { watch.dialogs.push({ type: d.type(), message: d.message() }); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => watch.errors.push(String(e?.stack ?? e)));
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) watch.navigations++; });
  try {
    await body(page, watch, context);
    if (watch.errors.length) throw new Error(`uncaught errors in the page:\n${watch.errors.join('\n')}`);
  } catch (e) {
    fs.mkdirSync(path.join(LOGS, 'failures'), { recursive: true });
    const file = path.join(LOGS, 'failures', `${name}.png`);
    await page.screenshot({ path: file }).catch(() => {});
    const errors = watch.console.filter((m) => m.type === 'error' || m.type === 'warning').map((m) => `  ${m.type}: ${m.text}`);
    e.message += `\n(page ${page.url()}, screenshot ${file})`;
    if (errors.length) e.message += `\nconsole errors and warnings:\n${errors.slice(-15).join('\n')}`;
    throw e;
  } finally {
    await context.close();
  }
}

/** Poll `fn` (async) until it returns a truthy value; that value. */
export async function until(fn, what, timeoutMs = 10_000, everyMs = 100) {
  const t0 = Date.now();
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) { last = e; }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// The inbox, through its DOM contract (see /work/notes/web-contract.md)

/** The `li.mailbox` of `address` ("" is "All mail"). */
export const mailboxItem = (page, address) => page.locator(`#mailboxes li.mailbox[data-address="${address}"]`);
/** The `li.message` items whose text contains `text`. */
export const messageItem = (page, text) => page.locator('#messages li.message').filter({ hasText: text });

/** Open the inbox and sign in with `token` through the form (input labelled "API token"). */
export async function signIn(page, server, token) {
  await page.goto(server.inboxUrl);
  await page.getByLabel('API token').fill(token);
  await page.click('#signin-submit');
  await page.locator('#signin').waitFor({ state: 'hidden' });
  await page.locator('#mailboxes').waitFor({ state: 'visible' });
}

/** Select the mailbox `address` in ul#mailboxes and wait until it is the current one. */
export async function selectMailbox(page, address) {
  const item = mailboxItem(page, address);
  await item.waitFor({ state: 'visible' });
  await item.locator('button').first().click();
  await until(async () => (await item.getAttribute('aria-current')) === 'true'
    || (await item.locator('[aria-current="true"]').count()) > 0, `mailbox ${JSON.stringify(address)} to be aria-current`);
}

/** Open the message whose list item shows `subject`; wait until h2#message-subject shows it. */
export async function openMessage(page, subject) {
  const item = messageItem(page, subject);
  await item.first().waitFor({ state: 'visible' });
  await item.first().locator('button').first().click();
  await until(async () => (await page.locator('#message-subject').textContent())?.includes(subject), `h2#message-subject to show "${subject}"`);
}
