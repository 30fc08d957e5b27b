/**
 * The shapes of what otpcatch prints with `--json`, and of the options the
 * calls take.
 */

/** A duration: a string as otpcatch reads it (`'30s'`, `'2m'`, `'1500ms'`) or a number of milliseconds. */
export type Duration = string | number;

/** A pattern: a RegExp (its `.source` is used; matching is always case-insensitive) or a regex as a string. */
export type Pattern = string | RegExp;

/** How sure the extraction is of a value. */
export type Confidence = 'low' | 'medium' | 'high';

/** A code or link a rule found, and why. */
export interface Found {
  /** The code or the link. */
  value: string;
  /** The rule that found it (`generic` for the built-in heuristic). */
  rule: string;
  /** Which extractor of the rule: `code[1]`, `link[2]`. */
  extractor: string;
  /** Why: the score and the evidence, or the pattern that matched. */
  reason: string;
  /** The text around the value, with the value in brackets. */
  context: string;
  /** The generic heuristic's score from 0 to 1; `null` for a site rule's match. */
  score: number | null;
  /** How sure the answer is. */
  confidence: Confidence;
}

/** A candidate the generic heuristic weighed and did not choose. */
export interface Candidate {
  /** The code or the link. */
  value: string;
  /** Its score, from 0 to 1. */
  score: number;
  /** How sure the heuristic would have been of it. */
  confidence: Confidence;
  /** Why it lost. */
  lost: string;
  /** What counted for and against it. */
  evidence: string[];
  /** The text around it. */
  context: string;
}

/** What the rules found in a message: `otpcatch extract --json`. */
export interface Extraction {
  /** The one-time code, or `null`. */
  code: string | null;
  /** The confirmation or sign-in link, or `null`. */
  link: string | null;
  /** The rule that found the code (or, failing that, the link). */
  rule: string | null;
  /** Why the code (or the link) was chosen. */
  reason: string | null;
  /** The details of each value found. */
  details: { code: Found | null; link: Found | null };
  /** The other candidates, best first, and why each lost. */
  runners_up: { code: Candidate[]; link: Candidate[] };
  /** For each rule tried that found nothing: why. */
  misses: string[];
}

/** A message and what was extracted from it: `otpcatch wait --json` (and `wait-for-code`, `wait-for-link`). */
export interface Message {
  /** The message's id (for `afterId`). */
  id: string;
  /** When it arrived, in Unix seconds. */
  time: number;
  /** The sender as the service shows it. */
  from: string;
  /** The address it was delivered to. */
  to: string;
  /** The decoded subject. */
  subject: string;
  /** The text part. */
  text: string;
  /** The HTML part. */
  html: string;
  /** The one-time code in it, or `null`. */
  code: string | null;
  /** The confirmation or sign-in link in it, or `null`. */
  link: string | null;
  /** The rule that found the code (or, failing that, the link). */
  rule: string | null;
  /** Why the code (or the link) was chosen. */
  reason: string | null;
  /** The details of each value found. */
  details: { code: Found | null; link: Found | null };
  /** The other candidates, best first, and why each lost. */
  runners_up: { code: Candidate[]; link: Candidate[] };
}

/** One line of `otpcatch inbox --json`: a message as the inbox lists it. */
export interface MessageSummary {
  /** When it arrived, in Unix seconds. */
  time: number;
  /** The decoded subject. */
  subject: string;
  /** The sender as the service shows it. */
  from: string;
  /** The address it was delivered to. */
  to: string;
  /** The message's id. */
  messageId: string;
  /** When the service will drop it, in Unix seconds. */
  expireTime: number;
  /** When it arrived, in Unix milliseconds (otpcatch's local server only). */
  timeMs?: number;
}

/** The address `newAddress` makes: `otpcatch new-address --json`. */
export interface NewAddress {
  /** The address. */
  email: string;
  /** Its local part. */
  account: string;
  /** Its domain. */
  domain: string;
  /** The kind of domain, as the API names it. */
  type: string;
}

/** Which messages count. Every pattern is a case-insensitive regex, and all given must match. */
export interface MatchFilter {
  /** The sender. */
  from?: Pattern;
  /** The subject. */
  subject?: Pattern;
  /** The text or HTML body. */
  body?: Pattern;
  /** Only mail received at or after this time: a Date, or Unix seconds. */
  since?: number | Date;
  /**
   * Only mail that arrives after the call starts (to the millisecond on the
   * local server, to the second on 22.do): start the wait, then trigger the mail.
   */
  sinceNow?: boolean;
  /** Only mail that arrived after the message with this id (for a resent code). */
  afterId?: string;
  /** Aborting it stops the wait; the call rejects with an `AbortError`. */
  signal?: AbortSignal;
}

/** A filter for the waits: which messages count, how long to wait, and which one to take. */
export interface Filter extends MatchFilter {
  /** How long to wait: `'30s'`, or milliseconds. Default: OTPCATCH_TIMEOUT, else 60 s. */
  timeout?: Duration;
  /** Of several matching messages, the newest one in the inbox when the wait first finds one. */
  latest?: boolean;
  /** The Nth matching message in order of arrival (1 is the first). */
  nth?: number;
  /** Extract with this rule only. */
  rule?: string;
  /** Delete the message once it has been read. */
  delete?: boolean;
}

/** The options of `expectNone`: which messages must not arrive, and for how long. */
export interface ExpectNoneOptions extends MatchFilter {
  /** How long no matching message may arrive: `'5s'`, or milliseconds. */
  for: Duration;
}

/** The options of `extract`. */
export interface ExtractOptions {
  /** Use only this rule. */
  rule?: string;
  /** Aborting it kills the binary; the call rejects with an `AbortError`. */
  signal?: AbortSignal;
}

/** The options of `totp`. Defaults: those of an `otpauth://` URI, else 6 digits, 30 s, SHA1. */
export interface TotpOptions {
  /** How many digits. */
  digits?: number;
  /** The time step in seconds. */
  period?: number;
  /** The HMAC. */
  algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
  /** The time to compute the code for: a Date, or Unix seconds. Default: now. */
  at?: number | Date;
  /**
   * If less than this is left of the current window, wait for the next one
   * first, so that the code is still valid when the site checks it: `'5s'`, or milliseconds.
   */
  fresh?: Duration;
  /** Aborting it kills the binary; the call rejects with an `AbortError`. */
  signal?: AbortSignal;
}

/** The options of calls that take nothing else. */
export interface CallOptions {
  /** Aborting it kills the binary; the call rejects with an `AbortError`. */
  signal?: AbortSignal;
}
