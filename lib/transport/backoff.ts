/**
 * Reconnect delays: exponential backoff with full jitter and a cap, so that many clients dropped at
 * once by a server restart do not come back at the same moment.
 */

/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** The first delay's upper bound, in ms. Default 500. */
  readonly baseMs?: number;
  /** The largest delay, in ms. Default 2,000: a client comes back within 2 s of its server. */
  readonly capMs?: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first): a random value between half and all
 * of `min(cap, base * 2^attempt)`.
 * @param random a number in [0, 1), e.g. `Math.random()`; an argument so that the rule is testable.
 */
export function backoffDelay(attempt: number, random: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 500;
  const cap = options.capMs ?? 2_000;
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
