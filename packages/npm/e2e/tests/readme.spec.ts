// The Playwright example of packages/npm/otpcatch/README.md and the top-level README.md: the
// lines between README:begin and README:end are shown there verbatim, and
// crates/otpcatch/tests/readme.rs checks that they still are.
// README:begin
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test as base, expect } from 'otpcatch/playwright';

// The site under test, started once per worker and sending its mail to that
// worker's otpcatch server (here otpcatch's example site; yours, in your tests).
const test = base.extend<{}, { site: string }>({
  site: [async ({ mailServer }, use) => {
    const site = spawn('python3', [process.env.OTPCATCH_EXAMPLE_SITE ?? 'examples/site/site.py', '--port', '0'], {
      env: { ...process.env, OTPCATCH_SMTP_HOST: mailServer.smtpHost, OTPCATCH_SMTP_PORT: String(mailServer.smtpPort) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = await once(createInterface({ input: site.stdout }), 'line'); // "listening on http://…"
    await use(line.replace('listening on ', ''));
    site.kill();
  }, { scope: 'worker' }],
  baseURL: async ({ site }, use) => use(site),
});

test('a new user verifies their email with the code otpcatch reads', async ({ page, mailbox }) => {
  await page.goto('/');
  await page.fill('#email', mailbox.address); // a fresh address for each test
  await page.click('#signup');

  const code = await mailbox.code({ subject: /confirm/ }); // waits for the email, reads the code
  await page.fill('#code', code);
  await page.click('#verify');
  await expect(page.locator('#status')).toHaveText('Account verified');
});
// README:end
