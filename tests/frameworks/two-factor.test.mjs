// django-two-factor-auth with its email method (django-otp's EmailDevice): the setup wizard mails
// a 6-digit code to confirm the address, and every later sign-in mails another. Two servers: the
// default text-only mail, and OTP_MODE=html, which adds an HTML alternative (multipart).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HOSTS, TIMINGS, stateDir, migrateDjango, startDjango, runPython, launchBrowser, withPage, newAddress,
  obtain, messageJson, uniq } from './lib.mjs';

const host = path.join(HOSTS, 'two-factor');
let db;

for (const mode of ['text', 'html']) {
  describe(`django-two-factor-auth, email method: 6-digit codes, ${mode === 'text' ? 'text-only' : 'HTML (multipart)'} mail`, () => {
    let server;
    let browser;
    before(async () => {
      if (!db) {
        db = path.join(stateDir('two-factor'), 'db.sqlite3');
        await migrateDjango(host, db);
      }
      server = await startDjango(`two-factor-${mode}`, host, { db, env: { OTP_MODE: mode } });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    for (const timing of TIMINGS) {
      test(`set up the email method, then sign in with a mailed code (waits started ${timing} the mail)`, { timeout: 120_000 }, () =>
        withPage(browser, `two-factor-${mode}-${timing}`, async (page) => {
          const address = await newAddress();
          const username = `u${uniq()}`;
          const password = 'Correct-Horse-42';
          // The app has no sign-up page: a bare user (no email) made with Django's own shell.
          await runPython(['manage.py', 'shell', '-c',
            `from django.contrib.auth.models import User; User.objects.create_user(${JSON.stringify(username)}, password=${JSON.stringify(password)})`],
          { cwd: host, env: { DJANGO_DB: db } });
          const next = () => page.click('button[type=submit].btn-primary');
          const signIn = async () => {
            await page.goto(`${server.url}/account/login/`);
            await page.fill('[name=auth-username]', username);
            await page.fill('[name=auth-password]', password);
          };

          // Setup wizard: choose Email, give the address; the code confirms it. --delete, so the
          // sign-in wait below cannot take this code (both mails are "OTP token").
          await signIn();
          await next();
          await page.waitForURL(/two_factor/);
          await page.goto(`${server.url}/account/two_factor/setup/`);
          await next(); // welcome
          await page.check('input[name=method-method][value=email]');
          await next(); // method
          await page.fill('[name=email-email]', address);
          const setupCode = await obtain('code', address, {
            timing,
            subject: /^OTP token$/,
            args: ['--delete'],
            trigger: async () => { await next(); await page.waitForSelector('[name=validation-token]'); },
          });
          assert.match(setupCode, /^\d{6}$/);
          await page.fill('[name=validation-token]', setupCode);
          await next();
          await page.waitForURL(/setup\/complete\/$/);

          // Sign out, sign in again: the token step; the mailed code completes the sign-in.
          await page.context().clearCookies();
          await signIn();
          const code = await obtain('code', address, {
            timing,
            subject: /^OTP token$/,
            trigger: async () => { await next(); await page.waitForSelector('[name=token-otp_token]'); },
          });
          assert.match(code, /^\d{6}$/);
          const mail = await messageJson(address, /^OTP token$/);
          if (mode === 'text') assert.equal(mail.html, '', 'text mode sent an HTML part');
          else assert.match(mail.html, new RegExp(`<b>${code}</b>`), 'html mode sent no HTML part with the code');
          await page.fill('[name=token-otp_token]', code);
          await next();
          await page.waitForURL(/\/account\/two_factor\/$/);
          await page.getByText('Disable Two-Factor Authentication').first().waitFor(); // the profile of a user with 2FA on
        }));
    }
  });
}
