// What a failure looks like: a typed error whose message is otpcatch's own
// explanation, and never the token.
import { inspect } from 'node:util';

import {
  AuthError,
  createClient,
  NothingExtractedError,
  OtpcatchError,
  startMailServer,
  UnexpectedMessageError,
  UsageError,
  WaitTimeoutError,
} from 'otpcatch';

import { askForSignInLink, expect, signUp, test } from './fixtures';

/** Everything an error shows: its message, fields and stack, as a reporter prints them. */
function shown(error: unknown): string {
  return `${inspect(error, { depth: 5 })}\n${JSON.stringify(error)}\n${(error as Error).stack}`;
}

test('a wait that times out rejects with WaitTimeoutError naming the mail that did arrive', async ({ page, mailbox, mailServer }) => {
  await signUp(page, mailbox);
  await mailbox.message({ subject: /confirm/ }); // it has arrived

  const error = await mailbox.code({ subject: /reset your password/, timeout: '1s' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WaitTimeoutError);
  expect(error).toBeInstanceOf(OtpcatchError);
  expect(error).not.toBeInstanceOf(NothingExtractedError);
  const timeout = error as WaitTimeoutError;
  expect(timeout.name).toBe('WaitTimeoutError');
  expect(timeout.exitCode).toBe(3);
  expect(timeout.message).toContain('subject "Confirm your Example Site account"');
  expect(timeout.message).toContain('reset your password');
  expect(timeout.stderr).toContain('hint:');
  expect(timeout.argv).toEqual(expect.arrayContaining(['wait-for-code', `--address=${mailbox.address}`, '--subject=reset your password', '--timeout=1s']));
  expect(mailServer.token).toMatch(/^[0-9a-f]{32}$/);
  expect(shown(error)).not.toContain(mailServer.token!);
});

test('messages that match but hold no code reject with NothingExtractedError', async ({ page, mailbox }) => {
  await askForSignInLink(page, mailbox);
  await mailbox.link({ subject: /sign in/ });

  const error = await mailbox.code({ subject: /sign in/, timeout: '1s' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NothingExtractedError);
  expect(error).toBeInstanceOf(WaitTimeoutError); // a kind of timeout
  expect((error as NothingExtractedError).exitCode).toBe(4);
  expect((error as NothingExtractedError).message).toContain('Sign in to Example Site');
});

test('expectNone passes while nothing matching arrives, and fails once it does', async ({ page, mailbox }) => {
  await mailbox.expectNone({ for: '1s' });

  await signUp(page, mailbox);
  await mailbox.message({ subject: /confirm/ });
  await mailbox.expectNone({ for: 500, subject: /reset your password/ }); // milliseconds

  const error = await mailbox.expectNone({ for: '5s', subject: /confirm/ }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UnexpectedMessageError);
  expect((error as UnexpectedMessageError).exitCode).toBe(3);
  expect((error as UnexpectedMessageError).message).toContain('Confirm your Example Site account');
});

test('a refused token is an AuthError that does not show the token', async ({ mailServer }) => {
  const client = createClient({ apiUrl: mailServer.apiUrl, token: 'not-the-token-4f1c2a' });
  expect(inspect(client)).not.toContain('not-the-token-4f1c2a');
  const error = await client.newAddress().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).exitCode).toBe(5);
  expect(shown(error)).not.toContain('not-the-token-4f1c2a');
});

test('a server that cannot start rejects with its own explanation', async () => {
  const error = await startMailServer({ args: ['--qps', '0'] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  expect((error as UsageError).message).toMatch(/^otpcatch serve exited with code 2 before it was ready:\n/);
  expect((error as UsageError).message).toContain('the quota must allow at least 1 request per second');
});

test('a started server stops on SIGTERM', async () => {
  const server = await startMailServer();
  expect(server.smtpHost).toBe('127.0.0.1');
  expect(server.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
  const address = await server.client.newAddress();
  expect(await server.client.inbox(address)).toEqual([]);
  await server.stop();
  expect(() => process.kill(server.pid, 0)).toThrow(); // gone
  const error = await server.client.newAddress().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OtpcatchError);
});
