/**
 * The clients of bench/profile.ts: each library logged in as a given user, doing the profile
 * requests with its own API, each answer read into the same five profile fields (nickname, image,
 * status, mobile number, e-mail), as an app would show them.
 *
 * - ours: the SDK facade (ours.ts).
 * - StanzaJS 12: `client.getVCard(jid)`, `client.getLastActivity(jid)`, `client.getRoster()`, `client.ping()`.
 * - @xmpp/client 0.14: `iqCaller.request()` with a vCard get, a `jabber:iq:last` query, a roster get, a ping.
 * - Strophe.js 5: `connection.sendIQ()` with the same stanzas (Node: `ws` and `@xmldom/xmldom`, its own).
 *
 * Logins are the libraries' own (SCRAM-SHA-1 against this Prosody); `plain` asks a peer for SASL
 * PLAIN instead, which the heap measure uses where a peer's SCRAM is too slow to log 500 sessions in
 * within the time of the bench (the idle session it leaves is the same).
 */
import WebSocket from 'ws';
import type { Element } from 'ltx';
import type { Stanzas } from 'stanza';
import { NS_LAST, NS_PING, NS_VCARD } from '../../lib/stanzas/ns.js';
import { closeStanzaJs, stanzaJsStarted, withTimeout, type TransportKind } from '../session/drivers.js';
import { oursDriver } from './ours.js';

export type { TransportKind } from '../session/drivers.js';

/** Where to log in. */
export interface Server {
  readonly websocketUrl: string;
  readonly boshUrl: string;
  readonly domain: string;
  readonly password: string;
}

/** The profile fields every client reads out of a vCard. */
export interface Fields {
  readonly nickName: string;
  readonly image: string;
  readonly status: string;
  readonly mobileNumber: string;
  readonly email: string;
}

/** A logged-in client. */
export interface Client {
  /** XEP-0199 ping of the server (ours: raw, beneath the SDK, when the transport was kept). */
  ping(): Promise<void>;
  /** A user's vCard-temp, read into the profile fields. */
  vcard(jid: string): Promise<Fields>;
  /** A user's Last Activity, in seconds. */
  last(jid: string): Promise<number>;
  /** The roster's contacts (bare JIDs); not used for ours, whose friends list does it all. */
  roster(): Promise<string[]>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Peers: SASL PLAIN instead of the library's SCRAM (see the file comment). */
  readonly plain?: boolean;
}

export interface Driver {
  readonly name: string;
  /** Why the library cannot be run on `transport` here, or undefined. */
  unsupported(transport: TransportKind): string | undefined;
  connect(transport: TransportKind, username: string, options?: ConnectOptions): Promise<Client>;
}

const LOGIN_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------------
// StanzaJS

const noFields: Fields = { nickName: '', image: '', status: '', mobileNumber: '', email: '' };

/**
 * StanzaJS logs with `console.error` each stanza it still tries to send on a WebSocket that has ended
 * when several clients disconnect (ERR_STREAM_WRITE_AFTER_END, from its outgoing queue, after the
 * measures): those lines are dropped so that the bench's output stays readable; any other goes through.
 */
function quietStanzaJsWritesAfterEnd(): void {
  const report = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if ((args[0] as { code?: unknown } | undefined)?.code === 'ERR_STREAM_WRITE_AFTER_END') return;
    report(...args);
  };
}

async function stanzaJs(server: Server): Promise<Driver> {
  const XMPP = await import('stanza');
  quietStanzaJsWritesAfterEnd();
  const fieldsOf = (vcard: Stanzas.VCardTemp): Fields => {
    let nickName = '';
    let image = '';
    let status = '';
    let mobileNumber = '';
    let email = '';
    for (const record of vcard.records ?? []) {
      if (record.type === 'nickname') nickName ||= record.value;
      else if (record.type === 'photo') image ||= record.url ?? '';
      else if (record.type === 'description') status ||= record.value;
      else if (record.type === 'tel') mobileNumber ||= record.value ?? '';
      else if (record.type === 'email') email ||= record.value ?? '';
    }
    return { nickName: nickName || vcard.fullName || '', image, status, mobileNumber, email };
  };
  return {
    name: 'StanzaJS',
    unsupported: () => undefined,
    async connect(transport, username, options = {}) {
      const client = XMPP.createClient({
        jid: `${username}@${server.domain}`,
        password: server.password,
        transports: transport === 'websocket' ? { websocket: server.websocketUrl, bosh: false } : { websocket: false, bosh: server.boshUrl },
      });
      if (options.plain) for (const name of ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'DIGEST-MD5', 'OAUTHBEARER', 'X-OAUTH2']) client.sasl.disable(name);
      const started = stanzaJsStarted(client);
      const close = (): Promise<void> => closeStanzaJs(client).catch(() => undefined);
      try {
        await client.connect();
        await withTimeout(started, LOGIN_TIMEOUT_MS, 'StanzaJS login');
      } catch (error) {
        await close();
        throw error;
      }
      return {
        ping: () => client.ping(server.domain),
        vcard: async (jid) => fieldsOf(await client.getVCard(jid)),
        last: async (jid) => (await client.getLastActivity(jid)).seconds ?? 0,
        roster: async () => (await client.getRoster()).items.map((item) => item.jid),
        close,
      };
    },
  };
}

/** The profile fields of a vCard-temp, given how to read the text at a path of child names. */
function vcardFields(text: (...path: string[]) => string): Fields {
  return {
    nickName: text('NICKNAME') || text('FN'),
    image: text('PHOTO', 'EXTVAL'),
    status: text('DESC'),
    mobileNumber: text('TEL', 'NUMBER'),
    email: text('EMAIL', 'USERID'),
  };
}

// ---------------------------------------------------------------------------------------------------
// @xmpp/client

async function xmppJs(server: Server): Promise<Driver> {
  // @xmpp/websocket uses the global WebSocket, which Node 20 does not have: the `ws` package's.
  const scope = globalThis as { WebSocket?: unknown };
  scope.WebSocket ??= WebSocket;
  const { client, xml } = await import('@xmpp/client');
  /** @xmpp/xml elements are ltx elements: read them with ltx's API. */
  const asLtx = (element: unknown): Element => element as Element;
  const text = (vcard: Element, ...path: string[]): string => {
    let at: Element | undefined = vcard;
    for (const name of path) at = at?.getChild(name);
    return at?.getText() ?? '';
  };
  const fieldsOf = (answer: unknown): Fields => {
    const vcard = asLtx(answer).getChild('vCard', NS_VCARD);
    if (!vcard) return noFields;
    return vcardFields((...path) => text(vcard, ...path));
  };
  return {
    name: '@xmpp/client',
    unsupported: (transport) => transport === 'bosh' ? 'no BOSH transport in @xmpp/client 0.14' : undefined,
    async connect(_transport, username, options = {}) {
      const credentials = { username, password: server.password };
      const xmpp = client({
        service: server.websocketUrl,
        domain: server.domain,
        ...(options.plain
          ? { credentials: (authenticate: (credentials: { username: string; password: string }, mechanism: string) => Promise<void>) => authenticate(credentials, 'PLAIN') }
          : credentials),
      });
      xmpp.on('error', () => undefined); // errors also reject start(); a listener must be attached
      try {
        await withTimeout(xmpp.start(), LOGIN_TIMEOUT_MS, '@xmpp/client login');
      } catch (error) {
        await xmpp.stop().catch(() => undefined);
        throw error;
      }
      const request = (to: string | undefined, payload: ReturnType<typeof xml>) =>
        xmpp.iqCaller.request(xml('iq', to === undefined ? { type: 'get' } : { type: 'get', to }, payload), REQUEST_TIMEOUT_MS);
      return {
        ping: async () => { await request(server.domain, xml('ping', { xmlns: NS_PING })); },
        vcard: async (jid) => fieldsOf(await request(jid, xml('vCard', { xmlns: NS_VCARD }))),
        last: async (jid) => Number(asLtx(await request(jid, xml('query', { xmlns: NS_LAST }))).getChild('query', NS_LAST)?.attrs.seconds ?? 0),
        roster: async () => {
          const query = asLtx(await request(undefined, xml('query', { xmlns: 'jabber:iq:roster' }))).getChild('query', 'jabber:iq:roster');
          return (query?.getChildren('item') ?? []).map((item) => String(item.attrs.jid));
        },
        close: async () => { await withTimeout(xmpp.stop(), 5000, '@xmpp/client stop').catch(() => undefined); },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Strophe.js

async function stropheJs(server: Server): Promise<Driver> {
  const { installXMLHttpRequest } = await import('../session/xhr.js');
  installXMLHttpRequest(); // for BOSH only; Strophe's Node build sets up ws and xmldom itself
  const { Strophe, $iq } = await import('strophe.js');
  Strophe.setLogLevel(Strophe.LogLevel.FATAL);
  type Node = { getElementsByTagName(name: string): ArrayLike<{ textContent: string | null; getAttribute(name: string): string | null; getElementsByTagName: Node['getElementsByTagName'] }> };
  const first = (scope: Node | undefined, name: string) => scope?.getElementsByTagName(name)[0];
  const text = (vcard: Node, ...path: string[]): string => {
    let at: Node | undefined = vcard;
    let found: { textContent: string | null } | undefined;
    for (const name of path) {
      const next = first(at, name);
      found = next;
      at = next;
    }
    return found?.textContent ?? '';
  };
  const fieldsOf = (answer: Node): Fields => {
    const vcard = first(answer, 'vCard');
    if (!vcard) return noFields;
    return vcardFields((...path) => text(vcard, ...path));
  };
  return {
    name: 'Strophe.js',
    unsupported: () => undefined,
    async connect(transport, username) {
      const connection = new Strophe.Connection(transport === 'websocket' ? server.websocketUrl : server.boshUrl);
      let onStatus: (status: number, condition?: string) => void = () => undefined;
      const connected = new Promise<void>((resolve, reject) => {
        onStatus = (status, condition) => {
          if (status === Strophe.Status.CONNECTED) resolve();
          else if (status === Strophe.Status.AUTHFAIL || status === Strophe.Status.CONNFAIL || status === Strophe.Status.ERROR || status === Strophe.Status.DISCONNECTED) {
            reject(new Error(`Strophe.js: status ${status}${condition ? ` (${condition})` : ''} before CONNECTED`));
          }
        };
      });
      const close = async (): Promise<void> => {
        if (!connection.connected && !connection.connecting) return;
        const gone = new Promise<void>((resolve) => {
          onStatus = (status) => { if (status === Strophe.Status.DISCONNECTED) resolve(); };
        });
        connection.disconnect('bench');
        await withTimeout(gone, 5000, 'Strophe.js disconnect').catch(() => undefined);
      };
      connection.connect(`${username}@${server.domain}`, server.password, (status: number, condition?: string | null) => onStatus(status, condition ?? undefined));
      try {
        await withTimeout(connected, LOGIN_TIMEOUT_MS, 'Strophe.js login');
      } catch (error) {
        await close();
        throw error;
      }
      const request = (to: string | undefined, name: string, xmlns: string): Promise<Node> => new Promise<Node>((resolve, reject) => {
        connection.sendIQ(
          $iq(to === undefined ? { type: 'get' } : { type: 'get', to }).c(name, { xmlns }),
          (stanza: unknown) => resolve(stanza as Node),
          (stanza: unknown) => reject(new Error(`Strophe.js: ${name} request failed${stanza ? '' : ' (timeout)'}`)),
          REQUEST_TIMEOUT_MS,
        );
      });
      return {
        ping: async () => { await request(server.domain, 'ping', NS_PING); },
        vcard: async (jid) => fieldsOf(await request(jid, 'vCard', NS_VCARD)),
        last: async (jid) => Number(first(await request(jid, 'query', NS_LAST), 'query')?.getAttribute('seconds') ?? 0),
        roster: async () => Array.from((await request(undefined, 'query', 'jabber:iq:roster')).getElementsByTagName('item'), (item) => item.getAttribute('jid') ?? ''),
        close,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------

export const PEERS = ['StanzaJS', '@xmpp/client', 'Strophe.js'] as const;
export type PeerName = (typeof PEERS)[number];

/** Our driver and the peers' that load here (a peer that cannot load is returned with why). */
export async function loadDrivers(target: Server, only?: readonly string[]): Promise<{ drivers: Driver[]; failures: [string, string][] }> {
  const drivers: Driver[] = only && !only.includes('ours') ? [] : [oursDriver(target)];
  const failures: [string, string][] = [];
  const loaders: Record<PeerName, (server: Server) => Promise<Driver>> = { StanzaJS: stanzaJs, '@xmpp/client': xmppJs, 'Strophe.js': stropheJs };
  for (const name of PEERS) {
    if (only && !only.includes(name)) continue;
    try {
      drivers.push(await loaders[name](target));
    } catch (error) {
      failures.push([name, `cannot load: ${error instanceof Error ? error.message : String(error)}`]);
    }
  }
  return { drivers, failures };
}
