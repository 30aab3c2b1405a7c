/**
 * Last Activity: XEP-0012 v2.0. Asked of a bare JID it tells how long ago the contact was last online
 * (0 while online); asked of a server, its uptime; asked of a full JID, the client's idle time.
 *
 * @see https://xmpp.org/extensions/xep-0012.html
 */
import type { Element } from 'ltx';
import { h, parseUnsigned, requireAttr, textElement } from './element.js';
import { buildIqGet } from './iq.js';
import { NS_LAST } from './ns.js';
import { iqPayload } from './payload.js';

/** What a Last Activity answer says. */
export interface LastActivity {
  /** Seconds since the entity was last active (XEP-0012 §3: `seconds` attribute). */
  readonly seconds: number;
  /** The status text of the last unavailable presence, `''` when none. */
  readonly status: string;
}

/**
 * Builds the Last Activity request.
 * @see https://xmpp.org/extensions/xep-0012.html#offline (Example 1)
 */
export function buildLastActivityGet(id: string, to: string): Element {
  return buildIqGet(id, to, h('query', { xmlns: NS_LAST }));
}

/**
 * Builds the `<query/>` payload of a Last Activity answer.
 * @see https://xmpp.org/extensions/xep-0012.html#offline (Example 2)
 */
export function buildLastActivity(activity: LastActivity): Element {
  return textElement('query', activity.status, { xmlns: NS_LAST, seconds: String(activity.seconds) });
}

/**
 * Reads a Last Activity answer (the `<iq/>` or its `<query/>`).
 * @throws {StanzaError} for an IQ error (e.g. `forbidden`, `subscription-required` for non-contacts).
 * @throws {StanzaParseError} `STANZA_MISSING_PART` without `seconds`, `STANZA_INVALID_VALUE` when it is
 *   not a non-negative integer.
 * @see https://xmpp.org/extensions/xep-0012.html#protocol
 */
export function parseLastActivity(element: Element): LastActivity {
  const query = iqPayload(element, 'query', NS_LAST);
  return {
    seconds: parseUnsigned(requireAttr(query, 'seconds'), 'seconds'),
    status: query.getText(),
  };
}
