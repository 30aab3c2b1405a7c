/**
 * Who blocked me: the project's own protocol (namespace `urn:xmpp-profile:blocked-by:0`), answered by
 * the Prosody module `mod_profile_blocked_by` (server/prosody/modules), which keeps a reverse index of
 * XEP-0191 blocks. Modelled on XEP-0191 v1.3, in the other direction:
 *
 * - the server advertises the namespace as a feature in its disco#info (XEP-0030);
 * - `<iq type='get'><blocked-by xmlns='urn:xmpp-profile:blocked-by:0'/></iq>` (no `to`: the user's own
 *   account answers) is answered with `<blocked-by><item jid='...'/>...</blocked-by>`: the bare JIDs of
 *   the local users who block this user;
 * - on each change, every online session of the blocked user gets
 *   `<message type='headline' from='<own bare JID>'><block|unblock xmlns='urn:xmpp-profile:blocked-by:0'>
 *   <item jid='<blocker>'/></block|unblock></message>` (an "unblock all" by one user names each user it
 *   unblocked, so an `<unblock/>` here always has items).
 *
 * @see README, "Server modules"
 * @see https://xmpp.org/extensions/xep-0191.html (the protocol this one mirrors)
 */
import { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { attr, h } from './element.js';
import { buildIqGet } from './iq.js';
import { NS_BLOCKED_BY } from './ns.js';
import { iqPayload } from './payload.js';

/** Who blocks this user: the blockers' bare JIDs, in document order. */
export interface BlockedBy {
  readonly jids: readonly string[];
}

/** A change of who blocks this user, pushed by the server. */
export interface BlockedByPush {
  readonly action: 'block' | 'unblock';
  /** The blockers' bare JIDs (at least one). */
  readonly jids: readonly string[];
}

/** Builds the "who blocked me" query (an IQ get with no `to`: the user's own account answers). */
export function buildBlockedByGet(id: string): Element {
  return buildIqGet(id, undefined, h('blocked-by', { xmlns: NS_BLOCKED_BY }));
}

/** Builds the `<blocked-by/>` payload of the answer. */
export function buildBlockedBy(jids: readonly string[]): Element {
  return withItems(h('blocked-by', { xmlns: NS_BLOCKED_BY }), jids);
}

/**
 * Reads the answer (the `<iq/>` or its `<blocked-by/>`).
 * @throws {StanzaError} for an IQ error (`service-unavailable` or `feature-not-implemented` where the
 *   server has no such module).
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element, `STANZA_MISSING_PART` for an IQ
 *   without `<blocked-by/>` or an `<item/>` without `jid`, `STANZA_INVALID_VALUE` for an empty `jid`.
 */
export function parseBlockedBy(element: Element): BlockedBy {
  return { jids: readItems(iqPayload(element, 'blocked-by', NS_BLOCKED_BY)) };
}

/**
 * Builds the push message a server sends to one session of the blocked user.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` for a push without JIDs.
 */
export function buildBlockedByPush(id: string, from: string, to: string, push: BlockedByPush): Element {
  if (push.jids.length === 0) throw new StanzaParseError('STANZA_MISSING_PART', 'a blocked-by push names at least one JID');
  const message = h('message', { xmlns: 'jabber:client', type: 'headline', id, from, to });
  message.cnode(withItems(h(push.action, { xmlns: NS_BLOCKED_BY }), push.jids));
  return message;
}

/** True when a stanza is a message that carries a blocked-by push (not checked: who sent it). */
export function isBlockedByPush(stanza: Element): boolean {
  return stanza.getName() === 'message' && pushPayload(stanza) !== undefined;
}

/**
 * Reads a push (the `<message/>` or its `<block/>` / `<unblock/>`). The caller checks that it comes
 * from the user's own account (no `from`, or the user's bare JID): anyone else could send one.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element, `STANZA_MISSING_PART` for a
 *   message without a push or a push without items, `STANZA_INVALID_VALUE` for an empty `jid`.
 */
export function parseBlockedByPush(element: Element): BlockedByPush {
  const payload = element.getName() === 'message' ? pushPayload(element) : element;
  if (!payload) throw new StanzaParseError('STANZA_MISSING_PART', `the message has no <block/> or <unblock/> of '${NS_BLOCKED_BY}'`);
  const name = payload.getName();
  if ((name !== 'block' && name !== 'unblock') || payload.getNS() !== NS_BLOCKED_BY) {
    throw new StanzaParseError('STANZA_UNEXPECTED', `expected <block/> or <unblock/> of '${NS_BLOCKED_BY}', got <${payload.name}/>`);
  }
  const jids = readItems(payload);
  if (jids.length === 0) throw new StanzaParseError('STANZA_MISSING_PART', 'a blocked-by push without <item/>');
  return { action: name, jids };
}

function pushPayload(message: Element): Element | undefined {
  for (const child of message.children) {
    if (typeof child === 'string') continue;
    const name = child.getName();
    if ((name === 'block' || name === 'unblock') && child.getNS() === NS_BLOCKED_BY) return child;
  }
  return undefined;
}

function withItems(parent: Element, jids: readonly string[]): Element {
  for (const jid of jids) parent.cnode(new Element('item', { jid }));
  return parent;
}

function readItems(parent: Element): string[] {
  const jids: string[] = [];
  for (const child of parent.children) {
    if (typeof child === 'string' || child.getName() !== 'item' || child.getNS() !== NS_BLOCKED_BY) continue;
    const jid = attr(child, 'jid');
    if (jid === undefined) throw new StanzaParseError('STANZA_MISSING_PART', 'a blocked-by <item/> without jid');
    if (jid === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'a blocked-by <item/> with an empty jid');
    jids.push(jid);
  }
  return jids;
}
