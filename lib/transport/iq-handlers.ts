/**
 * Answering IQ requests: every get or set gets exactly one answer (RFC 6120 §8.2.3 rule 2). A request
 * nobody handles is answered with `service-unavailable` (RFC 6120 §8.4); XMPP ping (XEP-0199 §4.2) is
 * answered with an empty result.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.4
 * @see https://xmpp.org/extensions/xep-0199.html#c2s
 */
import type { Element } from 'ltx';
import { StanzaError, type StanzaErrorDetails } from '../errors.js';
import { buildIqError, buildIqResult, parseIq, type Iq } from '../stanzas/iq.js';
import { NS_PING } from '../stanzas/ns.js';

/**
 * Handles one request: returns the result's payload (or `undefined` for an empty result); throws a
 * `StanzaError` to answer with that error (anything else thrown answers `internal-server-error`).
 */
export type IqHandler = (request: Iq, element: Element) => Element | undefined | Promise<Element | undefined>;

const SERVICE_UNAVAILABLE: StanzaErrorDetails = {
  type: 'cancel', condition: 'service-unavailable', text: '', applicationCondition: '', by: '',
};
const INTERNAL_ERROR: StanzaErrorDetails = {
  type: 'cancel', condition: 'internal-server-error', text: '', applicationCondition: '', by: '',
};

/** Handlers of incoming IQ get/set, by payload name and namespace. */
export class IqHandlers {
  readonly #handlers = new Map<string, IqHandler>();

  constructor() {
    this.register('get', 'ping', NS_PING, () => undefined); // XEP-0199 §4.2: an empty result
  }

  /** Registers the handler of `type` requests whose payload is `<name xmlns=ns/>`; returns the unregister function. */
  register(type: 'get' | 'set', name: string, ns: string, handler: IqHandler): () => void {
    const key = `${type} ${ns} ${name}`;
    this.#handlers.set(key, handler);
    return () => {
      if (this.#handlers.get(key) === handler) this.#handlers.delete(key);
    };
  }

  /**
   * Answers an incoming IQ get or set through `send`; returns false for anything else (results, errors,
   * other stanzas), which is not this class's to handle.
   */
  handle(element: Element, send: (answer: Element) => void): boolean {
    const type = element.attrs.type;
    if (element.getName() !== 'iq' || (type !== 'get' && type !== 'set')) return false;
    let request: Iq;
    try {
      request = parseIq(element);
    } catch {
      return true; // RFC 6120 §8.2.3: an IQ without id cannot be answered; drop it
    }
    const payload = request.payload;
    const handler = payload ? this.#handlers.get(`${type} ${payload.getNS() ?? ''} ${payload.getName()}`) : undefined;
    if (!handler) {
      send(buildIqError(request, SERVICE_UNAVAILABLE)); // RFC 6120 §8.4
      return true;
    }
    const answer = (result: Element | undefined): void => send(buildIqResult(request, result));
    const fail = (error: unknown): void => send(buildIqError(request, error instanceof StanzaError ? error : INTERNAL_ERROR));
    try {
      const result = handler(request, element);
      if (result instanceof Promise) result.then(answer, fail).catch(() => undefined);
      else answer(result);
    } catch (error) {
      fail(error);
    }
    return true;
  }
}
