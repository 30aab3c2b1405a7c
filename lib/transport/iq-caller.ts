/**
 * The IQ caller: sends requests with unique ids, keeps them in a pending map, settles each with the
 * answer of the entity asked (RFC 6120 §8.2.3: exactly one result or error per get/set), rejects with a
 * `StanzaError` for an error answer and a `TimeoutError` when no answer comes, and fails every pending
 * call at once when the connection is lost for good.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.2.3
 */
import type { Element } from 'ltx';
import { StanzaParseError, TimeoutError, type XmppError } from '../errors.js';
import { bareJid, parseJid, type Jid } from '../stanzas/jid.js';
import { findStanzaErrorElement, toStanzaError } from '../stanzas/stanza-error.js';

/** What the caller needs from its session. */
export interface IqCallerHost {
  /** Sends an element; throws when the connection is closed. */
  send(element: Element): void;
  /** The session's own full JID once bound, else `''`; and its domain. */
  ownJid(): string;
  domain(): string;
}

/** Options of one call. */
export interface IqCallOptions {
  /** Milliseconds to wait for the answer; default: the caller's. */
  readonly timeoutMs?: number;
}

interface PendingCall {
  readonly to: Jid | undefined;
  readonly resolve: (answer: Element) => void;
  readonly reject: (error: XmppError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Makes request ids and matches answers to requests.
 */
export class IqCaller {
  readonly #host: IqCallerHost;
  readonly #timeoutMs: number;
  readonly #prefix: string;
  readonly #pending = new Map<string, PendingCall>();
  #counter = 0;

  /**
   * @param prefix makes ids unique across sessions and reconnects (e.g. a few random characters).
   */
  constructor(host: IqCallerHost, timeoutMs: number, prefix: string) {
    this.#host = host;
    this.#timeoutMs = timeoutMs;
    this.#prefix = prefix;
  }

  /** A fresh stanza id. */
  nextId(): string {
    return `${this.#prefix}${(++this.#counter).toString(36)}`;
  }

  /** How many calls wait for an answer. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Sends the IQ that `build(id)` makes and resolves with the `result` answer.
   * @throws {StanzaError} when the entity answers with an error.
   * @throws {TimeoutError} `TIMEOUT` when no answer comes in time.
   * @throws {TransportError} when the IQ cannot be sent or the connection is lost.
   */
  call(build: (id: string) => Element, options: IqCallOptions = {}): Promise<Element> {
    const id = this.nextId();
    const iq = build(id);
    const toText = iq.attrs.to as string | undefined;
    let to: Jid | undefined;
    try {
      to = toText ? parseJid(toText) : undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    return new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new TimeoutError(`no answer to IQ ${id}${toText ? ` to ${toText}` : ''} within ${timeoutMs} ms`, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { to, resolve, reject, timer });
      try {
        this.#host.send(iq);
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id); // a send that fails leaves nothing behind
        reject(error as XmppError);
      }
    });
  }

  /**
   * Offers an incoming element; returns true when it was the answer to a pending call (and settled it).
   * An answer from another entity than the one asked is not accepted (RFC 6120 §8.2.3, §10.1): the call
   * keeps waiting.
   */
  handle(element: Element): boolean {
    if (element.getName() !== 'iq') return false;
    const type = element.attrs.type;
    if (type !== 'result' && type !== 'error') return false;
    const id = element.attrs.id as string | undefined;
    const call = id === undefined ? undefined : this.#pending.get(id);
    if (!call || id === undefined || !this.#fromExpected(call.to, element.attrs.from as string | undefined)) return false;
    this.#pending.delete(id);
    clearTimeout(call.timer);
    if (type === 'result') {
      call.resolve(element);
      return true;
    }
    const errorElement = findStanzaErrorElement(element);
    const error = errorElement
      ? toStanzaError(errorElement, element)
      : new StanzaParseError('STANZA_MISSING_PART', `the error answer to IQ ${id} has no <error/>`);
    call.reject(error);
    return true;
  }

  /** Rejects every pending call with this error (the connection is gone and cannot be resumed). */
  failAll(error: XmppError): void {
    for (const [id, call] of this.#pending) {
      clearTimeout(call.timer);
      this.#pending.delete(id);
      call.reject(error);
    }
  }

  /**
   * RFC 6120 §10.1 and §8.1.2.1: a request without `to` (or to one's own bare JID) is answered by the
   * server on behalf of the account: no `from`, the bare or the full own JID, or the domain. Any other
   * request must be answered by the JID asked (compared in normal form; a bare JID asked may answer
   * from one of its full JIDs only for requests that a client answers, which the profile never makes).
   */
  #fromExpected(to: Jid | undefined, fromText: string | undefined): boolean {
    const own = this.#host.ownJid();
    let from: Jid | undefined;
    try {
      from = fromText ? parseJid(fromText) : undefined;
    } catch {
      return false;
    }
    const ownBare = own ? bareJid(parseJid(own)) : '';
    const askedSelf = !to || (to.resource === '' && bareJid(to) === ownBare) || (ownBare === '' && to.local === '' && to.domain === this.#host.domain());
    if (askedSelf) {
      if (!from) return true;
      const fromBare = bareJid(from);
      return fromBare === ownBare || (from.local === '' && from.resource === '' && from.domain === this.#host.domain());
    }
    if (!from) return false;
    return from.local === to.local && from.domain === to.domain && from.resource === to.resource;
  }
}
