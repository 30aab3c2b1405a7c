/**
 * What the profile operations need from a session: IQ requests, sending stanzas, ids, and who and
 * where the user is. A {@link Session} provides it (see `exchangeOf`); unit specs provide a fake that
 * answers with stanzas, so that every operation is a pure function over stanza I/O.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.2.3 (IQ semantics)
 */
import type { Element } from 'ltx';
import type { Session } from '../transport/session.js';

/** Stanza I/O for the profile operations. */
export interface Exchange {
  /**
   * Sends the IQ that `build(id)` makes and resolves with the answer (`result`).
   * @throws {StanzaError} for an error answer; {@link TimeoutError}; {@link TransportError}.
   */
  iq(build: (id: string) => Element): Promise<Element>;
  /** Sends a stanza. @throws {TransportError} `TRANSPORT_CLOSED` when there is no open stream. */
  send(element: Element): void;
  /** A fresh stanza id. */
  nextId(): string;
  /** The user's bare JID. */
  readonly userJid: string;
  /** The user's XMPP domain. */
  readonly domain: string;
  /** `fetch` for HTTP work (uploads); the global one unless injected. */
  readonly fetch: typeof fetch;
}

/** The exchange of a logged-in session. */
export function exchangeOf(session: Session, userJid: string, domain: string, httpFetch: typeof fetch = (input, init) => globalThis.fetch(input, init)): Exchange {
  return new SessionExchange(session, userJid, domain, httpFetch);
}

/** A class rather than closures: every connection has one, so it should weigh little. */
class SessionExchange implements Exchange {
  readonly #session: Session;
  readonly userJid: string;
  readonly domain: string;
  readonly fetch: typeof fetch;

  constructor(session: Session, userJid: string, domain: string, httpFetch: typeof fetch) {
    this.#session = session;
    this.userJid = userJid;
    this.domain = domain;
    this.fetch = httpFetch;
  }

  iq(build: (id: string) => Element): Promise<Element> {
    return this.#session.iq(build);
  }

  send(element: Element): void {
    this.#session.send(element);
  }

  nextId(): string {
    return this.#session.nextId();
  }
}

