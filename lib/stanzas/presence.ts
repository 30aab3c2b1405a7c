/**
 * Presence: RFC 6121 §3 (subscriptions) and §4 (exchanging presence), on the stanza semantics of
 * RFC 6120 §8 (March 2011); with the XEP-0115 v1.6 entity capabilities element.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-3
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-4
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8
 * @see https://xmpp.org/extensions/xep-0115.html
 */
import type { Element } from 'ltx';
import type { Caps } from './caps.js';
import { StanzaParseError, type StanzaErrorDetails } from '../errors.js';
import { attr, h, textElement } from './element.js';
import { NS_CAPS, NS_CLIENT } from './ns.js';
import { buildStanzaError, parseStanzaError, type StanzaErrorInit } from './stanza-error.js';

/** RFC 6121 §4.7.1: the presence types; `available` stands for "no type attribute". */
export type PresenceType =
  | 'available' | 'unavailable' | 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed' | 'probe' | 'error';

/** RFC 6121 §4.7.2.1: the availability sub-states. */
export type PresenceShow = 'away' | 'chat' | 'dnd' | 'xa';

/** XEP-0115 §4: what the `<c/>` element says; caps.ts computes and checks `ver`. */
export type PresenceCaps = Caps;

/** What every presence may carry; absent parts are left out. */
export interface PresenceCommon {
  readonly to?: string;
  readonly from?: string;
  readonly id?: string;
  readonly show?: PresenceShow;
  readonly status?: string;
  /** An integer from -128 to 127 (RFC 6121 §4.7.2.3); a missing priority means 0. */
  readonly priority?: number;
  readonly caps?: PresenceCaps;
}

/** A presence stanza, by type; the `error` type carries the error's details (RFC 6120 §8.3). */
export type Presence = PresenceCommon & (
  | { readonly type: Exclude<PresenceType, 'error'> }
  | { readonly type: 'error'; readonly error: StanzaErrorDetails }
);

/** What {@link buildPresence} takes: as {@link Presence}, with the type optional (`available`). */
export type PresenceInit = PresenceCommon & (
  | { readonly type?: Exclude<PresenceType, 'error'> }
  | { readonly type: 'error'; readonly error: StanzaErrorInit }
);

const TYPES = new Set<string>(['unavailable', 'subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe', 'error']);
const SHOWS = new Set<string>(['away', 'chat', 'dnd', 'xa']);
const PRIORITY = /^[+-]?\d{1,3}$/;

/**
 * Builds a presence stanza in `jabber:client`.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for a priority that is not an integer from -128
 *   to 127 (RFC 6121 §4.7.2.3).
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-4.7
 */
export function buildPresence(init: PresenceInit = {}): Element {
  const type = init.type === 'available' ? undefined : init.type;
  const presence = h('presence', { xmlns: NS_CLIENT, type, to: init.to, from: init.from, id: init.id });
  if (init.show !== undefined) presence.cnode(textElement('show', init.show));
  if (init.status !== undefined) presence.cnode(textElement('status', init.status));
  if (init.priority !== undefined) {
    const priority = init.priority;
    // RFC 6121 §4.7.2.3: the priority MUST be an integer between -128 and +127.
    if (!Number.isInteger(priority) || priority < -128 || priority > 127) {
      throw new StanzaParseError('STANZA_INVALID_VALUE', `a presence priority must be an integer from -128 to 127, not ${priority}`);
    }
    presence.cnode(textElement('priority', String(priority)));
  }
  if (init.caps) presence.cnode(h('c', { xmlns: NS_CAPS, hash: init.caps.hash, node: init.caps.node, ver: init.caps.ver }));
  if (init.type === 'error') presence.cnode(buildStanzaError(init.error));
  return presence;
}

/**
 * Reads a presence stanza. Unknown children are ignored; of repeated `show`, `status` or `priority`
 * the first counts; a `<c/>` without `hash` (the legacy XEP-0115 format) is ignored.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` when it is not a `<presence/>` of `jabber:client`
 *   (or `jabber:server`, or no namespace); `STANZA_INVALID_VALUE` for an unknown type or show, or a
 *   priority that is not an integer from -128 to 127; `STANZA_MISSING_PART` for an error presence
 *   without `<error/>`, or a `<c/>` with `hash` but without `node` or `ver`.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-4.7
 */
export function parsePresence(element: Element): Presence {
  const ns = element.getNS();
  if (element.getName() !== 'presence' || (ns !== undefined && ns !== NS_CLIENT && ns !== 'jabber:server')) {
    throw new StanzaParseError('STANZA_UNEXPECTED', `expected <presence/>, got <${element.name}/>`);
  }
  const typeAttr = attr(element, 'type');
  if (typeAttr !== undefined && !TYPES.has(typeAttr)) {
    throw new StanzaParseError('STANZA_INVALID_VALUE', `unknown presence type '${typeAttr}'`); // RFC 6121 §4.7.1
  }
  const presence: {
    type: PresenceType; to?: string; from?: string; id?: string; show?: PresenceShow; status?: string;
    priority?: number; caps?: PresenceCaps; error?: StanzaErrorDetails;
  } = { type: (typeAttr ?? 'available') as PresenceType };
  const to = attr(element, 'to');
  if (to !== undefined) presence.to = to;
  const from = attr(element, 'from');
  if (from !== undefined) presence.from = from;
  const id = attr(element, 'id');
  if (id !== undefined) presence.id = id;
  let error: Element | undefined;
  const defaultNs = element.findNS(); // the namespace of unprefixed children without xmlns
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    let name = child.name;
    let childNs: string | undefined;
    if (name.indexOf(':') === -1) {
      const xmlns: unknown = child.attrs.xmlns;
      childNs = typeof xmlns === 'string' ? xmlns : defaultNs;
    } else {
      name = child.getName();
      childNs = child.getNS();
    }
    if (childNs === ns) {
      if (name === 'show') presence.show ??= readShow(child);
      else if (name === 'status') presence.status ??= child.getText();
      else if (name === 'priority') presence.priority ??= readPriority(child);
      else if (name === 'error') error ??= child;
    } else if (name === 'c' && childNs === NS_CAPS && presence.caps === undefined) {
      const caps = readCaps(child);
      if (caps) presence.caps = caps;
    }
  }
  if (presence.type === 'error') {
    // RFC 6120 §8.3.1: a stanza of type error MUST contain an <error/> child.
    if (!error) throw new StanzaParseError('STANZA_MISSING_PART', 'an error presence without <error/>');
    presence.error = parseStanzaError(error);
  }
  return presence as Presence;
}

/**
 * True for a `<presence/>` element (whatever its content; {@link parsePresence} checks the rest).
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.2.2
 */
export function isPresence(element: Element): boolean {
  return element.getName() === 'presence';
}

/**
 * Builds a subscription request to `to` (a bare JID).
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-3.1.1
 */
export function buildSubscribe(to: string, id?: string): Element {
  return buildPresence(id === undefined ? { type: 'subscribe', to } : { type: 'subscribe', to, id });
}

/**
 * Builds the approval of `to`'s subscription request.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-3.1.5
 */
export function buildSubscribed(to: string, id?: string): Element {
  return buildPresence(id === undefined ? { type: 'subscribed', to } : { type: 'subscribed', to, id });
}

/**
 * Builds the cancellation of one's subscription to `to`'s presence.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-3.3.1
 */
export function buildUnsubscribe(to: string, id?: string): Element {
  return buildPresence(id === undefined ? { type: 'unsubscribe', to } : { type: 'unsubscribe', to, id });
}

/**
 * Builds the denial of `to`'s subscription request, or the cancellation of `to`'s subscription.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-3.2.1 (cancelling), §3.1.4 (denying)
 */
export function buildUnsubscribed(to: string, id?: string): Element {
  return buildPresence(id === undefined ? { type: 'unsubscribed', to } : { type: 'unsubscribed', to, id });
}

/**
 * Builds the unavailable presence that ends one's availability, with an optional status text.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-4.5.1
 */
export function buildUnavailable(status?: string): Element {
  return buildPresence(status === undefined ? { type: 'unavailable' } : { type: 'unavailable', status });
}

function readShow(element: Element): PresenceShow {
  const value = element.getText().trim();
  // RFC 6121 §4.7.2.1: the show value MUST be one of away, chat, dnd, xa.
  if (!SHOWS.has(value)) throw new StanzaParseError('STANZA_INVALID_VALUE', `unknown presence show '${value}'`);
  return value as PresenceShow;
}

function readPriority(element: Element): number {
  const text = element.getText().trim();
  const value = PRIORITY.test(text) ? Number(text) : NaN;
  // RFC 6121 §4.7.2.3: an integer between -128 and +127.
  if (!(value >= -128 && value <= 127)) throw new StanzaParseError('STANZA_INVALID_VALUE', `presence priority is not an integer from -128 to 127: '${text}'`);
  return value === 0 ? 0 : value; // '-0' reads as 0
}

function readCaps(element: Element): PresenceCaps | undefined {
  const hash = attr(element, 'hash');
  if (hash === undefined) return undefined; // XEP-0115 §5.4 step 1: the legacy format, without hash, is not read
  const node = attr(element, 'node');
  const ver = attr(element, 'ver');
  // XEP-0115 §4: the 'hash', 'node' and 'ver' attributes are REQUIRED.
  if (node === undefined || ver === undefined) throw new StanzaParseError('STANZA_MISSING_PART', "an entity capabilities <c/> without 'node' or 'ver'");
  return { hash, node, ver };
}
