/**
 * Becoming friends, which the contract leaves to the app: a roster item, a subscription request and a
 * pre-approval (RFC 6121 §2.3, §3.1, §3.4); removing a contact ends both subscriptions (§2.5).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-3.4
 */
import { buildRosterSet } from '../stanzas/roster.js';
import { buildSubscribe, buildSubscribed } from '../stanzas/presence.js';
import type { Exchange } from './exchange.js';

/**
 * Adds `jid` to the roster (with `name`), asks for its presence, and approves its request for ours
 * ahead of time (a pre-approval where the server supports it; else the SDK approves the request when
 * it comes, see Connection).
 * @throws {StanzaError} when the roster set is refused.
 */
export async function addFriend(exchange: Exchange, jid: string, name: string): Promise<void> {
  await exchange.iq((id) => buildRosterSet(id, name ? { jid, name } : { jid }));
  exchange.send(buildSubscribe(jid));
  exchange.send(buildSubscribed(jid)); // RFC 6121 §3.4: pre-approval
}

/**
 * Removes `jid` from the roster; the server cancels both subscriptions (RFC 6121 §2.5.2).
 * @throws {StanzaError} `item-not-found` when it is not in the roster.
 */
export async function removeFriend(exchange: Exchange, jid: string): Promise<void> {
  await exchange.iq((id) => buildRosterSet(id, { jid, subscription: 'remove' }));
}
