/**
 * Roster management: RFC 6121 §2 (XMPP IM, March 2011), with roster versioning (§2.6).
 *
 * Groups: RFC 6121 §2.1.2.6 and §2.3.3 make duplicate and empty groups an error in a roster set; the
 * parser ignores them (keeps the first of duplicates, drops empty names) rather than refusing a whole
 * roster for it, and the builders never write them, so that what is written is what is read.
 * JIDs are returned as the server wrote them (servers send them normalized); validate with
 * `parseJid` where it matters.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2
 */
import type { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { attr, h, localNameIn, textElement } from './element.js';
import { buildIq, buildIqGet, buildIqSet } from './iq.js';
import { NS_ROSTER } from './ns.js';
import { iqPayload } from './payload.js';

/** RFC 6121 §2.1.2.5: the subscription states; `remove` only in sets and pushes. */
export type RosterSubscription = 'none' | 'to' | 'from' | 'both' | 'remove';

/** A roster item (RFC 6121 §2.1.2). */
export interface RosterItem {
  readonly jid: string;
  /** The handle the user gave the contact, `''` when none (§2.1.2.4). */
  readonly name: string;
  /** `none` when the attribute is absent (§2.1.2.5). */
  readonly subscription: RosterSubscription;
  /** `subscribe` while an outbound subscription request is pending, else `''` (§2.1.2.2). */
  readonly ask: 'subscribe' | '';
  /** Group names, unique and non-empty, in document order (§2.1.2.6). */
  readonly groups: readonly string[];
  /** Subscription pre-approval (§2.1.2.1, §3.4), `false` when absent. */
  readonly approved: boolean;
}

/** A roster. `ver` is present when the server supports roster versioning (§2.6). */
export interface Roster {
  readonly ver?: string;
  readonly items: readonly RosterItem[];
}

/**
 * What a client may set (§2.1.5): add or update an item (name, groups), or remove it. A client MUST
 * NOT set `subscription` other than `remove`, nor `ask` or `approved` (§2.1.2).
 */
export type RosterSetItem =
  | { readonly jid: string; readonly name?: string; readonly groups?: readonly string[] }
  | { readonly jid: string; readonly subscription: 'remove' };

/** A roster push (§2.1.6). `from` is absent when the server left it out; the caller checks it. */
export interface RosterPush {
  readonly id: string;
  readonly from?: string;
  readonly ver?: string;
  readonly item: RosterItem;
}

/**
 * Builds the roster get. `ver` (roster versioning, §2.6.2): `''` asks for the whole roster with
 * versioning, a version asks for the changes since; left out, the server does not version.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.3
 */
export function buildRosterGet(id: string, ver?: string): Element {
  return buildIqGet(id, undefined, h('query', { xmlns: NS_ROSTER, ver }));
}

/**
 * Builds the `<query xmlns='jabber:iq:roster'/>` of a roster result.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.4
 */
export function buildRoster(roster: Roster): Element {
  const query = h('query', { xmlns: NS_ROSTER, ver: roster.ver });
  for (const item of roster.items) query.cnode(buildRosterItem(item));
  return query;
}

/**
 * Reads a roster result (the `<iq/>` or its `<query/>`). Check {@link isRosterUnchanged} first after a
 * versioned get: an empty result carries no roster.
 * @throws {StanzaError} for an IQ error.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element, `STANZA_MISSING_PART` for an IQ
 *   without `<query/>` or an item without `jid`, `STANZA_INVALID_VALUE` for an unknown `subscription`,
 *   `ask` or `approved` value.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.4
 */
export function parseRoster(element: Element): Roster {
  const query = iqPayload(element, 'query', NS_ROSTER);
  // When the default namespace inside <query/> is the roster's, its unprefixed children without xmlns
  // are in it: no namespace walk per item.
  const inherits = query.findNS() === NS_ROSTER;
  const items: RosterItem[] = [];
  for (const child of query.children) {
    if (typeof child !== 'string' && localNameIn(child, NS_ROSTER, inherits) === 'item') items.push(parseRosterItem(child, inherits));
  }
  const ver = attr(query, 'ver');
  return ver === undefined ? { items } : { ver, items };
}

/**
 * True for the empty IQ result by which a server answers a versioned roster get when nothing changed
 * (the changes, if any, then come as pushes).
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.6.3
 */
export function isRosterUnchanged(iq: Element): boolean {
  if (iq.getName() !== 'iq' || iq.attrs.type !== 'result') return false;
  for (const child of iq.children) if (typeof child !== 'string' && child.getName() === 'query' && child.getNS() === NS_ROSTER) return false;
  return true;
}

/**
 * Builds a roster set: add or update an item, or remove it (`subscription: 'remove'`).
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.3 (add), §2.4 (update), §2.5 (delete)
 */
export function buildRosterSet(id: string, item: RosterSetItem): Element {
  // RFC 6121 §2.1.5: a roster set MUST contain exactly one <item/>.
  const element = 'subscription' in item
    ? h('item', { jid: item.jid, subscription: 'remove' })
    : h('item', { jid: item.jid, name: item.name || undefined }); // §2.1.2.4: an empty name is no name
  if (!('subscription' in item) && item.groups) appendGroups(element, item.groups);
  return buildIqSet(id, undefined, h('query', { xmlns: NS_ROSTER }, [element]));
}

/**
 * Builds a roster push, as a server sends it (§2.1.6), for tests and server-side code.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.6
 */
export function buildRosterPush(id: string, ver: string | undefined, item: RosterItem, from?: string): Element {
  const payload = h('query', { xmlns: NS_ROSTER, ver }, [buildRosterItem(item)]);
  return buildIq(from === undefined ? { type: 'set', id, payload } : { type: 'set', id, from, payload });
}

/**
 * Reads a roster push. The caller MUST ignore a push whose `from` is present and is not the user's
 * bare JID (RFC 6121 §2.1.6); this parser returns it as written.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` when it is not an IQ set with a roster query;
 *   `STANZA_MISSING_PART` without id; `STANZA_INVALID_VALUE` unless there is exactly one item; the
 *   item's errors as in {@link parseRoster}.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.6
 */
export function parseRosterPush(iq: Element): RosterPush {
  if (iq.getName() !== 'iq' || iq.attrs.type !== 'set') {
    throw new StanzaParseError('STANZA_UNEXPECTED', `a roster push is an IQ set, got <${iq.name} type='${String(iq.attrs.type)}'/>`);
  }
  const id = attr(iq, 'id');
  if (id === undefined) throw new StanzaParseError('STANZA_MISSING_PART', 'a roster push without id'); // RFC 6120 §8.2.3
  let query: Element | undefined;
  for (const child of iq.children) {
    if (typeof child !== 'string' && child.getName() === 'query' && child.getNS() === NS_ROSTER) {
      query = child;
      break;
    }
  }
  if (!query) throw new StanzaParseError('STANZA_UNEXPECTED', 'the IQ set is not a roster push');
  let item: Element | undefined;
  for (const child of query.children) {
    if (typeof child === 'string' || child.getName() !== 'item' || child.getNS() !== NS_ROSTER) continue;
    // RFC 6121 §2.1.6: a roster push MUST contain exactly one item.
    if (item) throw new StanzaParseError('STANZA_INVALID_VALUE', 'a roster push with several items');
    item = child;
  }
  if (!item) throw new StanzaParseError('STANZA_INVALID_VALUE', 'a roster push without item');
  const push: { id: string; from?: string; ver?: string; item: RosterItem } = { id, item: parseRosterItem(item, query.findNS() === NS_ROSTER) };
  const from = attr(iq, 'from');
  if (from !== undefined) push.from = from;
  const ver = attr(query, 'ver');
  if (ver !== undefined) push.ver = ver;
  return push;
}

/**
 * Builds the client's answer to a roster push: an empty IQ result with the push's id, addressed to
 * the push's `from` when it had one.
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.6
 */
export function buildRosterPushResult(id: string, to?: string): Element {
  // RFC 6121 §2.1.6: the client MUST acknowledge a push with an IQ result.
  return buildIq(to === undefined ? { type: 'result', id } : { type: 'result', id, to });
}

function buildRosterItem(item: RosterItem): Element {
  const element = h('item');
  const attrs = element.attrs as Record<string, string>;
  attrs.jid = item.jid;
  if (item.name !== '') attrs.name = item.name;
  attrs.subscription = item.subscription;
  if (item.ask !== '') attrs.ask = item.ask;
  if (item.approved) attrs.approved = 'true';
  if (item.groups.length > 0) appendGroups(element, item.groups);
  return element;
}

function appendGroups(item: Element, groups: readonly string[]): void {
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] as string;
    if (group !== '' && groups.indexOf(group) === i) item.cnode(textElement('group', group));
  }
}

/** Reads an item; `inherits`: the default namespace around it is the roster's. */
function parseRosterItem(item: Element, inherits: boolean): RosterItem {
  const attrs = item.attrs as Record<string, unknown>;
  const jid = attrs.jid;
  if (typeof jid !== 'string') throw new StanzaParseError('STANZA_MISSING_PART', 'a roster item without jid'); // RFC 6121 §2.1.2.3
  const name = attrs.name;
  const subscription = attrs.subscription;
  const ask = attrs.ask;
  const approved = attrs.approved;
  const groups: string[] = [];
  if (item.children.length > 0) {
    const inside = attrs.xmlns === undefined ? inherits : attrs.xmlns === NS_ROSTER;
    for (const child of item.children) {
      if (typeof child === 'string' || localNameIn(child, NS_ROSTER, inside) !== 'group') continue;
      const group = child.getText();
      if (group !== '' && !groups.includes(group)) groups.push(group);
    }
  }
  return {
    jid,
    name: typeof name === 'string' ? name : '',
    subscription: typeof subscription === 'string' ? checkSubscription(subscription) : 'none',
    ask: typeof ask === 'string' ? checkAsk(ask) : '',
    groups,
    approved: typeof approved === 'string' ? checkApproved(approved) : false,
  };
}

function checkSubscription(value: string): RosterSubscription {
  switch (value) {
    case 'both': case 'none': case 'to': case 'from': case 'remove':
      return value;
    default:
      throw new StanzaParseError('STANZA_INVALID_VALUE', `unknown roster subscription '${value}'`);
  }
}

function checkAsk(value: string): 'subscribe' | '' {
  if (value === 'subscribe') return value;
  if (value === 'unsubscribe') return ''; // RFC 3921 §7.1, removed by RFC 6121: no pending outbound request
  throw new StanzaParseError('STANZA_INVALID_VALUE', `unknown roster ask '${value}'`);
}

function checkApproved(value: string): boolean {
  // XML Schema boolean (RFC 6121 Appendix D: xs:boolean).
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new StanzaParseError('STANZA_INVALID_VALUE', `roster approved is not a boolean: '${value}'`);
}
