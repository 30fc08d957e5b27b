// djoser (Django REST framework): the activation link, the password-reset link, and the two
// notices that carry nothing ("account activated", "password changed"), all djoser's default
// templates. Registration and the reset request go through DRF's browsable API; the links lead
// to hosts/djoser/frontend.html, which posts them to djoser's API as a site's frontend would.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HOSTS, TIMINGS, stateDir, migrateDjango, startDjango, launchBrowser, withPage, newAddress, obtain,
  expectPassedOver, uniq } from './lib.mjs';

const host = path.join(HOSTS, 'djoser');

describe('djoser: activation link, reset link, notices without a link', () => {
  let server;
  let browser;
  before(async () => {
    const db = path.join(stateDir('djoser'), 'db.sqlite3');
    await migrateDjango(host, db);
    server = await startDjango('djoser', host, { db });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const timing of TIMINGS) {
    test(`register, activate, reset the password, sign in (waits started ${timing} the mail)`, { timeout: 120_000 }, () =>
      withPage(browser, `djoser-${timing}`, async (page) => {
        const address = await newAddress();
        const username = `u${uniq()}`;
        const status = (text) => page.waitForFunction((t) => document.getElementById('status').textContent === t, text);

        // A POST form of DRF's browsable API; check the HTTP status it shows.
        const post = async (apiPath, fields, expected) => {
          await page.goto(`${server.url}${apiPath}`);
          const form = page.locator('#post-object-form form');
          for (const [k, v] of Object.entries(fields)) await form.locator(`[name="${k}"]`).fill(v);
          await form.locator('button').click();
          await page.waitForLoadState();
          const info = await page.locator('.response-info').innerText();
          assert.equal(info.match(/HTTP (\d+)/)?.[1], expected, `${apiPath}: ${info}`);
        };
        const signIn = async (password, expected) => {
          await page.goto(`${server.url}/login/`);
          await page.fill('#login [name=username]', username);
          await page.fill('#login [name=password]', password);
          await page.click('#login button');
          await page.waitForFunction(() => !['', '…'].includes(document.getElementById('status').textContent));
          assert.match(await page.textContent('#status'), expected);
        };

        // Register: the activation mail. --delete, so that later waits without a subject
        // filter do not find this link again.
        const activation = await obtain('link', address, {
          timing,
          subject: /^Account activation on /,
          args: ['--delete'],
          trigger: () => post('/auth/users/', { email: address, username, password: 'Correct-Horse-42' }, '201'),
        });
        assert.match(activation, new RegExp(`^${server.url}/activate/[^/]+/[^/]+$`));
        await signIn('Correct-Horse-42', /^error: 400 /); // not active yet
        await page.goto(activation);
        await status('Account activated'); // djoser now mails the "account activated" notice
        await signIn('Correct-Horse-42', new RegExp(`^Signed in as ${username} <${address}>$`));

        // Forgot password: a wait with no subject filter passes over the "activated" notice
        // (already in the inbox) and returns the reset link.
        const reset = await obtain('link', address, {
          timing,
          subject: /^Password reset on /,
          filter: false,
          args: ['--delete'],
          trigger: () => post('/auth/users/reset_password/', { email: address }, '204'),
        });
        assert.match(reset, new RegExp(`^${server.url}/reset/[^/]+/[^/]+$`));

        // The reset link: a new password; djoser mails the "password changed" notice. A wait for
        // a link now ends with exit 4 and names both notices as having none.
        await page.goto(reset);
        await page.fill('#reset [name=new_password]', 'Battery-Staple-43');
        await expectPassedOver('link', address, {
          timing,
          subject: /Your password has been successfully changed/,
          filter: false,
          timeout: timing === 'before' ? '6s' : '2s',
          notices: [/successfully created and activated/, /password has been successfully changed/],
          trigger: async () => { await page.click('#reset button'); await status('Password changed'); },
        });
        await signIn('Correct-Horse-42', /^error: 400 /);
        await signIn('Battery-Staple-43', new RegExp(`^Signed in as ${username} <${address}>$`));
      }));
  }
});
