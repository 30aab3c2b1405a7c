/**
 * Draining a BOSH session that its transport lost: XEP-0124 (Bidirectional-streams Over Synchronous
 * HTTP, version 1.11.2) §14.3 says the connection manager keeps a session whose client went silent
 * until `inactivity` runs out, and goes on buffering what the XMPP server sends to it. When the stream
 * is then resumed on a new BOSH session (XEP-0198 §5), ejabberd 23.01 ends the old one and routes the
 * stanzas still in its buffer to the full JID again (`ejabberd_bosh:bounce_els_from_obuf`), which now
 * is the resumed stream, which also gets them from stream management: each is delivered twice. So
 * before the resumption the lost session is drained: empty requests with its next rids, the answers
 * dropped (stream management resends them), until the server ends that session. It must not be
 * terminated instead: a `type='terminate'` request closes the XMPP stream cleanly, and then ejabberd
 * refuses to resume it ("Previous session not found").
 *
 * @see https://xmpp.org/extensions/xep-0124.html#rids-broken
 * @see https://xmpp.org/extensions/xep-0198.html#resumption
 */
import { buildBoshBodyText } from './bosh-body.js';
import { exchangeBoshBody, type BoshFetch } from './bosh-requests.js';

/** What is left of a BOSH session that its transport lost (closed on a network failure). */
export interface BoshLeftover {
  /** The connection manager's URL. */
  readonly url: string;
  readonly sid: string;
  /** The oldest rid that was not answered: the drain starts there (a replayed answer is dropped too). */
  readonly fromRid: number;
  /** The rid the lost transport would have used next. */
  readonly nextRid: number;
  /** The session's `wait`, in seconds: how long the connection manager may hold a request. */
  readonly wait: number;
}

/** What {@link drainBoshSession} needs. */
export interface BoshDrain {
  readonly fetch: BoshFetch;
  readonly leftover: BoshLeftover;
  /** Stops the drain (the transport that runs it closed). */
  readonly signal: AbortSignal;
  /** The most requests to make. Default 20. */
  readonly maxRequests?: number;
}

/**
 * Drains a lost BOSH session: one empty request at a time with its rids from `fromRid` on, every
 * answer dropped, until the connection manager ends the session (`type='terminate'`, HTTP 4xx), a
 * request fails, one past the lost ones comes back empty after being held (nothing more is coming),
 * `maxRequests` were made, or `signal` aborts. Best effort: never rejects, never retries.
 * @throws never.
 * @see https://xmpp.org/extensions/xep-0124.html#rids-broken
 */
export async function drainBoshSession(drain: BoshDrain): Promise<void> {
  const { leftover, signal } = drain;
  const max = drain.maxRequests ?? 20;
  for (let rid = leftover.fromRid, made = 0; made < max && !signal.aborted; rid++, made++) {
    const result = await exchangeBoshBody({
      fetch: drain.fetch,
      url: leftover.url,
      text: buildBoshBodyText({ rid, sid: leftover.sid }, []),
      maxRetries: 0,
      retryDelayMs: 0,
      timeoutMs: (leftover.wait + 10) * 1000,
      signal,
    });
    if (!result.ok || result.body.type === 'terminate') return;
    if (rid >= leftover.nextRid && result.body.children.length === 0) return;
  }
}
