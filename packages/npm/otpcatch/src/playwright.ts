/**
 * Playwright fixtures: `import { test, expect } from 'otpcatch/playwright'`.
 *
 * - `mailServer` (one per worker): the server named by OTPCATCH_API_URL
 *   (and OTPCATCH_TOKEN, OTPCATCH_SMTP_HOST, OTPCATCH_SMTP_PORT, as
 *   `otpcatch run` sets them) when it is set; otherwise an `otpcatch serve`
 *   of the worker's own on free loopback ports, stopped when the worker ends.
 * - `mailbox` (one per test): a fresh address on that server and the waits
 *   on it. Its waits time out a little before the test does, so that a
 *   failure shows otpcatch's explanation (what arrived, and why it did not
 *   count) rather than Playwright's bare timeout.
 *
 * Every test gets its own address, and every worker its own server (unless
 * one is given), so parallel workers never see each other's mail.
 *
 * @packageDocumentation
 */

import { expect, test as base, type TestInfo } from '@playwright/test';

import type { Mailbox } from './mailbox';
import { mailServerFromEnv, startMailServer, type MailServerInfo } from './server';

export * from './index';
export { expect };

/** The fixtures each test gets. */
export interface OtpcatchTestFixtures {
  /** A fresh address on the worker's mail server, and the waits on it. */
  mailbox: Mailbox;
}

/** The fixtures (and options) each worker gets. */
export interface OtpcatchWorkerFixtures {
  /** The worker's mail server: `apiUrl`, `smtpHost`, `smtpPort` and a `client` bound to it. */
  mailServer: MailServerInfo;
  /**
   * An option: more flags for the `otpcatch serve` each worker starts, such
   * as `['--domain', 'example.test']` (set it in `use` of playwright.config).
   */
  mailServerArgs: string[];
}

/** Playwright's `test`, with the `mailServer` and `mailbox` fixtures. */
export const test = base.extend<OtpcatchTestFixtures, OtpcatchWorkerFixtures>({
  mailServerArgs: [[], { scope: 'worker', option: true }],

  mailServer: [
    async ({ mailServerArgs }, use) => {
      if (process.env.OTPCATCH_API_URL) {
        await use(mailServerFromEnv());
        return;
      }
      const server = await startMailServer({ args: mailServerArgs });
      try {
        await use(server);
      } finally {
        await server.stop();
      }
    },
    { scope: 'worker' },
  ],

  mailbox: async ({ mailServer }, use, testInfo) => {
    const stop = new AbortController();
    const started = Date.now();
    const mailbox = await mailServer.client.newMailbox({
      signal: stop.signal,
      defaultTimeout: () => timeLeft(testInfo, started),
    });
    try {
      await use(mailbox);
    } finally {
      stop.abort(); // a wait still running when the test ends
    }
  },
});

/**
 * The default timeout of a mailbox's waits: what is left of the test's
 * time, less a margin, so that otpcatch gives up (and explains) before the
 * test times out. None when the test has no timeout or OTPCATCH_TIMEOUT is set.
 */
function timeLeft(testInfo: TestInfo, started: number): number | undefined {
  if (testInfo.timeout === 0 || process.env.OTPCATCH_TIMEOUT) return undefined;
  const margin = 1_000 + testInfo.timeout / 10;
  return Math.max(1_000, testInfo.timeout - (Date.now() - started) - margin);
}
