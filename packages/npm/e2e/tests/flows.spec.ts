// The example site's three flows, in Chromium, with the codes and links
// otpcatch reads: sign up with an emailed code, sign in with an emailed
// link, and turn on two-factor sign-in with a TOTP code.
import { totp } from 'otpcatch';

import { askForSignInLink, expect, signUp, test } from './fixtures';

test('signs up with the emailed code', async ({ page, mailbox }) => {
  await signUp(page, mailbox);

  const code = await mailbox.code({ subject: /confirm/, from: 'no-reply@site\\.example\\.test' });
  expect(code).toMatch(/^\d{6}$/);
  await page.fill('#code', code);
  await page.click('#verify');
  await expect(page.locator('#status')).toHaveText('Account verified');
});

test('waitForMessage returns the message and what was found in it', async ({ page, mailbox }) => {
  await signUp(page, mailbox);

  const message = await mailbox.message({ subject: /confirm/ });
  expect(message.id).not.toBe('');
  expect(message.to).toBe(mailbox.address);
  expect(message.from).toContain('no-reply@site.example.test');
  expect(message.subject).toBe('Confirm your Example Site account');
  expect(message.code).toMatch(/^\d{6}$/);
  expect(message.text).toContain(message.code!);
  expect(message.html).toContain(`<b>${message.code}</b>`);
  expect(message.rule).toBe('generic');
  expect(message.details.code?.confidence).toMatch(/^(low|medium|high)$/);
});

test('a resent code: afterId, nth and latest pick the second mail', async ({ page, mailbox }) => {
  await signUp(page, mailbox);
  const first = await mailbox.message({ subject: /confirm/ });

  await signUp(page, mailbox); // signing up again mails a new code; only the new one works
  const resent = await mailbox.code({ subject: /confirm/, afterId: first.id });
  expect(await mailbox.code({ subject: /confirm/, nth: 2 })).toBe(resent);
  expect(await mailbox.code({ subject: /confirm/, latest: true })).toBe(resent);
  expect(await mailbox.messages()).toHaveLength(2);

  await page.fill('#code', resent);
  await page.click('#verify');
  await expect(page.locator('#status')).toHaveText('Account verified');
});

test('signs in with the emailed link, which works once', async ({ page, mailbox, baseURL }) => {
  await askForSignInLink(page, mailbox);

  const link = await mailbox.link({ subject: /sign in/ });
  expect(link.startsWith(`${baseURL}/magic?token=`)).toBe(true);
  await page.goto(link);
  await expect(page.locator('#status')).toHaveText('Signed in');
  await expect(page.locator('#who')).toHaveText(mailbox.address);

  await page.goto(link);
  await expect(page.locator('#status')).toHaveText('This link has expired');
});

test('turns on two-factor sign-in with a TOTP code', async ({ page, mailbox }) => {
  await signUp(page, mailbox);
  await page.fill('#code', await mailbox.code({ subject: /confirm/ }));
  await page.click('#verify');
  await expect(page.locator('#status')).toHaveText('Account verified');

  await page.goto(`/2fa?email=${encodeURIComponent(mailbox.address)}`);
  const secret = (await page.locator('#secret').textContent()) ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  const code = await totp(secret, { fresh: '5s' }); // still valid when the site checks it
  expect(code).toMatch(/^\d{6}$/);
  await page.fill('#totp', code);
  await page.click('#enable');
  await expect(page.locator('#status')).toHaveText('Two-factor sign-in is on');
});
