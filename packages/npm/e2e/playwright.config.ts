import { defineConfig } from '@playwright/test';

/**
 * Run by packages/npm/test.sh in a fresh project where the packed tarballs
 * are installed: `npx playwright test --workers 4`. Chromium is Debian's
 * (or CHROMIUM_PATH): nothing is downloaded.
 */
export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--headless=new', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  projects: [
    { name: 'e2e', testIgnore: /isolation-check\.spec\.ts/ },
    // Once every e2e test has run: did each worker use a server of its own?
    { name: 'isolation-check', testMatch: /isolation-check\.spec\.ts/, dependencies: ['e2e'] },
  ],
});
