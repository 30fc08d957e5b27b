// The web inbox's first paint: a signed-in page opened on a mailbox of
// 10,000 messages, timed from the navigation's start to the first message
// drawn (checked every animation frame), in headless Chromium.
// Usage: node bench/inbox-paint.mjs INBOX_URL TOKEN MAILBOX [SAMPLES]
// (bench/inbox.sh runs it; playwright-core comes from tests/web).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [inbox, token, mailbox, samples = '20'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.goto(inbox);
await page.getByLabel('API token').fill(token);
await page.locator('#signin-submit').click();
await page.waitForSelector('#mailboxes li.mailbox');

const times = [];
for (let i = 0; i < Number(samples); i++) {
  await page.goto(`${inbox}#mailbox=${encodeURIComponent(mailbox)}&sample=${i}`);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#messages li.message'), null, { polling: 'raf' });
  times.push(await page.evaluate(() => performance.now()));
  const shown = await page.locator('#messages li.message').count();
  if (shown > 500) throw new Error(`${shown} messages drawn: the list must be paged`);
}
await browser.close();
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(0);
console.log(`first_paint\tsamples=${times.length}\tp50=${at(0.5)}ms\tp90=${at(0.9)}ms\tmax=${at(1)}ms`);
