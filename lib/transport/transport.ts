/**
 * The `Transport` interface: how a session reaches a server. It carries XML elements and stream
 * restarts over one kind of connection (WebSocket, RFC 7395; BOSH, XEP-0124/0206) and knows nothing
 * of SASL, stanzas or profiles. Custom transports implement it and plug in through
 * `initializeSDK({ transport })`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7395
 * @see https://xmpp.org/extensions/xep-0206.html
 */
import type { Element } from 'ltx';
import type { XmppError } from '../errors.js';
import type { StreamOpen } from '../stanzas/stream.js';

/** Why a transport closed. */
export interface TransportCloseInfo {
  /**
   * `closed`: asked for by this side (`close()`), or a clean close by the server;
   * `error`: the connection failed or broke (see `error`);
   * `see-other-uri`: the server asked to reconnect elsewhere (RFC 7395 §3.6.1, see `seeOtherUri`);
   * `stream-error`: the server ended the stream with a stream error (see `error`).
   */
  readonly reason: 'closed' | 'error' | 'see-other-uri' | 'stream-error';
  /** Whether this side asked for the close. */
  readonly requested: boolean;
  readonly error?: XmppError;
  readonly seeOtherUri?: string;
  /** The WebSocket close code or the HTTP status, when there was one. */
  readonly code?: number;
}

/** Events of a transport. */
export interface TransportEvents {
  /** The server opened (or reopened, after a restart) the stream. */
  readonly open: (info: StreamOpen) => void;
  /** A top-level element arrived: a stanza, stream features, SASL or stream-management element. */
  readonly element: (element: Element) => void;
  /** The connection is gone; nothing more arrives. */
  readonly close: (info: TransportCloseInfo) => void;
}

/** Options of {@link Transport.connect}. */
export interface TransportConnectOptions {
  /** `xml:lang` of the stream. */
  readonly lang?: string;
  /**
   * The transport this one replaces, lost on an error, when a stream resumption follows (a BOSH
   * transport drains the old HTTP session so that the server does not deliver its buffer twice);
   * other transports ignore it.
   */
  readonly replaces?: Transport;
  /**
   * Called once the stream header is sent, before the server's is read: what it sends goes out right
   * behind the header, to be read by the server after it (pipelining, XEP-0305 §3). A transport that
   * can send nothing before the server's answer (BOSH: its requests need the session id) never calls
   * it, and the caller then sends once `connect` has resolved.
   * @see https://xmpp.org/extensions/xep-0305.html#pipelining
   */
  readonly onHeaderSent?: () => void;
}

/** One connection to one server, carrying one XMPP stream at a time. */
export interface Transport {
  /** `websocket`, `bosh`, or a custom transport's name. */
  readonly kind: string;
  /** True when the connection is protected by TLS (`wss:`, `https:`), which PLAIN requires. */
  readonly secure: boolean;
  /** The server's host name as the URL names it, for the loopback rule of PLAIN. */
  readonly host: string;
  /**
   * Connects and opens the stream to `domain`; resolves with the server's stream header. The stream
   * features follow as an `element` event. See {@link TransportConnectOptions}.
   * @throws {TransportError} `TRANSPORT_FAILURE` when the server cannot be reached.
   */
  connect(domain: string, options?: TransportConnectOptions): Promise<StreamOpen>;
  /**
   * Sends one element (a stanza or a nonza such as `<auth/>` or `<r/>`).
   * @throws {TransportError} `TRANSPORT_CLOSED` when the transport is not open.
   */
  send(element: Element): void;
  /** Restarts the stream (RFC 6120 §6.4.6, after SASL success); resolves with the new stream header. */
  restart(): Promise<StreamOpen>;
  /** Closes the stream and the connection cleanly; resolves once closed. Safe to call twice. */
  close(): Promise<void>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void;
}

/** A transport, or a function that makes a fresh one for each connection (reconnects need fresh ones). */
export type TransportFactory = () => Transport;
