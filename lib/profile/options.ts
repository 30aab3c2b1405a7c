/**
 * The options of `initializeSDK` (API.md §2), checked and completed with their defaults. A bad option
 * answers 400 with a message that names it; nothing throws.
 *
 * @see API.md §2
 */
import type { TraceHook } from '../transport/trace.js';
import type { ReconnectOptions } from '../transport/session-options.js';
import type { Transport, TransportFactory } from '../transport/transport.js';
import { createBoshTransport } from '../transport/bosh.js';
import { createWebSocketTransport } from '../transport/websocket.js';
import type { WebSocketConstructor } from '../transport/websocket.js';
import { parseJid } from '../stanzas/jid.js';
import { fail } from './answers.js';
import type { RosterStore } from './roster-store.js';
import type { CallbackListeners } from './types.js';
import type { Checked } from './validate.js';

/** What `initializeSDK` takes. Only `service` (or `transport`) is required. */
export interface InitOptions {
  /** `ws://` or `wss://`: WebSocket (RFC 7395); `http://` or `https://`: BOSH (XEP-0206). */
  readonly service?: string;
  /** The XMPP domain; default: the host of `service`. */
  readonly domain?: string;
  /** Register and log in on `sandboxDomain` instead of `domain`. Default false. */
  readonly isSandbox?: boolean;
  /** Default: `sandbox.<domain>`. */
  readonly sandboxDomain?: string;
  /** HTTP base of the token endpoint; default: the origin of `service` (ws -> http, wss -> https). */
  readonly apiBaseUrl?: string;
  /** The token endpoint; default `${apiBaseUrl}/oauth/token`. */
  readonly tokenEndpoint?: string;
  readonly callbackListeners?: CallbackListeners;
  /** A transport or a factory of transports; replaces `service`. A factory lets the SDK reconnect. */
  readonly transport?: Transport | TransportFactory;
  /** How long a request waits for its answer, in ms. Default 15,000. */
  readonly requestTimeoutMs?: number;
  /** Reconnect after an unexpected close. Default on. */
  readonly reconnect?: boolean | ReconnectOptions;
  /**
   * Allow a password (or token) to go in clear over a link that is neither TLS nor loopback: SASL
   * PLAIN and the bearer-token mechanisms, in-band registration (`register`), the token request
   * (`getUserToken`). Default false.
   */
  readonly allowPlainAuth?: boolean;
  /** Receives every element in and out, with passwords, tokens and SASL payloads redacted. */
  readonly onTrace?: TraceHook;
  /** Where the roster and its version are kept between sessions. Default: in memory. */
  readonly rosterStore?: RosterStore;
  /**
   * How many contacts' profiles the friends list fetches at once. Default 32 over WebSocket, 128 over
   * BOSH (where each HTTP exchange carries a whole window of requests and answers, so a wider window
   * keeps the server busy).
   */
  readonly profileConcurrency?: number;
  /** The resource to bind; default: the server picks one. */
  readonly resource?: string;
  /** `fetch` for BOSH, uploads and tokens; default: the global one. */
  readonly fetch?: typeof fetch;
  /** The `WebSocket` constructor; default: the global one (in Node, the `ws` package). */
  readonly WebSocket?: WebSocketConstructor;
}

/** The checked options with their defaults. */
export interface SdkConfig {
  readonly service: string;
  readonly transport: Transport | TransportFactory | undefined;
  readonly domain: string;
  readonly isSandbox: boolean;
  readonly sandboxDomain: string;
  readonly tokenEndpoint: string;
  readonly listeners: CallbackListeners;
  readonly requestTimeoutMs: number;
  readonly reconnect: boolean | ReconnectOptions;
  readonly allowPlainAuth: boolean;
  readonly onTrace: TraceHook | undefined;
  readonly rosterStore: RosterStore | undefined;
  /** `undefined`: chosen by the transport (see {@link InitOptions}). */
  readonly profileConcurrency: number | undefined;
  readonly resource: string | undefined;
  readonly fetch: typeof fetch;
  /** The app's own `fetch`, when it gave one: BOSH uses it; else BOSH's default (in Node, its own client). */
  readonly appFetch: typeof fetch | undefined;
  readonly WebSocket: WebSocketConstructor | undefined;
}

const LISTENERS = ['connectionListener', 'friendsListListener', 'userProfileListener', 'blockUserListener'] as const;

/** Checks the options of `initializeSDK`. */
export function checkInitOptions(input: unknown): Checked<SdkConfig> {
  const bad = (message: string): Checked<never> => ({ ok: false, answer: fail(400, message) });
  if (input === null || typeof input !== 'object') return bad('options must be an object');
  const options = input as Record<string, unknown>;
  const transport = options.transport;
  if (transport !== undefined && typeof transport !== 'function' && !isTransport(transport)) {
    return bad('transport must be a Transport or a function that makes one');
  }
  const service = options.service;
  let serviceUrl: URL | undefined;
  if (service !== undefined || transport === undefined) {
    if (typeof service !== 'string' || service === '') return bad('service is required (ws://, wss://, http:// or https:// URL) unless a transport is given');
    try {
      serviceUrl = new URL(service);
    } catch {
      return bad(`service is not a URL: '${service}'`);
    }
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(serviceUrl.protocol)) return bad(`service must be a ws://, wss://, http:// or https:// URL, not ${serviceUrl.protocol}`);
  }
  const domain = options.domain ?? serviceUrl?.hostname;
  if (typeof domain !== 'string' || !isDomain(domain)) return bad(`domain must be an XMPP domain${domain === undefined ? ' (required with a transport)' : `, not '${String(domain)}'`}`);
  const sandboxDomain = options.sandboxDomain ?? `sandbox.${domain}`;
  if (typeof sandboxDomain !== 'string' || !isDomain(sandboxDomain)) return bad(`sandboxDomain must be an XMPP domain, not '${String(sandboxDomain)}'`);
  for (const name of ['isSandbox', 'allowPlainAuth'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') return bad(`${name} must be true or false`);
  }
  const reconnect = options.reconnect ?? true;
  if (typeof reconnect !== 'boolean' && (reconnect === null || typeof reconnect !== 'object')) return bad('reconnect must be true, false or { maxAttempts, baseMs, capMs }');
  const timeout = options.requestTimeoutMs ?? 15_000;
  if (!isPositiveInteger(timeout)) return bad('requestTimeoutMs must be a positive integer (milliseconds)');
  const concurrency = options.profileConcurrency;
  if (concurrency !== undefined && !isPositiveInteger(concurrency)) return bad('profileConcurrency must be a positive integer');
  const listeners = options.callbackListeners ?? {};
  if (listeners === null || typeof listeners !== 'object') return bad('callbackListeners must be an object of functions');
  for (const name of LISTENERS) {
    const listener = (listeners as Record<string, unknown>)[name];
    if (listener !== undefined && typeof listener !== 'function') return bad(`callbackListeners.${name} must be a function`);
  }
  for (const name of ['onTrace', 'fetch', 'WebSocket'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') return bad(`${name} must be a function`);
  }
  const store = options.rosterStore;
  if (store !== undefined && (store === null || typeof store !== 'object' || typeof (store as RosterStore).load !== 'function' || typeof (store as RosterStore).save !== 'function')) {
    return bad('rosterStore must have load(userJid) and save(userJid, roster)');
  }
  if (options.resource !== undefined && (typeof options.resource !== 'string' || options.resource === '')) return bad('resource must be a non-empty string');
  const endpoint = tokenEndpointOf(options.tokenEndpoint, options.apiBaseUrl, serviceUrl);
  if (!endpoint.ok) return endpoint;
  // Called as a plain function, never as a method of another object: a browser's fetch throws
  // "Illegal invocation" when its `this` is not the window.
  const given = options.fetch as typeof fetch | undefined;
  const httpFetch: typeof fetch = given ? (input, init) => given(input, init) : (input, init) => globalThis.fetch(input, init);
  return {
    ok: true,
    value: {
      service: typeof service === 'string' ? service : '',
      transport: transport as Transport | TransportFactory | undefined,
      domain: domain.toLowerCase(),
      isSandbox: options.isSandbox === true,
      sandboxDomain: sandboxDomain.toLowerCase(),
      tokenEndpoint: endpoint.value,
      listeners: listeners as CallbackListeners,
      requestTimeoutMs: timeout as number,
      reconnect: reconnect as boolean | ReconnectOptions,
      allowPlainAuth: options.allowPlainAuth === true,
      onTrace: options.onTrace as TraceHook | undefined,
      rosterStore: store as RosterStore | undefined,
      profileConcurrency: concurrency as number | undefined,
      resource: options.resource as string | undefined,
      fetch: httpFetch,
      appFetch: given ? httpFetch : undefined,
      WebSocket: options.WebSocket as WebSocketConstructor | undefined,
    },
  };
}

function tokenEndpointOf(tokenEndpoint: unknown, apiBaseUrl: unknown, service: URL | undefined): Checked<string> {
  const bad = (message: string): Checked<never> => ({ ok: false, answer: fail(400, message) });
  if (tokenEndpoint !== undefined) {
    if (typeof tokenEndpoint !== 'string' || !isHttpUrl(tokenEndpoint)) return bad('tokenEndpoint must be an http:// or https:// URL');
    return { ok: true, value: tokenEndpoint };
  }
  if (apiBaseUrl !== undefined) {
    if (typeof apiBaseUrl !== 'string' || !isHttpUrl(apiBaseUrl)) return bad('apiBaseUrl must be an http:// or https:// URL');
    return { ok: true, value: `${apiBaseUrl.replace(/\/+$/, '')}/oauth/token` };
  }
  if (!service) return { ok: true, value: '' };
  const scheme = service.protocol === 'wss:' || service.protocol === 'https:' ? 'https:' : 'http:';
  return { ok: true, value: `${scheme}//${service.host}/oauth/token` };
}

function isTransport(value: unknown): value is Transport {
  return value !== null && typeof value === 'object' && typeof (value as Transport).connect === 'function' && typeof (value as Transport).send === 'function';
}

function isDomain(value: string): boolean {
  try {
    const jid = parseJid(value);
    return jid.local === '' && jid.resource === '';
  } catch {
    return false;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** The transport of the options, or a factory of WebSocket or BOSH transports to `service`. */
export function transportOf(config: SdkConfig): Transport | TransportFactory {
  if (config.transport) return config.transport;
  const url = config.service;
  if (url.startsWith('ws:') || url.startsWith('wss:')) {
    // The socket and the server's <open/> wait as long as any request: a server that accepts and then
    // says nothing fails the connect (or a reconnect attempt) in requestTimeoutMs, not later.
    return () => createWebSocketTransport({ url, openTimeoutMs: config.requestTimeoutMs, ...(config.WebSocket ? { WebSocket: config.WebSocket } : {}) });
  }
  return () => createBoshTransport({ url, openTimeoutMs: config.requestTimeoutMs, ...(config.appFetch ? { fetch: config.appFetch } : {}) });
}
