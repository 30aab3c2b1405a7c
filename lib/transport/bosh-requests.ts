/**
 * One BOSH HTTP request/response pair over `fetch`: XEP-0124 (Bidirectional-streams Over Synchronous
 * HTTP, version 1.11.2) §5 (HTTP POST of one `<body/>`), §14.3 (a broken connection is retried with an
 * exact copy of the request, same `rid`), §17.1 (HTTP 400/403/404 end the session), §17.3 (a
 * recoverable `type='error'` body repeats the request). Network errors, timeouts, HTTP 5xx and
 * recoverable errors are retried a bounded number of times with a doubling delay; everything else is
 * final. Web-platform only: `fetch`, `AbortController`, `setTimeout`.
 *
 * @see https://xmpp.org/extensions/xep-0124.html#rids-broken
 * @see https://xmpp.org/extensions/xep-0124.html#errorstatus-http
 */
import { StanzaParseError, StreamError, TransportError, type XmppError } from '../errors.js';
import type { XmlLimits } from '../stanzas/xml.js';
import { parseBoshBody, type BoshBody } from './bosh-body.js';

/**
 * What {@link BoshFetch} is given: the `RequestInit` fields a BOSH POST uses.
 * @see https://xmpp.org/extensions/xep-0124.html#overview
 */
export interface BoshFetchInit {
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signal: AbortSignal;
}

/** The part of a WHATWG `Response` read here. */
export interface BoshFetchResponse {
  readonly status: number;
  text(): Promise<string>;
}

/**
 * The `fetch` function, or a stand-in (a test's fake connection manager); the global `fetch` fits.
 * @throws whatever the network layer throws (a `TypeError` for a network error): a broken connection.
 * @see https://fetch.spec.whatwg.org/#fetch-method
 */
export type BoshFetch = (url: string, init: BoshFetchInit) => Promise<BoshFetchResponse>;


/** The outcome of one request: a read body, or the error that ended the session. */
export type BoshExchange =
  | { readonly ok: true; readonly status: number; readonly body: BoshBody }
  | { readonly ok: false; readonly error: XmppError; readonly status?: number };

/** What one request needs. */
export interface BoshRequest {
  readonly fetch: BoshFetch;
  readonly url: string;
  /** The serialized `<body/>`; a retry sends exactly this text again (XEP-0124 §14.3). */
  readonly text: string;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** The delay before the first retry, in ms; it doubles at each retry. */
  readonly retryDelayMs: number;
  /** How long one attempt may take, in ms (the connection manager may hold it for `wait` seconds). */
  readonly timeoutMs: number;
  /** Aborts the request for good (the transport closed). */
  readonly signal: AbortSignal;
  /** Size and depth limits of the answer's `<body/>` (default: parseXml's, 1 MiB and 32). */
  readonly limits?: XmlLimits;
}

/** XEP-0124 §17.1: the conditions of the HTTP error statuses. */
const HTTP_CONDITIONS: Readonly<Record<number, string>> = { 400: 'bad-request', 403: 'policy-violation', 404: 'item-not-found' };

type Attempt =
  | { readonly kind: 'done'; readonly result: BoshExchange }
  | { readonly kind: 'retry'; readonly reason: string; readonly status?: number; readonly cause?: unknown };

const closed = (): BoshExchange => ({ ok: false, error: new TransportError('TRANSPORT_CLOSED', 'the BOSH transport is closed') });

/**
 * Posts one `<body/>` and reads the answer, retrying broken connections (network error, timeout, HTTP
 * 5xx, recoverable `type='error'`) with the same text, so the same `rid`, up to `maxRetries` times.
 * Never rejects: failures come back as `{ ok: false }` with the error that ends the session.
 * @throws never; the result carries a {@link TransportError} `TRANSPORT_FAILURE` (network failures
 *   after the retries, a body that cannot be read), a `TransportError` with the condition and status (HTTP 4xx), or
 *   `TRANSPORT_CLOSED` when `signal` aborted the request.
 * @see https://xmpp.org/extensions/xep-0124.html#rids-broken
 */
export async function exchangeBoshBody(request: BoshRequest): Promise<BoshExchange> {
  for (let retry = 0; ; retry++) {
    if (request.signal.aborted) return closed();
    const attempt = await attemptOnce(request);
    if (attempt.kind === 'done') return attempt.result;
    if (request.signal.aborted) return closed();
    if (retry >= request.maxRetries) {
      const error = new TransportError('TRANSPORT_FAILURE', `BOSH request failed after ${retry + 1} attempts: ${attempt.reason}`, { cause: attempt.cause });
      return attempt.status !== undefined ? { ok: false, error, status: attempt.status } : { ok: false, error };
    }
    await delay(request.retryDelayMs * 2 ** retry, request.signal);
  }
}

async function attemptOnce(request: BoshRequest): Promise<Attempt> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  request.signal.addEventListener('abort', abort);
  const timer = setTimeout(abort, request.timeoutMs);
  // Settles when the attempt is aborted, even if a `fetch` (a stand-in) ignores its signal.
  const aborted = new Promise<never>((_resolve, reject) => {
    controller.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });
  aborted.catch(() => undefined);
  try {
    let status: number;
    let text: string;
    try {
      const response = await Promise.race([request.fetch(request.url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: request.text,
        signal: controller.signal,
      }), aborted]);
      status = response.status;
      text = await Promise.race([response.text(), aborted]);
    } catch (error) {
      // XEP-0124 §14.3: the connection broke before the response; resend an exact copy.
      const reason = controller.signal.aborted && !request.signal.aborted ? `no answer within ${request.timeoutMs} ms` : 'network error';
      return { kind: 'retry', reason, cause: error };
    }
    return readResponse(status, text, request.limits);
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', abort);
  }
}

function readResponse(status: number, text: string, limits: XmlLimits = {}): Attempt {
  if (status >= 500) return { kind: 'retry', reason: `HTTP ${status}`, status };
  if (status < 200 || status >= 300) {
    // XEP-0124 §17.1: 400, 403, 404 (and any other client error) end the session.
    const condition = HTTP_CONDITIONS[status] ?? '';
    // XEP-0124 §17.1: 400 bad-request, 403 policy-violation, 404 item-not-found end the session.
    const error = new TransportError('TRANSPORT_FAILURE', `BOSH request answered HTTP ${status}${condition ? ` (${condition})` : ''}`, { condition, status });
    return { kind: 'done', result: { ok: false, error, status } };
  }
  let body: BoshBody;
  try {
    body = parseBoshBody(text, limits);
  } catch (error) {
    if (error instanceof StanzaParseError && (error.code === 'XML_TOO_LARGE' || error.code === 'XML_TOO_DEEP')) {
      // RFC 6120 §4.9.3.14: what goes past the limits ends the stream as a policy violation.
      return { kind: 'done', result: { ok: false, error: new StreamError('policy-violation', error.message, { cause: error }), status } };
    }
    const why = error instanceof StanzaParseError ? error.message : 'not a BOSH body';
    const failure = new TransportError('TRANSPORT_FAILURE', `unreadable BOSH response: ${why}`, { cause: error });
    return { kind: 'done', result: { ok: false, error: failure, status } };
  }
  // XEP-0124 §17.3: a recoverable binding error; the client MUST repeat the request.
  if (body.type === 'error') return { kind: 'retry', reason: 'recoverable binding error', status };
  return { kind: 'done', result: { ok: true, status, body } };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
