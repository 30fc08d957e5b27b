/**
 * otpcatch for Node: fresh email addresses, and the one-time codes, links
 * and TOTP codes of sign-up and sign-in flows, for tests of sites you own
 * or may test. Backed by the 22.do temp-mail API (https://22.do) or
 * otpcatch's local mail server; every call runs the otpcatch binary that
 * comes with this package.
 *
 * The functions here use the environment, read at each call:
 * OTPCATCH_API_URL (default: 22.do's), OTPCATCH_TOKEN, and OTPCATCH_BINARY.
 * For another server, use {@link createClient}; for Playwright, import
 * `otpcatch/playwright`.
 *
 * @packageDocumentation
 */

import { createClient } from './client';
import type { Mailbox, MailboxOptions } from './mailbox';
import type {
  CallOptions,
  ExpectNoneOptions,
  Extraction,
  ExtractOptions,
  Filter,
  Message,
  MessageSummary,
  TotpOptions,
} from './types';

export { binaryPath, PLATFORM_PACKAGES } from './binary';
export { Client, createClient, type ClientOptions } from './client';
export {
  AuthError,
  BinaryNotFoundError,
  NothingExtractedError,
  OtpcatchError,
  UnavailableError,
  UnexpectedMessageError,
  UsageError,
  WaitTimeoutError,
  type OtpcatchErrorDetails,
} from './errors';
export { Mailbox, type MailboxOptions } from './mailbox';
export { MailServer, mailServerFromEnv, startMailServer, type MailServerInfo, type StartMailServerOptions } from './server';
export type * from './types';

/** The client of the top-level functions: no options, so the environment decides at each call. */
const defaultClient = createClient();

/** Creates a fresh address and resolves with it. */
export function newAddress(options?: CallOptions): Promise<string> {
  return defaultClient.newAddress(options);
}

/** Creates a fresh address and resolves with a {@link Mailbox} for it. */
export function newMailbox(options?: MailboxOptions): Promise<Mailbox> {
  return defaultClient.newMailbox(options);
}

/**
 * Waits for a message to `address` matching `filter` that has a one-time
 * code, and resolves with the code.
 *
 * @throws {WaitTimeoutError} when none arrived in time; the message lists what did.
 * @throws {NothingExtractedError} when messages matched but none had a code.
 */
export function waitForCode(address: string, filter?: Filter): Promise<string> {
  return defaultClient.waitForCode(address, filter);
}

/**
 * Waits for a message to `address` matching `filter` that has a
 * confirmation or sign-in link, and resolves with the link.
 *
 * @throws {WaitTimeoutError} when none arrived in time; the message lists what did.
 * @throws {NothingExtractedError} when messages matched but none had a link.
 */
export function waitForLink(address: string, filter?: Filter): Promise<string> {
  return defaultClient.waitForLink(address, filter);
}

/**
 * Waits for any message to `address` matching `filter`, and resolves with
 * it (and the code and link found in it, if any).
 *
 * @throws {WaitTimeoutError} when none arrived in time; the message lists what did.
 */
export function waitForMessage(address: string, filter?: Filter): Promise<Message> {
  return defaultClient.waitForMessage(address, filter);
}

/**
 * Resolves once no message to `address` matching the filter has arrived
 * for `options.for` (`'5s'`, or milliseconds). Mail already received counts.
 *
 * @throws {UnexpectedMessageError} when one arrived; the message names it.
 */
export function expectNone(address: string, options: ExpectNoneOptions): Promise<void> {
  return defaultClient.expectNone(address, options);
}

/** Resolves with the messages `address` has received, as the inbox lists them. */
export function inbox(address: string, options?: CallOptions): Promise<MessageSummary[]> {
  return defaultClient.inbox(address, options);
}

/**
 * Finds the code and the link in an email file (`.eml`, 22.do `.json`,
 * `.html` or `.txt`). What is not found is `null`; `misses` says why.
 *
 * @throws {UsageError} when the file cannot be read.
 */
export function extract(file: string, options?: ExtractOptions): Promise<Extraction> {
  return defaultClient.extract(file, options);
}

/**
 * The current RFC 6238 code of a TOTP secret (base32) or `otpauth://` URI.
 * The secret reaches the binary on its stdin, never on its command line.
 *
 * @example await totp(secret, { fresh: '5s' }) // a code valid for at least 5 more seconds
 */
export function totp(secret: string, options?: TotpOptions): Promise<string> {
  return defaultClient.totp(secret, options);
}
