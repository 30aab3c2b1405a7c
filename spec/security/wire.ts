// Test support for the security specs: a transport that wraps a real one (to the test Prosody) and
// records every element on the wire both ways, before any redaction, and may play a hostile network:
// say the host is another one, say it is (or is not) TLS, rewrite what the server sends (offer only
// PLAIN, tamper with SCRAM messages, move upload URLs); and a WebSocket whose connection can be cut.

import type { Element } from 'ltx';
import WebSocket from 'ws';
import { parseBase64 } from '../../lib/stanzas/base64.js';
import { NS_SASL } from '../../lib/stanzas/ns.js';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';
import { Emitter } from '../../lib/transport/emitter.js';
import type { Transport, TransportConnectOptions, TransportEvents, TransportFactory } from '../../lib/transport/transport.js';
import type { WebSocketConstructor } from '../../lib/transport/websocket.js';

/** One element on the wire, as XML text. */
export interface WireEntry {
  readonly direction: 'in' | 'out';
  /** Which transport carried it, counting from 1. */
  readonly connection: number;
  readonly xml: string;
}

/** What went over the wire, in order; `connections` counts the transports made. */
export interface Wire {
  readonly entries: WireEntry[];
  connections: number;
  /** The XML text of what the client sent (on `connection` only, when given); `(restart)` for a stream restart. */
  out(connection?: number): string[];
  /** The XML text of what the server sent, after any rewriting (on `connection` only, when given). */
  in(connection?: number): string[];
}

function createWire(): Wire {
  const entries: WireEntry[] = [];
  const pick = (direction: 'in' | 'out', connection?: number): string[] =>
    entries.filter((entry) => entry.direction === direction && (connection === undefined || entry.connection === connection)).map((entry) => entry.xml);
  return { entries, connections: 0, out: (connection) => pick('out', connection), in: (connection) => pick('in', connection) };
}

/** How the wrapped transports lie about, or change, the connection. */
export interface WireOptions {
  /** The host the transport claims (for the loopback rule of PLAIN); default the real one's. */
  readonly host?: string;
  /** Whether the transport claims TLS; default the real one's. */
  readonly secure?: boolean;
  /** Rewrites each element from the server (a copy: change it freely); `connection` counts from 1. */
  readonly rewriteIn?: (element: Element, connection: number) => Element;
}

/** A tapped transport factory and its wire. */
export interface Tap {
  readonly factory: TransportFactory;
  readonly wire: Wire;
}

/** Wraps every transport `make()` makes. */
export function tap(make: () => Transport, options: WireOptions = {}): Tap {
  const wire = createWire();
  return {
    wire,
    factory: () => {
      wire.connections++;
      return new WireTransport(make(), options, wire, wire.connections);
    },
  };
}

class WireTransport implements Transport {
  readonly kind: string;
  readonly secure: boolean;
  readonly host: string;
  readonly #inner: Transport;
  readonly #events = new Emitter<TransportEvents>();
  readonly #wire: Wire;
  readonly #connection: number;

  constructor(inner: Transport, options: WireOptions, wire: Wire, connection: number) {
    this.#inner = inner;
    this.#wire = wire;
    this.#connection = connection;
    this.kind = inner.kind;
    this.secure = options.secure ?? inner.secure;
    this.host = options.host ?? inner.host;
    inner.on('open', (info) => this.#events.emit('open', info));
    inner.on('element', (element) => {
      const seen = options.rewriteIn ? options.rewriteIn(parseXml(serialize(element)), connection) : element;
      wire.entries.push({ direction: 'in', connection, xml: serialize(seen) });
      this.#events.emit('element', seen);
    });
    inner.on('close', (info) => this.#events.emit('close', info));
  }

  send(element: Element): void {
    this.#inner.send(element);
    this.#wire.entries.push({ direction: 'out', connection: this.#connection, xml: serialize(element) });
  }

  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  connect(domain: string, options?: TransportConnectOptions): ReturnType<Transport['connect']> {
    return this.#inner.connect(domain, options);
  }

  /** Recorded as `(restart)`: the transport writes the new stream header itself. */
  restart(): ReturnType<Transport['restart']> {
    this.#wire.entries.push({ direction: 'out', connection: this.#connection, xml: '(restart)' });
    return this.#inner.restart();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/**
 * A `WebSocket` constructor (the `ws` package) whose latest socket can be cut as a network would cut
 * it: no `<close/>`, no close frame, so the server keeps the stream for resumption (XEP-0198 §5).
 */
export function cuttableWebSocket(): { readonly WebSocket: WebSocketConstructor; cut(): void } {
  let latest: WebSocket | undefined;
  class Cuttable extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      latest = this;
    }
  }
  return { WebSocket: Cuttable as unknown as WebSocketConstructor, cut: () => latest?.terminate() };
}

/** The features with only `names` among the SASL mechanisms (the rest of the features untouched). */
export function offerOnly(features: Element, names: readonly string[]): Element {
  const mechanisms = features.getChild('mechanisms', NS_SASL);
  if (mechanisms) {
    mechanisms.children = mechanisms.children.filter((child) => typeof child === 'string' || names.includes(child.getText()));
  }
  return features;
}

/** True for a SASL element (`auth`, `challenge`, `response`, `success`...) named `name`. */
export function isSasl(element: Element, name: string): boolean {
  return element.getName() === name && element.getNS() === NS_SASL;
}

/** The decoded text of a SASL element's base64 payload. */
export function saslText(element: Element): string {
  const data = element.getText().trim();
  return data === '' || data === '=' ? '' : new TextDecoder().decode(parseBase64(data));
}

/** Replaces the payload of a SASL element with `text`, base64-encoded. */
export function setSaslText(element: Element, text: string): Element {
  element.children = [Buffer.from(text, 'utf8').toString('base64')];
  return element;
}
