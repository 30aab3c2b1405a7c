/**
 * Stream management state: XEP-0198 v1.6 (`urn:xmpp:sm:3`). Counts the stanzas handled in (`h`),
 * keeps the stanzas sent out until the server acknowledges them, answers ack requests, and on
 * resumption says which unacknowledged stanzas to send again — so that none is lost and none is
 * delivered twice.
 *
 * @see https://xmpp.org/extensions/xep-0198.html
 */
import type { Element } from 'ltx';
import { buildSmAck, buildSmRequest, smCounterAdd, smCounterDiff, type SmEnabled } from '../stanzas/stream-management.js';

const STANZAS = new Set(['message', 'presence', 'iq']);

/**
 * Stanzas sent between two requests for an ack (XEP-0198 §4 leaves the rhythm to the client). Each
 * `<r/>` costs the server an answer; under load (many requests in flight) one per 50 stanzas keeps
 * that cost small, and the timer of the session asks soon after a burst anyway, so the queue of
 * unacknowledged stanzas stays short.
 */
export const ACK_EVERY = 50;

/** True for the three stanza kinds, which are the only things counted (XEP-0198 §4). */
export function isCountedStanza(element: Element): boolean {
  return STANZAS.has(element.name);
}

/** One stream's management state. */
export class StreamManager {
  #requested = false;
  #enabled = false;
  #id: string | undefined;
  #resumable = false;
  #inbound = 0;
  #acked = 0;
  #unacked: Element[] = [];
  #sinceRequest = 0;

  /** Enabled on the current stream. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** `<enable/>` sent, its answer not yet read. */
  get requested(): boolean {
    return this.#requested;
  }

  /** The stream can be resumed after a drop (an id and `resume='true'` were given). */
  get resumable(): boolean {
    return this.#resumable && this.#id !== undefined;
  }

  /** The stream id to resume. */
  get id(): string | undefined {
    return this.#id;
  }

  /** Stanzas handled in so far (XEP-0198 §4 `h`). */
  get inbound(): number {
    return this.#inbound;
  }

  /** Stanzas sent and not yet acknowledged, oldest first. */
  get unacked(): readonly Element[] {
    return this.#unacked;
  }

  /**
   * `<enable/>` was sent: stanzas sent from now on are kept, since the server counts them from the
   * moment it reads `<enable/>` (the stream is ordered), even before its `<enabled/>` arrives.
   */
  enableSent(): void {
    this.reset();
    this.#requested = true;
  }

  /**
   * XEP-0198 §3: the server enabled management. Inbound counting starts at 0 now (what the server sends
   * after `<enabled/>`); outbound, the stanzas sent since `<enable/>` stay queued.
   */
  start(enabled: SmEnabled): void {
    if (!this.#requested) this.#unacked = [];
    this.#requested = false;
    this.#enabled = true;
    this.#id = enabled.id;
    this.#resumable = enabled.resume;
    this.#inbound = 0;
    this.#acked = 0;
  }

  /** Counts an incoming element if it is a stanza (XEP-0198 §4: after it was handled). */
  received(element: Element): void {
    if (this.#enabled && isCountedStanza(element)) this.#inbound = smCounterAdd(this.#inbound, 1);
  }

  /**
   * Keeps an outgoing stanza until acknowledged. Returns true when it is time to ask for an ack
   * (every `every` stanzas; the session also asks a second after the last stanza sent).
   */
  sent(element: Element, every = ACK_EVERY): boolean {
    if ((!this.#enabled && !this.#requested) || !isCountedStanza(element)) return false;
    this.#unacked.push(element);
    return ++this.#sinceRequest >= every && this.#enabled;
  }

  /** The `<r/>` to send; resets the stanzas-since-request count. */
  request(): Element {
    this.#sinceRequest = 0;
    return buildSmRequest();
  }

  /** The `<a h/>` answering the server's `<r/>` (XEP-0198 §4). */
  answer(): Element {
    return buildSmAck(this.#inbound);
  }

  /**
   * The server acknowledged `h` stanzas in all: drops those from the queue. Returns false when `h`
   * acknowledges more than was sent (XEP-0198 §4: a protocol violation), after dropping everything.
   */
  acknowledged(h: number): boolean {
    const newly = smCounterDiff(h, this.#acked);
    this.#acked = h;
    if (newly > this.#unacked.length) {
      this.#unacked = [];
      return false;
    }
    this.#unacked = this.#unacked.slice(newly);
    return true;
  }

  /**
   * XEP-0198 §5: the stream was resumed and the server had handled `h` of our stanzas; returns the
   * stanzas to send again, in order (they are queued again when sent).
   */
  resumed(h: number): Element[] {
    this.acknowledged(h);
    const resend = this.#unacked;
    this.#unacked = [];
    this.#sinceRequest = 0;
    return resend;
  }

  /** Forgets everything (a fresh stream, or management turned off). */
  reset(): void {
    this.#requested = false;
    this.#enabled = false;
    this.#id = undefined;
    this.#resumable = false;
    this.#inbound = 0;
    this.#acked = 0;
    this.#unacked = [];
    this.#sinceRequest = 0;
  }
}
