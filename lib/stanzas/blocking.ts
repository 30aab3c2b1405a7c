/**
 * Blocking Command: XEP-0191 v1.3. The block list kept by the user's server: retrieve it, block and
 * unblock JIDs (or everyone at once), follow the pushes that keep every resource in step, and recognize
 * the error that answers a stanza sent to a blocked JID.
 *
 * @see https://xmpp.org/extensions/xep-0191.html
 */
import { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { attr } from './element.js';
import { buildIqGet, buildIqSet } from './iq.js';
import { NS_BLOCKING, NS_BLOCKING_ERRORS } from './ns.js';
import { iqPayload } from './payload.js';

/** What a block list answer says. */
export interface Blocklist {
  /** The blocked JIDs, in document order (bare, full or domain JIDs as stored). */
  readonly jids: readonly string[];
}

/** A block or unblock push (or command); `unblock` with no JIDs means "unblock everyone". */
export interface BlockingPush {
  readonly action: 'block' | 'unblock';
  readonly jids: readonly string[];
}

/**
 * Builds the block list request (an IQ get with no `to`: the user's own server answers).
 * @see https://xmpp.org/extensions/xep-0191.html#blocklist (Example 3)
 */
export function buildBlocklistGet(id: string): Element {
  return buildIqGet(id, undefined, new Element('blocklist', { xmlns: NS_BLOCKING }));
}

/**
 * Builds the `<blocklist/>` payload of a block list answer.
 * @see https://xmpp.org/extensions/xep-0191.html#blocklist (Examples 4 and 5)
 */
export function buildBlocklist(jids: readonly string[]): Element {
  return withItems(new Element('blocklist', { xmlns: NS_BLOCKING }), jids);
}

/**
 * Reads a block list answer (the `<iq/>` or its `<blocklist/>`).
 * @throws {StanzaError} for an IQ error.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element, `STANZA_MISSING_PART` for an IQ
 *   without `<blocklist/>` or an `<item/>` without `jid`, `STANZA_INVALID_VALUE` for an empty `jid`.
 * @see https://xmpp.org/extensions/xep-0191.html#blocklist
 */
export function parseBlocklist(element: Element): Blocklist {
  return { jids: readItems(iqPayload(element, 'blocklist', NS_BLOCKING)) };
}

/**
 * Builds the command that blocks one or more JIDs.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` for an empty list (XEP-0191 §3.3: the server MUST
 *   answer `bad-request` to a `<block/>` without `<item/>`).
 * @see https://xmpp.org/extensions/xep-0191.html#block (Example 6)
 */
export function buildBlock(id: string, jids: readonly string[]): Element {
  return buildIqSet(id, undefined, buildBlockingPayload('block', jids));
}

/**
 * Builds the command that unblocks the given JIDs, or every blocked JID when the list is empty.
 * @see https://xmpp.org/extensions/xep-0191.html#unblock (Example 10)
 * @see https://xmpp.org/extensions/xep-0191.html#unblockall (Example 13)
 */
export function buildUnblock(id: string, jids: readonly string[]): Element {
  return buildIqSet(id, undefined, buildBlockingPayload('unblock', jids));
}

/**
 * Builds a block or unblock push, as the server sends it to each resource that asked for the list.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` for a `block` push without JIDs (XEP-0191 §3.3).
 * @see https://xmpp.org/extensions/xep-0191.html#block (Example 8)
 * @see https://xmpp.org/extensions/xep-0191.html#unblockall (Example 15)
 */
export function buildBlockingPush(id: string, push: BlockingPush, to?: string): Element {
  return buildIqSet(id, to, buildBlockingPayload(push.action, push.jids));
}

/**
 * Reads a block or unblock push (the `<iq type='set'/>` or its `<block/>` / `<unblock/>`). The caller
 * checks that the push comes from the user's own account (no `from`, or the user's bare JID).
 * @throws {StanzaError} for an IQ error.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for an IQ that is not a set or another element,
 *   `STANZA_MISSING_PART` for an IQ without `<block/>` or `<unblock/>`, a `<block/>` without `<item/>`
 *   or an `<item/>` without `jid`, `STANZA_INVALID_VALUE` for an empty `jid`.
 * @see https://xmpp.org/extensions/xep-0191.html#block
 * @see https://xmpp.org/extensions/xep-0191.html#unblock
 */
export function parseBlockingPush(element: Element): BlockingPush {
  let payload: Element | undefined;
  if (element.getName() === 'iq') {
    if (element.attrs.type === 'error') iqPayload(element, 'block', NS_BLOCKING); // throws the StanzaError
    if (element.attrs.type !== 'set') {
      throw new StanzaParseError('STANZA_UNEXPECTED', `a blocking push is an IQ set, not '${String(element.attrs.type)}'`);
    }
    for (const child of element.children) {
      if (typeof child === 'string') continue;
      const name = child.getName();
      if ((name === 'block' || name === 'unblock') && child.getNS() === NS_BLOCKING) {
        payload = child;
        break;
      }
    }
    if (!payload) throw new StanzaParseError('STANZA_MISSING_PART', `the IQ has no <block/> or <unblock/> of '${NS_BLOCKING}'`);
  } else {
    const name = element.getName();
    if ((name !== 'block' && name !== 'unblock') || element.getNS() !== NS_BLOCKING) {
      throw new StanzaParseError('STANZA_UNEXPECTED', `expected <block/> or <unblock/> of '${NS_BLOCKING}', got <${element.name}/>`);
    }
    payload = element;
  }
  const action = payload.getName() === 'block' ? 'block' : 'unblock';
  const jids = readItems(payload);
  if (action === 'block' && jids.length === 0) {
    throw new StanzaParseError('STANZA_MISSING_PART', 'a <block/> without <item/>'); // XEP-0191 §3.3
  }
  return { action, jids };
}

/**
 * True when an error carries the application condition `<blocked xmlns='urn:xmpp:blocking:errors'/>`,
 * the answer to a stanza the user sent to a JID the user blocked. Takes the `<error/>` element or the
 * stanza that carries it. (A stanza sent *to* someone who blocked the sender comes back as a plain
 * `service-unavailable`, by design indistinguishable from an offline contact: this returns false.)
 * @see https://xmpp.org/extensions/xep-0191.html#block (Example 9)
 */
export function isBlockedError(element: Element): boolean {
  const error = element.getName() === 'error' ? element : errorChild(element);
  if (!error) return false;
  for (const child of error.children) {
    if (typeof child !== 'string' && child.getName() === 'blocked' && child.getNS() === NS_BLOCKING_ERRORS) return true;
  }
  return false;
}

function errorChild(stanza: Element): Element | undefined {
  for (const child of stanza.children) if (typeof child !== 'string' && child.getName() === 'error') return child;
  return undefined;
}

function buildBlockingPayload(action: 'block' | 'unblock', jids: readonly string[]): Element {
  if (action === 'block' && jids.length === 0) {
    throw new StanzaParseError('STANZA_MISSING_PART', 'blocking needs at least one JID'); // XEP-0191 §3.3
  }
  return withItems(new Element(action, { xmlns: NS_BLOCKING }), jids);
}

function withItems(parent: Element, jids: readonly string[]): Element {
  for (const jid of jids) parent.cnode(new Element('item', { jid }));
  return parent;
}

/** The `jid` of every `<item/>` child, in one pass; the parent is known to be in `NS_BLOCKING`. */
function readItems(parent: Element): string[] {
  const jids: string[] = [];
  const unprefixed = !parent.name.includes(':');
  for (const child of parent.children) {
    if (typeof child === 'string') continue;
    if (!isItem(child, unprefixed)) continue;
    const jid = attr(child, 'jid');
    if (jid === undefined) throw new StanzaParseError('STANZA_MISSING_PART', 'a blocking <item/> without jid');
    if (jid === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'a blocking <item/> with an empty jid');
    jids.push(jid);
  }
  return jids;
}

/**
 * Whether a child is `<item xmlns='urn:xmpp:blocking'/>`. An unprefixed child without its own `xmlns`
 * inherits the default namespace of an unprefixed parent, which is `NS_BLOCKING`: no walk up the tree.
 */
function isItem(child: Element, parentUnprefixed: boolean): boolean {
  const name = child.name;
  if (name === 'item') {
    const xmlns: unknown = child.attrs.xmlns;
    if (typeof xmlns === 'string' && xmlns !== '') return xmlns === NS_BLOCKING;
    return parentUnprefixed || child.getNS() === NS_BLOCKING;
  }
  return name.endsWith(':item') && child.getNS() === NS_BLOCKING;
}
