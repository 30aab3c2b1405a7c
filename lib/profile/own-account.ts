/**
 * Who may push: a roster, blocking, privacy-list or "who blocked me" push is taken only from the
 * user's own account, i.e. with no `from` or with `from` the user's bare JID (RFC 6121 §2.1.6; the
 * server stamps its own account's stanzas so, RFC 6120 §8.1.2.1). Anyone else could send one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.1.6
 */
import type { Element } from 'ltx';
import { jidEquals } from '../stanzas/jid.js';

/** True when the stanza has no `from` or comes from the user's bare JID (not one of its resources). */
export function fromOwnAccount(stanza: Element, userJid: string): boolean {
  const from: unknown = stanza.attrs.from;
  return from === undefined || (typeof from === 'string' && !from.includes('/') && jidEquals(from, userJid));
}
