// The package as installed: the binary from the platform package, both
// module formats, and extract() on an email file.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { binaryPath, extract, NothingExtractedError, UsageError } from 'otpcatch';

import { expect, test } from './fixtures';

test('the binary is the one the platform package installed, not OTPCATCH_BINARY', async ({ mailServer }) => {
  expect(process.env.OTPCATCH_BINARY).toBeUndefined();
  const expected = path.join(fs.realpathSync(process.cwd()), 'node_modules', '@otpcatch', 'linux-x64', 'bin', 'otpcatch');
  expect(fs.realpathSync(binaryPath())).toBe(expected);
  expect(fs.realpathSync(mailServer.client.binaryPath())).toBe(expected);
  expect(execFileSync(binaryPath(), ['--version'], { encoding: 'utf8' })).toMatch(/^otpcatch \d+\.\d+\.\d+/);
});

test('the package loads with require() and with import', () => {
  const run = (args: string[]) => execFileSync(process.execPath, args, { encoding: 'utf8' }).trim();
  expect(run(['-e', `
    const otpcatch = require('otpcatch');
    const { test, expect, waitForCode } = require('otpcatch/playwright');
    console.log([typeof otpcatch.waitForCode, typeof otpcatch.WaitTimeoutError, typeof test.extend, typeof expect, typeof waitForCode].join(' '));
  `])).toBe('function function function function function');
  expect(run(['--input-type=module', '-e', `
    import { waitForCode, totp, WaitTimeoutError, NothingExtractedError } from 'otpcatch';
    import { test } from 'otpcatch/playwright';
    console.log([typeof waitForCode, typeof totp, new NothingExtractedError('x', { exitCode: 4 }) instanceof WaitTimeoutError, typeof test].join(' '));
  `])).toBe('function function true function');
});

const SIGNUP_EML = [
  'From: Acme <no-reply@acme.test>',
  'To: someone@otpcatch.test',
  'Subject: Confirm your Acme account',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Welcome to Acme!',
  '',
  'Your verification code is 481923. It expires in 10 minutes.',
  '',
  'Or confirm your address with this link:',
  'https://acme.test/confirm?token=Zq8Xv2',
  '',
].join('\r\n');

test('extract() finds the code and the link in an .eml file', async ({}, testInfo) => {
  const file = testInfo.outputPath('signup.eml');
  fs.writeFileSync(file, SIGNUP_EML);
  const found = await extract(file);
  expect(found.code).toBe('481923');
  expect(found.link).toBe('https://acme.test/confirm?token=Zq8Xv2');
  expect(found.rule).toBe('generic');
  expect(found.reason).toContain('code');
  expect(found.details.code?.value).toBe('481923');
});

test('extract() says null for what is not there, and rejects a file with nothing or that it cannot read', async ({}, testInfo) => {
  const linkOnly = testInfo.outputPath('link-only.txt');
  fs.writeFileSync(linkOnly, 'Confirm your address: https://acme.test/confirm?token=Zq8Xv2\n');
  const found = await extract(linkOnly);
  expect(found.code).toBeNull();
  expect(found.link).toBe('https://acme.test/confirm?token=Zq8Xv2');

  const nothing = testInfo.outputPath('nothing.txt');
  fs.writeFileSync(nothing, 'Hello, there is nothing to act on here.\n');
  const none = await extract(nothing).catch((e: unknown) => e);
  expect(none).toBeInstanceOf(NothingExtractedError);
  expect((none as NothingExtractedError).message).toContain('no code or link found');

  const error = await extract(testInfo.outputPath('missing.eml')).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).message).toContain('missing.eml');
});
