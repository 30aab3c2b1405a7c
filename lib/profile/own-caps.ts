/**
 * What this client tells others about itself: its disco#info (XEP-0030) and the entity capabilities
 * (XEP-0115) that presence carries. The features include `urn:xmpp:vcard4+notify`, so that the
 * server's PEP service pushes contacts' vCard4 changes (XEP-0163 §4.3.3 filtered notifications,
 * XEP-0292 §3) without polling.
 *
 * @see https://xmpp.org/extensions/xep-0115.html#howitworks
 * @see https://xmpp.org/extensions/xep-0163.html#notify-filter
 */
import type { Element } from 'ltx';
import { StanzaError } from '../errors.js';
import { capsHash } from '../stanzas/caps.js';
import { buildDiscoInfo, type DiscoInfo } from '../stanzas/disco.js';
import { NS_CAPS, NS_DISCO_INFO, NS_PING } from '../stanzas/ns.js';
import { NODE_VCARD4 } from '../stanzas/vcard4.js';
import { buildPresence } from '../stanzas/presence.js';
import type { Iq } from '../stanzas/iq.js';

/** The caps node: a URI naming the software (XEP-0115 §4). */
export const CAPS_NODE = 'https://github.com/xmpp-profile/xmpp-profile';

/** This client's disco#info: a client identity and the features it handles. */
export const OWN_DISCO_INFO: DiscoInfo = {
  identities: [{ category: 'client', type: 'web', name: 'xmpp-profile' }],
  features: [NS_CAPS, NS_DISCO_INFO, NS_PING, `${NODE_VCARD4}+notify`].sort(),
  forms: [],
};

/** The verification string of {@link OWN_DISCO_INFO} (XEP-0115 §5.1), computed once. */
export const OWN_CAPS_VER = capsHash(OWN_DISCO_INFO);

/**
 * The available presence this client sends after login (RFC 6121 §4.2), with its caps; with `to`,
 * directed to one contact (RFC 6121 §4.6).
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-4.2
 */
export function buildOwnPresence(to?: string): Element {
  const caps = { hash: 'sha-1', node: CAPS_NODE, ver: OWN_CAPS_VER };
  return buildPresence(to === undefined ? { caps } : { to, caps });
}

/**
 * Answers a disco#info request to this client: without a node, or with the `node#ver` of its caps
 * (XEP-0115 §6.2); any other node is `item-not-found`.
 * @throws {StanzaError} `item-not-found` for another node.
 */
export function answerOwnDiscoInfo(request: Iq): Element {
  const node = request.payload?.attrs.node as string | undefined;
  if (node !== undefined && node !== `${CAPS_NODE}#${OWN_CAPS_VER}`) {
    throw new StanzaError({ type: 'cancel', condition: 'item-not-found', text: '', applicationCondition: '', by: '' });
  }
  return buildDiscoInfo(node === undefined ? OWN_DISCO_INFO : { ...OWN_DISCO_INFO, node });
}
