/**
 * The negotiation inbox of a session: while the stream is being negotiated (SASL, bind, stream
 * management), incoming elements wait here until a step asks for the next one it expects; one that no
 * step claimed is handed on once negotiation is over, in order.
 */
import type { Element } from 'ltx';
import { TimeoutError, TransportError, type XmppError } from '../errors.js';

interface Waiter {
  readonly match: (element: Element) => boolean;
  readonly resolve: (element: Element) => void;
  readonly reject: (error: XmppError) => void;
}

/** Elements waiting for a negotiation step, and the step waiting for one. */
export class Inbox {
  #queue: Element[] = [];
  #waiter: Waiter | undefined;
  #lost: XmppError | undefined;

  /** Delivers an element to the waiting step if it matches, else queues it. */
  push(element: Element): void {
    const waiter = this.#waiter;
    if (waiter && waiter.match(element)) {
      this.#waiter = undefined;
      waiter.resolve(element);
    } else this.#queue.push(element);
  }

  /**
   * The next element that matches (queued or to come).
   * @throws {TimeoutError} `TIMEOUT` when none comes within `timeoutMs`.
   * @throws {TransportError} when the connection is lost meanwhile.
   */
  next(match: (element: Element) => boolean, what: string, timeoutMs: number): Promise<Element> {
    const queued = this.#queue.findIndex(match);
    if (queued >= 0) return Promise.resolve(this.#queue.splice(queued, 1)[0] as Element);
    if (this.#lost) return Promise.reject(this.#lost);
    return new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new TimeoutError(`no ${what} from the server within ${timeoutMs} ms`, timeoutMs));
      }, timeoutMs);
      this.#waiter = {
        match,
        resolve: (element) => {
          clearTimeout(timer);
          resolve(element);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** The connection is gone: the waiting step fails with `error`, and so will later ones. */
  lose(error: XmppError | undefined): void {
    this.#lost = error ?? new TransportError('TRANSPORT_CLOSED', 'the connection closed');
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(this.#lost);
  }

  /** Starts over for a new stream. */
  reset(): void {
    this.#queue = [];
    this.#waiter = undefined;
    this.#lost = undefined;
  }

  /** Takes the unclaimed elements, in order, leaving the inbox empty. */
  drain(): Element[] {
    const queued = this.#queue;
    this.#queue = [];
    return queued;
  }
}
