// django-registration-redux (default backend): the activation link, mailed as text and HTML
// (multipart, redux's default) or as text only (REGISTRATION_EMAIL_HTML = False), and the
// password-reset link (Django's view with redux's template). Redux's own pages throughout.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HOSTS, TIMINGS, stateDir, migrateDjango, startDjango, launchBrowser, withPage, newAddress, obtain,
  messageJson, uniq } from './lib.mjs';

const host = path.join(HOSTS, 'regredux');
let db;

for (const mode of ['html', 'text']) {
  describe(`django-registration-redux: activation link (${mode === 'text' ? 'text-only' : 'multipart'} mail), reset link`, () => {
    let server;
    let browser;
    before(async () => {
      if (!db) {
        db = path.join(stateDir('regredux'), 'db.sqlite3');
        await migrateDjango(host, db);
      }
      server = await startDjango(`regredux-${mode}`, host, { db, env: { REG_MODE: mode } });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    for (const timing of TIMINGS) {
      test(`register, activate, reset the password, sign in (waits started ${timing} the mail)`, { timeout: 120_000 }, () =>
        withPage(browser, `regredux-${mode}-${timing}`, async (page) => {
          const address = await newAddress();
          const username = `u${uniq()}`;
          const signIn = async (password) => {
            await page.goto(`${server.url}/accounts/login/`);
            await page.fill('[name=username]', username);
            await page.fill('[name=password]', password);
            await page.click('input[type=submit]');
            await page.waitForLoadState();
            return new URL(page.url()).pathname === '/accounts/password/change/'; // LOGIN_REDIRECT_URL
          };

          await page.goto(`${server.url}/accounts/register/`);
          await page.fill('[name=username]', username);
          await page.fill('[name=email]', address);
          await page.fill('[name=password1]', 'Correct-Horse-42');
          await page.fill('[name=password2]', 'Correct-Horse-42');
          const activation = await obtain('link', address, {
            timing,
            subject: /^Account activation on /,
            trigger: async () => { await page.click('input[type=submit]'); await page.waitForURL(/\/register\/complete\/$/); },
          });
          assert.match(activation, new RegExp(`^${server.url}/accounts/activate/[0-9a-f]+/$`));
          const mail = await messageJson(address, /^Account activation on /);
          if (mode === 'text') assert.equal(mail.html, '', 'text mode sent an HTML part');
          else assert.ok(mail.html.includes(activation), 'multipart mode sent no HTML part with the link');
          assert.equal(await signIn('Correct-Horse-42'), false, 'signed in before activation');
          await page.goto(activation);
          await page.waitForURL(/\/activate\/complete\/$/);
          assert.equal(await signIn('Correct-Horse-42'), true, 'not signed in after activation');

          await page.context().clearCookies();
          await page.goto(`${server.url}/accounts/password/reset/`);
          await page.fill('[name=email]', address);
          const reset = await obtain('link', address, {
            timing,
            subject: /^Password reset on /,
            trigger: async () => { await page.click('input[type=submit]'); await page.waitForURL(/\/reset\/done\/$/); },
          });
          assert.match(reset, new RegExp(`^${server.url}/accounts/password/reset/confirm/[^/]+/[^/]+/$`));
          await page.goto(reset);
          await page.fill('[name=new_password1]', 'Battery-Staple-43');
          await page.fill('[name=new_password2]', 'Battery-Staple-43');
          await page.click('input[type=submit]');
          await page.waitForURL(/\/reset\/complete\/$/);
          assert.equal(await signIn('Correct-Horse-42'), false, 'the old password still works');
          assert.equal(await signIn('Battery-Staple-43'), true, 'the new password does not work');
        }));
    }
  });
}
