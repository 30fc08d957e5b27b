// Parallel workers never see each other's mail: every test signs up with
// its own address and finds exactly its own two messages. Each notes which
// server its worker used; isolation-check.spec.ts then checks that each
// worker had a server of its own.
import { expect, recordServer, test } from './fixtures';

for (let i = 1; i <= 10; i++) {
  test(`sign-up ${i} sees exactly its own mail`, async ({ request, mailbox, mailServer }, testInfo) => {
    // The site's forms, posted directly: a code, then a sign-in link.
    expect((await request.post('/signup', { form: { email: mailbox.address } })).ok()).toBe(true);
    expect((await request.post('/signin', { form: { email: mailbox.address } })).ok()).toBe(true);

    expect(await mailbox.code({ subject: /confirm/ })).toMatch(/^\d{6}$/);
    expect(await mailbox.link({ subject: /sign in/ })).toContain('/magic?token=');
    const messages = await mailbox.messages();
    expect(messages).toHaveLength(2);
    expect(messages.map((m) => m.to)).toEqual([mailbox.address, mailbox.address]);
    expect(messages.map((m) => m.subject).sort()).toEqual(['Confirm your Example Site account', 'Sign in to Example Site']);

    recordServer(testInfo, mailServer, mailbox);
  });
}
