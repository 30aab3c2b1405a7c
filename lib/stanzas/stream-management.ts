/**
 * Stream Management: XEP-0198 v1.6.1, namespace `urn:xmpp:sm:3`. The nonzas `<enable/>`,
 * `<enabled/>`, `<resume/>`, `<resumed/>`, `<failed/>`, `<r/>` and `<a/>`, and the modulo-2^32
 * arithmetic of the `h` counter. The state machine (what to count, when to ask, what to resend) lives
 * in the transport.
 *
 * @see https://xmpp.org/extensions/xep-0198.html
 */
import type { Element } from 'ltx';
import { StanzaParseError, type StanzaErrorCondition } from '../errors.js';
import { h, parseUnsigned, textElement } from './element.js';
import { NS_SM, NS_STANZAS } from './ns.js';
import { STANZA_ERROR_CONDITIONS } from './stanza-error.js';

/** The largest value of `h`, 2^32 - 1: the counter is an `xs:unsignedInt` (XEP-0198 §4). */
export const SM_MAX_COUNTER = 0xffffffff;

/** `<enable/>`: the client asks for stream management (XEP-0198 §3). */
export interface SmEnable {
  readonly kind: 'enable';
  /** The client wants the stream to be resumable. */
  readonly resume: boolean;
  /** Preferred maximum resumption time, in seconds. */
  readonly max?: number;
}

/** `<enabled/>`: the server agrees (XEP-0198 §3, §5). */
export interface SmEnabled {
  readonly kind: 'enabled';
  /** The SM-ID, present whenever `resume` is true (XEP-0198 §5). */
  readonly id?: string;
  readonly resume: boolean;
  /** The server's maximum resumption time, in seconds. */
  readonly max?: number;
  /** Where to reconnect to resume (`host:port`, XEP-0198 §5). */
  readonly location?: string;
}

/** `<resume/>` (client) or `<resumed/>` (server): resumption with the last handled count (XEP-0198 §5). */
export interface SmResume {
  readonly kind: 'resume' | 'resumed';
  readonly h: number;
  readonly previd: string;
}

/** `<failed/>`: enabling or resuming failed (XEP-0198 §3, §5, §6), with a stanza error condition. */
export interface SmFailed {
  readonly kind: 'failed';
  /** The RFC 6120 §8.3.3 condition; `undefined-condition` when absent or unknown. */
  readonly condition: StanzaErrorCondition;
  /** Text of a `<text/>` in the stanzas namespace, `''` when absent. */
  readonly text: string;
  /** On a failed resumption, the count of stanzas the server handled (XEP-0198 §5). */
  readonly h?: number;
}

/** `<r/>`: ack request (XEP-0198 §4). */
export interface SmRequest {
  readonly kind: 'r';
}

/** `<a/>`: ack, with the count of handled stanzas (XEP-0198 §4). */
export interface SmAck {
  readonly kind: 'a';
  readonly h: number;
}

/** Any stream management element, by `kind` (its element name). */
export type StreamManagementMessage = SmEnable | SmEnabled | SmResume | SmFailed | SmRequest | SmAck;

const STANZA_CONDITIONS = new Set<string>(STANZA_ERROR_CONDITIONS);

// ---------------------------------------------------------------------------------------------------
// Counter arithmetic, XEP-0198 §4: "h" wraps from 2^32 - 1 back to 0.

/**
 * `handled + n` modulo 2^32 (the count after `n` more stanzas; `n` an integer, may be negative).
 * @see https://xmpp.org/extensions/xep-0198.html#acking
 */
export function smCounterAdd(handled: number, n: number): number {
  return (handled + n) >>> 0; // XEP-0198 §4: the value of 'h' MUST wrap to zero after 2^32 - 1
}

/**
 * `newer - older` modulo 2^32: how many stanzas an ack covers, across a wrap.
 * @see https://xmpp.org/extensions/xep-0198.html#acking
 */
export function smCounterDiff(newer: number, older: number): number {
  return (newer - older) >>> 0;
}

function checkCounter(value: number, what: string): string {
  if (!Number.isInteger(value) || value < 0 || value > SM_MAX_COUNTER) {
    throw new StanzaParseError('STANZA_INVALID_VALUE', `${what} is not an unsigned 32-bit integer: ${value}`);
  }
  return String(value);
}

function checkSeconds(value: number | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) throw new StanzaParseError('STANZA_INVALID_VALUE', `max is not a non-negative integer: ${value}`);
  return String(value);
}

// ---------------------------------------------------------------------------------------------------
// Building

/**
 * Builds `<enable/>`.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` when `max` is not a non-negative integer.
 * @see https://xmpp.org/extensions/xep-0198.html#enable
 */
export function buildSmEnable(options: { readonly resume?: boolean; readonly max?: number } = {}): Element {
  return h('enable', { xmlns: NS_SM, resume: options.resume ? 'true' : undefined, max: checkSeconds(options.max) });
}

/**
 * Builds `<enabled/>`.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` for `resume` without `id` (XEP-0198 §5: the server
 *   MUST include one), `STANZA_INVALID_VALUE` when `max` is not a non-negative integer.
 * @see https://xmpp.org/extensions/xep-0198.html#resumption
 */
export function buildSmEnabled(init: Omit<SmEnabled, 'kind' | 'resume'> & { readonly resume?: boolean }): Element {
  if (init.resume && init.id === undefined) throw new StanzaParseError('STANZA_MISSING_PART', 'a resumable <enabled/> needs an id');
  return h('enabled', {
    xmlns: NS_SM,
    id: init.id,
    resume: init.resume ? 'true' : undefined,
    max: checkSeconds(init.max),
    location: init.location,
  });
}

/**
 * Builds `<resume h previd/>`.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` when `h` is not in 0..2^32-1.
 * @see https://xmpp.org/extensions/xep-0198.html#resumption
 */
export function buildSmResume(handled: number, previd: string): Element {
  return buildResumeElement('resume', handled, previd);
}

/**
 * Builds `<resumed h previd/>`.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` when `h` is not in 0..2^32-1.
 * @see https://xmpp.org/extensions/xep-0198.html#resumption
 */
export function buildSmResumed(handled: number, previd: string): Element {
  return buildResumeElement('resumed', handled, previd);
}

function buildResumeElement(name: 'resume' | 'resumed', count: number, previd: string): Element {
  return h(name, { xmlns: NS_SM, h: checkCounter(count, 'h'), previd });
}

/**
 * Builds `<failed/>` with a stanza error condition, an optional `<text/>` (when not `''`) and `h`.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` when `h` is not in 0..2^32-1.
 * @see https://xmpp.org/extensions/xep-0198.html#errors
 */
export function buildSmFailed(init: { readonly condition: StanzaErrorCondition; readonly text?: string; readonly h?: number }): Element {
  const failed = h('failed', { xmlns: NS_SM, h: init.h === undefined ? undefined : checkCounter(init.h, 'h') });
  failed.cnode(h(init.condition, { xmlns: NS_STANZAS }));
  if (init.text) failed.cnode(textElement('text', init.text, { xmlns: NS_STANZAS }));
  return failed;
}

/** Builds the ack request `<r/>`. @see https://xmpp.org/extensions/xep-0198.html#acking */
export function buildSmRequest(): Element {
  return h('r', { xmlns: NS_SM });
}

/**
 * Builds the ack `<a h/>`.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` when `h` is not in 0..2^32-1.
 * @see https://xmpp.org/extensions/xep-0198.html#acking
 */
export function buildSmAck(handled: number): Element {
  return h('a', { xmlns: NS_SM, h: checkCounter(handled, 'h') }); // XEP-0198 §4: an <a/> MUST possess 'h'
}

/**
 * Builds any stream management element from its parsed form (the inverse of
 * {@link parseStreamManagement}).
 * @throws {StanzaParseError} as the builder of its kind.
 * @see https://xmpp.org/extensions/xep-0198.html
 */
export function buildStreamManagement(message: StreamManagementMessage): Element {
  switch (message.kind) {
    case 'enable': return buildSmEnable(message);
    case 'enabled': return buildSmEnabled(message);
    case 'resume': return buildSmResume(message.h, message.previd);
    case 'resumed': return buildSmResumed(message.h, message.previd);
    case 'failed': return buildSmFailed(message);
    case 'r': return buildSmRequest();
    case 'a': return buildSmAck(message.h);
  }
}

// ---------------------------------------------------------------------------------------------------
// Parsing
//
// Attributes are read by name (`attrs.h`), not through a shared keyed helper: these nonzas are read
// once per stanza sent or received, so the parser stays close to hand-written extraction.

type Attributes = Readonly<Record<string, unknown>>;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * A non-negative decimal integer: plain digits on a fast path, anything else (white space around it)
 * through {@link parseUnsigned}.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` when it is not one.
 */
function readUnsigned(value: string, what: string): number {
  const length = value.length;
  if (length === 0 || length > 15) return parseUnsigned(value, what);
  let n = 0;
  for (let i = 0; i < length; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return parseUnsigned(value, what);
    n = n * 10 + digit;
  }
  return n;
}

function readCounter(value: unknown, kind: string): number {
  if (typeof value !== 'string') throw new StanzaParseError('STANZA_MISSING_PART', `<${kind}/> without 'h'`);
  const count = readUnsigned(value, "'h'");
  if (count > SM_MAX_COUNTER) throw new StanzaParseError('STANZA_INVALID_VALUE', `'h' is over 2^32 - 1: ${value}`); // XEP-0198 §4
  return count;
}

/** xs:boolean: `true`/`1`, `false`/`0`; absent is false (XEP-0198 §3). */
function readBoolean(value: unknown, name: string): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new StanzaParseError('STANZA_INVALID_VALUE', `'${name}' is not a boolean: '${String(value)}'`);
}

function readPrevid(value: unknown, kind: string): string {
  if (typeof value !== 'string') throw new StanzaParseError('STANZA_MISSING_PART', `<${kind}/> without 'previd'`);
  return value;
}

function readEnabled(attrs: Attributes): SmEnabled {
  const resume = readBoolean(attrs.resume, 'resume');
  const enabled: { -readonly [K in keyof SmEnabled]: SmEnabled[K] } = { kind: 'enabled', resume };
  const id = str(attrs.id);
  if (id !== undefined) enabled.id = id;
  // XEP-0198 §5: a server that allows resumption MUST include an 'id'.
  else if (resume) throw new StanzaParseError('STANZA_MISSING_PART', "a resumable <enabled/> without 'id'");
  const max = str(attrs.max);
  if (max !== undefined) enabled.max = readUnsigned(max, "'max'");
  const location = str(attrs.location);
  if (location !== undefined) enabled.location = location;
  return enabled;
}

function readFailed(element: Element): SmFailed {
  let condition: StanzaErrorCondition | undefined;
  let text: string | undefined;
  for (const child of element.children) {
    if (typeof child === 'string' || child.getNS() !== NS_STANZAS) continue;
    const name = child.getName();
    if (name === 'text') text ??= child.getText();
    else if (condition === undefined && STANZA_CONDITIONS.has(name)) condition = name as StanzaErrorCondition;
  }
  const failed: { -readonly [K in keyof SmFailed]: SmFailed[K] } = { kind: 'failed', condition: condition ?? 'undefined-condition', text: text ?? '' };
  const handled = (element.attrs as Attributes).h;
  if (handled !== undefined) failed.h = readCounter(handled, 'failed');
  return failed;
}

/**
 * Reads any stream management element. `<failed/>` without a known stanza error condition reads as
 * `undefined-condition` (as RFC 6120 §8.3.3.21 and the stanza-error codec do).
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for an element outside `urn:xmpp:sm:3` or of another
 *   name; `STANZA_MISSING_PART` for `<a/>`, `<resume/>`, `<resumed/>` without `h`, the last two without
 *   `previd`, a resumable `<enabled/>` without `id`; `STANZA_INVALID_VALUE` for an `h` that is not in
 *   0..2^32-1, a `max` that is not a non-negative integer, a `resume` that is not a boolean.
 * @see https://xmpp.org/extensions/xep-0198.html
 */
export function parseStreamManagement(element: Element): StreamManagementMessage {
  const attrs: Attributes = element.attrs;
  let kind = element.name;
  if (attrs.xmlns !== NS_SM || kind.indexOf(':') !== -1) {
    if (element.getNS() !== NS_SM) {
      throw new StanzaParseError('STANZA_UNEXPECTED', `expected an element of ${NS_SM}, got <${element.name}/>`);
    }
    kind = element.getName();
  }
  switch (kind) {
    case 'r':
      return { kind };
    case 'a':
      return { kind, h: readCounter(attrs.h, kind) }; // XEP-0198 §4: an <a/> MUST possess 'h'
    case 'resume':
    case 'resumed':
      return { kind, h: readCounter(attrs.h, kind), previd: readPrevid(attrs.previd, kind) };
    case 'enable': {
      const resume = readBoolean(attrs.resume, 'resume');
      const max = str(attrs.max);
      return max === undefined ? { kind, resume } : { kind, resume, max: readUnsigned(max, "'max'") };
    }
    case 'enabled':
      return readEnabled(attrs);
    case 'failed':
      return readFailed(element);
    default:
      throw new StanzaParseError('STANZA_UNEXPECTED', `<${kind}/> is not a stream management element`);
  }
}

/** True for an element in `urn:xmpp:sm:3`. @see https://xmpp.org/extensions/xep-0198.html */
export function isStreamManagement(element: Element): boolean {
  return element.getNS() === NS_SM;
}
