/**
 * Answers and the mapping from the library's typed errors to the status codes of the public contract.
 * The mapping is total: every error, typed or not, gets a code of API.md §4.
 *
 * @see API.md §4
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-8.3.3 (the stanza error conditions)
 */
import { QrError, SaslError, StanzaError, StreamError, TimeoutError, TransportError, XmppError, type StanzaErrorCondition } from '../errors.js';
import type { Answer } from './types.js';

/** The message of the answer to a call made while not connected (API.md §3). */
export const CONNECTION_ERROR = 'Connection Error';

/**
 * The status code of each stanza error condition of RFC 6120 §8.3.3. Those API.md §4 names are as
 * listed there; the others take the nearest code: `gone` and `remote-server-not-found` 404 (nothing
 * there), `policy-violation` and `registration-required` 403 (refused for this user),
 * `unexpected-request` 400, `redirect` 404 (not here), `resource-constraint` and
 * `undefined-condition` 500.
 */
export const CONDITION_STATUS: Readonly<Record<StanzaErrorCondition, number>> = {
  'bad-request': 400,
  'jid-malformed': 400,
  'not-acceptable': 400,
  'unexpected-request': 400,
  'not-authorized': 401,
  forbidden: 403,
  'not-allowed': 403,
  'subscription-required': 403,
  'policy-violation': 403,
  'registration-required': 403,
  'item-not-found': 404,
  'recipient-unavailable': 404,
  gone: 404,
  'remote-server-not-found': 404,
  redirect: 404,
  'remote-server-timeout': 408,
  conflict: 409,
  'internal-server-error': 500,
  'resource-constraint': 500,
  'undefined-condition': 500,
  'feature-not-implemented': 501,
  'service-unavailable': 501,
};

/** A success answer with its message and extra fields. */
export function ok<T extends object>(message: string, fields?: T): Answer & T {
  return { statusCode: 200, message, ...(fields ?? ({} as T)) };
}

/** A failure answer. */
export function fail(statusCode: number, message: string): Answer {
  return { statusCode, message };
}

/** The answer for a call that needs a connection while there is none. */
export function notConnected(): Answer {
  return fail(500, CONNECTION_ERROR);
}

/**
 * The status code for any error: `StanzaError` by condition, `SaslError` 401 for refused credentials
 * (`not-authorized`, `credentials-expired`, `account-disabled`, and a bad server signature), else 500,
 * `TimeoutError` 408, `QrError` 400 (a QR payload or hand-off that cannot be used),
 * `TransportError`/`StreamError` 500, anything else 500.
 */
export function statusOf(error: unknown): number {
  if (error instanceof QrError) return 400;
  if (error instanceof StanzaError) return CONDITION_STATUS[error.condition] ?? 500;
  if (error instanceof SaslError) return SASL_AUTH_FAILURES.has(error.condition) || error.code === 'SASL_SERVER_SIGNATURE' ? 401 : 500;
  if (error instanceof TimeoutError) return 408;
  if (error instanceof TransportError || error instanceof StreamError) return 500;
  return 500;
}

const SASL_AUTH_FAILURES = new Set(['not-authorized', 'credentials-expired', 'account-disabled', 'invalid-authzid', 'invalid-mechanism']);

/**
 * The answer for an error: its status code and a message that says what happened (for a stanza
 * error its condition and text; for a lost connection 'Connection Error' and why).
 */
export function failure(error: unknown): Answer {
  const statusCode = statusOf(error);
  if (error instanceof StanzaError) return fail(statusCode, error.message);
  if (error instanceof TransportError || error instanceof StreamError) return fail(statusCode, `${CONNECTION_ERROR}: ${error.message}`);
  if (error instanceof XmppError) return fail(statusCode, error.message);
  return fail(statusCode, error instanceof Error ? `Internal error: ${error.message}` : 'Internal error');
}

/**
 * The error `connect` rejects with (API.md §3: the one method that rejects): an `Error` with the
 * answer's `statusCode` and `message`.
 */
export class SdkError extends Error {
  override readonly name = 'SdkError';
  readonly statusCode: number;

  constructor(answer: Answer, options: { readonly cause?: unknown } = {}) {
    super(answer.message, 'cause' in options ? { cause: options.cause } : undefined);
    this.statusCode = answer.statusCode;
  }
}
