/**
 * XMPP over WebSocket: RFC 7395. Subprotocol `xmpp`, one complete element per text frame, streams
 * opened and closed with `<open/>` and `<close/>` of the framing namespace, `see-other-uri` redirects.
 * Uses the browser's native `WebSocket`; in Node (which has none before version 22) the constructor of
 * the `ws` package is passed in, or registered once with {@link setDefaultWebSocket} (the Node entry
 * points of the package do that).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7395
 */
import type { Element } from 'ltx';
import { StanzaParseError, StreamError, TimeoutError, TransportError, type XmppError } from '../errors.js';
import { NS_FRAMING } from '../stanzas/ns.js';
import { buildClose, buildOpen, isStreamErrorElement, parseClose, parseOpen, toStreamError, type StreamOpen } from '../stanzas/stream.js';
import { parseXml, serialize } from '../stanzas/xml.js';
import { Emitter } from './emitter.js';
import type { Transport, TransportCloseInfo, TransportConnectOptions, TransportEvents } from './transport.js';

/** The part of the WHATWG `WebSocket` this transport uses (the `ws` package has it too). */
export interface WebSocketLike {
  readonly protocol: string;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { readonly data?: unknown; readonly code?: number; readonly reason?: string }) => void): void;
}

/** A `WebSocket` constructor. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options of {@link createWebSocketTransport}. */
export interface WebSocketTransportOptions {
  /** `ws://` or `wss://` URL of the server's WebSocket endpoint. */
  readonly url: string;
  /** The `WebSocket` constructor; default: the global one, else the one given to {@link setDefaultWebSocket}. */
  readonly WebSocket?: WebSocketConstructor;
  /** How long `connect` and `restart` wait for the server's `<open/>`, in ms. Default 15,000. */
  readonly openTimeoutMs?: number;
  /** How long `close` waits for the server's `<close/>`, in ms. Default 2,000. */
  readonly closeTimeoutMs?: number;
  /**
   * Largest frame accepted, in characters; a larger one ends the stream with a `StreamError`
   * (`policy-violation`). Default 1 MiB.
   */
  readonly maxFrameLength?: number;
  /** Deepest nesting accepted in a frame; deeper ends the stream likewise. Default 32. */
  readonly maxDepth?: number;
}

let defaultWebSocket: WebSocketConstructor | undefined;

/** Registers the `WebSocket` constructor to use where there is no global one (Node: the `ws` package). */
export function setDefaultWebSocket(constructor: WebSocketConstructor): void {
  defaultWebSocket = constructor;
}

/** The `WebSocket` constructor used when none is passed: the global one, else the registered one. */
export function defaultWebSocketConstructor(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? defaultWebSocket;
}

const OPEN = 1; // WebSocket.OPEN
// RFC 7395 §3.6: close codes that mean a normal end.
const NORMAL_CLOSE = 1000;

/**
 * Makes a WebSocket transport. Nothing is opened before `connect`.
 * @throws {TransportError} `TRANSPORT_FAILURE` when no `WebSocket` constructor is available.
 * @see https://www.rfc-editor.org/rfc/rfc7395#section-3
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): Transport {
  const Socket = options.WebSocket ?? defaultWebSocketConstructor();
  if (!Socket) {
    throw new TransportError('TRANSPORT_FAILURE', 'no WebSocket here: pass { WebSocket } (in Node, from the ws package)');
  }
  const url = new URL(options.url);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TransportError('TRANSPORT_FAILURE', `a WebSocket URL must start with ws: or wss:, not ${url.protocol}`);
  }
  return new WebSocketTransport(Socket, options, url.protocol === 'wss:', url.hostname);
}

interface Pending {
  readonly resolve: (open: StreamOpen) => void;
  readonly reject: (error: XmppError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

class WebSocketTransport implements Transport {
  readonly kind = 'websocket';
  readonly secure: boolean;
  readonly host: string;
  readonly #Socket: WebSocketConstructor;
  readonly #options: WebSocketTransportOptions;
  readonly #events = new Emitter<TransportEvents>();
  #socket: WebSocketLike | undefined;
  #domain = '';
  #lang: string | undefined;
  #pendingOpen: Pending | undefined;
  #closing: (() => void) | undefined;
  #requested = false;
  #ended = false;

  constructor(Socket: WebSocketConstructor, options: WebSocketTransportOptions, secure: boolean, host: string) {
    this.#Socket = Socket;
    this.#options = options;
    this.secure = secure;
    this.host = host;
  }

  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  connect(domain: string, options: TransportConnectOptions = {}): Promise<StreamOpen> {
    if (this.#socket) return Promise.reject(new TransportError('TRANSPORT_FAILURE', 'this transport is already connected; make a new one'));
    this.#domain = domain;
    this.#lang = options.lang;
    // Only this is kept for the listeners below: a closure over `options` would keep `replaces` (the
    // previous transport) alive, and through it every transport before it, one per reconnect.
    const onHeaderSent = options.onHeaderSent;
    let socket: WebSocketLike;
    try {
      socket = new this.#Socket(this.#options.url, 'xmpp'); // RFC 7395 §3.1: the subprotocol is "xmpp"
    } catch (error) {
      return Promise.reject(new TransportError('TRANSPORT_FAILURE', `cannot open ${this.#options.url}`, { cause: error }));
    }
    this.#socket = socket;
    const opened = this.#awaitOpen();
    socket.addEventListener('open', () => {
      if (socket.protocol !== 'xmpp') {
        // RFC 7395 §3.1: a server that does not agree to the subprotocol is not an XMPP server.
        this.#fail(new TransportError('TRANSPORT_FAILURE', `the server did not agree to the xmpp subprotocol ('${socket.protocol}')`));
        return;
      }
      this.#sendOpen();
      try {
        onHeaderSent?.(); // XEP-0305 §3: what it sends follows the header in order
      } catch (error) {
        this.#fail(new TransportError('TRANSPORT_FAILURE', 'cannot send behind the stream header', { cause: error }));
      }
    });
    socket.addEventListener('message', (event) => this.#onFrame(event.data));
    socket.addEventListener('error', () => {
      this.#fail(new TransportError('TRANSPORT_FAILURE', `WebSocket error on ${this.#options.url}`));
    });
    socket.addEventListener('close', (event) => this.#onSocketClose(event.code));
    return opened;
  }

  send(element: Element): void {
    const socket = this.#socket;
    if (!socket || this.#ended || socket.readyState !== OPEN) {
      throw new TransportError('TRANSPORT_CLOSED', 'the WebSocket is not open');
    }
    socket.send(serialize(element)); // RFC 7395 §3.3.3: one complete element per message
  }

  restart(): Promise<StreamOpen> {
    if (!this.#socket || this.#ended) return Promise.reject(new TransportError('TRANSPORT_CLOSED', 'the WebSocket is not open'));
    const opened = this.#awaitOpen();
    this.#sendOpen(); // RFC 7395 §3.5: a restart is a new <open/>, without closing the WebSocket
    return opened;
  }

  close(): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.#ended) return Promise.resolve();
    this.#requested = true;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.close(NORMAL_CLOSE), this.#options.closeTimeoutMs ?? 2000);
      this.#closing = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        socket.send(serialize(buildClose())); // RFC 7395 §3.6: <close/>, then wait for the server's
      } catch {
        socket.close(NORMAL_CLOSE);
      }
    });
  }

  #sendOpen(): void {
    const open = buildOpen({ to: this.#domain, version: '1.0', ...(this.#lang !== undefined ? { lang: this.#lang } : {}) });
    this.#socket?.send(serialize(open));
  }

  #awaitOpen(): Promise<StreamOpen> {
    return new Promise<StreamOpen>((resolve, reject) => {
      const ms = this.#options.openTimeoutMs ?? 15_000;
      const timer = setTimeout(() => {
        this.#pendingOpen = undefined;
        const error = new TimeoutError(`no <open/> from the server within ${ms} ms`, ms);
        reject(error);
        this.#fail(error);
      }, ms);
      this.#pendingOpen = { resolve, reject, timer };
    });
  }

  #onFrame(data: unknown): void {
    if (this.#ended) return;
    const text = typeof data === 'string' ? data : String(data);
    const max = this.#options.maxFrameLength ?? 1_048_576;
    let element: Element;
    try {
      element = parseXml(text, { maxLength: max, ...(this.#options.maxDepth !== undefined ? { maxDepth: this.#options.maxDepth } : {}) });
    } catch (error) {
      this.#fail(incomingError(error));
      return;
    }
    if (element.getNS() === NS_FRAMING && element.getName() === 'open') {
      const pending = this.#pendingOpen;
      let open: StreamOpen;
      try {
        open = parseOpen(element);
      } catch (error) {
        this.#fail(error as XmppError);
        return;
      }
      this.#pendingOpen = undefined;
      if (pending) {
        clearTimeout(pending.timer);
        pending.resolve(open);
      }
      this.#events.emit('open', open);
      return;
    }
    if (element.getNS() === NS_FRAMING && element.getName() === 'close') this.#onServerClose(element);
    else if (isStreamErrorElement(element)) {
      // RFC 6120 §4.9.1.1: a stream error is fatal; the server closes the stream after it.
      let streamError: XmppError;
      try {
        streamError = toStreamError(element);
      } catch (error) {
        streamError = error as XmppError; // e.g. <see-other-host/> without a host: still a typed end
      }
      this.#end({ reason: 'stream-error', requested: false, error: streamError });
      this.#socket?.close(NORMAL_CLOSE);
    }
    else this.#events.emit('element', element);
  }

  /** The server's `<close/>`: the answer to ours, a redirect, or the server ending the stream. */
  #onServerClose(element: Element): void {
    let seeOtherUri: string | undefined;
    try {
      seeOtherUri = parseClose(element).seeOtherUri;
    } catch {
      seeOtherUri = undefined;
    }
    if (!this.#requested) {
      try {
        this.#socket?.send(serialize(buildClose())); // RFC 7395 §3.6: answer a <close/> with a <close/>
      } catch {
        // The socket is already going away.
      }
    }
    this.#socket?.close(NORMAL_CLOSE);
    if (seeOtherUri !== undefined) this.#end({ reason: 'see-other-uri', requested: false, seeOtherUri });
    else this.#end({ reason: 'closed', requested: this.#requested });
  }

  #onSocketClose(code: number | undefined): void {
    if (this.#requested) this.#end({ reason: 'closed', requested: true, ...(code !== undefined ? { code } : {}) });
    else {
      const error = new TransportError('TRANSPORT_CLOSED', `the WebSocket closed${code !== undefined ? ` (code ${code})` : ''}`);
      this.#end({ reason: 'error', requested: false, error, ...(code !== undefined ? { code } : {}) });
    }
  }

  #fail(error: XmppError): void {
    this.#end({ reason: 'error', requested: false, error });
    try {
      this.#socket?.close();
    } catch {
      // Already closed.
    }
  }

  #end(info: TransportCloseInfo): void {
    if (this.#ended) return;
    this.#ended = true;
    const pending = this.#pendingOpen;
    this.#pendingOpen = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(info.error ?? new TransportError('TRANSPORT_CLOSED', `the stream ended (${info.reason})`));
    }
    this.#closing?.();
    this.#events.emit('close', info);
  }
}

/**
 * What a frame that cannot be taken ends the stream with (RFC 6120 §4.9.3): too large or too deep is a
 * `policy-violation`, restricted XML (a DTD, a comment...) `restricted-xml`, anything else that is not
 * XML `not-well-formed`; the parse error is the cause.
 */
function incomingError(error: unknown): XmppError {
  if (!(error instanceof StanzaParseError)) return new TransportError('TRANSPORT_FAILURE', 'unreadable frame', { cause: error });
  const condition = error.code === 'XML_TOO_LARGE' || error.code === 'XML_TOO_DEEP' ? 'policy-violation' : error.code === 'XML_RESTRICTED' ? 'restricted-xml' : 'not-well-formed';
  return new StreamError(condition, error.message, { cause: error });
}
