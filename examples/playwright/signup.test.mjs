// Sign up on the example site in headless Chromium, read the verification
// code with `otpcatch wait-for-code`, type it in, and check the account is
// verified. Run it under `otpcatch run -- npm test`, which starts a local
// mail server and sets OTPCATCH_API_URL, OTPCATCH_TOKEN and the SMTP address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const otpcatch = (...args) => execFileSync('otpcatch', args, { encoding: 'utf8' }).trim();

let site;
let siteUrl;
let browser;

before(async () => {
  const script = fileURLToPath(new URL('../site/site.py', import.meta.url));
  site = spawn('python3', [script, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: site.stdout }), 'line');
  siteUrl = line.replace('listening on ', '');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

after(async () => {
  await browser?.close();
  site?.kill();
});

test('a new user verifies their email with the code otpcatch reads', async () => {
  const address = otpcatch('new-address');
  const page = await browser.newPage();
  await page.goto(siteUrl);
  await page.fill('#email', address);
  await page.click('#signup');
  await page.waitForSelector('#code');

  const code = otpcatch('wait-for-code', '--address', address, '--subject', 'confirm', '--timeout', '30s');
  assert.match(code, /^\d{6}$/);

  await page.fill('#code', code);
  await page.click('#verify');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent !== 'Check your email');
  assert.equal(await page.textContent('#status'), 'Account verified');
});
