/**
 * XMPP over BOSH: XEP-0206 (XMPP Over BOSH, version 1.4) on XEP-0124 (Bidirectional-streams Over
 * Synchronous HTTP, version 1.11.2), over the web platform's `fetch` (in Node, by default, the kept-alive
 * HTTP/1.1 client of node-fetch.ts, set by the Node entry points).
 *
 * One long poll (an empty request the connection manager holds for up to `wait` seconds) is kept in
 * flight whenever nothing else is; elements to send never wait for it: they leave at once on another
 * request while `requests` allows, the elements of one tick batched into one `<body/>`. Responses are
 * processed in `rid` order whatever order HTTP returns them in. Broken connections and 5xx answers are
 * retried with the same `rid`; a `type='terminate'` body or an HTTP 4xx ends the session.
 *
 * @see https://xmpp.org/extensions/xep-0206.html
 * @see https://xmpp.org/extensions/xep-0124.html
 */
import { TransportError } from '../errors.js';
import type { BoshFetch } from './bosh-requests.js';
import { BoshTransport } from './bosh-transport.js';
import type { Transport } from './transport.js';

export { type BoshFetch, type BoshFetchInit, type BoshFetchResponse } from './bosh-requests.js';

/** Options of {@link createBoshTransport}. */
export interface BoshTransportOptions {
  /** `http://` or `https://` URL of the connection manager (e.g. `https://example.com/http-bind`). */
  readonly url: string;
  /**
   * The `fetch` to use; default: the one given to {@link setDefaultBoshFetch} (the Node entry points
   * give node-fetch.ts's), else the global one (browsers).
   */
  readonly fetch?: BoshFetch;
  /** XEP-0124 §7.1 `wait`: the longest time the connection manager holds a request, in seconds. Default 30. */
  readonly wait?: number;
  /** XEP-0124 §7.1 `hold`: how many requests the connection manager may hold. Default 1. */
  readonly hold?: number;
  /** Retries of a request after a network error, timeout or HTTP 5xx (XEP-0124 §14.3). Default 3. */
  readonly maxRetries?: number;
  /** XEP-0124 §7.1 `route`: the server the connection manager should connect to (`xmpp:host:port`). */
  readonly route?: string;
  /** XEP-0124 §7.1 `xml:lang`, unless `connect` is given one. Default `en`. */
  readonly lang?: string;
  /** Delay before the first retry, in ms, doubled at each retry. Default 100. */
  readonly retryDelayMs?: number;
  /** How long `close` waits for the answer to its terminate request, in ms. Default 2,000. */
  readonly closeTimeoutMs?: number;
  /**
   * How long `connect` waits for the session creation response, in ms, retries included; past it the
   * transport ends with a `TimeoutError`. Default 15,000.
   */
  readonly openTimeoutMs?: number;
  /**
   * Largest response body accepted, in characters; a larger one ends the session with a
   * `StreamError` (`policy-violation`). Default 1 MiB.
   */
  readonly maxBodyLength?: number;
  /** Deepest nesting accepted in a response body (the `<body/>` counts). Default 32. */
  readonly maxDepth?: number;
}

/**
 * Makes a BOSH transport. Nothing is sent before `connect`. Subscribe to `element` before `connect`:
 * the stream features are emitted as soon as the session creation response is read.
 * @throws {TransportError} `TRANSPORT_FAILURE` for a URL that is not `http:` or `https:`, or when there
 *   is no `fetch`.
 * @see https://xmpp.org/extensions/xep-0206.html
 */
export function createBoshTransport(options: BoshTransportOptions): Transport {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (error) {
    throw new TransportError('TRANSPORT_FAILURE', `not a URL: '${options.url}'`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TransportError('TRANSPORT_FAILURE', `a BOSH URL must start with http: or https:, not ${url.protocol}`);
  }
  const fetch = options.fetch ?? defaultFetch ?? globalFetch();
  if (!fetch) throw new TransportError('TRANSPORT_FAILURE', 'no fetch here: pass { fetch }');
  return new BoshTransport(options, fetch, url.protocol === 'https:', url.hostname);
}

let defaultFetch: BoshFetch | undefined;

/**
 * Sets the `fetch` that BOSH transports use when none is given (`undefined`: the global one again).
 * The Node entry points set the kept-alive HTTP/1.1 client of node-fetch.ts.
 * @see https://xmpp.org/extensions/xep-0206.html
 */
export function setDefaultBoshFetch(fetch: BoshFetch | undefined): void {
  defaultFetch = fetch;
}

function globalFetch(): BoshFetch | undefined {
  const scope = globalThis as { fetch?: BoshFetch };
  return scope.fetch ? (url, init) => (globalThis as unknown as { fetch: BoshFetch }).fetch(url, init) : undefined;
}
