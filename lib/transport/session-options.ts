/**
 * The options, credentials, statuses and events of a {@link Session}.
 */
import type { Element } from 'ltx';
import type { XmppError } from '../errors.js';
import type { ScramKeyCache } from './scram.js';
import type { TraceHook } from './trace.js';
import type { Transport, TransportCloseInfo, TransportFactory } from './transport.js';

/** Options of a session. */
export interface SessionOptions {
  /** The transport, or a factory that makes a fresh one per connection. */
  readonly transport: Transport | TransportFactory;
  /** The XMPP domain to log in or register on. */
  readonly domain: string;
  /** The resource to ask for at bind; default: the server picks one. */
  readonly resource?: string;
  /** `xml:lang` of the stream. */
  readonly lang?: string;
  /** Allow SASL PLAIN over a connection that is neither TLS nor loopback. Default false. */
  readonly allowPlainAuth?: boolean;
  /** The SASL mechanisms allowed, e.g. `['SCRAM-SHA-1']`; default: every supported one, strongest first. */
  readonly mechanisms?: readonly string[];
  /** How long an IQ waits for its answer, and each negotiation step for the server, in ms. Default 15,000. */
  readonly requestTimeoutMs?: number;
  /** Receives every element in and out, secrets redacted. */
  readonly onTrace?: TraceHook;
  /** Keeps SCRAM keys across logins (reconnects) so that PBKDF2 runs once. Default: one per session. */
  readonly scramCache?: ScramKeyCache;
  /** Stream management (XEP-0198) with resumption, when the server offers it. Default true. */
  readonly streamManagement?: boolean;
  /**
   * Reconnect after an unexpected close (needs a transport factory). Default on: 40 attempts (about a
   * minute), delays from 0.25-0.5 s doubling up to 1-2 s, so that the session is back within 2 s of
   * the server.
   */
  readonly reconnect?: boolean | ReconnectOptions;
}

/** How to reconnect. */
export interface ReconnectOptions {
  /** Attempts before giving up. Default 40. */
  readonly maxAttempts?: number;
  /** First delay bound, in ms. Default 500. */
  readonly baseMs?: number;
  /** Largest delay, in ms (a delay is between half and all of it). Default 2,000. */
  readonly capMs?: number;
}

/** Who logs in: a password (SCRAM, PLAIN) or an OAuth token (OAUTHBEARER, X-OAUTH2). */
export interface LoginCredentials {
  readonly username: string;
  readonly password?: string;
  readonly token?: string;
}

/**
 * Where the session is. `offline` after a failure carries the error: a `SaslError` when the server
 * refused the credentials (also on a reconnect), else why the connection could not be made or kept.
 */
export type SessionStatus = 'offline' | 'connecting' | 'online' | 'reconnecting' | 'closing';

/** Events of a session. */
export interface SessionEvents {
  readonly status: (status: SessionStatus, error?: XmppError) => void;
  /** An incoming message or presence (IQ requests go to `iqHandlers`). */
  readonly stanza: (element: Element) => void;
  /** The transport closed; `info` says why. */
  readonly disconnected: (info: TransportCloseInfo) => void;
  /**
   * Back online after a drop: `resumed` true when the stream was resumed (XEP-0198 §5: nothing lost,
   * unacknowledged stanzas sent again); false for a fresh session (resumption failed or was not
   * possible: pending requests failed, and presence and anything stateful must be set up again).
   */
  readonly reconnected: (resumed: boolean) => void;
}
