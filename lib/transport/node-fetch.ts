/**
 * A `fetch` for the BOSH transport in Node (node.ts makes it the default there; browsers keep their
 * own): one HTTP/1.1 POST (RFC 9112) per call over kept-alive `node:net` / `node:tls` connections,
 * one request at a time per connection, the response read by http-response.ts. Measured against a
 * local Prosody (a BOSH ping, 2 cores): a hand-written HTTP/1.1 exchange over `node:net` takes about
 * 0.19 ms, `node:http` with a kept-alive agent 0.31 ms, Node's own `fetch` (undici) 0.64 ms; this
 * client stays within a few hundredths of a millisecond of the first (see bench/session.ts).
 *
 * What it does and does not do: `http:` and `https:` URLs (TLS verified as `tls.connect` does,
 * server name sent); no redirects, no proxies, no cookies, no compression (none asked for: a
 * `Content-Encoding` is refused). Any failure to get a complete response (refused or broken
 * connection, TLS error, malformed response) rejects with a `TypeError` whose `cause` says why, as
 * `fetch` does, so the transport retries it (XEP-0124 §14.3); an aborted signal rejects with its
 * reason (an `AbortError`) and ends the connection. A connection is reused only after a complete
 * response that allows it (RFC 9112 §9.3); idle ones are dropped when the server closes them or after
 * `idleTimeoutMs`, and never keep the process alive.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112
 * @see https://xmpp.org/extensions/xep-0124.html#rids-broken
 */
import net from 'node:net';
import tls from 'node:tls';
import type { BoshFetch, BoshFetchInit, BoshFetchResponse } from './bosh-requests.js';
import { HttpResponseReader, type HttpResponse } from './http-response.js';

/** Options of {@link createNodeBoshFetch}. */
export interface NodeBoshFetchOptions {
  /** More options for `tls.connect` on `https:` URLs, e.g. `ca` for a private authority. */
  readonly tls?: tls.ConnectionOptions;
  /** How long an unused connection is kept, in ms. Default 30,000. */
  readonly idleTimeoutMs?: number;
  /** Unused connections kept per origin. Default 4 (BOSH uses up to `requests` + 1 at once). */
  readonly maxIdlePerOrigin?: number;
  /** Largest response body, in bytes. Default 32 MiB. */
  readonly maxResponseBytes?: number;
}

/** A {@link BoshFetch} with kept-alive connections, which `closeIdle` ends. */
export interface NodeBoshFetch extends BoshFetch {
  /** Ends the unused connections (those in use end with their request). */
  closeIdle(): void;
}

/** Where a URL's requests go. */
interface Target {
  readonly origin: string;
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** The Host field (RFC 9112 §3.2): host and port as the URL has them. */
  readonly hostField: string;
  readonly path: string;
}

const decoder = new TextDecoder(); // fetch's text(): UTF-8, malformed bytes replaced
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/; // RFC 9110 §5.5: no CR, LF or NUL
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What fetch rejects with for a network error: a `TypeError` (WHATWG Fetch §4.1 "network error"). */
const networkError = (cause: unknown): TypeError => new TypeError('fetch failed', { cause });

function targetOf(url: string): Target {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`fetch: not an HTTP URL: ${parsed.protocol}`);
  if (parsed.username !== '' || parsed.password !== '') throw new TypeError('fetch: credentials in the URL are not supported');
  const secure = parsed.protocol === 'https:';
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const port = parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port);
  return { origin: parsed.origin, secure, host, port, hostField: parsed.host, path: `${parsed.pathname}${parsed.search}` };
}

/** The request head and body as one string, so that one write sends it (RFC 9112 §3, §6.2). */
function requestText(target: Target, init: BoshFetchInit): string {
  let head = `${init.method} ${target.path} HTTP/1.1\r\nHost: ${target.hostField}\r\n`;
  for (const [name, value] of Object.entries(init.headers)) {
    const lower = name.toLowerCase();
    if (!FIELD_NAME.test(name) || !FIELD_VALUE.test(value)) throw new TypeError(`fetch: an invalid header '${name}'`);
    if (lower !== 'host' && lower !== 'content-length' && lower !== 'connection' && lower !== 'transfer-encoding') head += `${name}: ${value}\r\n`;
  }
  return `${head}Content-Length: ${Buffer.byteLength(init.body)}\r\n\r\n${init.body}`;
}

/** Unused connections per origin, most recent last. */
class IdlePool {
  readonly #idle = new Map<string, net.Socket[]>();
  readonly #timers = new WeakMap<net.Socket, { readonly timer: ReturnType<typeof setTimeout>; readonly drop: () => void }>();
  readonly #timeoutMs: number;
  readonly #max: number;

  constructor(timeoutMs: number, max: number) {
    this.#timeoutMs = timeoutMs;
    this.#max = max;
  }

  /** The most recently used open connection to `origin`, taken out of the pool. */
  take(origin: string): net.Socket | undefined {
    const list = this.#idle.get(origin);
    for (let socket = list?.pop(); socket; socket = list?.pop()) {
      this.#release(socket);
      if (!socket.destroyed && socket.readyState === 'open') {
        socket.ref();
        return socket;
      }
      socket.destroy();
    }
    return undefined;
  }

  put(origin: string, socket: net.Socket): void {
    const list = this.#idle.get(origin) ?? [];
    if (list.length >= this.#max) {
      socket.destroy();
      return;
    }
    const drop = (): void => {
      this.#release(socket);
      const at = list.indexOf(socket);
      if (at >= 0) list.splice(at, 1);
      socket.destroy();
    };
    // While unused: the server closing it, an error, or bytes nobody asked for end it.
    socket.on('end', drop).on('close', drop).on('error', drop).on('data', drop);
    const timer = setTimeout(drop, this.#timeoutMs);
    timer.unref?.();
    this.#timers.set(socket, { timer, drop });
    socket.unref(); // an idle connection does not keep the process alive
    list.push(socket);
    this.#idle.set(origin, list);
  }

  #release(socket: net.Socket): void {
    const held = this.#timers.get(socket);
    if (!held) return;
    this.#timers.delete(socket);
    clearTimeout(held.timer);
    socket.off('end', held.drop).off('close', held.drop).off('error', held.drop).off('data', held.drop);
  }

  closeAll(): void {
    for (const list of this.#idle.values()) {
      for (const socket of list.splice(0)) {
        this.#release(socket);
        socket.destroy();
      }
    }
  }
}

/**
 * Makes the Node `fetch` of the BOSH transport (see the file's banner). Each call made with it
 * shares its pool of kept-alive connections.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-9.3
 */
export function createNodeBoshFetch(options: NodeBoshFetchOptions = {}): NodeBoshFetch {
  const pool = new IdlePool(options.idleTimeoutMs ?? 30_000, options.maxIdlePerOrigin ?? 4);
  const targets = new Map<string, Target>();
  const connect = (target: Target): net.Socket => {
    const socket = target.secure
      ? tls.connect({
        host: target.host, port: target.port, ALPNProtocols: ['http/1.1'],
        ...(net.isIP(target.host) === 0 ? { servername: target.host } : {}), // RFC 6066 §3: no IP literals
        ...options.tls,
      })
      : net.connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    return socket;
  };

  const fetch = (url: string, init: BoshFetchInit): Promise<BoshFetchResponse> => new Promise((resolve, reject) => {
    const { signal } = init;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let target = targets.get(url);
    let text: string;
    try {
      if (target === undefined) {
        if (targets.size >= 32) targets.clear(); // a BOSH client posts to one URL; keep the cache small anyway
        targets.set(url, target = targetOf(url));
      }
      text = requestText(target, init);
    } catch (error) {
      reject(error);
      return;
    }
    const { origin } = target;
    const request = text;
    const connectTo = target; // narrowed once, for the closures below

    /** One try on `socket`; a kept-alive one the server closed meanwhile (no byte back) is tried again once, afresh. */
    const send = (socket: net.Socket, reused: boolean): void => {
      const reader = new HttpResponseReader(options.maxResponseBytes === undefined ? {} : { maxBodyBytes: options.maxResponseBytes });
      let received = false;
      let settled = false;

      const settle = (outcome: { readonly response: HttpResponse } | { readonly error: unknown }): void => {
        if (settled) return;
        settled = true;
        socket.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onError);
        signal.removeEventListener('abort', onAbort);
        if ('error' in outcome) {
          socket.destroy();
          // RFC 9112 §9.3.1: a request on a reused connection that got nothing back may be retried;
          // for BOSH the same body is the same rid, which XEP-0124 §14.3 makes safe to repeat.
          if (reused && !received && !signal.aborted) send(connect(connectTo), false);
          else reject(outcome.error);
          return;
        }
        const { response } = outcome;
        if (response.reusable && !socket.destroyed) pool.put(origin, socket);
        else socket.destroy();
        resolve({ status: response.status, text: async () => decoder.decode(response.body) });
      };
      const read = (next: () => HttpResponse | undefined): void => {
        let response: HttpResponse | undefined;
        try {
          response = next();
        } catch (error) {
          settle({ error: networkError(error) });
          return;
        }
        if (response) settle({ response });
      };
      const onData = (chunk: Buffer): void => {
        received = true;
        read(() => reader.push(chunk));
      };
      const onEnd = (): void => read(() => reader.end());
      const onClose = (): void => settle({ error: networkError(new Error('the connection closed before the response was complete')) });
      const onError = (error: Error): void => settle({ error: networkError(error) });
      const onAbort = (): void => settle({ error: signal.reason });

      socket.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onError);
      signal.addEventListener('abort', onAbort);
      socket.write(request);
    };

    const idle = pool.take(origin);
    send(idle ?? connect(target), idle !== undefined);
  });
  return Object.assign(fetch, { closeIdle: () => pool.closeAll() });
}
