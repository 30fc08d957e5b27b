// totp() against the test vectors of RFC 6238, appendix B: 8 digits, 30 s,
// with the RFC's ASCII seeds as base32 secrets.
import { OtpcatchError, totp } from 'otpcatch';

import { expect, test } from './fixtures';

/** RFC 4648 base32 without padding, as sites show TOTP secrets. */
function base32(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of Buffer.from(text, 'ascii')) bits += byte.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}

const SEEDS = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
} as const;

// [Unix time, SHA1, SHA256, SHA512]
const VECTORS: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

test('the RFC 6238 SHA1 secret is GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ in base32', () => {
  expect(base32(SEEDS.SHA1)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
});

for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
  test(`RFC 6238 vectors, ${algorithm}`, async () => {
    const secret = base32(SEEDS[algorithm]);
    const column = { SHA1: 1, SHA256: 2, SHA512: 3 }[algorithm];
    for (const vector of VECTORS) {
      const at = vector[0];
      expect(await totp(secret, { algorithm, digits: 8, period: 30, at }), `${algorithm} at ${at}`).toBe(vector[column]);
    }
  });
}

test('at takes a Date, and the defaults are 6 digits, 30 s, SHA1', async () => {
  const secret = base32(SEEDS.SHA1);
  expect(await totp(secret, { digits: 8, at: new Date(59_000) })).toBe('94287082');
  expect(await totp(secret, { at: 1111111109 })).toBe('081804'); // the last 6 of 07081804
});

test('an otpauth:// URI carries its own settings', async () => {
  const uri = `otpauth://totp/Example:alice@example.test?secret=${base32(SEEDS.SHA256)}&issuer=Example&algorithm=SHA256&digits=8&period=30`;
  expect(await totp(uri, { at: 59 })).toBe('46119246');
});

test('fresh: the code is still the current one right after', async () => {
  const secret = base32(SEEDS.SHA1);
  const code = await totp(secret, { fresh: '3s' }); // at least 3 s of its window left
  expect(await totp(secret)).toBe(code);
});

test('a secret that is not base32 is a usage error that does not show it', async () => {
  const error = await totp('not base32 at all!').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OtpcatchError);
  expect((error as OtpcatchError).exitCode).toBe(2);
  expect((error as OtpcatchError).argv).not.toContain('not base32 at all!');
});
