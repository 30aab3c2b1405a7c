/**
 * Privacy Lists: XEP-0016 v1.7 (Deprecated in favour of XEP-0191, still the only blocking a few servers
 * offer). Named lists of ordered allow/deny rules kept by the user's server: list their names, read,
 * write and remove a list, choose the active and the default list, follow privacy list pushes; plus the
 * helpers the profile layer uses to block JIDs with a privacy list where XEP-0191 is missing.
 *
 * @see https://xmpp.org/extensions/xep-0016.html
 */
import { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { attr, expectElement, localNameIn, parseUnsigned, requireAttr } from './element.js';
import { buildIqGet, buildIqSet } from './iq.js';
import { NS_PRIVACY } from './ns.js';
import { iqPayload } from './payload.js';

/** XEP-0016 §2.1: what an item matches on; absent for the fall-through item. */
export type PrivacyItemType = 'jid' | 'group' | 'subscription';

/** XEP-0016 §2.1: the values an item of type `subscription` takes. */
export type PrivacySubscription = 'none' | 'to' | 'from' | 'both';

/**
 * XEP-0016 §2.1: the kinds of stanza an item applies to. An item with no `<message/>`, `<iq/>`,
 * `<presence-in/>` or `<presence-out/>` child applies to every kind (and more: subscription presence
 * too, §2.13); it reads as all four `true`, and all four `true` is written as no child.
 */
export interface PrivacyStanzas {
  readonly message: boolean;
  readonly iq: boolean;
  readonly presenceIn: boolean;
  readonly presenceOut: boolean;
}

/** XEP-0016 §2.1: one rule of a list. */
export interface PrivacyItem {
  /** Absent for the fall-through rule, which matches everyone. */
  readonly type?: PrivacyItemType;
  /** A JID, a roster group or a {@link PrivacySubscription}; present whenever `type` is. */
  readonly value?: string;
  readonly action: 'allow' | 'deny';
  /** Unsigned 32-bit integer, unique within the list; rules apply in ascending order. */
  readonly order: number;
  readonly stanzas: PrivacyStanzas;
}

/** A privacy list: its name and its rules, in document order (not re-sorted). */
export interface PrivacyList {
  readonly name: string;
  readonly items: readonly PrivacyItem[];
}

/**
 * The names of the user's lists. `active` and `default` are absent when the server does not say,
 * `null` when it says there is none (an `<active/>` or `<default/>` without a name, as ejabberd answers;
 * also what declining a list sends, §2.4, §2.5), or the list's name.
 */
export interface PrivacyLists {
  readonly active?: string | null;
  readonly default?: string | null;
  readonly lists: readonly string[];
}

/** A privacy list push: the name of a list that changed (XEP-0016 §2.2 rule 10). */
export interface PrivacyListPush {
  readonly name: string;
}

const ALL_STANZAS: PrivacyStanzas = Object.freeze({ message: true, iq: true, presenceIn: true, presenceOut: true });
const SUBSCRIPTIONS = new Set<string>(['none', 'to', 'from', 'both']);
const MAX_ORDER = 0xffff_ffff; // xs:unsignedInt

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Builds the request for the names of the user's lists.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-retrieve (Example 1)
 */
export function buildPrivacyListsGet(id: string): Element {
  return buildIqGet(id, undefined, privacyQuery());
}

/**
 * Builds the `<query/>` payload of the answer with the list names (active, default, then each list).
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-retrieve (Example 2)
 */
export function buildPrivacyLists(lists: PrivacyLists): Element {
  const query = privacyQuery();
  if (lists.active !== undefined) query.cnode(namedElement('active', lists.active));
  if (lists.default !== undefined) query.cnode(namedElement('default', lists.default));
  for (const name of lists.lists) query.cnode(new Element('list', { name }));
  return query;
}

/**
 * Reads the names of the user's lists (the `<iq/>` or its `<query/>`).
 * @throws {StanzaError} for an IQ error.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element, `STANZA_MISSING_PART` for an IQ
 *   without `<query/>` or a `<list/>` without `name`.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-retrieve
 */
export function parsePrivacyLists(element: Element): PrivacyLists {
  const query = iqPayload(element, 'query', NS_PRIVACY);
  const lists: string[] = [];
  let active: string | null | undefined;
  let byDefault: string | null | undefined;
  const unprefixed = !query.name.includes(':');
  for (const child of query.children) {
    if (typeof child === 'string') continue;
    const name = (localNameIn(child, NS_PRIVACY, unprefixed) ?? '');
    if (name === 'list') lists.push(requireAttr(child, 'name'));
    else if (name === 'active' && active === undefined) active = attr(child, 'name') ?? null;
    else if (name === 'default' && byDefault === undefined) byDefault = attr(child, 'name') ?? null;
  }
  const result: Mutable<PrivacyLists> = { lists };
  if (active !== undefined) result.active = active;
  if (byDefault !== undefined) result.default = byDefault;
  return result;
}

/**
 * Builds the request for one list.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-retrieve (Example 3)
 */
export function buildPrivacyListGet(id: string, name: string): Element {
  return buildIqGet(id, undefined, privacyQuery(new Element('list', { name })));
}

/**
 * Builds a `<list xmlns='jabber:iq:privacy'/>` element with its items.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for an order that is not an unsigned 32-bit integer
 *   or not unique (XEP-0016 §2.1), a `subscription` value other than none/to/from/both, an empty JID, or
 *   an item that applies to no kind of stanza; `STANZA_MISSING_PART` for a type without value.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-syntax
 */
export function buildPrivacyList(list: PrivacyList): Element {
  const element = listElement(list);
  element.attrs.xmlns = NS_PRIVACY;
  return element;
}

function listElement(list: PrivacyList): Element {
  const element = new Element('list', { name: list.name });
  const items = list.items;
  let last = -1;
  let seen: Set<number> | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as PrivacyItem;
    const order = item.order;
    if (!Number.isInteger(order) || order < 0 || order > MAX_ORDER) {
      throw new StanzaParseError('STANZA_INVALID_VALUE', `privacy item order is not an unsigned 32-bit integer: ${order}`);
    }
    // XEP-0016 §2.1: order values are unique within a list. Sorted lists need no set.
    if (order <= last || seen) seen = checkUnique(seen, items, i, order);
    last = order;
    element.cnode(buildItem(item));
  }
  return element;
}

/**
 * Builds the command that creates or replaces a list (all its items, not a delta).
 * @throws {StanzaParseError} `STANZA_MISSING_PART` for a list without items (XEP-0016 §2.6: the
 *   `<list/>` MUST contain one or more items; use {@link buildPrivacyListRemove} to remove a list), and
 *   what {@link buildPrivacyList} throws.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-edit (Example 23)
 */
export function buildPrivacyListSet(id: string, list: PrivacyList): Element {
  if (list.items.length === 0) {
    throw new StanzaParseError('STANZA_MISSING_PART', `privacy list '${list.name}' has no item`); // XEP-0016 §2.6
  }
  return buildIqSet(id, undefined, privacyQuery(listElement(list)));
}

/**
 * Builds the command that removes a list (an empty `<list/>`).
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-remove (Example 27)
 */
export function buildPrivacyListRemove(id: string, name: string): Element {
  return buildIqSet(id, undefined, privacyQuery(new Element('list', { name }))); // XEP-0016 §2.8: no item
}

/**
 * Builds the command that makes a list active for this session, or declines any active list (`null`:
 * an `<active/>` without name).
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-active (Examples 11 and 14)
 */
export function buildPrivacyActiveSet(id: string, name: string | null): Element {
  return buildIqSet(id, undefined, privacyQuery(namedElement('active', name)));
}

/**
 * Builds the command that makes a list the default for the account, or declines any default list
 * (`null`: a `<default/>` without name).
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-default (Examples 16 and 20)
 */
export function buildPrivacyDefaultSet(id: string, name: string | null): Element {
  return buildIqSet(id, undefined, privacyQuery(namedElement('default', name)));
}

/**
 * Reads one list (the `<iq/>`, its `<query/>`, or the `<list/>` itself).
 * @throws {StanzaError} for an IQ error (e.g. `item-not-found` for an unknown list).
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element or a query with several lists;
 *   `STANZA_MISSING_PART` without `<list/>`, without `name`, or for an item without `action`, `order`,
 *   or with a `type` but no `value`; `STANZA_INVALID_VALUE` for an unknown `type` or `action`, an order
 *   that is not an unsigned 32-bit integer or is repeated (XEP-0016 §2.1), a `subscription` value other
 *   than none/to/from/both, or an empty JID.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-syntax
 */
export function parsePrivacyList(element: Element): PrivacyList {
  const list = listOf(element);
  const items: PrivacyItem[] = [];
  const unprefixed = !list.name.includes(':');
  let last = -1;
  let seen: Set<number> | undefined;
  for (const child of list.children) {
    if (typeof child === 'string' || (localNameIn(child, NS_PRIVACY, unprefixed) ?? '') !== 'item') continue;
    const item = parseItem(child);
    // XEP-0016 §2.1: order values are unique within a list. Sorted lists need no set.
    if (item.order <= last || seen) seen = checkUnique(seen, items, items.length, item.order);
    last = item.order;
    items.push(item);
  }
  return { name: requireAttr(list, 'name'), items };
}

/**
 * Builds a privacy list push as the server sends it after a list changed: the list's name only.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-edit (Example 25)
 */
export function buildPrivacyListPush(id: string, name: string, to?: string): Element {
  return buildIqSet(id, to, privacyQuery(new Element('list', { name })));
}

/**
 * Reads a privacy list push (the `<iq type='set'/>` or its `<query/>`). The caller checks that it comes
 * from the user's own account, answers it with an IQ result, and fetches the list if it applies.
 * @throws {StanzaError} for an IQ error.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for an IQ that is not a set, another element or a query
 *   with other than one `<list/>` (XEP-0016 §2.2 rule 10); `STANZA_MISSING_PART` without `name`.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-rules
 */
export function parsePrivacyListPush(element: Element): PrivacyListPush {
  if (element.getName() === 'iq' && element.attrs.type !== 'set' && element.attrs.type !== 'error') {
    throw new StanzaParseError('STANZA_UNEXPECTED', `a privacy list push is an IQ set, not '${String(element.attrs.type)}'`);
  }
  const query = iqPayload(element, 'query', NS_PRIVACY);
  let list: Element | undefined;
  const unprefixed = !query.name.includes(':');
  for (const child of query.children) {
    if (typeof child === 'string') continue;
    if (list || (localNameIn(child, NS_PRIVACY, unprefixed) ?? '') !== 'list') {
      throw new StanzaParseError('STANZA_UNEXPECTED', 'a privacy list push holds exactly one <list/>');
    }
    list = child;
  }
  if (!list) throw new StanzaParseError('STANZA_UNEXPECTED', 'a privacy list push holds exactly one <list/>');
  return { name: requireAttr(list, 'name') };
}

/**
 * The list the profile layer sets where the server has no XEP-0191: one `jid` rule denying every kind
 * of stanza for each JID (duplicates dropped, orders 1..n, first as XEP-0191 §5 asks of blocked items),
 * then a final fall-through `allow`.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-all
 * @see https://xmpp.org/extensions/xep-0191.html#privacy
 */
export function blockingPrivacyList(name: string, jids: readonly string[]): PrivacyList {
  const items: PrivacyItem[] = [];
  const unique = new Set(jids);
  let order = 0;
  for (const jid of unique) items.push({ type: 'jid', value: jid, action: 'deny', order: ++order, stanzas: ALL_STANZAS });
  items.push({ action: 'allow', order: order + 1, stanzas: ALL_STANZAS });
  return { name, items };
}

/**
 * Builds the `<list/>` of {@link blockingPrivacyList}.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for an empty JID.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-all
 */
export function buildBlockingPrivacyList(name: string, jids: readonly string[]): Element {
  return buildPrivacyList(blockingPrivacyList(name, jids)); // the profile layer sends blockingPrivacyList()
}

/**
 * The JIDs a list denies entirely: `jid` rules with action `deny` for every kind of stanza, taken in
 * ascending order up to the first fall-through rule, where only the first rule naming a JID counts (an
 * earlier `allow` for the same JID wins). Group and subscription rules, which need the roster, are not
 * considered.
 * @see https://xmpp.org/extensions/xep-0016.html#protocol-rules (rules 5 to 7)
 */
export function blockedJidsOfPrivacyList(list: PrivacyList): string[] {
  let items = list.items;
  for (let i = 1; i < items.length; i++) {
    if ((items[i]?.order ?? 0) < (items[i - 1]?.order ?? 0)) {
      items = [...items].sort((a, b) => a.order - b.order);
      break;
    }
  }
  const decided = new Set<string>();
  const blocked: string[] = [];
  for (const item of items) {
    if (item.type === undefined) break; // the fall-through rule matches everyone: later rules never apply
    if (item.type !== 'jid' || item.value === undefined || decided.has(item.value)) continue;
    decided.add(item.value);
    const s = item.stanzas;
    if (item.action === 'deny' && s.message && s.iq && s.presenceIn && s.presenceOut) blocked.push(item.value);
  }
  return blocked;
}

function privacyQuery(child?: Element): Element {
  const query = new Element('query', { xmlns: NS_PRIVACY });
  if (child) query.cnode(child);
  return query;
}

function namedElement(name: 'active' | 'default', listName: string | null): Element {
  return listName === null ? new Element(name) : new Element(name, { name: listName });
}

/** The `<list/>` of an IQ, a query, or the element itself. */
function listOf(element: Element): Element {
  const name = element.getName();
  if (name === 'list') return expectElement(element, 'list', NS_PRIVACY);
  const query = iqPayload(element, 'query', NS_PRIVACY);
  let list: Element | undefined;
  const unprefixed = !query.name.includes(':');
  for (const child of query.children) {
    if (typeof child === 'string' || (localNameIn(child, NS_PRIVACY, unprefixed) ?? '') !== 'list') continue;
    if (list) throw new StanzaParseError('STANZA_UNEXPECTED', 'a privacy answer with more than one <list/>'); // XEP-0016 §2.3
    list = child;
  }
  if (!list) throw new StanzaParseError('STANZA_MISSING_PART', `no <list xmlns='${NS_PRIVACY}'/>`);
  return list;
}

function parseItem(element: Element): PrivacyItem {
  const attrs = element.attrs as Record<string, unknown>;
  const action = attrs.action;
  if (action !== 'allow' && action !== 'deny') {
    if (typeof action !== 'string') throw new StanzaParseError('STANZA_MISSING_PART', 'a privacy item without action'); // XEP-0016 §2.1
    throw new StanzaParseError('STANZA_INVALID_VALUE', `privacy item action '${action}'`);
  }
  const order = parseOrder(requireAttr(element, 'order')); // XEP-0016 §2.1
  const stanzas = element.children.length === 0 ? ALL_STANZAS : readStanzas(element);
  const type = attrs.type;
  const value = typeof attrs.value === 'string' ? attrs.value : undefined;
  if (type === undefined) return value === undefined ? { action, order, stanzas } : { value, action, order, stanzas };
  if (type !== 'jid' && type !== 'group' && type !== 'subscription') {
    throw new StanzaParseError('STANZA_INVALID_VALUE', `privacy item type '${String(type)}'`);
  }
  if (value === undefined) throw new StanzaParseError('STANZA_MISSING_PART', `a privacy item of type ${type} without value`);
  checkValue(type, value);
  return { type, value, action, order, stanzas };
}

/** The kinds of stanza an item names; XEP-0016 §2.1: none named means every kind. */
function readStanzas(element: Element): PrivacyStanzas {
  let message = false;
  let iq = false;
  let presenceIn = false;
  let presenceOut = false;
  const unprefixed = !element.name.includes(':');
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    const name = (localNameIn(child, NS_PRIVACY, unprefixed) ?? '');
    if (name === 'message') message = true;
    else if (name === 'iq') iq = true;
    else if (name === 'presence-in') presenceIn = true;
    else if (name === 'presence-out') presenceOut = true;
  }
  return message || iq || presenceIn || presenceOut ? { message, iq, presenceIn, presenceOut } : ALL_STANZAS;
}

/** An xs:unsignedInt: plain digits read without a regex (hot loop); anything else takes the slow path. */
function parseOrder(text: string): number {
  let order = 0;
  const length = text.length;
  if (length === 0 || length > 10) return parseOrderSlowly(text);
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return parseOrderSlowly(text);
    order = order * 10 + digit;
  }
  if (order > MAX_ORDER) throw new StanzaParseError('STANZA_INVALID_VALUE', `privacy item order ${order} is over 2^32-1`);
  return order;
}

function parseOrderSlowly(text: string): number {
  const order = parseUnsigned(text, 'privacy item order');
  if (order > MAX_ORDER) throw new StanzaParseError('STANZA_INVALID_VALUE', `privacy item order ${order} is over 2^32-1`);
  return order;
}

function buildItem(item: PrivacyItem): Element {
  const element = new Element('item');
  const attrs = element.attrs as Record<string, string>;
  if (item.type !== undefined) {
    if (item.value === undefined) throw new StanzaParseError('STANZA_MISSING_PART', `a privacy item of type ${item.type} without value`);
    checkValue(item.type, item.value);
    attrs.type = item.type;
  }
  if (item.value !== undefined) attrs.value = item.value;
  attrs.action = item.action;
  attrs.order = String(item.order);
  const s = item.stanzas;
  if (!(s.message && s.iq && s.presenceIn && s.presenceOut)) {
    if (!(s.message || s.iq || s.presenceIn || s.presenceOut)) {
      throw new StanzaParseError('STANZA_INVALID_VALUE', 'a privacy item that applies to no kind of stanza');
    }
    // XEP-0016 §7 (schema): iq, message, presence-in, presence-out, in that order.
    if (s.iq) element.cnode(new Element('iq'));
    if (s.message) element.cnode(new Element('message'));
    if (s.presenceIn) element.cnode(new Element('presence-in'));
    if (s.presenceOut) element.cnode(new Element('presence-out'));
  }
  return element;
}

function checkValue(type: PrivacyItemType, value: string): void {
  if (type === 'subscription' && !SUBSCRIPTIONS.has(value)) {
    // XEP-0016 §2.1: the value MUST be one of both, to, from, none.
    throw new StanzaParseError('STANZA_INVALID_VALUE', `privacy item subscription '${value}'`);
  }
  if (type === 'jid' && value === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'a privacy item with an empty JID'); // XEP-0016 §2.1
}

/** Checks `order` against the orders of the first `count` items; builds the set of them on first need. */
function checkUnique(seen: Set<number> | undefined, items: readonly PrivacyItem[], count: number, order: number): Set<number> {
  let set = seen;
  if (!set) {
    set = new Set<number>();
    for (let i = 0; i < count; i++) set.add((items[i] as PrivacyItem).order);
  }
  if (set.has(order)) throw new StanzaParseError('STANZA_INVALID_VALUE', `privacy item order ${order} is not unique`);
  set.add(order);
  return set;
}
