/**
 * Last seen: Last Activity (XEP-0012 v2.0) asked of a contact's bare JID, which the server answers
 * for the contact: 0 seconds while online, else the time since the contact went offline.
 *
 * @see https://xmpp.org/extensions/xep-0012.html#offline
 * @see API.md §3 (getLastSeen)
 */
import { buildLastActivityGet, parseLastActivity } from '../stanzas/last-activity.js';
import type { Exchange } from './exchange.js';
import { bareOf } from './profile-map.js';

/** What {@link getLastSeen} answers. */
export interface LastSeen {
  /** The bare JID asked about. */
  readonly fromUserJid: string;
  /** Seconds since the user was last online; 0 while online. */
  readonly seconds: number;
}

/**
 * How long ago `jid` (its bare JID) was online.
 * @throws {StanzaError} `forbidden` (Prosody) or `subscription-required` (ejabberd), both 403, for a
 *   user who is not a contact; `item-not-found`, `service-unavailable` as the server answers.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` / `STANZA_INVALID_VALUE` for an answer without a
 *   valid `seconds`; {@link TimeoutError}; {@link TransportError}.
 * @see https://xmpp.org/extensions/xep-0012.html#offline
 */
export async function getLastSeen(exchange: Exchange, jid: string): Promise<LastSeen> {
  const fromUserJid = bareOf(jid);
  const answer = await exchange.iq((id) => buildLastActivityGet(id, fromUserJid));
  return { fromUserJid, seconds: parseLastActivity(answer).seconds };
}
