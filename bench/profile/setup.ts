/**
 * The accounts of bench/profile.ts, made once per run on the fresh Prosody: `CONTACTS` users, each
 * registered in-band (XEP-0077) and logged in on the same stream, then given a vCard-temp (XEP-0054);
 * a few streams work in parallel, each user on its own connection. Then the owner (the user whose
 * friends list is read) is registered the same way, and its roster gets every contact by roster sets
 * (RFC 6121 §2.3) sent all at once on one stream (pipelined). Last, the first contact approves the
 * owner's subscription request (RFC 6121 §3.1), so that the server answers the owner's Last Activity
 * requests about it (Prosody answers XEP-0012 only to a subscribed contact).
 *
 * @see https://xmpp.org/extensions/xep-0077.html#usecases-register
 * @see https://www.rfc-editor.org/rfc/rfc6121#section-2.3
 */
import '../../lib/node.js'; // registers `ws` as the WebSocket
import { Element } from 'ltx';
import { performance } from 'node:perf_hooks';
import { buildIqGet } from '../../lib/stanzas/iq.js';
import { NS_LAST } from '../../lib/stanzas/ns.js';
import { buildPresence, buildSubscribe, buildSubscribed } from '../../lib/stanzas/presence.js';
import { buildRosterSet } from '../../lib/stanzas/roster.js';
import { buildVCardSet, type VCardFields } from '../../lib/stanzas/vcard.js';
import { Session } from '../../lib/transport/session.js';
import { createWebSocketTransport } from '../../lib/transport/websocket.js';
import { withTimeout } from '../session/drivers.js';

/** The accounts made. */
export interface Accounts {
  readonly domain: string;
  readonly password: string;
  /** The user whose roster holds every contact. */
  readonly owner: string;
  /** The contacts' local parts, in roster order; the first one is subscribed to by the owner. */
  readonly contacts: readonly string[];
  /** Bare JIDs of the contacts. */
  readonly contactJids: readonly string[];
  /** How long the set-up took, in ms: registrations with vCards, roster, subscription. */
  readonly timings: { readonly contacts: number; readonly roster: number; readonly subscription: number };
}

export const PASSWORD = 'bench-Passw0rd';
const OWNER = 'owner';
/** Streams registering contacts at the same time. */
export const SETUP_STREAMS = 4;

export const contactName = (index: number): string => `c${String(index).padStart(4, '0')}`;

/** The vCard of contact `index`: every field the profile maps, an image URL as apps store them. */
export function contactVCard(index: number): VCardFields {
  const name = contactName(index);
  return {
    nickName: `Contact ${index}`,
    fullName: `Contact Number ${index}`,
    image: `https://cdn.example.org/avatars/${name}.png`,
    status: `Status line of contact ${index}`,
    mobileNumber: `+1555${String(1_000_000 + index).slice(1)}`,
    email: `${name}@example.org`,
  };
}

/** A session on its own WebSocket, no reconnects, no stream management (set-up only). */
function newSession(websocketUrl: string, domain: string): Session {
  return new Session({ transport: () => createWebSocketTransport({ url: websocketUrl }), domain, reconnect: false, streamManagement: false });
}

/** Registers `username` in-band, logs in on the same stream, and stores its vCard; returns the session open. */
async function registerWithVCard(websocketUrl: string, domain: string, username: string, vcard: VCardFields | undefined): Promise<Session> {
  const session = newSession(websocketUrl, domain);
  try {
    await withTimeout(session.register({ username, password: PASSWORD }, { login: true }), 20_000, `register ${username}`);
    if (vcard) await withTimeout(session.iq((id) => buildVCardSet(id, vcard)), 20_000, `vCard of ${username}`);
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
  return session;
}

/** Makes the owner and `count` contacts with vCards; see the file comment. */
export async function createAccounts(websocketUrl: string, domain: string, count: number, log: (line: string) => void): Promise<Accounts> {
  const contacts = Array.from({ length: count }, (_, i) => contactName(i));
  const contactJids = contacts.map((name) => `${name}@${domain}`);
  let start = performance.now();

  // The first contact stays online until it has approved the owner's subscription request.
  const first = await registerWithVCard(websocketUrl, domain, contacts[0] as string, contactVCard(0));
  first.send(buildPresence()); // available: subscription requests are delivered to it (RFC 6121 §3.1.3)
  let next = 1;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const session = await registerWithVCard(websocketUrl, domain, contacts[index] as string, contactVCard(index));
      await session.close();
      if (index % 250 === 0) log(`${index} contacts registered`);
    }
  };
  try {
    await Promise.all(Array.from({ length: SETUP_STREAMS }, worker));
    const contactsMs = performance.now() - start;

    start = performance.now();
    const owner = await registerWithVCard(websocketUrl, domain, OWNER, { nickName: 'Owner', image: '', status: '', mobileNumber: '', email: '' });
    try {
      // RFC 6121 §2.3: one item per roster set; all sent at once, answered in any order.
      await withTimeout(Promise.all(contactJids.map((jid, i) => owner.iq((id) => buildRosterSet(id, { jid, name: `Friend ${i}`, groups: ['Bench'] }), { timeoutMs: 60_000 }))),
        90_000, 'roster sets');
      const rosterMs = performance.now() - start;

      start = performance.now();
      const ownerJid = `${OWNER}@${domain}`;
      const asked = new Promise<void>((resolve) => {
        const off = first.on('stanza', (stanza) => {
          if (stanza.getName() === 'presence' && stanza.attrs.type === 'subscribe') {
            off();
            resolve();
          }
        });
      });
      owner.send(buildSubscribe(contactJids[0] as string));
      await withTimeout(asked, 10_000, 'the subscription request');
      first.send(buildSubscribed(ownerJid));
      // The server answers Last Activity about the first contact once it has processed the approval.
      await withTimeout((async () => {
        for (;;) {
          try {
            await owner.iq((id) => buildIqGet(id, contactJids[0], new Element('query', { xmlns: NS_LAST })));
            return;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      })(), 10_000, 'Last Activity after the subscription');
      return { domain, password: PASSWORD, owner: OWNER, contacts, contactJids, timings: { contacts: contactsMs, roster: rosterMs, subscription: performance.now() - start } };
    } finally {
      await owner.close().catch(() => undefined);
    }
  } finally {
    await first.close().catch(() => undefined);
  }
}
