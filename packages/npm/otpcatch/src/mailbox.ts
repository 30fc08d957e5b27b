/**
 * A mailbox: one fresh address and the waits on it, with a default timeout
 * and a signal that stops every wait (the Playwright fixture's).
 */

import type { Client } from './client';
import type { Duration, ExpectNoneOptions, Filter, Message, MessageSummary } from './types';

/** How a {@link Mailbox}'s waits behave when the call does not say. */
export interface MailboxOptions {
  /**
   * The timeout of a wait that gives none, computed at each call (the
   * Playwright fixture's: what is left of the test's time, less a margin).
   * `undefined`: otpcatch's default (OTPCATCH_TIMEOUT, else 60 s).
   */
  defaultTimeout?: () => Duration | undefined;
  /** Aborting it stops every wait of the mailbox (calls reject with an `AbortError`). */
  signal?: AbortSignal;
}

/** A fresh address and the calls that read it. */
export class Mailbox {
  /** The address: type it into the site under test. */
  readonly address: string;
  /** The client it reads through. */
  readonly client: Client;
  readonly #options: MailboxOptions;

  constructor(client: Client, address: string, options: MailboxOptions = {}) {
    this.client = client;
    this.address = address;
    this.#options = options;
  }

  /**
   * Waits for a message matching `filter` with a one-time code, and
   * resolves with the code.
   *
   * @throws {WaitTimeoutError} when none arrived in time; the message lists what did.
   */
  code(filter: Filter = {}): Promise<string> {
    return this.client.waitForCode(this.address, this.#filter(filter));
  }

  /**
   * Waits for a message matching `filter` with a confirmation or sign-in
   * link, and resolves with the link.
   *
   * @throws {WaitTimeoutError} when none arrived in time; the message lists what did.
   */
  link(filter: Filter = {}): Promise<string> {
    return this.client.waitForLink(this.address, this.#filter(filter));
  }

  /**
   * Waits for any message matching `filter`, and resolves with it (and the
   * code and link found in it, if any).
   *
   * @throws {WaitTimeoutError} when none arrived in time; the message lists what did.
   */
  message(filter: Filter = {}): Promise<Message> {
    return this.client.waitForMessage(this.address, this.#filter(filter));
  }

  /**
   * Resolves once no matching message has arrived for `options.for`; mail
   * already received counts.
   *
   * @throws {UnexpectedMessageError} when one arrived; the message names it.
   */
  expectNone(options: ExpectNoneOptions): Promise<void> {
    return this.client.expectNone(this.address, { ...options, ...this.#signal(options.signal) });
  }

  /** Resolves with every message the address has received so far. */
  messages(): Promise<MessageSummary[]> {
    return this.client.inbox(this.address, this.#signal(undefined));
  }

  #filter(filter: Filter): Filter {
    const timeout = filter.timeout ?? this.#options.defaultTimeout?.();
    return { ...filter, ...(timeout === undefined ? {} : { timeout }), ...this.#signal(filter.signal) };
  }

  /** The call's signal and the mailbox's, combined. */
  #signal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
    const own = this.#options.signal;
    if (!signal) return own ? { signal: own } : {};
    if (!own) return { signal };
    return { signal: AbortSignal.any([signal, own]) };
  }
}
