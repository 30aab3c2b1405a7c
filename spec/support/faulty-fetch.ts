/**
 * Fault injection for BOSH specs at the HTTP exchange: a `fetch` that passes through to the real one
 * until a spec queues faults for the next requests:
 * - `lost-before`: the request never reaches the server (a network error);
 * - `lost-after`: the server gets and answers the request, the answer is lost (a network error): the
 *   case XEP-0124 §14.3 has the client resend the same `rid` for;
 * - `status`: answered with an HTTP status (e.g. 503) without reaching the server;
 * - `delay`: the server's answer arrives `ms` later.
 */

/** One fault, for one request. */
export type Fault =
  | { readonly kind: 'lost-before' }
  | { readonly kind: 'lost-after' }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'delay'; readonly ms: number };

export interface FaultyFetch {
  readonly fetch: typeof fetch;
  /** Queues faults for the next requests, one each, in order. */
  inject(...faults: Fault[]): void;
  /** Requests made so far. */
  readonly requests: number;
  /** Faults applied so far, by kind. */
  readonly applied: Readonly<Record<Fault['kind'], number>>;
}

/** A fetch with faults on demand, over `base` (default: the global fetch). */
export function createFaultyFetch(base: typeof fetch = (input, init) => globalThis.fetch(input, init)): FaultyFetch {
  const queue: Fault[] = [];
  const applied: Record<Fault['kind'], number> = { 'lost-before': 0, 'lost-after': 0, status: 0, delay: 0 };
  let requests = 0;
  const faulty: typeof fetch = async (input, init) => {
    requests += 1;
    const fault = queue.shift();
    if (fault) applied[fault.kind] += 1;
    if (fault?.kind === 'lost-before') throw new TypeError('fetch failed (injected: lost before the server)');
    if (fault?.kind === 'status') return new Response('injected', { status: fault.status });
    const response = await base(input, init);
    if (fault?.kind === 'lost-after') {
      await response.arrayBuffer().catch(() => undefined);
      throw new TypeError('fetch failed (injected: answer lost)');
    }
    if (fault?.kind === 'delay') {
      const body = await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (init?.signal?.aborted) throw init.signal.reason ?? new DOMException('aborted', 'AbortError');
      return new Response(body, { status: response.status, headers: response.headers });
    }
    return response;
  };
  return {
    fetch: faulty,
    inject: (...faults) => queue.push(...faults),
    get requests() {
      return requests;
    },
    applied,
  };
}
