// Flask-AppBuilder self-registration: the form mails an activation link (FAB's default template,
// sent by Flask-Mail as multipart with an empty text part and the link in the HTML); the link
// activates the account, which can then sign in. FAB's email validation rejects special-use
// domains such as .test, so the address is on example.com (served by `otpcatch run --domain`).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HOSTS, PYTHON, TIMINGS, startServer, stateDir, launchBrowser, withPage, newAddress, obtain, messageJson,
  uniq } from './lib.mjs';

const host = path.join(HOSTS, 'fab');

describe('Flask-AppBuilder: self-registration activation link', () => {
  let server;
  let browser;
  before(async () => {
    const db = path.join(stateDir('fab'), 'app.db');
    server = await startServer('fab', { cwd: host, command: () => [PYTHON, 'app.py'], env: () => ({ FAB_DB: db }) });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const timing of TIMINGS) {
    test(`register, activate, sign in (wait started ${timing} the mail)`, { timeout: 120_000 }, () =>
      withPage(browser, `fab-${timing}`, async (page) => {
        const address = await newAddress('example.com');
        const username = `u${uniq()}`;
        const password = 'Correct-Horse-42';
        const signIn = async () => {
          await page.goto(`${server.url}/login/`);
          await page.fill('#username', username);
          await page.fill('#password', password);
          await page.click('input[type=submit], button[type=submit]');
          await page.waitForLoadState();
          return page.locator('a[href*="/logout"]').count();
        };

        await page.goto(`${server.url}/register/form`);
        for (const [k, v] of Object.entries({ username, first_name: 'Otp', last_name: 'Catch', email: address, password, conf_password: password })) {
          await page.fill(`#${k}`, v);
        }
        const link = await obtain('link', address, {
          timing,
          subject: /^Account activation$/,
          trigger: async () => {
            await page.click('#model_form button[type=submit]');
            await page.waitForLoadState();
            await page.getByText('Registration sent to your email').waitFor();
          },
        });
        assert.match(link, new RegExp(`^${server.url}/register/activation/[0-9a-f-]{36}$`));
        const mail = await messageJson(address, /^Account activation$/);
        assert.equal(mail.body.trim(), '', 'the text part is empty: the link came from the HTML');
        assert.ok(mail.html.includes(link), 'the HTML carries the link');

        assert.equal(await signIn(), 0, 'signed in before activation');
        await page.goto(link);
        await page.getByText('Your user is activated you can now proceed to login').waitFor();
        assert.equal(await signIn(), 1, 'not signed in after activation');
      }));
  }
});
