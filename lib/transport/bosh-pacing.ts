/**
 * When a BOSH request may leave while the one before it is still in flight: XEP-0124
 * (Bidirectional-streams Over Synchronous HTTP, version 1.11.2) §14.2 asks connection managers to put
 * requests back in rid order, but the real ones do not cope with a request that overtook the one
 * before it on another HTTP connection: ejabberd 23.01 holds the later one until the earlier one is
 * answered (the `wait` of an empty one), and Prosody 0.12 loses the payload of one of them. So a
 * request leaves only once the one before it has surely reached the server:
 *
 * - it was answered; or
 * - an older request was answered after it left, and it has been out half a round trip (one way):
 *   both servers release the request they hold as soon as a newer one comes in (Prosody answers the
 *   newer one's payload on the older request and keeps the newer as the long poll), so that answer
 *   says it came in;
 * - or it has been out two round trips (room for a new TCP connection's handshake).
 *
 * The round trip is the median of the recent times from a request that asks for something (not an
 * empty poll, which the server holds until it has something) leaving to the next answer coming in,
 * whatever request that answers: Prosody answers on the older request it holds. Pure: the clock is an
 * argument.
 *
 * @see https://xmpp.org/extensions/xep-0124.html#rids-order
 */

/** How many recent round trips the estimate looks at. */
const SAMPLES = 15;
/** Bounds of the spacing of two requests in flight, in ms. */
const MIN_SPACING_MS = 2;
const MAX_SPACING_MS = 250;

interface LastSent {
  readonly rid: number;
  readonly at: number;
  answered: boolean;
  /** An older request was answered after this one left. */
  releasedOlder: boolean;
}

/** Round trips seen, and whether the request sent last can still be overtaken. */
export class BoshPacing {
  readonly #rtts: number[] = [];
  /** The median of `#rtts`, kept up to date as samples come (it is read for every request). */
  #median: number | undefined;
  #last: LastSent | undefined;
  /** When the request whose round trip is being timed left: the next answer ends the sample. */
  #timing: number | undefined;

  /** The median recent round trip in ms, or `undefined` before the first answer. */
  get roundTripMs(): number | undefined {
    return this.#median;
  }

  /** How long a request waits after the one before it left, unless an answer says it arrived: two round trips. */
  get spacingMs(): number {
    const rtt = this.roundTripMs;
    return rtt === undefined ? MAX_SPACING_MS : Math.min(MAX_SPACING_MS, Math.max(MIN_SPACING_MS, 2 * rtt));
  }

  /** Request `rid` left at `at`; `poll` for an empty request, whose answer does not time a round trip. */
  sent(rid: number, at: number, poll: boolean): void {
    this.#last = { rid, at, answered: false, releasedOlder: false };
    if (!poll) this.#timing ??= at;
  }

  /** The answer to request `rid` came at `at` (a failure is no answer). */
  answered(rid: number, at: number): void {
    if (this.#timing !== undefined) {
      this.#rtts.push(Math.min(MAX_SPACING_MS, Math.max(0, at - this.#timing)));
      if (this.#rtts.length > SAMPLES) this.#rtts.shift();
      const sorted = [...this.#rtts].sort((a, b) => a - b);
      this.#median = sorted[sorted.length >> 1];
      this.#timing = undefined;
    }
    const last = this.#last;
    if (!last) return;
    if (rid === last.rid) last.answered = true;
    else if (rid < last.rid) last.releasedOlder = true;
  }

  /**
   * 0 when the next request may leave at `now`; else how many ms until it may (an answer may allow it
   * sooner). `inFlight` says whether the request sent last is still in flight.
   */
  waitMs(now: number, inFlight: boolean): number {
    const last = this.#last;
    if (!last || !inFlight || last.answered) return 0;
    const out = now - last.at;
    const spacing = this.spacingMs;
    const rtt = this.roundTripMs ?? spacing;
    const needed = last.releasedOlder ? Math.min(rtt / 2, spacing) : spacing;
    return Math.max(0, needed - out);
  }
}
