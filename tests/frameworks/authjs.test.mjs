// Auth.js (@auth/express) with the Nodemailer provider: the built-in sign-in page mails a magic
// link (Auth.js's default template); following it signs the user in.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HOSTS, TIMINGS, startServer, launchBrowser, withPage, newAddress, obtain } from './lib.mjs';

describe('Auth.js: email magic link', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer('authjs', {
      command: () => [process.execPath, path.join(HOSTS, 'authjs', 'server.mjs')],
      cwd: path.join(HOSTS, 'authjs'),
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const timing of TIMINGS) {
    test(`sign in with the magic link (wait started ${timing} the mail)`, { timeout: 120_000 }, () =>
      withPage(browser, `authjs-${timing}`, async (page) => {
        const address = await newAddress();
        await page.goto(`${server.url}/auth/signin`);
        await page.fill('#input-email-for-nodemailer-provider', address);
        const link = await obtain('link', address, {
          timing,
          subject: /^Sign in to /,
          trigger: async () => {
            await page.click('#submitButton');
            await page.waitForURL(/verify-request/);
          },
        });
        assert.ok(link.startsWith(`${server.url}/auth/callback/nodemailer?`), link);
        await page.goto(link);
        assert.equal(await page.textContent('#who'), `Signed in as ${address}`);
      }));
  }
});
