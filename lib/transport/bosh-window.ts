/**
 * The request window of a BOSH session: XEP-0124 (Bidirectional-streams Over Synchronous HTTP, version
 * 1.11.2) §14 request ids. Each request takes the next rid (§14.1), the answers are handed over in rid
 * order whatever order HTTP brings them in (§14.2), and a broken connection is retried with the same
 * rid (§14.3, see bosh-requests.ts). It also paces requests: two empty ones no closer than `polling`
 * (§11, §12), and none before the one sent before it has reached the connection manager, so that they
 * arrive in rid order (bosh-pacing.ts). Which requests to make is the transport's business.
 *
 * @see https://xmpp.org/extensions/xep-0124.html#rids
 * @see https://xmpp.org/extensions/xep-0124.html#poll
 */
import { TransportError } from '../errors.js';
import { BOSH_MAX_RID } from './bosh-body.js';
import { BoshPacing } from './bosh-pacing.js';
import { exchangeBoshBody, type BoshExchange, type BoshFetch } from './bosh-requests.js';
import type { XmlLimits } from '../stanzas/xml.js';

/**
 * XEP-0124 §14.1: a large random initial rid that the session can never increment past 2^53 - 1:
 * below 2^48, which leaves room for about 8.7e15 requests. From `crypto.getRandomValues`.
 * @throws never.
 * @see https://xmpp.org/extensions/xep-0124.html#rids-syntax
 */
export function initialBoshRid(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return ((words[0] ?? 0) & 0xffff) * 0x1_0000_0000 + (words[1] ?? 0) + 1;
}

/**
 * The shortest gap between two empty requests when the first was answered empty, even when the
 * connection manager sets no 'polling': a client never spins on empty answers.
 */
const MIN_POLL_GAP_MS = 100;

/** What a {@link BoshWindow} needs; `M` is what the transport keeps about each request. */
export interface BoshWindowOptions<M> {
  readonly fetch: BoshFetch;
  readonly url: string;
  /** Retries of a request after a network error, timeout or HTTP 5xx. */
  readonly maxRetries: number;
  /** The delay before the first retry, in ms (doubled at each retry). */
  readonly retryDelayMs: number;
  /** Size and depth limits of each answer. */
  readonly limits?: XmlLimits;
  /** The rid of the first request (XEP-0124 §14.1: large and random). */
  readonly firstRid: number;
  /** True for an empty request, a poll. */
  readonly isPoll: (meta: M) => boolean;
  /** A request may leave again: an answer came, the spacing or the polling interval ran out. */
  readonly onReady: () => void;
  /** Each answer, in rid order. */
  readonly onAnswer: (rid: number, meta: M, result: BoshExchange) => void;
  /**
   * True for an answer that ends the session (an error, a terminate): then the answers that have come
   * are handed over in rid order without waiting for the missing ones, which may never come, and
   * `onFinal` follows.
   */
  readonly isFinal: (meta: M, result: BoshExchange) => boolean;
  readonly onFinal: () => void;
  /** The clock of the pacing, in ms; default `performance.now`. */
  readonly now?: () => number;
}

interface Slot<M> {
  readonly meta: M;
  result?: BoshExchange;
}

/** Request ids, requests in flight, answers in order. */
export class BoshWindow<M> {
  /** How long one attempt of a request may take, in ms. */
  timeoutMs = 40_000;
  /** XEP-0124 §7.2 'polling': the shortest time between two empty requests, in ms. */
  pollingMs = 0;
  readonly #options: BoshWindowOptions<M>;
  readonly #abort = new AbortController();
  readonly #slots = new Map<number, Slot<M>>();
  readonly #inFlight = new Set<number>();
  readonly #pacing = new BoshPacing();
  readonly #now: () => number;
  #nextRid: number;
  #handOver: number;
  #lastRid = -1;
  #spacingTimer: ReturnType<typeof setTimeout> | undefined;
  #lastPoll: { readonly rid: number; answeredEmpty: boolean } | undefined;
  #pollGate: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: BoshWindowOptions<M>) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#nextRid = options.firstRid;
    this.#handOver = options.firstRid;
  }

  /** HTTP requests sent and not answered yet. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The rid the next request will take. */
  get nextRid(): number {
    return this.#nextRid;
  }

  /** The lowest rid whose answer has not been handed over yet (the oldest request unanswered). */
  get oldestUnanswered(): number {
    return this.#handOver;
  }

  /** The spacing of two requests in flight, in ms: two recent round trips (see bosh-pacing.ts). */
  get spacingMs(): number {
    return this.#pacing.spacingMs;
  }

  /**
   * False while the request sent last may not have reached the connection manager yet (bosh-pacing.ts):
   * XEP-0124 §14.2 asks it to put requests back in rid order, but ejabberd 23.01 holds a request that
   * overtook an empty one until `wait` runs out, and Prosody 0.12 loses the payload of one of two that
   * came in the wrong order. `onReady` follows when the wait has run out (or an answer came).
   */
  mayDispatch(): boolean {
    if (this.#closed) return false;
    const left = this.#pacing.waitMs(this.#now(), this.#inFlight.has(this.#lastRid));
    if (left <= 0) return true;
    this.#spacingTimer ??= setTimeout(() => {
      this.#spacingTimer = undefined;
      this.#options.onReady();
    }, Math.ceil(left));
    return false;
  }

  /**
   * False when the previous request was empty and answered empty, and the polling interval since it
   * has not run out: XEP-0124 §11 asks the connection manager to end a session whose client sends two
   * such requests closer than 'polling' seconds. `onReady` follows when the interval has run out.
   * @see https://xmpp.org/extensions/xep-0124.html#overactive
   */
  mayPoll(): boolean {
    const last = this.#lastPoll;
    return !(last && last.rid === this.#nextRid - 1 && last.answeredEmpty && this.#pollGate !== undefined);
  }

  /**
   * Sends the `<body/>` that `build` writes for the next rid; its answer comes to `onAnswer` in turn.
   * @throws {TransportError} `TRANSPORT_FAILURE` when the rid would pass 2^53 - 1 (XEP-0124 §14.1).
   * @see https://xmpp.org/extensions/xep-0124.html#rids-syntax
   */
  dispatch(meta: M, build: (rid: number) => string): number {
    const rid = this.#nextRid; // XEP-0124 §14.1: the client MUST increment the rid by one per request
    if (rid > BOSH_MAX_RID) throw new TransportError('TRANSPORT_FAILURE', 'the BOSH rid space is used up');
    const text = build(rid);
    this.#nextRid = rid + 1;
    this.#slots.set(rid, { meta });
    this.#inFlight.add(rid);
    this.#lastRid = rid;
    this.#pacing.sent(rid, this.#now(), this.#options.isPoll(meta));
    if (this.#options.isPoll(meta)) {
      this.#lastPoll = { rid, answeredEmpty: false };
      clearTimeout(this.#pollGate);
      this.#pollGate = setTimeout(() => {
        this.#pollGate = undefined;
        this.#options.onReady();
      }, Math.max(this.pollingMs, MIN_POLL_GAP_MS));
    }
    exchangeBoshBody({
      fetch: this.#options.fetch,
      url: this.#options.url,
      text,
      maxRetries: this.#options.maxRetries,
      retryDelayMs: this.#options.retryDelayMs,
      timeoutMs: this.timeoutMs,
      signal: this.#abort.signal,
      ...(this.#options.limits ? { limits: this.#options.limits } : {}),
    })
      .catch((error: unknown): BoshExchange => ({ ok: false, error: new TransportError('TRANSPORT_FAILURE', 'BOSH request failed', { cause: error }) }))
      .then((result) => this.#answered(rid, result));
    return rid;
  }

  /** Stops: aborts the requests in flight, drops the answers not handed over; returns what they were for. */
  close(): M[] {
    this.#closed = true;
    this.#abort.abort();
    clearTimeout(this.#spacingTimer);
    clearTimeout(this.#pollGate);
    const metas = [...this.#slots.values()].map((slot) => slot.meta);
    this.#slots.clear();
    return metas;
  }

  #answered(rid: number, result: BoshExchange): void {
    this.#inFlight.delete(rid);
    const slot = this.#slots.get(rid);
    if (this.#closed || !slot) return;
    slot.result = result;
    if (result.ok) this.#pacing.answered(rid, this.#now());
    if (this.#lastPoll?.rid === rid) this.#lastPoll.answeredEmpty = result.ok && result.body.children.length === 0;
    if (this.#options.isFinal(slot.meta, result)) {
      for (const at of [...this.#slots.keys()].sort((a, b) => a - b)) {
        const done = this.#slots.get(at);
        if (this.#closed) return;
        if (done?.result) this.#handOverOne(at, done.meta, done.result);
      }
      if (!this.#closed) this.#options.onFinal();
      return;
    }
    // XEP-0124 §14.2: the client MUST process responses in the order the requests were made.
    for (let next = this.#slots.get(this.#handOver); next?.result; next = this.#slots.get(this.#handOver)) {
      this.#handOverOne(this.#handOver++, next.meta, next.result);
      if (this.#closed) return;
    }
    this.#options.onReady();
  }

  #handOverOne(rid: number, meta: M, result: BoshExchange): void {
    this.#slots.delete(rid);
    this.#options.onAnswer(rid, meta, result);
  }
}
