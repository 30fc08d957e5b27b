// The fixtures these tests share: otpcatch's `test`, extended with the site
// under test (examples/site/site.py), started once per worker and sending
// its mail to that worker's otpcatch server.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

import type { Page, TestInfo } from '@playwright/test';
import { test as base, expect, type Mailbox, type MailServerInfo } from 'otpcatch/playwright';

export { expect };

export const test = base.extend<{}, { site: string }>({
  site: [
    async ({ mailServer }, use) => {
      const script = process.env.OTPCATCH_EXAMPLE_SITE;
      if (!script) throw new Error('set OTPCATCH_EXAMPLE_SITE to the path of examples/site/site.py (packages/npm/test.sh does)');
      const site = spawn('python3', [script, '--port', '0'], {
        env: { ...process.env, OTPCATCH_SMTP_HOST: mailServer.smtpHost, OTPCATCH_SMTP_PORT: String(mailServer.smtpPort) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = once(site, 'exit');
      const [line] = (await Promise.race([
        once(createInterface({ input: site.stdout }), 'line'),
        exited.then(([code]) => Promise.reject(new Error(`site.py exited with code ${code} before it listened`))),
      ])) as [string];
      await use(line.replace('listening on ', ''));
      site.kill(); // SIGTERM to its pid
      await exited;
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ site }, use) => use(site),
});

/** Signs up on the site with the mailbox's address; the site then mails a code. */
export async function signUp(page: Page, mailbox: Mailbox): Promise<void> {
  await page.goto('/');
  await page.fill('#email', mailbox.address);
  await page.click('#signup');
  await expect(page.locator('#status')).toHaveText('Check your email');
}

/** Asks the site for a sign-in link for the mailbox's address; the site then mails it. */
export async function askForSignInLink(page: Page, mailbox: Mailbox): Promise<void> {
  await page.goto('/signin');
  await page.fill('#email', mailbox.address);
  await page.click('#send-link');
  await expect(page.locator('#status')).toHaveText('Check your email');
}

/** Where tests note which server their worker used, for isolation-check.spec.ts (the output dir is emptied at each run). */
export function serverRecords(testInfo: TestInfo): string {
  return path.join(testInfo.project.outputDir, 'mail-servers');
}

/** Notes which server this test's worker used and which address the test had. */
export function recordServer(testInfo: TestInfo, mailServer: MailServerInfo, mailbox: Mailbox): void {
  const dir = serverRecords(testInfo);
  fs.mkdirSync(dir, { recursive: true });
  const record = { workerIndex: testInfo.workerIndex, apiUrl: mailServer.apiUrl, address: mailbox.address, test: testInfo.title };
  fs.writeFileSync(path.join(dir, `${testInfo.testId}.json`), JSON.stringify(record));
}
