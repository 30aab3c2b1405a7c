/**
 * Who blocked me: the project's own protocol (`urn:xmpp-profile:blocked-by:0`, lib/stanzas/blocked-by.ts),
 * answered by the Prosody module `mod_profile_blocked_by`; found in the server's disco#info (XEP-0030).
 * A server without it (ejabberd, or a Prosody without the module) answers 501.
 *
 * @see API.md §3 (getUsersWhoBlockedMe), §5 (blockUserListener, `by: 'contact'`), §7 (a)
 * @see https://xmpp.org/extensions/xep-0191.html (the protocol this one mirrors)
 */
import type { Element } from 'ltx';
import { StanzaError } from '../errors.js';
import { buildBlockedByGet, isBlockedByPush, parseBlockedBy, parseBlockedByPush } from '../stanzas/blocked-by.js';
import { NS_BLOCKED_BY } from '../stanzas/ns.js';
import { blockedUserOf } from './blocking.js';
import type { Exchange } from './exchange.js';
import type { ServerInfo } from './server-info.js';
import type { BlockEvent, BlockedUser } from './types.js';
import { fromOwnAccount } from './own-account.js';

/**
 * The users who block this one (bare JIDs of the server's local users, as the module lists them).
 * @throws {StanzaError} `feature-not-implemented` (501) when the server's disco#info lacks
 *   `urn:xmpp-profile:blocked-by:0`; an error answer of the server.
 * @throws {StanzaParseError} for an answer that cannot be read. @throws {TimeoutError} @throws {TransportError}
 * @see README, "Server modules"
 */
export async function usersWhoBlockedMe(exchange: Exchange, server: ServerInfo): Promise<BlockedUser[]> {
  if (!(await server.has(NS_BLOCKED_BY))) {
    throw new StanzaError({
      type: 'cancel', condition: 'feature-not-implemented', applicationCondition: '', by: '',
      text: `the server does not offer ${NS_BLOCKED_BY} (who blocked me)`,
    });
  }
  const { jids } = parseBlockedBy(await exchange.iq((id) => buildBlockedByGet(id)));
  return jids.map(blockedUserOf);
}

/**
 * The events of a "who blocked me" push: one per user who blocked (`block_user`) or unblocked
 * (`unblock_user`) this account, `by: 'contact'`, `jid` and `blockedUserId` naming that user. `[]` for
 * any other stanza, for a push from anyone but the user's own account (no `from`, or the bare JID), and
 * for one that cannot be read; never throws.
 * @see README, "Server modules"
 */
export function blockedByEvents(userJid: string, message: Element): BlockEvent[] {
  try {
    if (!isBlockedByPush(message)) return [];
    if (!fromOwnAccount(message, userJid)) return [];
    const push = parseBlockedByPush(message);
    const type = push.action === 'block' ? 'block_user' : 'unblock_user';
    return push.jids.map((jid) => ({ blockedUserId: blockedUserOf(jid).userId, jid, type, by: 'contact' }));
  } catch {
    return [];
  }
}
