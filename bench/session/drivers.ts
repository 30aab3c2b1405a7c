/**
 * One driver per library for bench/session.ts: log in with a username and password over a transport
 * until the library says the session is ready (bound), ping the server (XEP-0199) with the library's
 * own IQ API, and close. Each peer is driven the way its README shows; where a peer cannot do a
 * transport or keep SCRAM keys, the driver says why instead.
 *
 * - ours: `new Session({ transport, domain, scramCache })`, `login`, `iq(buildIqGet(ping))`, `close`.
 *   Over BOSH with the fetch a Node app gets by default (node-fetch.ts, set by the Node entry
 *   points); `ours, global fetch` is the same over Node's own `fetch` (undici), for comparison.
 * - StanzaJS 12: `createClient({ jid, password, transports })`, `connect()` until `session:started`,
 *   `client.ping(domain)`, `disconnect()` until `disconnected`. SCRAM keys come back in
 *   `credentials:update` and are given to the next client as `credentials`.
 * - Strophe.js 5: `new Strophe.Connection(url)`, `connect(jid, pass, cb)` until `Status.CONNECTED`,
 *   `sendIQ($iq ping)`, `disconnect()` until `Status.DISCONNECTED`. Its Node build brings `ws` and
 *   `@xmldom/xmldom`; BOSH needs an `XMLHttpRequest` (./xhr.ts). SCRAM keys: `connection.scram_keys`,
 *   given to the next `connect` as the password (its documented form).
 * - @xmpp/client 0.14: `client({ service, domain, username, password })`, `start()`,
 *   `iqCaller.request(ping)`, `stop()`. WebSocket only (it has no BOSH transport); it has no SCRAM key
 *   cache (its fast re-login is FAST, XEP-0484, which needs SASL2, which Prosody 0.12 does not offer).
 */
import WebSocket from 'ws';
import { Element } from 'ltx';
import { Session } from '../../lib/transport/session.js';
import { createWebSocketTransport, type WebSocketConstructor } from '../../lib/transport/websocket.js';
import { createBoshTransport, type BoshFetch } from '../../lib/transport/bosh.js';
import { createNodeBoshFetch } from '../../lib/transport/node-fetch.js';
import { createScramKeyCache, type ScramKeyCache } from '../../lib/transport/scram.js';
import type { TraceHook } from '../../lib/transport/trace.js';
import { buildIqGet } from '../../lib/stanzas/iq.js';
import { NS_PING } from '../../lib/stanzas/ns.js';
import type { Agent } from 'stanza';

export type TransportKind = 'websocket' | 'bosh';
export type CacheMode = 'cold' | 'warm';

/** Where and as whom to log in. */
export interface Target {
  readonly websocketUrl: string;
  readonly boshUrl: string;
  readonly domain: string;
  readonly username: string;
  readonly password: string;
}

/** A logged-in connection. */
export interface Connection {
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What a driver may be asked for besides timing: the raw traffic, to check the mechanism and `i=`. */
export interface Observe {
  /** Each raw text sent (`out`) or received (`in`), as the library's transport hook shows it. */
  readonly raw?: (direction: 'in' | 'out', text: string) => void;
}

export interface Driver {
  readonly name: string;
  /** Why this library cannot be benched on `transport` here, or undefined when it can. */
  unsupported(transport: TransportKind): string | undefined;
  /** Why it has no warm SCRAM key cache, or undefined when it has one. */
  noWarmCache(transport: TransportKind): string | undefined;
  /** What was needed to run it on `transport` here, for the table's note column. */
  remark?(transport: TransportKind): string | undefined;
  /**
   * Logs in; resolves once the library reports the session ready. `warm`: with the SCRAM keys kept
   * from an earlier login of this driver (the first warm login fills the keep).
   */
  login(transport: TransportKind, cache: CacheMode, observe?: Observe): Promise<Connection>;
}

const STEP_TIMEOUT_MS = 10_000;

/** Rejects when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------------
// Ours

/** A `ws` WebSocket that reports every frame, for the mechanism and iteration checks and the step timings. */
function observedWebSocket(raw: (direction: 'in' | 'out', text: string) => void): WebSocketConstructor {
  class Observed extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.on('open', () => raw('in', '#socket-open'));
      this.on('message', (data: WebSocket.RawData) => raw('in', data.toString()));
    }
    override send(data: string): void {
      raw('out', data);
      super.send(data);
    }
  }
  return Observed as unknown as WebSocketConstructor;
}

/** `fetch`, reporting each BOSH body sent and received. */
function observedFetch(fetch: BoshFetch, raw: (direction: 'in' | 'out', text: string) => void): BoshFetch {
  return async (url, init) => {
    raw('out', init.body);
    const response = await fetch(url, init);
    const text = await response.text();
    raw('in', text);
    return { status: response.status, text: async () => text };
  };
}

export interface OursOptions {
  /** Receives the session's trace entries (for the step timings). */
  readonly onTrace?: TraceHook;
}

/** The fetch a Node app's BOSH transports use by default (lib/transport/node.ts sets it), or Node's global one. */
export type OursFetch = 'node' | 'global';

/** Our BOSH fetch of that kind: one Node fetch (one pool of connections) per driver, as an app has one. */
export function oursFetch(kind: OursFetch): BoshFetch {
  return kind === 'node' ? createNodeBoshFetch() : (url, init) => globalThis.fetch(url, init);
}

export function ours(target: Target, fetchKind: OursFetch = 'node'): Driver & { loginWith(transport: TransportKind, cache: ScramKeyCache, observe?: Observe, options?: OursOptions): Promise<Connection> } {
  const shared = createScramKeyCache();
  const boshFetch = oursFetch(fetchKind);
  const loginWith = async (transport: TransportKind, cache: ScramKeyCache, observe: Observe = {}, options: OursOptions = {}): Promise<Connection> => {
    const raw = observe.raw;
    const session = new Session({
      transport: transport === 'websocket'
        ? () => createWebSocketTransport({ url: target.websocketUrl, WebSocket: raw ? observedWebSocket(raw) : (WebSocket as unknown as WebSocketConstructor) })
        : () => createBoshTransport({ url: target.boshUrl, fetch: raw ? observedFetch(boshFetch, raw) : boshFetch }),
      domain: target.domain,
      scramCache: cache,
      reconnect: false,
      ...(options.onTrace ? { onTrace: options.onTrace } : {}),
    });
    await session.login({ username: target.username, password: target.password });
    const ping = new Element('ping', { xmlns: NS_PING });
    return {
      ping: async () => { await session.iq((id) => buildIqGet(id, target.domain, ping)); },
      close: () => session.close(),
    };
  };
  return {
    name: fetchKind === 'node' ? 'ours' : 'ours, global fetch',
    unsupported: (transport) => fetchKind === 'global' && transport === 'websocket' ? 'the fetch is used by BOSH only (same as ours)' : undefined,
    noWarmCache: () => undefined,
    login: (transport, cache, observe) => loginWith(transport, cache === 'warm' ? shared : createScramKeyCache(), observe),
    loginWith,
  };
}

// ---------------------------------------------------------------------------------------------------
// StanzaJS

export async function stanzaJs(target: Target): Promise<Driver> {
  const XMPP = await import('stanza');
  let kept: Record<string, unknown> | undefined;
  return {
    name: 'StanzaJS',
    unsupported: () => undefined,
    noWarmCache: () => undefined,
    remark: (transport) => transport === 'bosh' ? "closed on 'stream:end': its disconnect() never settles over BOSH in Node" : undefined,
    async login(transport, cache, observe = {}) {
      const client = XMPP.createClient({
        jid: `${target.username}@${target.domain}`,
        password: target.password,
        ...(cache === 'warm' && kept ? { credentials: { ...kept, password: target.password } } : {}),
        transports: transport === 'websocket' ? { websocket: target.websocketUrl, bosh: false } : { websocket: false, bosh: target.boshUrl },
      });
      const raw = observe.raw;
      if (raw) {
        client.on('raw:incoming', (data: string) => raw('in', data));
        client.on('raw:outgoing', (data: string) => raw('out', data));
      }
      if (cache === 'warm') client.on('credentials:update', (credentials) => { kept = { ...credentials }; });
      const started = stanzaJsStarted(client);
      const closeIt = (): Promise<void> => closeStanzaJs(client);
      try {
        await client.connect();
        await withTimeout(started, STEP_TIMEOUT_MS, 'StanzaJS login');
      } catch (error) {
        await closeIt().catch(() => undefined);
        throw error;
      }
      return {
        ping: () => client.ping(target.domain),
        close: closeIt,
      };
    },
  };
}

type StanzaJsClient = Agent;

/** Settles when a StanzaJS client's session has started; rejects when its login failed. */
export function stanzaJsStarted(client: StanzaJsClient): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    client.once('session:started', () => resolve());
    client.once('auth:failed', () => reject(new Error('StanzaJS: authentication failed')));
    client.once('disconnected', (error) => reject(new Error(`StanzaJS: disconnected before the session started${error ? ` (${String(error)})` : ''}`)));
  });
}

/**
 * Closes a StanzaJS client. Over BOSH in Node, neither the promise of disconnect() nor the
 * 'disconnected' event settles after the server answered the terminate request (12.22.1);
 * 'stream:end' is that answer.
 */
export async function closeStanzaJs(client: StanzaJsClient): Promise<void> {
  const gone = new Promise<void>((resolve) => {
    client.once('disconnected', () => resolve());
    client.once('stream:end', () => resolve());
  });
  void Promise.resolve(client.disconnect() as unknown).catch(() => undefined);
  await withTimeout(gone, 5000, 'StanzaJS disconnect');
}

// ---------------------------------------------------------------------------------------------------
// Strophe.js

export async function stropheJs(target: Target): Promise<Driver> {
  const { installXMLHttpRequest } = await import('./xhr.js');
  installXMLHttpRequest(); // for BOSH only; Strophe's Node build sets up ws and xmldom itself
  const { Strophe, $iq } = await import('strophe.js');
  Strophe.setLogLevel(Strophe.LogLevel.FATAL);
  type Keys = { name: string; salt: string; iter: number; ck: string; sk: string };
  let kept: Keys | undefined;
  return {
    name: 'Strophe.js',
    unsupported: () => undefined,
    noWarmCache: () => undefined,
    remark: (transport) => transport === 'bosh' ? 'Node has no XMLHttpRequest: a fetch-based one (bench/session/xhr.ts)' : undefined,
    async login(transport, cache, observe = {}) {
      const connection = new Strophe.Connection(transport === 'websocket' ? target.websocketUrl : target.boshUrl);
      const raw = observe.raw;
      if (raw) {
        connection.rawInput = (data: string) => raw('in', data);
        connection.rawOutput = (data: string) => raw('out', data);
      }
      let onStatus: (status: number, condition?: string) => void = () => undefined;
      const callback = (status: number, condition?: string | null): void => onStatus(status, condition ?? undefined);
      const connected = new Promise<void>((resolve, reject) => {
        onStatus = (status, condition) => {
          if (status === Strophe.Status.CONNECTED) resolve();
          else if (status === Strophe.Status.AUTHFAIL || status === Strophe.Status.CONNFAIL || status === Strophe.Status.ERROR || status === Strophe.Status.DISCONNECTED) {
            reject(new Error(`Strophe.js: status ${status}${condition ? ` (${condition})` : ''} before CONNECTED`));
          }
        };
      });
      const pass = cache === 'warm' && kept ? kept : target.password;
      const closeIt = async (): Promise<void> => {
        if (!connection.connected && !connection.connecting) return;
        const gone = new Promise<void>((resolve) => {
          onStatus = (status) => { if (status === Strophe.Status.DISCONNECTED) resolve(); };
        });
        connection.disconnect('bench');
        await withTimeout(gone, 5000, 'Strophe.js disconnect').catch(() => undefined);
      };
      connection.connect(`${target.username}@${target.domain}`, pass as string, callback);
      try {
        await withTimeout(connected, STEP_TIMEOUT_MS, 'Strophe.js login');
      } catch (error) {
        await closeIt().catch(() => undefined);
        throw error;
      }
      if (cache === 'warm' && connection.scram_keys) kept = connection.scram_keys as Keys;
      const ping = (): Promise<void> => new Promise<void>((resolve, reject) => {
        connection.sendIQ(
          $iq({ type: 'get', to: target.domain }).c('ping', { xmlns: 'urn:xmpp:ping' }),
          () => resolve(),
          (stanza: unknown) => reject(new Error(`Strophe.js: ping failed${stanza ? '' : ' (timeout)'}`)),
          STEP_TIMEOUT_MS,
        );
      });
      return { ping, close: closeIt };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// @xmpp/client

export async function xmppJs(target: Target): Promise<Driver> {
  // @xmpp/websocket uses the global WebSocket, which Node 20 does not have: the `ws` package's.
  const scope = globalThis as { WebSocket?: unknown };
  scope.WebSocket ??= WebSocket;
  const { client, xml } = await import('@xmpp/client');
  type XmlElement = import('@xmpp/client').XmlElement;
  return {
    name: '@xmpp/client',
    unsupported: (transport) => transport === 'bosh' ? 'no BOSH transport in @xmpp/client 0.14 (WebSocket, TCP and TLS only)' : undefined,
    noWarmCache: () => 'no SCRAM key cache in @xmpp/client 0.14 (its FAST re-login needs SASL2, not offered by Prosody 0.12)',
    remark: () => 'global WebSocket = ws (Node 20 has none)',
    async login(_transport, _cache, observe = {}) {
      const xmpp = client({ service: target.websocketUrl, domain: target.domain, username: target.username, password: target.password });
      xmpp.on('error', () => undefined); // errors also reject start(); a listener must be attached
      const raw = observe.raw;
      if (raw) {
        xmpp.on('element', (element: XmlElement) => raw('in', element.toString()));
        xmpp.on('send', (element: XmlElement) => raw('out', element.toString()));
      }
      try {
        await withTimeout(xmpp.start(), STEP_TIMEOUT_MS, '@xmpp/client login');
      } catch (error) {
        await xmpp.stop().catch(() => undefined);
        throw error;
      }
      return {
        ping: async () => { await xmpp.iqCaller.request(xml('iq', { type: 'get', to: target.domain }, xml('ping', { xmlns: 'urn:xmpp:ping' }))); },
        close: async () => { await withTimeout(xmpp.stop(), 5000, '@xmpp/client stop').catch(() => undefined); },
      };
    },
  };
}
