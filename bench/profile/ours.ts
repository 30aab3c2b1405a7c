/**
 * Our client for bench/profile.ts: the SDK facade (`createSDK`, `initializeSDK`, `connect`,
 * `getUserProfile`, `getLastSeen`, `getFriendsList`, `logout`). For the latency table it can also keep
 * the transport the SDK logs in with (a transport factory that makes the same transport `service`
 * would), to send requests on the same connection beneath the SDK: the "raw" rows, an element sent and
 * its answer matched by id at the transport, with no IQ caller, no parsing to a profile, no SDK.
 */
import '../../lib/node.js'; // registers `ws` as the WebSocket of our transport
import { Element } from 'ltx';
import { createSDK, type ProfileSDK } from '../../lib/profile/sdk.js';
import type { User } from '../../lib/profile/types.js';
import { buildIqGet } from '../../lib/stanzas/iq.js';
import { NS_LAST, NS_PING, NS_VCARD } from '../../lib/stanzas/ns.js';
import { createBoshTransport } from '../../lib/transport/bosh.js';
import type { Transport } from '../../lib/transport/transport.js';
import { createWebSocketTransport } from '../../lib/transport/websocket.js';
import { withTimeout } from '../session/drivers.js';
import type { Client, Driver, Server, TransportKind } from './drivers.js';

const LOGIN_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** Our client: the SDK, plus the requests beneath it when its transport was kept. */
export interface OurClient extends Client {
  readonly sdk: ProfileSDK;
  /** The friends list through the SDK (`getFriendsList`). */
  friendsList(): Promise<User[]>;
  /** A vCard get sent on the SDK's transport, answered at the transport (no parsing). */
  rawVCard(jid: string): Promise<void>;
  /** A Last Activity get sent on the SDK's transport, answered at the transport (no parsing). */
  rawLast(jid: string): Promise<void>;
}

function checked<T extends { statusCode: number; message: string }>(answer: T, what: string): T {
  if (answer.statusCode !== 200) throw new Error(`${what}: ${answer.statusCode} ${answer.message}`);
  return answer;
}

function dataOf<D>(answer: { statusCode: number; message: string; data?: D }, what: string): D {
  const { data } = checked(answer, what);
  if (data === undefined) throw new Error(`${what}: no data`);
  return data;
}

export interface OurOptions {
  /**
   * The SDK gets a transport factory making what `service` would make (the same constructor and URL),
   * which keeps the transport for the raw requests.
   */
  readonly keepTransport?: boolean;
  /** `profileConcurrency` of `initializeSDK`; default: the SDK's default. */
  readonly profileConcurrency?: number;
}

/** Logs in with the SDK (see {@link OurOptions}). */
export async function connectOurs(server: Server, transport: TransportKind, username: string, options: OurOptions = {}): Promise<OurClient> {
  const { keepTransport = false, profileConcurrency } = options;
  const sdk = createSDK();
  const service = transport === 'websocket' ? server.websocketUrl : server.boshUrl;
  let kept: Transport | undefined;
  const factory = (): Transport => {
    kept = transport === 'websocket' ? createWebSocketTransport({ url: service }) : createBoshTransport({ url: service, fetch: globalThis.fetch });
    return kept;
  };
  checked(await sdk.initializeSDK({
    service,
    domain: server.domain,
    ...(keepTransport ? { transport: factory } : {}),
    ...(profileConcurrency !== undefined ? { profileConcurrency } : {}),
  }), 'initializeSDK');
  await withTimeout(sdk.connect(username, server.password), LOGIN_TIMEOUT_MS, 'ours connect');
  let counter = 0;
  /** Sends `payload` in an IQ get on the kept transport; resolves on the answer with its id. */
  const raw = (to: string, payload: Element): Promise<void> => {
    const on = kept;
    if (!on) return Promise.reject(new Error('ours: the transport was not kept'));
    const id = `raw-${(++counter).toString(36)}`;
    return withTimeout(new Promise<void>((resolve) => {
      const off = on.on('element', (element) => {
        if (element.attrs.id !== id) return;
        off();
        resolve();
      });
      on.send(buildIqGet(id, to, payload));
    }), REQUEST_TIMEOUT_MS, 'ours raw request');
  };
  const ping = new Element('ping', { xmlns: NS_PING });
  const vcard = new Element('vCard', { xmlns: NS_VCARD });
  const last = new Element('query', { xmlns: NS_LAST });
  return {
    sdk,
    ping: () => raw(server.domain, ping),
    rawVCard: (jid) => raw(jid, vcard),
    rawLast: (jid) => raw(jid, last),
    vcard: async (jid) => dataOf(await sdk.getUserProfile(jid), 'getUserProfile'),
    last: async (jid) => dataOf(await sdk.getLastSeen(jid), 'getLastSeen').seconds,
    roster: () => Promise.reject(new Error('ours: use friendsList')),
    friendsList: async () => dataOf(await sdk.getFriendsList(), 'getFriendsList'),
    close: async () => { await withTimeout(sdk.logout(), 10_000, 'ours logout').catch(() => undefined); },
  };
}

/** Our driver, for the measures that treat every library alike. */
export function oursDriver(server: Server): Driver {
  return { name: 'ours', unsupported: () => undefined, connect: (transport, username) => connectOurs(server, transport, username) };
}
